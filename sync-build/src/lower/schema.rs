//! Schemas to types. Objects, enums and unions become named types (inline ones named from where
//! they stand); everything else stays an inline [`Ty`].

use std::collections::HashSet;

use super::{Lowerer, doc_of, first_line, flag};

/// How deep references are lowered as they are met before the rest waits in a queue.
const MAX_EAGER_DEPTH: usize = 48;
use crate::diagnostic::Diagnostic;
use crate::document::{Node, Value};
use crate::documents::Target;
use crate::model::{
    Enum, EnumValue, Field, FloatFormat, IntFormat, Literal, StringFormat, Struct, Ty, TypeId, TypeKind, Union,
    UnionKind, Variant,
};
use crate::source::FileId;

/// The name a new inline type would get, from where it stands (`Contact` + `address`), spelled
/// out only when a type is actually made: most schemas are primitives that never need one, and
/// case-converting a name for each of a large spec's properties is a measurable share of loading.
#[derive(Clone, Copy)]
pub(super) struct Hint<'a> {
    parent: Option<&'a Hint<'a>>,
    words: &'a str,
    /// The words are a type's name already (PascalCase): they are used as they are.
    is_type_name: bool,
}

impl<'a> Hint<'a> {
    /// A hint from free words (`listContacts response`).
    pub(super) fn new(words: &'a str) -> Hint<'a> {
        Hint { parent: None, words, is_type_name: false }
    }

    /// A hint from the name of the type the new one stands in.
    pub(super) fn type_name(name: &'a str) -> Hint<'a> {
        Hint { parent: None, words: name, is_type_name: true }
    }

    pub(super) fn then(&'a self, words: &'a str) -> Hint<'a> {
        Hint { parent: Some(self), words, is_type_name: false }
    }

    /// The PascalCase name. Only the words added since the last type name are converted.
    fn spell(&self) -> String {
        match (self.parent, self.is_type_name) {
            (_, true) => self.words.to_owned(),
            (Some(parent), false) => parent.spell() + &crate::naming::upper_camel_words(self.words),
            (None, false) => crate::naming::pascal(self.words, crate::naming::Lang::Rust),
        }
    }
}

/// The JSON types a schema's `type` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JsonType {
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,
}

impl<'d> Lowerer<'d> {
    /// The type of the schema at `node`, standing inline where a new named type would be called
    /// `hint` (words, e.g. `"Contact address"`).
    pub(super) fn schema(&mut self, node: &'d Node, file: FileId, hint: &Hint) -> Ty {
        match &node.value {
            Value::Bool(_) => return Ty::Any,
            Value::Object(_) => {}
            _ => {
                self.report(
                    Diagnostic::warning(format!("a schema must be an object, found {}", node.kind()))
                        .at(node.span, "read as any value"),
                );
                return Ty::Any;
            }
        }
        if let Some(reference) = node.get("$ref") {
            let ty = self.reference(reference, file);
            return if self.ref_sibling_nullable(node) { nullable(ty) } else { ty };
        }
        self.describe(node, file, hint, None)
    }

    /// `nullable: true` beside a `$ref`: OpenAPI 3.0 says siblings of `$ref` are ignored, but
    /// authors write it meaning "this reference may be null", and dropping it would make decoding
    /// fail on real responses; 3.1 allows siblings outright.
    fn ref_sibling_nullable(&self, node: &Node) -> bool {
        flag(node, "nullable") || type_names(node).1
    }

    /// The type a `$ref` names: its target's named type, made on first sight.
    pub(super) fn reference(&mut self, reference: &'d Node, file: FileId) -> Ty {
        let Some(text) = reference.as_str() else {
            self.report(
                Diagnostic::error("`$ref` must be a string").at(reference.span, format!("found {}", reference.kind())),
            );
            return Ty::Any;
        };
        match self.docs.resolve(file, text) {
            Err(why) => {
                self.report(
                    Diagnostic::error(format!("cannot resolve `$ref: {text}`"))
                        .at(reference.span, why)
                        .help("a `$ref` names a schema in this file (`#/components/schemas/Name`) or a file beside it (`./schemas/contact.yaml#/Contact`)"),
                );
                Ty::Any
            }
            Ok((target, node)) => {
                let id = match self.by_target.get(&target) {
                    Some(&id) => id,
                    None => {
                        let file = target.file;
                        let id = self.register_target(target, node);
                        // Lowered on the spot, unless a chain of references has gone deep: then
                        // later, from a queue, so no spec can exhaust the stack.
                        if self.depth < MAX_EAGER_DEPTH {
                            self.depth += 1;
                            self.fill_target(id, node, file);
                            self.depth -= 1;
                        } else {
                            self.deferred.push((id, node, file));
                        }
                        id
                    }
                };
                if self.nullable_types.contains(&id) { nullable(Ty::Named(id)) } else { Ty::Named(id) }
            }
        }
    }

    /// Makes the named type for a `$ref` target (or a component schema), without lowering its
    /// schema yet: registered first, so recursive references find it.
    pub(super) fn register_target(&mut self, target: Target, node: &'d Node) -> TypeId {
        let doc = if node.is_object() { doc_of(node) } else { None };
        let deprecated = node.is_object() && flag(node, "deprecated");
        let key = name_from_pointer(&target.pointer);
        let id = match self.component_names.get(&target) {
            // Component names were claimed up front, unique in document order.
            Some(name) => self.push_type(name.clone(), doc, deprecated),
            None => {
                let wanted = key.clone().unwrap_or_else(|| file_stem(&self.docs.sources.file(target.file).path));
                self.new_type(&wanted, doc, deprecated)
            }
        };
        if let Some(key) = key {
            self.original_keys.insert(id, key);
        }
        if self.allows_null(node, target.file, 0) {
            self.nullable_types.insert(id);
        }
        self.by_target.insert(target, id);
        id
    }

    /// Lowers a registered target's schema into its named type.
    pub(super) fn fill_target(&mut self, id: TypeId, node: &'d Node, file: FileId) {
        let (mut node, mut file) = (node, file);
        // A component that only points at a schema defined nowhere else (in another file, deep
        // in `paths`) takes that schema's place under its own name, instead of becoming an alias
        // of a second, numbered type.
        while let Some(text) = node.get("$ref").and_then(Node::as_str)
            && !self.ref_sibling_nullable(node)
            && let Ok((target, next)) = self.docs.resolve(file, text)
            && !self.by_target.contains_key(&target)
            && !self.is_component_schema(&target)
        {
            self.by_target.insert(target.clone(), id);
            if self.types[id.0].doc.is_none() && next.is_object() {
                self.types[id.0].doc = doc_of(next);
            }
            (node, file) = (next, target.file);
        }
        if let Some(reference) = node.get("$ref") {
            let ty = self.reference(reference, file);
            if self.aliases_reach(&ty, id) {
                self.report(
                    Diagnostic::error("these `$ref`s form a cycle with no schema in it")
                        .at(reference.span, "following this `$ref` leads back here")
                        .help("a `$ref` chain must end at a schema with a type, properties or composition"),
                );
                return;
            }
            self.define(id, TypeKind::Alias(strip_nullable(ty)));
            return;
        }
        match &node.value {
            Value::Object(_) => {
                let name = self.types[id.0].name.clone();
                self.describe(node, file, &Hint::type_name(&name), Some(id));
            }
            Value::Bool(_) => self.define(id, TypeKind::Alias(Ty::Any)),
            _ => self.report(
                Diagnostic::warning(format!("a schema must be an object, found {}", node.kind()))
                    .at(node.span, "read as any value"),
            ),
        }
    }

    /// Lowers the targets put off by [`Self::reference`], until none are left.
    pub(super) fn lower_deferred(&mut self) {
        let mut next = 0;
        while next < self.deferred.len() {
            let (id, node, file) = self.deferred[next];
            self.fill_target(id, node, file);
            next += 1;
        }
        self.deferred.clear();
    }

    /// Gives a named type its definition.
    fn define(&mut self, id: TypeId, kind: TypeKind) {
        self.types[id.0].kind = kind;
        self.defined.insert(id);
    }

    /// Whether the schema allows `null` (`nullable: true`, `type: [.., "null"]`, `null` among
    /// the enum values or the `oneOf`/`anyOf` variants), following `$ref`s.
    fn allows_null(&self, node: &Node, file: FileId, depth: usize) -> bool {
        if !node.is_object() || depth > 32 {
            return false;
        }
        if flag(node, "nullable") || type_names(node).1 {
            return true;
        }
        if node.get("enum").is_some_and(|values| values.items().iter().any(Node::is_null)) {
            return true;
        }
        if ["oneOf", "anyOf"].iter().any(|key| node.get(key).is_some_and(|v| v.items().iter().any(is_null_schema))) {
            return true;
        }
        match node.get("$ref").and_then(Node::as_str).map(|text| self.docs.resolve(file, text)) {
            Some(Ok((target, next))) => self.allows_null(next, target.file, depth + 1),
            _ => false,
        }
    }

    /// Whether following named aliases from `ty` comes back to `target`.
    fn aliases_reach(&self, ty: &Ty, target: TypeId) -> bool {
        let mut current = named_id(ty);
        for _ in 0..=self.types.len() {
            match current {
                Some(id) if id == target => return true,
                Some(id) => match &self.types[id.0].kind {
                    TypeKind::Alias(next) => current = named_id(next),
                    _ => return false,
                },
                None => return false,
            }
        }
        false
    }

    /// A schema under the root file's `components/schemas`, whose name was claimed up front.
    fn is_component_schema(&self, target: &Target) -> bool {
        target.file == self.root_file()
            && target.pointer.strip_prefix("/components/schemas/").is_some_and(|name| !name.contains('/'))
    }

    /// The slot a definition fills: the one given, or a new type named `hint`.
    fn slot(&mut self, slot: Option<TypeId>, hint: &Hint, node: &Node) -> TypeId {
        slot.unwrap_or_else(|| self.new_type_named(hint.spell(), doc_of(node), flag(node, "deprecated")))
    }

    /// Lowers a schema object that is not a `$ref`. With `slot`, the schema defines that named
    /// type (an inline result becomes its alias); without, objects, enums and unions get a new
    /// named type.
    fn describe(&mut self, node: &'d Node, file: FileId, hint: &Hint, slot: Option<TypeId>) -> Ty {
        let (types, null_in_type) = type_names(node);
        // 3.1 documents still written with 3.0's `nullable: true` mean it too (readme.io's do).
        let null_in_enum = node.get("enum").is_some_and(|values| values.items().iter().any(Node::is_null));
        let is_nullable = null_in_type || null_in_enum || flag(node, "nullable");
        let ty = self.describe_non_null(node, file, hint, slot, &types);
        match slot {
            Some(id) => {
                if is_nullable {
                    self.nullable_types.insert(id);
                }
                let defined_here = self.defined.contains(&id) && strip_nullable(ty.clone()) == Ty::Named(id);
                if !defined_here {
                    if self.aliases_reach(&ty, id) {
                        // `A: {allOf: [$ref: B]}`, `B: {allOf: [$ref: A]}`: nothing could ever
                        // be a value of these types.
                        self.report(
                            Diagnostic::error(format!(
                                "`{}` is defined only in terms of itself",
                                self.types[id.0].name
                            ))
                            .at(first_line(node.span), "this schema never reaches a type, properties or values")
                            .help("give the schema properties or a type, or break the cycle of references"),
                        );
                    } else {
                        self.define(id, TypeKind::Alias(strip_nullable(ty.clone())));
                        if matches!(ty, Ty::Nullable(_)) {
                            self.nullable_types.insert(id);
                        }
                    }
                }
                if self.nullable_types.contains(&id) { nullable(Ty::Named(id)) } else { Ty::Named(id) }
            }
            None if is_nullable => nullable(ty),
            None => ty,
        }
    }

    fn describe_non_null(
        &mut self,
        node: &'d Node,
        file: FileId,
        hint: &Hint,
        slot: Option<TypeId>,
        types: &[JsonType],
    ) -> Ty {
        if let Some(parts) = node.get("allOf") {
            return self.all_of(node, parts, file, hint, slot);
        }
        let has_properties = node.get("properties").is_some_and(|p| !p.members().is_empty());
        for (key, kind) in [("oneOf", UnionKind::OneOf), ("anyOf", UnionKind::AnyOf)] {
            if let Some(variants) = node.get(key)
                && !has_properties
            {
                return self.union(node, variants, kind, file, hint, slot);
            }
        }
        if let Some(values) = node.get("enum").or_else(|| node.get("x-extensible-enum")) {
            return self.enumeration(node, values, file, hint, slot, types);
        }
        if let Some(value) = node.get("const") {
            if types == [JsonType::String] && !matches!(value.value, Value::String(_) | Value::Null) {
                return Ty::Literal(Literal::String(self.source_text(value).to_owned()));
            }
            return literal(value).unwrap_or_else(|| self.primitive(node, types.first().copied()));
        }
        match types {
            [] if has_properties || node.get("additionalProperties").is_some() => self.object(node, file, hint, slot),
            [] if node.get("items").is_some() => self.array(node, file, hint),
            [] => Ty::Any,
            [JsonType::Object] => self.object(node, file, hint, slot),
            [JsonType::Array] => self.array(node, file, hint),
            [single] => self.primitive(node, Some(*single)),
            several => self.type_union(node, several, file, hint, slot),
        }
    }

    fn primitive(&mut self, node: &Node, json_type: Option<JsonType>) -> Ty {
        let format = node.get("format").and_then(Node::as_str).unwrap_or("");
        match json_type {
            Some(JsonType::String) => Ty::String(match format {
                "date-time" => StringFormat::DateTime,
                "date" => StringFormat::Date,
                "uuid" => StringFormat::Uuid,
                "binary" => StringFormat::Binary,
                _ => StringFormat::Plain,
            }),
            Some(JsonType::Integer) => Ty::Integer(if format == "int32" { IntFormat::Int32 } else { IntFormat::Int64 }),
            Some(JsonType::Number) => {
                Ty::Number(if format == "float" { FloatFormat::Float } else { FloatFormat::Double })
            }
            Some(JsonType::Boolean) => Ty::Bool,
            Some(JsonType::Array) => Ty::Array(Box::new(Ty::Any)),
            Some(JsonType::Object) => Ty::Map(Box::new(Ty::Any)),
            None => Ty::Any,
        }
    }

    fn array(&mut self, node: &'d Node, file: FileId, hint: &Hint) -> Ty {
        let item = match node.get("items") {
            Some(items) if items.is_object() || matches!(items.value, Value::Bool(_)) => {
                self.schema(items, file, &hint.then("item"))
            }
            Some(items) => {
                // 3.0 tuple-like `items: [..]` is not valid OpenAPI; keep the values, untyped.
                self.report(
                    Diagnostic::warning("`items` must be a schema object").at(items.span, "items read as any value"),
                );
                Ty::Any
            }
            None => Ty::Any,
        };
        Ty::Array(Box::new(item))
    }

    fn object(&mut self, node: &'d Node, file: FileId, hint: &Hint, slot: Option<TypeId>) -> Ty {
        let properties = node.get("properties").map(Node::members).unwrap_or_default();
        let additional = self.additional_properties(node, file, hint);
        if properties.is_empty() && slot.is_none() {
            // A free-form object or a dictionary: no name needed.
            return Ty::Map(Box::new(additional.unwrap_or(Ty::Any)));
        }
        let id = self.slot(slot, hint, node);
        let mut fields = Vec::new();
        self.collect_fields(node, file, id, &mut fields, &mut HashSet::new());
        let additional = if properties.is_empty() && fields.is_empty() {
            // A named dictionary keeps its name as an alias.
            self.define(id, TypeKind::Alias(Ty::Map(Box::new(additional.unwrap_or(Ty::Any)))));
            return Ty::Named(id);
        } else {
            additional
        };
        self.define(id, TypeKind::Struct(Struct { fields, additional }));
        Ty::Named(id)
    }

    fn additional_properties(&mut self, node: &'d Node, file: FileId, hint: &Hint) -> Option<Ty> {
        match node.get("additionalProperties") {
            None => None,
            Some(Node { value: Value::Bool(allowed), .. }) => allowed.then_some(Ty::Any),
            Some(schema) => Some(self.schema(schema, file, &hint.then("value"))),
        }
    }

    /// Adds `node`'s properties to `fields` (a later property of the same name replaces an
    /// earlier one, as `allOf` refinements do), marking those in `required`.
    fn collect_fields(
        &mut self,
        node: &'d Node,
        file: FileId,
        owner: TypeId,
        fields: &mut Vec<Field>,
        required: &mut HashSet<String>,
    ) {
        for name in node.get("required").map(Node::items).unwrap_or_default() {
            if let Some(name) = name.as_str() {
                required.insert(name.to_owned());
                if let Some(field) = fields.iter_mut().find(|f| f.name == name) {
                    field.required = true;
                }
            }
        }
        let owner_name = self.types[owner.0].name.clone();
        for member in node.get("properties").map(Node::members).unwrap_or_default() {
            let schema = &member.value;
            let ty = self.schema(schema, file, &Hint::type_name(&owner_name).then(&member.key));
            let field = Field {
                name: member.key.clone(),
                ty,
                required: required.contains(&member.key),
                doc: if schema.is_object() { doc_of(schema) } else { None },
                deprecated: flag(schema, "deprecated"),
                read_only: flag(schema, "readOnly"),
                write_only: flag(schema, "writeOnly"),
                default: schema.get("default").map(Node::to_json),
            };
            match fields.iter_mut().find(|f| f.name == field.name) {
                Some(existing) => *existing = field,
                None => fields.push(field),
            }
        }
    }

    /// `allOf`: object parts merge into one struct; a lone part (often a `$ref` wrapped to add a
    /// description) stands for itself.
    fn all_of(&mut self, node: &'d Node, parts: &'d Node, file: FileId, hint: &Hint, slot: Option<TypeId>) -> Ty {
        let own_properties = node.get("properties").is_some_and(|p| !p.members().is_empty());
        let parts = parts.items();
        if parts.len() == 1 && !own_properties {
            return self.schema(&parts[0], file, hint);
        }
        let id = self.slot(slot, hint, node);
        let mut fields = Vec::new();
        let mut required = HashSet::new();
        let mut additional = None;
        let mut non_object = None;
        let mut seen = HashSet::new();
        for part in parts {
            self.merge_part(part, file, id, &mut fields, &mut required, &mut additional, &mut non_object, &mut seen);
        }
        self.collect_fields(node, file, id, &mut fields, &mut required);
        if fields.is_empty()
            && let Some(ty) = non_object
        {
            // `allOf` of non-objects (a string refined by a pattern, ...): the type they share.
            self.define(id, TypeKind::Alias(ty));
            return Ty::Named(id);
        }
        if additional.is_none() {
            additional = self.additional_properties(node, file, hint);
        }
        self.define(id, TypeKind::Struct(Struct { fields, additional }));
        Ty::Named(id)
    }

    #[allow(clippy::too_many_arguments)]
    fn merge_part(
        &mut self,
        part: &'d Node,
        file: FileId,
        owner: TypeId,
        fields: &mut Vec<Field>,
        required: &mut HashSet<String>,
        additional: &mut Option<Ty>,
        non_object: &mut Option<Ty>,
        seen: &mut HashSet<Target>,
    ) {
        // Follow `$ref` parts to their schema: their properties are merged here. The target's
        // own named type is still made, so inline types inside it are named after it once.
        let (node, node_file) = match part.get("$ref") {
            Some(reference) => {
                let ty = self.reference(reference, file);
                let Some(text) = reference.as_str() else { return };
                let Ok((target, node)) = self.docs.resolve(file, text) else { return };
                if !seen.insert(target.clone()) {
                    return;
                }
                if let Some(id) = named_id(&ty)
                    && let TypeKind::Struct(s) = &self.types[id.0].kind
                    && !s.fields.is_empty()
                {
                    // Already lowered: reuse its fields (same types, no duplicate inline types).
                    for mut field in s.fields.clone() {
                        // Required here if the part says so, or an earlier part did.
                        if field.required {
                            required.insert(field.name.clone());
                        }
                        field.required |= required.contains(&field.name);
                        match fields.iter_mut().find(|f| f.name == field.name) {
                            Some(existing) => *existing = field,
                            None => fields.push(field),
                        }
                    }
                    if additional.is_none() {
                        additional.clone_from(&s.additional);
                    }
                    return;
                }
                if !is_objectish(node) {
                    non_object.get_or_insert(ty);
                    return;
                }
                (node, target.file)
            }
            None => (part, file),
        };
        if let Some(inner) = node.get("allOf") {
            for inner_part in inner.items() {
                self.merge_part(inner_part, node_file, owner, fields, required, additional, non_object, seen);
            }
        }
        if is_objectish(node) {
            self.collect_fields(node, node_file, owner, fields, required);
            if additional.is_none() {
                let owner_name = self.types[owner.0].name.clone();
                *additional = self.additional_properties(node, node_file, &Hint::type_name(&owner_name));
            }
        } else if node.get("allOf").is_none() && node.is_object() {
            let owner_name = self.types[owner.0].name.clone();
            let ty = self.schema(node, node_file, &Hint::type_name(&owner_name));
            if ty != Ty::Any {
                non_object.get_or_insert(ty);
            }
        }
    }

    fn union(
        &mut self,
        node: &'d Node,
        variants: &'d Node,
        kind: UnionKind,
        file: FileId,
        hint: &Hint,
        slot: Option<TypeId>,
    ) -> Ty {
        let (nulls, variants): (Vec<&Node>, Vec<&Node>) = variants.items().iter().partition(|v| is_null_schema(v));
        let nullable_variant = !nulls.is_empty();
        let wrap = |ty: Ty| if nullable_variant { nullable(ty) } else { ty };
        match variants.as_slice() {
            [] => return wrap(Ty::Any),
            // `oneOf: [X, {type: 'null'}]` is how 3.1 (and careful 3.0) spells "nullable X".
            [single] => return wrap(self.schema(single, file, hint)),
            _ => {}
        }
        let id = self.slot(slot, hint, node);
        let name = self.types[id.0].name.clone();
        let discriminator = node.get("discriminator");
        let property = discriminator.and_then(|d| d.get("propertyName")).and_then(Node::as_str).map(str::to_owned);
        let mut lowered = Vec::new();
        for (index, variant) in variants.iter().enumerate() {
            let label = match variant.get("title").and_then(Node::as_str) {
                Some(title) if !title.trim().is_empty() => title.to_owned(),
                _ => format!("variant {}", index + 1),
            };
            let ty = self.schema(variant, file, &Hint::type_name(&name).then(&label));
            lowered.push(ty);
        }
        let mapping = discriminator.map(|d| self.discriminator_mapping(d, file)).unwrap_or_default();
        let mut names = HashSet::new();
        let variants = lowered
            .into_iter()
            .map(|ty| {
                let base = self.variant_name(&ty);
                let name = if names.insert(base.clone()) {
                    base
                } else {
                    (2..).map(|n| format!("{base}{n}")).find(|c| names.insert(c.clone())).expect("unbounded")
                };
                let tags = match (&property, named_id(&ty)) {
                    (Some(property), Some(id)) => {
                        let explicit: Vec<String> =
                            mapping.iter().filter(|(_, target)| *target == id).map(|(tag, _)| tag.clone()).collect();
                        if !explicit.is_empty() {
                            explicit
                        } else if let Some(tag) = self.tag_value(id, property) {
                            vec![tag]
                        } else {
                            // OpenAPI: without a mapping, the tag is the schema's name as written.
                            self.original_keys.get(&id).cloned().into_iter().collect()
                        }
                    }
                    _ => Vec::new(),
                };
                Variant { name, ty, tags }
            })
            .collect();
        self.define(id, TypeKind::Union(Union { kind, variants, discriminator: property }));
        if nullable_variant && slot.is_some() {
            self.nullable_types.insert(id);
        }
        wrap(Ty::Named(id))
    }

    /// The one value a variant's tag property can hold (`const`, or a one-value enum).
    fn tag_value(&self, id: TypeId, property: &str) -> Option<String> {
        let TypeKind::Struct(s) = &self.types[id.0].kind else { return None };
        match &s.fields.iter().find(|f| f.name == property)?.ty {
            Ty::Literal(Literal::String(tag)) => Some(tag.clone()),
            _ => None,
        }
    }

    /// `discriminator.mapping`: tag -> the named type its target lowers to.
    fn discriminator_mapping(&mut self, discriminator: &'d Node, file: FileId) -> Vec<(String, TypeId)> {
        let mut mapping = Vec::new();
        for member in discriminator.get("mapping").map(Node::members).unwrap_or_default() {
            let Some(target) = member.value.as_str() else { continue };
            // A bare name (`Cat`) means `#/components/schemas/Cat`.
            let reference = if target.contains('#')
                || target.contains('/')
                || target.ends_with(".yaml")
                || target.ends_with(".json")
            {
                target.to_owned()
            } else {
                format!("#/components/schemas/{target}")
            };
            if let Ok((target_key, node)) = self.docs.resolve(file, &reference) {
                let id = match self.by_target.get(&target_key) {
                    Some(&id) => id,
                    None => {
                        let id = self.register_target(target_key.clone(), node);
                        self.deferred.push((id, node, target_key.file));
                        id
                    }
                };
                mapping.push((member.key.clone(), id));
            } else {
                self.report(
                    Diagnostic::warning(format!("discriminator mapping `{}` names no schema", member.key))
                        .at(member.value.span, "cannot resolve this target; the mapping entry is ignored"),
                );
            }
        }
        mapping
    }

    fn variant_name(&self, ty: &Ty) -> String {
        match ty {
            Ty::Named(id) => self.types[id.0].name.clone(),
            Ty::Nullable(inner) => self.variant_name(inner),
            Ty::Any => "Any".into(),
            Ty::Bool => "Boolean".into(),
            Ty::Integer(_) => "Integer".into(),
            Ty::Number(_) => "Number".into(),
            Ty::String(_) => "String".into(),
            Ty::Literal(Literal::String(s)) => crate::naming::pascal(s, crate::naming::Lang::Rust),
            Ty::Literal(_) => "Literal".into(),
            Ty::Array(_) => "Array".into(),
            Ty::Map(_) => "Map".into(),
        }
    }

    /// `type: [string, integer]`: a union of the listed types.
    fn type_union(
        &mut self,
        node: &'d Node,
        types: &[JsonType],
        file: FileId,
        hint: &Hint,
        slot: Option<TypeId>,
    ) -> Ty {
        let id = self.slot(slot, hint, node);
        let name = self.types[id.0].name.clone();
        let mut variants = Vec::new();
        for &json_type in types {
            let ty = match json_type {
                JsonType::Object => self.object(node, file, &Hint::type_name(&name).then("object"), None),
                JsonType::Array => self.array(node, file, &Hint::type_name(&name)),
                other => self.primitive(node, Some(other)),
            };
            let name = self.variant_name(&ty);
            variants.push(Variant { name, ty, tags: Vec::new() });
        }
        self.define(id, TypeKind::Union(Union { kind: UnionKind::OneOf, variants, discriminator: None }));
        Ty::Named(id)
    }

    fn enumeration(
        &mut self,
        node: &'d Node,
        values: &'d Node,
        _file: FileId,
        hint: &Hint,
        slot: Option<TypeId>,
        types: &[JsonType],
    ) -> Ty {
        let mut strings = Vec::new();
        let mut integers = Vec::new();
        let mut other = false;
        // Under `type: string`, YAML's unquoted `01` or `1.0` are strings as written.
        let wants_strings = types == [JsonType::String];
        for value in values.items() {
            match &value.value {
                Value::String(s) => strings.push(s.clone()),
                Value::Int(_) | Value::Float(_) | Value::Bool(_) if wants_strings => {
                    strings.push(self.source_text(value).to_owned())
                }
                Value::Int(i) => integers.push(*i),
                Value::Null => {}
                _ => other = true,
            }
        }
        // Open unless the spec or the user's settings close it: an API adds values over time,
        // and one new value must not fail a whole response in an app that cannot be updated.
        let marked_open = node.get("x-extensible-enum").is_some() || flag(node, "x-enum-open");
        let marked_closed = node.get("x-enum-open").and_then(Node::as_bool) == Some(false);
        let open = marked_open || !(marked_closed || self.strict_enums);
        let values: Vec<EnumValue> = match (strings.is_empty(), integers.is_empty(), other) {
            (false, true, false) => strings.into_iter().map(EnumValue::String).collect(),
            (true, false, false) => integers.into_iter().map(EnumValue::Integer).collect(),
            (true, true, false) => return self.primitive(node, types.first().copied()),
            _ => {
                // Mixed or non-string values (`[1, "a"]`, floats, booleans): keep the base type.
                return self.primitive(node, types.first().copied());
            }
        };
        if values.len() == 1 && !marked_open && slot.is_none() {
            return Ty::Literal(match values.into_iter().next().expect("one value") {
                EnumValue::String(s) => Literal::String(s),
                EnumValue::Integer(i) => Literal::Integer(i),
            });
        }
        let id = self.slot(slot, hint, node);
        self.define(id, TypeKind::Enum(Enum { values, open }));
        Ty::Named(id)
    }
}

/// Reads `type`: the JSON types named (without `null`) and whether `null` was among them.
fn type_names(node: &Node) -> (Vec<JsonType>, bool) {
    let Some(type_node) = node.get("type") else {
        return (Vec::new(), false);
    };
    let names: Vec<&str> = match &type_node.value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Node::as_str).collect(),
        _ => Vec::new(),
    };
    let mut types = Vec::new();
    let mut null = false;
    for name in names {
        let json_type = match name {
            "string" => JsonType::String,
            "integer" => JsonType::Integer,
            "number" => JsonType::Number,
            "boolean" => JsonType::Boolean,
            "array" => JsonType::Array,
            "object" => JsonType::Object,
            "null" => {
                null = true;
                continue;
            }
            _ => continue,
        };
        if !types.contains(&json_type) {
            types.push(json_type);
        }
    }
    (types, null)
}

fn is_null_schema(node: &Node) -> bool {
    match type_names(node) {
        (types, true) => types.is_empty() && node.get("$ref").is_none(),
        _ => node.get("enum").is_some_and(|e| e.items().iter().all(Node::is_null) && !e.items().is_empty()),
    }
}

fn is_objectish(node: &Node) -> bool {
    node.get("properties").is_some()
        || node.get("additionalProperties").is_some()
        || type_names(node).0 == [JsonType::Object]
        || (node.get("required").is_some() && node.get("type").is_none())
}

fn literal(node: &Node) -> Option<Ty> {
    Some(Ty::Literal(match &node.value {
        Value::String(s) => Literal::String(s.clone()),
        Value::Int(i) => Literal::Integer(*i),
        Value::Bool(b) => Literal::Bool(*b),
        _ => return None,
    }))
}

pub(super) fn nullable(ty: Ty) -> Ty {
    match ty {
        Ty::Nullable(_) | Ty::Any => ty,
        other => Ty::Nullable(Box::new(other)),
    }
}

fn strip_nullable(ty: Ty) -> Ty {
    match ty {
        Ty::Nullable(inner) => *inner,
        other => other,
    }
}

fn named_id(ty: &Ty) -> Option<TypeId> {
    match ty {
        Ty::Named(id) => Some(*id),
        Ty::Nullable(inner) => named_id(inner),
        _ => None,
    }
}

/// The last token of a pointer (`/components/schemas/Contact` -> `Contact`), as the type's name.
pub(super) fn name_from_pointer(pointer: &str) -> Option<String> {
    let last = pointer.rsplit('/').next()?;
    let last = last.replace("~1", "/").replace("~0", "~");
    if last.is_empty() || last == "schema" {
        // `#/paths/~1pets/get/responses/200/content/application~1json/schema`: name from the
        // operation's path instead.
        let words: Vec<String> = pointer
            .split('/')
            .filter(|t| !t.is_empty() && *t != "content" && *t != "schema" && *t != "paths")
            .map(|t| t.replace("~1", " ").replace("~0", "~"))
            .collect();
        return (!words.is_empty()).then(|| words.join(" "));
    }
    Some(last)
}

fn file_stem(path: &std::path::Path) -> String {
    path.file_stem().and_then(|s| s.to_str()).unwrap_or("Schema").to_owned()
}
