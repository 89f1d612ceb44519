//! Routes for `specs/responses.yaml`: what real APIs answer beyond a plain 200 with JSON.
//!
//! The form and multipart handlers decode bodies with parsers written here from the
//! standards (brackets as Stripe documents them, RFC 7578), not with the client's code, and
//! echo what they decoded as JSON so tests compare it with what was meant.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::{Map, Value, json};

type Collaborators = Arc<Mutex<BTreeSet<String>>>;

pub(super) fn routes() -> Router {
    Router::new()
        .route("/repos/{owner}/{repo}/collaborators/{username}", put(add_collaborator))
        .route("/items/{id}", get(item))
        .route("/jobs", post(start_job))
        .route("/v1/customers", post(customers))
        .route("/uploads", post(upload))
        .with_state(Collaborators::default())
}

/// GitHub's behaviour: 201 with an invitation the first time, 204 without a body after.
async fn add_collaborator(
    State(collaborators): State<Collaborators>,
    Path((owner, repo, username)): Path<(String, String, String)>,
) -> Response {
    if username == "blocked" {
        return (StatusCode::FORBIDDEN, Json(json!({"message": "Must have admin rights"}))).into_response();
    }
    if collaborators.lock().unwrap().insert(format!("{owner}/{repo}/{username}")) {
        (StatusCode::CREATED, Json(json!({"id": 1, "invitee": username}))).into_response()
    } else {
        StatusCode::NO_CONTENT.into_response()
    }
}

/// Item `1` exists, in a state the spec's enum does not list; anything else is a bare 404.
async fn item(Path(id): Path<String>) -> Response {
    if id != "1" {
        return StatusCode::NOT_FOUND.into_response();
    }
    let headers = [
        (header::ETAG, "\"v1-abc\""),
        (
            header::LINK,
            "<http://example.invalid/items?page=2>; rel=\"next\", <http://example.invalid/items?page=4>; rel=\"last\"",
        ),
        (header::HeaderName::from_static("x-ratelimit-remaining"), "4999"),
    ];
    (headers, Json(json!({"id": "1", "state": "locked"}))).into_response()
}

#[derive(Deserialize)]
struct JobQuery {
    wait: bool,
}

async fn start_job(Query(query): Query<JobQuery>) -> Response {
    if query.wait {
        Json(json!({"id": "j1", "result": "done"})).into_response()
    } else {
        (StatusCode::ACCEPTED, Json(json!({"id": "j1", "position": 3}))).into_response()
    }
}

async fn customers(headers: HeaderMap, body: Bytes) -> Response {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type != "application/x-www-form-urlencoded" {
        return (StatusCode::UNSUPPORTED_MEDIA_TYPE, format!("not a form: {content_type}")).into_response();
    }
    let raw = String::from_utf8_lossy(&body).into_owned();
    match decode_brackets(&body) {
        Ok(decoded) => Json(json!({"decoded": decoded, "raw": raw})).into_response(),
        Err(problem) => (StatusCode::BAD_REQUEST, problem).into_response(),
    }
}

/// Decodes a form body the way Stripe documents its parameters: `metadata[plan]=pro` is
/// `{"metadata": {"plan": "pro"}}`, `items[0][price]=p` is `{"items": [{"price": "p"}]}`, and
/// `expand[]=a` appends to an array. A plain key given more than once (`tag=a&tag=b`, OpenAPI's
/// default for arrays) is an array too. Every value is text, as on the wire; any other repeat
/// is rejected.
pub fn decode_brackets(body: &[u8]) -> Result<Value, String> {
    let mut root = Value::Object(Map::new());
    for (key, value) in form_urlencoded::parse(body) {
        let (head, mut rest) = match key.find('[') {
            Some(at) => (&key[..at], &key[at..]),
            None => (&key[..], ""),
        };
        let mut path = vec![head.to_owned()];
        while let Some(stripped) = rest.strip_prefix('[') {
            let close = stripped.find(']').ok_or_else(|| format!("unclosed bracket in `{key}`"))?;
            path.push(stripped[..close].to_owned());
            rest = &stripped[close + 1..];
        }
        if !rest.is_empty() {
            return Err(format!("text after the brackets in `{key}`"));
        }
        insert(&mut root, &path, Value::String(value.into_owned()), &key, true)?;
    }
    Ok(root)
}

fn insert(node: &mut Value, path: &[String], value: Value, key: &str, is_top: bool) -> Result<(), String> {
    let (segment, rest) = path.split_first().expect("a path has a head");
    let is_index = segment.is_empty() || segment.bytes().all(|b| b.is_ascii_digit());
    if node.is_null() {
        *node = if is_index { Value::Array(Vec::new()) } else { Value::Object(Map::new()) };
    }
    let slot = match node {
        Value::Object(fields) if !is_index || !segment.is_empty() => {
            fields.entry(segment.clone()).or_insert(Value::Null)
        }
        Value::Array(items) if is_index => {
            let index = if segment.is_empty() { items.len() } else { segment.parse().map_err(|_| key.to_owned())? };
            if index > items.len() {
                return Err(format!("`{key}` skips an index"));
            }
            if index == items.len() {
                items.push(Value::Null);
            }
            &mut items[index]
        }
        _ => return Err(format!("`{key}` mixes an object and an array")),
    };
    if rest.is_empty() {
        match slot {
            Value::Null => *slot = value,
            Value::String(first) if is_top => *slot = Value::Array(vec![Value::String(std::mem::take(first)), value]),
            Value::Array(items) if is_top && items.iter().all(Value::is_string) => items.push(value),
            _ => return Err(format!("`{key}` is given twice")),
        }
        Ok(())
    } else {
        insert(slot, rest, value, key, false)
    }
}

/// Echoes each part of a `multipart/form-data` body: name, file name, media type, bytes.
async fn upload(headers: HeaderMap, body: Bytes) -> Response {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    match parse_multipart(content_type, &body) {
        Ok(parts) => Json(Value::Array(parts)).into_response(),
        Err(problem) => (StatusCode::BAD_REQUEST, problem).into_response(),
    }
}

/// RFC 7578: parts between `--boundary` lines, each with headers, a blank line and content.
pub fn parse_multipart(content_type: &str, body: &[u8]) -> Result<Vec<Value>, String> {
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .ok_or_else(|| format!("not multipart: {content_type}"))?;
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let mut rest = body.strip_prefix(delimiter.as_slice()).ok_or("the body does not start with the boundary")?;
    loop {
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        rest = rest.strip_prefix(b"\r\n").ok_or("no line break after a boundary")?;
        let end = find(rest, &[b"\r\n".as_slice(), &delimiter].concat()).ok_or("an unterminated part")?;
        let part = &rest[..end];
        rest = &rest[end + 2 + delimiter.len()..];
        let split = find(part, b"\r\n\r\n").ok_or("a part without a blank line")?;
        let head = std::str::from_utf8(&part[..split]).map_err(|_| "part headers are not text")?;
        let content = &part[split + 4..];
        let mut name = None;
        let mut file_name = None;
        let mut media = None;
        for line in head.split("\r\n") {
            let (field, value) = line.split_once(':').ok_or("a header without a colon")?;
            match field.trim().to_ascii_lowercase().as_str() {
                "content-disposition" => {
                    name = quoted_param(value, "name");
                    file_name = quoted_param(value, "filename");
                }
                "content-type" => media = Some(value.trim().to_owned()),
                other => return Err(format!("unexpected part header `{other}`")),
            }
        }
        parts.push(json!({
            "name": name.ok_or("a part without a name")?,
            "filename": file_name,
            "content_type": media,
            "bytes": content,
        }));
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

fn quoted_param(header: &str, param: &str) -> Option<String> {
    header.split(';').map(str::trim).find_map(|item| {
        let (key, value) = item.split_once('=')?;
        (key.trim() == param).then(|| value.trim().trim_matches('"').to_owned())
    })
}
