//! `client.ts`: a typed `fetch` client with one function per operation.
//!
//! Each function takes the operation's parameters as one object (`GetContactParams`, keyed by
//! the parameters' wire names), then its body, then per-call options, and returns the decoded
//! success body. The shared request code is a fixed template (`client_runtime.ts`).

use std::fmt::Write as _;

use super::doc::{TypeDoc, member_line};
use super::layout::{Param, property, signature};
use super::names::Module;
use super::types::{TyPrinter, TypeNames, object_alias};
use super::writer::{doc_comment, fits, member, property_key, string_literal};
use crate::model::{Api, MediaKind, Operation, ParamLocation, ParamStyle, Status, Ty};
use crate::naming::Case;

const RUNTIME: &str = include_str!("client_runtime.ts");

/// Where `RUNTIME`'s request code starts.
const REQUEST_MARKER: &str = "/**\n * How a query parameter is written";

/// Names `client.ts` declares itself (in `RUNTIME` and around it).
const RESERVED: &[&str] = &[
    "ClientConfig",
    "AuthHeaders",
    "RequestOptions",
    "ApiError",
    "configureClient",
    "clientConfig",
    "QueryStyle",
    "BodyKind",
    "RequestSpec",
    "request",
    "encodePath",
    "queryString",
    "scalarList",
    "encodeBody",
    "decodeErrorBody",
    "summary",
    "defaultConfig",
    "DEFAULT_BASE_URL",
    "BodyInit",
    "RequestInit",
    "WithResponse",
    "withResponse",
    "bracketPairs",
    "encodeForm",
    "encodeMultipart",
];

/// What other modules need to call an operation.
#[derive(Debug, Clone)]
pub struct OperationApi {
    pub function: String,
    /// The parameters type, when the operation has parameters.
    pub params: Option<ParamsApi>,
    /// `ApiError<...>` over the error statuses the spec declares, when it declares any.
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ParamsApi {
    pub type_name: String,
    /// The property of each of the operation's parameters, in `Operation::params` order.
    pub keys: Vec<String>,
    /// True when at least one parameter is required.
    pub required: bool,
}

/// The exported names of `client.ts`, per operation (indexed like [`Api::operations`]).
pub struct ClientNames {
    pub operations: Vec<OperationApi>,
}

impl ClientNames {
    /// Operation names avoid the type names too: `index.ts` re-exports both modules.
    pub fn new(api: &Api, types: &TypeNames) -> Self {
        let reserved = RESERVED.iter().chain(super::EXPORTED_RUNTIME).copied();
        let mut module = Module::new(reserved.chain(types.0.iter().map(String::as_str)));
        let operations = api
            .operations
            .iter()
            .map(|op| {
                let function = module.declare(&op.name, Case::Camel);
                let params = (!op.params.is_empty()).then(|| ParamsApi {
                    type_name: module.declare(&format!("{} Params", op.name), Case::Pascal),
                    keys: param_keys(op),
                    required: op.params.iter().any(|p| p.required),
                });
                let error = op
                    .responses
                    .iter()
                    .any(|r| !r.status.is_success())
                    .then(|| module.declare(&format!("{} Error", op.name), Case::Pascal));
                OperationApi { function, params, error }
            })
            .collect();
        ClientNames { operations }
    }
}

/// Params object keys: the wire names, with a later parameter that repeats a name in another
/// location (`id` in path and query) suffixed by its location.
fn param_keys(op: &Operation) -> Vec<String> {
    let mut keys: Vec<String> = Vec::with_capacity(op.params.len());
    for param in &op.params {
        let mut key = param.name.clone();
        if keys.contains(&key) {
            let location = match param.location {
                ParamLocation::Path => "path",
                ParamLocation::Query => "query",
                ParamLocation::Header => "header",
                ParamLocation::Cookie => "cookie",
            };
            key = format!("{key}_{location}");
            let mut n = 2;
            while keys.contains(&key) {
                key = format!("{}_{location}{n}", param.name);
                n += 1;
            }
        }
        keys.push(key);
    }
    keys
}

/// The TypeScript type of an operation's body argument. A multipart body is the schema's
/// object (its binary fields as `Blob`s or `File`s), or a `FormData` built by hand.
pub fn body_type(printer: &mut TyPrinter<'_>, media: MediaKind, ty: &Ty) -> TypeDoc {
    match media {
        MediaKind::Json | MediaKind::Form => printer.doc(ty),
        MediaKind::Multipart => match printer.doc(ty) {
            TypeDoc::Text(text) if text == "unknown" => TypeDoc::text("FormData"),
            TypeDoc::Union(mut members) => {
                members.push(TypeDoc::text("FormData"));
                TypeDoc::Union(members)
            }
            doc => TypeDoc::Union(vec![doc, TypeDoc::text("FormData")]),
        },
        MediaKind::Text => TypeDoc::text("string"),
        MediaKind::Binary => TypeDoc::text("Blob"),
    }
}

/// The TypeScript type of a response body.
fn media_type(printer: &mut TyPrinter<'_>, body: &crate::model::ResponseBody) -> TypeDoc {
    match body.media {
        MediaKind::Json => printer.doc(&body.ty),
        MediaKind::Text => TypeDoc::text("string"),
        MediaKind::Binary | MediaKind::Multipart | MediaKind::Form => TypeDoc::text("Blob"),
    }
}

/// Adds the members of `doc` to the union `members`, each once.
fn push_members(members: &mut Vec<TypeDoc>, doc: TypeDoc) {
    let docs = match doc {
        TypeDoc::Union(docs) => docs,
        doc => vec![doc],
    };
    for doc in docs {
        if !members.contains(&doc) {
            members.push(doc);
        }
    }
}

/// The TypeScript type a successful call resolves to: the bodies of every success status the
/// spec declares, and `undefined` beside them when one of those statuses has no content
/// (`201` with the new item or `204`); `void` when none has a body.
pub fn response_type(printer: &mut TyPrinter<'_>, op: &Operation) -> TypeDoc {
    let successes: Vec<&crate::model::Response> = op.responses.iter().filter(|r| r.status.is_success()).collect();
    let mut members = Vec::new();
    for response in &successes {
        if let Some(body) = &response.body {
            push_members(&mut members, media_type(printer, body));
        }
    }
    if members.is_empty() {
        return TypeDoc::text("void");
    }
    if successes.iter().any(|r| r.body.is_none()) {
        push_members(&mut members, TypeDoc::text("undefined"));
    }
    if members.len() == 1 { members.remove(0) } else { TypeDoc::Union(members) }
}

/// Emits `client.ts`.
pub fn emit(api: &Api, types: &TypeNames, names: &ClientNames, header: &str, ext: &str) -> String {
    let types_module = format!("./types{ext}");
    let mut module = Module::new(RESERVED.iter().copied());
    for op in &names.operations {
        module.claim(op.function.clone());
        if let Some(params) = &op.params {
            module.claim(params.type_name.clone());
        }
        if let Some(error) = &op.error {
            module.claim(error.clone());
        }
    }
    let mut body = String::with_capacity(api.operations.len() * 1024 + RUNTIME.len());
    let base_url = api.servers.first().map_or("", String::as_str);
    let _ = writeln!(body, "/** The first server the spec lists; `configureClient` sets another. */");
    let _ = writeln!(body, "const DEFAULT_BASE_URL = {};\n", string_literal(base_url));
    if api.operations.is_empty() {
        // No operation calls `request`; keep only the configuration and error types.
        let end = RUNTIME.find(REQUEST_MARKER).expect("the runtime has its request section");
        body.push_str(RUNTIME[..end].trim_end());
        body.push('\n');
    } else {
        body.push_str(RUNTIME);
    }
    if api.operations.iter().any(|op| op.params.iter().any(|p| p.location == ParamLocation::Path)) {
        body.push_str(
            "\n/** A path parameter, encoded so a `/` or `?` in it cannot change the path. */\n\
             function encodePath(value: unknown): string {\n  return encodeURIComponent(String(value));\n}\n",
        );
    }
    for (op, op_names) in api.operations.iter().zip(&names.operations) {
        let mut import = |index: usize| module.import(&types_module, &types.0[index], true);
        let mut printer = TyPrinter { name: &mut import };
        body.push('\n');
        operation(&mut body, &mut printer, op, op_names);
    }
    let mut out = String::with_capacity(body.len() + 4096);
    out.push_str(header);
    let imports = module.render_imports();
    if !imports.is_empty() {
        out.push('\n');
        out.push_str(&imports);
    }
    out.push('\n');
    out.push_str(&body);
    out
}

fn operation(out: &mut String, printer: &mut TyPrinter<'_>, op: &Operation, names: &OperationApi) {
    if let Some(params) = &names.params {
        params_type(out, printer, op, &names.function, params);
        out.push('\n');
    }
    let method = op.method.http();
    let summary = op.summary.as_deref();
    let doc = op.doc.as_deref().filter(|doc| Some(doc.trim()) != summary.map(str::trim));
    let route = format!("`{method} {}`", op.path.replace('`', "'"));
    let deprecated = op.deprecated.then_some("@deprecated");
    doc_comment(out, "", [summary, doc, Some(&route), deprecated]);

    let mut args: Vec<Param> = Vec::new();
    if let Some(params) = &names.params {
        args.push(Param::new("params", TypeDoc::text(params.type_name.clone())));
    }
    if let Some(body) = &op.body {
        let ty = body_type(printer, body.media, &body.ty);
        let optional = if body.required { "" } else { "?" };
        args.push(Param::new(format!("body{optional}"), ty));
    }
    args.push(Param::new("options?", TypeDoc::text("RequestOptions")));
    let ret = TypeDoc::Generic("Promise".to_owned(), vec![response_type(printer, op)]);
    let head = format!("export function {}", names.function);
    signature(out, "", &head, &args, Some(&ret), " {");

    let _ = writeln!(out, "  return request(options, {{");
    let _ = writeln!(out, "    method: {},", string_literal(method));
    property(out, "    ", "path", &path_expression(op, names));
    let keys = names.params.as_ref().map(|p| p.keys.as_slice()).unwrap_or_default();
    for (location, field) in
        [(ParamLocation::Query, "query"), (ParamLocation::Header, "headers"), (ParamLocation::Cookie, "cookies")]
    {
        let members: Vec<(String, String)> = op
            .params
            .iter()
            .zip(keys)
            .filter(|(param, _)| param.location == location)
            .map(|(param, key)| (property_key(&param.name), member("params", key)))
            .collect();
        if members.is_empty() {
            continue;
        }
        let _ = writeln!(out, "    {field}: {{");
        for (name, value) in members {
            property(out, "      ", &name, &value);
        }
        let _ = writeln!(out, "    }},");
    }
    let styles: Vec<(String, &str)> = op
        .params
        .iter()
        .filter(|param| param.location == ParamLocation::Query)
        .filter_map(|param| {
            let style = match (param.style, param.explode) {
                (ParamStyle::Form, true) => return None,
                (ParamStyle::DeepObject, _) => "deepObject",
                (ParamStyle::SpaceDelimited, _) => "space",
                (ParamStyle::PipeDelimited, _) => "pipe",
                _ => "comma",
            };
            Some((property_key(&param.name), style))
        })
        .collect();
    if !styles.is_empty() {
        let _ = writeln!(out, "    queryStyle: {{");
        for (name, style) in styles {
            let _ = writeln!(out, "      {name}: \"{style}\",");
        }
        let _ = writeln!(out, "    }},");
    }
    if let Some(body) = &op.body {
        let kind = media_kind(body.media);
        let content_type = string_literal(&body.content_type);
        // Form properties the spec encodes as `deepObject`: the runtime brackets their arrays.
        let deep: Vec<String> = match body.media {
            MediaKind::Form => body
                .encoding
                .iter()
                .filter(|e| e.style == ParamStyle::DeepObject)
                .map(|e| string_literal(&e.name))
                .collect(),
            _ => Vec::new(),
        };
        let deep_field = (!deep.is_empty()).then(|| format!(", deep: [{}]", deep.join(", ")));
        let line = format!(
            "    body: {{ kind: \"{kind}\", contentType: {content_type}, value: body{} }},",
            deep_field.as_deref().unwrap_or("")
        );
        if fits(&line) {
            let _ = writeln!(out, "{line}");
        } else {
            let _ = writeln!(
                out,
                "    body: {{\n      kind: \"{kind}\",\n      contentType: {content_type},\n      value: body,"
            );
            if !deep.is_empty() {
                let list = format!("      deep: [{}],", deep.join(", "));
                if fits(&list) {
                    let _ = writeln!(out, "{list}");
                } else {
                    let _ = writeln!(out, "      deep: [");
                    for name in &deep {
                        let _ = writeln!(out, "        {name},");
                    }
                    let _ = writeln!(out, "      ],");
                }
            }
            let _ = writeln!(out, "    }},");
        }
    }
    let first_body = op.responses.iter().filter(|r| r.status.is_success()).find_map(|r| r.body.as_ref());
    let response = match first_body {
        None => "none",
        Some(body) => match body.media {
            MediaKind::Json => "json",
            MediaKind::Text => "text",
            _ => "binary",
        },
    };
    let _ = writeln!(out, "    response: \"{response}\",");
    let _ = writeln!(out, "  }});");
    let _ = writeln!(out, "}}");
    if let Some(error) = &names.error {
        error_type(out, printer, op, &names.function, error);
    }
}

/// `export type GetContactError = ApiError<NotFound, 404> | ApiError<Invalid, 422>;`: what
/// the function rejects with when the API answers with an error status the spec declares.
/// Statuses with the same body share a member (`ApiError<BasicError, 403 | 404>`); a range or
/// `default` leaves the status open, and a status without content has an `undefined` body.
fn error_type(out: &mut String, printer: &mut TyPrinter<'_>, op: &Operation, function: &str, name: &str) {
    // (body, statuses), in the spec's status order; `None` is a status the type leaves open.
    let mut groups: Vec<(TypeDoc, Vec<Option<u16>>)> = Vec::new();
    for response in op.responses.iter().filter(|r| !r.status.is_success()) {
        // `ApiError` decodes JSON bodies and keeps any other as text.
        let body = match &response.body {
            None => TypeDoc::text("undefined"),
            Some(body) if body.media == MediaKind::Json => printer.doc(&body.ty),
            Some(_) => TypeDoc::text("string"),
        };
        let status = match response.status {
            Status::Code(code) => Some(code),
            Status::Range(_) | Status::Default => None,
        };
        match groups.iter_mut().find(|(doc, _)| *doc == body) {
            Some((_, statuses)) => statuses.push(status),
            None => groups.push((body, vec![status])),
        }
    }
    let members: Vec<TypeDoc> = groups
        .into_iter()
        .map(|(body, statuses)| {
            let mut args = vec![body];
            if statuses.iter().all(Option::is_some) {
                let codes: Vec<TypeDoc> =
                    statuses.iter().flatten().map(|code| TypeDoc::Text(code.to_string())).collect();
                args.push(if codes.len() == 1 { codes[0].clone() } else { TypeDoc::Union(codes) });
            }
            TypeDoc::Generic("ApiError".to_owned(), args)
        })
        .collect();
    out.push('\n');
    let _ = writeln!(out, "/** What `{function}` rejects with when the API answers with a declared error status. */");
    if members.len() == 1 {
        let _ = writeln!(out, "{}", alias_line(&format!("export type {name}"), &members[0]));
    } else {
        let members: Vec<super::types::Member> = members
            .iter()
            .map(|m| super::types::Member { flat: m.flat(), broken: Some(m.layout("    ", 4, 0)) })
            .collect();
        super::types::union_alias(out, &format!("export type {name}"), &members);
    }
}

/// `{head} = <ty>;` for a generic, laid out as prettier lays out an alias.
fn alias_line(head: &str, ty: &TypeDoc) -> String {
    let flat = format!("{head} = {};", ty.flat());
    if fits(&flat) {
        return flat;
    }
    let breakable =
        matches!(ty, TypeDoc::Generic(_, args) if !(args.len() == 1 && matches!(args[0], TypeDoc::Text(_))));
    match ty {
        TypeDoc::Generic(name, _) if breakable && fits(&format!("{head} = {name}<")) => {
            format!("{head} = {};", ty.layout("", head.chars().count() + 3, 1))
        }
        _ => format!("{head} =\n  {};", ty.layout("  ", 2, 1)),
    }
}

fn media_kind(media: MediaKind) -> &'static str {
    match media {
        MediaKind::Json => "json",
        MediaKind::Form => "form",
        MediaKind::Multipart => "multipart",
        MediaKind::Text => "text",
        MediaKind::Binary => "binary",
    }
}

fn params_type(out: &mut String, printer: &mut TyPrinter<'_>, op: &Operation, function: &str, names: &ParamsApi) {
    let _ = writeln!(out, "/** The parameters of `{function}`. */");
    object_alias(out, &format!("export type {}", names.type_name), |out, indent| {
        for (param, key) in op.params.iter().zip(&names.keys) {
            let location = match param.location {
                ParamLocation::Path => None,
                ParamLocation::Query => Some("In the query string."),
                ParamLocation::Header => Some("A request header."),
                ParamLocation::Cookie => Some("A cookie."),
            };
            let deprecated = param.deprecated.then_some("@deprecated");
            doc_comment(out, indent, [param.doc.as_deref(), location.filter(|_| key != &param.name), deprecated]);
            let optional = if param.required { "" } else { "?" };
            let lead = format!("{}{optional}", property_key(key));
            let _ = writeln!(out, "{}", member_line(indent, &lead, &printer.doc(&param.ty), ";"));
        }
    });
}

/// The path as a template literal with each parameter encoded, or a plain string without any.
fn path_expression(op: &Operation, names: &OperationApi) -> String {
    let keys = names.params.as_ref().map(|p| p.keys.as_slice()).unwrap_or_default();
    let key_of = |name: &str| {
        op.params
            .iter()
            .zip(keys)
            .find(|(param, _)| param.location == ParamLocation::Path && param.name == name)
            .map(|(_, key)| key.as_str())
    };
    let mut has_params = false;
    let mut text = String::with_capacity(op.path.len() + 32);
    let mut rest = op.path.as_str();
    while !rest.is_empty() {
        let placeholder = rest.find('{').and_then(|open| rest[open..].find('}').map(|close| (open, open + close)));
        // Up to (not including) the next placeholder that names a path parameter; a
        // placeholder without one (the loader pairs them all) stays as text.
        let (literal, next) = match placeholder {
            Some((open, close)) => match key_of(&rest[open + 1..close]) {
                Some(key) => (&rest[..open], Some((key, close + 1))),
                None => (&rest[..=close], None),
            },
            None => (rest, None),
        };
        for c in literal.chars() {
            if matches!(c, '`' | '\\' | '$') {
                text.push('\\');
            }
            text.push(c);
        }
        rest = &rest[literal.len()..];
        if let Some((key, end)) = next {
            has_params = true;
            let _ = write!(text, "${{encodePath({})}}", member("params", key));
            rest = &rest[end - literal.len()..];
        }
    }
    if has_params { format!("`{text}`") } else { string_literal(&op.path) }
}
