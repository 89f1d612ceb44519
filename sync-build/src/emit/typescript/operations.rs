//! `operations.ts`: a TanStack Query hook for every operation no resource hook covers, so every
//! operation of a spec is reachable from React, with resources or without.
//!
//! Reads (`GET`, `HEAD`) get `useX(params?, options?)` over `useQuery`, plus the exported
//! `xQueryKey(params?)` and `xQueryOptions(params?, requestOptions?)` factories an app uses to
//! prefetch (`queryClient.prefetchQuery(xQueryOptions(...))`) and invalidate. Writes get
//! `useX(options?)` over `useMutation`. Both take TanStack Query's own options (`enabled`,
//! `select`, `staleTime`, `onSuccess`, ...), return TanStack Query's result (so `refetch`,
//! `isFetching` and the rest are there), and type `error` with the operation's declared
//! error statuses (`ApiError<Body, Status>`).

use std::collections::HashSet;
use std::fmt::Write as _;

use super::client::{ClientNames, OperationApi, body_type, response_type};
use super::doc::{TypeDoc, member_line};
use super::layout::{Param, call_with_object, signature};
use super::names::Module;
use super::types::{TyPrinter, TypeNames, object_alias};
use super::writer::{doc_comment, string_literal};
use crate::model::{Api, Method, Operation};
use crate::naming::Case;

/// Names `operations.ts` uses besides the API's.
const LOCALS: &[&str] = &[
    "useQuery",
    "useMutation",
    "queryOptions",
    "UseQueryResult",
    "UseMutationResult",
    "useSync",
    "QueryHookOptions",
    "MutationHookOptions",
    "RequestOptions",
    "sync",
    "params",
    "body",
    "options",
    "request",
    "signal",
    "variables",
    "base",
    "TData",
];

/// What the hooks of one operation are called.
struct Names {
    hook: String,
    /// For reads: the query key and query options factories.
    key: Option<String>,
    options: Option<String>,
    /// For writes with both parameters and a body: the variables type.
    variables: Option<String>,
}

/// Whether `op` reads (a query) rather than writes (a mutation). A `GET` with a body is sent as
/// a mutation: a query is keyed by its parameters alone.
fn is_read(op: &Operation) -> bool {
    matches!(op.method, Method::Get | Method::Head) && op.body.is_none()
}

/// Emits `operations.ts` for the operations not in `covered`, with names clear of `taken`
/// (everything else `index.ts` re-exports); `None` when every operation is covered.
pub fn emit(
    api: &Api,
    types: &TypeNames,
    client: &ClientNames,
    covered: &HashSet<usize>,
    taken: &[String],
    header: &str,
    ext: &str,
) -> Option<String> {
    let ops: Vec<usize> = (0..api.operations.len()).filter(|i| !covered.contains(i)).collect();
    if ops.is_empty() {
        return None;
    }
    let mut exported = Module::new(
        LOCALS
            .iter()
            .copied()
            .chain(super::EXPORTED_RUNTIME.iter().copied())
            .chain(types.0.iter().map(String::as_str))
            .chain(taken.iter().map(String::as_str))
            .chain(client.operations.iter().map(|op| op.function.as_str()))
            .chain(client.operations.iter().filter_map(|op| op.params.as_ref().map(|p| p.type_name.as_str())))
            .chain(client.operations.iter().filter_map(|op| op.error.as_deref())),
    );
    let names: Vec<Names> = ops
        .iter()
        .map(|&i| {
            let op = &api.operations[i];
            let read = is_read(op);
            let hook = exported.declare(&format!("use {}", op.name), Case::Camel);
            let key = read.then(|| exported.declare(&format!("{} query key", op.name), Case::Camel));
            let options = read.then(|| exported.declare(&format!("{} query options", op.name), Case::Camel));
            let variables = (!read && client.operations[i].params.is_some() && op.body.is_some())
                .then(|| exported.declare(&format!("{} variables", op.name), Case::Pascal));
            Names { hook, key, options, variables }
        })
        .collect();
    let mut module = Module::new(LOCALS.iter().copied());
    for name in &names {
        for declared in
            [Some(&name.hook), name.key.as_ref(), name.options.as_ref(), name.variables.as_ref()].into_iter().flatten()
        {
            module.claim(declared.clone());
        }
    }
    let mut ctx = Ctx {
        types,
        module,
        types_module: format!("./types{ext}"),
        client_module: format!("./client{ext}"),
        sync_module: format!("./sync{ext}"),
    };
    let mut body = String::new();
    for (&i, names) in ops.iter().zip(&names) {
        let op = &api.operations[i];
        let op_api = &client.operations[i];
        if is_read(op) {
            ctx.query(&mut body, op, op_api, names);
        } else {
            ctx.mutation(&mut body, op, op_api, names);
        }
    }
    let mut out = String::with_capacity(body.len() + 2048);
    out.push_str(header);
    out.push('\n');
    out.push_str(&ctx.module.render_imports());
    out.push_str(&body);
    Some(out)
}

struct Ctx<'a> {
    types: &'a TypeNames,
    module: Module,
    types_module: String,
    client_module: String,
    sync_module: String,
}

impl Ctx<'_> {
    fn printer_doc(&mut self, f: impl FnOnce(&mut TyPrinter<'_>) -> TypeDoc) -> TypeDoc {
        let types = self.types;
        let from = self.types_module.clone();
        let module = &mut self.module;
        let mut import = |index: usize| module.import(&from, &types.0[index], true);
        f(&mut TyPrinter { name: &mut import })
    }

    fn import_client(&mut self, name: &str, type_only: bool) -> String {
        let from = self.client_module.clone();
        self.module.uses(&from, name, type_only);
        name.to_owned()
    }

    fn import_sync(&mut self, name: &str, type_only: bool) -> String {
        let from = self.sync_module.clone();
        self.module.uses(&from, name, type_only);
        name.to_owned()
    }

    fn import_query(&mut self, name: &str, type_only: bool) -> String {
        self.module.uses("@tanstack/react-query", name, type_only);
        name.to_owned()
    }

    /// The hook's error type: the declared error statuses, or any `Error` (a failed `fetch`,
    /// or a status the spec does not declare).
    fn error_type(&mut self, op_api: &OperationApi) -> TypeDoc {
        match &op_api.error {
            Some(error) => {
                let error = self.import_client(error, true);
                TypeDoc::Union(vec![TypeDoc::Text(error), TypeDoc::text("Error")])
            }
            None => TypeDoc::text("Error"),
        }
    }

    /// The leading `params` parameter of a read's functions, when the operation has any.
    fn params_param(&mut self, op_api: &OperationApi) -> Option<Param> {
        let params = op_api.params.as_ref()?;
        let ty = self.import_client(&params.type_name, true);
        let mut param = Param::new("params", TypeDoc::Text(ty));
        if !params.required {
            param.default = " = {}";
        }
        Some(param)
    }

    fn query(&mut self, out: &mut String, op: &Operation, op_api: &OperationApi, names: &Names) {
        let function = self.import_client(&op_api.function, false);
        let key_fn = names.key.as_deref().expect("reads have a key factory");
        let options_fn = names.options.as_deref().expect("reads have an options factory");
        let reply = self.printer_doc(|printer| response_type(printer, op));
        // TanStack Query does not store `undefined`: a read without content resolves to `null`.
        let (data, empty) = match reply {
            TypeDoc::Text(text) if text == "void" => (TypeDoc::text("null"), Some("void")),
            TypeDoc::Union(members) if members.contains(&TypeDoc::text("undefined")) => {
                let members: Vec<TypeDoc> = members
                    .into_iter()
                    .map(|m| if m == TypeDoc::text("undefined") { TypeDoc::text("null") } else { m })
                    .collect();
                (TypeDoc::Union(members), Some("undefined"))
            }
            other => (other, None),
        };
        let error = self.error_type(op_api);
        let params = self.params_param(op_api);
        let route = format!("`{} {}`", op.method.http(), op.path.replace('`', "'").replace("*/", "*\\/"));

        out.push('\n');
        let key_doc = format!("The TanStack Query key of `{}` ({route}).", op_api.function);
        doc_comment(out, "", [Some(key_doc.as_str())]);
        let key_params: Vec<Param> = params.iter().map(clone_param).collect();
        signature(out, "", &format!("export function {key_fn}"), &key_params, None, " {");
        let name = string_literal(&op_api.function);
        let key = if params.is_some() { format!("[{name}, params]") } else { format!("[{name}]") };
        let line = format!("  return {key} as const;");
        if super::writer::fits(&line) {
            let _ = writeln!(out, "{line}");
        } else if params.is_some() {
            let _ = writeln!(out, "  return [\n    {name},\n    params,\n  ] as const;");
        } else {
            let _ = writeln!(out, "  return [\n    {name},\n  ] as const;");
        }
        let _ = writeln!(out, "}}");

        out.push('\n');
        let options_doc = format!(
            "TanStack Query options for `{}`: for `useQuery`, `prefetchQuery` and `ensureQueryData`.",
            op_api.function
        );
        doc_comment(out, "", [Some(options_doc.as_str())]);
        let request_options = self.import_client("RequestOptions", true);
        let mut options_params: Vec<Param> = params.iter().map(clone_param).collect();
        let mut request = Param::new("request", TypeDoc::Text(request_options));
        request.default = " = {}";
        options_params.push(request);
        signature(out, "", &format!("export function {options_fn}"), &options_params, None, " {");
        let query_options = self.import_query("queryOptions", false);
        let key_ty = TypeDoc::Generic("ReturnType".to_owned(), vec![TypeDoc::text(format!("typeof {key_fn}"))]);
        let key_args = if params.is_some() { "params" } else { "" };
        let call_args: Vec<String> = op_api.params.iter().map(|_| "params".to_owned()).collect();
        let request_members = ["...request".to_owned(), "signal".to_owned()];
        let _ = writeln!(out, "  return {query_options}({{");
        query_key_property(out, "    ", key_fn, key_args);
        query_fn(out, "    ", &function, &call_args, empty, &request_members);
        let _ = writeln!(out, "  }});");
        let _ = writeln!(out, "}}");

        out.push('\n');
        let summary = op.summary.as_deref();
        let doc = op.doc.as_deref().filter(|doc| Some(doc.trim()) != summary.map(str::trim));
        let deprecated = op.deprecated.then_some("@deprecated");
        let hook_doc = format!("`{}` as a TanStack Query query ({route}).", op_api.function);
        doc_comment(out, "", [summary, doc, Some(hook_doc.as_str()), deprecated]);
        let hook_options = self.import_sync("QueryHookOptions", true);
        let result = self.import_query("UseQueryResult", true);
        let use_query = self.import_query("useQuery", false);
        let use_sync = self.import_sync("useSync", false);
        let error_doc = error.clone();
        let key_doc = key_ty.clone();
        let options_ty =
            TypeDoc::Generic(hook_options, vec![data.clone(), error.clone(), TypeDoc::text("TData"), key_ty]);
        let mut hook_params: Vec<Param> = params.iter().map(clone_param).collect();
        let mut options = Param::new("options", options_ty);
        options.default = " = {}";
        hook_params.push(options);
        let ret = TypeDoc::Generic(result, vec![TypeDoc::text("TData"), error]);
        let head = format!("export function {}<TData = {}>", names.hook, data.flat());
        if super::writer::fits(&format!("{head}(")) {
            signature(out, "", &head, &hook_params, Some(&ret), " {");
        } else {
            // prettier breaks the type parameters on their own, then lays out the rest.
            let line = format!("  TData = {},", data.flat());
            let line = if super::writer::fits(&line) { line } else { format!("  TData =\n    {},", data.flat()) };
            let _ = writeln!(out, "export function {}<\n{line}", names.hook);
            signature(out, "", ">", &hook_params, Some(&ret), " {");
        }
        let _ = writeln!(out, "  const sync = {use_sync}();");
        let generic = TypeDoc::Generic(use_query, vec![data.clone(), error_doc, TypeDoc::text("TData"), key_doc]);
        let call_args: Vec<String> = op_api.params.iter().map(|_| "params".to_owned()).collect();
        let request = ["signal".to_owned(), "client: sync.config".to_owned()];
        generic_call(out, &generic, |out, indent| {
            let _ = writeln!(out, "{indent}...options,");
            query_key_property(out, indent, key_fn, key_args);
            query_fn(out, indent, &function, &call_args, empty, &request);
        });
        let _ = writeln!(out, "}}");
    }

    fn mutation(&mut self, out: &mut String, op: &Operation, op_api: &OperationApi, names: &Names) {
        let function = self.import_client(&op_api.function, false);
        let reply = self.printer_doc(|printer| response_type(printer, op));
        let error = self.error_type(op_api);
        let body = op.body.as_ref().map(|b| {
            let (media, ty) = (b.media, b.ty.clone());
            let doc = self.printer_doc(|printer| body_type(printer, media, &ty));
            (doc, b.required)
        });
        let params_ty = op_api.params.as_ref().map(|p| self.import_client(&p.type_name, true));
        let route = format!("`{} {}`", op.method.http(), op.path.replace('`', "'").replace("*/", "*\\/"));
        // What `mutate` takes: the parameters and body together, or whichever one there is.
        let (variables, call_args): (TypeDoc, Vec<String>) = match (&params_ty, &body, &names.variables) {
            (Some(params), Some((body, required)), Some(name)) => {
                out.push('\n');
                let doc = format!("What `{}` sends: its parameters and its body.", names.hook);
                doc_comment(out, "", [Some(doc.as_str())]);
                let optional = if *required { "" } else { "?" };
                object_alias(out, &format!("export type {name}"), |out, indent| {
                    let _ = writeln!(out, "{}", member_line(indent, "params", &TypeDoc::text(params.clone()), ";"));
                    let _ = writeln!(out, "{}", member_line(indent, &format!("body{optional}"), body, ";"));
                });
                (TypeDoc::text(name.clone()), vec!["variables.params".to_owned(), "variables.body".to_owned()])
            }
            (Some(params), None, _) => (TypeDoc::text(params.clone()), vec!["variables".to_owned()]),
            (None, Some((body, true)), _) => (body.clone(), vec!["variables".to_owned()]),
            (None, Some((body, false)), _) => {
                let mut members = match body.clone() {
                    TypeDoc::Union(members) => members,
                    doc => vec![doc],
                };
                members.push(TypeDoc::text("void"));
                (TypeDoc::Union(members), vec!["variables ?? undefined".to_owned()])
            }
            _ => (TypeDoc::text("void"), Vec::new()),
        };
        out.push('\n');
        let summary = op.summary.as_deref();
        let doc = op.doc.as_deref().filter(|doc| Some(doc.trim()) != summary.map(str::trim));
        let deprecated = op.deprecated.then_some("@deprecated");
        let hook_doc = format!("`{}` as a TanStack Query mutation ({route}).", op_api.function);
        doc_comment(out, "", [summary, doc, Some(hook_doc.as_str()), deprecated]);
        let hook_options = self.import_sync("MutationHookOptions", true);
        let result = self.import_query("UseMutationResult", true);
        let use_mutation = self.import_query("useMutation", false);
        let use_sync = self.import_sync("useSync", false);
        let generics = vec![reply, error, variables];
        let mut options = Param::new("options", TypeDoc::Generic(hook_options, generics.clone()));
        options.default = " = {}";
        let ret = TypeDoc::Generic(result, generics.clone());
        signature(out, "", &format!("export function {}", names.hook), &[options], Some(&ret), " {");
        let _ = writeln!(out, "  const sync = {use_sync}();");
        let param = if call_args.is_empty() { "()" } else { "(variables)" };
        generic_call(out, &TypeDoc::Generic(use_mutation, generics), |out, indent| {
            let _ = writeln!(out, "{indent}...options,");
            let _ = writeln!(out, "{indent}mutationFn: {param} => {{");
            let inner = format!("{indent}  ");
            call_with_object(out, &inner, "return ", &function, &call_args, &["client: sync.config".to_owned()], ";");
            let _ = writeln!(out, "{indent}}},");
        });
        let _ = writeln!(out, "}}");
    }
}

/// `queryFn: async ({ signal }) => { ... },`: the call, with a reply without
/// content (`empty`) turned into `null`.
fn query_fn(out: &mut String, indent: &str, function: &str, args: &[String], empty: Option<&str>, request: &[String]) {
    let inner = format!("{indent}  ");
    let _ = writeln!(out, "{indent}queryFn: async ({{ signal }}) => {{");
    match empty {
        None => call_with_object(out, &inner, "return ", function, args, request, ";"),
        Some("void") => {
            call_with_object(out, &inner, "await ", function, args, request, ";");
            let _ = writeln!(out, "{inner}return null;");
        }
        Some(_) => {
            call_with_object(out, &inner, "const reply = await ", function, args, request, ";");
            let _ = writeln!(out, "{inner}return reply ?? null;");
        }
    }
    let _ = writeln!(out, "{indent}}},");
}

/// `queryKey: fn(params),`, with the call's argument on its own line when even the value on
/// a line of its own is too long.
fn query_key_property(out: &mut String, indent: &str, key_fn: &str, args: &str) {
    let value = format!("{key_fn}({args})");
    if super::writer::fits(&format!("{indent}  {value},")) || args.is_empty() {
        super::layout::property(out, indent, "queryKey", &value);
    } else {
        let _ = writeln!(out, "{indent}queryKey:\n{indent}  {key_fn}(\n{indent}    {args},\n{indent}  ),");
    }
}

/// `  return fn<A, B>({ ...members });` as prettier lays it out: hugging the object when
/// `fn<A, B>({` fits, else with the object on lines of its own when `fn<A, B>(` fits, else with
/// the type arguments one per line. `members` writes the object's members at the indent given.
fn generic_call(out: &mut String, generic: &TypeDoc, members: impl FnOnce(&mut String, &str)) {
    let hugged = format!("  return {}({{", generic.flat());
    if super::writer::fits(&hugged) {
        let _ = writeln!(out, "{hugged}");
        members(out, "    ");
        let _ = writeln!(out, "  }});");
        return;
    }
    let open = format!("  return {}(", generic.flat());
    if super::writer::fits(&open) {
        let _ = writeln!(out, "{open}\n    {{");
        members(out, "      ");
        let _ = writeln!(out, "    }},\n  );");
        return;
    }
    let TypeDoc::Generic(name, args) = generic else { return };
    let _ = writeln!(out, "  return {name}<");
    for (i, arg) in args.iter().enumerate() {
        let comma = if i + 1 == args.len() { "" } else { "," };
        let _ = writeln!(out, "    {}{comma}", arg.layout("    ", 4, comma.len()));
    }
    let _ = writeln!(out, "  >({{");
    members(out, "    ");
    let _ = writeln!(out, "  }});");
}

fn clone_param(param: &Param) -> Param {
    Param { lead: param.lead.clone(), ty: param.ty.clone(), default: param.default }
}
