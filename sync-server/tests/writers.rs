//! Concurrent writers: none waits for another or for a transaction left open, and every change
//! reaches the log exactly once, in an order that replays to the database's state.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::{Database, TestServer};
use serde_json::Value;

const WRITERS: usize = 16;
const WRITES_EACH: usize = 25;

/// Follows the log from `offset` until up-to-date; returns the change messages and the offset.
async fn follow(server: &TestServer, mut offset: String, handle: &str) -> (Vec<Value>, String) {
    let mut messages = Vec::new();
    loop {
        let page = server.shape(&[("table", "items"), ("offset", &offset), ("handle", handle)]).await;
        assert_eq!(page.status, 200, "{}", page.body);
        messages.extend(page.changes().into_iter().cloned());
        offset = page.offset();
        if page.up_to_date() {
            return (messages, offset);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_writers_pass_an_open_transaction_and_nothing_is_lost_or_reordered() {
    let database = Database::fresh().await;
    let server = TestServer::start(&database).await;
    server.insert("shared", "all", 0).await;
    let snapshot = server.shape(&[("table", "items"), ("offset", "-1")]).await;
    let (offset, handle) = (snapshot.offset(), snapshot.handle());

    // Another client's transaction writes to the served table and stays open (Postgres; on
    // SQLite an open write transaction holds the database's single write lock by design).
    let held = match common::postgres_url() {
        Some(_) => {
            let (client, connection) = tokio_postgres::connect(&database.url, tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(connection);
            client
                .batch_execute("BEGIN; INSERT INTO items (id, owner, rank) VALUES ('held', 'open', 0)")
                .await
                .unwrap();
            Some(client)
        }
        None => None,
    };

    // Registering the served table again (a server restart) does not wait for it either.
    let restarted = sync_server::ShapeServer::builder().table("items").build(server.store.clone());
    tokio::time::timeout(Duration::from_secs(10), restarted)
        .await
        .expect("registering a served table waited for the open transaction")
        .unwrap();
    let reopened = tokio::time::timeout(Duration::from_secs(10), sync_server::Store::open(&database.url))
        .await
        .expect("opening the store waited for the open transaction")
        .unwrap();
    drop(reopened);

    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let store = server.store.clone();
            tokio::spawn(async move {
                for write in 0..WRITES_EACH {
                    let id = format!("w{writer:02}-{write:02}");
                    store
                        .transaction(async |tx| {
                            // All writers contend for one row, so its row lock orders them.
                            tx.execute("UPDATE items SET rank = rank + 1 WHERE id = 'shared'", &[]).await?;
                            tx.execute(
                                "INSERT INTO items (id, owner, rank) VALUES ($1, $2, $3)",
                                &[id.into(), format!("writer{writer}").into(), (write as i64).into()],
                            )
                            .await?;
                            Ok::<_, sync_server::StoreError>(())
                        })
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    let all = async {
        for writer in writers {
            writer.await.unwrap();
        }
    };
    tokio::time::timeout(Duration::from_secs(60), all)
        .await
        .expect("writers were blocked (by each other or by the open transaction)");

    // Wait for the sequencer, then read everything.
    let total = WRITERS * WRITES_EACH;
    let mut messages = Vec::new();
    let mut offset = offset;
    for _ in 0..100 {
        let (more, next) = follow(&server, offset, &handle).await;
        messages.extend(more);
        offset = next;
        if messages.iter().filter(|m| m["headers"]["operation"] == "insert").count() >= total {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut inserted: HashMap<String, usize> = HashMap::new();
    let mut shared_ranks = Vec::new();
    for message in &messages {
        let id = message["value"]["id"].as_str().unwrap();
        match message["headers"]["operation"].as_str().unwrap() {
            "insert" => *inserted.entry(id.to_owned()).or_default() += 1,
            "update" if id == "shared" => shared_ranks.push(message["value"]["rank"].as_str().unwrap().to_owned()),
            other => panic!("unexpected {other} of {id}"),
        }
    }
    assert_eq!(inserted.len(), total, "every insert arrives");
    assert!(inserted.values().all(|&count| count == 1), "each exactly once");
    let expected: Vec<String> = (1..=total).map(|rank| rank.to_string()).collect();
    assert_eq!(shared_ranks, expected, "updates of one row arrive in the order they committed");
    assert!(!inserted.contains_key("held"), "an open transaction's change is not visible");

    if let Some(client) = held {
        client.batch_execute("COMMIT").await.unwrap();
        let mut seen_held = false;
        for _ in 0..100 {
            let (more, next) = follow(&server, offset.clone(), &handle).await;
            offset = next;
            if more.iter().any(|m| m["value"]["id"] == "held") {
                seen_held = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(seen_held, "the held transaction's change arrives once it commits");
    }
    server.stop();
    database.drop_all().await;
}
