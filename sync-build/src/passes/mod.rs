//! Passes over the finished model, run once after lowering and before any emitter.
//!
//! Each pass rewrites the [`Api`] in place and keeps it self-consistent (every [`TypeId`] and
//! [`OperationId`] valid), so emitters need not know the passes ran:
//! - [`subset`] keeps only the operations a user asked for, and what they need;
//! - [`read_write`] gives types whose request and response forms differ a second, write shape;
//! - [`dedup`] turns structurally identical types into aliases of one.

pub(crate) mod dedup;
pub(crate) mod read_write;
pub(crate) mod subset;

use crate::model::{Api, Operation, Ty, TypeId, TypeKind};

pub use self::subset::Subset;

/// Settings that shape the model (and so every language's output alike).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelOptions {
    /// Enums reject values the spec does not list, instead of decoding them into a fallback.
    /// Off by default: APIs add values over time, and an app in users' hands cannot be updated.
    pub strict_enums: bool,
    /// Generate only part of the API; everything when `None`.
    pub subset: Option<Subset>,
}

/// Calls `f` with every named type `ty` refers to.
pub(crate) fn for_each_ref(ty: &Ty, f: &mut impl FnMut(TypeId)) {
    match ty {
        Ty::Named(id) => f(*id),
        Ty::Array(inner) | Ty::Map(inner) | Ty::Nullable(inner) => for_each_ref(inner, f),
        Ty::Any | Ty::Bool | Ty::Integer(_) | Ty::Number(_) | Ty::String(_) | Ty::Literal(_) => {}
    }
}

/// Replaces every named type `ty` refers to with `f(id)`.
pub(crate) fn map_refs(ty: &mut Ty, f: &mut impl FnMut(TypeId) -> TypeId) {
    match ty {
        Ty::Named(id) => *id = f(*id),
        Ty::Array(inner) | Ty::Map(inner) | Ty::Nullable(inner) => map_refs(inner, f),
        Ty::Any | Ty::Bool | Ty::Integer(_) | Ty::Number(_) | Ty::String(_) | Ty::Literal(_) => {}
    }
}

/// The value types a named type's definition holds, in order.
pub(crate) fn kind_tys(kind: &TypeKind) -> Vec<&Ty> {
    match kind {
        TypeKind::Struct(s) => s.fields.iter().map(|f| &f.ty).chain(s.additional.as_ref()).collect(),
        TypeKind::Union(u) => u.variants.iter().map(|v| &v.ty).collect(),
        TypeKind::Alias(ty) => vec![ty],
        TypeKind::Enum(_) => Vec::new(),
    }
}

/// [`kind_tys`], for rewriting.
pub(crate) fn kind_tys_mut(kind: &mut TypeKind) -> Vec<&mut Ty> {
    match kind {
        TypeKind::Struct(s) => s.fields.iter_mut().map(|f| &mut f.ty).chain(s.additional.as_mut()).collect(),
        TypeKind::Union(u) => u.variants.iter_mut().map(|v| &mut v.ty).collect(),
        TypeKind::Alias(ty) => vec![ty],
        TypeKind::Enum(_) => Vec::new(),
    }
}

/// The types an operation sends: its parameters and its request body.
pub(crate) fn request_tys_mut(op: &mut Operation) -> Vec<&mut Ty> {
    op.params.iter_mut().map(|p| &mut p.ty).chain(op.body.as_mut().map(|b| &mut b.ty)).collect()
}

/// Every type an operation mentions: parameters, request body and response bodies.
pub(crate) fn operation_tys(op: &Operation) -> Vec<&Ty> {
    op.params
        .iter()
        .map(|p| &p.ty)
        .chain(op.body.as_ref().map(|b| &b.ty))
        .chain(op.responses.iter().filter_map(|r| r.body.as_ref().map(|b| &b.ty)))
        .collect()
}

/// Runs the passes the options ask for, in their fixed order.
pub(crate) fn run(api: &mut Api, options: &ModelOptions) -> Result<(), subset::SubsetError> {
    if let Some(subset) = &options.subset {
        subset::apply(api, subset)?;
    }
    read_write::split(api);
    dedup::merge_identical(api);
    Ok(())
}
