//! A shape: the rows of one served table selected by a filter, projected onto some columns.

use std::sync::Arc;

use crate::handle::stable_hash;
use crate::request::{InvalidRequest, Replica, ShapeParams};
use crate::schema::TableSchema;
use crate::where_clause::{self, Filter};

pub struct Shape {
    pub table: Arc<TableSchema>,
    /// Selected column indexes, in table order; always include the primary key.
    pub columns: Vec<usize>,
    pub filter: Filter,
    pub replica: Replica,
    /// Identifies the definition in shape handles.
    pub definition_hash: u64,
}

impl Shape {
    pub fn compile(table: Arc<TableSchema>, params: &ShapeParams) -> Result<Shape, InvalidRequest> {
        let columns = match &params.columns {
            None => (0..table.columns.len()).collect(),
            Some(requested) => select_columns(&table, requested)?,
        };
        let filter = match &params.where_clause {
            Some(clause) => {
                where_clause::compile(clause, &table, &params.params).map_err(|message| {
                    // Errors about params belong to `params`, like Electric reports them.
                    let parameter = if message.starts_with("params[") { "params" } else { "where" };
                    InvalidRequest::single(parameter, message)
                })?
            }
            None if !params.params.is_empty() => {
                return Err(InvalidRequest::single("params", "params are given but there is no where clause"));
            }
            None => Filter::default(),
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

fn select_columns(table: &TableSchema, requested: &[(String, bool)]) -> Result<Vec<usize>, InvalidRequest> {
    let mut invalid = InvalidRequest::default();
    let mut selected = Vec::new();
    for (name, quoted) in requested {
        match table.find_column(name, *quoted) {
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
