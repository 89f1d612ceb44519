//! The generated `Client`: one typed async method per operation, plus a `…Params` struct for
//! operations with query, header or cookie parameters.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{ident, ty};
use super::{Context, complexity, docs};
use crate::model::{
    Literal, MediaKind, Operation, Param, ParamLocation, ParamStyle, RequestBody, Response, Status, StringFormat, Ty,
    TypeKind,
};

pub(super) fn emit(cx: &Context) -> TokenStream {
    let params_structs = cx.api.operations.iter().enumerate().map(|(index, op)| params_struct(cx, index, op));
    let methods = cx.api.operations.iter().enumerate().map(|(index, op)| method(cx, index, op));
    let title = format!(" A client for {} (version {}).", cx.api.info.title, cx.api.info.version);
    let description = docs::attrs([cx.api.info.description.as_deref()]);
    let separator = cx.api.info.description.is_some().then(|| quote! { #[doc = ""] });
    quote! {
        #(#params_structs)*

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
}

/// The response a successful call decodes: the first 2xx, or `default` when the spec lists no
/// 2xx (then `default` describes success, not failure).
fn success(op: &Operation) -> Option<&Response> {
    op.success().or_else(|| op.responses.iter().find(|r| r.status == Status::Default && r.body.is_some()))
}

pub(super) fn output(op: &Operation) -> Output<'_> {
    match success(op).and_then(|r| r.body.as_ref()) {
        None => Output::Empty,
        Some(body) => match body.media {
            MediaKind::Json | MediaKind::Form | MediaKind::Multipart => Output::Json(&body.ty, &body.content_type),
            MediaKind::Text => Output::Text(&body.content_type),
            MediaKind::Binary => Output::Bytes(&body.content_type),
        },
    }
}

/// The error responses decoded as the operation's error type: those with a JSON body.
fn declared_errors(op: &Operation) -> Vec<&Response> {
    let success = success(op).map(|r| r.status);
    op.errors()
        .filter(|r| Some(r.status) != success)
        .filter(|r| r.body.as_ref().is_some_and(|b| b.media == MediaKind::Json))
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

pub(super) fn output_tokens(cx: &Context, output: &Output) -> TokenStream {
    match output {
        Output::Empty => quote! { () },
        Output::Json(body, _) => ty(cx, body, None),
        Output::Text(_) => quote! { String },
        Output::Bytes(_) => quote! { Vec<u8> },
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
    quote! {
        #[doc = #title]
        #[derive(Debug, Clone, PartialEq, #default)]
        pub struct #struct_name {
            #(#fields)*
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
        MediaKind::Form => quote! { .form(#arg) },
        MediaKind::Multipart => quote! { .multipart(#arg) },
        MediaKind::Text => quote! { .text(#arg, #content_type) },
        MediaKind::Binary => quote! { .bytes(#arg, #content_type) },
    }
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
    let route = format!("`{} {}`", op.method.http(), op.path);
    let docs = docs::attrs([op.summary.as_deref(), op.doc.as_deref(), Some(route.as_str())]);
    let deprecated = op.deprecated.then(|| quote! { #[deprecated] });

    let mut args = Vec::new();
    let mut steps = Vec::new();
    for (param, name) in op.params.iter().zip(&names.params) {
        if param.location == ParamLocation::Path {
            let arg = ident(name);
            let ty = arg_type(cx, &param.ty);
            args.push(quote! { #arg: #ty });
        }
        steps.push(param_step(cx, param, name, &names.params_arg));
    }
    if let Some(struct_name) = &names.params_struct {
        let arg = ident(&names.params_arg);
        let ty = ident(struct_name);
        args.push(quote! { #arg: #ty });
    }
    let body_arg = ident(&names.body_arg);
    let body_statement = op.body.as_ref().map(|body| {
        let ty = body_arg_type(cx, body);
        args.push(quote! { #body_arg: #ty });
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
    let output_ty = output_tokens(cx, &output);
    let error = error_tokens(cx, error_ty(op));
    let (accept, send) = match &output {
        Output::Empty => (None, quote! { send_empty }),
        Output::Json(_, content_type) => (Some(*content_type), quote! { send_json }),
        Output::Text(content_type) => (Some(*content_type), quote! { send_text }),
        Output::Bytes(content_type) => (Some(*content_type), quote! { send_bytes }),
    };
    let accept = accept.map(|media| quote! { .accept(#media) });
    let declared: Vec<TokenStream> = declared_errors(op).iter().map(|r| status_tokens(r.status)).collect();
    let declared = (!declared.is_empty()).then(|| quote! { .declared_errors(&[#(#declared),*]) });

    let http_method = ident(op.method.http());
    let path = &op.path;
    let start = quote! { self.runtime.request(::sync_runtime::Method::#http_method, #path) #(#steps)* };
    let body = match body_statement {
        Some(statement) if !statement.is_empty() => quote! {
            let mut request = #start;
            #statement
            request #accept #declared .#send().await
        },
        _ => quote! { #start #accept #declared .#send().await },
    };
    let result = quote! { Result<#output_ty, #error> };
    let complex = complexity::allow_if_complex(arg_types.iter().chain([&result]));
    quote! {
        #docs
        #deprecated
        #many_args
        #complex
        pub async fn #method(&self, #(#args),*) -> #result {
            #body
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
