//! Flipping `x-sync` changes no calling code: the same source is compiled against the client
//! generated from `contacts.yaml` (push) and from `contacts-live.yaml` (the same spec with
//! `x-sync: live`), and behaves the same against the loopback server.

use sync_runtime::SyncMode;
use sync_runtime::futures::StreamExt;
use sync_tests::server::ContactsServer;

mod push_api {
    sync_macros::sync_api!("specs/contacts.yaml");
}

mod live_api {
    sync_macros::sync_api!("specs/contacts-live.yaml");
}

/// Application code written once; `$api` is the only thing that changes.
macro_rules! application {
    ($name:ident, $api:ident) => {
        async fn $name(base_url: String) -> (SyncMode, Vec<String>) {
            let client = $api::Client::new(base_url).expect("client");
            let contacts = client.contacts();
            let mut watch = Box::pin(contacts.watch());
            let first = watch.next().await.expect("an initial list");
            assert!(first.is_empty());

            let ada =
                contacts.create($api::NewContact { name: "Ada".into(), ..Default::default() }).await.expect("create");
            let grace =
                contacts.create($api::NewContact { name: "Grace".into(), ..Default::default() }).await.expect("create");
            let patch = $api::ContactPatch { name: Some("Ada Lovelace".into()), ..Default::default() };
            contacts.update(ada.id.clone(), patch).await.expect("update");
            contacts.delete(grace.id.clone()).await.expect("delete");
            let fetched: $api::Contact = contacts.get(ada.id.clone()).await.expect("get");
            assert_eq!(fetched.name, "Ada Lovelace");

            let listed = contacts.list().await.expect("list");
            let watched = watch.next().await.expect("a list after the writes");
            assert_eq!(watched, listed);
            (contacts.mode(), listed.into_iter().map(|c| c.name).collect())
        }
    };
}

application!(run_push, push_api);
application!(run_live, live_api);

#[tokio::test]
async fn the_same_calling_code_runs_against_push_and_live() {
    let push_server = ContactsServer::start().await;
    let live_server = ContactsServer::start().await;
    let (push_mode, push_names) = run_push(push_server.base_url()).await;
    let (live_mode, live_names) = run_live(live_server.base_url()).await;
    assert_eq!(push_mode, SyncMode::Push);
    assert_eq!(live_mode, SyncMode::Live);
    assert_eq!(push_names, ["Ada Lovelace"]);
    assert_eq!(live_names, push_names);
}

#[test]
fn the_two_specs_differ_only_in_x_sync() {
    let push = std::fs::read_to_string(sync_tests::spec("contacts.yaml")).unwrap();
    let live = std::fs::read_to_string(sync_tests::spec("contacts-live.yaml")).unwrap();
    assert_eq!(push.replace("x-sync: push", "x-sync: live"), live);
    assert!(push.contains("x-sync: push"));
}
