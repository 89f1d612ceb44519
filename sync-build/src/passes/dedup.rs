//! Structurally identical types, emitted once.
//!
//! Large specs repeat the same inline shape many times (GitHub's spec has hundreds of copies of
//! one `read`/`write` permission enum, each named after where it stands). Every copy costs the
//! compiler of every language. This pass finds types that are the same — same kind, same fields
//! or values or variants, in the same order, with the same docs, referring to types that are
//! themselves the same — and makes each later copy an alias of the first, so the spec's names
//! stay reachable while the definition exists once.
//!
//! Sameness is found by partition refinement from "each type alone": two types merge only once
//! everything they refer to has merged, so recursive types that are merely isomorphic stay
//! apart (safe, and rare). A resource's item type is always the one kept, since emitters read
//! its fields.

use crate::fast_hash::FastMap;
use crate::model::{Api, EnumValue, Literal, Ty, TypeId, TypeKind, UnionKind};

pub(crate) fn merge_identical(api: &mut Api) {
    let count = api.types.len();
    // Items first, so a class's first member (the one kept) is an item where one is in it.
    let mut is_item = vec![false; count];
    let mut order: Vec<usize> = Vec::with_capacity(count);
    for resource in &api.resources {
        if !std::mem::replace(&mut is_item[resource.item.0], true) {
            order.push(resource.item.0);
        }
    }
    order.extend((0..count).filter(|&i| !is_item[i]));

    // Each candidate (objects, enums, unions: aliases are free already) encoded once as words,
    // with its references' positions; a round only patches those positions.
    let mut interner = Interner::default();
    let encoded: Vec<Option<Encoded>> = api
        .types
        .iter()
        .map(|def| (!matches!(def.kind, TypeKind::Alias(_))).then(|| encode(&def.kind, &mut interner)))
        .collect();

    let mut canon: Vec<usize> = (0..count).collect();
    loop {
        let mut first: FastMap<Vec<u64>, usize> = FastMap::with_capacity_and_hasher(count, Default::default());
        let mut next = canon.clone();
        for &index in &order {
            let Some(encoded) = &encoded[index] else { continue };
            let mut key = encoded.words.clone();
            for &(position, target) in &encoded.refs {
                key[position] = canon[target] as u64;
            }
            next[index] = *first.entry(key).or_insert(index);
        }
        if next == canon {
            break;
        }
        canon = next;
    }

    for (index, &kept) in canon.iter().enumerate() {
        if kept != index {
            api.types[index].kind = TypeKind::Alias(Ty::Named(TypeId(kept)));
        }
    }
}

/// A type's definition as words: equal words (after patching references) mean equal types.
struct Encoded {
    words: Vec<u64>,
    /// Where each reference stands in `words`, and the type it names.
    refs: Vec<(usize, usize)>,
}

/// Each distinct string gets a number, so strings are compared exactly, and hashed once.
#[derive(Default)]
struct Interner<'a> {
    ids: FastMap<&'a str, u64>,
}

impl<'a> Interner<'a> {
    fn id(&mut self, text: &'a str) -> u64 {
        let next = self.ids.len() as u64;
        *self.ids.entry(text).or_insert(next)
    }

    fn opt(&mut self, text: Option<&'a String>) -> u64 {
        text.map_or(u64::MAX, |t| self.id(t))
    }
}

fn encode<'a>(kind: &'a TypeKind, strings: &mut Interner<'a>) -> Encoded {
    let mut out = Encoded { words: Vec::new(), refs: Vec::new() };
    match kind {
        TypeKind::Struct(s) => {
            out.words.extend([1, s.fields.len() as u64]);
            for f in &s.fields {
                let flags = u64::from(f.required)
                    | u64::from(f.deprecated) << 1
                    | u64::from(f.read_only) << 2
                    | u64::from(f.write_only) << 3;
                out.words.extend([
                    strings.id(&f.name),
                    flags,
                    strings.opt(f.doc.as_ref()),
                    strings.opt(f.default.as_ref()),
                ]);
                encode_ty(&f.ty, strings, &mut out);
            }
            match &s.additional {
                Some(ty) => {
                    out.words.push(1);
                    encode_ty(ty, strings, &mut out);
                }
                None => out.words.push(0),
            }
        }
        TypeKind::Enum(e) => {
            out.words.extend([2, u64::from(e.open), e.values.len() as u64]);
            for value in &e.values {
                match value {
                    EnumValue::String(s) => out.words.extend([0, strings.id(s)]),
                    EnumValue::Integer(n) => out.words.extend([1, *n as u64]),
                }
            }
        }
        TypeKind::Union(u) => {
            let kind = match u.kind {
                UnionKind::OneOf => 0,
                UnionKind::AnyOf => 1,
            };
            out.words.extend([3, kind, strings.opt(u.discriminator.as_ref()), u.variants.len() as u64]);
            for v in &u.variants {
                out.words.extend([strings.id(&v.name), v.tags.len() as u64]);
                for tag in &v.tags {
                    out.words.push(strings.id(tag));
                }
                encode_ty(&v.ty, strings, &mut out);
            }
        }
        TypeKind::Alias(ty) => {
            out.words.push(4);
            encode_ty(ty, strings, &mut out);
        }
    }
    out
}

fn encode_ty<'a>(ty: &'a Ty, strings: &mut Interner<'a>, out: &mut Encoded) {
    match ty {
        Ty::Any => out.words.push(10),
        Ty::Bool => out.words.push(11),
        Ty::Integer(format) => out.words.extend([12, *format as u64]),
        Ty::Number(format) => out.words.extend([13, *format as u64]),
        Ty::String(format) => out.words.extend([14, *format as u64]),
        Ty::Literal(Literal::String(s)) => out.words.extend([15, strings.id(s)]),
        Ty::Literal(Literal::Integer(n)) => out.words.extend([16, *n as u64]),
        Ty::Literal(Literal::Bool(b)) => out.words.extend([17, u64::from(*b)]),
        Ty::Named(id) => {
            out.words.push(18);
            out.refs.push((out.words.len(), id.0));
            out.words.push(0);
        }
        Ty::Array(inner) => {
            out.words.push(19);
            encode_ty(inner, strings, out);
        }
        Ty::Map(inner) => {
            out.words.push(20);
            encode_ty(inner, strings, out);
        }
        Ty::Nullable(inner) => {
            out.words.push(21);
            encode_ty(inner, strings, out);
        }
    }
}
