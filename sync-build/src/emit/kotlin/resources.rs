//! `Resources.kt`: one interface per resource, with a push and a live implementation.
//!
//! `api.contacts` has the same type (`ContactsResource`) whatever the spec's `x-sync` says:
//! `list()`, `get(key)`, `create(body)`, `update(key, body)`, `delete(key)`, `watch()` and
//! `status`. Push resources call the API and refetch what `watch()` shows after each write;
//! live ones read a local copy synced from an Electric shape or the REST list, apply writes at
//! once, and send them through the persisted outbox (`runtime/Live.kt`).
//!
//! A role is offered only when it can be called with the key alone (other required parameters
//! would need a value the interface has no place for); resources whose list needs parameters
//! (nested under a parent) keep their operations on `Api` but get no resource interface.

use std::fmt::Write as _;

use super::client::{body_type, response_type};
use super::names::spell;
use super::text::{code_span, kdoc, string_literal};
use super::types::TypePrinter;
use crate::model::{
    Api, ListItems, MediaKind, Operation, OperationId, ParamLocation, Resource, SyncMode, SyncSource, Ty, TypeKind,
};
use crate::naming::{Case, Lang, Scope};

/// What one resource's interface offers and how each part calls the API.
pub struct Plan {
    pub mode: SyncMode,
    /// The KDoc line of the `Api` property.
    pub summary: String,
    item: String,
    key_param: String,
    key_ty: String,
    body_param: String,
    /// `api.listContacts()` plus what makes its result a `List<Item>`.
    list_call: String,
    get: Option<Role>,
    create: Option<Role>,
    update: Option<Role>,
    delete: Option<Role>,
    /// Whether the client may choose a new row's key (a string key the create body carries).
    client_keys: bool,
}

/// How a role calls its operation.
struct Role {
    method: String,
    route: String,
    /// The operation's argument that takes the key.
    key_arg: Option<String>,
    /// The operation's body argument and its type.
    body: Option<(String, String)>,
    reply: String,
}

/// The plan of each resource (indexed like [`Api::resources`]), `None` where the resource has
/// no interface.
pub fn plans(printer: &TypePrinter<'_>) -> Vec<Option<Plan>> {
    printer.api.resources.iter().map(|resource| plan(printer, resource)).collect()
}

fn plan(printer: &TypePrinter<'_>, resource: &Resource) -> Option<Plan> {
    let api = printer.api;
    let names = printer.names;
    let list_op = api.operation(resource.list);
    if list_op.params.iter().any(|p| p.required) {
        return None;
    }
    let list_call = list_call(printer, resource, list_op)?;
    let key_ty = printer.base(&resource.key.ty);
    if !matches!(key_ty.as_str(), "String" | "Long" | "Int") {
        return None;
    }
    let mut scope = Scope::new(Lang::Kotlin, Case::Camel);
    let key_param = scope.claim(&spell(&resource.key.field));
    let body_param = scope.claim("body");
    let role = |id: Option<OperationId>, needs_key: bool, needs_body: bool| -> Option<Role> {
        let id = id?;
        let op = api.operation(id);
        let op_names = &names.params[id.0];
        let mut key_arg = None;
        for (param, name) in op.params.iter().zip(&op_names.params) {
            let is_key = param.location == ParamLocation::Path && Some(&param.name) == resource.key.param.as_ref();
            if is_key && printer.base(&param.ty) == key_ty {
                key_arg = Some(name.clone());
            } else if param.required {
                return None;
            }
        }
        if needs_key && key_arg.is_none() {
            return None;
        }
        let body = match &op.body {
            Some(body) if needs_body && body.media == MediaKind::Json => {
                Some((op_names.body.clone(), body_type(printer, body.media, &body.ty)))
            }
            Some(body) if body.required => return None,
            _ if needs_body => return None,
            _ => None,
        };
        Some(Role {
            method: names.methods[id.0].clone(),
            route: format!("{} {}", op.method.http(), op.path),
            key_arg,
            body,
            reply: response_type(printer, op),
        })
    };
    let item = printer.named(resource.item, false);
    let get = role(resource.get, true, false).filter(|_| {
        let op = api.operation(resource.get.expect("a get role has an operation"));
        op.success().and_then(|r| r.body.as_ref()).is_some_and(|b| b.ty == Ty::Named(resource.item))
    });
    let create = role(resource.create, false, true);
    let update = role(resource.update, true, true);
    let delete = role(resource.delete, true, false);
    let client_keys = key_ty == "String"
        && resource.create.and_then(|id| api.operation(id).body.as_ref()).is_some_and(|body| {
            body_fields(api, &body.ty).is_some_and(|fields| fields.contains(&resource.key.field.as_str()))
        });
    let how = match (resource.mode, &resource.source) {
        (SyncMode::Push, _) => "push: every call goes to the API".to_owned(),
        (SyncMode::Live, SyncSource::Rest) => {
            format!(
                "live: a local copy kept in sync through {}",
                code_span(&format!("GET {}", resource.collection_path))
            )
        }
        (SyncMode::Live, SyncSource::Shape(shape)) => {
            format!("live: a local copy streamed from the {} shape", code_span(&shape.table))
        }
    };
    Some(Plan {
        mode: resource.mode,
        summary: format!("The {} at {}; {how}.", resource.name, code_span(&resource.collection_path)),
        item,
        key_param,
        key_ty,
        body_param,
        list_call,
        get,
        create,
        update,
        delete,
        client_keys,
    })
}

/// `api.listX()` and the calls that turn its reply into `List<Item>`, or `None` when the reply
/// does not hold the items where the model says.
fn list_call(printer: &TypePrinter<'_>, resource: &Resource, op: &Operation) -> Option<String> {
    let api = printer.api;
    let body = op.success()?.body.as_ref().filter(|b| b.media == MediaKind::Json)?;
    let mut call = format!("api.{}()", printer.names.methods[resource.list.0]);
    let mut ty = &body.ty;
    if let ListItems::Field(field) = &resource.list_items {
        if let Ty::Nullable(inner) = ty {
            call.push('?');
            ty = inner;
        }
        let Ty::Named(id) = ty else { return None };
        let TypeKind::Struct(s) = &api.type_def(*id).kind else { return None };
        let position = s.fields.iter().position(|f| &f.name == field)?;
        // Wide objects are kept as JSON and have no properties to read.
        if super::types::is_json_object(printer, *id) {
            return None;
        }
        let _ = write!(call, ".{}", printer.names.members[id.0][position]);
        let field = &s.fields[position];
        ty = &field.ty;
        if !field.required || call.contains('?') {
            if let Ty::Nullable(inner) = ty {
                ty = inner;
            }
            call.push_str(".orEmpty()");
        }
    }
    if let Ty::Nullable(inner) = ty {
        call.push_str(".orEmpty()");
        ty = inner;
    }
    let Ty::Array(item) = ty else { return None };
    match item.as_ref() {
        Ty::Named(id) if *id == resource.item => {}
        Ty::Nullable(inner) if **inner == Ty::Named(resource.item) => call.push_str(".filterNotNull()"),
        _ => return None,
    }
    Some(call)
}

/// The wire names of a body's fields, when it is an object type.
fn body_fields<'a>(api: &'a Api, ty: &Ty) -> Option<Vec<&'a str>> {
    let Ty::Named(id) = ty else { return None };
    match &api.type_def(*id).kind {
        TypeKind::Struct(s) => Some(s.fields.iter().map(|f| f.name.as_str()).collect()),
        TypeKind::Alias(inner) => body_fields(api, inner),
        _ => None,
    }
}

/// Emits `Resources.kt`.
pub fn emit(printer: &TypePrinter<'_>, plans: &[Option<Plan>], header: &str) -> String {
    let api = printer.api;
    let package = printer.package;
    let mut body = String::new();
    for ((resource, plan), names) in api.resources.iter().zip(plans).zip(&printer.names.resources) {
        let Some(plan) = plan else { continue };
        body.push('\n');
        interface(&mut body, resource, plan, &names.interface);
        body.push('\n');
        match plan.mode {
            SyncMode::Push => push_class(&mut body, plan, &names.push, &names.interface),
            SyncMode::Live => live_class(&mut body, resource, plan, &names.live, &names.interface),
        }
    }
    let mut imports: Vec<String> = vec![
        "kotlinx.coroutines.flow.Flow".to_owned(),
        "kotlinx.coroutines.flow.StateFlow".to_owned(),
        format!("{package}.runtime.SyncStatus"),
    ];
    for (needle, import) in [
        ("PushRows", format!("{package}.runtime.PushRows")),
        ("LiveSync", format!("{package}.runtime.LiveSync")),
        ("RowSource", format!("{package}.runtime.RowSource")),
        ("ShapeDefinition", format!("{package}.runtime.ShapeDefinition")),
        ("WriteKind", format!("{package}.runtime.WriteKind")),
        ("JsonNull", "kotlinx.serialization.json.JsonNull".to_owned()),
        ("JsonPrimitive", "kotlinx.serialization.json.JsonPrimitive".to_owned()),
        ("json.decodeFromJsonElement", "kotlinx.serialization.json.decodeFromJsonElement".to_owned()),
        ("json.encodeToJsonElement", "kotlinx.serialization.json.encodeToJsonElement".to_owned()),
        ("serializer<", "kotlinx.serialization.serializer".to_owned()),
        ("UUID.", "java.util.UUID".to_owned()),
    ] {
        if body.contains(needle) {
            imports.push(import);
        }
    }
    imports.sort();
    let mut out = String::with_capacity(body.len() + 1024);
    out.push_str(header);
    let _ = writeln!(out, "package {package}\n");
    for import in &imports {
        let _ = writeln!(out, "import {import}");
    }
    out.push_str(&body);
    out
}

fn interface(out: &mut String, resource: &Resource, plan: &Plan, name: &str) {
    let item = &plan.item;
    kdoc(
        out,
        "",
        [
            Some(format!("The {} at {}.", resource.name, code_span(&resource.collection_path)).as_str()),
            Some(
                "The same interface in push and live mode, so switching the spec's `x-sync` changes no \
                 calling code.",
            ),
        ],
    );
    let _ = writeln!(out, "interface {name} {{");
    let _ = writeln!(out, "    /** Loading, up to date, offline or failed, and the writes not yet confirmed. */");
    let _ = writeln!(out, "    val status: StateFlow<SyncStatus>\n");
    let _ = writeln!(
        out,
        "    /** All {}: fetched from the API (push), or the synced local copy (live). */",
        resource.name
    );
    let _ = writeln!(out, "    suspend fun list(): List<{item}>\n");
    let _ = writeln!(out, "    /** The {}, again after every change. */", resource.name);
    let _ = writeln!(out, "    fun watch(): Flow<List<{item}>>");
    let key = format!("{}: {}", plan.key_param, plan.key_ty);
    if let Some(role) = &plan.get {
        out.push('\n');
        let doc = format!(
            "One of the {} by its {} ({}).",
            resource.name,
            code_span(&resource.key.field),
            code_span(&role.route)
        );
        kdoc(out, "    ", [Some(doc.as_str())]);
        let _ = writeln!(out, "    suspend fun get({key}): {item}");
    }
    if let Some(role) = &plan.create {
        out.push('\n');
        let doc = format!(
            "Creates one of the {} ({}). Live: it shows in `watch()` at once and is sent in the background.",
            resource.name,
            code_span(&role.route)
        );
        kdoc(out, "    ", [Some(doc.as_str())]);
        let _ = writeln!(out, "    suspend fun create({}: {}){}", plan.body_param, body_ty(role), returns(&role.reply));
    }
    if let Some(role) = &plan.update {
        out.push('\n');
        let doc = format!("Changes one of the {} ({}).", resource.name, code_span(&role.route));
        kdoc(out, "    ", [Some(doc.as_str())]);
        let _ = writeln!(
            out,
            "    suspend fun update({key}, {}: {}){}",
            plan.body_param,
            body_ty(role),
            returns(&role.reply)
        );
    }
    if let Some(role) = &plan.delete {
        out.push('\n');
        let doc = format!("Deletes one of the {} ({}).", resource.name, code_span(&role.route));
        kdoc(out, "    ", [Some(doc.as_str())]);
        let _ = writeln!(out, "    suspend fun delete({key}){}", returns(&role.reply));
    }
    let _ = writeln!(out, "}}");
}

fn body_ty(role: &Role) -> &str {
    role.body.as_ref().map_or("", |(_, ty)| ty.trim_end_matches('?'))
}

fn returns(reply: &str) -> String {
    if reply == "Unit" { String::new() } else { format!(": {reply}") }
}

/// A role's call, `api.method(name = value, ...)`.
struct Call {
    method: String,
    args: Vec<String>,
}

impl Call {
    fn flat(&self) -> String {
        format!("api.{}({})", self.method, self.args.join(", "))
    }

    /// `{indent}{lead}<call>{tail}`, on one line when it fits in 120 columns, else one
    /// argument per line.
    fn write(&self, out: &mut String, indent: &str, lead: &str, tail: &str) {
        let flat = format!("{indent}{lead}{}{tail}", self.flat());
        if flat.chars().count() <= 120 || self.args.is_empty() {
            let _ = writeln!(out, "{flat}");
            return;
        }
        let _ = writeln!(out, "{indent}{lead}api.{}(", self.method);
        for arg in &self.args {
            let _ = writeln!(out, "{indent}    {arg},");
        }
        let _ = writeln!(out, "{indent}){tail}");
    }
}

/// The call of a role's operation with the key and body given (by argument name).
fn call_args(role: &Role, key: Option<&str>, body: Option<&str>, options: bool) -> Call {
    let mut args = Vec::new();
    if let (Some(arg), Some(key)) = (&role.key_arg, key) {
        args.push(format!("{arg} = {key}"));
    }
    if let (Some((arg, _)), Some(body)) = (&role.body, body) {
        args.push(format!("{arg} = {body}"));
    }
    if options {
        args.push("options = options".to_owned());
    }
    Call { method: role.method.clone(), args }
}

fn push_class(out: &mut String, plan: &Plan, name: &str, interface: &str) {
    let item = &plan.item;
    let key = format!("{}: {}", plan.key_param, plan.key_ty);
    let _ = writeln!(out, "/** [{interface}] over plain API calls; `watch()` refetches after each write. */");
    let _ = writeln!(out, "internal class {name}(private val api: Api) : {interface} {{");
    let _ = writeln!(out, "    private val rows = PushRows {{ {} }}\n", plan.list_call);
    let _ = writeln!(out, "    override val status: StateFlow<SyncStatus> get() = rows.status\n");
    let _ = writeln!(out, "    override suspend fun list(): List<{item}> = rows.list()\n");
    let _ = writeln!(out, "    override fun watch(): Flow<List<{item}>> = rows.watch()");
    if let Some(role) = &plan.get {
        let call = call_args(role, Some(&plan.key_param), None, false).flat();
        let _ = writeln!(out, "\n    override suspend fun get({key}): {item} = {call}");
    }
    let writes = [
        (&plan.create, "create", format!("{}: {}", plan.body_param, plan.create.as_ref().map_or("", body_ty))),
        (&plan.update, "update", format!("{key}, {}: {}", plan.body_param, plan.update.as_ref().map_or("", body_ty))),
        (&plan.delete, "delete", key.clone()),
    ];
    for (role, function, params) in writes {
        let Some(role) = role else { continue };
        let call = call_args(role, Some(&plan.key_param), Some(&plan.body_param), false).flat();
        out.push('\n');
        if role.reply == "Unit" {
            let _ = writeln!(out, "    override suspend fun {function}({params}) {{");
            let _ = writeln!(out, "        {call}");
            let _ = writeln!(out, "        rows.invalidate()");
            let _ = writeln!(out, "    }}");
        } else {
            let _ = writeln!(out, "    override suspend fun {function}({params}): {} =", role.reply);
            let _ = writeln!(out, "        {call}.also {{ rows.invalidate() }}");
        }
    }
    let _ = writeln!(out, "}}");
}

/// `value` (a `String`) as the key's Kotlin type.
fn key_from_text(plan: &Plan, value: &str) -> String {
    match plan.key_ty.as_str() {
        "Long" => format!("{value}.toLong()"),
        "Int" => format!("{value}.toInt()"),
        _ => value.to_owned(),
    }
}

/// The key as the `String` the live collection keys rows by.
fn key_text(plan: &Plan) -> String {
    match plan.key_ty.as_str() {
        "String" => plan.key_param.clone(),
        _ => format!("{}.toString()", plan.key_param),
    }
}

fn live_class(out: &mut String, resource: &Resource, plan: &Plan, name: &str, interface: &str) {
    let item = &plan.item;
    let key = format!("{}: {}", plan.key_param, plan.key_ty);
    let _ = writeln!(out, "/** [{interface}] over a local copy with optimistic writes, sent through the outbox. */");
    let _ = writeln!(out, "internal class {name}(private val api: Api, sync: LiveSync) : {interface} {{");
    let _ = writeln!(out, "    private val json = api.json");
    let _ = writeln!(out, "    private val collection = sync.collection(");
    let _ = writeln!(out, "        name = {},", string_literal(&resource.name));
    let _ = writeln!(out, "        keyField = {},", string_literal(&resource.key.field));
    let _ = writeln!(out, "        serializer = serializer<{item}>(),");
    match &resource.source {
        SyncSource::Shape(shape) => {
            let mut args = vec![format!("table = {}", string_literal(&shape.table))];
            if let Some(clause) = &shape.where_clause {
                args.push(format!("where = {}", string_literal(clause)));
            }
            if !shape.columns.is_empty() {
                let columns: Vec<String> = shape.columns.iter().map(|c| string_literal(c)).collect();
                args.push(format!("columns = listOf({})", columns.join(", ")));
            }
            let _ = writeln!(out, "        source = RowSource.Shape(ShapeDefinition({})),", args.join(", "));
        }
        SyncSource::Rest => {
            let _ = writeln!(
                out,
                "        source = RowSource.Rest {{ {}.map {{ json.encodeToJsonElement<{item}>(it) }} }},",
                plan.list_call
            );
        }
    }
    let writes: Vec<(&str, &Role)> = [("Create", &plan.create), ("Update", &plan.update), ("Delete", &plan.delete)]
        .into_iter()
        .filter_map(|(kind, role)| role.as_ref().map(|role| (kind, role)))
        .collect();
    if writes.is_empty() {
        let _ =
            writeln!(out, "        send = {{ entry, _ -> error(\"${{entry.resource}} has no write operations\") }},");
    } else {
        let _ = writeln!(out, "        send = {{ entry, options ->");
        let _ = writeln!(out, "            when (entry.kind) {{");
        for (kind, role) in &writes {
            let key_value = key_from_text(plan, "entry.key");
            let body_value = role.body.as_ref().map(|(_, ty)| {
                format!("json.decodeFromJsonElement<{}>(requireNotNull(entry.body))", ty.trim_end_matches('?'))
            });
            let call = call_args(role, Some(&key_value), body_value.as_deref(), true);
            if role.reply == "Unit" {
                let _ = writeln!(out, "                WriteKind.{kind} -> {{");
                call.write(out, "                    ", "", "");
                let _ = writeln!(out, "                    JsonNull");
                let _ = writeln!(out, "                }}");
            } else {
                let _ = writeln!(out, "                WriteKind.{kind} -> json.encodeToJsonElement<{}>(", role.reply);
                call.write(out, "                    ", "", ",");
                let _ = writeln!(out, "                )");
            }
        }
        if writes.len() < 3 {
            let _ = writeln!(out, "                else -> error(\"${{entry.resource}} cannot ${{entry.kind}}\")");
        }
        let _ = writeln!(out, "            }}");
        let _ = writeln!(out, "        }},");
    }
    if plan.client_keys {
        let _ = writeln!(out, "        newKey = {{ JsonPrimitive(UUID.randomUUID().toString()) }},");
    }
    let _ = writeln!(out, "    )\n");
    let _ = writeln!(out, "    override val status: StateFlow<SyncStatus> get() = collection.status\n");
    let _ = writeln!(out, "    override suspend fun list(): List<{item}> = collection.list()\n");
    let _ = writeln!(out, "    override fun watch(): Flow<List<{item}>> = collection.rows");
    if plan.get.is_some() {
        // Answered locally: a key the synced collection lacks is the API's 404, as in push mode.
        let path = string_literal(resource.item_path.as_deref().unwrap_or(&resource.collection_path));
        let _ =
            writeln!(out, "\n    override suspend fun get({key}): {item} = collection.get({}, {path})", key_text(plan));
    }
    let body = &plan.body_param;
    if let Some(role) = &plan.create {
        let write = format!("collection.create(json.encodeToJsonElement<{}>({body}))", body_ty(role));
        live_write(out, "create", &format!("{body}: {}", body_ty(role)), &role.reply, &write);
    }
    if let Some(role) = &plan.update {
        let write =
            format!("collection.update({}, json.encodeToJsonElement<{}>({body}))", key_text(plan), body_ty(role));
        live_write(out, "update", &format!("{key}, {body}: {}", body_ty(role)), &role.reply, &write);
    }
    if let Some(role) = &plan.delete {
        live_write(out, "delete", &key, &role.reply, &format!("collection.delete({})", key_text(plan)));
    }
    let _ = writeln!(out, "}}");
}

fn live_write(out: &mut String, function: &str, params: &str, reply: &str, write: &str) {
    out.push('\n');
    if reply == "Unit" {
        let _ = writeln!(out, "    override suspend fun {function}({params}) {{");
        let _ = writeln!(out, "        {write}");
        let _ = writeln!(out, "    }}");
    } else {
        let _ = writeln!(out, "    override suspend fun {function}({params}): {reply} =");
        let _ = writeln!(out, "        json.decodeFromJsonElement<{reply}>({write})");
    }
}
