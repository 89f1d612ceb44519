//! Paths and operations: parameters, request bodies and responses.

use std::collections::HashSet;

use super::schema::Hint;
use super::{Lowerer, OperationSource, SpecVersion, doc_of, flag};
use crate::diagnostic::Diagnostic;
use crate::document::Node;
use crate::model::{
    MediaKind, Method, Operation, Param, ParamLocation, ParamStyle, PathSegment, PropertyEncoding, RequestBody,
    Response, ResponseBody, Status, StringFormat, SyncMode, Ty,
};
use crate::naming::{self, Lang};
use crate::source::{FileId, Span};

impl<'d> Lowerer<'d> {
    pub(super) fn lower_paths(&mut self) {
        let root = self.root();
        let file = self.root_file();
        let Some(paths) = root.get("paths") else {
            if self.version == SpecVersion::V3_0 {
                self.report(
                    Diagnostic::warning("the spec has no `paths`")
                        .at(super::first_line(root.span), "OpenAPI 3.0 requires `paths`"),
                );
            }
            return;
        };
        let mut operation_names = HashSet::new();
        for member in paths.members() {
            if member.key.starts_with("x-") {
                continue;
            }
            if !member.key.starts_with('/') {
                self.report(
                    Diagnostic::warning(format!("path `{}` does not start with `/`", member.key))
                        .at(member.key_span, "read as if it did"),
                );
            }
            let (item, item_file) = match self.follow_ref(&member.value, file) {
                Some(found) => found,
                None => continue,
            };
            let path_sync = self.sync_mode(item);
            if self.version == SpecVersion::V3_2 {
                for key in ["query", "additionalOperations"] {
                    if let Some(m) = item.member(key) {
                        self.report(
                            Diagnostic::warning(format!("`{key}` (OpenAPI 3.2) is not supported yet and is ignored"))
                                .at(m.key_span, "ignored"),
                        );
                    }
                }
            }
            for method in Method::ALL {
                let Some(op_member) = item.member(method.key()) else { continue };
                let op_node = &op_member.value;
                if !op_node.is_object() {
                    self.report(
                        Diagnostic::error(format!("`{}` must be an operation object", method.key()))
                            .at(op_member.value.span, format!("found {}", op_node.kind())),
                    );
                    continue;
                }
                let explicit_sync = self.sync_mode(op_node).or(path_sync);
                let operation = self.operation(&member.key, method, item, op_node, item_file, &mut operation_names);
                self.operations.push(operation);
                self.op_sources.push(OperationSource {
                    path_item: item,
                    operation: op_node,
                    explicit_sync,
                    span: op_member.key_span,
                });
            }
        }
    }

    /// A node, or the node its `$ref` names (path items, parameters, bodies, responses).
    pub(super) fn follow_ref(&mut self, node: &'d Node, file: FileId) -> Option<(&'d Node, FileId)> {
        let mut current = (node, file);
        // Bounded: a chain of references longer than this is a cycle.
        for _ in 0..32 {
            let Some(reference) = current.0.get("$ref") else {
                return Some(current);
            };
            let Some(text) = reference.as_str() else {
                self.report(
                    Diagnostic::error("`$ref` must be a string")
                        .at(reference.span, format!("found {}", reference.kind())),
                );
                return None;
            };
            match self.docs.resolve(current.1, text) {
                Ok((target, found)) => current = (found, target.file),
                Err(why) => {
                    self.report(Diagnostic::error(format!("cannot resolve `$ref: {text}`")).at(reference.span, why));
                    return None;
                }
            }
        }
        self.report(Diagnostic::error("`$ref`s form a cycle").at(node.span, "this reference never reaches an object"));
        None
    }

    /// Reads `x-sync` on a node; unknown values are errors.
    pub(super) fn sync_mode(&mut self, node: &Node) -> Option<(SyncMode, Span)> {
        let value = node.get("x-sync")?;
        match value.as_str() {
            Some("live") => Some((SyncMode::Live, value.span)),
            Some("push") => Some((SyncMode::Push, value.span)),
            other => {
                let shown = other.map_or_else(|| value.to_json(), str::to_owned);
                let mut diagnostic = Diagnostic::error(format!("unknown `x-sync` mode `{shown}`"))
                    .at(value.span, "expected `live` or `push`");
                if let Some(other) = other
                    && let Some(guess) =
                        ["live", "push"].into_iter().find(|m| edit_distance(m, &other.to_ascii_lowercase()) <= 2)
                {
                    diagnostic = diagnostic.help(format!("did you mean `{guess}`?"));
                }
                self.report(diagnostic);
                None
            }
        }
    }

    fn operation(
        &mut self,
        path: &str,
        method: Method,
        item: &'d Node,
        op: &'d Node,
        file: FileId,
        names: &mut HashSet<String>,
    ) -> Operation {
        let segments = parse_segments(path);
        let name = self.operation_name(path, method, op, &segments, names);
        let params = self.params(&name, path, &segments, item, op, file);
        let body = op.get("requestBody").and_then(|body| self.request_body(&name, body, file));
        let responses = self.responses(&name, op, file);
        Operation {
            name,
            method,
            path: path.to_owned(),
            segments,
            summary: op.get("summary").and_then(Node::as_str).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()),
            doc: op.get("description").and_then(Node::as_str).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()),
            deprecated: flag(op, "deprecated"),
            tags: op
                .get("tags")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect(),
            params,
            body,
            responses,
            // Settled by the resource rules, which know whether this operation can be live.
            sync: SyncMode::Push,
        }
    }

    fn operation_name(
        &mut self,
        path: &str,
        method: Method,
        op: &Node,
        segments: &[PathSegment],
        names: &mut HashSet<String>,
    ) -> String {
        let given = op.get("operationId").and_then(Node::as_str).filter(|s| !naming::snake(s, Lang::Rust).is_empty());
        let wanted = match given {
            Some(id) => id.to_owned(),
            None => {
                let mut words = vec![method.key().to_owned()];
                for segment in segments {
                    match segment {
                        PathSegment::Literal(text) => words.push(text.clone()),
                        PathSegment::Param(name) => words.push(format!("by {name}")),
                    }
                }
                naming::camel(&words.join(" "), Lang::TypeScript)
            }
        };
        let key = naming::snake(&wanted, Lang::Rust);
        if names.insert(key.clone()) {
            return wanted;
        }
        if let Some(id) = op.member("operationId") {
            self.report(
                Diagnostic::warning(format!("operationId `{wanted}` is used by another operation"))
                    .at(id.value.span, format!("this one ({} {path}) gets a numbered name", method.http())),
            );
        }
        // The numbered name must itself be free once cased (`getFoo2` may be taken).
        (2..)
            .map(|n| format!("{wanted}{n}"))
            .find(|candidate| names.insert(naming::snake(candidate, Lang::Rust)))
            .expect("an unbounded range always yields a free name")
    }

    fn params(
        &mut self,
        op_name: &str,
        path: &str,
        segments: &[PathSegment],
        item: &'d Node,
        op: &'d Node,
        file: FileId,
    ) -> Vec<Param> {
        // Operation parameters override path-item parameters of the same name and location.
        let mut declared: Vec<(Param, Span)> = Vec::new();
        for list in [item.get("parameters"), op.get("parameters")].into_iter().flatten() {
            for node in list.items() {
                let Some((param, span)) = self.param(op_name, node, file) else { continue };
                match declared.iter_mut().find(|(p, _)| p.name == param.name && p.location == param.location) {
                    Some(existing) => *existing = (param, span),
                    None => declared.push((param, span)),
                }
            }
        }
        let mut params = Vec::new();
        for segment in segments {
            let PathSegment::Param(name) = segment else { continue };
            match declared.iter().position(|(p, _)| p.location == ParamLocation::Path && &p.name == name) {
                Some(index) => params.push(declared.remove(index).0),
                None => {
                    self.report(
                        Diagnostic::warning(format!("path parameter `{name}` of `{path}` is not declared"))
                            .at(op.span, "read as a required string")
                            .help(format!("declare it: `parameters: [{{name: {name}, in: path, required: true, schema: {{type: string}}}}]`")),
                    );
                    params.push(Param {
                        name: name.clone(),
                        location: ParamLocation::Path,
                        required: true,
                        ty: Ty::String(StringFormat::Plain),
                        doc: None,
                        deprecated: false,
                        style: ParamStyle::Simple,
                        explode: false,
                    });
                }
            }
        }
        for (param, span) in declared {
            if param.location == ParamLocation::Path {
                self.report(
                    Diagnostic::warning(format!("path parameter `{}` is not in the path `{path}`", param.name))
                        .at(span, "ignored"),
                );
                continue;
            }
            params.push(param);
        }
        params
    }

    fn param(&mut self, op_name: &str, node: &'d Node, file: FileId) -> Option<(Param, Span)> {
        let (node, file) = self.follow_ref(node, file)?;
        let Some(name) = node.get("name").and_then(Node::as_str) else {
            self.report(Diagnostic::error("a parameter needs a `name`").at(node.span, "no `name` here"));
            return None;
        };
        let location_node = node.get("in");
        let location = match location_node.and_then(Node::as_str) {
            Some("path") => ParamLocation::Path,
            Some("query") => ParamLocation::Query,
            Some("header") => ParamLocation::Header,
            Some("cookie") => ParamLocation::Cookie,
            other => {
                self.report(
                    Diagnostic::error(format!("parameter `{name}` has an unknown location `{}`", other.unwrap_or("")))
                        .at(
                            location_node.map_or(node.span, |n| n.span),
                            "expected `path`, `query`, `header` or `cookie`",
                        ),
                );
                return None;
            }
        };
        // OpenAPI: these headers are described elsewhere (content negotiation, security).
        if location == ParamLocation::Header
            && ["accept", "content-type", "authorization"].contains(&name.to_ascii_lowercase().as_str())
        {
            return None;
        }
        let hint = format!("{op_name} {name}");
        let ty = match (node.get("schema"), node.get("content")) {
            (Some(schema), _) => self.schema(schema, file, &Hint::new(&hint)),
            (None, Some(content)) => match content.members().first().and_then(|m| m.value.get("schema")) {
                Some(schema) => self.schema(schema, file, &Hint::new(&hint)),
                None => Ty::String(StringFormat::Plain),
            },
            (None, None) => Ty::String(StringFormat::Plain),
        };
        let style = match node.get("style").and_then(Node::as_str) {
            Some("label") => ParamStyle::Label,
            Some("matrix") => ParamStyle::Matrix,
            Some("form") => ParamStyle::Form,
            Some("simple") => ParamStyle::Simple,
            Some("spaceDelimited") => ParamStyle::SpaceDelimited,
            Some("pipeDelimited") => ParamStyle::PipeDelimited,
            Some("deepObject") => ParamStyle::DeepObject,
            _ => match location {
                ParamLocation::Path | ParamLocation::Header => ParamStyle::Simple,
                ParamLocation::Query | ParamLocation::Cookie => ParamStyle::Form,
            },
        };
        let explode = node.get("explode").and_then(Node::as_bool).unwrap_or(style == ParamStyle::Form);
        Some((
            Param {
                name: name.to_owned(),
                location,
                required: location == ParamLocation::Path || flag(node, "required"),
                ty,
                doc: doc_of(node),
                deprecated: flag(node, "deprecated"),
                style,
                explode,
            },
            node.span,
        ))
    }

    fn request_body(&mut self, op_name: &str, node: &'d Node, file: FileId) -> Option<RequestBody> {
        let (node, file) = self.follow_ref(node, file)?;
        let (content_type, media, chosen) = choose_media(node.get("content")?)?;
        let schema = chosen.get("schema");
        let encoding = match media {
            MediaKind::Form | MediaKind::Multipart => property_encodings(chosen),
            _ => Vec::new(),
        };
        let ty = match schema {
            Some(schema) => self.schema(schema, file, &Hint::new(&format!("{op_name} request"))),
            None => default_body_type(media),
        };
        Some(RequestBody {
            content_type,
            media,
            ty: if media == MediaKind::Binary { Ty::String(StringFormat::Binary) } else { ty },
            required: flag(node, "required"),
            doc: doc_of(node),
            encoding,
        })
    }

    fn responses(&mut self, op_name: &str, op: &'d Node, file: FileId) -> Vec<Response> {
        let mut responses = Vec::new();
        let Some(list) = op.get("responses") else {
            return responses;
        };
        let mut named_success = false;
        for member in list.members() {
            if member.key.starts_with("x-") {
                continue;
            }
            let Some(status) = parse_status(&member.key) else {
                self.report(
                    Diagnostic::warning(format!("`{}` is not a response status", member.key))
                        .at(member.key_span, "expected a code like `200`, a range like `4XX`, or `default`; ignored"),
                );
                continue;
            };
            let Some((node, node_file)) = self.follow_ref(&member.value, file) else { continue };
            if node.get("description").is_none() {
                self.report(
                    Diagnostic::warning(format!("response `{}` has no `description`", member.key))
                        .at(member.key_span, "OpenAPI requires a `description` on every response")
                        .help("add `description: ...`; generation goes on without it"),
                );
            }
            let hint = if status.is_success() && !named_success {
                named_success = true;
                format!("{op_name} response")
            } else {
                format!("{op_name} {} response", member.key)
            };
            let body = node.get("content").and_then(choose_media).map(|(content_type, media, chosen)| {
                let ty = match chosen.get("schema") {
                    Some(schema) => self.schema(schema, node_file, &Hint::new(&hint)),
                    None => default_body_type(media),
                };
                ResponseBody {
                    content_type,
                    media,
                    ty: if media == MediaKind::Binary { Ty::String(StringFormat::Binary) } else { ty },
                }
            });
            responses.push(Response {
                status,
                doc: node
                    .get("description")
                    .and_then(Node::as_str)
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty()),
                body,
            });
        }
        responses.sort_by_key(|r| r.status);
        responses
    }
}

fn parse_segments(path: &str) -> Vec<PathSegment> {
    let mut segments = Vec::new();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        // `{id}` alone, or mixed like `{name}.json` / `v{version}`: split into pieces.
        let mut rest = part;
        let mut literal = String::new();
        while let Some(open) = rest.find('{') {
            // An unclosed `{` is literal text, read below with the rest.
            let Some(close) = rest[open..].find('}') else { break };
            literal.push_str(&rest[..open]);
            if !literal.is_empty() {
                segments.push(PathSegment::Literal(std::mem::take(&mut literal)));
            }
            segments.push(PathSegment::Param(rest[open + 1..open + close].to_owned()));
            rest = &rest[open + close + 1..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            segments.push(PathSegment::Literal(literal));
        }
    }
    segments
}

fn parse_status(key: &str) -> Option<Status> {
    if key == "default" {
        return Some(Status::Default);
    }
    let bytes = key.as_bytes();
    if bytes.len() == 3 && bytes[0].is_ascii_digit() && key[1..].eq_ignore_ascii_case("xx") {
        return Some(Status::Range(bytes[0] - b'0'));
    }
    key.parse::<u16>().ok().filter(|c| (100..600).contains(c)).map(Status::Code)
}

/// Picks the media type emitters handle best: JSON, then form, multipart, text, anything.
/// The `encoding` map of a form or multipart media type.
fn property_encodings(media: &Node) -> Vec<PropertyEncoding> {
    let Some(encoding) = media.get("encoding") else { return Vec::new() };
    encoding
        .members()
        .iter()
        .map(|member| {
            let node = &member.value;
            let style = match node.get("style").and_then(Node::as_str) {
                Some("deepObject") => ParamStyle::DeepObject,
                Some("spaceDelimited") => ParamStyle::SpaceDelimited,
                Some("pipeDelimited") => ParamStyle::PipeDelimited,
                _ => ParamStyle::Form,
            };
            PropertyEncoding {
                name: member.key.clone(),
                style,
                explode: node.get("explode").and_then(Node::as_bool).unwrap_or(style == ParamStyle::Form),
                content_type: node.get("contentType").and_then(Node::as_str).map(str::to_owned),
            }
        })
        .collect()
}

fn choose_media(content: &Node) -> Option<(String, MediaKind, &Node)> {
    let members = content.members();
    let classify = |name: &str| {
        let essence = name.split(';').next().unwrap_or(name).trim().to_ascii_lowercase();
        if essence == "application/json" || essence.ends_with("+json") {
            MediaKind::Json
        } else if essence == "application/x-www-form-urlencoded" {
            MediaKind::Form
        } else if essence == "multipart/form-data" {
            MediaKind::Multipart
        } else if essence.starts_with("text/") {
            MediaKind::Text
        } else {
            MediaKind::Binary
        }
    };
    let rank = |kind: MediaKind| match kind {
        MediaKind::Json => 0,
        MediaKind::Form => 1,
        MediaKind::Multipart => 2,
        MediaKind::Text => 3,
        MediaKind::Binary => 4,
    };
    let chosen = members.iter().min_by_key(|m| rank(classify(&m.key)))?;
    let media = classify(&chosen.key);
    Some((chosen.key.clone(), media, &chosen.value))
}

fn default_body_type(media: MediaKind) -> Ty {
    match media {
        MediaKind::Json | MediaKind::Form | MediaKind::Multipart => Ty::Any,
        MediaKind::Text => Ty::String(StringFormat::Plain),
        MediaKind::Binary => Ty::String(StringFormat::Binary),
    }
}

/// Levenshtein distance, for "did you mean" hints on short words.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != cb)).min(row[j] + 1).min(current + 1);
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_paths_into_segments() {
        assert_eq!(
            parse_segments("/repos/{owner}/{repo}.json"),
            vec![
                PathSegment::Literal("repos".into()),
                PathSegment::Param("owner".into()),
                PathSegment::Param("repo".into()),
                PathSegment::Literal(".json".into()),
            ]
        );
    }

    #[test]
    fn an_unclosed_brace_is_literal_text() {
        assert_eq!(parse_segments("/x{y"), vec![PathSegment::Literal("x{y".into())]);
    }

    #[test]
    fn reads_statuses() {
        assert_eq!(parse_status("200"), Some(Status::Code(200)));
        assert_eq!(parse_status("4XX"), Some(Status::Range(4)));
        assert_eq!(parse_status("default"), Some(Status::Default));
        assert_eq!(parse_status("20"), None);
    }

    #[test]
    fn measures_edits() {
        assert_eq!(edit_distance("live", "liev"), 2);
        assert_eq!(edit_distance("push", "pull"), 2);
        assert_eq!(edit_distance("live", "live"), 0);
    }
}
