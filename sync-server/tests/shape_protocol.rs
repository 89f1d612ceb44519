//! The Shape endpoint over HTTP on loopback, on SQLite (or Postgres, see `common`).

mod common;

use std::time::{Duration, Instant};

use common::{Database, TestServer};
use serde_json::json;
use sync_server::SqlValue;

#[tokio::test]
async fn snapshot_then_log_with_txids() {
    let database = Database::fresh().await;
    let server = TestServer::start(&database).await;
    server.insert("a", "ann", 1).await;
    server.insert("b", "bob", 2).await;

    let snapshot = server.shape(&[("table", "items"), ("offset", "-1")]).await;
    assert_eq!(snapshot.status, 200);
    assert!(!snapshot.up_to_date(), "like Electric, the snapshot response is not up-to-date");
    let schema: serde_json::Value = serde_json::from_str(snapshot.header("electric-schema").unwrap()).unwrap();
    assert_eq!(schema["id"], json!({"type": "text", "not_null": true, "pk_index": 0}));
    assert_eq!(schema["rank"]["type"], if common::postgres_url().is_some() { "int4" } else { "int8" });
    let namespace = database.namespace();
    assert_eq!(
        snapshot.changes()[0],
        &json!({
            "key": format!("\"{namespace}\".\"items\"/\"a\""),
            "value": {"id": "a", "owner": "ann", "rank": "1", "done": "false"},
            "headers": {"operation": "insert", "relation": [namespace, "items"]}
        })
    );
    assert_eq!(snapshot.changes().len(), 2);

    let handle = snapshot.handle();
    let caught_up = server.shape(&[("table", "items"), ("offset", &snapshot.offset()), ("handle", &handle)]).await;
    assert!(caught_up.up_to_date());
    assert_eq!(caught_up.controls(), ["up-to-date"]);
    assert_eq!(caught_up.offset(), snapshot.offset());
    assert!(caught_up.header("electric-schema").is_some());

    let txid = server.write("UPDATE items SET owner = $1 WHERE id = $2", vec!["amy".into(), "a".into()]).await;
    let log = server.shape(&[("table", "items"), ("offset", &snapshot.offset()), ("handle", &handle)]).await;
    let change = log.changes()[0];
    assert_eq!(change["value"], json!({"id": "a", "owner": "amy"}));
    assert_eq!(change["headers"]["operation"], "update");
    assert_eq!(change["headers"]["txids"], json!([txid]));
    assert_ne!(log.offset(), snapshot.offset());
    server.stop();
    database.drop_all().await;
}

#[tokio::test]
async fn live_request_wakes_on_commit() {
    let database = Database::fresh().await;
    let server = TestServer::start_with(&database, |b| b.long_poll_timeout(Duration::from_secs(10))).await;
    let snapshot = server.shape(&[("table", "items"), ("offset", "-1")]).await;
    let (offset, handle) = (snapshot.offset(), snapshot.handle());

    let started = Instant::now();
    let waiting = {
        let http = server.http.clone();
        let url = format!("{}/v1/shape", server.base);
        tokio::spawn(async move {
            let query =
                [("table", "items"), ("offset", &offset), ("handle", &handle), ("live", "true"), ("cursor", "1")];
            let response = http.get(url).query(&query).send().await.unwrap();
            let cursor = response.headers().get("electric-cursor").map(|c| c.to_str().unwrap().to_owned());
            let body: serde_json::Value = response.json().await.unwrap();
            (cursor, body)
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let txid = server.insert("c", "cat", 3).await;
    let (cursor, body) = waiting.await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(5), "woke on the commit, not the timeout");
    assert!(cursor.is_some_and(|c| c.parse::<u64>().is_ok()));
    assert_eq!(body[0]["headers"]["txids"], json!([txid]));
    assert_eq!(body[1]["headers"]["control"], "up-to-date");
    server.stop();
    database.drop_all().await;
}

#[tokio::test]
async fn idle_live_request_times_out_up_to_date() {
    let database = Database::fresh().await;
    let server = TestServer::start(&database).await;
    let snapshot = server.shape(&[("table", "items"), ("offset", "-1")]).await;
    let started = Instant::now();
    let live = server
        .shape(&[("table", "items"), ("offset", &snapshot.offset()), ("handle", &snapshot.handle()), ("live", "true")])
        .await;
    assert!(started.elapsed() >= Duration::from_millis(900), "held for the long-poll timeout");
    assert_eq!(live.status, 200);
    assert!(live.up_to_date());
    assert_eq!(live.controls(), ["up-to-date"]);
    assert_eq!(live.offset(), snapshot.offset());
    assert!(live.header("electric-cursor").is_some());
    assert!(live.header("electric-schema").is_none(), "live responses carry no schema");
    server.stop();
    database.drop_all().await;
}

#[tokio::test]
async fn changes_for_other_rows_do_not_wake_a_filtered_shape() {
    let database = Database::fresh().await;
    let server = TestServer::start_with(&database, |b| b.long_poll_timeout(Duration::from_secs(2))).await;
    let query = [("table", "items"), ("where", "owner = $1"), ("params[1]", "ann")];
    let snapshot = server.shape(&[query.as_slice(), &[("offset", "-1")]].concat()).await;
    let (offset, handle) = (snapshot.offset(), snapshot.handle());
    let live_query =
        [query.as_slice(), &[("offset", offset.as_str()), ("handle", handle.as_str()), ("live", "true")]].concat();
    let live = async { server.shape(&live_query).await };
    let writes = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        server.insert("x", "bob", 1).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        server.insert("y", "ann", 1).await
    };
    let (live, txid) = tokio::join!(live, writes);
    let changes = live.changes();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["value"]["id"], "y");
    assert_eq!(changes[0]["headers"]["txids"], json!([txid]));
    server.stop();
    database.drop_all().await;
}

#[tokio::test]
async fn typed_where_filters_agree_between_snapshot_and_log() {
    let database = Database::fresh().await;
    let server = TestServer::start(&database).await;
    server.insert("a", "ann", 1).await;
    server.insert("b", "ann", 2).await;
    server.write("UPDATE items SET done = TRUE WHERE id = $1", vec!["b".into()]).await;
    let query =
        [("table", "items"), ("where", "rank IN (2, $1) AND done = $2"), ("params[1]", "03"), ("params[2]", "true")];
    let snapshot = server.shape(&[query.as_slice(), &[("offset", "-1")]].concat()).await;
    let ids: Vec<&str> = snapshot.changes().iter().map(|m| m["value"]["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["b"]);

    server
        .write(
            "INSERT INTO items (id, owner, rank, done) VALUES ($1, $2, $3, $4)",
            vec!["c".into(), "cy".into(), 3.into(), true.into()],
        )
        .await;
    server
        .write(
            "INSERT INTO items (id, owner, rank, done) VALUES ($1, $2, $3, $4)",
            vec!["d".into(), "di".into(), 3.into(), false.into()],
        )
        .await;
    // Moves out of the shape: a delete carrying the key.
    server.write("UPDATE items SET rank = 9 WHERE id = $1", vec!["b".into()]).await;
    let log = server
        .shape(&[query.as_slice(), &[("offset", &snapshot.offset()), ("handle", &snapshot.handle())]].concat())
        .await;
    let seen: Vec<(String, String)> = log
        .changes()
        .iter()
        .map(|m| (m["headers"]["operation"].as_str().unwrap().into(), m["value"]["id"].as_str().unwrap().into()))
        .collect();
    assert_eq!(seen, [("insert".into(), "c".into()), ("delete".into(), "b".into())]);
    assert_eq!(log.changes()[1]["value"], json!({"id": "b"}));
    server.stop();
    database.drop_all().await;
}

#[tokio::test]
async fn foreign_handles_and_compacted_offsets_get_409() {
    let database = Database::fresh().await;
    let server = TestServer::start(&database).await;
    server.insert("a", "ann", 1).await;
    let snapshot = server.shape(&[("table", "items"), ("offset", "-1")]).await;
    let (old_offset, old_handle) = (snapshot.offset(), snapshot.handle());

    let foreign = server.shape(&[("table", "items"), ("offset", &old_offset), ("handle", "not-a-handle")]).await;
    assert_eq!(foreign.status, 409);
    assert_eq!(foreign.controls(), ["must-refetch"]);
    assert_eq!(foreign.handle(), old_handle);

    // Another shape's handle does not fit this shape either.
    let other = server.shape(&[("table", "items"), ("offset", "-1"), ("where", "owner = 'x'")]).await;
    let mismatch = server.shape(&[("table", "items"), ("offset", &old_offset), ("handle", &other.handle())]).await;
    assert_eq!(mismatch.status, 409);

    server.insert("b", "bob", 2).await;
    let head = server.store.head().await.unwrap();
    server.store.compact_log(head).await.unwrap();
    let compacted = server.shape(&[("table", "items"), ("offset", &old_offset), ("handle", &old_handle)]).await;
    assert_eq!(compacted.status, 409);
    let new_handle = compacted.handle();
    assert_ne!(new_handle, old_handle, "a refetch needs a handle the client has not seen");

    // A client already past the compaction point keeps going and adopts the new handle.
    let current = format!("{head}_0");
    let ahead = server.shape(&[("table", "items"), ("offset", &current), ("handle", &old_handle)]).await;
    assert_eq!(ahead.status, 200);
    assert_eq!(ahead.handle(), new_handle);
    let refetched = server.shape(&[("table", "items"), ("offset", "-1")]).await;
    assert_eq!(refetched.changes().len(), 2);
    assert_eq!(refetched.handle(), new_handle);

    let beyond =
        server.shape(&[("table", "items"), ("offset", &format!("{}_0", head + 5)), ("handle", &new_handle)]).await;
    assert_eq!(beyond.status, 400);
    assert_eq!(beyond.errors("offset"), ["out of bounds for this shape"]);
    server.stop();
    database.drop_all().await;
}

#[tokio::test]
async fn a_restarted_server_keeps_handles_and_offsets() {
    let database = Database::fresh().await;
    let server = TestServer::start(&database).await;
    server.insert("a", "ann", 1).await;
    let snapshot = server.shape(&[("table", "items"), ("offset", "-1")]).await;
    server.stop();

    let restarted = TestServer::start(&database).await;
    restarted.insert("b", "bob", 2).await;
    let resumed =
        restarted.shape(&[("table", "items"), ("offset", &snapshot.offset()), ("handle", &snapshot.handle())]).await;
    assert_eq!(resumed.status, 200);
    assert_eq!(resumed.handle(), snapshot.handle());
    let ids: Vec<&str> = resumed.changes().iter().map(|m| m["value"]["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["b"]);

    restarted.store.reset_change_log().await.unwrap();
    let after_reset =
        restarted.shape(&[("table", "items"), ("offset", &resumed.offset()), ("handle", &resumed.handle())]).await;
    assert_eq!(after_reset.status, 409, "a new database epoch invalidates every handle");
    restarted.stop();
    database.drop_all().await;
}

#[tokio::test]
async fn long_backlogs_are_paged_and_only_the_last_page_is_up_to_date() {
    let database = Database::fresh().await;
    let server = TestServer::start_with(&database, |b| b.max_changes_per_response(3)).await;
    let snapshot = server.shape(&[("table", "items"), ("offset", "-1")]).await;
    for i in 0..8 {
        server.insert(&format!("i{i}"), "ann", i).await;
    }
    let (mut offset, handle) = (snapshot.offset(), snapshot.handle());
    let mut pages = Vec::new();
    loop {
        let page = server.shape(&[("table", "items"), ("offset", &offset), ("handle", &handle)]).await;
        pages.push((page.changes().len(), page.up_to_date()));
        offset = page.offset();
        if page.up_to_date() {
            break;
        }
    }
    assert_eq!(pages, [(3, false), (3, false), (2, true)]);
    server.stop();
    database.drop_all().await;
}

#[tokio::test]
async fn rolled_back_and_cancelled_transactions_leave_no_changes() {
    let database = Database::fresh().await;
    let server = TestServer::start(&database).await;
    let head = server.store.head().await.unwrap();
    let failed: Result<((), i64), sync_server::StoreError> = server
        .store
        .transaction(async |tx| {
            tx.execute("INSERT INTO items (id, owner) VALUES ($1, $2)", &["gone".into(), "x".into()]).await?;
            tx.execute("INSERT INTO items (id, owner) VALUES ($1, $2)", &["gone".into(), SqlValue::Null]).await?;
            Ok(())
        })
        .await;
    assert!(failed.is_err());
    // A handler cancelled mid-transaction (client went away) must not leave it open.
    let cancelled = tokio::time::timeout(
        Duration::from_millis(50),
        server.store.transaction(async |tx| {
            tx.execute("INSERT INTO items (id, owner) VALUES ($1, $2)", &["half".into(), "x".into()]).await?;
            tokio::time::sleep(Duration::from_secs(5)).await;
            Ok::<_, sync_server::StoreError>(())
        }),
    )
    .await;
    assert!(cancelled.is_err());
    server.insert("kept", "ann", 1).await;
    let snapshot = server.shape(&[("table", "items"), ("offset", "-1")]).await;
    let ids: Vec<&str> = snapshot.changes().iter().map(|m| m["value"]["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["kept"]);
    let log =
        server.shape(&[("table", "items"), ("offset", &format!("{head}_0")), ("handle", &snapshot.handle())]).await;
    assert_eq!(log.changes().len(), 1);
    server.stop();
    database.drop_all().await;
}
