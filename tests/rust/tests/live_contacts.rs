//! Live mode against the real contacts server (examples/contacts, SQLite) on loopback, with a
//! loopback proxy in front of it where a test needs delays, scripted failures or an outage.
//! Each test names the scenario of tests/live-scenarios.md it covers.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use sync_runtime::futures::{Stream, StreamExt};
use sync_runtime::live::{self, LiveConfig, SyncState};
use sync_runtime::{Error, SyncMode};
use sync_tests::live_support::{ContactsServer, Proxy, ShapeTrick, eventually, temp_path};

mod live_api {
    sync_macros::sync_api!("../../examples/contacts/openapi.yaml");
}

mod push_api {
    sync_macros::sync_api!("specs/contacts-server-push.yaml");
}

use live_api::{Contact, ContactPatch, NewContact};

const LONG_POLL: Duration = Duration::from_millis(1000);

fn new_contact(name: &str) -> NewContact {
    NewContact { name: name.into(), email: format!("{}@example.com", name.to_lowercase()), ..Default::default() }
}

fn names(contacts: &[Contact]) -> Vec<String> {
    contacts.iter().map(|c| c.name.clone()).collect()
}

/// The next list of `watch` within `limit`.
async fn next<T>(watch: &mut (impl Stream<Item = T> + Unpin), limit: Duration) -> Option<T> {
    tokio::time::timeout(limit, watch.next()).await.ok().flatten()
}

// live-scenario: S9
macro_rules! application {
    ($name:ident, $api:ident) => {
        /// Application code written once; `$api` is the only thing that changes.
        async fn $name(base_url: String) -> (SyncMode, Vec<String>) {
            let client = $api::Client::new(base_url).expect("client");
            let contacts = client.contacts();
            let mut watch = Box::pin(contacts.watch());
            let first = next(&mut watch, Duration::from_secs(5)).await.expect("an initial list");
            assert!(first.is_empty());

            let new = |name: &str| $api::NewContact {
                name: name.into(),
                email: format!("{}@example.com", name.to_lowercase()),
                ..Default::default()
            };
            let ada = contacts.create(new("Ada")).await.expect("create");
            let grace = contacts.create(new("Grace")).await.expect("create");
            let patch = $api::ContactPatch { phone: Some(Some("+44 20 7946 0000".into())), ..Default::default() };
            let updated = contacts.update(ada.id, patch).await.expect("update");
            assert_eq!(updated.phone, Some(Some("+44 20 7946 0000".into())));
            contacts.delete(grace.id).await.expect("delete");
            let fetched = contacts.get(ada.id).await.expect("get");
            assert_eq!(fetched.phone, Some(Some("+44 20 7946 0000".into())));

            // A rejected write gives the same typed error in both modes.
            let bad = $api::NewContact { name: " ".into(), email: "not-an-email".into(), ..Default::default() };
            match contacts.create(bad).await {
                Err(Error::Api { status: 422, body }) => assert!(!body.errors.is_empty()),
                other => panic!("expected a 422, got {other:?}"),
            }
            let missing = contacts.get(sync_runtime::uuid::Uuid::new_v4()).await.expect_err("no such contact");
            assert_eq!(missing.status(), Some(404));

            let listed = contacts.list().await.expect("list");
            loop {
                let watched = next(&mut watch, Duration::from_secs(15)).await.expect("the watch catches up");
                if watched == listed {
                    break;
                }
            }
            (contacts.mode(), listed.into_iter().map(|c| c.name).collect())
        }
    };
}

application!(run_push, push_api);
application!(run_live, live_api);

#[tokio::test]
async fn one_body_runs_against_the_push_and_the_live_resource() {
    let push_server = ContactsServer::start(LONG_POLL).await;
    let live_server = ContactsServer::start(LONG_POLL).await;
    let (push_mode, push_names) = run_push(push_server.base_url()).await;
    let (live_mode, live_names) = run_live(live_server.base_url()).await;
    assert_eq!((push_mode, live_mode), (SyncMode::Push, SyncMode::Live));
    assert_eq!(push_names, ["Ada"]);
    assert_eq!(live_names, push_names);
    assert_eq!(names_on(&live_server).await, ["Ada"]);
}

#[test]
fn the_push_copy_of_the_example_spec_differs_only_in_x_sync() {
    let live = std::fs::read_to_string(sync_tests::repo_root().join("examples/contacts/openapi.yaml")).unwrap();
    let push = std::fs::read_to_string(sync_tests::spec("contacts-server-push.yaml")).unwrap();
    assert_eq!(
        live.replace("    x-sync: live\n    x-sync-shape:\n      table: contacts\n", "    x-sync: push\n"),
        push
    );
}

async fn names_on(server: &ContactsServer) -> Vec<String> {
    server.contacts().await.iter().map(|c| c["name"].as_str().unwrap_or_default().to_owned()).collect()
}

#[tokio::test]
async fn a_watcher_sees_a_local_create_before_the_server_answers_and_a_second_client_within_a_second() {
    let server = ContactsServer::start(LONG_POLL).await;
    let proxy = Proxy::start(server.base_url()).await;
    proxy.delay_writes(Duration::from_millis(500));
    let mine = live_api::Client::new(proxy.base_url()).unwrap();
    let theirs = live_api::Client::new(server.base_url()).unwrap();
    let contacts = mine.contacts();
    let their_contacts = theirs.contacts();
    let mut watch = Box::pin(contacts.watch());
    let mut their_watch = Box::pin(their_contacts.watch());
    assert_eq!(next(&mut watch, Duration::from_secs(5)).await, Some(vec![]));
    assert_eq!(next(&mut their_watch, Duration::from_secs(5)).await, Some(vec![]));

    // live-scenario: S1
    let pending = contacts.create_local(new_contact("Ada")).expect("queued");
    let key = *pending.key().expect("a client-made key");
    let seen = next(&mut watch, Duration::from_millis(100)).await.expect("the row at once");
    assert_eq!(proxy.answered_writes(), 0, "the watcher saw the row before the server answered");
    assert_eq!(names(&seen), ["Ada"]);
    assert_eq!(seen[0].id, key);
    assert_eq!(contacts.status().pending_writes, 1);
    let created = pending.confirmed().await.expect("created");
    assert_eq!(created.id, key, "the server kept the client-made key");
    assert_eq!(proxy.answered_writes(), 1);

    // live-scenario: S7
    let confirmed_at = Instant::now();
    loop {
        let rows = next(&mut their_watch, Duration::from_secs(1)).await.expect("the second client's watch moves");
        if rows.iter().any(|c| c.id == key) {
            break;
        }
    }
    let elapsed = confirmed_at.elapsed();
    assert!(elapsed < Duration::from_secs(1), "the second client saw the write after {elapsed:?}");
    assert_eq!(contacts.status().pending_writes, 0);
}

// live-scenario: S3
#[tokio::test]
async fn a_rejected_write_rolls_back_with_its_dependents_and_reaches_caller_and_error_stream() {
    let server = ContactsServer::start(LONG_POLL).await;
    let proxy = Proxy::start(server.base_url()).await;
    let client = live_api::Client::new(proxy.base_url()).unwrap();
    let contacts = client.contacts();
    let grace = contacts.create(new_contact("Grace")).await.expect("created");
    let mut errors = Box::pin(contacts.errors());
    proxy.delay_writes(Duration::from_millis(300));

    // An update the server rejects: the old values come back.
    let bad_patch = ContactPatch { email: Some("not-an-email".into()), ..Default::default() };
    let update = contacts.update_local(grace.id, bad_patch).expect("queued");
    assert_eq!(contacts.get(grace.id).await.unwrap().email, "not-an-email", "applied at once");
    // A create the server rejects, and two later writes to the same row.
    let bad = NewContact { name: "Bad".into(), email: "nope".into(), ..Default::default() };
    let create = contacts.create_local(bad).expect("queued");
    let key = *create.key().unwrap();
    let rename = contacts.update_local(key, ContactPatch { name: Some("Still bad".into()), ..Default::default() });
    let rename = rename.expect("queued");
    assert_eq!(contacts.get(key).await.unwrap().name, "Still bad");
    // An unrelated write that must survive.
    let ada = contacts.create_local(new_contact("Ada")).expect("queued");

    let rejected = update.confirmed().await.expect_err("rejected");
    assert_eq!(rejected.status(), Some(422));
    assert_eq!(contacts.get(grace.id).await.unwrap().email, "grace@example.com", "old values restored");
    match create.confirmed().await {
        Err(Error::Api { status: 422, body }) => assert!(body.errors.iter().any(|e| e.field == "email")),
        other => panic!("expected a 422, got {other:?}"),
    }
    assert_eq!(rename.confirmed().await.expect_err("rolled back with it").status(), Some(422));
    assert_eq!(contacts.get(key).await.expect_err("rolled back").status(), Some(404));
    ada.confirmed().await.expect("an unrelated write goes through");

    let first = next(&mut errors, Duration::from_secs(1)).await.expect("the update's error");
    let second = next(&mut errors, Duration::from_secs(1)).await.expect("the create's error");
    let third = next(&mut errors, Duration::from_secs(1)).await.expect("the dependent's error");
    assert_eq!((first.op, first.caused_by.as_deref()), (live::WriteOp::Update, None));
    assert_eq!(second.op, live::WriteOp::Create);
    assert_eq!(second.caused_by, None);
    assert_eq!(third.caused_by.as_deref(), Some(second.id.as_str()));
    assert_eq!(third.error.status(), Some(422));
    let mut on_server = names_on(&server).await;
    on_server.sort();
    assert_eq!(on_server, ["Ada", "Grace"]);
    let local: BTreeSet<String> = names(&contacts.list().await.unwrap()).into_iter().collect();
    assert_eq!(local, ["Ada".to_owned(), "Grace".to_owned()].into());
    assert_eq!(contacts.status().pending_writes, 0);
}

// live-scenario: S4
#[tokio::test]
async fn five_hundreds_429s_and_network_errors_keep_writes_queued() {
    let server = ContactsServer::start(LONG_POLL).await;
    let proxy = Proxy::start(server.base_url()).await;
    let client = live_api::Client::new(proxy.base_url()).unwrap();
    let contacts = client.contacts();
    contacts.list().await.unwrap();

    proxy.script_writes(&[(503, None), (429, Some("1"))]);
    let ada = contacts.create_local(new_contact("Ada")).unwrap();
    ada.confirmed().await.expect("delivered after a 503 and a 429");
    let posts = proxy.seen().into_iter().filter(|s| s.method == "POST").count();
    assert_eq!(posts, 3, "two refused attempts and one that went through");
    assert_eq!(names_on(&server).await, ["Ada"], "exactly one write on the server");

    proxy.stop().await;
    let grace = contacts.create_local(new_contact("Grace")).unwrap();
    assert!(
        eventually(Duration::from_secs(5), || {
            let status = contacts.status();
            status.state == SyncState::Offline && !status.online
        })
        .await,
        "offline after a network error: {:?}",
        contacts.status()
    );
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(contacts.status().pending_writes, 1, "kept while offline");
    assert_eq!(names_on(&server).await, ["Ada"]);
    proxy.resume().await;
    let grace = tokio::time::timeout(Duration::from_secs(40), grace.confirmed()).await.expect("in time");
    grace.expect("delivered once the server is reachable");
    let mut on_server = names_on(&server).await;
    on_server.sort();
    assert_eq!(on_server, ["Ada", "Grace"]);
}

// live-scenario: S8
#[tokio::test]
async fn a_user_scope_switch_neither_shows_nor_sends_the_other_scopes_queue() {
    let server = ContactsServer::start(LONG_POLL).await;
    let proxy = Proxy::start_down(server.base_url()).await;
    let base = proxy.base_url();
    let database = temp_path("live-scope", "db");
    live::configure(
        &base,
        LiveConfig { database: Some(database.clone()), user_scope: "ann".into(), ..LiveConfig::default() },
    );
    let client = live_api::Client::new(base.clone()).unwrap();
    {
        let anns = client.contacts();
        drop(anns.create_local(new_contact("Anns")).unwrap());
        assert_eq!(names(&anns.list().await.unwrap()), ["Anns"]);
    }

    live::set_user_scope(&base, "bob");
    let bobs = client.contacts();
    assert!(bobs.list().await.unwrap().is_empty(), "bob does not see ann's row");
    assert_eq!(bobs.status().pending_writes, 0, "nor her queue");
    let bobs_write = bobs.create_local(new_contact("Bobs")).unwrap();
    assert_eq!(names(&bobs.list().await.unwrap()), ["Bobs"]);

    live::set_user_scope(&base, "ann");
    let anns = client.contacts();
    assert_eq!(names(&anns.list().await.unwrap()), ["Anns"], "ann's queue is still hers");
    assert_eq!(anns.status().pending_writes, 1);
    // Sign-out: clearing ann's scope deletes her queue, sent or not.
    live::clear_user_scope(&base, "ann").unwrap();
    assert!(anns.list().await.unwrap().is_empty());
    assert_eq!(anns.status().pending_writes, 0);

    proxy.resume().await;
    tokio::time::timeout(Duration::from_secs(30), bobs_write.confirmed()).await.unwrap().expect("bob's write");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(posted(&proxy), ["Bobs"], "only bob's write was sent");
    assert_eq!(names_on(&server).await, ["Bobs"]);
    let _ = std::fs::remove_file(database);
}

fn posted(proxy: &Proxy) -> Vec<String> {
    proxy
        .seen()
        .iter()
        .filter(|s| s.method == "POST")
        .map(|s| serde_json::from_slice::<serde_json::Value>(&s.body).unwrap()["name"].as_str().unwrap().to_owned())
        .collect()
}

// live-scenario: S6
#[tokio::test]
async fn the_shape_stream_resumes_from_its_persisted_offset_and_shows_persisted_rows_first() {
    let server = ContactsServer::start(LONG_POLL).await;
    let proxy = Proxy::start(server.base_url()).await;
    let base = proxy.base_url();
    let database = temp_path("live-resume", "db");
    live::configure(&base, LiveConfig { database: Some(database.clone()), ..LiveConfig::default() });
    let writer = push_api::Client::new(server.base_url()).unwrap();
    for name in ["Ada", "Grace", "Linus"] {
        writer
            .contacts()
            .create(push_api::NewContact { name: name.into(), email: "x@example.com".into(), ..Default::default() })
            .await
            .unwrap();
    }
    let client = live_api::Client::new(base.clone()).unwrap();
    {
        let contacts = client.contacts();
        assert_eq!(contacts.list().await.unwrap().len(), 3);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    proxy.stop().await;
    let before = proxy.seen().len();

    let contacts = client.contacts();
    let started = Instant::now();
    assert_eq!(contacts.status().state, SyncState::Ready, "ready from the persisted copy");
    let rows = contacts.list().await.unwrap();
    assert_eq!(rows.len(), 3, "persisted rows before any network answer");
    assert!(started.elapsed() < Duration::from_millis(200));

    proxy.resume().await;
    writer
        .contacts()
        .create(push_api::NewContact { name: "Barbara".into(), email: "b@example.com".into(), ..Default::default() })
        .await
        .unwrap();
    let mut watch = Box::pin(contacts.watch());
    loop {
        let rows = next(&mut watch, Duration::from_secs(10)).await.expect("the stream continues");
        if rows.len() == 4 {
            break;
        }
    }
    let after: Vec<_> = proxy.seen().into_iter().skip(before).filter(|s| s.path == "/v1/shape").collect();
    assert!(!after.is_empty());
    assert!(after.iter().all(|s| !s.query.contains("offset=-1")), "resumed, not restarted: {after:?}");
    assert!(after[0].query.contains("handle="));
    let _ = std::fs::remove_file(database);
}

// live-scenario: S5
#[tokio::test]
async fn a_must_refetch_swaps_the_snapshot_in_without_an_empty_list_and_replays_are_harmless() {
    let server = ContactsServer::start(LONG_POLL).await;
    let proxy = Proxy::start(server.base_url()).await;
    let writer = push_api::Client::new(server.base_url()).unwrap();
    let add = |name: &'static str| {
        let writer = writer.clone();
        async move {
            let new = push_api::NewContact { name: name.into(), email: "x@example.com".into(), ..Default::default() };
            writer.contacts().create(new).await.unwrap()
        }
    };
    add("Ada").await;
    add("Grace").await;
    let client = live_api::Client::new(proxy.base_url()).unwrap();
    let contacts = client.contacts();
    let mut watch = Box::pin(contacts.watch());
    assert_eq!(next(&mut watch, Duration::from_secs(5)).await.unwrap().len(), 2);

    proxy.shape_trick(ShapeTrick::MustRefetch);
    add("Linus").await;
    let mut emissions = Vec::new();
    while let Some(rows) = next(&mut watch, Duration::from_secs(4)).await {
        let done = rows.len() == 3;
        emissions.push(rows);
        if done {
            break;
        }
    }
    assert!(emissions.iter().all(|rows| !rows.is_empty()), "never an empty list: {emissions:?}");
    assert_eq!(emissions.last().map(Vec::len), Some(3));
    let shape: Vec<_> = proxy.seen().into_iter().filter(|s| s.path == "/v1/shape").collect();
    assert!(shape.iter().filter(|s| s.query.contains("offset=-1")).count() >= 2, "refetched from -1 after the 409");

    // The same response twice: inserts of present keys are upserts.
    proxy.shape_trick(ShapeTrick::Replay);
    add("Barbara").await;
    assert!(eventually(Duration::from_secs(5), || proxy.seen().len() > shape.len() + 2).await);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rows = contacts.list().await.unwrap();
    let ids: BTreeSet<_> = rows.iter().map(|c| c.id).collect();
    assert_eq!(ids.len(), rows.len(), "no duplicates after a replay");
    let server_ids: BTreeSet<_> =
        server.contacts().await.iter().map(|c| c["id"].as_str().unwrap().parse().unwrap()).collect();
    assert_eq!(rows.iter().map(|c| c.id).collect::<BTreeSet<_>>(), server_ids);
}
