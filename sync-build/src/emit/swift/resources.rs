//! `Resources.swift`: per resource, a `ResourceDefinition` that tells the run-time
//! `ResourceStore` how to list, get, create, update and delete its items, and the store's
//! accessor on `APIClient`. Push and live resources get the same declarations; only `mode`
//! and `source` differ, so flipping `x-sync` changes no calling code.

use std::fmt::Write as _;

use super::client::{ArgKind, OperationPlan};
use super::names::{Members, TypeNames};
use super::text::{doc_comment, string_literal};
use super::types::{field_names, non_null, swift_type};
use crate::model::{
    Api, IntFormat, ListItems, MediaKind, Operation, OperationId, ParamLocation, Resource, StringFormat, SyncMode,
    SyncSource, Ty, TypeKind,
};

/// A resource that can be expressed, with its names.
pub struct ResourcePlan<'a> {
    resource: &'a Resource,
    definition: String,
    store_alias: String,
    accessor: String,
    scope: Option<ScopePlan>,
    item: String,
    key_type: String,
    key_member: String,
    list: String,
    get: Option<String>,
    create: Option<(String, String, String, bool)>,
    update: Option<(String, String, String)>,
    delete: Option<String>,
}

struct ScopePlan {
    name: String,
    /// (Swift property, type, wire name, location) for each collection parameter.
    fields: Vec<(String, String, String, ParamLocation)>,
}

/// Plans every resource the Swift store can serve (all of them, unless a spec gives an item
/// operation a required parameter the resource cannot supply, which leaves that role out).
pub fn plan<'a>(
    api: &'a Api,
    names: &mut TypeNames,
    ops: &[OperationPlan],
    accessors: &mut Members,
) -> Vec<ResourcePlan<'a>> {
    api.resources.iter().filter_map(|resource| plan_resource(api, resource, names, ops, accessors)).collect()
}

fn plan_resource<'a>(
    api: &'a Api,
    resource: &'a Resource,
    names: &mut TypeNames,
    ops: &[OperationPlan],
    accessors: &mut Members,
) -> Option<ResourcePlan<'a>> {
    let TypeKind::Struct(item_struct) = &api.type_def(resource.item).kind else { return None };
    let key_index = item_struct.fields.iter().position(|f| f.name == resource.key.field)?;
    let key_field = &item_struct.fields[key_index];
    let key_member = field_names(item_struct).swap_remove(key_index);
    let key_type = swift_type(non_null(&key_field.ty), names);
    let item = names.types[resource.item.0].clone();

    let list_op = api.operation(resource.list);
    let list_plan = &ops[resource.list.0];
    let items = list_expression(api, resource, list_plan)?;

    let scope_fields: Vec<(String, String, String, ParamLocation)> = list_plan
        .args
        .iter()
        .filter(|arg| !arg.optional)
        .filter_map(|arg| match arg.kind {
            ArgKind::Param(i) => {
                Some((arg.name.clone(), arg.ty.clone(), list_op.params[i].name.clone(), list_op.params[i].location))
            }
            ArgKind::Body(..) => None,
        })
        .collect();
    if list_plan.body_arg().is_some_and(|arg| !arg.optional) {
        return None;
    }
    let base = crate::naming::upper_camel_words(&resource.name);
    let definition = names.claim(&format!("{base} Resource"));
    let store_alias = names.claim(&format!("{base} Store"));
    let scope = (!scope_fields.is_empty())
        .then(|| ScopePlan { name: names.claim(&format!("{base} Scope")), fields: scope_fields });

    let list_args = call_args(list_op, list_plan, scope.as_ref(), None, None)?;
    let list = format!(
        "let items = try await transport.send(APIOperations.{}({list_args})).value\n        return {items}",
        list_plan.function
    );

    let item_call = |id: Option<OperationId>, body: Option<&str>| -> Option<(String, &OperationPlan, &Operation)> {
        let id = id?;
        let (op, plan) = (api.operation(id), &ops[id.0]);
        let args = call_args(op, plan, scope.as_ref(), resource.key.param.as_deref(), body)?;
        Some((format!("APIOperations.{}({args})", plan.function), plan, op))
    };
    let get = item_call(resource.get, None).map(|(call, _, _)| call);
    let create = resource.create.and_then(|id| {
        let body = api.operation(id).body.as_ref().filter(|b| b.media == MediaKind::Json)?;
        let (call, plan, _) = item_call(Some(id), Some("body"))?;
        let body_type = plan.body_arg()?.ty.trim_end_matches('?').to_owned();
        let carries_key = match non_null(&body.ty) {
            Ty::Named(id) => api.struct_fields(*id).is_some_and(|f| f.iter().any(|f| f.name == resource.key.field)),
            _ => false,
        };
        Some((call, body_type, plan.success.ty.clone(), carries_key))
    });
    let update = resource.update.and_then(|id| {
        api.operation(id).body.as_ref().filter(|b| b.media == MediaKind::Json)?;
        let (call, plan, _) = item_call(Some(id), Some("changes"))?;
        let body_type = plan.body_arg()?.ty.trim_end_matches('?').to_owned();
        Some((call, body_type, plan.success.ty.clone()))
    });
    let delete = item_call(resource.delete, None).map(|(call, _, _)| call);
    let accessor = accessors.claim(&resource.name);
    Some(ResourcePlan {
        resource,
        definition,
        store_alias,
        accessor,
        scope,
        item,
        key_type,
        key_member,
        list,
        get,
        create,
        update,
        delete,
    })
}

impl ResourcePlan<'_> {
    pub fn accessor(&self) -> &str {
        &self.accessor
    }

    pub fn store_alias(&self) -> &str {
        &self.store_alias
    }

    pub fn mode(&self) -> SyncMode {
        self.resource.mode
    }
}

/// How a list reply becomes `[Item]`, or `None` when it does not hold the resource's items.
fn list_expression(api: &Api, resource: &Resource, plan: &OperationPlan) -> Option<String> {
    let model = plan.success.model.as_ref()?;
    let (array, access, optional) = match &resource.list_items {
        ListItems::Array => (model, "items".to_owned(), matches!(model, Ty::Nullable(_))),
        ListItems::Field(field) => {
            let Ty::Named(id) = non_null(model) else { return None };
            let TypeKind::Struct(body) = &api.type_def(*id).kind else { return None };
            let index = body.fields.iter().position(|f| &f.name == field)?;
            let member = &field_names(body)[index];
            let holder_optional = matches!(model, Ty::Nullable(_));
            let found = &body.fields[index];
            let optional = holder_optional || !found.required || matches!(found.ty, Ty::Nullable(_));
            let access = if holder_optional { format!("items?.{member}") } else { format!("items.{member}") };
            (&found.ty, access, optional)
        }
    };
    let Ty::Array(element) = non_null(array) else { return None };
    match element.as_ref() {
        Ty::Named(id) if *id == resource.item => Some(if optional { format!("{access} ?? []") } else { access }),
        Ty::Nullable(inner) if matches!(inner.as_ref(), Ty::Named(id) if *id == resource.item) => {
            let whole = if optional { format!("({access} ?? [])") } else { access };
            Some(format!("{whole}.compactMap {{ $0 }}"))
        }
        _ => None,
    }
}

/// The arguments of a call from a resource: the key, the scope's parameters, the body; `None`
/// when the operation needs something the resource does not have.
fn call_args(
    op: &Operation,
    plan: &OperationPlan,
    scope: Option<&ScopePlan>,
    key_param: Option<&str>,
    body: Option<&str>,
) -> Option<String> {
    let mut args = Vec::new();
    for arg in &plan.args {
        let value = match &arg.kind {
            ArgKind::Body(..) => match body {
                Some(value) => value.to_owned(),
                None if arg.optional => continue,
                None => return None,
            },
            ArgKind::Param(i) => {
                let param = &op.params[*i];
                let from_scope = scope.and_then(|s| {
                    s.fields.iter().find(|(_, _, wire, location)| wire == &param.name && *location == param.location)
                });
                if param.location == ParamLocation::Path && Some(param.name.as_str()) == key_param {
                    "key".to_owned()
                } else if let Some((member, ty, _, _)) = from_scope {
                    if ty != arg.ty.trim_end_matches('?') {
                        return None;
                    }
                    format!("scope.{member}")
                } else if arg.optional {
                    continue;
                } else {
                    return None;
                }
            }
        };
        args.push(format!("{}: {value}", arg.name));
    }
    Some(args.join(", "))
}

/// Emits `Resources.swift`.
pub fn emit(api: &Api, plans: &[ResourcePlan<'_>], header: &str) -> String {
    let mut out = String::with_capacity(plans.len() * 4096);
    out.push_str(header);
    out.push_str("\nimport Foundation\n");
    out.push_str("\nextension APIClient {\n");
    for (index, plan) in plans.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        accessor(&mut out, plan);
    }
    out.push_str("}\n");
    for plan in plans {
        out.push('\n');
        definition(&mut out, api, plan);
    }
    out
}

fn mode_text(resource: &Resource) -> String {
    match (&resource.mode, &resource.source) {
        (SyncMode::Push, _) => "push: every read and write is a call to the API".to_owned(),
        (SyncMode::Live, SyncSource::Rest) => "live: a local collection refreshed from the list endpoint".to_owned(),
        (SyncMode::Live, SyncSource::Shape(shape)) => {
            format!("live: a local collection synced from the Shape of table `{}`", shape.table.replace('`', "'"))
        }
    }
}

fn accessor(out: &mut String, plan: &ResourcePlan<'_>) {
    let resource = plan.resource;
    doc_comment(
        out,
        "    ",
        [Some(
            format!("The `{}` store ({}).", resource.collection_path.replace('`', "'"), mode_text(resource)).as_str(),
        )],
    );
    let _ = writeln!(out, "    @MainActor");
    match &plan.scope {
        None => {
            let _ = writeln!(out, "    public var {}: {} {{", plan.accessor, plan.store_alias);
            let _ = writeln!(
                out,
                "        registry.store(for: {}.self, scope: NoScope(), transport: transport)",
                plan.definition
            );
        }
        Some(scope) => {
            let params: Vec<String> = scope.fields.iter().map(|(name, ty, _, _)| format!("{name}: {ty}")).collect();
            let args: Vec<String> = scope.fields.iter().map(|(name, _, _, _)| format!("{name}: {name}")).collect();
            let _ =
                writeln!(out, "    public func {}({}) -> {} {{", plan.accessor, params.join(", "), plan.store_alias);
            let _ = writeln!(
                out,
                "        registry.store(for: {}.self, scope: {}({}), transport: transport)",
                plan.definition,
                scope.name,
                args.join(", ")
            );
        }
    }
    let _ = writeln!(out, "    }}");
}

fn definition(out: &mut String, api: &Api, plan: &ResourcePlan<'_>) {
    let resource = plan.resource;
    let scope_type = plan.scope.as_ref().map_or("NoScope", |s| s.name.as_str());
    if let Some(scope) = &plan.scope {
        let _ = writeln!(out, "/// The collection parameters of `{}`.", resource.collection_path.replace('`', "'"));
        let _ = writeln!(out, "public struct {}: Codable, Hashable, Sendable {{", scope.name);
        for (name, ty, _, _) in &scope.fields {
            let _ = writeln!(out, "    public var {name}: {ty}");
        }
        out.push('\n');
        let params: Vec<String> = scope.fields.iter().map(|(name, ty, _, _)| format!("{name}: {ty}")).collect();
        let _ = writeln!(out, "    public init({}) {{", params.join(", "));
        for (name, _, _, _) in &scope.fields {
            let _ = writeln!(out, "        self.{name} = {name}");
        }
        let _ = writeln!(out, "    }}");
        let _ = writeln!(out, "}}");
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "/// The store of `{}`: `ResourceStore<{}>`.",
        resource.collection_path.replace('`', "'"),
        plan.definition
    );
    let _ = writeln!(out, "public typealias {} = ResourceStore<{}>", plan.store_alias, plan.definition);
    out.push('\n');
    doc_comment(
        out,
        "",
        [Some(
            format!(
                "How the `{}` resource is read and written ({}).",
                resource.name.replace('`', "'"),
                mode_text(resource)
            )
            .as_str(),
        )],
    );
    let mut conformances = vec!["LiveWritable"];
    if plan.get.is_some() {
        conformances.push("GettableResource");
    }
    if plan.create.is_some() {
        conformances.push("CreatableResource");
    }
    if plan.update.is_some() {
        conformances.push("UpdatableResource");
    }
    if plan.delete.is_some() {
        conformances.push("DeletableResource");
    }
    let _ = writeln!(out, "public enum {}: {} {{", plan.definition, conformances.join(", "));
    let _ = writeln!(out, "    public typealias Item = {}", plan.item);
    let _ = writeln!(out, "    public typealias Key = {}", plan.key_type);
    let _ = writeln!(out, "    public typealias Scope = {scope_type}");
    if let Some((_, body, created, _)) = &plan.create {
        let _ = writeln!(out, "    public typealias Create = {body}");
        let _ = writeln!(out, "    public typealias Created = {created}");
    }
    if let Some((_, changes, updated)) = &plan.update {
        let _ = writeln!(out, "    public typealias Changes = {changes}");
        let _ = writeln!(out, "    public typealias Updated = {updated}");
    }
    out.push('\n');
    let _ = writeln!(out, "    public static let name = {}", string_literal(&resource.name));
    let _ = writeln!(out, "    public static let mode = SyncMode.{}", resource.mode.as_str());
    match &resource.source {
        SyncSource::Rest => {
            let _ = writeln!(out, "    public static let source = LiveSource.rest");
        }
        SyncSource::Shape(shape) => {
            let mut args = vec![format!("table: {}", string_literal(&shape.table))];
            if let Some(clause) = &shape.where_clause {
                args.push(format!("whereClause: {}", string_literal(clause)));
            }
            if !shape.columns.is_empty() {
                let columns: Vec<String> = shape.columns.iter().map(|c| string_literal(c)).collect();
                args.push(format!("columns: [{}]", columns.join(", ")));
            }
            let _ =
                writeln!(out, "    public static let source = LiveSource.shape(ShapeDefinition({}))", args.join(", "));
        }
    }
    let _ = writeln!(out, "    public static let keyField = {}", string_literal(&resource.key.field));
    if let Some((_, _, _, carries)) = &plan.create {
        let _ = writeln!(out, "    public static let createCarriesKey = {carries}");
    }
    out.push('\n');
    let _ = writeln!(out, "    public static func key(of item: {}) -> {}? {{", plan.item, plan.key_type);
    let _ = writeln!(out, "        item.{}", plan.key_member);
    let _ = writeln!(out, "    }}");
    out.push('\n');
    let _ = writeln!(out, "    public static func newKey() -> {}? {{", plan.key_type);
    let _ = writeln!(out, "        {}", new_key(non_null(&resource.key.ty)));
    let _ = writeln!(out, "    }}");
    out.push('\n');
    let _ = writeln!(
        out,
        "    public static func list(_ transport: HTTPTransport, scope: {scope_type}) async throws -> [{}] {{",
        plan.item
    );
    let _ = writeln!(out, "        {}", plan.list);
    let _ = writeln!(out, "    }}");
    if let Some(call) = &plan.get {
        out.push('\n');
        let _ = writeln!(
            out,
            "    public static func get(_ transport: HTTPTransport, scope: {scope_type}, key: {}) async throws -> {} {{",
            plan.key_type, plan.item
        );
        let _ = writeln!(out, "        try await transport.send({call}).value");
        let _ = writeln!(out, "    }}");
    }
    if let Some((call, body, created, _)) = &plan.create {
        out.push('\n');
        let _ = writeln!(out, "    public static func create(");
        let _ = writeln!(
            out,
            "        _ transport: HTTPTransport, scope: {scope_type}, body: {body}, headers: [String: String]"
        );
        let _ = writeln!(out, "    ) async throws -> APIResponse<{created}> {{");
        let _ = writeln!(out, "        var operation = try {call}");
        let _ = writeln!(out, "        operation.request.headers.merge(headers) {{ $1 }}");
        let _ = writeln!(out, "        return try await transport.send(operation)");
        let _ = writeln!(out, "    }}");
        out.push('\n');
        let _ = writeln!(out, "    public static func item(created: {created}) -> {}? {{", plan.item);
        let _ = writeln!(out, "        {}", if item_reply(api, resource, resource.create) { "created" } else { "nil" });
        let _ = writeln!(out, "    }}");
    }
    if let Some((call, changes, updated)) = &plan.update {
        out.push('\n');
        let _ = writeln!(out, "    public static func update(");
        let _ = writeln!(
            out,
            "        _ transport: HTTPTransport, scope: {scope_type}, key: {}, changes: {changes}, headers: [String: String]",
            plan.key_type
        );
        let _ = writeln!(out, "    ) async throws -> APIResponse<{updated}> {{");
        let _ = writeln!(out, "        var operation = try {call}");
        let _ = writeln!(out, "        operation.request.headers.merge(headers) {{ $1 }}");
        let _ = writeln!(out, "        return try await transport.send(operation)");
        let _ = writeln!(out, "    }}");
        out.push('\n');
        let _ = writeln!(out, "    public static func item(updated: {updated}) -> {}? {{", plan.item);
        let _ = writeln!(out, "        {}", if item_reply(api, resource, resource.update) { "updated" } else { "nil" });
        let _ = writeln!(out, "    }}");
    }
    if let Some(call) = &plan.delete {
        out.push('\n');
        let _ = writeln!(out, "    public static func delete(");
        let _ = writeln!(
            out,
            "        _ transport: HTTPTransport, scope: {scope_type}, key: {}, headers: [String: String]",
            plan.key_type
        );
        let _ = writeln!(out, "    ) async throws -> APIResponse<Void> {{");
        let _ = writeln!(out, "        var operation = try {call}");
        let _ = writeln!(out, "        operation.request.headers.merge(headers) {{ $1 }}");
        let _ = writeln!(out, "        return try await transport.send(operation).map {{ _ in () }}");
        let _ = writeln!(out, "    }}");
    }
    out.push('\n');
    let _ = writeln!(out, "    public static func send(");
    let _ = writeln!(out, "        _ entry: OutboxEntry, transport: HTTPTransport, scope: {scope_type}");
    let _ = writeln!(out, "    ) async throws -> WriteReply<{}> {{", plan.item);
    let _ = writeln!(out, "        switch entry.kind {{");
    for (kind, supported, helper) in [
        ("create", plan.create.is_some(), "sendCreate"),
        ("update", plan.update.is_some(), "sendUpdate"),
        ("delete", plan.delete.is_some(), "sendDelete"),
    ] {
        let _ = writeln!(out, "        case .{kind}:");
        if supported {
            let _ = writeln!(out, "            return try await {helper}(entry, transport: transport, scope: scope)");
        } else {
            let _ = writeln!(
                out,
                "            throw RequestEncodingError({})",
                string_literal(&format!("the {} resource has no {kind} operation", resource.name))
            );
        }
    }
    let _ = writeln!(out, "        }}");
    let _ = writeln!(out, "    }}");
    let _ = writeln!(out, "}}");
}

/// Whether the write's success body is the item itself.
fn item_reply(api: &Api, resource: &Resource, op: Option<OperationId>) -> bool {
    op.and_then(|id| api.operation(id).success())
        .and_then(|r| r.body.as_ref())
        .is_some_and(|body| body.media == MediaKind::Json && matches!(&body.ty, Ty::Named(id) if *id == resource.item))
}

/// A key made on the client: a UUID where the key is one (or a string), a negative
/// placeholder for integers (the server's key replaces it), nothing otherwise.
fn new_key(ty: &Ty) -> String {
    match ty {
        Ty::String(StringFormat::Uuid) => "UUID()".to_owned(),
        Ty::String(StringFormat::Plain) => "UUID().uuidString.lowercased()".to_owned(),
        Ty::Integer(IntFormat::Int32) => "-Int32.random(in: 1...Int32.max)".to_owned(),
        Ty::Integer(IntFormat::Int64) => "-Int.random(in: 1...Int(Int32.max))".to_owned(),
        _ => "nil".to_owned(),
    }
}
