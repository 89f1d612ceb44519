//! Lowering: the parsed OpenAPI document, read straight from its spanned nodes, into the
//! language-neutral [`Api`] model. Problems are collected as diagnostics, not raised at the first
//! one, so a user sees every error in one run.

mod operations;
mod resources;
mod schema;

use crate::fast_hash::{FastMap, FastSet};

use crate::diagnostic::Diagnostic;
use crate::document::Node;
use crate::documents::{Documents, Target};
use crate::model::{Api, Info, Operation, Ty, TypeDef, TypeId, TypeKind};
use crate::naming::{self, Lang};
use crate::source::{FileId, Span};

/// The OpenAPI versions we read. 3.2 documents are read as 3.1, with warnings for what 3.2 adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecVersion {
    V3_0,
    V3_1,
    V3_2,
}

pub fn lower(
    docs: &Documents,
    options: &crate::passes::ModelOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Api> {
    let root = docs.root();
    let version = check_version(docs, root, diagnostics)?;
    let info = read_info(root, diagnostics)?;
    // Reading the files may have reported some places already.
    let reported = diagnostics.iter().map(|d| (d.primary.as_ref().map(|(span, _)| *span), d.severity)).collect();
    let mut lowerer = Lowerer {
        docs,
        version,
        strict_enums: options.strict_enums,
        diagnostics,
        types: Vec::new(),
        by_target: FastMap::default(),
        nullable_types: FastSet::default(),
        type_names: FastSet::default(),
        component_names: FastMap::default(),
        original_keys: FastMap::default(),
        defined: FastSet::default(),
        deferred: Vec::new(),
        depth: 0,
        reported,
        operations: Vec::new(),
        op_sources: Vec::new(),
    };
    lowerer.reserve_component_names();
    lowerer.lower_components();
    lowerer.lower_paths();
    lowerer.lower_deferred();
    lowerer.warn_ignored_top_level();
    let resources = lowerer.resources();
    Some(Api {
        info,
        source_files: docs.sources.files().map(|f| f.path.clone()).collect(),
        servers: root
            .get("servers")
            .map(|s| s.items().iter().filter_map(|s| s.get("url")?.as_str().map(str::to_owned)).collect())
            .unwrap_or_default(),
        types: lowerer.types,
        operations: lowerer.operations,
        resources,
    })
}

fn check_version(docs: &Documents, root: &Node, diagnostics: &mut Vec<Diagnostic>) -> Option<SpecVersion> {
    if !root.is_object() {
        let message = if root.is_null() { "the spec is empty" } else { "the spec must be an object (a mapping)" };
        diagnostics.push(Diagnostic::error(message).at(root.span, format!("found {}", root.kind())));
        return None;
    }
    if let Some(swagger) = root.member("swagger") {
        diagnostics.push(
            Diagnostic::error(format!(
                "Swagger {} is not supported: sync-patterns reads OpenAPI 3.0 and 3.1",
                swagger.value.as_str().unwrap_or("2.0")
            ))
            .at(swagger.key_span.join(swagger.value.span), "a Swagger 2.0 document")
            .help("convert it to OpenAPI 3 first, e.g. with `npx swagger2openapi spec.yaml -o openapi.yaml`"),
        );
        return None;
    }
    let Some(member) = root.member("openapi") else {
        diagnostics.push(
            Diagnostic::error("not an OpenAPI document: no `openapi` version field")
                .at(first_line(root.span), "expected `openapi: 3.1.0` (or 3.0.x) at the top"),
        );
        return None;
    };
    let text = match &member.value.value {
        crate::document::Value::String(s) => s.clone(),
        // `openapi: 3.0` unquoted in YAML is a number: read it as written.
        crate::document::Value::Float(_) | crate::document::Value::Int(_) => {
            let span = member.value.span;
            let text = &docs.sources.file(span.file).text;
            text.get(span.start as usize..span.end as usize).unwrap_or_default().trim().to_owned()
        }
        _ => String::new(),
    };
    let version = if text.starts_with("3.0.") || text == "3.0" {
        SpecVersion::V3_0
    } else if text.starts_with("3.1.") || text == "3.1" {
        SpecVersion::V3_1
    } else if text.starts_with("3.2.") || text == "3.2" {
        diagnostics.push(
            Diagnostic::warning(format!("OpenAPI {text} is read as 3.1: what 3.2 adds is ignored"))
                .at(member.value.span, "read as 3.1"),
        );
        SpecVersion::V3_2
    } else {
        diagnostics.push(
            Diagnostic::error(format!("unsupported OpenAPI version `{text}`"))
                .at(member.value.span, "expected 3.0.x or 3.1.x")
                .help("sync-patterns reads OpenAPI 3.0 and 3.1 (and 3.2 where it is 3.1-compatible)"),
        );
        return None;
    };
    Some(version)
}

fn first_line(span: Span) -> Span {
    Span { end: span.start, ..span }
}

fn read_info(root: &Node, diagnostics: &mut Vec<Diagnostic>) -> Option<Info> {
    let Some(info) = root.get("info") else {
        let openapi = root.member("openapi").map_or(root.span, |m| m.key_span);
        diagnostics.push(
            Diagnostic::error("the spec has no `info` object")
                .at(openapi, "this document has no `info`")
                .help("add `info:` with a `title` and a `version`; every OpenAPI document needs them"),
        );
        return None;
    };
    let text = |key: &str| info.get(key).and_then(Node::as_str).map(str::to_owned);
    for key in ["title", "version"] {
        if text(key).is_none() {
            diagnostics.push(
                Diagnostic::warning(format!("`info` has no `{key}` string"))
                    .at(first_line(info.span), format!("`info.{key}` is required")),
            );
        }
    }
    Some(Info {
        title: text("title").unwrap_or_default(),
        version: text("version").unwrap_or_default(),
        description: text("description"),
    })
}

/// Where an operation came from, kept for the x-sync rules (which point back into the spec).
struct OperationSource<'d> {
    path_item: &'d Node,
    operation: &'d Node,
    /// The operation's own `x-sync`, or its path item's.
    explicit_sync: Option<(crate::model::SyncMode, Span)>,
    /// The method key's span, for messages about this operation.
    span: Span,
}

pub(crate) struct Lowerer<'d> {
    docs: &'d Documents,
    version: SpecVersion,
    /// Enums are closed unless the spec marks them open (see [`crate::passes::ModelOptions`]).
    strict_enums: bool,
    diagnostics: &'d mut Vec<Diagnostic>,
    types: Vec<TypeDef>,
    /// The named type made for each `$ref` target, so each is lowered once and recursion ends.
    by_target: FastMap<Target, TypeId>,
    /// Named types whose schema itself allows `null`: every reference to them is nullable.
    nullable_types: FastSet<TypeId>,
    /// Type names taken, in PascalCase, since every target language cases type names that way.
    type_names: FastSet<String>,
    /// The name each component schema gets, claimed before anything else is lowered.
    component_names: FastMap<Target, String>,
    /// A named type's key as the spec wrote it (`dog_v1`), for implicit discriminator tags.
    original_keys: FastMap<TypeId, String>,
    /// Named types whose definition has been lowered (the rest are being, or are queued).
    defined: FastSet<TypeId>,
    /// Targets registered but not yet lowered, because a reference chain went deep.
    deferred: Vec<(TypeId, &'d Node, FileId)>,
    /// How many references deep the lowering is right now.
    depth: usize,
    /// Places already reported, with the severity: one error and one warning per place at most
    /// (a `$ref` to a missing file is found both when reading and when lowering).
    reported: FastSet<(Option<Span>, crate::diagnostic::Severity)>,
    operations: Vec<Operation>,
    op_sources: Vec<OperationSource<'d>>,
}

impl<'d> Lowerer<'d> {
    fn root(&self) -> &'d Node {
        self.docs.root()
    }

    fn root_file(&self) -> FileId {
        FileId(0)
    }

    /// A scalar as the spec wrote it, quotes and all stripped only by the parser's span.
    pub(super) fn source_text(&self, node: &Node) -> &'d str {
        let file = self.docs.sources.file(node.span.file);
        file.text.get(node.span.start as usize..node.span.end as usize).unwrap_or_default().trim()
    }

    /// Records a diagnostic (error or warning), once per place and message.
    fn report(&mut self, diagnostic: Diagnostic) {
        let place = diagnostic.primary.as_ref().map(|(span, _)| *span);
        if self.reported.insert((place, diagnostic.severity)) {
            self.diagnostics.push(diagnostic);
        }
    }

    /// Component schemas keep the names their authors gave them: claim those, in document
    /// order, before any inline type can take one. Two keys that case to one name (`pet_owner`,
    /// `PetOwner`) get it in turn, the second numbered.
    fn reserve_component_names(&mut self) {
        let root = self.root();
        let Some(schemas) = root.get("components").and_then(|c| c.get("schemas")) else {
            return;
        };
        for member in schemas.members() {
            let name = self.claim_type_name(naming::pascal(&member.key, Lang::Rust));
            self.component_names.insert(component_target(self.root_file(), &member.key), name);
        }
    }

    fn lower_components(&mut self) {
        let root = self.root();
        let Some(schemas) = root.get("components").and_then(|c| c.get("schemas")) else {
            return;
        };
        for member in schemas.members() {
            let target = component_target(self.root_file(), &member.key);
            if !self.by_target.contains_key(&target) {
                let id = self.register_target(target, &member.value);
                self.fill_target(id, &member.value, self.root_file());
            }
        }
    }

    /// A new named type, given a name unique among the API's types (in PascalCase).
    fn new_type(&mut self, wanted: &str, doc: Option<String>, deprecated: bool) -> TypeId {
        self.new_type_named(naming::pascal(wanted, Lang::Rust), doc, deprecated)
    }

    /// [`Self::new_type`] for a name already in PascalCase.
    fn new_type_named(&mut self, base: String, doc: Option<String>, deprecated: bool) -> TypeId {
        let name = self.claim_type_name(base);
        self.push_type(name, doc, deprecated)
    }

    /// `base`, or `base` numbered from 2, whichever is free first; it is then taken.
    fn claim_type_name(&mut self, base: String) -> String {
        if self.type_names.insert(base.clone()) {
            return base;
        }
        (2..)
            .map(|n| format!("{base}{n}"))
            .find(|candidate| self.type_names.insert(candidate.clone()))
            .expect("an unbounded range always yields a free name")
    }

    fn push_type(&mut self, name: String, doc: Option<String>, deprecated: bool) -> TypeId {
        let id = TypeId(self.types.len());
        self.types.push(TypeDef { name, doc, deprecated, kind: TypeKind::Alias(Ty::Any) });
        id
    }

    fn warn_ignored_top_level(&mut self) {
        if self.version != SpecVersion::V3_2 {
            return;
        }
        let root = self.root();
        for key in ["$self"] {
            if let Some(member) = root.member(key) {
                self.report(
                    Diagnostic::warning(format!("`{key}` (OpenAPI 3.2) is ignored")).at(member.key_span, "ignored"),
                );
            }
        }
    }
}

impl Span {
    /// The span from the start of `self` to the end of `other` (same file).
    pub fn join(self, other: Span) -> Span {
        Span { file: self.file, start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

/// The target a component schema's `$ref`s resolve to.
fn component_target(file: FileId, key: &str) -> Target {
    Target { file, pointer: format!("/components/schemas/{}", key.replace('~', "~0").replace('/', "~1")) }
}

/// `description`, else `title`, trimmed; `None` when empty.
fn doc_of(node: &Node) -> Option<String> {
    ["description", "title"]
        .iter()
        .find_map(|key| node.get(key).and_then(Node::as_str))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn flag(node: &Node, key: &str) -> bool {
    node.get(key).and_then(Node::as_bool).unwrap_or(false)
}
