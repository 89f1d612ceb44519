//! `types.ts`: every named type of the API as a `type` alias.
//!
//! `type` aliases rather than interfaces because TanStack DB rows must be assignable to
//! `Record<string, unknown>`, which TypeScript grants object type aliases but not interfaces.

use std::fmt::Write as _;

use super::doc::{TypeDoc, member_line};
use super::names::Module;
use super::writer::{doc_comment, fits, property_key, string_literal};
use crate::model::{Api, EnumValue, Literal, StringFormat, Struct, Ty, TypeDef, TypeKind, Union};
use crate::naming::Case;

/// The TypeScript names of the API's types, indexed like [`Api::types`].
pub struct TypeNames(pub Vec<String>);

impl TypeNames {
    /// Type names avoid every name the other modules export, since `index.ts` re-exports all.
    pub fn new(api: &Api) -> Self {
        let globals = ["Record", "Blob", "bigint"];
        let mut module = Module::with_globals(super::EXPORTED_RUNTIME.iter().copied().chain(globals));
        TypeNames(api.types.iter().map(|def| module.declare(&def.name, Case::Pascal)).collect())
    }
}

/// Turns model types into TypeScript, naming each API type through `name` (which a module uses
/// to import it under its local name).
pub struct TyPrinter<'a> {
    pub name: &'a mut dyn FnMut(usize) -> String,
}

impl TyPrinter<'_> {
    pub fn doc(&mut self, ty: &Ty) -> TypeDoc {
        match ty {
            Ty::Any => TypeDoc::text("unknown"),
            Ty::Bool => TypeDoc::text("boolean"),
            Ty::Integer(_) | Ty::Number(_) => TypeDoc::text("number"),
            Ty::String(StringFormat::Binary) => TypeDoc::text("Blob"),
            Ty::String(_) => TypeDoc::text("string"),
            Ty::Literal(literal) => TypeDoc::Text(literal_text(literal)),
            Ty::Named(id) => TypeDoc::Text((self.name)(id.0)),
            Ty::Array(item) => TypeDoc::Array(Box::new(self.doc(item))),
            Ty::Map(value) => TypeDoc::Generic("Record".to_owned(), vec![TypeDoc::text("string"), self.doc(value)]),
            Ty::Nullable(inner) => match self.doc(inner) {
                // `T | null | null` is just `T | null`.
                TypeDoc::Union(members) if members.contains(&TypeDoc::text("null")) => TypeDoc::Union(members),
                TypeDoc::Union(mut members) => {
                    members.push(TypeDoc::text("null"));
                    TypeDoc::Union(members)
                }
                inner => TypeDoc::Union(vec![inner, TypeDoc::text("null")]),
            },
        }
    }
}

pub fn literal_text(literal: &Literal) -> String {
    match literal {
        Literal::String(value) => string_literal(value),
        Literal::Integer(value) => value.to_string(),
        Literal::Bool(value) => value.to_string(),
    }
}

/// A union member: its one-line form, and the form prettier gives it on a line of its own
/// when that is too long (an intersection's object or a generic's arguments broken).
pub struct Member {
    pub flat: String,
    pub broken: Option<String>,
}

impl Member {
    fn plain(flat: String) -> Self {
        Member { flat, broken: None }
    }
}

/// `export type Name = A | B;`, laid out as prettier does: on one line, else whole on the next
/// line, else one `| member` per line.
pub fn union_alias(out: &mut String, head: &str, members: &[Member]) {
    let joined = members.iter().map(|m| m.flat.as_str()).collect::<Vec<_>>().join(" | ");
    let flat = format!("{head} = {joined};");
    if fits(&flat) {
        let _ = writeln!(out, "{flat}");
    } else if members.len() > 1 && !fits(&format!("  {joined};")) {
        let _ = writeln!(out, "{head} =");
        for (i, member) in members.iter().enumerate() {
            let end = if i + 1 == members.len() { ";" } else { "" };
            let line = format!("  | {}{end}", member.flat);
            match &member.broken {
                Some(broken) if !fits(&line) => {
                    let _ = writeln!(out, "  | {broken}{end}");
                }
                _ => {
                    let _ = writeln!(out, "{line}");
                }
            }
        }
    } else {
        let _ = writeln!(out, "{head} =\n  {joined};");
    }
}

/// `export type Name = { ... };` with `members` writing the body at the indentation they are
/// given. prettier moves the object to the next line when even `Name = {` is too long.
pub fn object_alias(out: &mut String, head: &str, members: impl FnOnce(&mut String, &str)) {
    if fits(&format!("{head} = {{")) {
        let _ = writeln!(out, "{head} = {{");
        members(out, "  ");
        let _ = writeln!(out, "}};");
    } else {
        let _ = writeln!(out, "{head} =\n  {{");
        members(out, "    ");
        let _ = writeln!(out, "  }};");
    }
}

/// Emits `types.ts`.
pub fn emit(api: &Api, names: &TypeNames, header: &str) -> String {
    let mut out = String::with_capacity(api.types.len() * 256);
    out.push_str(header);
    for (index, def) in api.types.iter().enumerate() {
        out.push('\n');
        type_def(&mut out, names, &names.0[index], def);
    }
    if api.types.is_empty() {
        // Still a module, so `export * from "./types"` and `isolatedModules` accept it.
        out.push_str("\nexport {};\n");
    }
    out
}

fn type_def(out: &mut String, names: &TypeNames, name: &str, def: &TypeDef) {
    let deprecated = def.deprecated.then_some("@deprecated");
    doc_comment(out, "", [def.doc.as_deref(), deprecated]);
    let mut name_of = |index: usize| names.0[index].clone();
    let mut printer = TyPrinter { name: &mut name_of };
    let head = format!("export type {name}");
    match &def.kind {
        TypeKind::Struct(body) => struct_body(out, &mut printer, &head, body),
        TypeKind::Enum(values) => {
            let mut members: Vec<Member> = values
                .values
                .iter()
                .map(|value| {
                    Member::plain(match value {
                        EnumValue::String(s) => string_literal(s),
                        EnumValue::Integer(i) => i.to_string(),
                    })
                })
                .collect();
            if values.open {
                // `string & {}` accepts any string yet keeps the known values in autocompletion.
                let all_integers = values.values.iter().all(|v| matches!(v, EnumValue::Integer(_)));
                let catch_all = if all_integers { "(number & {})" } else { "(string & {})" };
                members.push(Member::plain(catch_all.to_owned()));
            }
            if members.is_empty() {
                members.push(Member::plain("never".to_owned()));
            }
            union_alias(out, &head, &members);
        }
        TypeKind::Union(union) => {
            let members = union_members(&mut printer, union);
            union_alias(out, &head, &members);
        }
        TypeKind::Alias(ty) => alias(out, &mut printer, &head, ty),
    }
}

fn struct_body(out: &mut String, printer: &mut TyPrinter<'_>, head: &str, body: &Struct) {
    if body.fields.is_empty() {
        // No declared properties: any object, or a dictionary of `additionalProperties`.
        let value = body.additional.clone().unwrap_or(Ty::Any);
        alias(out, printer, head, &Ty::Map(Box::new(value)));
        return;
    }
    object_alias(out, head, |out, indent| {
        for field in &body.fields {
            let deprecated = field.deprecated.then_some("@deprecated");
            doc_comment(out, indent, [field.doc.as_deref(), deprecated]);
            let readonly = if field.read_only { "readonly " } else { "" };
            let optional = if field.required { "" } else { "?" };
            let lead = format!("{readonly}{}{optional}", property_key(&field.name));
            let _ = writeln!(out, "{}", member_line(indent, &lead, &printer.doc(&field.ty), ";"));
        }
        if body.additional.is_some() {
            // An index signature must admit every declared field's type too, so the extra
            // properties are typed loosely rather than making the declared fields lie.
            let _ = writeln!(out, "{indent}[key: string]: unknown;");
        }
    });
}

/// `export type Name = <ty>;`, broken the way prettier breaks an over-long alias.
fn alias(out: &mut String, printer: &mut TyPrinter<'_>, head: &str, ty: &Ty) {
    let doc = printer.doc(ty);
    let flat = doc.flat();
    let line = format!("{head} = {flat};");
    if fits(&line) {
        let _ = writeln!(out, "{line}");
        return;
    }
    match &doc {
        TypeDoc::Union(members) => {
            let members: Vec<Member> = members.iter().map(|m| Member::plain(m.flat())).collect();
            union_alias(out, head, &members);
        }
        TypeDoc::Generic(name, _) if fits(&format!("{head} = {name}<")) => {
            let prefix = head.chars().count() + 3;
            let _ = writeln!(out, "{head} = {};", doc.layout("", prefix, 1));
        }
        _ => {
            let _ = writeln!(out, "{head} =\n  {};", doc.layout("  ", 2, 1));
        }
    }
}

/// The members of a `oneOf`/`anyOf`; with a discriminator, each variant is narrowed to its tag
/// values so `switch (pet.petType)` narrows to the right variant.
fn union_members(printer: &mut TyPrinter<'_>, union: &Union) -> Vec<Member> {
    let mut members: Vec<Member> = Vec::with_capacity(union.variants.len());
    let mut nullable = false;
    for variant in &union.variants {
        let doc = match &variant.ty {
            // `null` is listed once, at the end, rather than inside a member.
            Ty::Nullable(inner) => {
                nullable = true;
                printer.doc(inner)
            }
            ty => printer.doc(ty),
        };
        let member = match (&union.discriminator, variant.tags.is_empty()) {
            (Some(property), false) => {
                let tags: Vec<String> = variant.tags.iter().map(|tag| string_literal(tag)).collect();
                let base = match &doc {
                    TypeDoc::Union(_) => format!("({})", doc.flat()),
                    _ => doc.flat(),
                };
                let key = property_key(property);
                let tags = tags.join(" | ");
                Member {
                    flat: format!("({base} & {{ {key}: {tags} }})"),
                    broken: Some(format!("({base} & {{\n      {key}: {tags};\n    }})")),
                }
            }
            _ => Member {
                flat: doc.flat(),
                broken: matches!(doc, TypeDoc::Generic(..)).then(|| doc.layout("    ", 4, 0)),
            },
        };
        if !members.iter().any(|m| m.flat == member.flat) {
            members.push(member);
        }
    }
    if nullable {
        members.push(Member::plain("null".to_owned()));
    }
    if members.is_empty() {
        members.push(Member::plain("never".to_owned()));
    }
    members
}
