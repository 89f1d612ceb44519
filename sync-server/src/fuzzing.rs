//! Entry points for fuzzing (`sync-server/fuzz`) and the randomized regression test: each runs
//! one of the endpoint's parsers on arbitrary input, the way a request would reach it. Any
//! input may be rejected; none may panic, recurse without bound or allocate without bound.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::Query;
use axum::http::Uri;

use crate::handle::{same_shape, stable_hash};
use crate::offset::RequestOffset;
use crate::request;
use crate::schema::{Column, ColumnKind, TableSchema};
use crate::shape::{Scope, Shape};
use crate::where_clause::{self, Limits};

/// The table the entry points parse against: one column of each kind.
fn table() -> TableSchema {
    let column = |name: &str, type_name: &str, kind| Column {
        name: name.into(),
        type_name: type_name.into(),
        dims: None,
        kind,
        not_null: false,
    };
    TableSchema {
        namespace: "public".into(),
        name: "items".into(),
        columns: vec![
            column("id", "text", ColumnKind::Text),
            column("owner", "text", ColumnKind::Text),
            column("rank", "int8", ColumnKind::Integer),
            column("score", "float8", ColumnKind::Real),
            column("done", "bool", ColumnKind::Bool),
            column("born", "timestamptz", ColumnKind::Other),
        ],
        primary_key: vec![0],
    }
}

/// Compiles `clause` with `params` as `$1, $2, ...`; on success, also matches a row with it.
pub fn where_clause(clause: &str, params: &[&str]) -> Result<(), String> {
    let params: BTreeMap<usize, String> =
        params.iter().enumerate().map(|(index, value)| (index + 1, (*value).to_owned())).collect();
    let filter = where_clause::compile(clause, &table(), &params, None, &Limits::default())?;
    filter.matches(|column| [Some("a"), Some("ann"), Some("7"), Some("1.5"), Some("true"), None][column]);
    Ok(())
}

/// Parses an `offset` parameter.
pub fn offset(text: &str) -> Result<(), String> {
    RequestOffset::parse(text).map(|_| ())
}

/// Checks a `handle` parameter against a shape.
pub fn handle(text: &str) -> bool {
    same_shape(text, stable_hash("items"), "0123456789abcdef")
}

/// Decodes a raw query string as `GET /v1/shape?{query}` and compiles the shape it asks for.
pub fn query(query: &str) -> Result<(), String> {
    let uri: Uri = format!("/v1/shape?{query}").parse().map_err(|error| format!("{error}"))?;
    let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(&uri).map_err(|error| error.body_text())?;
    let params = request::parse(&pairs, &Limits::default()).map_err(|invalid| invalid.body())?;
    Shape::compile(Arc::new(table()), &params, &Scope::default(), &Limits::default())
        .map(|_| ())
        .map_err(|error| format!("{error:?}"))
}
