//! Hostile input and concurrency against the Shape endpoint.

mod common;

use common::{Database, TestServer};
use sync_server::StoreError;

#[tokio::test]
async fn injection_attempts_are_rejected_and_change_nothing() {
    let database = Database::fresh().await;
    let server = TestServer::start(&database).await;
    server.insert("a", "ann", 1).await;

    let table_attempts = [
        "items; DROP TABLE items",
        "\"items\"",
        "items --",
        "_sync_changes",
        "_sync_meta",
        "sqlite_master",
        "pg_catalog.pg_user",
        "information_schema.tables",
        "ITEMS",
    ];
    for table in table_attempts {
        let response = server.shape(&[("table", table), ("offset", "-1")]).await;
        assert_eq!(response.status, 400, "{table}");
        assert!(response.errors("table")[0].contains("is not served"), "{table}: {}", response.body);
    }

    let column_attempts = [
        "id,(SELECT 1)",
        "id,owner FROM items; --",
        "id,\"owner\"\"; DROP TABLE items; --\"",
        "id,*",
        "id,ID\"",
        "id,_sync_changes.seq",
    ];
    for columns in column_attempts {
        let response = server.shape(&[("table", "items"), ("offset", "-1"), ("columns", columns)]).await;
        assert_eq!(response.status, 400, "{columns}: {}", response.body);
        assert!(!response.errors("columns").is_empty(), "{columns}");
    }

    let where_attempts = [
        "owner = 'a' OR 1 = 1",
        "owner = 'a'; DROP TABLE items",
        "owner = 'a' -- ",
        "owner = (SELECT owner FROM items)",
        "owner = 'a' UNION SELECT * FROM _sync_changes",
        "1 = 1",
        "owner IN (SELECT owner FROM items)",
        "owner = $1::text",
        "owner = 'x' /* */",
        "owner = ''' OR ''1''=''1'",
        "sqlite_version() = $1",
        "\"owner\" = $1 OR \"owner\" != $1",
    ];
    for clause in where_attempts {
        let response =
            server.shape(&[("table", "items"), ("offset", "-1"), ("where", clause), ("params[1]", "ann")]).await;
        assert_eq!(response.status, 400, "{clause}: {}", response.body);
        let errors = [response.errors("where"), response.errors("params")].concat();
        assert!(!errors.is_empty(), "{clause}: {}", response.body);
    }

    // SQL in a parameter is just a value that matches nothing.
    for value in ["' OR '1'='1", "ann'; DROP TABLE items; --", "ann\" OR 1=1 --"] {
        let response =
            server.shape(&[("table", "items"), ("offset", "-1"), ("where", "owner = $1"), ("params[1]", value)]).await;
        assert_eq!(response.status, 200, "{value}");
        assert!(response.changes().is_empty(), "{value}");
    }
    // A string literal with quotes is data too.
    let literal =
        server.shape(&[("table", "items"), ("offset", "-1"), ("where", "owner = 'ann'' OR ''1''=''1'")]).await;
    assert_eq!(literal.status, 200);
    assert!(literal.changes().is_empty());
    let typed =
        server.shape(&[("table", "items"), ("offset", "-1"), ("where", "rank = $1"), ("params[1]", "1 OR 1=1")]).await;
    assert_eq!(typed.status, 400);
    assert!(typed.errors("where")[0].contains("is not a valid"), "{}", typed.body);

    // Everything is still there.
    let all = server.shape(&[("table", "items"), ("offset", "-1")]).await;
    assert_eq!(all.changes().len(), 1);
    assert_eq!(server.store.query("SELECT count(*) FROM items", &[]).await.unwrap()[0].integer(0), Some(1));
    server.stop();
    database.drop_all().await;
}

/// 1,000 writers race; each takes a ticket from a counter inside its transaction. The counter's
/// row lock makes ticket order the commit order, so the log must list tickets 1..=1000 in order,
/// each exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_appear_once_in_commit_order() {
    let database = Database::fresh().await;
    let server = TestServer::start(&database).await;
    server.store.execute_batch("CREATE TABLE tickets (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)").await.unwrap();
    server.store.execute_batch("INSERT INTO tickets (id, n) VALUES (1, 0)").await.unwrap();
    let snapshot = server.shape(&[("table", "items"), ("offset", "-1")]).await;

    let mut writers = Vec::new();
    for i in 0..1000 {
        let store = server.store.clone();
        writers.push(tokio::spawn(async move {
            store
                .transaction(async |tx| {
                    let ticket = tx.query("UPDATE tickets SET n = n + 1 WHERE id = 1 RETURNING n", &[]).await?;
                    let ticket = ticket[0].integer(0).unwrap();
                    tx.execute(
                        "INSERT INTO items (id, owner, rank) VALUES ($1, $2, $3)",
                        &[format!("w{i}").into(), "burst".into(), ticket.into()],
                    )
                    .await?;
                    Ok::<_, StoreError>(ticket)
                })
                .await
                .unwrap()
        }));
    }
    let mut written = Vec::new();
    for writer in writers {
        written.push(writer.await.unwrap());
    }

    let (mut offset, handle) = (snapshot.offset(), snapshot.handle());
    let mut tickets = Vec::new();
    let mut txids = Vec::new();
    let mut ids = std::collections::HashSet::new();
    loop {
        let page = server.shape(&[("table", "items"), ("offset", &offset), ("handle", &handle)]).await;
        for change in page.changes() {
            assert_eq!(change["headers"]["operation"], "insert");
            tickets.push(change["value"]["rank"].as_str().unwrap().parse::<i64>().unwrap());
            txids.push(change["headers"]["txids"][0].as_i64().unwrap());
            assert!(ids.insert(change["value"]["id"].as_str().unwrap().to_owned()), "duplicate {change}");
        }
        offset = page.offset();
        if page.up_to_date() {
            break;
        }
    }
    assert_eq!(tickets, (1..=1000).collect::<Vec<_>>());
    let mut by_ticket: Vec<(i64, i64)> = written;
    by_ticket.sort();
    assert_eq!(
        by_ticket.iter().map(|(_, txid)| *txid).collect::<Vec<_>>(),
        txids,
        "each change carries its writer's txid"
    );
    server.stop();
    database.drop_all().await;
}
