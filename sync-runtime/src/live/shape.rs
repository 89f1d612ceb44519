//! A client of ElectricSQL's HTTP Shape protocol (docs/live-mode.md §7), written to the
//! protocol's document (`electric-api.yaml`), not to our embedded server's behaviour:
//!
//! - a fresh start requests `offset=-1`; every answer's `electric-handle` and `electric-offset`
//!   headers name the next request's `handle` and `offset`;
//! - once `up-to-date` (the `electric-up-to-date` header or control message), requests add
//!   `live=true` and pass back `electric-cursor` as `cursor`;
//! - `409` (or a `must-refetch` control message) restarts from `offset=-1` with the handle the
//!   answer names, and the next complete snapshot replaces the rows in one step;
//! - values arrive as text and are parsed with the `electric-schema` header's column types.
//!
//! [`ShapeStream::poll`] makes one request; changes are buffered until `up-to-date` and handed
//! over as one [`Batch`], so a reader never sees half a transaction.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Map, Value};

use crate::client::Client;

/// One change message.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Insert { key: String, value: Map<String, Value> },
    Update { key: String, value: Map<String, Value> },
    Delete { key: String, value: Map<String, Value> },
}

/// The changes up to an `up-to-date`; with `reset`, they are a new snapshot that replaces
/// every row (after a must-refetch or from a fresh start).
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub reset: bool,
    pub changes: Vec<Change>,
}

/// Why a request did not give messages.
#[derive(Debug, thiserror::Error)]
pub enum ShapeError {
    #[error("shape request failed: {0}")]
    Network(#[source] reqwest::Error),
    #[error("the shape endpoint answered {status}: {body}")]
    Status { status: u16, body: String, retry_after: Option<Duration> },
    #[error("the shape endpoint sent a body that is not a message array: {0}")]
    Body(String),
}

impl ShapeError {
    /// Whether the server was reached.
    pub fn answered(&self) -> bool {
        !matches!(self, ShapeError::Network(_))
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ShapeError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// The saved position of a stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Position {
    pub handle: Option<String>,
    pub offset: Option<String>,
    pub schema: Option<String>,
}

pub struct ShapeStream {
    client: Client,
    url: String,
    params: Vec<(String, String)>,
    handle: Option<String>,
    offset: String,
    cursor: Option<String>,
    live: bool,
    schema: Option<Map<String, Value>>,
    schema_text: Option<String>,
    buffer: Vec<Change>,
    /// The buffer is a snapshot that will replace every row.
    reset: bool,
}

impl ShapeStream {
    /// A stream of `url` (the shape endpoint) with the shape's `params` (`table`, `where`,
    /// `columns`), resuming from `position` when it names a handle and offset.
    pub fn new(client: Client, url: String, params: Vec<(String, String)>, position: Position) -> ShapeStream {
        let resume = position.handle.is_some() && position.offset.as_deref().is_some_and(|o| o != "-1");
        let schema = position.schema.as_deref().and_then(|s| serde_json::from_str(s).ok());
        ShapeStream {
            client,
            url,
            params,
            handle: position.handle.filter(|_| resume),
            offset: if resume { position.offset.unwrap_or_default() } else { "-1".into() },
            cursor: None,
            // A resumed stream was up to date when it saved its position.
            live: resume,
            schema,
            schema_text: position.schema,
            buffer: Vec::new(),
            reset: !resume,
        }
    }

    /// The position to save with the rows of the last batch.
    pub fn position(&self) -> Position {
        Position { handle: self.handle.clone(), offset: Some(self.offset.clone()), schema: self.schema_text.clone() }
    }

    /// The query of the next request.
    pub fn query(&self) -> Vec<(String, String)> {
        let mut query = self.params.clone();
        query.push(("offset".into(), self.offset.clone()));
        if let Some(handle) = &self.handle {
            query.push(("handle".into(), handle.clone()));
        }
        if self.live {
            query.push(("live".into(), "true".into()));
            if let Some(cursor) = &self.cursor {
                query.push(("cursor".into(), cursor.clone()));
            }
        }
        query
    }

    fn must_refetch(&mut self, handle: Option<String>) {
        self.handle = handle;
        self.offset = "-1".into();
        self.cursor = None;
        self.live = false;
        self.buffer.clear();
        self.reset = true;
    }

    /// Makes one request. `Some` once an `up-to-date` completes a batch.
    pub async fn poll(&mut self) -> Result<Option<Batch>, ShapeError> {
        let mut request = self
            .client
            .http()
            .get(&self.url)
            .query(&self.query())
            .headers(self.client.default_headers().clone())
            .build()
            .map_err(ShapeError::Network)?;
        if let Some(auth) = self.client.auth() {
            auth(&mut request);
        }
        let response = self.client.http().execute(request).await.map_err(ShapeError::Network)?;
        let status = response.status();
        let headers = response.headers().clone();
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = response.text().await.map_err(ShapeError::Network)?;
        if status == StatusCode::CONFLICT {
            self.must_refetch(header("electric-handle"));
            return Ok(None);
        }
        if !status.is_success() {
            let retry_after = header("retry-after").as_deref().and_then(super::outbox::parse_retry_after);
            return Err(ShapeError::Status { status: status.as_u16(), body, retry_after });
        }
        if let Some(schema) = header("electric-schema") {
            self.schema = serde_json::from_str(&schema).ok();
            self.schema_text = Some(schema);
        }
        let messages: Vec<Value> = if body.trim().is_empty() {
            Vec::new()
        } else {
            serde_json::from_str(&body).map_err(|err| ShapeError::Body(err.to_string()))?
        };
        let mut up_to_date = header("electric-up-to-date").is_some();
        for message in messages {
            let headers = message.get("headers").and_then(Value::as_object);
            if let Some(control) = headers.and_then(|h| h.get("control")).and_then(Value::as_str) {
                match control {
                    "up-to-date" => up_to_date = true,
                    "must-refetch" => {
                        self.must_refetch(header("electric-handle"));
                        return Ok(None);
                    }
                    _ => {}
                }
                continue;
            }
            let operation = headers.and_then(|h| h.get("operation")).and_then(Value::as_str);
            let key = message.get("key").and_then(Value::as_str).map(str::to_owned);
            let value = message.get("value").and_then(Value::as_object).cloned().unwrap_or_default();
            let (Some(operation), Some(key)) = (operation, key) else {
                continue;
            };
            let value = self.parse_values(value);
            self.buffer.push(match operation {
                "insert" => Change::Insert { key, value },
                "update" => Change::Update { key, value },
                "delete" => Change::Delete { key, value },
                _ => continue,
            });
        }
        if let Some(handle) = header("electric-handle") {
            self.handle = Some(handle);
        }
        if let Some(offset) = header("electric-offset") {
            self.offset = offset;
        }
        if let Some(cursor) = header("electric-cursor") {
            self.cursor = Some(cursor);
        }
        if !up_to_date {
            return Ok(None);
        }
        self.live = true;
        let batch = Batch { reset: std::mem::take(&mut self.reset), changes: std::mem::take(&mut self.buffer) };
        Ok(Some(batch))
    }

    /// Text values to JSON values by their column type; values already typed stay.
    fn parse_values(&self, value: Map<String, Value>) -> Map<String, Value> {
        let Some(schema) = &self.schema else {
            return value;
        };
        value
            .into_iter()
            .map(|(column, value)| {
                let column_type = schema.get(&column);
                let parsed = match (value, column_type) {
                    (Value::String(text), Some(column_type)) => parse_value(text, column_type),
                    (value, _) => value,
                };
                (column, parsed)
            })
            .collect()
    }
}

/// One text value of a column with this `electric-schema` entry.
fn parse_value(text: String, column: &Value) -> Value {
    let dims = column.get("dims").and_then(Value::as_u64).unwrap_or(0);
    let kind = column.get("type").and_then(Value::as_str).unwrap_or("text");
    if dims > 0 {
        return match parse_array(&text) {
            Some(items) => Value::Array(
                items.into_iter().map(|item| item.map_or(Value::Null, |item| parse_scalar(item, kind))).collect(),
            ),
            None => Value::String(text),
        };
    }
    parse_scalar(text, kind)
}

fn parse_scalar(text: String, kind: &str) -> Value {
    let parsed = match kind {
        "int2" | "int4" | "int8" | "oid" => text.parse::<i64>().ok().map(Value::from),
        "float4" | "float8" | "numeric" => {
            text.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Value::Number)
        }
        "bool" => match text.as_str() {
            "t" | "true" => Some(Value::Bool(true)),
            "f" | "false" => Some(Value::Bool(false)),
            _ => None,
        },
        "json" | "jsonb" => serde_json::from_str(&text).ok(),
        _ => None,
    };
    parsed.unwrap_or(Value::String(text))
}

/// A one-dimensional Postgres array literal (`{a,"b c",NULL}`); `None` for anything else.
fn parse_array(text: &str) -> Option<Vec<Option<String>>> {
    let inner = text.strip_prefix('{')?.strip_suffix('}')?;
    let mut items = Vec::new();
    if inner.is_empty() {
        return Some(items);
    }
    let mut chars = inner.chars().peekable();
    loop {
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut item = String::new();
            loop {
                match chars.next()? {
                    '\\' => item.push(chars.next()?),
                    '"' => break,
                    c => item.push(c),
                }
            }
            items.push(Some(item));
        } else {
            let mut item = String::new();
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                if c == '{' {
                    return None;
                }
                item.push(c);
                chars.next();
            }
            items.push(if item == "NULL" { None } else { Some(item) });
        }
        match chars.next() {
            None => return Some(items),
            Some(',') => continue,
            Some(_) => return None,
        }
    }
}

/// The Shape sync source of a collection: polls, applies each batch in one step, backs off on
/// failures (100 ms up to 30 s, with jitter, never sooner than `Retry-After`).
pub(crate) async fn run<S: crate::resource::Spec>(
    collection: std::sync::Weak<super::collection::Collection<S>>,
    shape: crate::resource::ShapeSource,
) {
    let Some(this) = collection.upgrade() else {
        return;
    };
    let meta = this.meta();
    let url = this.config.shape_url.clone().unwrap_or_else(|| format!("{}/v1/shape", this.client_base_url()));
    let mut params = vec![("table".to_owned(), shape.table.to_owned())];
    if let Some(clause) = shape.where_clause {
        params.push(("where".into(), clause.to_owned()));
    }
    if !shape.columns.is_empty() {
        params.push(("columns".into(), shape.columns.join(",")));
    }
    let position = if meta.synced {
        Position { handle: meta.handle, offset: meta.offset, schema: meta.shape_schema }
    } else {
        Position::default()
    };
    let mut stream = ShapeStream::new(this.runtime_client(), url, params, position);
    drop(this);
    let mut failures: u32 = 0;
    loop {
        let result = stream.poll().await;
        let Some(this) = collection.upgrade() else {
            return;
        };
        match result {
            Ok(Some(batch)) => {
                failures = 0;
                this.apply_batch(batch, stream.position());
            }
            Ok(None) => failures = 0,
            Err(error) => {
                this.note_reached(error.answered(), Some(error.to_string()));
                drop(this);
                let base = Duration::from_millis(100).saturating_mul(1 << failures.min(9)).min(Duration::from_secs(30));
                let wait = base.mul_f64(0.5 + 0.5 * jitter()).max(error.retry_after().unwrap_or_default());
                failures = failures.saturating_add(1);
                tokio::time::sleep(wait).await;
            }
        }
    }
}

fn jitter() -> f64 {
    (uuid::Uuid::new_v4().as_u128() >> 75) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn values_are_parsed_by_their_column_types() {
        assert_eq!(parse_value("42".into(), &json!({"type": "int4"})), json!(42));
        assert_eq!(parse_value("t".into(), &json!({"type": "bool"})), json!(true));
        assert_eq!(parse_value("1.5".into(), &json!({"type": "float8"})), json!(1.5));
        assert_eq!(parse_value(r#"{"a":1}"#.into(), &json!({"type": "jsonb"})), json!({"a": 1}));
        assert_eq!(parse_value("hi".into(), &json!({"type": "text"})), json!("hi"));
        assert_eq!(
            parse_value(r#"{a,"b c",NULL}"#.into(), &json!({"type": "text", "dims": 1})),
            json!(["a", "b c", null])
        );
        assert_eq!(parse_value("{1,2}".into(), &json!({"type": "int4", "dims": 1})), json!([1, 2]));
        assert_eq!(parse_value("nope".into(), &json!({"type": "int4"})), json!("nope"));
    }

    #[test]
    fn a_resumed_stream_asks_live_from_its_position_and_a_fresh_one_from_minus_one() {
        let client = Client::new("http://127.0.0.1:9").unwrap();
        let params = vec![("table".to_owned(), "contacts".to_owned())];
        let fresh = ShapeStream::new(client.clone(), "u".into(), params.clone(), Position::default());
        assert_eq!(fresh.query(), [("table".into(), "contacts".into()), ("offset".into(), "-1".into())]);
        let position = Position { handle: Some("h1".into()), offset: Some("5_2".into()), schema: None };
        let resumed = ShapeStream::new(client, "u".into(), params, position);
        let query = resumed.query();
        assert!(query.contains(&("offset".into(), "5_2".into())));
        assert!(query.contains(&("handle".into(), "h1".into())));
        assert!(query.contains(&("live".into(), "true".into())));
    }
}
