//! What the endpoint knows about a served table: its columns, their Electric type names and
//! how values of each column are compared when filtering.

use serde_json::{Map, Value, json};

/// How a column's values compare in a `where` filter and how they are rendered as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Integer,
    Real,
    Bool,
    /// Stored as text: compared as text, uses the column's index.
    Text,
    /// Binary data, rendered as `\x` followed by lowercase hex like Postgres does.
    Blob,
    /// Any other type (uuid, timestamp, numeric, ...): compared by its text rendering.
    Other,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    /// The Postgres type name Electric reports in `electric-schema` (`int8`, `text`, `uuid`, ...).
    pub type_name: String,
    /// Array dimensions, for Postgres array columns.
    pub dims: Option<u32>,
    pub kind: ColumnKind,
    pub not_null: bool,
}

#[derive(Debug, Clone)]
pub struct TableSchema {
    /// The namespace reported in messages' `relation` header (`public`, `main`).
    pub namespace: String,
    pub name: String,
    pub columns: Vec<Column>,
    /// Indexes into `columns`, in primary-key order.
    pub primary_key: Vec<usize>,
}

impl TableSchema {
    /// Finds a column the way SQL resolves a name: quoted names match exactly, unquoted names
    /// ignore case.
    pub fn find_column(&self, name: &str, quoted: bool) -> Option<usize> {
        self.columns.iter().position(
            |column| {
                if quoted { column.name == name } else { column.name.eq_ignore_ascii_case(name) }
            },
        )
    }

    /// The `electric-schema` header value for the selected columns.
    pub fn electric_schema(&self, selected: &[usize]) -> String {
        let mut schema = Map::new();
        for &index in selected {
            let column = &self.columns[index];
            let mut info = Map::new();
            info.insert("type".into(), json!(column.type_name));
            if let Some(dims) = column.dims {
                info.insert("dims".into(), json!(dims));
            }
            if column.not_null {
                info.insert("not_null".into(), json!(true));
            }
            if let Some(pk_index) = self.primary_key.iter().position(|&pk| pk == index) {
                info.insert("pk_index".into(), json!(pk_index));
            }
            schema.insert(column.name.clone(), Value::Object(info));
        }
        Value::Object(schema).to_string()
    }
}

/// Table and column names are spliced into trigger and query SQL (quoted), so they are
/// restricted to plain identifiers; this is checked once when a table is registered.
pub fn is_plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 63
}

/// Maps a SQLite declared column type to the Postgres type name Electric clients expect,
/// following SQLite's affinity rules (https://www.sqlite.org/datatype3.html#affinity).
pub fn sqlite_column_type(declared: &str) -> (String, ColumnKind) {
    let upper = declared.trim().to_ascii_uppercase();
    let (name, kind) = if upper.contains("BOOL") {
        ("bool", ColumnKind::Bool)
    } else if upper.contains("INT") {
        // INTEGER is 64-bit in SQLite; the narrower Postgres names are honoured when used.
        match upper.as_str() {
            "SMALLINT" | "INT2" => ("int2", ColumnKind::Integer),
            "INT4" | "MEDIUMINT" => ("int4", ColumnKind::Integer),
            _ => ("int8", ColumnKind::Integer),
        }
    } else if upper.contains("CHAR") || upper.contains("CLOB") || upper.contains("TEXT") {
        ("text", ColumnKind::Text)
    } else if upper.contains("REAL") || upper.contains("FLOA") || upper.contains("DOUB") {
        ("float8", ColumnKind::Real)
    } else if upper.is_empty() || upper.contains("BLOB") {
        ("bytea", ColumnKind::Blob)
    } else {
        // NUMERIC affinity: keep the declared name (uuid, timestamptz, json, ...) so clients can
        // parse it, and compare by text.
        let first_word = upper.split(['(', ' ']).next().unwrap_or_default();
        return (first_word.to_ascii_lowercase(), ColumnKind::Other);
    };
    (name.to_owned(), kind)
}

/// Maps a Postgres `pg_type.typname` (arrays start with `_`) to Electric's name and a kind.
pub fn postgres_column_type(typname: &str, ndims: i32) -> (String, Option<u32>, ColumnKind) {
    if let Some(element) = typname.strip_prefix('_') {
        let dims = u32::try_from(ndims.max(1)).unwrap_or(1);
        return (element.to_owned(), Some(dims), ColumnKind::Other);
    }
    let kind = match typname {
        "int2" | "int4" | "int8" => ColumnKind::Integer,
        "float4" | "float8" => ColumnKind::Real,
        "bool" => ColumnKind::Bool,
        "text" | "varchar" | "bpchar" | "name" => ColumnKind::Text,
        "bytea" => ColumnKind::Blob,
        _ => ColumnKind::Other,
    };
    (typname.to_owned(), None, kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_types_follow_affinity_rules() {
        assert_eq!(sqlite_column_type("INTEGER"), ("int8".into(), ColumnKind::Integer));
        assert_eq!(sqlite_column_type("varchar(40)"), ("text".into(), ColumnKind::Text));
        assert_eq!(sqlite_column_type("BOOLEAN"), ("bool".into(), ColumnKind::Bool));
        assert_eq!(sqlite_column_type("double precision"), ("float8".into(), ColumnKind::Real));
        assert_eq!(sqlite_column_type(""), ("bytea".into(), ColumnKind::Blob));
        assert_eq!(sqlite_column_type("UUID"), ("uuid".into(), ColumnKind::Other));
    }

    #[test]
    fn identifiers_are_plain() {
        assert!(is_plain_identifier("contacts_2"));
        assert!(!is_plain_identifier("2x"));
        assert!(!is_plain_identifier("a\"b"));
        assert!(!is_plain_identifier(""));
    }
}
