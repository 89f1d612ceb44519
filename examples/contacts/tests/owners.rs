//! One owner cannot read or write another's contacts, through the REST API or the shape
//! endpoint; bodies must be JSON; only allowed origins may call from a browser. On a temp
//! SQLite file, or on a fresh schema of `DATABASE_URL`'s Postgres.

use std::collections::HashMap;
use std::time::Duration;

use contacts_server::{Options, app};
use reqwest::StatusCode;
use serde_json::{Value, json};

struct Server {
    base: String,
    http: reqwest::Client,
    task: tokio::task::JoinHandle<()>,
    cleanup: Option<(String, String)>,
}

async fn start() -> Server {
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let (database_url, cleanup) = match std::env::var("DATABASE_URL").ok().filter(|url| !url.is_empty()) {
        Some(admin) => {
            let schema = format!("contacts_{}", &unique[..12]);
            let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(connection);
            client.batch_execute(&format!("CREATE SCHEMA {schema}")).await.unwrap();
            let separator = if admin.contains('?') { '&' } else { '?' };
            (format!("{admin}{separator}options=-c%20search_path%3D{schema}"), Some((admin, schema)))
        }
        None => (format!("sqlite:{}", std::env::temp_dir().join(format!("contacts-{unique}.db")).display()), None),
    };
    let options = Options {
        database_url,
        long_poll: Duration::from_secs(1),
        reset: true,
        tokens: HashMap::from([("t-ann".into(), "ann".into()), ("t-bob".into(), "bob".into())]),
        allowed_origins: vec!["http://app.test".into()],
        snapshot_chunk_rows: 10_000,
    };
    let router = app(&options).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Server { base, http: reqwest::Client::new(), task, cleanup }
}

impl Server {
    async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (StatusCode, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn shape(&self, token: Option<&str>, query: &[(&str, &str)]) -> (StatusCode, Value) {
        let mut request = self.http.get(format!("{}/v1/shape", self.base)).query(query);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        (response.status(), response.json().await.unwrap_or(Value::Null))
    }

    async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
        if let Some((admin, schema)) = self.cleanup {
            let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(connection);
            // The store's listener may still be numbering changes for a moment; a deadlock
            // with it is retried.
            for attempt in 1.. {
                match client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).await {
                    Ok(()) => break,
                    Err(_) if attempt < 10 => tokio::time::sleep(Duration::from_millis(200)).await,
                    Err(error) => panic!("cannot drop {schema}: {error}"),
                }
            }
        }
    }
}

fn ids(messages: &Value) -> Vec<String> {
    messages.as_array().unwrap().iter().filter_map(|m| m["value"]["id"].as_str()).map(str::to_owned).collect()
}

#[tokio::test]
async fn owners_see_and_change_only_their_own_contacts() {
    let server = start().await;
    let (status, ann_contact) =
        server.call("POST", "/contacts", Some("t-ann"), Some(json!({"name": "Ann's", "email": "a@ann.test"}))).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, bob_contact) =
        server.call("POST", "/contacts", Some("t-bob"), Some(json!({"name": "Bob's", "email": "b@bob.test"}))).await;
    let (ann_id, bob_id) = (ann_contact["id"].as_str().unwrap(), bob_contact["id"].as_str().unwrap());

    // REST: no token, a wrong token, another owner's id.
    assert_eq!(server.call("GET", "/contacts", None, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(server.call("GET", "/contacts", Some("t-eve"), None).await.0, StatusCode::UNAUTHORIZED);
    let (_, listed) = server.call("GET", "/contacts", Some("t-ann"), None).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"], ann_id);
    assert_eq!(listed[0].get("owner_id"), None, "the owner column is the server's own");
    let bob_path = format!("/contacts/{bob_id}");
    assert_eq!(server.call("GET", &bob_path, Some("t-ann"), None).await.0, StatusCode::NOT_FOUND);
    let patch = Some(json!({"name": "taken over"}));
    assert_eq!(server.call("PATCH", &bob_path, Some("t-ann"), patch).await.0, StatusCode::NOT_FOUND);
    assert_eq!(server.call("DELETE", &bob_path, Some("t-ann"), None).await.0, StatusCode::NOT_FOUND);
    let (_, analytics) = server.call("GET", "/analytics", Some("t-ann"), None).await;
    assert_eq!(analytics["total_contacts"], 1);
    let (_, bob_still) = server.call("GET", &bob_path, Some("t-bob"), None).await;
    assert_eq!(bob_still["name"], "Bob's");

    // Shapes: the same scope, and the owner column is never sent.
    let snapshot = [("table", "contacts"), ("offset", "-1")];
    let (status, body) = server.shape(None, &snapshot).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, rows) = server.shape(Some("t-ann"), &snapshot).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&rows), [ann_id]);
    assert_eq!(rows[0]["value"].get("owner_id"), None);
    let probe = [("table", "contacts"), ("offset", "-1"), ("where", "owner_id = 'bob'")];
    assert_eq!(server.shape(Some("t-ann"), &probe).await.0, StatusCode::BAD_REQUEST);
    let columns = [("table", "contacts"), ("offset", "-1"), ("columns", "id,owner_id")];
    assert_eq!(server.shape(Some("t-ann"), &columns).await.0, StatusCode::BAD_REQUEST);
    let (_, bob_rows) = server.shape(Some("t-bob"), &snapshot).await;
    assert_eq!(ids(&bob_rows), [bob_id]);
    server.stop().await;
}

#[tokio::test]
async fn bodies_must_be_json_and_origins_allowed() {
    let server = start().await;
    let response = server
        .http
        .post(format!("{}/contacts", server.base))
        .bearer_auth("t-ann")
        .header("content-type", "text/plain")
        .body(r#"{"name":"A","email":"a@b.co"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, body) =
        server.call("POST", "/contacts", Some("t-ann"), Some(json!({"name": "A\u{0}", "email": "a@b.co"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["message"], "must not contain NUL characters");

    let preflight = |origin: &'static str| {
        server
            .http
            .request(reqwest::Method::OPTIONS, format!("{}/contacts", server.base))
            .header("origin", origin)
            .header("access-control-request-method", "PATCH")
            .header("access-control-request-headers", "authorization, content-type")
            .send()
    };
    let allowed = preflight("http://app.test").await.unwrap();
    assert_eq!(allowed.status(), StatusCode::NO_CONTENT);
    assert_eq!(allowed.headers()["access-control-allow-origin"], "http://app.test");
    assert!(allowed.headers()["access-control-allow-methods"].to_str().unwrap().contains("PATCH"));
    let denied = preflight("http://evil.test").await.unwrap();
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    assert!(!denied.headers().contains_key("access-control-allow-origin"));
    server.stop().await;
}
