//! Approximate in-memory sizes of generated types, to keep unions compact.
//!
//! An enum is as large as its largest variant, so a union of a string and a 400-byte object
//! makes every string cost 400 bytes (clippy's `large_enum_variant`). Unions box variants that
//! are much larger than the rest. Sizes follow rustc's layout on 64-bit targets closely enough
//! for that decision: exact layout is rustc's business, and boxing a little early is harmless.

use super::graph::Graph;
use crate::model::{Api, EnumValue, FloatFormat, IntFormat, Literal, StringFormat, Ty, TypeId, TypeKind, Union};

/// Box a union variant when it is at least this many bytes larger than the next largest
/// (clippy warns from 200; the margin absorbs estimation error).
const LARGE_VARIANT_MARGIN: usize = 128;

/// Per union type: which variants are boxed for size.
pub(super) fn boxed_variants(api: &Api, graph: &Graph) -> Vec<Vec<bool>> {
    let mut sizes = Sizes { api, graph, memo: vec![None; api.types.len()], visiting: vec![false; api.types.len()] };
    (0..api.types.len())
        .map(|index| match &api.types[index].kind {
            TypeKind::Union(u) => sizes.union_boxes(TypeId(index), u).0,
            _ => Vec::new(),
        })
        .collect()
}

struct Sizes<'a> {
    api: &'a Api,
    graph: &'a Graph,
    memo: Vec<Option<Layout>>,
    visiting: Vec<bool>,
}

#[derive(Clone, Copy)]
struct Layout {
    size: usize,
    /// Has invalid bit patterns `Option` can use, so `Option<T>` is no larger than `T`.
    niche: bool,
}

impl Sizes<'_> {
    fn layout(&mut self, owner: Option<TypeId>, ty: &Ty) -> Layout {
        let plain = |size| Layout { size, niche: false };
        let niche = |size| Layout { size, niche: true };
        match ty {
            Ty::Any => niche(32),
            Ty::Bool | Ty::Literal(Literal::Bool(_)) => niche(1),
            Ty::Integer(IntFormat::Int32) | Ty::Number(FloatFormat::Float) => plain(4),
            Ty::Integer(IntFormat::Int64) | Ty::Number(FloatFormat::Double) | Ty::Literal(Literal::Integer(_)) => {
                plain(8)
            }
            Ty::String(StringFormat::Plain | StringFormat::Binary) | Ty::Literal(Literal::String(_)) => niche(24),
            Ty::String(StringFormat::DateTime) => niche(12),
            Ty::String(StringFormat::Date) => niche(4),
            Ty::String(StringFormat::Uuid) => plain(16),
            Ty::Array(_) | Ty::Map(_) => niche(24),
            Ty::Nullable(inner) => {
                let inner = self.layout(owner, inner);
                if inner.niche { inner } else { plain(inner.size + inner.size.clamp(1, 8)) }
            }
            Ty::Named(target) => {
                if owner.is_some_and(|owner| self.graph.needs_box(owner, *target)) {
                    return niche(8);
                }
                self.named(*target)
            }
        }
    }

    /// Which variants of a union to box, and the largest variant's size once they are.
    fn union_boxes(&mut self, owner: TypeId, union: &Union) -> (Vec<bool>, usize) {
        let mut sizes: Vec<usize> = union.variants.iter().map(|v| self.layout(Some(owner), &v.ty).size).collect();
        let mut boxed = vec![false; sizes.len()];
        loop {
            let mut order: Vec<usize> = (0..sizes.len()).collect();
            order.sort_by_key(|&i| std::cmp::Reverse(sizes[i]));
            let [largest, second, ..] = order[..] else { break };
            if sizes[largest] < sizes[second] + LARGE_VARIANT_MARGIN || sizes[largest] <= 8 {
                break;
            }
            boxed[largest] = true;
            sizes[largest] = 8;
        }
        (boxed, sizes.into_iter().max().unwrap_or(0))
    }

    fn named(&mut self, id: TypeId) -> Layout {
        if let Some(layout) = self.memo[id.0] {
            return layout;
        }
        if self.visiting[id.0] {
            // Only reachable through a boxed edge in valid output; count it as a pointer.
            return Layout { size: 8, niche: true };
        }
        self.visiting[id.0] = true;
        let layout = match &self.api.types[id.0].kind {
            TypeKind::Struct(s) => {
                let mut size = 0;
                let mut niche = false;
                for field in &s.fields {
                    let mut layout = self.layout(Some(id), &field.ty);
                    if !field.required && !matches!(field.ty, Ty::Nullable(_)) && !layout.niche {
                        layout.size += layout.size.clamp(1, 8);
                    }
                    size += layout.size;
                    niche |= layout.niche;
                }
                if s.additional.is_some() {
                    size += 24;
                    niche = true;
                }
                Layout { size: size.next_multiple_of(8), niche }
            }
            TypeKind::Enum(e) if e.values.iter().all(|v| matches!(v, EnumValue::String(_))) => {
                if e.open {
                    Layout { size: 24, niche: true }
                } else {
                    Layout { size: 1, niche: true }
                }
            }
            TypeKind::Enum(e) if e.open => Layout { size: 16, niche: false },
            TypeKind::Enum(_) => Layout { size: 1, niche: true },
            // As emitted: after large variants are boxed.
            TypeKind::Union(u) => Layout { size: self.union_boxes(id, u).1 + 8, niche: true },
            TypeKind::Alias(ty) => self.layout(Some(id), ty),
        };
        self.visiting[id.0] = false;
        self.memo[id.0] = Some(layout);
        layout
    }
}
