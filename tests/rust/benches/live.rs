//! Live-mode figures (docs/live-mode.md): `list()` on a 10k-row live collection, local write to
//! watcher notified, outbox drain throughput on loopback, and the same `list()` in push mode.
//!
//! `cargo bench -p sync-tests --bench live` prints them; targets: list p50 < 50 µs, write to
//! watcher p50 < 100 µs.

use std::time::{Duration, Instant};

use sync_runtime::futures::StreamExt;
use sync_runtime::live::{self, LiveConfig};
use sync_tests::live_support::{ContactsServer, Proxy, eventually, temp_path};

mod rest_live {
    sync_macros::sync_api!("specs/contacts-live.yaml");
}

mod rest_push {
    sync_macros::sync_api!("specs/contacts.yaml");
}

mod shape_live {
    sync_macros::sync_api!("../../examples/contacts/openapi.yaml");
}

const ROWS: usize = 10_000;

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    (samples[samples.len() / 2], samples[samples.len() * 99 / 100])
}

fn print(name: &str, samples: Vec<Duration>) -> Duration {
    let count = samples.len();
    let (p50, p99) = percentiles(samples);
    println!("{name:<52} p50 {:>10.1} µs   p99 {:>10.1} µs   ({count} runs)", micros(p50), micros(p99));
    p50
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}

#[tokio::main]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let runs = if quick { 20 } else { 200 };

    // A REST-sourced live collection and a push handle over the same 10k rows.
    let server = sync_tests::server::ContactsServer::start().await;
    for i in 0..ROWS {
        server.insert(&format!("k{i:05}"), &format!("Contact {i}"));
    }
    let proxy = Proxy::start(server.base_url()).await;
    live::configure(
        &proxy.base_url(),
        LiveConfig { rest_interval: Duration::from_secs(3600), ..LiveConfig::default() },
    );
    let live_client = rest_live::Client::new(proxy.base_url()).unwrap();
    let live_contacts = live_client.contacts();
    assert_eq!(live_contacts.list().await.unwrap().len(), ROWS);
    let push_client = rest_push::Client::new(server.base_url()).unwrap();
    let push_contacts = push_client.contacts();

    println!("live mode, {ROWS} rows");
    let mut samples = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let rows = live_contacts.list().await.unwrap();
        samples.push(start.elapsed());
        assert_eq!(rows.len(), ROWS);
    }
    let live_p50 = print("list() live (local collection, Vec clone)", samples);

    let mut samples = Vec::new();
    for _ in 0..runs.min(50) {
        let start = Instant::now();
        let rows = push_contacts.list().await.unwrap();
        samples.push(start.elapsed());
        assert_eq!(rows.len(), ROWS);
    }
    let push_p50 = print("list() push (HTTP on loopback + JSON decode)", samples);
    println!("{:<52} {:.0}x", "push / live list() p50", push_p50.as_secs_f64() / live_p50.as_secs_f64());

    // Local write -> watcher notified, with the API unreachable (writes stay queued).
    proxy.stop().await;
    let mut watch = Box::pin(live_contacts.watch());
    watch.next().await.unwrap();
    let mut samples = Vec::new();
    for i in 0..runs.min(100) {
        let versions = live_contacts.subscribe_changes().expect("a live handle");
        let start = Instant::now();
        let pending = live_contacts
            .create_local(rest_live::NewContact { name: format!("new {i}"), ..Default::default() })
            .unwrap();
        let mut versions = versions;
        versions.changed().await.unwrap();
        samples.push(start.elapsed());
        drop(pending);
    }
    print("local create -> watcher notified (10k rows)", samples);
    let mut samples = Vec::new();
    for i in 0..runs.min(50) {
        let start = Instant::now();
        let pending = live_contacts
            .create_local(rest_live::NewContact { name: format!("more {i}"), ..Default::default() })
            .unwrap();
        loop {
            let rows = watch.next().await.unwrap();
            if rows.last().is_some_and(|c| c.name == format!("more {i}")) {
                break;
            }
        }
        samples.push(start.elapsed());
        drop(pending);
    }
    print("local create -> watch() yields the new list (10k)", samples);

    // Outbox drain throughput: writes queued while the server is down, then sent.
    let count = if quick { 100 } else { 1000 };
    let contacts_server = ContactsServer::start(Duration::from_secs(1)).await;
    let outage = Proxy::start_down(contacts_server.base_url()).await;
    let database = temp_path("live-bench", "db");
    live::configure(&outage.base_url(), LiveConfig { database: Some(database.clone()), ..LiveConfig::default() });
    let client = shape_live::Client::new(outage.base_url()).unwrap();
    let contacts = client.contacts();
    for i in 0..count {
        let new =
            shape_live::NewContact { name: format!("drain {i}"), email: "d@example.com".into(), ..Default::default() };
        drop(contacts.create_local(new).unwrap());
    }
    let start = Instant::now();
    outage.resume().await;
    assert!(eventually(Duration::from_secs(600), || contacts.status().pending_writes == 0).await);
    let elapsed = start.elapsed();
    println!(
        "{:<52} {:>10.0} writes/s ({count} creates in {:.2} s, SQLite outbox + proxy + server)",
        "outbox drain on loopback",
        count as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64()
    );
    let _ = std::fs::remove_file(database);
}
