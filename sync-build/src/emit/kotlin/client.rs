//! `Api.kt`: the client class, with one `suspend fun` per operation and a property per
//! resource.
//!
//! An operation's function takes its path parameters, then its other required parameters and
//! its body, then the optional ones (defaulting to `null`, which leaves them out), then
//! `RequestOptions` (extra headers, a timeout, a look at the response's headers). It returns the
//! decoded success body and throws `ApiException`, with the error body the spec declares for
//! that status decoded, for any status outside 2xx.

use std::fmt::Write as _;

use super::names::OperationNames;
use super::resources::Plan;
use super::text::{code_span, kdoc, string_content, string_literal};
use super::types::TypePrinter;
use crate::model::{MediaKind, Operation, Param, ParamLocation, ParamStyle, Status, SyncMode, Ty};

/// Emits `Api.kt`.
pub fn emit(printer: &TypePrinter<'_>, plans: &[Option<Plan>], header: &str) -> String {
    let api = printer.api;
    let names = printer.names;
    let package = printer.package;
    let has_resources = plans.iter().any(Option::is_some);
    let has_live = plans.iter().flatten().any(|plan| plan.mode == SyncMode::Live);
    let mut body = String::new();
    let title = super::text::one_line(&api.info.title);
    kdoc(
        &mut body,
        "",
        [
            Some(format!("The {} API, version {}.", title, super::text::one_line(&api.info.version)).as_str()),
            api.info.description.as_deref(),
            has_resources.then_some(
                "Resources have the same interface in push and live mode; live ones keep a local \
                 copy in sync and queue writes in an outbox (see LiveConfig). Close the client to \
                 stop syncing.",
            ),
        ],
    );
    let _ = writeln!(body, "class Api(");
    let _ = writeln!(body, "    /** Where the API is and how to reach it. */");
    let _ = writeln!(body, "    val config: ClientConfig,");
    if has_resources {
        let _ = writeln!(body, "    /** Where live resources keep their data, and how they sync. */");
        let _ = writeln!(body, "    val live: LiveConfig = LiveConfig(),");
    }
    let _ = writeln!(body, ") : AutoCloseable {{");
    let _ = writeln!(body, "    private val transport = HttpTransport(config)");
    let _ = writeln!(body, "    internal val json: Json = config.json");
    if has_live {
        let _ = writeln!(body, "    private val sync = LiveSync(transport, live)");
    }
    for (plan, resource_names) in plans.iter().zip(&names.resources) {
        let Some(plan) = plan else { continue };
        body.push('\n');
        kdoc(&mut body, "    ", [Some(plan.summary.as_str())]);
        let implementation = match plan.mode {
            SyncMode::Push => format!("{}(this)", resource_names.push),
            SyncMode::Live => format!("{}(this, sync)", resource_names.live),
        };
        let _ = writeln!(body, "    val {}: {} = {implementation}", resource_names.property, resource_names.interface);
    }
    if has_resources {
        body.push('\n');
        if has_live {
            let _ = writeln!(body, "    init {{");
            let _ = writeln!(body, "        sync.start()");
            let _ = writeln!(body, "    }}");
            body.push('\n');
        }
        kdoc(
            &mut body,
            "    ",
            [Some(
                "Queued writes of live resources that the API refused, including writes from an \
                 earlier run that no caller waits for any more; each was rolled back.",
            )],
        );
        let source = if has_live { "sync.rejections" } else { "emptyFlow()" };
        let _ = writeln!(body, "    val rejections: Flow<WriteRejected> get() = {source}");
    }
    if has_resources {
        // Push-only clients have these too (doing nothing), so flipping `x-sync` changes no calls.
        body.push('\n');
        let _ = writeln!(
            body,
            "    /** Sends queued live writes now rather than after their backoff, e.g. when back online. */"
        );
        if has_live {
            let _ = writeln!(body, "    fun retryNow() = sync.retryNow()");
        } else {
            let _ = writeln!(body, "    fun retryNow() {{}}");
        }
        body.push('\n');
        kdoc(
            &mut body,
            "    ",
            [Some(
                "Deletes the queued live writes of this base URL and user scope, sent or not, and \
                 undoes them locally: call it at sign-out.",
            )],
        );
        if has_live {
            let _ = writeln!(body, "    suspend fun clearUserScope() = sync.clearUserScope()");
        } else {
            let _ = writeln!(body, "    suspend fun clearUserScope() {{}}");
        }
    }
    for (index, op) in api.operations.iter().enumerate() {
        body.push('\n');
        operation(&mut body, printer, op, &names.methods[index], &names.params[index]);
    }
    body.push('\n');
    let _ = writeln!(body, "    override fun close() {{");
    if has_live {
        let _ = writeln!(body, "        sync.close()");
    }
    let _ = writeln!(body, "        transport.close()");
    let _ = writeln!(body, "    }}");
    let _ = writeln!(body, "}}");

    let mut imports = vec![
        format!("{package}.runtime.ClientConfig"),
        format!("{package}.runtime.HttpTransport"),
        "kotlinx.serialization.json.Json".to_owned(),
    ];
    for (needle, import) in [
        ("LiveConfig", format!("{package}.runtime.LiveConfig")),
        ("LiveSync", format!("{package}.runtime.LiveSync")),
        ("WriteRejected", format!("{package}.runtime.WriteRejected")),
        ("Flow<", "kotlinx.coroutines.flow.Flow".to_owned()),
        ("emptyFlow()", "kotlinx.coroutines.flow.emptyFlow".to_owned()),
        ("RequestOptions", format!("{package}.runtime.RequestOptions")),
        ("RequestSpec(", format!("{package}.runtime.RequestSpec")),
        ("QueryParam(", format!("{package}.runtime.QueryParam")),
        ("QueryStyle.", format!("{package}.runtime.QueryStyle")),
        ("pathParam(", format!("{package}.runtime.pathParam")),
        ("jsonBody(", format!("{package}.runtime.jsonBody")),
        ("formBody(", format!("{package}.runtime.formBody")),
        ("textBody(", format!("{package}.runtime.textBody")),
        ("bytesBody(", format!("{package}.runtime.bytesBody")),
        ("OutgoingContent", "io.ktor.http.content.OutgoingContent".to_owned()),
        ("JsonElement", "kotlinx.serialization.json.JsonElement".to_owned()),
        ("json.decodeFromString", "kotlinx.serialization.decodeFromString".to_owned()),
        ("json.encodeToString", "kotlinx.serialization.encodeToString".to_owned()),
        ("json.encodeToJsonElement", "kotlinx.serialization.json.encodeToJsonElement".to_owned()),
        ("ApiException", format!("{package}.runtime.ApiException")),
    ] {
        if body.contains(needle) {
            imports.push(import);
        }
    }
    imports.sort();
    imports.dedup();
    let mut out = String::with_capacity(body.len() + 2048);
    out.push_str(header);
    let _ = writeln!(out, "package {package}\n");
    for import in &imports {
        let _ = writeln!(out, "import {import}");
    }
    out.push('\n');
    out.push_str(&body);
    out
}

/// The Kotlin type of an operation's body argument.
pub fn body_type(printer: &TypePrinter<'_>, media: MediaKind, ty: &Ty) -> String {
    match media {
        MediaKind::Json | MediaKind::Form => printer.ty(ty, false),
        MediaKind::Multipart => "OutgoingContent".to_owned(),
        MediaKind::Text => "String".to_owned(),
        MediaKind::Binary => "ByteArray".to_owned(),
    }
}

/// The Kotlin type a successful call returns.
pub fn response_type(printer: &TypePrinter<'_>, op: &Operation) -> String {
    match op.success().and_then(|r| r.body.as_ref()) {
        None => "Unit".to_owned(),
        Some(body) => match body.media {
            MediaKind::Json => printer.ty(&body.ty, false),
            MediaKind::Text => "String".to_owned(),
            MediaKind::Binary | MediaKind::Multipart | MediaKind::Form => "ByteArray".to_owned(),
        },
    }
}

/// One argument of an operation's function: its declaration and where it sits.
struct Arg {
    declaration: String,
    /// 0: path, 1: other required, 2: optional.
    rank: u8,
}

fn operation(out: &mut String, printer: &TypePrinter<'_>, op: &Operation, method: &str, names: &OperationNames) {
    let summary = op.summary.as_deref();
    let doc = op.doc.as_deref().filter(|doc| Some(doc.trim()) != summary.map(str::trim));
    let route = code_span(&format!("{} {}", op.method.http(), op.path));
    let throws = throws_line(printer, op);
    let deprecated = op.deprecated.then_some("Deprecated.");
    let params: Vec<String> = op
        .params
        .iter()
        .zip(&names.params)
        .filter_map(|(param, name)| {
            let doc = super::text::one_line(param.doc.as_deref()?);
            (!doc.is_empty()).then(|| format!("@param {} {doc}", name.trim_matches('`')))
        })
        .collect();
    let params = (!params.is_empty()).then(|| params.join("\n"));
    kdoc(out, "    ", [summary, doc, Some(&route), deprecated, params.as_deref(), Some(&throws)]);

    let mut args: Vec<Arg> = Vec::new();
    for (param, name) in op.params.iter().zip(&names.params) {
        let ty = printer.ty(&param.ty, false);
        let (declaration, rank) = match (param.location, param.required) {
            (ParamLocation::Path, _) => (format!("{name}: {ty}"), 0),
            (_, true) => (format!("{name}: {ty}"), 1),
            (_, false) => (format!("{name}: {} = null", nullable(printer, &param.ty, &ty)), 2),
        };
        args.push(Arg { declaration, rank });
    }
    if let Some(body) = &op.body {
        let ty = body_type(printer, body.media, &body.ty);
        args.push(if body.required {
            Arg { declaration: format!("{}: {ty}", names.body), rank: 1 }
        } else {
            let json = matches!(body.media, MediaKind::Json | MediaKind::Form);
            let ty = if json { nullable(printer, &body.ty, &ty) } else { format!("{ty}?") };
            Arg { declaration: format!("{}: {ty} = null", names.body), rank: 2 }
        });
    }
    args.sort_by_key(|arg| arg.rank);
    let ret = response_type(printer, op);
    let _ = writeln!(out, "    suspend fun {method}(");
    for arg in &args {
        let _ = writeln!(out, "        {},", arg.declaration);
    }
    let _ = writeln!(out, "        options: RequestOptions = RequestOptions(),");
    if ret == "Unit" {
        let _ = writeln!(out, "    ) {{");
        let _ = writeln!(out, "        transport.send(");
    } else {
        let _ = writeln!(out, "    ): {ret} {{");
        let _ = writeln!(out, "        val response = transport.send(");
    }
    let _ = writeln!(out, "            RequestSpec(");
    let _ = writeln!(out, "                method = {},", string_literal(op.method.http()));
    let _ = writeln!(out, "                path = {},", path_expression(op, names));
    let query: Vec<String> = op
        .params
        .iter()
        .zip(&names.params)
        .filter(|(param, _)| param.location == ParamLocation::Query)
        .map(|(param, name)| {
            format!(
                "QueryParam({}, json.encodeToJsonElement({name}), QueryStyle.{})",
                string_literal(&param.name),
                query_style(param)
            )
        })
        .collect();
    list_property(out, "query", &query);
    for (location, property) in [(ParamLocation::Header, "headers"), (ParamLocation::Cookie, "cookies")] {
        let pairs: Vec<String> = op
            .params
            .iter()
            .zip(&names.params)
            .filter(|(param, _)| param.location == location)
            .map(|(param, name)| format!("{} to json.encodeToJsonElement({name})", string_literal(&param.name)))
            .collect();
        list_property(out, property, &pairs);
    }
    if let Some(body) = &op.body {
        let content_type = string_literal(&body.content_type);
        let value = if body.required { names.body.clone() } else { "it".to_owned() };
        let encoded = match body.media {
            MediaKind::Json => format!("jsonBody(json.encodeToString({value}), {content_type})"),
            MediaKind::Form => format!("formBody(json.encodeToJsonElement({value}), {content_type})"),
            MediaKind::Multipart => value.clone(),
            MediaKind::Text => format!("textBody({value}, {content_type})"),
            MediaKind::Binary => format!("bytesBody({value}, {content_type})"),
        };
        let expression = match (body.required, body.media) {
            (true, _) => encoded,
            (false, MediaKind::Multipart) => names.body.clone(),
            (false, _) => format!("{}?.let {{ {encoded} }}", names.body),
        };
        let _ = writeln!(out, "                body = {expression},");
    }
    if let Some(body) = op.success().and_then(|r| r.body.as_ref()) {
        let _ = writeln!(out, "                accept = {},", string_literal(&body.content_type));
    }
    error_body(out, printer, op);
    let _ = writeln!(out, "            ),");
    let _ = writeln!(out, "            options,");
    let _ = writeln!(out, "        )");
    match op.success().and_then(|r| r.body.as_ref()).map(|body| body.media) {
        None => {}
        Some(MediaKind::Json) => {
            let _ = writeln!(out, "        return json.decodeFromString<{ret}>(response.text)");
        }
        Some(MediaKind::Text) => {
            let _ = writeln!(out, "        return response.text");
        }
        Some(_) => {
            let _ = writeln!(out, "        return response.bytes");
        }
    }
    let _ = writeln!(out, "    }}");
}

/// `kotlin` (the Kotlin type of `ty`) made nullable, unless it already is.
fn nullable(printer: &TypePrinter<'_>, ty: &Ty, kotlin: &str) -> String {
    if printer.is_nullable(ty) { kotlin.to_owned() } else { format!("{kotlin}?") }
}

fn list_property(out: &mut String, property: &str, items: &[String]) {
    match items {
        [] => {}
        [one] => {
            let _ = writeln!(out, "                {property} = listOf({one}),");
        }
        many => {
            let _ = writeln!(out, "                {property} = listOf(");
            for item in many {
                let _ = writeln!(out, "                    {item},");
            }
            let _ = writeln!(out, "                ),");
        }
    }
}

fn query_style(param: &Param) -> &'static str {
    match (param.style, param.explode) {
        (ParamStyle::DeepObject, _) => "DeepObject",
        (ParamStyle::SpaceDelimited, _) => "SpaceDelimited",
        (ParamStyle::PipeDelimited, _) => "PipeDelimited",
        (_, true) => "FormExploded",
        (_, false) => "Form",
    }
}

/// `@throws` text naming the error bodies the spec declares.
fn throws_line(printer: &TypePrinter<'_>, op: &Operation) -> String {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for response in op.errors() {
        let Some(body) = &response.body else { continue };
        let ty = match (&body.media, &body.ty) {
            (MediaKind::Json, Ty::Named(id)) => format!("[{}]", printer.named(*id, false)),
            (MediaKind::Json, ty) => code_span(&printer.ty(ty, false)),
            _ => "`String`".to_owned(),
        };
        let status = match response.status {
            Status::Code(code) => code.to_string(),
            Status::Range(class) => format!("{class}XX"),
            Status::Default => "any other status".to_owned(),
        };
        match groups.iter_mut().find(|(t, _)| *t == ty) {
            Some((_, statuses)) => statuses.push(status),
            None => groups.push((ty, vec![status])),
        }
    }
    if groups.is_empty() {
        return "@throws ApiException when the API answers with a status outside 2xx.".to_owned();
    }
    let parts: Vec<String> =
        groups.iter().map(|(ty, statuses)| format!("a {ty} for {}", statuses.join(", "))).collect();
    format!("@throws ApiException when the API answers with a status outside 2xx; its body is {}.", parts.join("; "))
}

/// `errorBody = { status, text -> when (status) { ... } }`, decoding the declared error bodies.
fn error_body(out: &mut String, printer: &TypePrinter<'_>, op: &Operation) {
    let mut branches: Vec<(String, String)> = Vec::new();
    let mut has_default = false;
    for response in op.errors() {
        let Some(body) = &response.body else { continue };
        let decode = match body.media {
            MediaKind::Json => format!("json.decodeFromString<{}>(text)", printer.ty(&body.ty, false)),
            _ => "text".to_owned(),
        };
        let label = match response.status {
            Status::Code(code) => code.to_string(),
            Status::Range(class) => format!("in {class}00..{class}99"),
            Status::Default => {
                has_default = true;
                "else".to_owned()
            }
        };
        branches.push((label, decode));
    }
    if branches.is_empty() {
        return;
    }
    if let [(label, decode)] = branches.as_slice()
        && label == "else"
    {
        let _ = writeln!(out, "                errorBody = {{ _, text -> {decode} }},");
        return;
    }
    let _ = writeln!(out, "                errorBody = {{ status, text ->");
    let _ = writeln!(out, "                    when (status) {{");
    for (label, decode) in &branches {
        let _ = writeln!(out, "                        {label} -> {decode}");
    }
    if !has_default {
        let _ = writeln!(out, "                        else -> null");
    }
    let _ = writeln!(out, "                    }}");
    let _ = writeln!(out, "                }},");
}

/// The path as a Kotlin string with each path parameter substituted and encoded.
fn path_expression(op: &Operation, names: &OperationNames) -> String {
    let name_of = |wire: &str| {
        op.params
            .iter()
            .zip(&names.params)
            .find(|(param, _)| param.location == ParamLocation::Path && param.name == wire)
            .map(|(_, name)| name.as_str())
    };
    let mut text = String::with_capacity(op.path.len() + 32);
    let mut rest = op.path.as_str();
    while !rest.is_empty() {
        let placeholder = rest.find('{').and_then(|open| rest[open..].find('}').map(|close| (open, open + close)));
        match placeholder.and_then(|(open, close)| name_of(&rest[open + 1..close]).map(|name| (open, close, name))) {
            Some((open, close, name)) => {
                text.push_str(&string_content(&rest[..open]));
                let _ = write!(text, "${{pathParam(json.encodeToJsonElement({name}))}}");
                rest = &rest[close + 1..];
            }
            None => {
                // Up to and including a placeholder naming no parameter, or the rest.
                let end = placeholder.map_or(rest.len(), |(_, close)| close + 1);
                text.push_str(&string_content(&rest[..end]));
                rest = &rest[end..];
            }
        }
    }
    format!("\"{text}\"")
}
