//! A shape: the rows of one served table selected by a filter, projected onto some columns.
//! The filter is the client's `where` and, when the app's authorization scoped the request,
//! the app's filter too; the columns are those the client asked for among those it may see.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::handle::stable_hash;
use crate::request::{InvalidRequest, Replica, ShapeParams};
use crate::schema::TableSchema;
use crate::where_clause::{self, Filter, Limits};

pub struct Shape {
    pub table: Arc<TableSchema>,
    /// Selected column indexes, in table order; always include the primary key.
    pub columns: Vec<usize>,
    pub filter: Filter,
    pub replica: Replica,
    /// Identifies the definition in shape handles.
    pub definition_hash: u64,
}

/// What the app's authorization allows: `None` fields mean no restriction.
#[derive(Debug, Default)]
pub struct Scope<'a> {
    pub filter: Option<(&'a str, &'a [String])>,
    pub columns: Option<&'a [String]>,
}

/// Why a shape could not be compiled.
#[derive(Debug)]
pub enum ShapeError {
    /// The client's request is wrong: a 400.
    Invalid(InvalidRequest),
    /// The app's scope is wrong (a column or filter that does not fit the table): a 500, as it
    /// is a bug in the app, not in the request.
    Scope(String),
}

impl Shape {
    pub fn compile(
        table: Arc<TableSchema>,
        params: &ShapeParams,
        scope: &Scope<'_>,
        limits: &Limits,
    ) -> Result<Shape, ShapeError> {
        let visible = match scope.columns {
            None => None,
            Some(names) => Some(scope_columns(&table, names).map_err(ShapeError::Scope)?),
        };
        let columns = match &params.columns {
            None => visible.clone().unwrap_or_else(|| (0..table.columns.len()).collect()),
            Some(requested) => select_columns(&table, requested, visible.as_deref()).map_err(ShapeError::Invalid)?,
        };
        let filter = match &params.where_clause {
            Some(clause) => {
                where_clause::compile(clause, &table, &params.params, visible.as_deref(), limits).map_err(
                    |message| {
                        // Errors about params belong to `params`, like Electric reports them.
                        let parameter = if message.starts_with("params[") { "params" } else { "where" };
                        ShapeError::Invalid(InvalidRequest::single(parameter, message))
                    },
                )?
            }
            None if !params.params.is_empty() => {
                return Err(ShapeError::Invalid(InvalidRequest::single(
                    "params",
                    "params are given but there is no where clause",
                )));
            }
            None => Filter::default(),
        };
        let filter = match scope.filter {
            None => filter,
            Some((clause, values)) => {
                let values: BTreeMap<usize, String> =
                    values.iter().enumerate().map(|(index, value)| (index + 1, value.clone())).collect();
                let limits = Limits { max_length: usize::MAX, ..Limits::default() };
                let scoped = where_clause::compile(clause, &table, &values, None, &limits)
                    .map_err(|message| ShapeError::Scope(format!("the authorization filter `{clause}` {message}")))?;
                filter.and(scoped)
            }
        };
        let column_names: Vec<&str> = columns.iter().map(|&i| table.columns[i].name.as_str()).collect();
        let definition = format!(
            "{}|{}|{}|{:?}|{}",
            table.name,
            column_names.join(","),
            filter.canonical(&table),
            params.replica,
            params.changes_only
        );
        Ok(Shape { definition_hash: stable_hash(&definition), table, columns, filter, replica: params.replica })
    }

    /// Primary-key column positions within the selected columns.
    pub fn key_positions(&self) -> Vec<usize> {
        self.table
            .primary_key
            .iter()
            .map(|pk| self.columns.iter().position(|c| c == pk).expect("selection includes the primary key"))
            .collect()
    }
}

/// The app's column set, plus the primary key, in table order.
fn scope_columns(table: &TableSchema, names: &[String]) -> Result<Vec<usize>, String> {
    let mut visible = table.primary_key.clone();
    for name in names {
        let index = table
            .find_column(name, true)
            .or_else(|| table.find_column(name, false))
            .ok_or_else(|| format!("the authorization's column `{name}` is not in table `{}`", table.name))?;
        visible.push(index);
    }
    visible.sort_unstable();
    visible.dedup();
    Ok(visible)
}

fn select_columns(
    table: &TableSchema,
    requested: &[(String, bool)],
    visible: Option<&[usize]>,
) -> Result<Vec<usize>, InvalidRequest> {
    let mut invalid = InvalidRequest::default();
    let mut selected = Vec::new();
    for (name, quoted) in requested {
        match table.find_column(name, *quoted).filter(|index| visible.is_none_or(|visible| visible.contains(index))) {
            Some(index) => selected.push(index),
            None => invalid.add("columns", format!("unknown column `{name}` in table `{}`", table.name)),
        }
    }
    for &pk in &table.primary_key {
        if !selected.contains(&pk) {
            invalid.add("columns", format!("must include the primary key column `{}`", table.columns[pk].name));
        }
    }
    if !invalid.errors.is_empty() {
        return Err(invalid);
    }
    selected.sort_unstable();
    selected.dedup();
    Ok(selected)
}
