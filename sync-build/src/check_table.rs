//! The table `sync-patterns check` prints: one row per resource.

use std::fmt::Write;

use crate::model::{Api, Literal, Method, Resource, StringFormat, SyncSource, Ty};

/// A summary line, then the resources with mode, key, source and operations.
pub fn check_table(api: &Api) -> String {
    let mut out = String::new();
    let plain_operations = api.operations.len() - api.resources.iter().map(|r| r.operations().count()).sum::<usize>();
    let _ = writeln!(
        out,
        "{} {}: {}, {}, {}",
        if api.info.title.is_empty() { "(untitled)" } else { &api.info.title },
        api.info.version,
        count(api.types.len(), "type"),
        count(api.operations.len(), "operation"),
        count(api.resources.len(), "resource"),
    );
    if api.resources.is_empty() {
        let _ = writeln!(out, "no resources: every operation is a plain push call");
        return out;
    }
    let rows: Vec<[String; 6]> = api.resources.iter().map(|r| row(api, r)).collect();
    let header = ["RESOURCE", "MODE", "ITEM", "KEY", "SOURCE", "OPERATIONS"].map(str::to_owned);
    let widths: Vec<usize> =
        (0..6).map(|i| rows.iter().chain([&header]).map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
    for row in [&header].into_iter().chain(&rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<width$}  ", width = widths[i]);
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let _ = writeln!(out, "{} outside resources (plain push calls)", count(plain_operations, "operation"));
    out
}

fn row(api: &Api, resource: &Resource) -> [String; 6] {
    let operations: Vec<String> = resource
        .operations()
        .map(|(role, id)| {
            let op = api.operation(id);
            match op.method {
                Method::Put | Method::Patch => format!("{}({})", role.as_str(), op.method.key()),
                _ => role.as_str().to_owned(),
            }
        })
        .collect();
    let source = match &resource.source {
        SyncSource::Rest => "rest".to_owned(),
        SyncSource::Shape(shape) => format!("shape:{}", shape.table),
    };
    [
        resource.collection_path.clone(),
        resource.mode.as_str().to_owned(),
        api.type_def(resource.item).name.clone(),
        format!("{}: {}", resource.key.field, type_label(api, &resource.key.ty)),
        source,
        operations.join(" "),
    ]
}

fn type_label(api: &Api, ty: &Ty) -> String {
    match ty {
        Ty::String(StringFormat::Uuid) => "uuid".into(),
        Ty::String(_) | Ty::Literal(Literal::String(_)) => "string".into(),
        Ty::Literal(Literal::Integer(_)) => "integer".into(),
        Ty::Literal(Literal::Bool(_)) => "boolean".into(),
        Ty::Integer(_) => "integer".into(),
        Ty::Number(_) => "number".into(),
        Ty::Bool => "boolean".into(),
        Ty::Nullable(inner) => format!("{}?", type_label(api, inner)),
        Ty::Named(id) => api.type_def(*id).name.clone(),
        Ty::Any => "any".into(),
        Ty::Array(_) => "array".into(),
        Ty::Map(_) => "map".into(),
    }
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}
