//! The `x-sync` rules: which paths form resources, and which of them are live.
//!
//! A resource is a collection path whose GET returns a list of keyed objects, plus its item path
//! (`/contacts` + `/contacts/{id}`) and the mutations found on them. Every such path is a
//! resource, push or live; `x-sync: live` on anything that cannot be one is an error that says
//! why, where.

use super::{Lowerer, OperationSource};
use crate::diagnostic::Diagnostic;
use crate::document::Node;
use crate::model::{
    Key, ListItems, Method, OperationId, PathSegment, Resource, Shape, SyncMode, SyncSource, Ty, TypeId, TypeKind,
};
use crate::naming::{self, Lang};
use crate::source::Span;

/// What a collection path offers, found before deciding whether it is a resource.
struct Candidate {
    list: OperationId,
    item: TypeId,
    list_items: ListItems,
    key: Key,
    /// The key field is required and not nullable, so every item has one.
    key_always_present: bool,
}

impl<'d> Lowerer<'d> {
    pub(super) fn resources(&mut self) -> Vec<Resource> {
        let default_sync = self.sync_mode(self.root());
        let mut resources = Vec::new();
        let mut in_resource = vec![false; self.operations.len()];
        let mut names = std::collections::HashSet::new();
        // GETs marked live that list nothing; an error unless they turn out to be a resource's
        // item GET, which is only known once every collection has been looked at.
        let mut not_lists = Vec::new();
        for list in 0..self.operations.len() {
            let op = &self.operations[list];
            if op.method != Method::Get {
                continue;
            }
            let collection_path = op.path.clone();
            // `/things/{id}` is the item path of `/things` when that lists; it is not a
            // collection of its own even if its GET returns an array.
            if let Some((PathSegment::Param(_), parent)) = op.segments.split_last()
                && self.operations.iter().any(|o| o.method == Method::Get && same_shape(&o.segments, parent))
            {
                continue;
            }
            // The collection's mode: the list operation's own `x-sync`, its path's, the
            // document's default, else push.
            let explicit = self.op_sources[list].explicit_sync;
            let mode = explicit.or(default_sync).map_or(SyncMode::Push, |(mode, _)| mode);
            let candidate = match self.candidate(OperationId(list)) {
                Ok(candidate) => candidate,
                Err(why) => {
                    if let Some((SyncMode::Live, span)) = explicit {
                        not_lists.push((list, why, span));
                    }
                    continue;
                }
            };
            let item_path = self.item_path(&collection_path).filter(|(path, param)| {
                // `/teams/{team_slug}` beside teams keyed by an integer `id` addresses teams by
                // something else: it is not the item path of the resource.
                let param_ty = self.path_param_ty(path, param);
                let fits = match (param_ty.as_ref().and_then(|ty| self.scalar_kind(ty)), self.scalar_kind(&candidate.key.ty)) {
                    (Some(param_kind), Some(key_kind)) => param_kind == key_kind,
                    _ => true,
                };
                if !fits && mode == SyncMode::Live && let Some((_, span)) = explicit.or(default_sync) {
                    self.report(
                        Diagnostic::warning(format!(
                            "`{path}` is not taken as the item path of `{collection_path}`: `{{{param}}}` is not the type of the key `{}`",
                            candidate.key.field
                        ))
                        .at(span, "this resource gets no get, update or delete")
                        .help("name the field the item path addresses with `x-sync-key`"),
                    );
                }
                fits
            });
            let find = |lowerer: &Self, path: &str, method: Method| {
                lowerer.operations.iter().position(|o| o.path == path && o.method == method).map(OperationId)
            };
            let create = find(self, &collection_path, Method::Post);
            let (get, update, delete) = match &item_path {
                Some((path, _)) => (
                    find(self, path, Method::Get),
                    find(self, path, Method::Patch).or_else(|| find(self, path, Method::Put)),
                    find(self, path, Method::Delete),
                ),
                None => (None, None, None),
            };
            let members = [Some(OperationId(list)), get, create, update, delete];
            for op in members.into_iter().flatten() {
                in_resource[op.0] = true;
                self.settle_member_mode(op, mode, &collection_path, explicit.map(|(_, span)| span));
            }
            let source = self.source(OperationId(list));
            if mode == SyncMode::Live
                && !candidate.key_always_present
                && let Some((_, span)) = explicit.or(default_sync)
            {
                let item = &self.types[candidate.item.0].name;
                self.report(
                    Diagnostic::warning(format!(
                        "the key `{}` of `{item}` may be missing or null, but every live row needs one",
                        candidate.key.field
                    ))
                    .at(span, "live rows are stored by their key")
                    .help(format!("list `{}` in `required` of `{item}`, without `nullable`", candidate.key.field)),
                );
            }
            let name = resource_name(&collection_path, &mut names);
            resources.push(Resource {
                singular: singular(&name),
                name,
                mode,
                collection_path,
                item_path: item_path.as_ref().map(|(path, _)| path.clone()),
                item: candidate.item,
                key: Key { param: item_path.map(|(_, param)| param), ..candidate.key },
                list: candidate.list,
                list_items: candidate.list_items,
                get,
                create,
                update,
                delete,
                source,
            });
        }
        for (list, why, span) in not_lists {
            if !in_resource[list] {
                let path = &self.operations[list].path;
                self.report(
                    Diagnostic::error(format!("`{path}` cannot be live: {why}"))
                        .at(span, "live needs a collection of keyed objects")
                        .help(LIVE_HELP),
                );
                in_resource[list] = true;
            }
        }
        let resource_paths: std::collections::HashSet<String> = resources
            .iter()
            .flat_map(|r: &Resource| [Some(r.collection_path.clone()), r.item_path.clone()])
            .flatten()
            .collect();
        self.reject_live_outside_resources(&in_resource, &resource_paths);
        resources
    }

    /// Whether the GET at `list` returns a list of keyed objects, and if not, why.
    fn candidate(&mut self, list: OperationId) -> Result<Candidate, String> {
        let source = &self.op_sources[list.0];
        let (operation, path_item) = (source.operation, source.path_item);
        let items_field = self.name_setting(operation, path_item, "x-sync-items");
        let key_field = self.name_setting(operation, path_item, "x-sync-key").unwrap_or_else(|| "id".to_owned());
        let op = &self.operations[list.0];
        let Some(body) = op.success().and_then(|r| r.body.as_ref()) else {
            return Err(format!("GET {} has no success response with a body", op.path));
        };
        let listed = self.resolve_alias(&body.ty);
        let (element, list_items) = match (&listed, items_field) {
            (Ty::Array(element), None) => ((**element).clone(), ListItems::Array),
            (Ty::Named(id), Some(field)) => {
                let fields = self
                    .struct_fields(*id)
                    .ok_or_else(|| format!("GET {} does not return an object with a `{field}` field", op.path))?;
                let found = fields
                    .iter()
                    .find(|f| f.name == field)
                    .ok_or_else(|| format!("`x-sync-items: {field}` names no field of `{}`", self.types[id.0].name))?;
                match self.resolve_alias(&found.ty) {
                    Ty::Array(element) => (*element, ListItems::Field(field)),
                    _ => return Err(format!("`{field}` of `{}` is not an array", self.types[id.0].name)),
                }
            }
            (Ty::Named(id), None) if self.struct_fields(*id).is_some() => {
                return Err(format!(
                    "GET {} returns an object (`{}`), not an array; if a field of it holds the items, name it with `x-sync-items`",
                    op.path, self.types[id.0].name
                ));
            }
            (_, Some(field)) => {
                return Err(format!("GET {} does not return an object with a `{field}` field", op.path));
            }
            _ => return Err(format!("GET {} does not return an array of objects", op.path)),
        };
        let item = match self.resolve_alias(&element) {
            Ty::Named(id) if self.struct_fields(id).is_some() => id,
            _ => return Err(format!("the items GET {} returns are not objects", op.path)),
        };
        let fields = self.struct_fields(item).unwrap_or_default();
        let Some(key) = fields.iter().find(|f| f.name == key_field) else {
            return Err(format!(
                "its items (`{}`) have no `{key_field}` field to key them by; name the key field with `x-sync-key`",
                self.types[item.0].name
            ));
        };
        Ok(Candidate {
            list,
            item,
            list_items,
            key: Key { field: key.name.clone(), ty: key.ty.clone(), param: None },
            key_always_present: key.required && !matches!(key.ty, Ty::Nullable(_)),
        })
    }

    /// `x-sync-items` / `x-sync-key` from the list operation or its path item: a field name.
    fn name_setting(&mut self, operation: &Node, path_item: &Node, key: &str) -> Option<String> {
        let value = operation.get(key).or_else(|| path_item.get(key))?;
        match value.as_str() {
            Some(name) => Some(name.to_owned()),
            None => {
                self.report(
                    Diagnostic::error(format!("`{key}` names a field, so it must be a string"))
                        .at(value.span, format!("found {}", value.kind())),
                );
                None
            }
        }
    }

    fn struct_fields(&self, id: TypeId) -> Option<Vec<crate::model::Field>> {
        match &self.types[id.0].kind {
            TypeKind::Struct(s) => Some(s.fields.clone()),
            _ => None,
        }
    }

    /// Sees through named aliases and nullability to the type underneath.
    fn resolve_alias(&self, ty: &Ty) -> Ty {
        let mut current = ty.clone();
        for _ in 0..32 {
            current = match current {
                Ty::Nullable(inner) => *inner,
                Ty::Named(id) => match &self.types[id.0].kind {
                    TypeKind::Alias(inner) => inner.clone(),
                    _ => return Ty::Named(id),
                },
                other => return other,
            };
        }
        current
    }

    /// The type of path parameter `param` on the operations of `path`.
    fn path_param_ty(&self, path: &str, param: &str) -> Option<Ty> {
        self.operations
            .iter()
            .filter(|op| op.path == path)
            .flat_map(|op| &op.params)
            .find(|p| p.name == param && p.location == crate::model::ParamLocation::Path)
            .map(|p| p.ty.clone())
    }

    /// `string`, `integer` or `number` for a key-like type, seen through aliases.
    fn scalar_kind(&self, ty: &Ty) -> Option<&'static str> {
        match self.resolve_alias(ty) {
            Ty::String(_) | Ty::Literal(crate::model::Literal::String(_)) => Some("string"),
            Ty::Integer(_) | Ty::Literal(crate::model::Literal::Integer(_)) => Some("integer"),
            Ty::Number(_) => Some("number"),
            _ => None,
        }
    }

    /// `/contacts/{id}` for `/contacts`: the path one parameter segment longer, and that
    /// parameter's name.
    fn item_path(&self, collection: &str) -> Option<(String, String)> {
        let collection_segments = self.operations.iter().find(|o| o.path == collection)?.segments.clone();
        self.operations.iter().find_map(|op| {
            let (last, head) = op.segments.split_last()?;
            match last {
                PathSegment::Param(name) if same_shape(head, &collection_segments) => {
                    Some((op.path.clone(), name.clone()))
                }
                _ => None,
            }
        })
    }

    /// A member operation takes its resource's mode; saying otherwise on it is an error.
    fn settle_member_mode(&mut self, op: OperationId, mode: SyncMode, collection: &str, collection_span: Option<Span>) {
        let source: &OperationSource = &self.op_sources[op.0];
        if let Some((own, span)) = source.explicit_sync
            && own != mode
        {
            let operation = &self.operations[op.0];
            let mut diagnostic = Diagnostic::error(format!(
                "`x-sync: {}` on {} {} conflicts with its resource `{collection}`, which is {}",
                own.as_str(),
                operation.method.http(),
                operation.path,
                mode.as_str()
            ))
            .at(span, format!("says {}", own.as_str()))
            .help("a resource is live or push as a whole: set `x-sync` on its collection path only");
            if let Some(collection_span) = collection_span
                && collection_span != span
            {
                diagnostic = diagnostic.also(collection_span, format!("the resource is {} here", mode.as_str()));
            }
            self.report(diagnostic);
        }
        self.operations[op.0].sync = mode;
    }

    /// `x-sync-shape` on the collection path or its GET.
    fn source(&mut self, list: OperationId) -> SyncSource {
        let source = &self.op_sources[list.0];
        let Some(shape) = source.operation.get("x-sync-shape").or_else(|| source.path_item.get("x-sync-shape")) else {
            return SyncSource::Rest;
        };
        let table = shape.get("table").and_then(Node::as_str).filter(|t| !t.trim().is_empty());
        let Some(table) = table else {
            self.report(
                Diagnostic::error("`x-sync-shape` needs a `table`")
                    .at(shape.span, "no `table` string here")
                    .help("write `x-sync-shape: { table: contacts }`; `where` and `columns` are optional"),
            );
            return SyncSource::Rest;
        };
        let where_clause = match shape.get("where") {
            None => None,
            Some(node) => match node.as_str() {
                Some(text) => Some(text.to_owned()),
                None => {
                    self.report(
                        Diagnostic::error("`x-sync-shape.where` must be a string")
                            .at(node.span, format!("found {}", node.kind())),
                    );
                    None
                }
            },
        };
        let mut columns = Vec::new();
        if let Some(node) = shape.get("columns") {
            for column in node.items() {
                match column.as_str() {
                    Some(name) => columns.push(name.to_owned()),
                    None => self.report(
                        Diagnostic::error("`x-sync-shape.columns` lists column names").at(column.span, "not a string"),
                    ),
                }
            }
            if !matches!(node.value, crate::document::Value::Array(_)) {
                self.report(
                    Diagnostic::error("`x-sync-shape.columns` must be an array")
                        .at(node.span, format!("found {}", node.kind())),
                );
            }
        }
        SyncSource::Shape(Shape { table: table.to_owned(), where_clause, columns })
    }

    /// Explicit `x-sync: live` on an operation that is part of no resource is an error; the
    /// document-wide default quietly leaves such operations push. An extra operation on a live
    /// resource's paths (a PUT beside the PATCH that is the update) stays push, with a warning.
    fn reject_live_outside_resources(
        &mut self,
        in_resource: &[bool],
        resource_paths: &std::collections::HashSet<String>,
    ) {
        let mut reported = std::collections::HashSet::new();
        for (index, member) in in_resource.iter().enumerate() {
            if *member {
                continue;
            }
            let Some((SyncMode::Live, span)) = self.op_sources[index].explicit_sync else { continue };
            if !reported.insert(span) {
                continue;
            }
            let op = &self.operations[index];
            if resource_paths.contains(&op.path) {
                let diagnostic = Diagnostic::warning(format!(
                    "{} {} is not one of its resource's operations; it stays a plain push call",
                    op.method.http(),
                    op.path
                ))
                .at(self.op_sources[index].span, "not list, get, create, update or delete")
                .help("a resource's operations are GET and POST on the collection path, GET, PATCH (else PUT) and DELETE on the item path");
                self.report(diagnostic);
                continue;
            }
            let why = if self.operations.iter().any(|o| o.path == op.path && o.method == Method::Get) {
                format!("{} {} is not part of a resource", op.method.http(), op.path)
            } else {
                format!("`{}` has no GET that lists items", op.path)
            };
            let at = self.op_sources[index].span;
            self.report(
                Diagnostic::error(format!("`{}` cannot be live: {why}", op.path))
                    .at(span, "live needs a collection of keyed objects")
                    .also(at, "this operation")
                    .help(LIVE_HELP),
            );
        }
    }
}

const LIVE_HELP: &str = "a live resource is a collection path whose GET returns an array of objects with a key field \
(`id`, or the field `x-sync-key` names), with its item path `/things/{id}` for reads, updates and deletes";

/// Whether two paths have the same segments, whatever their parameters are called
/// (`/orgs/{org}/members` and `/orgs/{orgId}/members/{id}` share a prefix).
fn same_shape(a: &[PathSegment], b: &[PathSegment]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|pair| match pair {
            (PathSegment::Literal(x), PathSegment::Literal(y)) => x == y,
            (PathSegment::Param(_), PathSegment::Param(_)) => true,
            _ => false,
        })
}

/// The plural name of a resource: its path's last literal segment, made unique.
fn resource_name(path: &str, taken: &mut std::collections::HashSet<String>) -> String {
    let literals: Vec<&str> = path.split('/').filter(|s| !s.is_empty() && !s.starts_with('{')).collect();
    let mut name = literals.last().copied().unwrap_or("items").to_owned();
    // Two `/…/contacts` paths: prefix with the segments before, then number.
    for prefix in literals.iter().rev().skip(1) {
        if !taken.contains(&naming::snake(&name, Lang::Rust)) {
            break;
        }
        name = format!("{prefix}_{name}");
    }
    let mut unique = name.clone();
    let mut n = 2;
    while !taken.insert(naming::snake(&unique, Lang::Rust)) {
        unique = format!("{name}_{n}");
        n += 1;
    }
    unique
}

/// A plain English singular: `contacts` -> `contact`, `categories` -> `category`.
fn singular(plural: &str) -> String {
    let lower = plural.to_ascii_lowercase();
    if let Some(stem) = lower.strip_suffix("ies").filter(|s| !s.is_empty()) {
        return format!("{}y", &plural[..stem.len()]);
    }
    for suffix in ["sses", "xes", "ches", "shes"] {
        if lower.ends_with(suffix) {
            return plural[..plural.len() - 2].to_owned();
        }
    }
    if lower.ends_with('s') && !lower.ends_with("ss") && plural.len() > 1 {
        return plural[..plural.len() - 1].to_owned();
    }
    // Not a recognisable plural (`data`, `inbox`): `item` keeps the two names apart.
    format!("{plural}_item")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singulars() {
        assert_eq!(singular("contacts"), "contact");
        assert_eq!(singular("categories"), "category");
        assert_eq!(singular("boxes"), "box");
        assert_eq!(singular("addresses"), "address");
        assert_eq!(singular("data"), "data_item");
    }

    #[test]
    fn names_are_unique() {
        let mut taken = std::collections::HashSet::new();
        assert_eq!(resource_name("/contacts", &mut taken), "contacts");
        assert_eq!(resource_name("/admin/contacts", &mut taken), "admin_contacts");
        assert_eq!(resource_name("/{org}/contacts", &mut taken), "contacts_2");
    }
}
