//! Values passed to and read from the store, identical on SQLite and Postgres so that
//! application write handlers are written once.

/// A SQL value bound as a parameter or read from a result row.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Integer(i64),
    Real(f64),
    Bool(bool),
    Text(String),
}

impl From<&str> for SqlValue {
    fn from(value: &str) -> Self {
        SqlValue::Text(value.to_owned())
    }
}

impl From<String> for SqlValue {
    fn from(value: String) -> Self {
        SqlValue::Text(value)
    }
}

impl From<&String> for SqlValue {
    fn from(value: &String) -> Self {
        SqlValue::Text(value.clone())
    }
}

impl From<i64> for SqlValue {
    fn from(value: i64) -> Self {
        SqlValue::Integer(value)
    }
}

impl From<f64> for SqlValue {
    fn from(value: f64) -> Self {
        SqlValue::Real(value)
    }
}

impl From<bool> for SqlValue {
    fn from(value: bool) -> Self {
        SqlValue::Bool(value)
    }
}

impl<T: Into<SqlValue>> From<Option<T>> for SqlValue {
    fn from(value: Option<T>) -> Self {
        value.map_or(SqlValue::Null, Into::into)
    }
}

/// One result row, columns in the order of the query's select list.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    values: Vec<SqlValue>,
}

impl Row {
    pub(crate) fn new(values: Vec<SqlValue>) -> Self {
        Row { values }
    }

    /// The value at `index`, or `None` past the end of the row.
    pub fn get(&self, index: usize) -> Option<&SqlValue> {
        self.values.get(index)
    }

    /// The text at `index`; `None` for NULL, non-text values and out-of-range indexes.
    pub fn text(&self, index: usize) -> Option<&str> {
        match self.values.get(index) {
            Some(SqlValue::Text(text)) => Some(text),
            _ => None,
        }
    }

    /// The integer at `index`; `None` for NULL, non-integer values and out-of-range indexes.
    pub fn integer(&self, index: usize) -> Option<i64> {
        match self.values.get(index) {
            Some(SqlValue::Integer(value)) => Some(*value),
            _ => None,
        }
    }

    pub fn into_values(self) -> Vec<SqlValue> {
        self.values
    }
}
