//! Recursion among named types: which references need a `Box`, and which aliases must become
//! newtypes.
//!
//! A struct that contains itself by value (directly or through other types, `Option` included)
//! has no finite size, so such references are boxed. `Vec` and maps already put their items on
//! the heap and break the cycle themselves. A cycle made only of aliases (`Tree = Vec<Tree>`)
//! cannot be a Rust `type` alias at all, so those aliases become `#[serde(transparent)]`
//! newtype structs.

use crate::model::{Api, Ty, TypeId, TypeKind};

pub(super) struct Graph {
    /// Strongly connected component of each type in the "contains by value" graph.
    component: Vec<usize>,
    /// Whether each type's component is a cycle (more than one type, or a self-reference).
    cyclic: Vec<bool>,
    newtype: Vec<bool>,
}

impl Graph {
    pub(super) fn new(api: &Api) -> Self {
        let direct: Vec<Vec<usize>> = api
            .types
            .iter()
            .map(|def| {
                let mut out = Vec::new();
                for ty in contained(&def.kind) {
                    by_value(ty, &mut out);
                }
                out
            })
            .collect();
        let component = components(&direct);
        let mut cyclic = vec![false; api.types.len()];
        let mut sizes = vec![0usize; api.types.len()];
        for &c in &component {
            sizes[c] += 1;
        }
        for (node, edges) in direct.iter().enumerate() {
            if sizes[component[node]] > 1 || edges.contains(&node) {
                cyclic[node] = true;
            }
        }

        // Alias-only cycles: the graph of aliases and every reference between them.
        let alias_edges: Vec<Vec<usize>> = api
            .types
            .iter()
            .map(|def| match &def.kind {
                TypeKind::Alias(ty) => {
                    let mut out = Vec::new();
                    any_reference(ty, &mut out);
                    out.retain(|&target| matches!(api.types[target].kind, TypeKind::Alias(_)));
                    out
                }
                _ => Vec::new(),
            })
            .collect();
        let alias_component = components(&alias_edges);
        let mut alias_sizes = vec![0usize; api.types.len()];
        for &c in &alias_component {
            alias_sizes[c] += 1;
        }
        let newtype = api
            .types
            .iter()
            .enumerate()
            .map(|(node, def)| {
                matches!(def.kind, TypeKind::Alias(_))
                    && (alias_sizes[alias_component[node]] > 1 || alias_edges[node].contains(&node))
            })
            .collect();
        Graph { component, cyclic, newtype }
    }

    /// Whether `from` holding `to` by value closes a cycle, so the reference must be boxed.
    pub(super) fn needs_box(&self, from: TypeId, to: TypeId) -> bool {
        self.cyclic[from.0] && self.component[from.0] == self.component[to.0]
    }

    /// Whether this alias is emitted as a newtype struct rather than a `type` alias.
    pub(super) fn is_newtype(&self, id: TypeId) -> bool {
        self.newtype[id.0]
    }
}

/// The types a type definition is made of.
fn contained(kind: &TypeKind) -> Vec<&Ty> {
    match kind {
        TypeKind::Struct(s) => s.fields.iter().map(|f| &f.ty).chain(s.additional.iter()).collect(),
        TypeKind::Enum(_) => Vec::new(),
        TypeKind::Union(u) => u.variants.iter().map(|v| &v.ty).collect(),
        TypeKind::Alias(ty) => vec![ty],
    }
}

/// Named types held by value (not behind a `Vec` or map).
fn by_value(ty: &Ty, out: &mut Vec<usize>) {
    match ty {
        Ty::Named(id) => out.push(id.0),
        Ty::Nullable(inner) => by_value(inner, out),
        _ => {}
    }
}

fn any_reference(ty: &Ty, out: &mut Vec<usize>) {
    match ty {
        Ty::Named(id) => out.push(id.0),
        Ty::Nullable(inner) | Ty::Array(inner) | Ty::Map(inner) => any_reference(inner, out),
        _ => {}
    }
}

/// Tarjan's strongly connected components, iteratively (spec graphs can be deep enough to
/// overflow a recursive walk on a proc-macro thread's stack). Returns each node's component.
fn components(edges: &[Vec<usize>]) -> Vec<usize> {
    const UNVISITED: usize = usize::MAX;
    let n = edges.len();
    let mut index = vec![UNVISITED; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut component = vec![UNVISITED; n];
    let mut stack = Vec::new();
    let mut next_index = 0;
    let mut next_component = 0;
    for root in 0..n {
        if index[root] != UNVISITED {
            continue;
        }
        // (node, next edge to look at)
        let mut work = vec![(root, 0usize)];
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (node, ref mut edge)) = work.last_mut() {
            if let Some(&target) = edges[node].get(*edge) {
                *edge += 1;
                if index[target] == UNVISITED {
                    index[target] = next_index;
                    low[target] = next_index;
                    next_index += 1;
                    stack.push(target);
                    on_stack[target] = true;
                    work.push((target, 0));
                } else if on_stack[target] {
                    low[node] = low[node].min(index[target]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == index[node] {
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component[member] = next_component;
                    if member == node {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}

#[cfg(test)]
mod tests {
    use super::components;

    #[test]
    fn finds_cycles_and_singletons() {
        // 0 -> 1 -> 2 -> 0, 3 -> 3, 4 alone, 5 -> 0
        let edges = vec![vec![1], vec![2], vec![0], vec![3], vec![], vec![0]];
        let c = components(&edges);
        assert_eq!(c[0], c[1]);
        assert_eq!(c[1], c[2]);
        assert_ne!(c[0], c[3]);
        assert_ne!(c[3], c[4]);
        assert_ne!(c[5], c[0]);
    }
}
