//! Read and write shapes.
//!
//! A field marked `readOnly` is set by the server and never sent; one marked `writeOnly` (a
//! password) is sent and never returned. A single type for both directions forces a client to
//! invent server-set values on create, and fails to decode a response that lacks a required
//! write-only field. So each type whose two forms differ, directly or through a nested type,
//! gets two:
//!
//! - the **read shape** keeps the spec's name (`Contact`) and drops `writeOnly` fields; every
//!   response decodes into it;
//! - the **write shape** is named with an `Input` suffix (`ContactInput`, numbered if taken)
//!   and drops `readOnly` fields; request bodies and parameters use it, and its nested types
//!   are write shapes too.
//!
//! A write shape is only made where a request uses it, and a type whose forms coincide stays
//! one type. The rule is the same for every language, since emitters only see the result.

use std::collections::HashSet;

use super::{for_each_ref, kind_tys, kind_tys_mut, map_refs, request_tys_mut};
use crate::model::{Api, TypeDef, TypeId, TypeKind};

/// The suffix of a write shape's name.
pub const WRITE_SUFFIX: &str = "Input";

pub(crate) fn split(api: &mut Api) {
    let differs = differing_types(api);
    if !differs.iter().any(|&d| d) {
        return;
    }
    let needed = write_shapes_needed(api, &differs);

    // Write shapes are built from the types as the spec wrote them, before read shapes drop
    // their write-only fields.
    let mut taken: HashSet<String> = api.types.iter().map(|def| def.name.clone()).collect();
    let mut twin: Vec<Option<TypeId>> = vec![None; api.types.len()];
    for (offset, &id) in needed.iter().enumerate() {
        twin[id.0] = Some(TypeId(api.types.len() + offset));
    }
    let mut twins = Vec::with_capacity(needed.len());
    for &id in &needed {
        let original = &api.types[id.0];
        let mut kind = original.kind.clone();
        if let TypeKind::Struct(s) = &mut kind {
            s.fields.retain(|field| !field.read_only);
        }
        for ty in kind_tys_mut(&mut kind) {
            map_refs(ty, &mut |target| twin[target.0].unwrap_or(target));
        }
        let name = claim(&mut taken, format!("{}{WRITE_SUFFIX}", original.name));
        twins.push(TypeDef { name, doc: original.doc.clone(), deprecated: original.deprecated, kind });
    }

    for def in &mut api.types {
        if let TypeKind::Struct(s) = &mut def.kind {
            s.fields.retain(|field| !field.write_only);
        }
    }
    api.types.extend(twins);
    for op in &mut api.operations {
        for ty in request_tys_mut(op) {
            map_refs(ty, &mut |target| twin[target.0].unwrap_or(target));
        }
    }
}

/// Per type: whether its read and write shapes differ, because it has a `readOnly` or
/// `writeOnly` field or refers (at any depth) to a type that does.
fn differing_types(api: &Api) -> Vec<bool> {
    let count = api.types.len();
    let mut users: Vec<Vec<TypeId>> = vec![Vec::new(); count];
    for (index, def) in api.types.iter().enumerate() {
        for ty in kind_tys(&def.kind) {
            for_each_ref(ty, &mut |target| users[target.0].push(TypeId(index)));
        }
    }
    let mut differs: Vec<bool> = api
        .types
        .iter()
        .map(|def| match &def.kind {
            TypeKind::Struct(s) => s.fields.iter().any(|f| f.read_only || f.write_only),
            _ => false,
        })
        .collect();
    let mut queue: Vec<TypeId> = (0..count).filter(|&i| differs[i]).map(TypeId).collect();
    while let Some(id) = queue.pop() {
        for &user in &users[id.0] {
            if !differs[user.0] {
                differs[user.0] = true;
                queue.push(user);
            }
        }
    }
    differs
}

/// The differing types that a request reaches, in id order (so names and output are stable).
fn write_shapes_needed(api: &Api, differs: &[bool]) -> Vec<TypeId> {
    let mut seen = vec![false; api.types.len()];
    let mut stack = Vec::new();
    let visit = |ty: &crate::model::Ty, stack: &mut Vec<TypeId>, seen: &mut Vec<bool>| {
        for_each_ref(ty, &mut |target| {
            if differs[target.0] && !seen[target.0] {
                seen[target.0] = true;
                stack.push(target);
            }
        })
    };
    for op in &api.operations {
        for param in &op.params {
            visit(&param.ty, &mut stack, &mut seen);
        }
        if let Some(body) = &op.body {
            visit(&body.ty, &mut stack, &mut seen);
        }
    }
    while let Some(id) = stack.pop() {
        for ty in kind_tys(&api.types[id.0].kind) {
            visit(ty, &mut stack, &mut seen);
        }
    }
    (0..api.types.len()).filter(|&i| seen[i]).map(TypeId).collect()
}

/// `base`, or `base` numbered from 2, whichever is free; it is then taken.
fn claim(taken: &mut HashSet<String>, base: String) -> String {
    if taken.insert(base.clone()) {
        return base;
    }
    let name = (2..).map(|n| format!("{base}{n}")).find(|c| !taken.contains(c)).expect("a free name");
    taken.insert(name.clone());
    name
}
