//! Encoding shape log messages as Electric's JSON: change messages
//! `{key, value, headers: {operation, relation, txids?, lsn?}, old_value?}` and control
//! messages `{headers: {control}}`. Values are text (or null), as Electric sends them; the
//! client parses them with the `electric-schema` header.

use serde_json::{Map, Value};

use crate::request::Replica;
use crate::shape::Shape;
use crate::store::{LogEntry, Operation};

/// Builds one response body: a JSON array of messages.
pub struct MessageWriter<'s> {
    shape: &'s Shape,
    key_positions: Vec<usize>,
    relation: String,
    out: Vec<u8>,
    count: usize,
}

impl<'s> MessageWriter<'s> {
    pub fn new(shape: &'s Shape) -> Self {
        let relation = serde_json::to_string(&[&shape.table.namespace, &shape.table.name]).expect("strings serialize");
        MessageWriter { shape, key_positions: shape.key_positions(), relation, out: b"[".to_vec(), count: 0 }
    }

    /// Bytes of the body so far.
    pub fn body_len(&self) -> usize {
        self.out.len()
    }

    /// Change messages written so far (control messages excluded).
    pub fn change_count(&self) -> usize {
        self.count
    }

    /// A snapshot row, values in the shape's column order.
    pub fn snapshot_row(&mut self, values: &[Option<String>]) {
        let key = self.key(|i| values[self.key_positions[i]].as_deref());
        self.begin_message(&key);
        self.value_object("value", self.shape.columns.iter().zip(values).map(|(&c, v)| (c, v.as_deref())));
        self.out.extend_from_slice(br#","headers":{"operation":"insert","relation":"#);
        self.out.extend_from_slice(self.relation.as_bytes());
        self.out.extend_from_slice(b"}}");
    }

    /// The messages a logged row change means for this shape: none if the row is outside the
    /// shape before and after; an insert or delete when it moves in or out; a delete and an
    /// insert when its primary key changes.
    pub fn log_entry(&mut self, entry: &LogEntry) {
        let was_in = entry.old.as_ref().is_some_and(|row| self.in_shape(row));
        let is_in = entry.new.as_ref().is_some_and(|row| self.in_shape(row));
        match (entry.operation, &entry.old, &entry.new) {
            (Operation::Insert, _, Some(new)) if is_in => self.insert(entry, new),
            (Operation::Delete, Some(old), _) if was_in => self.delete(entry, old),
            (Operation::Update, Some(old), Some(new)) => {
                let key_changed = self.key_positions.iter().any(|&p| {
                    let name = self.column_name(self.shape.columns[p]);
                    old.get(name) != new.get(name)
                });
                match (was_in, is_in) {
                    (true, true) if key_changed => {
                        self.delete(entry, old);
                        self.insert(entry, new);
                    }
                    (true, true) => self.update(entry, old, new),
                    (true, false) => self.delete(entry, old),
                    (false, true) => self.insert(entry, new),
                    (false, false) => {}
                }
            }
            _ => {}
        }
    }

    pub fn up_to_date(&mut self, head: u64) {
        self.separator();
        self.out.extend_from_slice(br#"{"headers":{"control":"up-to-date","global_last_seen_lsn":""#);
        self.out.extend_from_slice(head.to_string().as_bytes());
        self.out.extend_from_slice(br#""}}"#);
    }

    pub fn finish(mut self) -> Vec<u8> {
        self.out.push(b']');
        self.out
    }

    fn column_name(&self, column: usize) -> &'s str {
        &self.shape.table.columns[column].name
    }

    fn in_shape(&self, row: &Map<String, Value>) -> bool {
        self.shape.filter.matches(|column| row.get(self.column_name(column)).and_then(Value::as_str))
    }

    fn row_value<'r>(&self, row: &'r Map<String, Value>, column: usize) -> Option<&'r str> {
        row.get(self.column_name(column)).and_then(Value::as_str)
    }

    fn insert(&mut self, entry: &LogEntry, new: &Map<String, Value>) {
        let key = self.row_key(new);
        self.begin_message(&key);
        let values: Vec<(usize, Option<&str>)> =
            self.shape.columns.iter().map(|&c| (c, self.row_value(new, c))).collect();
        self.value_object("value", values.into_iter());
        self.headers("insert", entry);
    }

    fn delete(&mut self, entry: &LogEntry, old: &Map<String, Value>) {
        let key = self.row_key(old);
        self.begin_message(&key);
        // Default replica identifies a deleted row by its key only, as Electric does.
        let columns: Vec<usize> = match self.shape.replica {
            Replica::Full => self.shape.columns.clone(),
            Replica::Default => self.shape.table.primary_key.clone(),
        };
        let values: Vec<(usize, Option<&str>)> = columns.into_iter().map(|c| (c, self.row_value(old, c))).collect();
        self.value_object("value", values.into_iter());
        self.headers("delete", entry);
    }

    fn update(&mut self, entry: &LogEntry, old: &Map<String, Value>, new: &Map<String, Value>) {
        let changed: Vec<usize> =
            self.shape.columns.iter().copied().filter(|&c| self.row_value(old, c) != self.row_value(new, c)).collect();
        if changed.is_empty() {
            // Only unselected columns changed: nothing for this shape.
            return;
        }
        let key = self.row_key(new);
        self.begin_message(&key);
        let columns: Vec<usize> = match self.shape.replica {
            Replica::Full => self.shape.columns.clone(),
            Replica::Default => self
                .shape
                .columns
                .iter()
                .copied()
                .filter(|c| self.shape.table.primary_key.contains(c) || changed.contains(c))
                .collect(),
        };
        let values: Vec<(usize, Option<&str>)> = columns.into_iter().map(|c| (c, self.row_value(new, c))).collect();
        self.value_object("value", values.into_iter());
        if self.shape.replica == Replica::Full {
            self.out.push(b',');
            let old_values: Vec<(usize, Option<&str>)> =
                changed.into_iter().map(|c| (c, self.row_value(old, c))).collect();
            self.value_object("old_value", old_values.into_iter());
        }
        self.headers("update", entry);
    }

    fn row_key(&self, row: &Map<String, Value>) -> String {
        self.key(|i| self.row_value(row, self.shape.table.primary_key[i]))
    }

    /// Electric's key format: `"namespace"."table"/"pk1"/"pk2"`.
    fn key<'v>(&self, pk_value: impl Fn(usize) -> Option<&'v str>) -> String {
        let mut key = format!("\"{}\".\"{}\"", self.shape.table.namespace, self.shape.table.name);
        for index in 0..self.shape.table.primary_key.len() {
            key.push_str("/\"");
            key.push_str(&pk_value(index).unwrap_or_default().replace('/', "//"));
            key.push('"');
        }
        key
    }

    fn separator(&mut self) {
        if self.out.len() > 1 {
            self.out.push(b',');
        }
    }

    fn begin_message(&mut self, key: &str) {
        self.separator();
        self.count += 1;
        self.out.extend_from_slice(br#"{"key":"#);
        serde_json::to_writer(&mut self.out, key).expect("writing to a Vec cannot fail");
        self.out.push(b',');
    }

    fn value_object<'v>(&mut self, field: &str, values: impl Iterator<Item = (usize, Option<&'v str>)>) {
        self.out.push(b'"');
        self.out.extend_from_slice(field.as_bytes());
        self.out.extend_from_slice(b"\":{");
        for (index, (column, value)) in values.enumerate() {
            if index > 0 {
                self.out.push(b',');
            }
            let name = self.column_name(column);
            serde_json::to_writer(&mut self.out, name).expect("writing to a Vec cannot fail");
            self.out.push(b':');
            serde_json::to_writer(&mut self.out, &value).expect("writing to a Vec cannot fail");
        }
        self.out.push(b'}');
    }

    fn headers(&mut self, operation: &str, entry: &LogEntry) {
        self.out.extend_from_slice(br#","headers":{"operation":""#);
        self.out.extend_from_slice(operation.as_bytes());
        self.out.extend_from_slice(br#"","relation":"#);
        self.out.extend_from_slice(self.relation.as_bytes());
        if let Some(txid) = entry.txid {
            self.out.extend_from_slice(br#","txids":["#);
            self.out.extend_from_slice(txid.to_string().as_bytes());
            self.out.push(b']');
        }
        self.out.extend_from_slice(br#","lsn":""#);
        self.out.extend_from_slice(entry.position.to_string().as_bytes());
        self.out.extend_from_slice(b"\"}}");
    }
}
