//! `Models.kt`: every named type of the API.
//!
//! - objects are `@Serializable data class`es; an optional field is `T? = null`, left out of
//!   the JSON when not given, and in PATCH bodies an optional nullable field is an
//!   `Omittable<T?>`, so "leave alone" (omitted) and "clear" (`null`) stay different;
//! - enums are sealed interfaces of `data object`s carrying their wire value, plus an
//!   `Unknown(value)` case when the spec says the enum is open;
//! - `oneOf`/`anyOf` are sealed interfaces wrapping each variant, chosen by the discriminator
//!   when there is one (else the first variant that decodes), with an `Unknown(json)` fallback
//!   so a variant added to the API later does not break old clients.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::names::{Names, distinct_values};
use super::text::{kdoc, string_literal};
use crate::model::{
    Api, Enum, EnumValue, FloatFormat, IntFormat, Literal, Method, Struct, Ty, TypeDef, TypeId, TypeKind, Union,
};

/// The JVM allows 255 parameter slots per method; a data class's synthetic constructors need
/// one or two per property plus bookkeeping, so wider objects are kept as raw JSON.
const MAX_SLOTS: usize = 240;

/// How the models refer to types.
pub struct TypePrinter<'a> {
    pub api: &'a Api,
    pub names: &'a Names,
    pub package: &'a str,
}

impl TypePrinter<'_> {
    /// The Kotlin type of `ty`; named types qualified with the package when `qualified` (inside
    /// a sealed interface, whose own cases could shadow them).
    pub fn ty(&self, ty: &Ty, qualified: bool) -> String {
        match ty {
            Ty::Any => "JsonElement".to_owned(),
            Ty::Bool | Ty::Literal(Literal::Bool(_)) => "Boolean".to_owned(),
            Ty::Integer(IntFormat::Int32) => "Int".to_owned(),
            Ty::Integer(IntFormat::Int64) | Ty::Literal(Literal::Integer(_)) => "Long".to_owned(),
            Ty::Number(FloatFormat::Float) => "Float".to_owned(),
            Ty::Number(FloatFormat::Double) => "Double".to_owned(),
            Ty::String(_) | Ty::Literal(Literal::String(_)) => "String".to_owned(),
            Ty::Named(id) => self.named(*id, qualified),
            Ty::Array(item) => format!("List<{}>", self.ty(item, qualified)),
            Ty::Map(value) => format!("Map<String, {}>", self.ty(value, qualified)),
            Ty::Nullable(inner) => {
                let text = self.ty(inner, qualified);
                if self.is_nullable(inner) { text } else { format!("{text}?") }
            }
        }
    }

    /// The Kotlin type of `ty` with type aliases resolved and nullability dropped: what a key
    /// of this type is at run time (`String` for `typealias UserId = String`).
    pub fn base(&self, ty: &Ty) -> String {
        let mut ty = ty;
        for _ in 0..32 {
            match ty {
                Ty::Nullable(inner) => ty = inner,
                Ty::Named(id) => match &self.api.type_def(*id).kind {
                    TypeKind::Alias(inner) => ty = inner,
                    _ => break,
                },
                _ => break,
            }
        }
        self.ty(ty, false).trim_end_matches('?').to_owned()
    }

    /// Whether the Kotlin type of `ty` already admits `null` (a `?` type, or an alias of one),
    /// where another `?` would be redundant.
    pub fn is_nullable(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Nullable(_) => true,
            Ty::Named(id) => self.alias_nullable(*id, 0),
            _ => false,
        }
    }

    fn alias_nullable(&self, id: TypeId, depth: usize) -> bool {
        match &self.api.type_def(id).kind {
            TypeKind::Alias(Ty::Nullable(_)) => true,
            TypeKind::Alias(Ty::Named(next)) if depth < 32 => self.alias_nullable(*next, depth + 1),
            _ => false,
        }
    }

    pub fn named(&self, id: TypeId, qualified: bool) -> String {
        let name = &self.names.types[id.0];
        if qualified { format!("{}.{name}", self.package) } else { name.clone() }
    }
}

/// Emits `Models.kt`.
pub fn emit(api: &Api, names: &Names, package: &str, header: &str) -> String {
    let printer = TypePrinter { api, names, package };
    let patch_bodies = patch_bodies(api);
    let recursive = recursive_aliases(api);
    let mut body = String::with_capacity(api.types.len() * 512);
    for (index, def) in api.types.iter().enumerate() {
        body.push('\n');
        let name = &names.types[index];
        let members = &names.members[index];
        let deprecated = def.deprecated.then_some("Deprecated.");
        match &def.kind {
            TypeKind::Struct(s) if s.fields.is_empty() || recursive.contains(&index) => {
                kdoc(&mut body, "", [def.doc.as_deref(), deprecated]);
                let value = match (&s.additional, recursive.contains(&index)) {
                    (Some(value), false) => printer.ty(value, false),
                    _ => "JsonElement".to_owned(),
                };
                let _ = writeln!(body, "typealias {name} = Map<String, {value}>");
            }
            TypeKind::Struct(s) if slots(&printer, s) > MAX_SLOTS => {
                let note =
                    format!("An object of {} properties, kept as JSON: too wide for a JVM class.", s.fields.len());
                kdoc(&mut body, "", [def.doc.as_deref(), Some(&note), deprecated]);
                let _ = writeln!(body, "typealias {name} = JsonObject");
            }
            TypeKind::Struct(s) => {
                kdoc(&mut body, "", [def.doc.as_deref(), deprecated]);
                data_class(&mut body, &printer, name, members, s, patch_bodies.contains(&index));
            }
            TypeKind::Enum(e) => {
                kdoc(&mut body, "", [def.doc.as_deref(), deprecated]);
                enumeration(&mut body, name, members, e);
            }
            TypeKind::Union(u) => {
                kdoc(&mut body, "", [def.doc.as_deref(), deprecated]);
                union(&mut body, &printer, name, members, u);
            }
            TypeKind::Alias(ty) => {
                kdoc(&mut body, "", [def.doc.as_deref(), deprecated]);
                let target = if recursive.contains(&index) { "JsonElement".to_owned() } else { printer.ty(ty, false) };
                let _ = writeln!(body, "typealias {name} = {target}");
            }
        }
    }
    let mut imports: Vec<String> = Vec::new();
    let uses = |needle: &str| body.contains(needle);
    if uses("@Serializable") {
        imports.push("kotlinx.serialization.Serializable".into());
    }
    if uses("@SerialName") {
        imports.push("kotlinx.serialization.SerialName".into());
    }
    for (needle, import) in [
        ("Json,", "kotlinx.serialization.json.Json"),
        ("JsonElement", "kotlinx.serialization.json.JsonElement"),
        ("JsonObject", "kotlinx.serialization.json.JsonObject"),
        ("JsonNull", "kotlinx.serialization.json.JsonNull"),
        ("json.decodeFromJsonElement", "kotlinx.serialization.json.decodeFromJsonElement"),
        ("json.encodeToJsonElement", "kotlinx.serialization.json.encodeToJsonElement"),
        ("Omittable", &format!("{package}.runtime.Omittable")),
        ("EnumSerializer", &format!("{package}.runtime.EnumSerializer")),
        ("UnionSerializer", &format!("{package}.runtime.UnionSerializer")),
        ("wireString(", &format!("{package}.runtime.wireString")),
        ("wireLong(", &format!("{package}.runtime.wireLong")),
    ] {
        if uses(needle) {
            imports.push(import.to_owned());
        }
    }
    imports.sort();
    let mut out = String::with_capacity(body.len() + 1024);
    out.push_str(header);
    let _ = writeln!(out, "package {package}\n");
    for import in &imports {
        let _ = writeln!(out, "import {import}");
    }
    out.push_str(&body);
    out
}

/// Types sent as the body of a PATCH: their optional nullable fields need three states.
fn patch_bodies(api: &Api) -> HashSet<usize> {
    let mut out = HashSet::new();
    for op in api.operations.iter().filter(|op| op.method == Method::Patch) {
        let mut ty = op.body.as_ref().map(|body| &body.ty);
        while let Some(Ty::Named(id)) = ty {
            if !out.insert(id.0) {
                break;
            }
            ty = match &api.type_def(*id).kind {
                TypeKind::Alias(inner) => Some(inner),
                _ => None,
            };
        }
    }
    out
}

/// Type aliases (and field-less objects, which are aliases of maps) whose definition refers to
/// themselves through other aliases only: Kotlin rejects a recursive `typealias`, so these
/// become JSON.
fn recursive_aliases(api: &Api) -> HashSet<usize> {
    fn alias_target(def: &TypeDef) -> Option<&Ty> {
        match &def.kind {
            TypeKind::Alias(ty) => Some(ty),
            TypeKind::Struct(s) if s.fields.is_empty() => s.additional.as_ref(),
            _ => None,
        }
    }
    fn reaches(api: &Api, ty: &Ty, start: usize, seen: &mut HashSet<usize>) -> bool {
        match ty {
            Ty::Named(id) if id.0 == start => true,
            Ty::Named(id) => {
                seen.insert(id.0)
                    && alias_target(api.type_def(*id)).is_some_and(|inner| reaches(api, inner, start, seen))
            }
            Ty::Array(inner) | Ty::Map(inner) | Ty::Nullable(inner) => reaches(api, inner, start, seen),
            _ => false,
        }
    }
    (0..api.types.len())
        .filter(|&index| alias_target(&api.types[index]).is_some_and(|ty| reaches(api, ty, index, &mut HashSet::new())))
        .collect()
}

/// Whether the object type `id` is kept as a `JsonObject` (too wide for a JVM class).
pub fn is_json_object(printer: &TypePrinter<'_>, id: TypeId) -> bool {
    matches!(&printer.api.type_def(id).kind, TypeKind::Struct(s) if !s.fields.is_empty() && slots(printer, s) > MAX_SLOTS)
}

/// The JVM parameter slots of the class's widest synthetic constructor.
fn slots(printer: &TypePrinter<'_>, s: &Struct) -> usize {
    let wide = s
        .fields
        .iter()
        .filter(|field| field.required && matches!(printer.ty(&field.ty, false).as_str(), "Long" | "Double"))
        .count();
    s.fields.len() + wide + s.fields.len().div_ceil(32) + 3
}

fn data_class(out: &mut String, printer: &TypePrinter<'_>, name: &str, members: &[String], s: &Struct, patch: bool) {
    let _ = writeln!(out, "@Serializable");
    let _ = writeln!(out, "data class {name}(");
    for (field, property) in s.fields.iter().zip(members) {
        let deprecated = field.deprecated.then_some("Deprecated.");
        let direction = match (field.read_only, field.write_only) {
            (true, false) => Some("Set by the server; not sent."),
            (false, true) => Some("Sent to the server; never returned."),
            _ => None,
        };
        kdoc(out, "    ", [field.doc.as_deref(), direction, deprecated]);
        if property.trim_matches('`') != field.name {
            let _ = writeln!(out, "    @SerialName({})", string_literal(&field.name));
        }
        let ty = printer.ty(&field.ty, false);
        let nullable = printer.is_nullable(&field.ty);
        let declaration = match (field.required, nullable) {
            (true, _) => ty,
            (false, true) if patch => format!("Omittable<{ty}> = Omittable.Omitted"),
            (false, true) => format!("{ty} = null"),
            (false, false) => format!("{ty}? = null"),
        };
        let _ = writeln!(out, "    val {property}: {declaration},");
    }
    let _ = writeln!(out, ")");
}

fn enumeration(out: &mut String, name: &str, members: &[String], e: &Enum) {
    let values: Vec<&EnumValue> = distinct_values(&e.values).collect();
    let integer = !values.is_empty() && values.iter().all(|v| matches!(v, EnumValue::Integer(_)));
    let wire_type = if integer { "Long" } else { "String" };
    let _ = writeln!(out, "@Serializable(with = {name}.Serializer::class)");
    let _ = writeln!(out, "sealed interface {name} {{");
    let _ = writeln!(out, "    /** The value on the wire. */");
    let _ = writeln!(out, "    val value: {wire_type}");
    for (value, case) in values.iter().zip(members) {
        let literal = match value {
            EnumValue::String(text) => string_literal(text),
            EnumValue::Integer(n) if integer => format!("{n}L"),
            EnumValue::Integer(n) => string_literal(&n.to_string()),
        };
        out.push('\n');
        let _ = writeln!(out, "    data object {case} : {name} {{");
        let _ = writeln!(out, "        override val value: {wire_type} = {literal}");
        let _ = writeln!(out, "    }}");
    }
    if e.open {
        out.push('\n');
        let _ = writeln!(out, "    /** A value this client does not know: the API has added it since. */");
        let _ = writeln!(out, "    data class Unknown(override val value: {wire_type}) : {name}");
    }
    out.push('\n');
    let _ = writeln!(out, "    companion object {{");
    let _ = writeln!(out, "        /** The values the spec lists. */");
    let list: Vec<&str> = members.iter().map(String::as_str).collect();
    let _ = writeln!(out, "        val entries: List<{name}> = listOf({})", list.join(", "));
    let _ = writeln!(out, "    }}");
    out.push('\n');
    let unknown = match (e.open, integer) {
        (false, _) => "null".to_owned(),
        (true, false) => "{ wireString(it)?.let { value -> Unknown(value) } }".to_owned(),
        (true, true) => "{ wireLong(it)?.let { value -> Unknown(value) } }".to_owned(),
    };
    let _ = writeln!(out, "    object Serializer : EnumSerializer<{name}>(");
    let _ = writeln!(out, "        {},", string_literal(name.trim_matches('`')));
    let _ = writeln!(out, "        integer = {integer},");
    let _ = writeln!(out, "        known = {name}.entries,");
    let _ = writeln!(out, "        wire = {{ it.value }},");
    let _ = writeln!(out, "        unknown = {unknown},");
    let _ = writeln!(out, "    )");
    let _ = writeln!(out, "}}");
}

fn union(out: &mut String, printer: &TypePrinter<'_>, name: &str, members: &[String], u: &Union) {
    let _ = writeln!(out, "@Serializable(with = {name}.Serializer::class)");
    let _ = writeln!(out, "sealed interface {name} {{");
    let mut nullable = false;
    // Variants whose Kotlin type repeats an earlier one's could never be chosen.
    let mut seen_types: Vec<String> = Vec::new();
    let mut variants: Vec<(&str, String, Vec<&str>)> = Vec::new();
    let mut seen_tags: HashSet<&str> = HashSet::new();
    for (variant, case) in u.variants.iter().zip(members) {
        let ty = match &variant.ty {
            Ty::Nullable(inner) => {
                nullable = true;
                inner.as_ref()
            }
            ty => ty,
        };
        let kotlin = printer.ty(ty, true);
        if seen_types.contains(&kotlin) {
            continue;
        }
        seen_types.push(kotlin.clone());
        let tags: Vec<&str> = variant.tags.iter().map(String::as_str).filter(|tag| seen_tags.insert(tag)).collect();
        variants.push((case.as_str(), kotlin, tags));
    }
    for (index, (case, kotlin, _)) in variants.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "    data class {case}(val value: {kotlin}) : {name}");
    }
    if nullable {
        if !variants.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(out, "    /** JSON `null`, which the spec allows here. */");
        let _ = writeln!(out, "    data object Null : {name}");
    }
    if nullable || !variants.is_empty() {
        out.push('\n');
    }
    let _ =
        writeln!(out, "    /** A value none of the known variants fits: kept as JSON, and written back unchanged. */");
    let _ = writeln!(out, "    data class Unknown(val json: JsonElement) : {name}");
    out.push('\n');
    let _ =
        writeln!(out, "    object Serializer : UnionSerializer<{name}>({}) {{", string_literal(name.trim_matches('`')));
    let _ = writeln!(out, "        override fun decode(json: Json, element: JsonElement): {name} {{");
    if nullable {
        let _ = writeln!(out, "            if (isNull(element)) return Null");
    }
    let discriminator = u.discriminator.as_deref();
    if let Some(property) = discriminator.filter(|_| variants.iter().any(|(_, _, tags)| !tags.is_empty())) {
        let _ = writeln!(out, "            when (tag(element, {})) {{", string_literal(property));
        for (case, kotlin, tags) in variants.iter().filter(|(_, _, tags)| !tags.is_empty()) {
            let labels: Vec<String> = tags.iter().map(|tag| string_literal(tag)).collect();
            let _ = writeln!(
                out,
                "                {} -> return {case}(json.decodeFromJsonElement<{kotlin}>(element))",
                labels.join(", ")
            );
        }
        let _ = writeln!(out, "            }}");
    }
    // Without a discriminator (or for variants it does not name), the first that decodes.
    for (case, kotlin, tags) in &variants {
        if discriminator.is_some() && !tags.is_empty() {
            continue;
        }
        let _ = writeln!(out, "            attempt<{kotlin}>(json, element)?.let {{ return {case}(it) }}");
    }
    let _ = writeln!(out, "            return Unknown(element)");
    let _ = writeln!(out, "        }}");
    out.push('\n');
    let _ = writeln!(out, "        override fun encode(json: Json, value: {name}): JsonElement = when (value) {{");
    for (case, kotlin, tags) in &variants {
        let encoded = format!("json.encodeToJsonElement<{kotlin}>(value.value)");
        match (discriminator, tags.first()) {
            (Some(property), Some(tag)) => {
                let _ = writeln!(
                    out,
                    "            is {case} -> tagged({encoded}, {}, {})",
                    string_literal(property),
                    string_literal(tag)
                );
            }
            _ => {
                let _ = writeln!(out, "            is {case} -> {encoded}");
            }
        }
    }
    if nullable {
        let _ = writeln!(out, "            Null -> JsonNull");
    }
    let _ = writeln!(out, "            is Unknown -> value.json");
    let _ = writeln!(out, "        }}");
    let _ = writeln!(out, "    }}");
    let _ = writeln!(out, "}}");
}
