//! `Models.swift`: every named type of the API. Objects are `Codable` structs, enums are
//! `String`/`Int` enums (open ones with an `unknown` case), `oneOf`/`anyOf` are enums with
//! associated values, other named schemas are type aliases.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::names::{Members, TypeNames};
use super::text::{doc_comment, string_literal};
use crate::model::{
    Api, EnumValue, Field, FloatFormat, IntFormat, Literal, Method, StringFormat, Struct, Ty, TypeDef, TypeId,
    TypeKind, Union,
};

/// The Swift type of `ty`.
pub fn swift_type(ty: &Ty, names: &TypeNames) -> String {
    match ty {
        Ty::Any => "JSONValue".to_owned(),
        Ty::Bool | Ty::Literal(Literal::Bool(_)) => "Bool".to_owned(),
        Ty::Integer(IntFormat::Int32) => "Int32".to_owned(),
        Ty::Integer(IntFormat::Int64) | Ty::Literal(Literal::Integer(_)) => "Int".to_owned(),
        Ty::Number(FloatFormat::Float) => "Float".to_owned(),
        Ty::Number(FloatFormat::Double) => "Double".to_owned(),
        Ty::String(StringFormat::Plain) | Ty::Literal(Literal::String(_)) => "String".to_owned(),
        Ty::String(StringFormat::DateTime) => "Date".to_owned(),
        Ty::String(StringFormat::Date) => "CalendarDate".to_owned(),
        Ty::String(StringFormat::Uuid) => "UUID".to_owned(),
        Ty::String(StringFormat::Binary) => "Data".to_owned(),
        Ty::Named(id) => names.types[id.0].clone(),
        Ty::Array(item) => format!("[{}]", swift_type(item, names)),
        Ty::Map(value) => format!("[String: {}]", swift_type(value, names)),
        Ty::Nullable(inner) => optional(swift_type(inner, names)),
    }
}

/// `T?`, once.
pub fn optional(ty: String) -> String {
    if ty.ends_with('?') { ty } else { format!("{ty}?") }
}

/// `ty` without its outer `Nullable`s.
pub fn non_null(ty: &Ty) -> &Ty {
    match ty {
        Ty::Nullable(inner) => non_null(inner),
        ty => ty,
    }
}

/// Which types are PATCH bodies: their optional nullable fields tell "leave alone" (absent)
/// from "clear" (`null`), so they are `Nullable<T>?`.
fn patch_bodies(api: &Api) -> HashSet<TypeId> {
    api.operations
        .iter()
        .filter(|op| op.method == Method::Patch)
        .filter_map(|op| op.body.as_ref())
        .filter_map(|body| match non_null(&body.ty) {
            Ty::Named(id) => Some(*id),
            _ => None,
        })
        .collect()
}

/// Struct fields that must be boxed because the struct would otherwise contain itself.
struct Recursion<'a> {
    api: &'a Api,
}

impl Recursion<'_> {
    /// The named types `ty` holds by value (arrays and maps hold theirs on the heap; enums
    /// with associated values are `indirect`).
    fn by_value(&self, ty: &Ty, out: &mut Vec<TypeId>) {
        match ty {
            Ty::Named(id) => out.push(*id),
            Ty::Nullable(inner) => self.by_value(inner, out),
            _ => {}
        }
    }

    fn edges(&self, id: TypeId) -> Vec<TypeId> {
        let mut out = Vec::new();
        match &self.api.type_def(id).kind {
            TypeKind::Struct(body) => body.fields.iter().for_each(|f| self.by_value(&f.ty, &mut out)),
            TypeKind::Alias(ty) => self.by_value(ty, &mut out),
            TypeKind::Enum(_) | TypeKind::Union(_) => {}
        }
        out
    }

    fn reaches(&self, from: TypeId, target: TypeId) -> bool {
        let mut seen = HashSet::new();
        let mut stack = vec![from];
        while let Some(id) = stack.pop() {
            if id == target {
                return true;
            }
            if seen.insert(id) {
                stack.extend(self.edges(id));
            }
        }
        false
    }

    fn boxed(&self, owner: TypeId, field: &Field) -> bool {
        let mut direct = Vec::new();
        self.by_value(&field.ty, &mut direct);
        direct.iter().any(|&id| self.reaches(id, owner))
    }
}

/// Emits `Models.swift`.
pub fn emit(api: &Api, names: &TypeNames, header: &str) -> String {
    let mut out = String::with_capacity(api.types.len() * 512);
    out.push_str(header);
    out.push_str("\nimport Foundation\n");
    let patches = patch_bodies(api);
    let recursion = Recursion { api };
    for (index, def) in api.types.iter().enumerate() {
        out.push('\n');
        let id = TypeId(index);
        type_def(&mut out, names, id, def, patches.contains(&id), &recursion);
    }
    out
}

fn type_def(out: &mut String, names: &TypeNames, id: TypeId, def: &TypeDef, patch: bool, recursion: &Recursion<'_>) {
    let name = &names.types[id.0];
    let deprecated = def.deprecated.then_some("- Note: Deprecated.");
    doc_comment(out, "", [def.doc.as_deref(), deprecated]);
    match &def.kind {
        TypeKind::Struct(body) if body.fields.is_empty() => {
            let value = body.additional.clone().unwrap_or(Ty::Any);
            let _ = writeln!(out, "public typealias {name} = {}", swift_type(&Ty::Map(Box::new(value)), names));
        }
        TypeKind::Struct(body) => struct_def(out, names, id, name, body, patch, recursion),
        TypeKind::Enum(values) => enum_def(out, name, &values.values, values.open),
        TypeKind::Union(union) => union_def(out, names, name, union),
        TypeKind::Alias(ty) => {
            let _ = writeln!(out, "public typealias {name} = {}", swift_type(ty, names));
        }
    }
}

/// How a field is declared and coded.
struct FieldPlan<'a> {
    field: &'a Field,
    name: String,
    /// The property's type.
    ty: String,
    /// Optional in the initializer (`= nil`).
    defaulted: bool,
    coding: Coding,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Coding {
    /// `decode` / `encode`.
    Required,
    /// Key may be missing: `decodeIfPresent` / `encodeIfPresent`.
    Optional,
    /// Key always written, value may be `null`.
    RequiredNullable,
    /// Absent, `null` or a value: `decodeNullable` / `encodeIfPresent`.
    TriState,
}

/// The Swift property names of a struct's fields, in field order.
pub fn field_names(body: &Struct) -> Vec<String> {
    let mut members = Members::new(["CodingKeys"]);
    body.fields.iter().map(|field| members.claim(&field.name)).collect()
}

fn struct_def(
    out: &mut String,
    names: &TypeNames,
    id: TypeId,
    name: &str,
    body: &Struct,
    patch: bool,
    recursion: &Recursion<'_>,
) {
    let field_names = field_names(body);
    let plans: Vec<FieldPlan<'_>> = body
        .fields
        .iter()
        .zip(field_names)
        .map(|(field, member)| {
            let nullable = matches!(field.ty, Ty::Nullable(_));
            let mut base = swift_type(non_null(&field.ty), names);
            if recursion.boxed(id, field) {
                base = format!("Indirect<{base}>");
            }
            let (ty, defaulted, coding) = match (field.required, nullable) {
                (true, false) => (base, false, Coding::Required),
                (true, true) => (optional(base), false, Coding::RequiredNullable),
                (false, true) if patch => (format!("Nullable<{base}>?"), true, Coding::TriState),
                (false, _) => (optional(base), true, Coding::Optional),
            };
            FieldPlan { field, name: member, ty, defaulted, coding }
        })
        .collect();

    let _ = writeln!(out, "public struct {name}: Codable, Hashable, Sendable {{");
    for plan in &plans {
        let deprecated = plan.field.deprecated.then_some("- Note: Deprecated.");
        let read_only = plan.field.read_only.then_some("Set by the server.");
        let write_only = plan.field.write_only.then_some("Sent to the server only.");
        let tri_state = (plan.coding == Coding::TriState).then_some("`nil` leaves it unchanged; `.null` clears it.");
        doc_comment(out, "    ", [plan.field.doc.as_deref(), read_only, write_only, tri_state, deprecated]);
        let _ = writeln!(out, "    public var {}: {}", plan.name, plan.ty);
    }

    out.push('\n');
    let params: Vec<String> =
        plans.iter().map(|p| format!("{}: {}{}", p.name, p.ty, if p.defaulted { " = nil" } else { "" })).collect();
    let flat = format!("    public init({}) {{", params.join(", "));
    if flat.len() <= 120 {
        let _ = writeln!(out, "{flat}");
    } else {
        let _ = writeln!(out, "    public init(");
        for (i, param) in params.iter().enumerate() {
            let comma = if i + 1 < params.len() { "," } else { "" };
            let _ = writeln!(out, "        {param}{comma}");
        }
        let _ = writeln!(out, "    ) {{");
    }
    for plan in &plans {
        let _ = writeln!(out, "        self.{0} = {0}", plan.name);
    }
    let _ = writeln!(out, "    }}");

    out.push('\n');
    let _ = writeln!(out, "    enum CodingKeys: String, CodingKey {{");
    for plan in &plans {
        if plan.name.trim_matches('`') == plan.field.name {
            let _ = writeln!(out, "        case {}", plan.name);
        } else {
            let _ = writeln!(out, "        case {} = {}", plan.name, string_literal(&plan.field.name));
        }
    }
    let _ = writeln!(out, "    }}");

    if plans.iter().any(|p| matches!(p.coding, Coding::TriState | Coding::RequiredNullable)) {
        out.push('\n');
        let _ = writeln!(out, "    public init(from decoder: Decoder) throws {{");
        let _ = writeln!(out, "        let container = try decoder.container(keyedBy: CodingKeys.self)");
        for plan in &plans {
            let inner = plan.ty.trim_end_matches('?');
            let call = match plan.coding {
                Coding::Required => format!("decode({inner}.self, forKey: .{})", plan.name),
                Coding::Optional | Coding::RequiredNullable => {
                    format!("decodeIfPresent({inner}.self, forKey: .{})", plan.name)
                }
                Coding::TriState => {
                    let wrapped = inner.strip_prefix("Nullable<").and_then(|t| t.strip_suffix('>')).unwrap_or(inner);
                    format!("decodeNullable({wrapped}.self, forKey: .{})", plan.name)
                }
            };
            let _ = writeln!(out, "        {} = try container.{call}", plan.name);
        }
        let _ = writeln!(out, "    }}");
        out.push('\n');
        let _ = writeln!(out, "    public func encode(to encoder: Encoder) throws {{");
        let _ = writeln!(out, "        var container = encoder.container(keyedBy: CodingKeys.self)");
        for plan in &plans {
            let method = match plan.coding {
                Coding::Required | Coding::RequiredNullable => "encode",
                Coding::Optional | Coding::TriState => "encodeIfPresent",
            };
            let _ = writeln!(out, "        try container.{method}({0}, forKey: .{0})", plan.name);
        }
        let _ = writeln!(out, "    }}");
    }
    let _ = writeln!(out, "}}");
}

fn enum_def(out: &mut String, name: &str, values: &[EnumValue], open: bool) {
    let integers = !values.is_empty() && values.iter().all(|v| matches!(v, EnumValue::Integer(_)));
    let raw = if integers { "Int" } else { "String" };
    let mut members = Members::new(["unknown", "rawValue", "allCases"]);
    // A value listed twice (it happens in real specs) is one case.
    let mut seen = HashSet::new();
    let cases: Vec<(String, String)> = values
        .iter()
        .filter(|value| seen.insert(*value))
        .map(|value| match value {
            EnumValue::String(text) => (members.claim(text), string_literal(text)),
            EnumValue::Integer(n) if integers => {
                let word = if *n < 0 { format!("minus {}", n.unsigned_abs()) } else { format!("value {n}") };
                (members.claim(&word), n.to_string())
            }
            EnumValue::Integer(n) => (members.claim(&format!("value {n}")), string_literal(&n.to_string())),
        })
        .collect();
    if !open && !cases.is_empty() {
        let _ = writeln!(out, "public enum {name}: {raw}, Codable, Hashable, Sendable, CaseIterable {{");
        for (case, raw_value) in &cases {
            let _ = writeln!(out, "    case {case} = {raw_value}");
        }
        let _ = writeln!(out, "}}");
        return;
    }
    let _ = writeln!(out, "public enum {name}: RawRepresentable, Codable, Hashable, Sendable {{");
    for (case, _) in &cases {
        let _ = writeln!(out, "    case {case}");
    }
    let _ = writeln!(out, "    /// A value this client does not know yet (the spec lets the API add values).");
    let _ = writeln!(out, "    case unknown({raw})");
    out.push('\n');
    let _ = writeln!(out, "    public init(rawValue: {raw}) {{");
    if cases.is_empty() {
        let _ = writeln!(out, "        self = .unknown(rawValue)");
    } else {
        let _ = writeln!(out, "        switch rawValue {{");
        for (case, raw_value) in &cases {
            let _ = writeln!(out, "        case {raw_value}: self = .{case}");
        }
        let _ = writeln!(out, "        default: self = .unknown(rawValue)");
        let _ = writeln!(out, "        }}");
    }
    let _ = writeln!(out, "    }}");
    out.push('\n');
    let _ = writeln!(out, "    public var rawValue: {raw} {{");
    let _ = writeln!(out, "        switch self {{");
    for (case, raw_value) in &cases {
        let _ = writeln!(out, "        case .{case}: return {raw_value}");
    }
    let _ = writeln!(out, "        case .unknown(let value): return value");
    let _ = writeln!(out, "        }}");
    let _ = writeln!(out, "    }}");
    out.push('\n');
    let _ = writeln!(out, "    public init(from decoder: Decoder) throws {{");
    let _ = writeln!(out, "        self.init(rawValue: try decoder.singleValueContainer().decode({raw}.self))");
    let _ = writeln!(out, "    }}");
    out.push('\n');
    let _ = writeln!(out, "    public func encode(to encoder: Encoder) throws {{");
    let _ = writeln!(out, "        var container = encoder.singleValueContainer()");
    let _ = writeln!(out, "        try container.encode(rawValue)");
    let _ = writeln!(out, "    }}");
    let _ = writeln!(out, "}}");
}

fn union_def(out: &mut String, names: &TypeNames, name: &str, union: &Union) {
    let mut members = Members::new(["null"]);
    let mut nullable = false;
    let mut seen_types: Vec<String> = Vec::new();
    let mut cases: Vec<(String, String, &[String])> = Vec::new();
    for variant in &union.variants {
        if matches!(variant.ty, Ty::Nullable(_)) {
            nullable = true;
        }
        let ty = swift_type(non_null(&variant.ty), names);
        if seen_types.contains(&ty) && variant.tags.is_empty() {
            continue; // a second variant of the same Swift type could never be decoded
        }
        seen_types.push(ty.clone());
        cases.push((members.claim(&variant.name), ty, &variant.tags));
    }
    let _ = writeln!(out, "public indirect enum {name}: Codable, Hashable, Sendable {{");
    for (case, ty, _) in &cases {
        let _ = writeln!(out, "    case {case}({ty})");
    }
    if nullable {
        let _ = writeln!(out, "    case null");
    }
    out.push('\n');
    let _ = writeln!(out, "    public init(from decoder: Decoder) throws {{");
    if cases.is_empty() && !nullable {
        let _ = writeln!(
            out,
            "        throw UnionDecoding.noMatch(decoder, type: {}, detail: \"the spec allows no value\")",
            string_literal(name)
        );
    } else {
        let _ = writeln!(out, "        let container = try decoder.singleValueContainer()");
        if nullable {
            let _ = writeln!(out, "        if container.decodeNil() {{");
            let _ = writeln!(out, "            self = .null");
            let _ = writeln!(out, "            return");
            let _ = writeln!(out, "        }}");
        }
        let tagged: Vec<&(String, String, &[String])> = cases.iter().filter(|(_, _, tags)| !tags.is_empty()).collect();
        let untagged: Vec<&(String, String, &[String])> = cases.iter().filter(|(_, _, tags)| tags.is_empty()).collect();
        if let (Some(property), false) = (&union.discriminator, tagged.is_empty()) {
            let _ = writeln!(
                out,
                "        switch try UnionDecoding.tag(decoder, property: {}) {{",
                string_literal(property)
            );
            for (case, ty, tags) in &tagged {
                let tags: Vec<String> = tags.iter().map(|t| string_literal(t)).collect();
                let _ = writeln!(out, "        case {}:", tags.join(", "));
                let _ = writeln!(out, "            self = .{case}(try container.decode({ty}.self))");
            }
            let _ = writeln!(out, "        default:");
            for (case, ty, _) in &untagged {
                let _ = writeln!(out, "            if let value = try? container.decode({ty}.self) {{");
                let _ = writeln!(out, "                self = .{case}(value)");
                let _ = writeln!(out, "                return");
                let _ = writeln!(out, "            }}");
            }
            let _ = writeln!(
                out,
                "            throw UnionDecoding.noMatch(decoder, type: {}, detail: \"unknown {}\")",
                string_literal(name),
                string_literal(property).trim_matches('"')
            );
            let _ = writeln!(out, "        }}");
        } else {
            for (case, ty, _) in &cases {
                let _ = writeln!(out, "        if let value = try? container.decode({ty}.self) {{");
                let _ = writeln!(out, "            self = .{case}(value)");
                let _ = writeln!(out, "            return");
                let _ = writeln!(out, "        }}");
            }
            let _ = writeln!(
                out,
                "        throw UnionDecoding.noMatch(decoder, type: {}, detail: \"no variant matched\")",
                string_literal(name)
            );
        }
    }
    let _ = writeln!(out, "    }}");
    out.push('\n');
    let _ = writeln!(out, "    public func encode(to encoder: Encoder) throws {{");
    if cases.is_empty() && !nullable {
        let _ = writeln!(out, "        switch self {{}}");
    } else {
        let _ = writeln!(out, "        var container = encoder.singleValueContainer()");
        let _ = writeln!(out, "        switch self {{");
        for (case, _, _) in &cases {
            let _ = writeln!(out, "        case .{case}(let value): try container.encode(value)");
        }
        if nullable {
            let _ = writeln!(out, "        case .null: try container.encodeNil()");
        }
        let _ = writeln!(out, "        }}");
    }
    let _ = writeln!(out, "    }}");
    let _ = writeln!(out, "}}");
}
