//! Starts a Shape endpoint on loopback over a fresh database: a temp SQLite file, or, when
//! `SYNC_SERVER_TEST_DATABASE_URL` (or `DATABASE_URL`) is set, a fresh schema in that Postgres
//! database, so tests can run in parallel without seeing each other's tables or logs.

#![allow(dead_code)] // each test binary uses a different part of the harness

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;
use sync_server::{ShapeServer, Store};

pub const ITEMS: &str = "CREATE TABLE items (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    rank INTEGER,
    done BOOLEAN NOT NULL DEFAULT FALSE
)";

pub struct Database {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    Schema { admin_url: String, schema: String },
}

pub fn postgres_url() -> Option<String> {
    ["SYNC_SERVER_TEST_DATABASE_URL", "DATABASE_URL"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|url| !url.is_empty()))
}

impl Database {
    pub async fn fresh() -> Database {
        let unique = uuid::Uuid::new_v4().simple().to_string();
        match postgres_url() {
            Some(admin_url) => {
                let schema = format!("test_{}", &unique[..16]);
                let (client, connection) = tokio_postgres::connect(&admin_url, tokio_postgres::NoTls).await.unwrap();
                tokio::spawn(connection);
                client.batch_execute(&format!("CREATE SCHEMA {schema}")).await.unwrap();
                let separator = if admin_url.contains('?') { '&' } else { '?' };
                let url = format!("{admin_url}{separator}options=-c%20search_path%3D{schema}");
                Database { url, cleanup: Cleanup::Schema { admin_url, schema } }
            }
            None => {
                let path = std::env::temp_dir().join(format!("sync-server-test-{unique}.db"));
                Database { url: format!("sqlite:{}", path.display()), cleanup: Cleanup::File(path) }
            }
        }
    }

    pub fn namespace(&self) -> &str {
        match &self.cleanup {
            Cleanup::File(_) => "main",
            Cleanup::Schema { schema, .. } => schema,
        }
    }

    pub async fn drop_all(self) {
        match self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Schema { admin_url, schema } => {
                let (client, connection) = tokio_postgres::connect(&admin_url, tokio_postgres::NoTls).await.unwrap();
                tokio::spawn(connection);
                // A store still shutting down may be numbering changes; a deadlock is retried.
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
}

pub struct TestServer {
    pub base: String,
    pub store: Store,
    pub http: reqwest::Client,
    server: tokio::task::JoinHandle<()>,
}

impl TestServer {
    /// Opens the database, creates `items` (if missing) and serves it.
    pub async fn start(database: &Database) -> TestServer {
        TestServer::start_with(database, |builder| builder).await
    }

    pub async fn start_with(
        database: &Database,
        configure: impl FnOnce(sync_server::ShapeServerBuilder) -> sync_server::ShapeServerBuilder,
    ) -> TestServer {
        let store = Store::open(&database.url).await.unwrap();
        store.execute_batch(&ITEMS.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS")).await.unwrap();
        let builder = ShapeServer::builder().table("items").long_poll_timeout(Duration::from_secs(1));
        let shapes = configure(builder).build(store.clone()).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            axum::serve(listener, shapes.router()).await.unwrap();
        });
        TestServer { base, store, http: reqwest::Client::new(), server }
    }

    pub fn stop(self) {
        self.server.abort();
    }

    /// Stops serving and waits until the server has let go of the database.
    pub async fn shut_down(self) {
        self.server.abort();
        let _ = self.server.await;
        drop(self.store);
        // Blocking reads in flight finish on their own threads.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    /// GET /v1/shape with `query`; returns the status, the response and its JSON body.
    pub async fn shape(&self, query: &[(&str, &str)]) -> Shape {
        self.shape_with(query, &[]).await
    }

    /// GET /v1/shape with `query` and request `headers`.
    pub async fn shape_with(&self, query: &[(&str, &str)], headers: &[(&str, &str)]) -> Shape {
        let mut request = self.http.get(format!("{}/v1/shape", self.base)).query(query);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body: Value = response.json().await.unwrap();
        Shape { status, headers, body }
    }

    /// Inserts an item in its own transaction; returns the txid.
    pub async fn insert(&self, id: &str, owner: &str, rank: i64) -> i64 {
        let (id, owner) = (id.to_owned(), owner.to_owned());
        let ((), txid) = self
            .store
            .transaction(async |tx| {
                tx.execute(
                    "INSERT INTO items (id, owner, rank) VALUES ($1, $2, $3)",
                    &[id.into(), owner.into(), rank.into()],
                )
                .await?;
                Ok::<_, sync_server::StoreError>(())
            })
            .await
            .unwrap();
        txid
    }

    pub async fn write(&self, sql: &str, params: Vec<sync_server::SqlValue>) -> i64 {
        let ((), txid) = self
            .store
            .transaction(async |tx| {
                tx.execute(sql, &params).await?;
                Ok::<_, sync_server::StoreError>(())
            })
            .await
            .unwrap();
        txid
    }
}

pub struct Shape {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Shape {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().unwrap())
    }

    pub fn handle(&self) -> String {
        self.header("electric-handle").expect("electric-handle").to_owned()
    }

    pub fn offset(&self) -> String {
        self.header("electric-offset").expect("electric-offset").to_owned()
    }

    pub fn up_to_date(&self) -> bool {
        self.headers.contains_key("electric-up-to-date")
    }

    /// The change messages (those with a key).
    pub fn changes(&self) -> Vec<&Value> {
        self.body.as_array().unwrap().iter().filter(|m| m.get("key").is_some()).collect()
    }

    pub fn controls(&self) -> Vec<&str> {
        self.body.as_array().unwrap().iter().filter_map(|m| m["headers"]["control"].as_str()).collect()
    }

    /// A 400's error messages for one parameter.
    pub fn errors(&self, parameter: &str) -> Vec<String> {
        self.body["errors"][parameter]
            .as_array()
            .map(|messages| messages.iter().map(|m| m.as_str().unwrap().to_owned()).collect())
            .unwrap_or_default()
    }
}
