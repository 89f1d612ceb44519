//! A real HTTP server on loopback implementing `specs/contacts.yaml` and (in [`responses`])
//! `specs/responses.yaml`, for the client tests.
//!
//! It records what it received (query strings, headers) so tests can check how parameters
//! were sent, not only that a round trip worked.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

pub mod responses;

/// What the server saw of one request.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    pub path: String,
    pub query: Option<String>,
    pub headers: BTreeMap<String, String>,
}

#[derive(Default)]
struct Inner {
    contacts: BTreeMap<String, Value>,
    next_id: u64,
    seen: Vec<Seen>,
}

/// A running server; its tokio task ends with the runtime.
#[derive(Clone)]
pub struct ContactsServer {
    pub addr: SocketAddr,
    state: Arc<Mutex<Inner>>,
}

impl ContactsServer {
    /// Binds 127.0.0.1 on a free port and serves in the background.
    pub async fn start() -> ContactsServer {
        let state = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/contacts", get(list).post(create))
            .route("/contacts/{id}", get(fetch).patch(update).delete(remove))
            .route("/slow", get(slow))
            .route("/crash", get(crash))
            .with_state(state.clone())
            .merge(responses::routes());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let addr = listener.local_addr().expect("a bound address");
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        ContactsServer { addr, state }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request seen so far, oldest first.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    /// Adds a contact directly, as another client would.
    pub fn insert(&self, id: &str, name: &str) {
        let mut inner = self.state.lock().unwrap();
        inner.contacts.insert(id.to_owned(), json!({"id": id, "name": name, "tags": []}));
    }
}

type Shared = State<Arc<Mutex<Inner>>>;

fn record(state: &Arc<Mutex<Inner>>, path: String, query: Option<String>, headers: &HeaderMap) {
    let headers = headers
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap_or("<binary>").to_owned()))
        .collect();
    state.lock().unwrap().seen.push(Seen { path, query, headers });
}

fn problem(status: StatusCode, code: i32, message: &str) -> Response {
    (status, Json(json!({"code": code, "message": message}))).into_response()
}

async fn list(State(state): Shared, RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    record(&state, "/contacts".into(), query.clone(), &headers);
    // Parse `limit` and repeated `tag` by hand: repeated keys are what is being tested.
    let mut limit = usize::MAX;
    let mut tags = Vec::new();
    for pair in query.as_deref().unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "limit" => match value.parse() {
                Ok(n) => limit = n,
                Err(_) => return problem(StatusCode::BAD_REQUEST, 400, "limit is not a number"),
            },
            "tag" => tags.push(value.to_owned()),
            _ => {}
        }
    }
    let inner = state.lock().unwrap();
    let items: Vec<Value> = inner
        .contacts
        .values()
        .filter(|c| {
            tags.iter().all(|tag| c["tags"].as_array().is_some_and(|have| have.iter().any(|t| t == tag.as_str())))
        })
        .take(limit)
        .cloned()
        .collect();
    Json(items).into_response()
}

async fn create(State(state): Shared, headers: HeaderMap, Json(new): Json<Value>) -> Response {
    record(&state, "/contacts".into(), None, &headers);
    let Some(name) = new["name"].as_str().filter(|n| !n.is_empty()) else {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, 422, "a contact needs a name");
    };
    let mut inner = state.lock().unwrap();
    inner.next_id += 1;
    let id = format!("c{}", inner.next_id);
    let mut contact = json!({"id": id, "name": name, "tags": new.get("tags").cloned().unwrap_or(json!([]))});
    for field in ["email", "status"] {
        if let Some(value) = new.get(field) {
            contact[field] = value.clone();
        }
    }
    contact["created_at"] = json!("2024-05-01T12:00:00Z");
    inner.contacts.insert(id, contact.clone());
    (StatusCode::CREATED, Json(contact)).into_response()
}

async fn fetch(State(state): Shared, Path(id): Path<String>, headers: HeaderMap) -> Response {
    record(&state, format!("/contacts/{id}"), None, &headers);
    match state.lock().unwrap().contacts.get(&id) {
        Some(contact) => Json(contact.clone()).into_response(),
        None => problem(StatusCode::NOT_FOUND, 404, &format!("no contact {id}")),
    }
}

async fn update(State(state): Shared, Path(id): Path<String>, Json(patch): Json<Value>) -> Response {
    let mut inner = state.lock().unwrap();
    let Some(contact) = inner.contacts.get_mut(&id) else {
        return problem(StatusCode::NOT_FOUND, 404, &format!("no contact {id}"));
    };
    // An absent field stays; a present one (even `null`) is written.
    if let Value::Object(fields) = patch {
        for (key, value) in fields {
            contact[key.as_str()] = value;
        }
    }
    Json(contact.clone()).into_response()
}

async fn remove(State(state): Shared, Path(id): Path<String>) -> Response {
    match state.lock().unwrap().contacts.remove(&id) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => problem(StatusCode::NOT_FOUND, 404, &format!("no contact {id}")),
    }
}

async fn slow(Query(query): Query<BTreeMap<String, u64>>) -> Response {
    let millis = query.get("millis").copied().unwrap_or(0);
    tokio::time::sleep(Duration::from_millis(millis)).await;
    "done".into_response()
}

async fn crash() -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, "the database is on fire").into_response()
}
