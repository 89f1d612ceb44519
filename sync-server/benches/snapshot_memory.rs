//! `cargo bench -p sync-server --bench snapshot_memory`: a 1M-row shape (about 270 bytes per
//! row as JSON) fetched by 3 clients at once, each following the snapshot's chunks to the end.
//! Prints the time to the first response, the time to fetch everything, the process' peak and
//! final resident memory, and the latency of point reads (what a REST handler does) meanwhile.
//!
//! SQLite in a temp file by default; set DATABASE_URL to measure Postgres (uses a fresh
//! schema). ROWS overrides the row count.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sync_server::{ShapeServer, SqlValue, Store};

const CLIENTS: usize = 3;

/// Resident memory in KiB (`VmRSS`) or its peak (`VmHWM`), from /proc.
fn memory_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.trim().strip_suffix("kB")?.trim().parse().ok())
        .unwrap_or(0)
}

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

/// Follows one shape from offset -1 through every snapshot chunk; returns (time to the first
/// response's headers, rows received).
async fn fetch_snapshot(http: &reqwest::Client, base: &str) -> (Duration, usize) {
    let started = Instant::now();
    let (mut offset, mut handle) = ("-1".to_owned(), String::new());
    let (mut first_byte, mut rows) = (None, 0);
    loop {
        let mut query = vec![("table", "bench_rows"), ("offset", offset.as_str())];
        if !handle.is_empty() {
            query.push(("handle", handle.as_str()));
        }
        let response = http.get(format!("{base}/v1/shape")).query(&query).send().await.unwrap();
        assert_eq!(response.status(), 200);
        first_byte.get_or_insert(started.elapsed());
        let header = |name: &str| response.headers()[name].to_str().unwrap().to_owned();
        handle = header("electric-handle");
        offset = header("electric-offset");
        let messages: Vec<serde_json::Value> = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        rows += messages.iter().filter(|m| m.get("key").is_some()).count();
        let chunk = offset.split_once('_').is_some_and(|(_, check)| check.parse::<u64>().unwrap() >= 1 << 32);
        if !chunk {
            return (first_byte.unwrap(), rows);
        }
    }
}

#[tokio::main]
async fn main() {
    let rows: usize = std::env::var("ROWS").ok().and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let (store, database, file) = open_store().await;
    store
        .execute_batch("CREATE TABLE bench_rows (id TEXT PRIMARY KEY, owner TEXT NOT NULL, note TEXT NOT NULL)")
        .await
        .unwrap();
    let shapes = ShapeServer::builder().table("bench_rows").build(store.clone()).await.unwrap();
    let started = Instant::now();
    store
        .transaction(async |tx| {
            tx.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
                 INSERT INTO bench_rows (id, owner, note)
                 SELECT 'row-' || i, 'owner-' || (i % 100), $2 || i FROM n",
                &[SqlValue::Integer(rows as i64), SqlValue::from("x".repeat(200))],
            )
            .await
        })
        .await
        .unwrap();
    store.compact_log(u64::MAX).await.unwrap();
    println!("{database}: {rows} rows written in {:.1?}", started.elapsed());

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, shapes.router()).await.unwrap() });
    let http = reqwest::Client::new();
    // Resets the peak (VmHWM) to the current size, so the peak below is the fetch's alone.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = memory_kib("VmRSS:");

    // Point reads meanwhile, as a REST handler would make them.
    let reading = Arc::new(AtomicBool::new(true));
    let worst_read = Arc::new(AtomicU64::new(0));
    let reader = {
        let (store, reading, worst_read) = (store.clone(), Arc::clone(&reading), Arc::clone(&worst_read));
        tokio::spawn(async move {
            let mut i = 0;
            while reading.load(Ordering::Relaxed) {
                let read = Instant::now();
                let id = SqlValue::from(format!("row-{}", 1 + i % 1000));
                store.query("SELECT note FROM bench_rows WHERE id = $1", &[id]).await.unwrap();
                worst_read.fetch_max(read.elapsed().as_micros() as u64, Ordering::Relaxed);
                i += 1;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (http, base) = (http.clone(), base.clone());
            tokio::spawn(async move { fetch_snapshot(&http, &base).await })
        })
        .collect();
    let mut first_bytes = Vec::new();
    for client in clients {
        let (first_byte, received) = client.await.unwrap();
        assert_eq!(received, rows);
        first_bytes.push(first_byte);
    }
    let total = started.elapsed();
    reading.store(false, Ordering::Relaxed);
    reader.await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    println!(
        "{database}: {CLIENTS} clients x {rows} rows: first response after {:.1?} (slowest), all rows after {total:.1?}",
        first_bytes.iter().max().unwrap()
    );
    println!(
        "{database}: resident memory {} MiB before the fetch, peak {} MiB during it, {} MiB after",
        before / 1024,
        memory_kib("VmHWM:") / 1024,
        memory_kib("VmRSS:") / 1024
    );
    println!(
        "{database}: slowest point read while the snapshots were served: {:.1?}",
        Duration::from_micros(worst_read.load(Ordering::Relaxed))
    );
    if let Some(path) = file {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
