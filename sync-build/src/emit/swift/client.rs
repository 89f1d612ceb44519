//! `Client.swift`: `APIClient`, with one `async throws` function per operation, and
//! `APIOperations`, which builds each operation's request so callers who want the status and
//! headers too can `send` it themselves.

use std::fmt::Write as _;

use super::names::{Members, TypeNames};
use super::text::{doc_comment, string_literal};
use super::types::{non_null, optional, swift_type};
use crate::model::{Api, MediaKind, Method, Operation, ParamLocation, ParamStyle, Status, Ty};

/// The Swift shape of one operation, shared with the resources module.
pub struct OperationPlan {
    pub function: String,
    /// Arguments in declaration order.
    pub args: Vec<Arg>,
    pub success: Success,
    /// The `Failure` type of `APIError<Failure>`.
    pub failure: String,
    /// A failure enum to declare, when the error bodies differ by status.
    failure_enum: Option<Vec<(String, Status, String)>>,
}

pub struct Arg {
    /// The Swift parameter name.
    pub name: String,
    pub ty: String,
    pub kind: ArgKind,
    pub optional: bool,
}

#[derive(Clone)]
pub enum ArgKind {
    /// Index into `Operation::params`.
    Param(usize),
    Body(MediaKind, String),
}

pub struct Success {
    pub ty: String,
    decode: String,
    /// The model type of a JSON success body.
    pub model: Option<Ty>,
}

impl OperationPlan {
    /// The argument for the operation's parameter named `wire` in `location`.
    pub fn param_arg(&self, op: &Operation, location: ParamLocation, wire: &str) -> Option<&Arg> {
        self.args.iter().find(|arg| match arg.kind {
            ArgKind::Param(i) => op.params[i].location == location && op.params[i].name == wire,
            ArgKind::Body(..) => false,
        })
    }

    pub fn body_arg(&self) -> Option<&Arg> {
        self.args.iter().find(|arg| matches!(arg.kind, ArgKind::Body(..)))
    }

    /// The `APIOperation<Success, Failure>` type.
    pub fn operation_type(&self) -> String {
        format!("APIOperation<{}, {}>", self.success.ty, self.failure)
    }
}

/// Plans every operation: function names unique on `APIClient`, argument names unique per
/// function.
pub fn plan(api: &Api, names: &mut TypeNames, reserved: &[&str]) -> Vec<OperationPlan> {
    let mut functions = Members::new(reserved.iter().copied().chain(["transport", "configuration", "registry"]));
    api.operations.iter().map(|op| plan_operation(op, names, functions.claim(&op.name))).collect()
}

fn plan_operation(op: &Operation, names: &mut TypeNames, function: String) -> OperationPlan {
    let mut members = Members::new(["headers"]);
    let mut args = Vec::new();
    // Path parameters in template order, then the other required ones, the body, then the
    // optional ones (defaulted to nil).
    let mut order: Vec<usize> =
        (0..op.params.len()).filter(|&i| op.params[i].location == ParamLocation::Path).collect();
    order.extend(
        (0..op.params.len()).filter(|&i| op.params[i].location != ParamLocation::Path && op.params[i].required),
    );
    for i in order {
        let param = &op.params[i];
        args.push(Arg {
            name: members.claim(&param.name),
            ty: swift_type(non_null(&param.ty), names),
            kind: ArgKind::Param(i),
            optional: false,
        });
    }
    if let Some(body) = &op.body {
        let ty = match body.media {
            MediaKind::Json | MediaKind::Form | MediaKind::Multipart => swift_type(&body.ty, names),
            MediaKind::Text => "String".to_owned(),
            MediaKind::Binary => "Data".to_owned(),
        };
        let optional = !body.required;
        args.push(Arg {
            name: members.claim("body"),
            ty: if optional { super::types::optional(ty) } else { ty },
            kind: ArgKind::Body(body.media, body.content_type.clone()),
            optional,
        });
    }
    for (i, param) in op.params.iter().enumerate() {
        if param.location != ParamLocation::Path && !param.required {
            args.push(Arg {
                name: members.claim(&param.name),
                ty: optional(swift_type(non_null(&param.ty), names)),
                kind: ArgKind::Param(i),
                optional: true,
            });
        }
    }

    let success = match op.success().and_then(|r| r.body.as_ref()) {
        None => Success { ty: "Void".into(), decode: "Decode.empty".into(), model: None },
        Some(body) => match body.media {
            MediaKind::Json => {
                let ty = swift_type(&body.ty, names);
                Success { decode: format!("Decode.json({ty}.self)"), ty, model: Some(body.ty.clone()) }
            }
            MediaKind::Text => Success { ty: "String".into(), decode: "Decode.text".into(), model: None },
            _ => Success { ty: "Data".into(), decode: "Decode.data".into(), model: None },
        },
    };

    let mut bodies: Vec<(Status, String)> = Vec::new();
    for response in op.errors() {
        let Some(body) = &response.body else { continue };
        let ty = match body.media {
            MediaKind::Json => swift_type(&body.ty, names),
            _ => "String".to_owned(),
        };
        bodies.push((response.status, ty));
    }
    let (failure, failure_enum) = match bodies.first() {
        None => ("Never".to_owned(), None),
        Some((_, first)) if bodies.iter().all(|(_, ty)| ty == first) => (first.clone(), None),
        Some(_) => {
            let name = names.claim(&format!("{} Failure", op.name));
            let mut cases = Members::new([]);
            let list = bodies
                .iter()
                .map(|(status, ty)| {
                    let case = match status {
                        Status::Code(code) => format!("status {code}"),
                        Status::Range(class) => format!("status {class}xx"),
                        Status::Default => "other".to_owned(),
                    };
                    (cases.claim(&case), *status, ty.clone())
                })
                .collect();
            (name, Some(list))
        }
    };
    OperationPlan { function, args, success, failure, failure_enum }
}

/// Emits `Client.swift`.
pub fn emit(api: &Api, plans: &[OperationPlan], header: &str) -> String {
    let mut out = String::with_capacity(api.operations.len() * 1500 + 2048);
    out.push_str(header);
    out.push_str("\nimport Foundation\n");
    out.push('\n');
    doc_comment(&mut out, "", [api.info.description.as_deref()]);
    if api.info.description.is_some() {
        out.push_str("///\n");
    }
    out.push_str(
        "/// The API's client: one `async throws` function per operation, and (for each resource) a\n\
         /// store that SwiftUI views observe.\n\
         public final class APIClient: Sendable {\n    public let transport: HTTPTransport\n    \
         let registry: StoreRegistry\n\n",
    );
    if let Some(server) = api.servers.first() {
        let _ = writeln!(out, "    /// The first server the spec lists: {}.", string_literal(server));
        let _ = writeln!(out, "    public static let defaultBaseURL = URL(string: {})", string_literal(server));
        out.push('\n');
    }
    out.push_str(
        "    public init(_ configuration: APIConfiguration) {\n        transport = HTTPTransport(configuration)\n        \
         registry = StoreRegistry()\n    }\n}\n",
    );

    if !api.operations.is_empty() {
        out.push_str("\nextension APIClient {\n");
        for (index, (op, plan)) in api.operations.iter().zip(plans).enumerate() {
            if index > 0 {
                out.push('\n');
            }
            client_function(&mut out, op, plan);
        }
        out.push_str("}\n");
    }

    out.push_str(
        "\n/// Each operation's request, for `transport.send(_:)`, which also returns the status and headers.\n",
    );
    out.push_str("public enum APIOperations {\n");
    for (index, (op, plan)) in api.operations.iter().zip(plans).enumerate() {
        if index > 0 {
            out.push('\n');
        }
        operation_builder(&mut out, op, plan);
    }
    out.push_str("}\n");

    for (op, plan) in api.operations.iter().zip(plans) {
        if let Some(cases) = &plan.failure_enum {
            out.push('\n');
            failure_enum(&mut out, op, &plan.failure, cases);
        }
    }
    out
}

fn operation_doc(out: &mut String, indent: &str, op: &Operation) {
    let summary = op.summary.as_deref();
    let doc = op.doc.as_deref().filter(|doc| Some(doc.trim()) != summary.map(str::trim));
    let route = format!("`{} {}`", op.method.http(), op.path.replace('`', "'"));
    let deprecated = op.deprecated.then_some("- Note: Deprecated.");
    doc_comment(out, indent, [summary, doc, Some(&route), deprecated]);
}

fn parameter_list(plan: &OperationPlan) -> String {
    plan.args
        .iter()
        .map(|arg| format!("{}: {}{}", arg.name, arg.ty, if arg.optional { " = nil" } else { "" }))
        .collect::<Vec<_>>()
        .join(", ")
}

fn argument_list(plan: &OperationPlan) -> String {
    plan.args.iter().map(|arg| format!("{0}: {0}", arg.name)).collect::<Vec<_>>().join(", ")
}

fn signature(out: &mut String, indent: &str, head: &str, plan: &OperationPlan, tail: &str) {
    let flat = format!("{indent}{head}({}){tail} {{", parameter_list(plan));
    if flat.len() <= 120 || plan.args.len() < 2 {
        let _ = writeln!(out, "{flat}");
        return;
    }
    let _ = writeln!(out, "{indent}{head}(");
    for (i, arg) in plan.args.iter().enumerate() {
        let comma = if i + 1 < plan.args.len() { "," } else { "" };
        let default = if arg.optional { " = nil" } else { "" };
        let _ = writeln!(out, "{indent}    {}: {}{default}{comma}", arg.name, arg.ty);
    }
    let _ = writeln!(out, "{indent}){tail} {{");
}

fn client_function(out: &mut String, op: &Operation, plan: &OperationPlan) {
    operation_doc(out, "    ", op);
    if plan.failure != "Never" {
        let _ =
            writeln!(out, "    /// - Throws: `APIError<{}>` when the API answers with an error status.", plan.failure);
    }
    let ret = if plan.success.ty == "Void" { String::new() } else { format!(" -> {}", plan.success.ty) };
    // A write's reply may be of no interest; a read's always is.
    let reads = matches!(op.method, Method::Get | Method::Head | Method::Options);
    let discard = if ret.is_empty() || reads { "" } else { "@discardableResult\n    " };
    let head = format!("{discard}public func {}", plan.function);
    signature(out, "    ", &head, plan, &format!(" async throws{ret}"));
    let call = format!("APIOperations.{}({})", plan.function, argument_list(plan));
    if ret.is_empty() {
        let _ = writeln!(out, "        _ = try await transport.send({call})");
    } else {
        let _ = writeln!(out, "        try await transport.send({call}).value");
    }
    let _ = writeln!(out, "    }}");
}

fn operation_builder(out: &mut String, op: &Operation, plan: &OperationPlan) {
    operation_doc(out, "    ", op);
    let head = format!("public static func {}", plan.function);
    signature(out, "    ", &head, plan, &format!(" throws -> {}", plan.operation_type()));
    let _ = writeln!(out, "        var request = RequestBuilder(method: {})", string_literal(op.method.http()));
    // The template as written, with each `{name}` that names a path parameter encoded in its
    // place; a placeholder without one (the loader pairs them all) stays as text.
    let mut rest = op.path.as_str();
    let mut literal = String::new();
    while !rest.is_empty() {
        let placeholder = rest.find('{').and_then(|open| rest[open..].find('}').map(|close| (open, open + close)));
        let Some((open, close)) = placeholder else {
            literal.push_str(rest);
            break;
        };
        let name = &rest[open + 1..close];
        let param = op.params.iter().find(|p| p.location == ParamLocation::Path && p.name == name);
        match (plan.param_arg(op, ParamLocation::Path, name), param) {
            (Some(arg), Some(param)) => {
                literal.push_str(&rest[..open]);
                if !literal.is_empty() {
                    let _ = writeln!(out, "        request.literal({})", string_literal(&literal));
                    literal.clear();
                }
                let style = style_args(param.style, param.explode, ParamStyle::Simple, false);
                let _ = writeln!(out, "        try request.path({}{style})", arg.name);
            }
            _ => literal.push_str(&rest[..=close]),
        }
        rest = &rest[close + 1..];
    }
    if !literal.is_empty() {
        let _ = writeln!(out, "        request.literal({})", string_literal(&literal));
    }
    for arg in &plan.args {
        let ArgKind::Param(i) = arg.kind else { continue };
        let param = &op.params[i];
        let wire = string_literal(&param.name);
        match param.location {
            ParamLocation::Path => {}
            ParamLocation::Query => {
                let style = style_args(param.style, param.explode, ParamStyle::Form, true);
                let _ = writeln!(out, "        try request.query({wire}, {}{style})", arg.name);
            }
            ParamLocation::Header => {
                let _ = writeln!(out, "        try request.header({wire}, {})", arg.name);
            }
            ParamLocation::Cookie => {
                let _ = writeln!(out, "        try request.cookie({wire}, {})", arg.name);
            }
        }
    }
    if let Some(arg) = plan.body_arg() {
        let ArgKind::Body(media, content_type) = &arg.kind else { unreachable!("body_arg returns the body") };
        let content_type = string_literal(content_type);
        let call = match media {
            MediaKind::Json => format!("try request.json(BODY, contentType: {content_type})"),
            MediaKind::Form => format!("try request.form(BODY, contentType: {content_type})"),
            MediaKind::Multipart => "try request.multipart(BODY)".to_owned(),
            MediaKind::Text => format!("request.text(BODY, contentType: {content_type})"),
            MediaKind::Binary => format!("request.data(BODY, contentType: {content_type})"),
        };
        if arg.optional {
            let _ = writeln!(
                out,
                "        if let {0} {{\n            {1}\n        }}",
                arg.name,
                call.replace("BODY", &arg.name)
            );
        } else {
            let _ = writeln!(out, "        {}", call.replace("BODY", &arg.name));
        }
    }
    let failure = failure_decoder(plan);
    let _ = writeln!(out, "        return APIOperation(request.request, success: {}{failure})", plan.success.decode);
    let _ = writeln!(out, "    }}");
}

fn failure_decoder(plan: &OperationPlan) -> String {
    match (&plan.failure_enum, plan.failure.as_str()) {
        (_, "Never") => String::new(),
        (None, ty) => format!(", failure: Decode.failure({ty}.self)"),
        (Some(_), ty) => format!(", failure: {{ {ty}(response: $0) }}"),
    }
}

/// `, style: .deepObject, explode: false` where they differ from the location's default.
fn style_args(style: ParamStyle, explode: bool, default: ParamStyle, default_explode: bool) -> String {
    let mut out = String::new();
    if style != default {
        let name = match style {
            ParamStyle::Simple => "simple",
            ParamStyle::Label => "label",
            ParamStyle::Matrix => "matrix",
            ParamStyle::Form => "form",
            ParamStyle::SpaceDelimited => "spaceDelimited",
            ParamStyle::PipeDelimited => "pipeDelimited",
            ParamStyle::DeepObject => "deepObject",
        };
        let _ = write!(out, ", style: .{name}");
    }
    if explode != default_explode {
        let _ = write!(out, ", explode: {explode}");
    }
    out
}

fn failure_enum(out: &mut String, op: &Operation, name: &str, cases: &[(String, Status, String)]) {
    let _ = writeln!(out, "/// The error bodies of `{}`, by status.", op.name.replace('`', "'"));
    let _ = writeln!(out, "public enum {name}: Sendable {{");
    for (case, status, ty) in cases {
        let label = match status {
            Status::Code(code) => code.to_string(),
            Status::Range(class) => format!("{class}XX"),
            Status::Default => "any other status".to_owned(),
        };
        let _ = writeln!(out, "    /// {label}");
        let _ = writeln!(out, "    case {case}({ty})");
    }
    out.push('\n');
    let _ = writeln!(out, "    init?(response: HTTPResponse) {{");
    let _ = writeln!(out, "        switch response.status {{");
    let mut has_default = false;
    for (case, status, ty) in cases {
        let pattern = match status {
            Status::Code(code) => code.to_string(),
            Status::Range(class) => format!("{0}00..<{1}00", class, class + 1),
            Status::Default => {
                has_default = true;
                "default".to_owned()
            }
        };
        let decode = if ty == "String" {
            format!("self = .{case}(String(decoding: response.body, as: UTF8.self))")
        } else {
            format!(
                "guard let body = try? response.json({ty}.self) else {{ return nil }}\n            self = .{case}(body)"
            )
        };
        if pattern == "default" {
            let _ = writeln!(out, "        default:\n            {decode}");
        } else {
            let _ = writeln!(out, "        case {pattern}:\n            {decode}");
        }
    }
    if !has_default {
        let _ = writeln!(out, "        default:\n            return nil");
    }
    let _ = writeln!(out, "        }}");
    let _ = writeln!(out, "    }}");
    let _ = writeln!(out, "}}");
}
