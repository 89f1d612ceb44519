//! `resources.ts` and `sync.ts`: the React layer, one set of hooks per resource.
//!
//! Every resource gets the same hooks whatever its sync mode: `useContacts(scope?)`,
//! `useContact(key, scope?)`, `useCreateContact(scope?)`, `useUpdateContact(scope?)` and
//! `useDeleteContact(scope?)`, returning the unified `ListResult`, `ItemResult` and
//! `MutationResult` of `sync.ts`. `push` resources run them on TanStack Query; `live` ones on a
//! TanStack DB collection (synced through the REST list, or an ElectricSQL Shape), with
//! optimistic writes that roll back when the API rejects them. `scope` is the list operation's
//! parameters, for resources nested under a parent (`/repos/{owner}/{repo}/issues`).

use std::fmt::Write as _;

use super::client::{ClientNames, OperationApi, ParamsApi, body_type, response_type};
use super::doc::TypeDoc;
use super::layout::{Param, call, call_with_object, property, signature};
use super::names::Module;
use super::types::{Member, TyPrinter, TypeNames, union_alias};
use super::writer::{doc_comment, member, property_key, string_literal};
use crate::model::{
    Api, ListItems, MediaKind, Operation, OperationId, ParamLocation, Resource, StringFormat, SyncMode, SyncSource, Ty,
    TypeKind,
};
use crate::naming::Case;

const SYNC_RUNTIME: &str = include_str!("sync_runtime.ts");

/// Emits `sync.ts`, the provider and unified result types the hooks share.
pub fn emit_runtime(header: &str, ext: &str) -> String {
    let runtime = SYNC_RUNTIME.replace("from \"./client\";", &format!("from \"./client{ext}\";"));
    format!("{header}\n{runtime}")
}

/// Framework names `resources.ts` may import; reserved so no API name shadows them.
const FRAMEWORK: &[(&str, &str, bool)] = &[
    ("@tanstack/react-query", "useQuery", false),
    ("@tanstack/react-query", "useMutation", false),
    ("@tanstack/react-db", "createCollection", false),
    ("@tanstack/react-db", "useLiveQuery", false),
    ("@tanstack/query-db-collection", "queryCollectionOptions", false),
    ("@tanstack/electric-db-collection", "electricCollectionOptions", false),
    ("@tanstack/electric-db-collection", "isChangeMessage", false),
];

/// Exports of `sync.ts` the hooks call.
const SYNC_NAMES: &[&str] = &[
    "useSync",
    "Sync",
    "ListResult",
    "ItemResult",
    "MutationResult",
    "UpdateVariables",
    "listFromQuery",
    "itemFromQuery",
    "listFromLive",
    "itemFromLive",
    "orNotFound",
    "STREAMED",
    "ResourceOptions",
    "fromMutation",
    "collectionFor",
    "useHeld",
    "pick",
    "withoutVirtualProps",
    "newKey",
    "temporaryNumericKey",
    "present",
    "optimisticRow",
    "keepReply",
    "persisted",
    "readTxids",
    "shapeUrl",
];

const SYNC_TYPES: &[&str] =
    &["Sync", "ListResult", "ItemResult", "MutationResult", "UpdateVariables", "ResourceOptions"];

/// Local names (also the parameter and variable names the hooks use) kept out of API names.
const LOCALS: &[&str] = &[
    "sync",
    "scope",
    "key",
    "query",
    "mutation",
    "collection",
    "options",
    "params",
    "body",
    "row",
    "reply",
    "transaction",
    "txids",
    "message",
    "signal",
    "changes",
    "draft",
    "DEFAULT_POLL_INTERVAL",
];

/// What `resources.ts` holds: its text, the names it exports, and the operations its hooks
/// cover (indexes into [`Api::operations`]); `operations.ts` gives the others hooks.
pub struct Emitted {
    pub text: String,
    pub exported: Vec<String>,
    pub covered: std::collections::HashSet<usize>,
}

/// Emits `resources.ts`.
pub fn emit(api: &Api, types: &TypeNames, client: &ClientNames, header: &str, ext: &str) -> Emitted {
    let local: Vec<&str> = FRAMEWORK
        .iter()
        .map(|(_, name, _)| *name)
        .chain(SYNC_NAMES.iter().copied())
        .chain(LOCALS.iter().copied())
        .collect();
    // The hooks' names also avoid everything `index.ts` re-exports beside them.
    let mut exported = Module::new(
        local
            .iter()
            .copied()
            .chain(super::EXPORTED_RUNTIME.iter().copied())
            .chain(types.0.iter().map(String::as_str))
            .chain(client.operations.iter().map(|op| op.function.as_str()))
            .chain(client.operations.iter().filter_map(|op| op.params.as_ref().map(|p| p.type_name.as_str())))
            .chain(client.operations.iter().filter_map(|op| op.error.as_deref())),
    );
    let plans: Vec<Plan> =
        api.resources.iter().map(|resource| Plan::new(api, client, resource, &mut exported)).collect();
    // Declarations first, so imports give way to them and not the reverse.
    let mut module = Module::new(local.iter().copied());
    for plan in &plans {
        for name in plan.declared() {
            module.claim(name.to_owned());
        }
    }
    let mut ctx = Ctx {
        api,
        types,
        client,
        module,
        types_module: format!("./types{ext}"),
        client_module: format!("./client{ext}"),
        sync_module: format!("./sync{ext}"),
    };
    let mut body = String::new();
    if api.resources.iter().any(|r| r.mode == SyncMode::Live && r.source == SyncSource::Rest) {
        body.push_str("\n/** How often live resources synced through their REST list refetch (ms). */\n");
        body.push_str("const DEFAULT_POLL_INTERVAL = 10_000;\n");
    }
    for (resource, plan) in api.resources.iter().zip(&plans) {
        ctx.resource(&mut body, resource, plan);
    }
    let mut out = String::with_capacity(body.len() + 2048);
    out.push_str(header);
    out.push('\n');
    out.push_str(&ctx.module.render_imports());
    out.push_str(&body);
    let exported: Vec<String> = plans
        .iter()
        .flat_map(|plan| {
            [&Some(plan.list_hook.clone()), &plan.item_hook, &plan.create_hook, &plan.update_hook, &plan.delete_hook]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
        })
        .collect();
    let mut covered = std::collections::HashSet::new();
    for (resource, plan) in api.resources.iter().zip(&plans) {
        covered.insert(resource.list.0);
        let roles = [
            (resource.get, &plan.item_hook),
            (resource.create, &plan.create_hook),
            (resource.update, &plan.update_hook),
            (resource.delete, &plan.delete_hook),
        ];
        for (op, hook) in roles {
            if let (Some(op), Some(_)) = (op, hook) {
                covered.insert(op.0);
            }
        }
    }
    Emitted { text: out, exported, covered }
}

/// What one resource's hooks are called, and which of them can be generated.
struct Plan {
    list_hook: String,
    item_hook: Option<String>,
    create_hook: Option<String>,
    update_hook: Option<String>,
    delete_hook: Option<String>,
    /// The live collection's factory, for live resources.
    collection: Option<String>,
    /// The `..._FIELDS` constants of the create and update bodies.
    create_fields: Option<String>,
    update_fields: Option<String>,
    /// For live resources with writes: the type of a queued write and the function sending one.
    write_type: Option<String>,
    send_write: Option<String>,
}

impl Plan {
    fn new(api: &Api, client: &ClientNames, resource: &Resource, module: &mut Module) -> Self {
        let singular = pascal(&resource.singular);
        let plural = pascal(&resource.name);
        let supported = |role: Option<OperationId>, needs_body: bool| {
            role.filter(|id| {
                let op = api.operation(*id);
                let body_ok = !needs_body || op.body.as_ref().is_some_and(|b| b.media == MediaKind::Json);
                body_ok
                    && key_param_matches(resource, op)
                    && derive_params(api, resource, client, op, &client.operations[id.0], "key").is_some()
            })
        };
        let item_ok = resource.get.filter(|id| {
            let op = api.operation(*id);
            let returns_item = op
                .success()
                .and_then(|r| r.body.as_ref())
                .is_some_and(|b| b.media == MediaKind::Json && b.ty == Ty::Named(resource.item));
            returns_item && resource.key.param.is_some()
        });
        let live = resource.mode == SyncMode::Live;
        let mut hook = |name: String| module.claim(name);
        let list_hook = hook(format!("use{plural}"));
        let item_hook = supported(item_ok, false).map(|_| hook(format!("use{singular}")));
        let create_hook = supported(resource.create, true).map(|_| hook(format!("useCreate{singular}")));
        let update_hook = supported(resource.update, true)
            .filter(|_| resource.key.param.is_some())
            .map(|_| hook(format!("useUpdate{singular}")));
        let delete_hook = supported(resource.delete, false)
            .filter(|_| resource.key.param.is_some())
            .map(|_| hook(format!("useDelete{singular}")));
        let collection = live.then(|| module.declare(&format!("{} collection", resource.name), Case::Camel));
        // Only live writes with an object body send a field list (to leave out `$` props).
        let fields = |op: Option<OperationId>, hook: &Option<String>| {
            let op = api.operation(op.filter(|_| live && hook.is_some())?);
            body_fields(api, &op.body.as_ref()?.ty).map(|_| fields_const_name(&op.name))
        };
        let create_fields = fields(resource.create, &create_hook);
        let update_fields = fields(resource.update, &update_hook);
        let create_fields = create_fields.map(|name| module.claim(name));
        let update_fields = update_fields.map(|name| module.claim(name));
        let writes = live && (create_hook.is_some() || update_hook.is_some() || delete_hook.is_some());
        let write_type = writes.then(|| module.declare(&format!("{} write", resource.name), Case::Pascal));
        let send_write = writes.then(|| module.declare(&format!("send {} write", resource.name), Case::Camel));
        Plan {
            list_hook,
            item_hook,
            create_hook,
            update_hook,
            delete_hook,
            collection,
            create_fields,
            update_fields,
            write_type,
            send_write,
        }
    }
}

/// Whether `op`'s key parameter (if it has one) takes the key field's values: a spec may name
/// an item path by another field (`/teams/{team_slug}` for teams keyed by `id`), and then a
/// row's key cannot address the item.
fn key_param_matches(resource: &Resource, op: &Operation) -> bool {
    let Some(name) = &resource.key.param else { return true };
    let Some(param) = op.params.iter().find(|p| p.location == ParamLocation::Path && &p.name == name) else {
        return true;
    };
    same_ts_type(&param.ty, &resource.key.ty)
}

fn same_ts_type(a: &Ty, b: &Ty) -> bool {
    let class = |ty: &Ty| match ty {
        Ty::String(format) if *format != StringFormat::Binary => Some("string"),
        Ty::Integer(_) | Ty::Number(_) => Some("number"),
        _ => None,
    };
    match (class(a), class(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

impl Plan {
    /// Every name the plan declares in `resources.ts`.
    fn declared(&self) -> impl Iterator<Item = &str> {
        [
            Some(&self.list_hook),
            self.item_hook.as_ref(),
            self.create_hook.as_ref(),
            self.update_hook.as_ref(),
            self.delete_hook.as_ref(),
            self.collection.as_ref(),
            self.create_fields.as_ref(),
            self.update_fields.as_ref(),
            self.write_type.as_ref(),
            self.send_write.as_ref(),
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
    }
}

fn fields_const_name(op_name: &str) -> String {
    crate::naming::ident(&format!("{op_name} fields"), Case::ShoutySnake, crate::naming::Lang::TypeScript)
}

fn pascal(name: &str) -> String {
    crate::naming::ident(name, Case::Pascal, crate::naming::Lang::TypeScript)
}

/// The wire names of a JSON body's fields, when it is a named object type.
fn body_fields<'a>(api: &'a Api, ty: &Ty) -> Option<Vec<&'a str>> {
    let Ty::Named(id) = ty else { return None };
    match &api.type_def(*id).kind {
        TypeKind::Struct(s) if s.additional.is_none() => {
            Some(s.fields.iter().filter(|f| !f.read_only).map(|f| f.name.as_str()).collect())
        }
        TypeKind::Alias(inner) => body_fields(api, inner),
        _ => None,
    }
}

/// How to fill an operation's parameters from the resource's scope and an item key: the key
/// parameter gets `key_expr`, a path or header parameter the list operation also has comes from
/// `scope`, and optional ones are left out. `None` when a required parameter has no source.
fn derive_params(
    api: &Api,
    resource: &Resource,
    client: &ClientNames,
    op: &Operation,
    names: &OperationApi,
    key_expr: &str,
) -> Option<Vec<(String, String)>> {
    let list = api.operation(resource.list);
    let list_names = &client.operations[resource.list.0];
    let keys = names.params.as_ref().map(|p| p.keys.as_slice()).unwrap_or_default();
    let mut members = Vec::new();
    for (param, key) in op.params.iter().zip(keys) {
        let is_key = param.location == ParamLocation::Path && Some(&param.name) == resource.key.param.as_ref();
        if is_key {
            members.push((property_key(key), key_expr.to_owned()));
            continue;
        }
        let from_scope = matches!(param.location, ParamLocation::Path | ParamLocation::Header)
            .then(|| {
                list.params.iter().zip(list_names.params.as_ref().map(|p| p.keys.as_slice()).unwrap_or_default()).find(
                    |(p, _)| p.name == param.name && p.location == param.location && (p.required || !param.required),
                )
            })
            .flatten();
        match from_scope {
            Some((_, scope_key)) => members.push((property_key(key), member("scope", scope_key))),
            None if !param.required => {}
            None => return None,
        }
    }
    Some(members)
}

struct Ctx<'a> {
    api: &'a Api,
    types: &'a TypeNames,
    client: &'a ClientNames,
    module: Module,
    types_module: String,
    client_module: String,
    sync_module: String,
}

impl Ctx<'_> {
    fn ty(&mut self, ty: &Ty) -> TypeDoc {
        let types = self.types;
        let from = self.types_module.clone();
        let module = &mut self.module;
        let mut import = |index: usize| module.import(&from, &types.0[index], true);
        TyPrinter { name: &mut import }.doc(ty)
    }

    fn body_ty(&mut self, op: &Operation) -> TypeDoc {
        let types = self.types;
        let from = self.types_module.clone();
        let module = &mut self.module;
        let mut import = |index: usize| module.import(&from, &types.0[index], true);
        let body = op.body.as_ref().expect("only operations with bodies are asked");
        body_type(&mut TyPrinter { name: &mut import }, body.media, &body.ty)
    }

    fn reply_ty(&mut self, op: &Operation) -> TypeDoc {
        let types = self.types;
        let from = self.types_module.clone();
        let module = &mut self.module;
        let mut import = |index: usize| module.import(&from, &types.0[index], true);
        response_type(&mut TyPrinter { name: &mut import }, op)
    }

    fn sync(&mut self, name: &str) -> String {
        let from = self.sync_module.clone();
        self.module.uses(&from, name, SYNC_TYPES.contains(&name));
        name.to_owned()
    }

    fn framework(&mut self, name: &str) -> String {
        let (from, _, _) = FRAMEWORK.iter().find(|(_, n, _)| *n == name).expect("a listed framework name");
        self.module.uses(from, name, false);
        name.to_owned()
    }

    fn client_fn(&mut self, op: OperationId) -> String {
        let from = self.client_module.clone();
        let name = self.client.operations[op.0].function.clone();
        self.module.uses(&from, &name, false);
        name
    }

    fn params_type(&mut self, params: &ParamsApi) -> String {
        let from = self.client_module.clone();
        self.module.uses(&from, &params.type_name, true);
        params.type_name.clone()
    }

    /// The scope parameter of every hook of `resource`: the list operation's parameters.
    fn scope_param(&mut self, resource: &Resource) -> Option<Param> {
        let params = self.client.operations[resource.list.0].params.clone()?;
        let ty = self.params_type(&params);
        let mut param = Param::new("scope", TypeDoc::Text(ty));
        if !params.required {
            param.default = " = {}";
        }
        Some(param)
    }

    fn resource(&mut self, out: &mut String, resource: &Resource, plan: &Plan) {
        let item = self.ty(&Ty::Named(resource.item)).flat();
        if let Some(factory) = &plan.collection {
            self.fields_const(out, resource.create, plan.create_fields.as_deref());
            self.fields_const(out, resource.update, plan.update_fields.as_deref());
            self.write_type(out, resource, plan);
            match &resource.source {
                SyncSource::Rest => self.rest_collection(out, resource, plan, factory),
                SyncSource::Shape(_) => self.shape_collection(out, resource, plan, factory, &item),
            }
        }
        self.list_hook(out, resource, plan, &item);
        if let Some(hook) = &plan.item_hook {
            self.item_hook(out, resource, plan, hook, &item);
        }
        if let Some(hook) = &plan.create_hook {
            self.create_hook(out, resource, plan, hook, &item);
        }
        if let Some(hook) = &plan.update_hook {
            self.update_hook(out, resource, plan, hook);
        }
        if let Some(hook) = &plan.delete_hook {
            self.delete_hook(out, resource, plan, hook);
        }
    }

    fn fields_const(&mut self, out: &mut String, op: Option<OperationId>, name: Option<&str>) {
        let (Some(op), Some(name)) = (op, name) else { return };
        let op = self.api.operation(op);
        let Some(fields) = op.body.as_ref().and_then(|b| body_fields(self.api, &b.ty)) else { return };
        let _ = writeln!(
            out,
            "\n/** The fields the body of `{} {}` accepts. */",
            op.method.http(),
            op.path.replace("*/", "*\\/")
        );
        let items: Vec<String> = fields.iter().map(|f| string_literal(f)).collect();
        let flat = format!("const {name} = [{}] as const;", items.join(", "));
        if super::writer::fits(&flat) || items.is_empty() {
            let _ = writeln!(out, "{flat}");
        } else {
            let _ = writeln!(out, "const {name} = [");
            for item in items {
                let _ = writeln!(out, "  {item},");
            }
            let _ = writeln!(out, "] as const;");
        }
    }

    /// The queued-write type of a live resource and the function that sends one.
    fn write_type(&mut self, out: &mut String, resource: &Resource, plan: &Plan) {
        let (Some(write_type), Some(send)) = (&plan.write_type, &plan.send_write) else { return };
        let roles = [
            ("create", plan.create_hook.as_ref().and(resource.create)),
            ("update", plan.update_hook.as_ref().and(resource.update)),
            ("delete", plan.delete_hook.as_ref().and(resource.delete)),
        ];
        let mut members = Vec::new();
        let mut cases = Vec::new();
        for (kind, op) in roles {
            let Some(op_id) = op else { continue };
            let op = self.api.operation(op_id);
            let names = self.client.operations[op_id.0].clone();
            let mut fields = vec![format!("kind: \"{kind}\"")];
            let mut args = Vec::new();
            if let Some(params) = &names.params {
                fields.push(format!("params: {}", self.params_type(params)));
                args.push("write.params".to_owned());
            }
            if op.body.is_some() {
                fields.push(format!("body: {}", self.body_ty(op).flat()));
                args.push("write.body".to_owned());
            }
            args.push("options".to_owned());
            let broken =
                format!("{{\n{}\n    }}", fields.iter().map(|f| format!("      {f};")).collect::<Vec<_>>().join("\n"));
            members.push(Member { flat: format!("{{ {} }}", fields.join("; ")), broken: Some(broken) });
            cases.push((kind, self.client_fn(op_id), args));
        }
        out.push('\n');
        doc_comment(
            out,
            "",
            [Some(format!("A write of the {}, as queued until the API has it.", resource.name).as_str())],
        );
        union_alias(out, &format!("type {write_type}"), &members);
        let sync_ty = self.sync("Sync");
        let read_txids = self.sync("readTxids");
        out.push('\n');
        doc_comment(out, "", [Some("Sends one queued write; `txids` collects the ids a sync server reports.")]);
        let params = vec![
            Param::new("sync", TypeDoc::Text(sync_ty)),
            Param::new("write", TypeDoc::text(write_type.clone())),
            Param::new("txids", TypeDoc::text("number[]")),
        ];
        let ret = TypeDoc::Generic("Promise".to_owned(), vec![TypeDoc::text("unknown")]);
        signature(out, "", &format!("function {send}"), &params, Some(&ret), " {");
        let _ = writeln!(out, "  const options = {{");
        let _ = writeln!(out, "    client: sync.config,");
        let _ = writeln!(out, "    onResponse: (response: Response) => {read_txids}(response, txids),");
        let _ = writeln!(out, "  }};");
        let _ = writeln!(out, "  switch (write.kind) {{");
        for (kind, function, args) in cases {
            let _ = writeln!(out, "    case \"{kind}\":");
            call(out, "      ", "return ", &function, &args, ";");
        }
        let _ = writeln!(out, "  }}");
        let _ = writeln!(out, "}}");
    }

    /// The key of a new row: the one the body carries, else one made here.
    fn new_row_key(&mut self, resource: &Resource, op: &Operation, body: &str) -> String {
        let fresh = match resource.key.ty {
            Ty::Integer(_) | Ty::Number(_) => self.sync("temporaryNumericKey"),
            _ => self.sync("newKey"),
        };
        let body_has_key = op
            .body
            .as_ref()
            .and_then(|b| body_fields(self.api, &b.ty))
            .is_some_and(|fields| fields.contains(&resource.key.field.as_str()));
        if body_has_key { format!("{} ?? {fresh}()", member(body, &resource.key.field)) } else { format!("{fresh}()") }
    }

    /// Opens the collection factory's body: the outbox, then `const options = fn({`.
    fn factory_open(&mut self, out: &mut String, plan: &Plan, id: &str, options_fn: &str) {
        if let Some(send) = &plan.send_write {
            let outbox = self.sync("Outbox");
            call(out, "    ", "const outbox = new ", &outbox, &["sync".to_owned(), id.to_owned(), send.clone()], ";");
        }
        let _ = writeln!(out, "    const options = {options_fn}({{");
    }

    /// Closes the factory: makes the collection and re-applies an earlier session's writes.
    fn factory_close(
        &mut self,
        out: &mut String,
        resource: &Resource,
        plan: &Plan,
        create_collection: &str,
        item: &str,
    ) {
        let _ = writeln!(out, "    }});");
        if plan.send_write.is_none() {
            let _ = writeln!(out, "    return {create_collection}(options);");
            return;
        }
        let _ = writeln!(out, "    const collection = {create_collection}(options);");
        let _ = writeln!(out, "    // Writes an earlier session or another tab queued: new rows show at once, and");
        let _ = writeln!(out, "    // each keeps its queue id, so it is sent once however many tabs find it.");
        let _ = writeln!(out, "    for (const entry of outbox.leftovers()) {{");
        match plan.create_hook.as_ref().and(resource.create) {
            Some(op_id) => {
                let op = self.api.operation(op_id);
                let optimistic = self.sync("optimisticRow");
                let key = self.new_row_key(resource, op, "entry.write.body");
                let _ = writeln!(out, "      if (entry.write.kind === \"create\") {{");
                let _ = writeln!(out, "        const row: {item} = {optimistic}(entry.write.body, {{");
                property(out, "          ", &property_key(&resource.key.field), &key);
                let _ = writeln!(out, "        }});");
                let _ = writeln!(out, "        outbox.adopt({}, entry);", key_expr(resource, "row"));
                let _ = writeln!(out, "        outbox.watch(collection.insert(row).isPersisted.promise);");
                let _ = writeln!(out, "      }} else {{");
                let _ = writeln!(out, "        outbox.replay(entry);");
                let _ = writeln!(out, "      }}");
            }
            None => {
                let _ = writeln!(out, "      outbox.replay(entry);");
            }
        }
        let _ = writeln!(out, "    }}");
        let _ = writeln!(out, "    return collection;");
    }

    /// `queryFn` of a list: the reply itself, or the rows taken out of it.
    fn list_query_fn(&mut self, out: &mut String, indent: &str, resource: &Resource, list_fn: &str, args: &[String]) {
        let body = format!("{indent}  ");
        let rows = self.rows_of(resource, "reply");
        let options = ["signal", "client: sync.config"];
        if rows == "reply" {
            let _ = writeln!(out, "{indent}queryFn: ({{ signal }}) => {{");
            Self::client_call(out, &body, "return ", list_fn, args, &options, ";");
        } else {
            let _ = writeln!(out, "{indent}queryFn: async ({{ signal }}) => {{");
            Self::client_call(out, &body, "const reply = await ", list_fn, args, &options, ";");
            let _ = writeln!(out, "{body}return {rows};");
        }
        let _ = writeln!(out, "{indent}}},");
    }

    /// The expression that gets a list reply's rows.
    fn rows_of(&mut self, resource: &Resource, reply: &str) -> String {
        // A list that may also answer without content (`200` or `204`) resolves to `undefined`.
        let list = self.api.operation(resource.list);
        let successes = || list.responses.iter().filter(|r| r.status.is_success());
        let may_be_empty = successes().any(|r| r.body.is_none()) && successes().any(|r| r.body.is_some());
        let (rows, may_be_missing) = match &resource.list_items {
            ListItems::Array => (reply.to_owned(), may_be_empty),
            ListItems::Field(field) if may_be_empty => {
                let access = if super::writer::is_identifier(field) {
                    format!("{reply}?.{field}")
                } else {
                    format!("{reply}?.[{}]", string_literal(field))
                };
                (access, true)
            }
            ListItems::Field(field) => (member(reply, field), !self.list_field_always_present(resource, field)),
        };
        match (may_be_missing, self.list_rows_nullable(resource)) {
            (false, false) => rows,
            (true, false) => format!("{rows} ?? []"),
            // The spec lets list entries be null; a null is no row.
            (false, true) => format!("{rows}.filter({})", self.sync("present")),
            (true, true) => format!("({rows} ?? []).filter({})", self.sync("present")),
        }
    }

    /// Whether the list's array admits `null` entries.
    fn list_rows_nullable(&self, resource: &Resource) -> bool {
        let list = self.api.operation(resource.list);
        let Some(ty) = list.success().and_then(|r| r.body.as_ref()).map(|b| &b.ty) else { return false };
        let array = match &resource.list_items {
            ListItems::Array => Some(ty),
            ListItems::Field(field) => match ty {
                Ty::Named(id) => self
                    .api
                    .struct_fields(*id)
                    .and_then(|fields| fields.iter().find(|f| &f.name == field))
                    .map(|f| &f.ty),
                _ => None,
            },
        };
        let strip = |ty: &Ty| match ty {
            Ty::Nullable(inner) => inner.as_ref().clone(),
            other => other.clone(),
        };
        matches!(array.map(strip), Some(Ty::Array(item)) if matches!(*item, Ty::Nullable(_)))
    }

    fn list_field_always_present(&self, resource: &Resource, field: &str) -> bool {
        let list = self.api.operation(resource.list);
        let Some(Ty::Named(id)) = list.success().and_then(|r| r.body.as_ref()).map(|b| &b.ty) else { return false };
        self.api
            .struct_fields(*id)
            .and_then(|fields| fields.iter().find(|f| f.name == field))
            .is_some_and(|f| f.required && !matches!(f.ty, Ty::Nullable(_)))
    }

    /// `const params: XParams = { ... };` for `op`, or nothing when it takes no parameters.
    fn params_const(
        &mut self,
        out: &mut String,
        indent: &str,
        resource: &Resource,
        op: OperationId,
        key: &str,
    ) -> bool {
        let names = self.client.operations[op.0].clone();
        let Some(params) = &names.params else { return false };
        let members = derive_params(self.api, resource, self.client, self.api.operation(op), &names, key)
            .expect("the plan only keeps operations whose parameters can be derived");
        let ty = self.params_type(params);
        if members.is_empty() {
            let _ = writeln!(out, "{indent}const params: {ty} = {{}};");
        } else {
            let _ = writeln!(out, "{indent}const params: {ty} = {{");
            for (name, value) in members {
                property(out, &format!("{indent}  "), &name, &value);
            }
            let _ = writeln!(out, "{indent}}};");
        }
        true
    }

    /// The argument list of a client call: params, body, then options.
    fn call_args(op: &OperationApi, has_params: bool, body: Option<&str>) -> Vec<String> {
        let mut args = Vec::new();
        if has_params && op.params.is_some() {
            args.push("params".to_owned());
        }
        if let Some(body) = body {
            args.push(body.to_owned());
        }
        args
    }

    /// `{lead}fn(args, {\n  options\n}){tail}`: the options object stays expanded, so prettier
    /// hugs it as the last argument when it can.
    fn client_call(
        out: &mut String,
        indent: &str,
        lead: &str,
        function: &str,
        args: &[String],
        options: &[&str],
        tail: &str,
    ) {
        let options: Vec<String> = options.iter().map(|o| (*o).to_owned()).collect();
        call_with_object(out, indent, lead, function, args, &options, tail);
    }

    fn scope_key(&self, resource: &Resource, name: &str) -> String {
        let scoped = self.client.operations[resource.list.0].params.is_some();
        if scoped { format!("`{name}:${{JSON.stringify(scope)}}`") } else { string_literal(name) }
    }

    /// A TanStack Query key under the resource's prefix: `[name, scope?, ...rest]`, so that
    /// invalidating `[name, scope]` refreshes the scope's list and items alike.
    fn query_key(&self, resource: &Resource, rest: &[&str]) -> String {
        let mut parts = vec![string_literal(&resource.name)];
        if self.client.operations[resource.list.0].params.is_some() {
            parts.push("scope".to_owned());
        }
        parts.extend(rest.iter().map(|s| (*s).to_owned()));
        format!("[{}]", parts.join(", "))
    }

    fn rest_collection(&mut self, out: &mut String, resource: &Resource, plan: &Plan, factory: &str) {
        let sync_ty = self.sync("Sync");
        let collection_for = self.sync("collectionFor");
        let create_collection = self.framework("createCollection");
        let options_fn = self.framework("queryCollectionOptions");
        let scope = self.scope_param(resource);
        let list_fn = self.client_fn(resource.list);
        out.push('\n');
        doc_comment(
            out,
            "",
            [Some(
                format!(
                    "The live {}: loaded from `GET {}`, refetched after writes and every `pollInterval`.",
                    resource.name,
                    resource.collection_path.replace("*/", "*\\/")
                )
                .as_str(),
            )],
        );
        let mut params = vec![Param::new("sync", TypeDoc::Text(sync_ty))];
        params.extend(scope.as_ref().map(|p| Param { lead: p.lead.clone(), ty: p.ty.clone(), default: p.default }));
        signature(out, "", &format!("function {factory}"), &params, None, " {");
        let id = self.scope_key(resource, &resource.name);
        let _ = writeln!(out, "  return {collection_for}(sync, {id}, () => {{");
        self.factory_open(out, plan, &id, &options_fn);
        let _ = writeln!(out, "      id: {id},");
        let _ = writeln!(out, "      queryKey: {},", self.query_key(resource, &["\"live\""]));
        let args = if scope.is_some() { vec!["scope".to_owned()] } else { vec![] };
        self.list_query_fn(out, "      ", resource, &list_fn, &args);
        let _ = writeln!(out, "      queryClient: sync.queryClient,");
        let _ = writeln!(out, "      getKey: (row) => {},", key_expr(resource, "row"));
        let _ = writeln!(out, "      refetchInterval: sync.config.pollInterval ?? DEFAULT_POLL_INTERVAL,");
        self.handlers(out, resource, plan, false);
        let item = self.ty(&Ty::Named(resource.item)).flat();
        self.factory_close(out, resource, plan, &create_collection, &item);
        let _ = writeln!(out, "  }});");
        let _ = writeln!(out, "}}");
    }

    fn shape_collection(&mut self, out: &mut String, resource: &Resource, plan: &Plan, factory: &str, item: &str) {
        let SyncSource::Shape(shape) = &resource.source else { return };
        let sync_ty = self.sync("Sync");
        let collection_for = self.sync("collectionFor");
        let shape_url = self.sync("shapeUrl");
        let create_collection = self.framework("createCollection");
        let options_fn = self.framework("electricCollectionOptions");
        let scope = self.scope_param(resource);
        out.push('\n');
        doc_comment(
            out,
            "",
            [Some(
                format!(
                    "The live {}: rows stream from the `{}` shape; writes go through the API.",
                    resource.name,
                    shape.table.replace("*/", "*\\/")
                )
                .as_str(),
            )],
        );
        let mut params = vec![Param::new("sync", TypeDoc::Text(sync_ty))];
        params.extend(scope.as_ref().map(|p| Param { lead: p.lead.clone(), ty: p.ty.clone(), default: p.default }));
        signature(out, "", &format!("function {factory}"), &params, None, " {");
        let id = self.scope_key(resource, &resource.name);
        let _ = writeln!(out, "  return {collection_for}(sync, {id}, () => {{");
        self.factory_open(out, plan, &id, &options_fn);
        let _ = writeln!(out, "      id: {id},");
        let _ = writeln!(out, "      shapeOptions: {{");
        let _ = writeln!(out, "        url: {shape_url}(sync),");
        let _ = writeln!(out, "        params: {{");
        let _ = writeln!(out, "          table: {},", string_literal(&shape.table));
        if let Some(filter) = &shape.where_clause {
            let _ = writeln!(out, "          where: {},", string_literal(filter));
        }
        if !shape.columns.is_empty() {
            let columns: Vec<String> = shape.columns.iter().map(|c| string_literal(c)).collect();
            let flat = format!("          columns: [{}],", columns.join(", "));
            if super::writer::fits(&flat) {
                let _ = writeln!(out, "{flat}");
            } else {
                let _ = writeln!(out, "          columns: [");
                for column in columns {
                    let _ = writeln!(out, "            {column},");
                }
                let _ = writeln!(out, "          ],");
            }
        }
        let _ = writeln!(out, "        }},");
        let _ = writeln!(out, "        // Postgres int8 arrives as text; the API's types say number.");
        let _ = writeln!(out, "        parser: {{");
        let _ = writeln!(out, "          int8: (value: string) => Number(value),");
        let _ = writeln!(out, "        }},");
        let _ = writeln!(out, "      }},");
        let _ = writeln!(out, "      getKey: (row: {item}) => {},", key_expr(resource, "row"));
        self.handlers(out, resource, plan, true);
        self.factory_close(out, resource, plan, &create_collection, item);
        let _ = writeln!(out, "  }});");
        let _ = writeln!(out, "}}");
    }

    /// `onInsert`, `onUpdate` and `onDelete`: call the API, keep its reply for `mutateAsync`,
    /// then wait for the write to come back (refetch for REST; the txid or the row for a shape).
    fn handlers(&mut self, out: &mut String, resource: &Resource, plan: &Plan, shape: bool) {
        let keep_reply = self.sync("keepReply");
        let key_field = member("mutation.original", &resource.key.field);
        let update_source = match resource.update.map(|id| self.api.operation(id).method) {
            Some(crate::model::Method::Patch) => "changes",
            _ => "modified",
        };
        let roles = [
            ("onInsert", plan.create_hook.as_ref().and(resource.create), plan.create_fields.clone(), "modified"),
            // PATCH sends only what changed; PUT replaces the whole item.
            ("onUpdate", plan.update_hook.as_ref().and(resource.update), plan.update_fields.clone(), update_source),
            ("onDelete", plan.delete_hook.as_ref().and(resource.delete), None, ""),
        ];
        for (handler, op, fields, source) in roles {
            let Some(op_id) = op else { continue };
            let op = self.api.operation(op_id);
            let names = self.client.operations[op_id.0].clone();
            let _ = writeln!(out, "      {handler}: async ({{ transaction, collection }}) => {{");
            if shape {
                let _ = writeln!(out, "        const txids: number[] = [];");
            }
            let _ = writeln!(out, "        for (const mutation of transaction.mutations) {{");
            let indent = "          ";
            let key = if handler == "onInsert" {
                member("mutation.modified", &resource.key.field)
            } else {
                key_field.clone()
            };
            let has_params = self.params_const(out, indent, resource, op_id, &key);
            let body = if op.body.is_some() {
                let ty = self.body_ty(op).flat();
                let value = format!("mutation.{source}");
                match &fields {
                    Some(fields) => {
                        let pick = self.sync("pick");
                        call(out, indent, &format!("const body: {ty} = "), &pick, &[value, fields.clone()], ";");
                    }
                    None => {
                        let strip = self.sync("withoutVirtualProps");
                        call(out, indent, &format!("const body: {ty} = "), &strip, &[value], ";");
                    }
                }
                Some("body")
            } else {
                None
            };
            let kind = match handler {
                "onInsert" => "create",
                "onUpdate" => "update",
                _ => "delete",
            };
            let write_type = plan.write_type.as_deref().expect("live resources with writes have a write type");
            let _ = writeln!(out, "{indent}const write: {write_type} = {{");
            let _ = writeln!(out, "{indent}  kind: \"{kind}\",");
            if has_params && names.params.is_some() {
                let _ = writeln!(out, "{indent}  params,");
            }
            if body.is_some() {
                let _ = writeln!(out, "{indent}  body,");
            }
            let _ = writeln!(out, "{indent}}};");
            let mut args = vec!["outbox.entryId(mutation)".to_owned(), "write".to_owned()];
            if shape {
                args.push("txids".to_owned());
            }
            call(out, indent, "const reply = await ", "outbox.deliver", &args, ";");
            let _ = writeln!(out, "{indent}{keep_reply}(transaction, reply);");
            if shape {
                // Without a txid, wait for the row itself to stream back.
                let is_change = self.framework("isChangeMessage");
                let _ = writeln!(out, "{indent}if (txids.length === 0) {{");
                let _ = writeln!(out, "{indent}  const key = {key};");
                let value_key = member("message.value", &resource.key.field);
                let _ = writeln!(out, "{indent}  await collection.utils.awaitMatch((message) => {{");
                let _ = writeln!(out, "{indent}    return {is_change}(message) && {value_key} === key;");
                let _ = writeln!(out, "{indent}  }});");
                let _ = writeln!(out, "{indent}}}");
            }
            let _ = writeln!(out, "        }}");
            if shape {
                let _ = writeln!(out, "        return txids.length > 0 ? {{ txid: txids }} : undefined;");
            } else {
                let _ = writeln!(out, "        // Refetch here rather than after the handler, so the write's promise");
                let _ = writeln!(out, "        // settles only once the server's rows are in.");
                let _ = writeln!(out, "        await collection.utils.refetch();");
                let _ = writeln!(out, "        return {{ refetch: false }};");
            }
            let _ = writeln!(out, "      }},");
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn hook_head(
        &mut self,
        out: &mut String,
        resource: &Resource,
        doc: &str,
        name: &str,
        lead: Vec<Param>,
        ret: TypeDoc,
        reads: bool,
    ) {
        out.push('\n');
        doc_comment(out, "", [Some(doc)]);
        let mut params = lead;
        params.extend(self.scope_param(resource));
        if reads {
            let ty = self.sync("ResourceOptions");
            let mut options = Param::new("options", TypeDoc::Text(ty));
            options.default = " = {}";
            params.push(options);
        }
        signature(out, "", &format!("export function {name}"), &params, Some(&ret), " {");
    }

    fn generic(&mut self, name: &str, args: Vec<TypeDoc>) -> TypeDoc {
        TypeDoc::Generic(self.sync(name), args)
    }

    fn collection_line(&mut self, out: &mut String, resource: &Resource, plan: &Plan) {
        self.sync("useHeld");
        let factory = plan.collection.as_deref().expect("live resources have a collection");
        let scope = if self.client.operations[resource.list.0].params.is_some() { ", scope" } else { "" };
        let _ = writeln!(out, "  const collection = {factory}(useSync(){scope});");
        let _ = writeln!(out, "  useHeld(collection);");
    }

    fn list_hook(&mut self, out: &mut String, resource: &Resource, plan: &Plan, item: &str) {
        self.sync("useSync");
        let mode = if resource.mode == SyncMode::Live {
            "live: read from the local collection"
        } else {
            "push: fetched with TanStack Query"
        };
        let doc = format!("The {} (`GET {}`), {mode}.", resource.name, resource.collection_path.replace("*/", "*\\/"));
        let ret = self.generic("ListResult", vec![TypeDoc::text(item)]);
        self.hook_head(out, resource, &doc, &plan.list_hook, Vec::new(), ret, true);
        let scoped = self.client.operations[resource.list.0].params.is_some();
        if resource.mode == SyncMode::Live {
            let from_live = self.sync("listFromLive");
            self.collection_line(out, resource, plan);
            self.live_query_line(out);
            let state = self.live_state(resource);
            call(out, "  ", "return ", &from_live, &["query".to_owned(), state], ";");
        } else {
            let use_query = self.framework("useQuery");
            let from_query = self.sync("listFromQuery");
            let list_fn = self.client_fn(resource.list);
            let _ = writeln!(out, "  const sync = useSync();");
            let _ = writeln!(out, "  const query = {use_query}({{");
            let _ = writeln!(out, "    ...options,");
            let _ = writeln!(out, "    queryKey: {},", self.query_key(resource, &[]));
            let args = if scoped { vec!["scope".to_owned()] } else { vec![] };
            self.list_query_fn(out, "    ", resource, &list_fn, &args);
            let _ = writeln!(out, "  }});");
            let _ = writeln!(out, "  return {from_query}(query);");
        }
        let _ = writeln!(out, "}}");
    }

    /// The collection's sync state for the unified result.
    fn live_state(&mut self, resource: &Resource) -> String {
        match resource.source {
            SyncSource::Rest => "collection.utils".to_owned(),
            SyncSource::Shape(_) => self.sync("STREAMED"),
        }
    }

    /// `const query = useLiveQuery(...)`: the collection, or nothing while `enabled` is false.
    fn live_query_line(&mut self, out: &mut String) {
        let use_live = self.framework("useLiveQuery");
        // Without a deps array: useLiveQuery tells the query's identity by the collection.
        let _ = writeln!(out, "  const query = {use_live}(() =>");
        let _ = writeln!(out, "    options.enabled === false ? undefined : collection,");
        let _ = writeln!(out, "  );");
    }

    fn key_ty(&mut self, resource: &Resource) -> TypeDoc {
        self.ty(&resource.key.ty)
    }

    fn item_hook(&mut self, out: &mut String, resource: &Resource, plan: &Plan, hook: &str, item: &str) {
        self.sync("useSync");
        let key_ty = self.key_ty(resource);
        let get = resource.get.expect("an item hook has a get operation");
        let doc = format!("One of the {} by its `{}`.", resource.name, resource.key.field.replace("*/", "*\\/"));
        let ret = self.generic("ItemResult", vec![TypeDoc::text(item)]);
        self.hook_head(out, resource, &doc, hook, vec![Param::new("key", key_ty)], ret, true);
        if resource.mode == SyncMode::Live {
            let from_live = self.sync("itemFromLive");
            self.collection_line(out, resource, plan);
            self.live_query_line(out);
            let state = self.live_state(resource);
            let key = match &resource.key.ty {
                Ty::String(format) if *format != StringFormat::Binary => "key".to_owned(),
                Ty::Integer(_) | Ty::Number(_) => "key".to_owned(),
                _ => "String(key)".to_owned(),
            };
            call(out, "  ", "return ", &from_live, &["query".to_owned(), key, state], ";");
        } else {
            let use_query = self.framework("useQuery");
            let from_query = self.sync("itemFromQuery");
            let or_not_found = self.sync("orNotFound");
            let get_fn = self.client_fn(get);
            let _ = writeln!(out, "  const sync = useSync();");
            let _ = writeln!(out, "  const query = {use_query}({{");
            let _ = writeln!(out, "    ...options,");
            let _ = writeln!(out, "    queryKey: {},", self.query_key(resource, &["\"item\"", "key"]));
            let _ = writeln!(out, "    queryFn: ({{ signal }}) => {{");
            let has_params = self.params_const(out, "      ", resource, get, "key");
            let names = self.client.operations[get.0].clone();
            let args = Self::call_args(&names, has_params, None);
            let _ = writeln!(out, "      // A missing item is `undefined` in both modes, not an error.");
            Self::client_call(out, "      ", "const item = ", &get_fn, &args, &["signal", "client: sync.config"], ";");
            let _ = writeln!(out, "      return {or_not_found}(item);");
            let _ = writeln!(out, "    }},");
            let _ = writeln!(out, "  }});");
            let _ = writeln!(out, "  return {from_query}(query);");
        }
        let _ = writeln!(out, "}}");
    }

    /// The start of a mutation hook, up to `mutationFn`'s opening line.
    fn mutation_open(&mut self, out: &mut String, resource: &Resource, plan: &Plan, variables: Param) {
        let use_mutation = self.framework("useMutation");
        self.sync("useSync");
        if resource.mode == SyncMode::Live {
            self.collection_line(out, resource, plan);
            let _ = writeln!(out, "  const mutation = {use_mutation}({{");
            let _ = writeln!(out, "    // The write shows at once and is sent in the background, online or not.");
            let _ = writeln!(out, "    networkMode: \"always\",");
        } else {
            let _ = writeln!(out, "  const sync = useSync();");
            let _ = writeln!(out, "  const mutation = {use_mutation}({{");
        }
        signature(out, "    ", "mutationFn: ", &[variables], None, " => {");
    }

    /// The end of a mutation hook; push mode invalidates the resource's queries on success.
    fn mutation_close(&mut self, out: &mut String, resource: &Resource) {
        let _ = writeln!(out, "    }},");
        if resource.mode == SyncMode::Push {
            let _ = writeln!(out, "    onSuccess: () => {{");
            let _ = writeln!(out, "      return sync.queryClient.invalidateQueries({{");
            let _ = writeln!(out, "        queryKey: {},", self.query_key(resource, &[]));
            let _ = writeln!(out, "      }});");
            let _ = writeln!(out, "    }},");
        }
        let _ = writeln!(out, "  }});");
        let from_mutation = self.sync("fromMutation");
        let _ = writeln!(out, "  return {from_mutation}(mutation);");
        let _ = writeln!(out, "}}");
    }

    /// `return persisted<Reply>(write);`, breaking the type argument if it is long.
    fn return_persisted(&mut self, out: &mut String, reply: &TypeDoc, write: &str) {
        let persisted = self.sync("persisted");
        call(out, "      ", "return ", &format!("{persisted}<{}>", reply.flat()), &[write.to_owned()], ";");
    }

    fn create_hook(&mut self, out: &mut String, resource: &Resource, plan: &Plan, hook: &str, item: &str) {
        let op_id = resource.create.expect("a create hook has a create operation");
        let op = self.api.operation(op_id);
        let body_ty = self.body_ty(op);
        let reply_ty = self.reply_ty(op);
        let doc = format!(
            "Creates one of the {} (`POST {}`).",
            resource.name,
            resource.collection_path.replace("*/", "*\\/")
        );
        let ret = self.generic("MutationResult", vec![body_ty.clone(), reply_ty.clone()]);
        self.hook_head(out, resource, &doc, hook, Vec::new(), ret, false);
        self.mutation_open(out, resource, plan, Param::new("body", body_ty));
        if resource.mode == SyncMode::Live {
            let optimistic = self.sync("optimisticRow");
            let key = self.new_row_key(resource, op, "body");
            let _ = writeln!(out, "      // The key is made here, so the row shows before the server answers.");
            let _ = writeln!(out, "      const row: {item} = {optimistic}(body, {{");
            property(out, "        ", &property_key(&resource.key.field), &key);
            let _ = writeln!(out, "      }});");
            self.return_persisted(out, &reply_ty, "collection.insert(row)");
        } else {
            let function = self.client_fn(op_id);
            let has_params = self.params_const(out, "      ", resource, op_id, "undefined");
            let names = self.client.operations[op_id.0].clone();
            let args = Self::call_args(&names, has_params, Some("body"));
            Self::client_call(out, "      ", "return ", &function, &args, &["client: sync.config"], ";");
        }
        self.mutation_close(out, resource);
    }

    fn update_hook(&mut self, out: &mut String, resource: &Resource, plan: &Plan, hook: &str) {
        let op_id = resource.update.expect("an update hook has an update operation");
        let op = self.api.operation(op_id);
        let body_ty = self.body_ty(op);
        let reply_ty = self.reply_ty(op);
        let key_ty = self.key_ty(resource);
        let variables_ty = self.generic("UpdateVariables", vec![key_ty, body_ty]);
        let doc = format!(
            "Changes one of the {} (`{} {}`).",
            resource.name,
            op.method.http(),
            resource.item_path.as_deref().unwrap_or_default().replace("*/", "*\\/")
        );
        let ret = self.generic("MutationResult", vec![variables_ty.clone(), reply_ty.clone()]);
        self.hook_head(out, resource, &doc, hook, Vec::new(), ret, false);
        self.mutation_open(out, resource, plan, Param::new("variables", variables_ty));
        let _ = writeln!(out, "      const {{ key, changes }} = variables;");
        if resource.mode == SyncMode::Live {
            let _ = writeln!(out, "      const transaction = collection.update(key, (draft) => {{");
            let _ = writeln!(out, "        Object.assign(draft, changes);");
            let _ = writeln!(out, "      }});");
            self.return_persisted(out, &reply_ty, "transaction");
        } else {
            let function = self.client_fn(op_id);
            let has_params = self.params_const(out, "      ", resource, op_id, "key");
            let names = self.client.operations[op_id.0].clone();
            let args = Self::call_args(&names, has_params, Some("changes"));
            Self::client_call(out, "      ", "return ", &function, &args, &["client: sync.config"], ";");
        }
        self.mutation_close(out, resource);
    }

    fn delete_hook(&mut self, out: &mut String, resource: &Resource, plan: &Plan, hook: &str) {
        let op_id = resource.delete.expect("a delete hook has a delete operation");
        let op = self.api.operation(op_id);
        let reply_ty = self.reply_ty(op);
        let key_ty = self.key_ty(resource);
        let doc = format!(
            "Deletes one of the {} (`DELETE {}`).",
            resource.name,
            resource.item_path.as_deref().unwrap_or_default().replace("*/", "*\\/")
        );
        let ret = self.generic("MutationResult", vec![key_ty.clone(), reply_ty.clone()]);
        self.hook_head(out, resource, &doc, hook, Vec::new(), ret, false);
        self.mutation_open(out, resource, plan, Param::new("key", key_ty));
        if resource.mode == SyncMode::Live {
            self.return_persisted(out, &reply_ty, "collection.delete(key)");
        } else {
            let function = self.client_fn(op_id);
            let has_params = self.params_const(out, "      ", resource, op_id, "key");
            let names = self.client.operations[op_id.0].clone();
            let args = Self::call_args(&names, has_params, None);
            Self::client_call(out, "      ", "return ", &function, &args, &["client: sync.config"], ";");
        }
        self.mutation_close(out, resource);
    }
}

/// The key of `row` as TanStack DB wants it: a string or a number.
fn key_expr(resource: &Resource, row: &str) -> String {
    let access = member(row, &resource.key.field);
    match &resource.key.ty {
        Ty::String(format) if *format != StringFormat::Binary => access,
        Ty::Integer(_) | Ty::Number(_) => access,
        _ => format!("String({access})"),
    }
}
