//! Part of an API: only the operations a user asked for, the resources they form, and the
//! types they reach.
//!
//! A client for a few endpoints of a large API (GitHub's has 1,225 operations) should cost what
//! those endpoints cost. An operation is kept when it matches any selector: one of its tags,
//! a path prefix (`/repos` keeps `/repos/{owner}/{repo}` but not `/repositories`), or its
//! `operationId`. A resource is kept when its list operation is; its other operations are kept
//! only where selected. Types are kept when a kept operation or resource reaches them, in
//! their original order. A selector that matches nothing is an error naming what exists.

use std::collections::BTreeSet;

use super::{for_each_ref, kind_tys, map_refs, operation_tys};
use crate::model::{Api, OperationId, Ty, TypeId};

/// Which operations to generate; an operation matching any selector is kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subset {
    /// Operation tags (`repos`, `issues`).
    pub tags: Vec<String>,
    /// Path prefixes, matched by whole segments (`/repos`).
    pub paths: Vec<String>,
    /// `operationId`s as the spec writes them (`repos/get`, `listContacts`).
    pub operations: Vec<String>,
}

impl Subset {
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.paths.is_empty() && self.operations.is_empty()
    }
}

/// A selector that matched no operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} `{value}` matches no operation of the spec{}", known_list(.known))]
pub struct SubsetError {
    /// `tag`, `path prefix` or `operation`.
    pub kind: &'static str,
    pub value: String,
    /// What the spec has of that kind (up to a few dozen), to pick from.
    pub known: Vec<String>,
}

fn known_list(known: &[String]) -> String {
    if known.is_empty() {
        return String::new();
    }
    const SHOWN: usize = 40;
    let more = known.len().saturating_sub(SHOWN);
    let list = known.iter().take(SHOWN).map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
    if more > 0 { format!("; it has {list} and {more} more") } else { format!("; it has {list}") }
}

fn path_has_prefix(path: &str, prefix: &str) -> bool {
    let prefix = prefix.trim_end_matches('/');
    prefix.is_empty() || path == prefix || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'))
}

pub(crate) fn apply(api: &mut Api, subset: &Subset) -> Result<(), SubsetError> {
    check_selectors(api, subset)?;
    let keep_op: Vec<bool> = api
        .operations
        .iter()
        .map(|op| {
            op.tags.iter().any(|t| subset.tags.contains(t))
                || subset.paths.iter().any(|p| path_has_prefix(&op.path, p))
                || subset.operations.contains(&op.name)
        })
        .collect();

    // Operations, renumbered.
    let mut new_op: Vec<Option<OperationId>> = vec![None; keep_op.len()];
    let mut kept = 0;
    for (index, &keep) in keep_op.iter().enumerate() {
        if keep {
            new_op[index] = Some(OperationId(kept));
            kept += 1;
        }
    }
    let mut operations = std::mem::take(&mut api.operations);
    let mut index = 0;
    operations.retain(|_| {
        index += 1;
        keep_op[index - 1]
    });
    api.operations = operations;
    api.resources.retain_mut(|resource| {
        let Some(list) = new_op[resource.list.0] else { return false };
        resource.list = list;
        for slot in [&mut resource.get, &mut resource.create, &mut resource.update, &mut resource.delete] {
            *slot = slot.and_then(|id| new_op[id.0]);
        }
        true
    });

    // Types reached from what is kept, renumbered in their original order.
    let mut reached = vec![false; api.types.len()];
    let mut stack = Vec::new();
    let reach = |ty: &Ty, stack: &mut Vec<TypeId>, reached: &mut Vec<bool>| {
        for_each_ref(ty, &mut |id| {
            if !std::mem::replace(&mut reached[id.0], true) {
                stack.push(id);
            }
        })
    };
    for op in &api.operations {
        for ty in operation_tys(op) {
            reach(ty, &mut stack, &mut reached);
        }
    }
    for resource in &api.resources {
        reach(&Ty::Named(resource.item), &mut stack, &mut reached);
        reach(&resource.key.ty, &mut stack, &mut reached);
    }
    while let Some(id) = stack.pop() {
        for ty in kind_tys(&api.types[id.0].kind) {
            reach(ty, &mut stack, &mut reached);
        }
    }
    let mut new_id: Vec<Option<TypeId>> = vec![None; reached.len()];
    let mut kept = 0;
    for (index, &keep) in reached.iter().enumerate() {
        if keep {
            new_id[index] = Some(TypeId(kept));
            kept += 1;
        }
    }
    let mut remap = |id: TypeId| new_id[id.0].expect("a reached type refers only to reached types");
    let mut types = std::mem::take(&mut api.types);
    let mut index = 0;
    types.retain(|_| {
        index += 1;
        reached[index - 1]
    });
    for def in &mut types {
        for ty in super::kind_tys_mut(&mut def.kind) {
            map_refs(ty, &mut remap);
        }
    }
    api.types = types;
    for op in &mut api.operations {
        for param in &mut op.params {
            map_refs(&mut param.ty, &mut remap);
        }
        if let Some(body) = &mut op.body {
            map_refs(&mut body.ty, &mut remap);
        }
        for response in &mut op.responses {
            if let Some(body) = &mut response.body {
                map_refs(&mut body.ty, &mut remap);
            }
        }
    }
    for resource in &mut api.resources {
        resource.item = remap(resource.item);
        map_refs(&mut resource.key.ty, &mut remap);
    }
    Ok(())
}

/// Every selector must match something: a typo in a tag should not silently generate nothing.
fn check_selectors(api: &Api, subset: &Subset) -> Result<(), SubsetError> {
    let tags: BTreeSet<&str> = api.operations.iter().flat_map(|op| op.tags.iter().map(String::as_str)).collect();
    for tag in &subset.tags {
        if !tags.contains(tag.as_str()) {
            return Err(SubsetError {
                kind: "tag",
                value: tag.clone(),
                known: tags.iter().map(|t| t.to_string()).collect(),
            });
        }
    }
    for prefix in &subset.paths {
        if !api.operations.iter().any(|op| path_has_prefix(&op.path, prefix)) {
            let firsts: BTreeSet<String> =
                api.operations.iter().filter_map(|op| op.path.split('/').nth(1).map(|s| format!("/{s}"))).collect();
            return Err(SubsetError {
                kind: "path prefix",
                value: prefix.clone(),
                known: firsts.into_iter().collect(),
            });
        }
    }
    for name in &subset.operations {
        if !api.operations.iter().any(|op| &op.name == name) {
            let mut close: Vec<String> = api
                .operations
                .iter()
                .filter(|op| op.name.to_lowercase().contains(&name.to_lowercase()))
                .map(|op| op.name.clone())
                .collect();
            close.truncate(40);
            return Err(SubsetError { kind: "operation", value: name.clone(), known: close });
        }
    }
    Ok(())
}
