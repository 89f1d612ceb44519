//! What an attacker or a heavy user can send: bounded parsing, bounded resources, authorized
//! rows, chunked snapshots, restored databases. On SQLite, or Postgres (see `common`).

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use common::{Database, TestServer};
use serde_json::{Map, Value, json};
use sync_server::Access;
use sync_server::cors::Cors;

fn is_chunk_offset(offset: &str) -> bool {
    offset.split_once('_').is_some_and(|(_, check)| check.parse::<u64>().unwrap() >= 1 << 32)
}

#[tokio::test]
async fn deeply_nested_where_is_a_400_and_the_server_keeps_serving() {
    let database = Database::fresh().await;
    let server = TestServer::start(&database).await;
    server.insert("a", "ann", 1).await;
    let deep = format!("{}owner = 'ann'{}", "(".repeat(3_700), ")".repeat(3_700));
    let snapshot = server.shape(&[("table", "items"), ("offset", "-1"), ("where", &deep)]).await;
    assert_eq!(snapshot.status, 400, "{}", snapshot.body);
    assert!(snapshot.errors("where")[0].contains("nests parentheses more than 16 deep"), "{}", snapshot.body);
    // A garbage handle and live=true get the same answer, not a parse of unbounded depth.
    let live = server
        .shape(&[("table", "items"), ("offset", "0_0"), ("handle", "garbage"), ("live", "true"), ("where", &deep)])
        .await;
    assert_eq!(live.status, 400, "{}", live.body);
    let fine = server.shape(&[("table", "items"), ("offset", "-1"), ("where", "((owner = 'ann'))")]).await;
    assert_eq!(fine.status, 200);
    assert_eq!(fine.changes().len(), 1);
    server.stop();
    database.drop_all().await;
}

#[tokio::test]
async fn every_limit_is_a_clear_4xx() {
    let database = Database::fresh().await;
    let server = TestServer::start(&database).await;
    let many_ands = vec!["owner = 'a'"; 1_001].join(" AND ");
    let response = server.shape(&[("table", "items"), ("offset", "-1"), ("where", &many_ands)]).await;
    assert_eq!(response.status, 400);
    assert_eq!(response.errors("where"), ["has more than 64 conditions; combine values of one column with IN"]);

    let list: Vec<String> = (0..1_001).map(|i| i.to_string()).collect();
    let long_in = format!("rank IN ({})", list.join(","));
    let response = server.shape(&[("table", "items"), ("offset", "-1"), ("where", &long_in)]).await;
    assert_eq!(response.status, 400);
    assert_eq!(response.errors("where"), ["IN list at position 6 has more than 1000 values"]);

    let nul = server.shape(&[("table", "items"), ("offset", "-1"), ("where", "owner = 'a\0b'")]).await;
    assert_eq!(nul.status, 400);
    assert_eq!(nul.errors("where"), ["contains a NUL character at position 11, which no text value can hold"]);
    let nul_param =
        server.shape(&[("table", "items"), ("offset", "-1"), ("where", "owner = $1"), ("params[1]", "a\0")]).await;
    assert_eq!(nul_param.status, 400);
    assert_eq!(nul_param.errors("params"), ["params[1] contains a NUL character, which no text value can hold"]);
    server.stop();

    let strict = TestServer::start_with(&database, |b| b.max_url_bytes(8 * 1024)).await;
    let values: Vec<String> = (0..2_000).map(|i| format!("'user{i}'")).collect();
    let long_url = format!("owner IN ({})", values.join(","));
    let response = strict.shape(&[("table", "items"), ("offset", "-1"), ("where", &long_url)]).await;
    assert_eq!(response.status, 414);
    assert!(response.body["message"].as_str().unwrap().ends_with("the limit is 8192 bytes"), "{}", response.body);
    strict.stop();
    database.drop_all().await;
}

#[tokio::test]
async fn error_bodies_name_no_internal_columns_or_paths() {
    let database = Database::fresh().await;
    let server = TestServer::start(&database).await;
    let unknown = server.shape(&[("table", "items"), ("offset", "-1"), ("where", "secret = 1")]).await;
    assert_eq!(unknown.errors("where"), ["unknown column `secret` at position 1 in table `items`"]);

    // Break the log under the server: the request fails, and says only that it did.
    let broken =
        if common::postgres_url().is_some() { "DROP TABLE _sync_meta CASCADE" } else { "DROP TABLE _sync_meta" };
    server.store.execute_batch(broken).await.unwrap();
    let failed = server.shape(&[("table", "items"), ("offset", "-1")]).await;
    assert_eq!(failed.status, 503);
    assert_eq!(failed.header("retry-after"), Some("1"));
    assert_eq!(failed.body, json!({"message": "the shape log is unavailable; try again"}));
    server.stop();
    database.drop_all().await;
}

/// Applies change messages to rows keyed by id, the way a client materializes a shape.
fn apply(rows: &mut BTreeMap<String, Map<String, Value>>, messages: &[&Value]) {
    for message in messages {
        let id = message["value"]["id"].as_str().unwrap().to_owned();
        let value = message["value"].as_object().unwrap().clone();
        match message["headers"]["operation"].as_str().unwrap() {
            "insert" => {
                rows.insert(id, value);
            }
            "update" => rows.entry(id).or_default().extend(value),
            "delete" => {
                rows.remove(&id);
            }
            other => panic!("unexpected operation {other}"),
        }
    }
}

#[tokio::test]
async fn snapshots_come_in_chunks_that_converge_under_concurrent_writes() {
    let database = Database::fresh().await;
    let server = TestServer::start_with(&database, |b| b.snapshot_chunk(10, 1 << 20)).await;
    for i in 0..25 {
        server.insert(&format!("r{i:02}"), "ann", i).await;
    }
    let mut rows = BTreeMap::new();
    let first = server.shape(&[("table", "items"), ("offset", "-1")]).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.changes().len(), 10);
    assert!(!first.up_to_date());
    assert!(is_chunk_offset(&first.offset()), "{}", first.offset());
    assert!(first.header("electric-schema").is_some());
    apply(&mut rows, &first.changes());
    let handle = first.handle();

    // Writes between chunks: in the part already served, in the next chunk, and past the end.
    server.write("UPDATE items SET owner = $1 WHERE id = $2", vec!["zed".into(), "r03".into()]).await;
    server.write("DELETE FROM items WHERE id = $1", vec!["r15".into()]).await;
    server.insert("r30", "ann", 30).await;

    let mut offset = first.offset();
    let mut chunks = 1;
    while is_chunk_offset(&offset) {
        let chunk = server.shape(&[("table", "items"), ("offset", &offset), ("handle", &handle)]).await;
        assert_eq!(chunk.status, 200, "{}", chunk.body);
        assert_eq!(chunk.handle(), handle);
        assert!(!chunk.up_to_date());
        apply(&mut rows, &chunk.changes());
        offset = chunk.offset();
        chunks += 1;
    }
    assert_eq!(chunks, 3);
    // The last chunk ends at the log position of the first: the writes above come next.
    let caught_up = server.shape(&[("table", "items"), ("offset", &offset), ("handle", &handle)]).await;
    assert_eq!(caught_up.status, 200);
    assert!(caught_up.up_to_date());
    apply(&mut rows, &caught_up.changes());

    let stored = server.store.query("SELECT id, owner FROM items ORDER BY id", &[]).await.unwrap();
    let expected: Vec<(String, String)> =
        stored.iter().map(|r| (r.text(0).unwrap().to_owned(), r.text(1).unwrap().to_owned())).collect();
    let synced: Vec<(String, String)> =
        rows.iter().map(|(id, row)| (id.clone(), row["owner"].as_str().unwrap().to_owned())).collect();
    assert_eq!(synced, expected);
    assert_eq!(rows.len(), 25);

    // A chunk this server does not know (a restart forgets them) starts the client over.
    let forgotten = format!("{}_{}", offset.split('_').next().unwrap(), (1u64 << 32) + 7);
    let unknown = server.shape(&[("table", "items"), ("offset", &forgotten), ("handle", &handle)]).await;
    assert_eq!(unknown.status, 409);
    let live_chunk =
        server.shape(&[("table", "items"), ("offset", &forgotten), ("handle", &handle), ("live", "true")]).await;
    assert_eq!(live_chunk.status, 400);
    server.stop();
    database.drop_all().await;
}

#[tokio::test]
async fn snapshot_chunks_are_bounded_in_bytes_too() {
    let database = Database::fresh().await;
    let server = TestServer::start_with(&database, |b| b.snapshot_chunk(1_000, 300)).await;
    for i in 0..12 {
        server.insert(&format!("r{i:02}"), &"x".repeat(100), i).await;
    }
    let mut offset = "-1".to_owned();
    let mut handle = String::new();
    let mut seen = Vec::new();
    loop {
        let mut query = vec![("table", "items"), ("offset", offset.as_str())];
        if !handle.is_empty() {
            query.push(("handle", &handle));
        }
        let chunk = server.shape(&query).await;
        let body_len = chunk.body.to_string().len();
        assert!(chunk.changes().len() <= 2, "{body_len} bytes in {} rows", chunk.changes().len());
        seen.extend(chunk.changes().iter().map(|m| m["value"]["id"].as_str().unwrap().to_owned()));
        handle = chunk.handle();
        offset = chunk.offset();
        if !is_chunk_offset(&offset) {
            break;
        }
    }
    let expected: Vec<String> = (0..12).map(|i| format!("r{i:02}")).collect();
    assert_eq!(seen, expected);
    server.stop();
    database.drop_all().await;
}

#[tokio::test]
async fn the_authorization_hook_scopes_rows_and_columns() {
    let database = Database::fresh().await;
    let server = TestServer::start_with(&database, |b| {
        b.authorize(|request| async move {
            match request.bearer_token() {
                None => Access::unauthorized("sign in"),
                Some("t-eve") => Access::forbidden("eve may not read items"),
                Some(token) => match token.strip_prefix("t-") {
                    Some(user) => Access::rows("owner = $1", [user]).with_columns(["owner", "done"]),
                    None => Access::unauthorized("unknown token"),
                },
            }
        })
    })
    .await;
    server.insert("a1", "ann", 1).await;
    server.insert("b1", "bob", 2).await;
    let snapshot = [("table", "items"), ("offset", "-1")];

    let anonymous = server.shape(&snapshot).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.header("www-authenticate"), Some("Bearer"));
    assert_eq!(anonymous.body, json!({"message": "sign in"}));
    let eve = server.shape_with(&snapshot, &[("authorization", "Bearer t-eve")]).await;
    assert_eq!(eve.status, 403);

    let ann_auth = [("authorization", "Bearer t-ann")];
    let ann = server.shape_with(&snapshot, &ann_auth).await;
    assert_eq!(ann.status, 200);
    let values: Vec<&Value> = ann.changes().iter().map(|m| &m["value"]).collect();
    assert_eq!(values, [&json!({"id": "a1", "owner": "ann", "done": "false"})]);
    let schema: Value = serde_json::from_str(ann.header("electric-schema").unwrap()).unwrap();
    assert!(schema.get("rank").is_none(), "hidden columns are not in the schema: {schema}");
    let bob = server.shape_with(&snapshot, &[("authorization", "Bearer t-bob")]).await;
    assert_ne!(bob.handle(), ann.handle(), "each scope is its own shape");

    // A hidden column cannot be selected or filtered on, and looks like a missing one.
    let hidden = server.shape_with(&[("table", "items"), ("offset", "-1"), ("columns", "id,rank")], &ann_auth).await;
    assert_eq!(hidden.errors("columns"), ["unknown column `rank` in table `items`"]);
    let probe = server.shape_with(&[("table", "items"), ("offset", "-1"), ("where", "rank = 2")], &ann_auth).await;
    assert_eq!(probe.errors("where"), ["unknown column `rank` at position 1 in table `items`"]);
    // The client's own filter narrows the scope; it cannot widen it.
    let widen = server.shape_with(&[("table", "items"), ("offset", "-1"), ("where", "owner = 'bob'")], &ann_auth).await;
    assert_eq!(widen.status, 200);
    assert!(widen.changes().is_empty());

    // Live: bob's writes never reach ann; ann's row moving to bob is a delete for ann.
    server.insert("b2", "bob", 3).await;
    server.write("UPDATE items SET rank = 9 WHERE id = $1", vec!["a1".into()]).await;
    server.write("UPDATE items SET owner = $1 WHERE id = $2", vec!["bob".into(), "a1".into()]).await;
    let log =
        server.shape_with(&[("table", "items"), ("offset", &ann.offset()), ("handle", &ann.handle())], &ann_auth).await;
    assert_eq!(log.status, 200);
    let seen: Vec<(&str, &Value)> =
        log.changes().iter().map(|m| (m["headers"]["operation"].as_str().unwrap(), &m["value"])).collect();
    assert_eq!(seen, [("delete", &json!({"id": "a1"}))], "a change to a hidden column alone is not sent");
    server.stop();
    database.drop_all().await;
}

#[tokio::test]
async fn cross_origin_reads_need_an_allowed_origin() {
    let database = Database::fresh().await;
    let closed = TestServer::start(&database).await;
    let from_elsewhere = [("origin", "http://evil.test")];
    let response = closed.shape_with(&[("table", "items"), ("offset", "-1")], &from_elsewhere).await;
    assert_eq!(response.status, 200);
    assert!(response.header("access-control-allow-origin").is_none(), "same origin only by default");
    closed.stop();

    let open = TestServer::start_with(&database, |b| b.cors(Cors::allow_origins(["http://app.test"]))).await;
    let allowed = open.shape_with(&[("table", "items"), ("offset", "-1")], &[("origin", "http://app.test")]).await;
    assert_eq!(allowed.header("access-control-allow-origin"), Some("http://app.test"));
    assert!(allowed.header("access-control-expose-headers").unwrap().contains("electric-offset"));
    let denied = open.shape_with(&[("table", "items"), ("offset", "-1")], &from_elsewhere).await;
    assert!(denied.header("access-control-allow-origin").is_none());
    let preflight = open
        .http
        .request(reqwest::Method::OPTIONS, format!("{}/v1/shape", open.base))
        .header("origin", "http://evil.test")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 403);
    open.stop();
    database.drop_all().await;
}

#[tokio::test]
async fn a_live_request_answers_at_its_deadline_while_catching_up() {
    let database = Database::fresh().await;
    let server =
        TestServer::start_with(&database, |b| b.max_changes_per_response(10).long_poll_timeout(Duration::ZERO)).await;
    let query = [("table", "items"), ("offset", "-1"), ("where", "owner = 'nobody'")];
    let snapshot = server.shape(&query).await;
    for i in 0..40 {
        server.insert(&format!("r{i:02}"), "ann", i).await;
    }
    let live = server
        .shape(&[
            ("table", "items"),
            ("offset", &snapshot.offset()),
            ("handle", &snapshot.handle()),
            ("where", "owner = 'nobody'"),
            ("live", "true"),
        ])
        .await;
    assert_eq!(live.status, 200);
    assert!(!live.up_to_date(), "the deadline came before the end of the backlog");
    assert!(live.changes().is_empty());
    assert_ne!(live.offset(), snapshot.offset(), "progress is kept");
    server.stop();
    database.drop_all().await;
}

/// Log positions a restored backup reuses are noticed: old handles get 409, not a wrong log.
#[tokio::test]
async fn a_restored_backup_makes_clients_ahead_of_it_refetch() {
    let database = Database::fresh().await;
    let server = TestServer::start(&database).await;
    server.insert("a", "ann", 1).await;
    let backup = Backup::take(&database, &server).await;
    server.insert("b", "bob", 2).await;
    let snapshot = server.shape(&[("table", "items"), ("offset", "-1")]).await;
    let (offset, handle) = (snapshot.offset(), snapshot.handle());
    server.shut_down().await;

    backup.restore(&database).await;
    let restored = TestServer::start(&database).await;
    let behind = restored.shape(&[("table", "items"), ("offset", &offset), ("handle", &handle)]).await;
    assert_eq!(behind.status, 409, "the restored log ends before the client's offset: {}", behind.body);
    // New writes reuse the positions the client has seen, with other changes.
    restored.insert("c", "cat", 3).await;
    restored.insert("d", "dan", 4).await;
    let reused = restored.shape(&[("table", "items"), ("offset", &offset), ("handle", &handle)]).await;
    assert_eq!(reused.status, 409, "{}", reused.body);
    assert_eq!(reused.controls(), ["must-refetch"]);
    // A client from before the backup is still right.
    let fresh = restored.shape(&[("table", "items"), ("offset", "-1")]).await;
    let resumed = restored.shape(&[("table", "items"), ("offset", &fresh.offset()), ("handle", &fresh.handle())]).await;
    assert_eq!(resumed.status, 200);
    restored.stop();
    database.drop_all().await;
}

enum Backup {
    File(std::path::PathBuf),
    Tables,
}

impl Backup {
    async fn take(database: &Database, server: &TestServer) -> Backup {
        match common::postgres_url() {
            None => {
                let path = std::env::temp_dir().join(format!("sync-backup-{}.db", uuid::Uuid::new_v4().simple()));
                server.store.execute_batch(&format!("VACUUM INTO '{}'", path.display())).await.unwrap();
                Backup::File(path)
            }
            Some(_) => {
                let client = connect(database).await;
                client
                    .batch_execute(
                        "CREATE TABLE backup_items AS SELECT * FROM items;
                         CREATE TABLE backup_changes AS SELECT * FROM _sync_changes;
                         CREATE TABLE backup_meta AS SELECT * FROM _sync_meta;
                         CREATE TABLE backup_seq AS SELECT last_value FROM _sync_changes_seq_seq;",
                    )
                    .await
                    .unwrap();
                Backup::Tables
            }
        }
    }

    /// Puts the backup in place the way a restore tool does: data and sequences as they were,
    /// without firing triggers.
    async fn restore(self, database: &Database) {
        match self {
            Backup::File(path) => {
                let target = database.url.strip_prefix("sqlite:").unwrap();
                for suffix in ["-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{target}{suffix}"));
                }
                std::fs::copy(&path, target).unwrap();
                std::fs::remove_file(path).unwrap();
            }
            Backup::Tables => {
                let client = connect(database).await;
                client
                    .batch_execute(
                        "SET session_replication_role = replica;
                         DELETE FROM items; INSERT INTO items SELECT * FROM backup_items;
                         DELETE FROM _sync_changes; INSERT INTO _sync_changes SELECT * FROM backup_changes;
                         DELETE FROM _sync_meta; INSERT INTO _sync_meta SELECT * FROM backup_meta;
                         SELECT setval('_sync_changes_seq_seq', (SELECT last_value FROM backup_seq));",
                    )
                    .await
                    .unwrap();
            }
        }
    }
}

async fn connect(database: &Database) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(&database.url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

/// Open file descriptors on the SQLite database file itself.
fn open_database_files(path: &str) -> usize {
    let Ok(entries) = std::fs::read_dir("/proc/self/fd") else { return 0 };
    entries
        .filter_map(|entry| std::fs::read_link(entry.ok()?.path()).ok())
        .filter(|target| target.to_str() == Some(path))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn woken_long_polls_share_a_bounded_read_pool() {
    let database = Database::fresh().await;
    let Some(path) = database.url.strip_prefix("sqlite:").map(str::to_owned) else {
        // Postgres: the store's pool bound is the same; there is no file to count.
        database.drop_all().await;
        return;
    };
    let server = TestServer::start_with(&database, |b| b.long_poll_timeout(Duration::from_secs(20))).await;
    let snapshot = server.shape(&[("table", "items"), ("offset", "-1")]).await;
    let (offset, handle) = (snapshot.offset(), snapshot.handle());

    let most = Arc::new(AtomicUsize::new(0));
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (most, sampling, path) = (Arc::clone(&most), Arc::clone(&sampling), path.clone());
        std::thread::spawn(move || {
            while sampling.load(Ordering::Relaxed) {
                most.fetch_max(open_database_files(&path), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    let waiting: Vec<_> = (0..200)
        .map(|_| {
            let http = server.http.clone();
            let url = format!("{}/v1/shape", server.base);
            let query = [("table", "items"), ("offset", &offset), ("handle", &handle), ("live", "true")]
                .map(|(k, v)| (k.to_owned(), v.to_owned()));
            tokio::spawn(async move { http.get(url).query(&query).send().await.unwrap().status().as_u16() })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    // One commit wakes them all, with enough changes that their reads overlap.
    server
        .write(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
             INSERT INTO items (id, owner, rank) SELECT 'bulk-' || i, 'ann', i FROM n",
            vec![],
        )
        .await;
    for request in waiting {
        assert_eq!(request.await.unwrap(), 200);
    }
    sampling.store(false, Ordering::Relaxed);
    sampler.join().unwrap();
    let most = most.load(Ordering::Relaxed);
    // 8 pooled readers and the writer.
    assert!(most <= 9, "{most} connections were open on the database at once");
    server.stop();
    database.drop_all().await;
}
