//! The generated `Client`: one typed async method per operation, plus a `…Params` struct for
//! operations with query, header or cookie parameters.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{ident, ty};
use super::{Context, complexity, docs};
use crate::model::{
    Literal, MediaKind, Operation, Param, ParamLocation, ParamStyle, RequestBody, Response, ResponseBody, Status,
    StringFormat, Ty, TypeKind,
};

pub(super) fn emit(cx: &Context) -> TokenStream {
    let params_structs = cx.api.operations.iter().enumerate().map(|(index, op)| params_struct(cx, index, op));
    let outcomes = cx.api.operations.iter().enumerate().map(|(index, op)| outcomes_enum(cx, index, op));
    let methods = cx.api.operations.iter().enumerate().map(|(index, op)| method(cx, index, op));
    let title = docs::visible(&format!(" A client for {} (version {}).", cx.api.info.title, cx.api.info.version))
        .replace(['\r', '\n'], " ");
    let description = docs::attrs([cx.api.info.description.as_deref()]);
    let separator = cx.api.info.description.is_some().then(|| quote! { #[doc = ""] });
    quote! {
        #(#params_structs)*

        #(#outcomes)*

        #[doc = #title]
        #separator
        #description
        #[derive(Debug, Clone)]
        pub struct Client {
            runtime: ::sync_runtime::Client,
        }

        impl Client {
            /// A client for the API at `base_url`, with default settings; see
            /// [`Client::from_runtime`] for authentication, headers and timeouts.
            pub fn new(base_url: impl Into<String>) -> Result<Self, ::sync_runtime::BuildError> {
                ::sync_runtime::Client::new(base_url).map(Self::from_runtime)
            }

            /// A client over a configured [`::sync_runtime::Client`].
            pub fn from_runtime(runtime: ::sync_runtime::Client) -> Self {
                Self { runtime }
            }

            /// The runtime client underneath.
            pub fn runtime(&self) -> &::sync_runtime::Client {
                &self.runtime
            }

            #(#methods)*
        }

        impl ::sync_runtime::resource::ApiClient for Client {
            fn runtime(&self) -> &::sync_runtime::Client {
                Client::runtime(self)
            }
        }
    }
}

/// What a successful call returns.
pub(super) enum Output<'a> {
    Empty,
    Json(&'a Ty, &'a str),
    Text(&'a str),
    Bytes(&'a str),
    /// Some success statuses carry this JSON body, the listed ones none (a `204` beside a
    /// `201`): `Option<T>`, `None` for those.
    OptionalJson(&'a Ty, &'a str, Vec<u16>),
    /// Success statuses with different bodies: the operation's `…Success` enum, one variant per
    /// status, each holding one of the simple outputs above.
    Outcomes(Vec<(Status, Output<'a>)>),
}

impl PartialEq for Output<'_> {
    /// The same Rust type (media types aside, which only the `Accept` header lists).
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Output::Json(a, _), Output::Json(b, _)) => a == b,
            (Output::Empty, Output::Empty)
            | (Output::Text(_), Output::Text(_))
            | (Output::Bytes(_), Output::Bytes(_)) => true,
            _ => false,
        }
    }
}

/// The responses a successful call can get: the 2xx ones (and `2XX`), or `default` when the
/// spec lists no 2xx (then `default` describes success, not failure).
fn successes(op: &Operation) -> Vec<&Response> {
    let listed: Vec<&Response> = op.responses.iter().filter(|r| r.status.is_success()).collect();
    if listed.is_empty() {
        op.responses.iter().filter(|r| r.status == Status::Default && r.body.is_some()).collect()
    } else {
        listed
    }
}

fn body_output(body: Option<&ResponseBody>) -> Output<'_> {
    match body {
        None => Output::Empty,
        Some(body) => match body.media {
            MediaKind::Json | MediaKind::Form | MediaKind::Multipart => Output::Json(&body.ty, &body.content_type),
            MediaKind::Text => Output::Text(&body.content_type),
            MediaKind::Binary => Output::Bytes(&body.content_type),
        },
    }
}

/// What a successful call gives, from its declared success responses:
///
/// - all with the same body (or all without): that body (`T`, `String`, `Vec<u8>`, `()`);
/// - some with one JSON body, the others (exact codes) without: `Option<T>`;
/// - anything else: an enum with one variant per status (`Created(T)`, `NoContent`).
pub(super) fn output(op: &Operation) -> Output<'_> {
    let outputs: Vec<(Status, Output)> =
        successes(op).into_iter().map(|r| (r.status, body_output(r.body.as_ref()))).collect();
    let mut distinct: Vec<&Output> = Vec::new();
    for (_, output) in &outputs {
        if !distinct.contains(&output) {
            distinct.push(output);
        }
    }
    match distinct.as_slice() {
        [] => Output::Empty,
        [_] => outputs.into_iter().next().map(|(_, output)| output).unwrap_or(Output::Empty),
        [a, b] if matches!((a, b), (Output::Empty, Output::Json(..)) | (Output::Json(..), Output::Empty)) => {
            let without: Option<Vec<u16>> = outputs
                .iter()
                .filter(|(_, output)| matches!(output, Output::Empty))
                .map(|(status, _)| match status {
                    Status::Code(code) => Some(*code),
                    _ => None,
                })
                .collect();
            let json = outputs.iter().find_map(|(_, output)| match output {
                Output::Json(ty, content_type) => Some((*ty, *content_type)),
                _ => None,
            });
            match (without, json) {
                (Some(without), Some((ty, content_type))) => Output::OptionalJson(ty, content_type, without),
                _ => Output::Outcomes(outputs),
            }
        }
        _ => Output::Outcomes(outputs),
    }
}

/// Whether an operation's output needs its own `…Success` enum.
pub(super) fn has_outcomes(op: &Operation) -> bool {
    matches!(output(op), Output::Outcomes(_))
}

/// The media types a call accepts back, for its `Accept` header.
fn accepted(output: &Output) -> Vec<String> {
    let mut media: Vec<String> = Vec::new();
    let mut add = |output: &Output| {
        let content_type = match output {
            Output::Json(_, content_type) | Output::Text(content_type) | Output::Bytes(content_type) => *content_type,
            Output::OptionalJson(_, content_type, _) => *content_type,
            Output::Empty | Output::Outcomes(_) => return,
        };
        if !media.iter().any(|m| m == content_type) {
            media.push(content_type.to_owned());
        }
    };
    match output {
        Output::Outcomes(outcomes) => outcomes.iter().for_each(|(_, output)| add(output)),
        other => add(other),
    }
    media
}

/// The error responses decoded as the operation's error type: those with a JSON body.
fn declared_errors(op: &Operation) -> Vec<&Response> {
    let success: Vec<Status> = successes(op).iter().map(|r| r.status).collect();
    op.errors()
        .filter(|r| !success.contains(&r.status))
        .filter(|r| r.body.as_ref().is_some_and(|b| b.media == MediaKind::Json))
        .collect()
}

/// The error responses declared without a JSON body (a bare `404`): they give
/// `Error::Status`, not `Error::UnexpectedStatus`.
fn bodiless_errors(op: &Operation) -> Vec<&Response> {
    let success: Vec<Status> = successes(op).iter().map(|r| r.status).collect();
    op.responses
        .iter()
        .filter(|r| !r.status.is_success() && !success.contains(&r.status))
        .filter(|r| r.body.as_ref().is_none_or(|b| b.media != MediaKind::Json))
        .collect()
}

/// The operation's error body type: the one all its declared errors share, else `None` (then
/// `serde_json::Value`).
pub(super) fn error_ty(op: &Operation) -> Option<&Ty> {
    let declared = declared_errors(op);
    let first = &declared.first()?.body.as_ref()?.ty;
    declared.iter().all(|r| r.body.as_ref().is_some_and(|b| &b.ty == first)).then_some(first)
}

/// `::sync_runtime::Error<E>` for an error body type (`Error` alone for `serde_json::Value`).
pub(super) fn error_tokens(cx: &Context, error: Option<&Ty>) -> TokenStream {
    match error {
        Some(error) => {
            let error = ty(cx, error, None);
            quote! { ::sync_runtime::Error<#error> }
        }
        None => quote! { ::sync_runtime::Error },
    }
}

/// The Rust type a successful call of operation `index` gives.
pub(super) fn output_tokens(cx: &Context, index: usize, output: &Output) -> TokenStream {
    match output {
        Output::Empty => quote! { () },
        Output::Json(body, _) => ty(cx, body, None),
        Output::Text(_) => quote! { String },
        Output::Bytes(_) => quote! { Vec<u8> },
        Output::OptionalJson(body, _, _) => {
            let body = ty(cx, body, None);
            quote! { Option<#body> }
        }
        Output::Outcomes(_) => {
            let name = cx.names.operations[index].outcomes.as_deref().unwrap_or("Outcomes");
            let name = ident(name);
            quote! { #name }
        }
    }
}

/// An outcome variant's name: the status's reason phrase (`Created`, `NoContent`).
fn outcome_variant(status: Status) -> String {
    let phrase = match status {
        Status::Code(200) => "Ok",
        Status::Code(201) => "Created",
        Status::Code(202) => "Accepted",
        Status::Code(203) => "NonAuthoritativeInformation",
        Status::Code(204) => "NoContent",
        Status::Code(205) => "ResetContent",
        Status::Code(206) => "PartialContent",
        Status::Code(207) => "MultiStatus",
        Status::Code(208) => "AlreadyReported",
        Status::Code(226) => "ImUsed",
        Status::Code(code) => return format!("Status{code}"),
        Status::Range(class) => return format!("Other{class}xx"),
        Status::Default => "Other",
    };
    phrase.to_owned()
}

/// The `…Success` enum of an operation whose success statuses carry different bodies.
fn outcomes_enum(cx: &Context, index: usize, op: &Operation) -> TokenStream {
    let Output::Outcomes(outcomes) = output(op) else {
        return quote! {};
    };
    let name = ident(cx.names.operations[index].outcomes.as_deref().unwrap_or("Outcomes"));
    let method = &cx.names.methods[index];
    let title = format!(" What a successful [`Client::{method}`] gives: one variant per success status.");
    let variants = outcomes.iter().map(|(status, output)| {
        let variant = ident(&outcome_variant(*status));
        let doc = successes(op).into_iter().find(|r| r.status == *status).and_then(|r| r.doc.as_deref());
        let wire = match status {
            Status::Code(code) => format!("Status `{code}`."),
            Status::Range(class) => format!("Any other `{class}xx` status."),
            Status::Default => "Any other success status.".to_owned(),
        };
        let docs = docs::attrs([doc, Some(wire.as_str())]);
        let payload = match output {
            Output::Empty => quote! {},
            other => {
                let ty = output_tokens(cx, index, other);
                quote! { (#ty) }
            }
        };
        quote! { #docs #variant #payload, }
    });
    // A variant holding a large struct beside a unit one: an answer is moved once, not stored
    // in bulk, so boxing would cost every caller a `*` for nothing.
    let allow = outcomes
        .iter()
        .any(|(_, output)| matches!(output, Output::Json(..)))
        .then(|| quote! { #[allow(clippy::large_enum_variant)] });
    quote! {
        #[doc = #title]
        #allow
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants)*
        }
    }
}

/// How a path parameter is passed to a method.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum ArgKind {
    /// `&str`.
    Str,
    /// By value (numbers, booleans, dates, UUIDs).
    Copy,
    /// By reference.
    Ref,
}

pub(super) fn arg_kind(cx: &Context, param_ty: &Ty) -> ArgKind {
    match cx.resolve(param_ty) {
        Ty::String(StringFormat::Plain | StringFormat::Binary) | Ty::Literal(Literal::String(_)) => ArgKind::Str,
        Ty::Bool | Ty::Integer(_) | Ty::Number(_) | Ty::Literal(_) => ArgKind::Copy,
        Ty::String(StringFormat::Date | StringFormat::DateTime | StringFormat::Uuid) => ArgKind::Copy,
        // Closed enums derive `Copy` (see `types::emit_enum`).
        Ty::Named(id) => match &cx.api.type_def(*id).kind {
            TypeKind::Enum(e) if !e.open && is_single_kind(e) => ArgKind::Copy,
            _ => ArgKind::Ref,
        },
        _ => ArgKind::Ref,
    }
}

fn is_single_kind(e: &crate::model::Enum) -> bool {
    use crate::model::EnumValue;
    e.values.iter().all(|v| matches!(v, EnumValue::String(_)))
        || e.values.iter().all(|v| matches!(v, EnumValue::Integer(_)))
}

pub(super) fn arg_type(cx: &Context, param_ty: &Ty) -> TokenStream {
    match arg_kind(cx, param_ty) {
        ArgKind::Str => quote! { &str },
        ArgKind::Copy => ty(cx, param_ty, None),
        ArgKind::Ref => {
            let ty = ty(cx, param_ty, None);
            quote! { &#ty }
        }
    }
}

fn params_struct(cx: &Context, index: usize, op: &Operation) -> TokenStream {
    let names = &cx.names.operations[index];
    let Some(struct_name) = &names.params_struct else {
        return quote! {};
    };
    let struct_name = ident(struct_name);
    let method = &cx.names.methods[index];
    let title = format!(" Parameters of [`Client::{method}`].");
    let fields =
        op.params.iter().zip(&names.params).filter(|(p, _)| p.location != ParamLocation::Path).map(|(param, name)| {
            let name = ident(name);
            let location = match param.location {
                ParamLocation::Query => "Query",
                ParamLocation::Header => "Header",
                ParamLocation::Cookie => "Cookie",
                ParamLocation::Path => "Path",
            };
            let wire = format!("{location} parameter `{}`.", param.name);
            let docs = docs::attrs([
                param.doc.as_deref(),
                param.deprecated.then_some("**Deprecated** in the API spec."),
                Some(wire.as_str()),
            ]);
            let ty = ty(cx, &param.ty, None);
            let ty = if param.required {
                ty
            } else {
                quote! { Option<#ty> }
            };
            let allow = complexity::allow_if_complex([&ty]);
            quote! { #docs #allow pub #name: #ty, }
        });
    let all_optional = op.params.iter().all(|p| p.location == ParamLocation::Path || !p.required);
    let default = all_optional.then(|| quote! { Default, });
    let constructor = (!all_optional).then(|| params_constructor(cx, op, &names.params, &struct_name));
    quote! {
        #[doc = #title]
        #[derive(Debug, Clone, PartialEq, #default)]
        pub struct #struct_name {
            #(#fields)*
        }

        #constructor
    }
}

/// `…Params::new(required, ...)` for a struct that cannot derive `Default`: the required
/// parameters given, the optional ones absent, so callers write
/// `Params { per_page: Some(50), ..Params::new("octocat") }`.
fn params_constructor(cx: &Context, op: &Operation, names: &[String], struct_name: &proc_macro2::Ident) -> TokenStream {
    let fields: Vec<(&Param, &String)> =
        op.params.iter().zip(names).filter(|(p, _)| p.location != ParamLocation::Path).collect();
    let mut args = Vec::new();
    let mut values = Vec::new();
    for (param, name) in &fields {
        let name = ident(name);
        if !param.required {
            values.push(quote! { #name: None });
            continue;
        }
        let ty = ty(cx, &param.ty, None);
        if matches!(cx.resolve(&param.ty), Ty::String(StringFormat::Plain)) {
            args.push(quote! { #name: impl Into<String> });
            values.push(quote! { #name: #name.into() });
        } else {
            args.push(quote! { #name: #ty });
            values.push(quote! { #name });
        }
    }
    let many_args = (args.len() >= 7).then(|| quote! { #[allow(clippy::too_many_arguments)] });
    quote! {
        impl #struct_name {
            /// The required parameters; every optional one absent.
            #many_args
            pub fn new(#(#args),*) -> Self {
                Self { #(#values),* }
            }
        }
    }
}

fn style_tokens(style: ParamStyle) -> TokenStream {
    let variant = ident(match style {
        ParamStyle::Simple => "Simple",
        ParamStyle::Label => "Label",
        ParamStyle::Matrix => "Matrix",
        ParamStyle::Form => "Form",
        ParamStyle::SpaceDelimited => "SpaceDelimited",
        ParamStyle::PipeDelimited => "PipeDelimited",
        ParamStyle::DeepObject => "DeepObject",
    });
    quote! { ::sync_runtime::params::Style::#variant }
}

/// One step of the request chain for a parameter.
fn param_step(cx: &Context, param: &Param, name: &str, params_arg: &str) -> TokenStream {
    let wire = &param.name;
    let explode = param.explode;
    let value = match param.location {
        ParamLocation::Path => {
            let arg = ident(name);
            match arg_kind(cx, &param.ty) {
                ArgKind::Copy => quote! { &#arg },
                ArgKind::Str | ArgKind::Ref => quote! { #arg },
            }
        }
        _ => {
            let params = ident(params_arg);
            let field = ident(name);
            quote! { &#params.#field }
        }
    };
    match param.location {
        ParamLocation::Path if param.style == ParamStyle::Simple && !explode => quote! { .path_param(#wire, #value) },
        ParamLocation::Path => {
            let style = style_tokens(param.style);
            quote! { .path_param_styled(#wire, #value, #style, #explode) }
        }
        ParamLocation::Query if param.style == ParamStyle::Form && explode => quote! { .query(#wire, #value) },
        ParamLocation::Query => {
            let style = style_tokens(param.style);
            quote! { .query_styled(#wire, #value, #style, #explode) }
        }
        ParamLocation::Header if !explode => quote! { .header(#wire, #value) },
        ParamLocation::Header => quote! { .header_styled(#wire, #value, #explode) },
        ParamLocation::Cookie => quote! { .cookie(#wire, #value) },
    }
}

fn body_arg_type(cx: &Context, body: &RequestBody) -> TokenStream {
    let inner = match body.media {
        MediaKind::Json | MediaKind::Form | MediaKind::Multipart => {
            let ty = ty(cx, &body.ty, None);
            quote! { &#ty }
        }
        MediaKind::Text => quote! { &str },
        MediaKind::Binary => quote! { Vec<u8> },
    };
    if body.required {
        inner
    } else {
        quote! { Option<#inner> }
    }
}

fn body_step(body: &RequestBody, arg: &TokenStream) -> TokenStream {
    let content_type = &body.content_type;
    match body.media {
        MediaKind::Json => quote! { .json(#arg, #content_type) },
        MediaKind::Form if !body.encoding.is_empty() => {
            let encodings = encodings(body);
            quote! { .form_encoded(#arg, &[#(#encodings),*]) }
        }
        MediaKind::Multipart if !body.encoding.is_empty() => {
            let encodings = encodings(body);
            quote! { .multipart_encoded(#arg, &[#(#encodings),*]) }
        }
        MediaKind::Form => quote! { .form(#arg) },
        MediaKind::Multipart => quote! { .multipart(#arg) },
        MediaKind::Text => quote! { .text(#arg, #content_type) },
        MediaKind::Binary => quote! { .bytes(#arg, #content_type) },
    }
}

/// The spec's `encoding` of a form or multipart body, as `sync_runtime::params::Encoding`s.
fn encodings(body: &RequestBody) -> Vec<TokenStream> {
    body.encoding
        .iter()
        .map(|encoding| {
            let name = &encoding.name;
            let style = match encoding.style {
                ParamStyle::DeepObject => quote! { DeepObject },
                ParamStyle::SpaceDelimited => quote! { SpaceDelimited },
                ParamStyle::PipeDelimited => quote! { PipeDelimited },
                _ => quote! { Form },
            };
            let explode = encoding.explode;
            let content_type = encoding.content_type.as_ref().map(|ct| quote! { .with_content_type(#ct) });
            quote! {
                ::sync_runtime::params::Encoding::new(#name, ::sync_runtime::params::Style::#style, #explode) #content_type
            }
        })
        .collect()
}

fn status_tokens(status: Status) -> TokenStream {
    match status {
        Status::Code(code) => {
            let code = proc_macro2::Literal::u16_unsuffixed(code);
            quote! { ::sync_runtime::ErrorStatus::Code(#code) }
        }
        Status::Range(class) => {
            let class = proc_macro2::Literal::u8_unsuffixed(class);
            quote! { ::sync_runtime::ErrorStatus::Range(#class) }
        }
        Status::Default => quote! { ::sync_runtime::ErrorStatus::Default },
    }
}

fn method(cx: &Context, index: usize, op: &Operation) -> TokenStream {
    let names = &cx.names.operations[index];
    let method = ident(&cx.names.methods[index]);
    let with_response = ident(&names.with_response);
    let route = format!("`{} {}`", op.method.http(), op.path);
    let docs = docs::attrs([op.summary.as_deref(), op.doc.as_deref(), Some(route.as_str())]);
    let twin_doc =
        format!(" Like [`Client::{method}`], with the answer's status and headers (`ETag`, `Link`, rate limits).");
    let deprecated = op.deprecated.then(|| quote! { #[deprecated] });

    let mut args = Vec::new();
    let mut arg_names = Vec::new();
    let mut steps = Vec::new();
    for (param, name) in op.params.iter().zip(&names.params) {
        if param.location == ParamLocation::Path {
            let arg = ident(name);
            let ty = arg_type(cx, &param.ty);
            args.push(quote! { #arg: #ty });
            arg_names.push(arg);
        }
        steps.push(param_step(cx, param, name, &names.params_arg));
    }
    if let Some(struct_name) = &names.params_struct {
        let arg = ident(&names.params_arg);
        let ty = ident(struct_name);
        args.push(quote! { #arg: #ty });
        arg_names.push(arg);
    }
    let body_arg = ident(&names.body_arg);
    let body_statement = op.body.as_ref().map(|body| {
        let ty = body_arg_type(cx, body);
        args.push(quote! { #body_arg: #ty });
        arg_names.push(body_arg.clone());
        if body.required {
            let step = body_step(body, &quote! { #body_arg });
            steps.push(step);
            quote! {}
        } else {
            let step = body_step(body, &quote! { #body_arg });
            quote! {
                if let Some(#body_arg) = #body_arg {
                    request = request #step;
                }
            }
        }
    });
    let many_args = (args.len() >= 7).then(|| quote! { #[allow(clippy::too_many_arguments)] });
    let arg_types: Vec<TokenStream> = op
        .body
        .iter()
        .map(|body| body_arg_type(cx, body))
        .chain(op.params.iter().filter(|p| p.location == ParamLocation::Path).map(|p| arg_type(cx, &p.ty)))
        .collect();

    let output = output(op);
    let output_ty = output_tokens(cx, index, &output);
    let error = error_tokens(cx, error_ty(op));
    let accept = accepted(&output);
    let accept = (!accept.is_empty()).then(|| {
        let media = accept.join(", ");
        quote! { .accept(#media) }
    });
    let statuses =
        |responses: Vec<&Response>| -> Vec<TokenStream> { responses.iter().map(|r| status_tokens(r.status)).collect() };
    let declared = statuses(declared_errors(op));
    let declared = (!declared.is_empty()).then(|| quote! { .declared_errors(&[#(#declared),*]) });
    let bodiless = statuses(bodiless_errors(op));
    let bodiless = (!bodiless.is_empty()).then(|| quote! { .bodiless_errors(&[#(#bodiless),*]) });

    let http_method = ident(op.method.http());
    let path = &op.path;
    let start = quote! { self.runtime.request(::sync_runtime::Method::#http_method, #path) #(#steps)* };
    let (prelude, sent) = match body_statement {
        Some(statement) if !statement.is_empty() => (
            quote! {
                let mut request = #start;
                #statement
            },
            quote! { request #accept #declared #bodiless .send().await },
        ),
        _ => (quote! {}, quote! { #start #accept #declared #bodiless .send().await }),
    };
    let decode = decode(cx, index, &output, sent);
    let result = quote! { Result<#output_ty, #error> };
    let twin_result = quote! { Result<::sync_runtime::Response<#output_ty>, #error> };
    let complex = complexity::allow_if_complex(arg_types.iter().chain([&result]));
    let twin_complex = complexity::allow_if_complex(arg_types.iter().chain([&twin_result]));
    // Calling its own deprecated twin is no news to a deprecated method.
    let allow_deprecated = op.deprecated.then(|| quote! { #[allow(deprecated)] });
    quote! {
        #docs
        #deprecated
        #allow_deprecated
        #many_args
        #complex
        pub async fn #method(&self, #(#args),*) -> #result {
            self.#with_response(#(#arg_names),*).await.map(::sync_runtime::Response::into_body)
        }

        #[doc = #twin_doc]
        #deprecated
        #many_args
        #twin_complex
        pub async fn #with_response(&self, #(#args),*) -> #twin_result {
            #prelude
            #decode
        }
    }
}

/// The expression that turns the sent request (`sent`, a `Result<Response<Vec<u8>>, _>`) into
/// the method's `Result<Response<Output>, _>`.
fn decode(cx: &Context, index: usize, output: &Output, sent: TokenStream) -> TokenStream {
    match output {
        Output::Empty => quote! { #sent.map(::sync_runtime::Response::empty) },
        Output::Json(..) => quote! { #sent?.json() },
        Output::Text(_) => quote! { #sent.map(::sync_runtime::Response::text) },
        Output::Bytes(_) => sent,
        Output::OptionalJson(_, _, without) => {
            let without = without.iter().map(|code| proc_macro2::Literal::u16_unsuffixed(*code));
            quote! { #sent?.json_or_none(&[#(#without),*]) }
        }
        Output::Outcomes(outcomes) => {
            let name = ident(cx.names.operations[index].outcomes.as_deref().unwrap_or("Outcomes"));
            let mut catch_all = false;
            let arms = outcomes.iter().map(|(status, output)| {
                let pattern = match status {
                    Status::Code(code) => {
                        let code = proc_macro2::Literal::u16_unsuffixed(*code);
                        quote! { #code }
                    }
                    Status::Range(class) => {
                        let low = proc_macro2::Literal::u16_unsuffixed(u16::from(*class) * 100);
                        let high = proc_macro2::Literal::u16_unsuffixed(u16::from(*class) * 100 + 99);
                        quote! { #low..=#high }
                    }
                    Status::Default => {
                        catch_all = true;
                        quote! { _ }
                    }
                };
                let variant = ident(&outcome_variant(*status));
                let value = match output {
                    Output::Json(..) => quote! { response.json().map(|response| response.map(#name::#variant)) },
                    Output::Text(_) => quote! { Ok(response.text().map(#name::#variant)) },
                    Output::Bytes(_) => quote! { Ok(response.map(#name::#variant)) },
                    _ => quote! { Ok(response.map(|_| #name::#variant)) },
                };
                quote! { #pattern => #value, }
            });
            let arms: Vec<TokenStream> = arms.collect();
            let fallback = (!catch_all).then(|| quote! { _ => Err(response.unexpected()), });
            quote! {
                let response = #sent?;
                match response.status() {
                    #(#arms)*
                    #fallback
                }
            }
        }
    }
}

/// Whether a type is a struct (directly or through aliases), for callers that need fields.
pub(super) fn struct_of<'a>(cx: &'a Context, ty: &'a Ty) -> Option<crate::model::TypeId> {
    match cx.resolve(ty) {
        Ty::Named(id) if matches!(cx.api.type_def(*id).kind, TypeKind::Struct(_)) => Some(*id),
        _ => None,
    }
}
