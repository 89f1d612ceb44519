//! `cargo bench -p sync-server`: prints
//! - write -> change visible to a waiting live long-poll client, p50/p99 over loopback;
//! - catch-up throughput of a 100k-row shape: from the snapshot (offset=-1), and replaying the
//!   change log from the start.
//!
//! SQLite in a temp file by default; set DATABASE_URL to measure Postgres (uses a fresh schema).

use std::time::{Duration, Instant};

use serde::Deserialize;
use sync_server::{ShapeServer, SqlValue, Store, StoreError};

const LATENCY_SAMPLES: usize = 500;
const CATCH_UP_ROWS: usize = 100_000;

struct Shape {
    handle: String,
    offset: String,
    up_to_date: bool,
    messages: Vec<Message>,
}

/// What a client needs to tell changes from control messages; serde still parses (and
/// validates) every message in full.
#[derive(Deserialize)]
struct Message {
    key: Option<String>,
}

impl Message {
    fn is_change(&self) -> bool {
        self.key.is_some()
    }
}

async fn get(http: &reqwest::Client, base: &str, query: &[(&str, &str)]) -> Shape {
    let response = http.get(format!("{base}/v1/shape")).query(query).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let header = |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
    let (handle, offset) = (header("electric-handle").unwrap(), header("electric-offset").unwrap());
    let up_to_date = header("electric-up-to-date").is_some();
    let messages: Vec<Message> = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    Shape { handle, offset, up_to_date, messages }
}

/// Follows the log from `shape` until up-to-date; returns the change messages seen.
async fn catch_up(http: &reqwest::Client, base: &str, mut shape: Shape) -> usize {
    let mut changes = shape.messages.iter().filter(|m| m.is_change()).count();
    while !shape.up_to_date {
        shape =
            get(http, base, &[("table", "bench_items"), ("offset", &shape.offset), ("handle", &shape.handle)]).await;
        changes += shape.messages.iter().filter(|m| m.is_change()).count();
    }
    changes
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// The store, the database's name, and the SQLite file to delete afterwards.
async fn open_store() -> (Store, String, Option<std::path::PathBuf>) {
    match std::env::var("DATABASE_URL").ok().filter(|url| !url.is_empty()) {
        Some(url) => {
            let schema = format!("bench_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(connection);
            client.batch_execute(&format!("CREATE SCHEMA {schema}")).await.unwrap();
            let separator = if url.contains('?') { '&' } else { '?' };
            let store = Store::open(&format!("{url}{separator}options=-c%20search_path%3D{schema}")).await.unwrap();
            (store, "Postgres".into(), None)
        }
        None => {
            let path = std::env::temp_dir().join(format!("sync-server-bench-{}.db", uuid::Uuid::new_v4().simple()));
            (Store::sqlite(&path).await.unwrap(), "SQLite".into(), Some(path))
        }
    }
}

#[tokio::main]
async fn main() {
    let (store, database, file) = open_store().await;
    store
        .execute_batch("CREATE TABLE bench_items (id TEXT PRIMARY KEY, owner TEXT NOT NULL, rank INTEGER NOT NULL)")
        .await
        .unwrap();
    let shapes = ShapeServer::builder()
        .table("bench_items")
        .long_poll_timeout(Duration::from_secs(20))
        .build(store.clone())
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, shapes.router()).await.unwrap() });
    let http = reqwest::Client::new();

    // Write -> visible to a live client that is already waiting.
    let mut shape = get(&http, &base, &[("table", "bench_items"), ("offset", "-1")]).await;
    let mut latencies = Vec::with_capacity(LATENCY_SAMPLES);
    for i in 0..LATENCY_SAMPLES {
        let query = [
            ("table", "bench_items".to_owned()),
            ("offset", shape.offset.clone()),
            ("handle", shape.handle.clone()),
            ("live", "true".to_owned()),
        ];
        let waiting = tokio::spawn({
            let (http, base) = (http.clone(), base.clone());
            async move {
                let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let shape = get(&http, &base, &query).await;
                (Instant::now(), shape)
            }
        });
        // Let the request reach its wait before writing.
        tokio::time::sleep(Duration::from_millis(3)).await;
        let written = Instant::now();
        store
            .transaction(async |tx| {
                tx.execute(
                    "INSERT INTO bench_items (id, owner, rank) VALUES ($1, $2, $3)",
                    &[format!("live-{i}").into(), "bench".into(), (i as i64).into()],
                )
                .await
            })
            .await
            .unwrap();
        let (seen, next) = waiting.await.unwrap();
        assert_eq!(next.messages.iter().filter(|m| m.is_change()).count(), 1);
        latencies.push(seen - written);
        shape = next;
    }
    latencies.sort();
    println!("{database}: write -> visible to a live long-poll client ({LATENCY_SAMPLES} samples, loopback)");
    println!("  p50 {:.2} ms   p99 {:.2} ms", ms(percentile(&latencies, 0.5)), ms(percentile(&latencies, 0.99)));

    // A 100k-row shape: bulk-load it (one transaction), then sync it as a new client would.
    let log_start = shape.offset.clone();
    let log_handle = shape.handle.clone();
    store
        .transaction(async |tx| {
            for i in 0..CATCH_UP_ROWS {
                tx.execute(
                    "INSERT INTO bench_items (id, owner, rank) VALUES ($1, $2, $3)",
                    &[
                        format!("row-{i:06}").into(),
                        SqlValue::from(if i % 2 == 0 { "ann" } else { "bob" }),
                        (i as i64).into(),
                    ],
                )
                .await?;
            }
            Ok::<_, StoreError>(())
        })
        .await
        .unwrap();

    let started = Instant::now();
    let snapshot = get(&http, &base, &[("table", "bench_items"), ("offset", "-1")]).await;
    let rows = catch_up(&http, &base, snapshot).await;
    let elapsed = started.elapsed();
    assert_eq!(rows, CATCH_UP_ROWS + LATENCY_SAMPLES);
    println!("{database}: catch-up of a {rows}-row shape from its snapshot (offset=-1), parsed by the client");
    println!("  {:.0} ms, {:.0} rows/s", ms(elapsed), rows as f64 / elapsed.as_secs_f64());

    let started = Instant::now();
    let first = get(&http, &base, &[("table", "bench_items"), ("offset", &log_start), ("handle", &log_handle)]).await;
    let changes = catch_up(&http, &base, first).await;
    let elapsed = started.elapsed();
    assert_eq!(changes, CATCH_UP_ROWS);
    println!("{database}: catch-up of {changes} changes replayed from the change log (10k per response)");
    println!("  {:.0} ms, {:.0} rows/s", ms(elapsed), changes as f64 / elapsed.as_secs_f64());

    if let Some(file) = file {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
