//! Live writes across process restarts: the outbox is a SQLite file, so writes made in one
//! process are delivered by the next, exactly once and in order, even when the sender was
//! killed with SIGKILL mid-drain. The child processes are this test binary again, running the
//! ignored `child_process` entry point with its role in the environment.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use sync_runtime::futures::StreamExt;
use sync_runtime::live::{self, LiveConfig};
use sync_tests::live_support::{ContactsServer, Proxy, eventually, temp_path};

mod live_api {
    sync_macros::sync_api!("../../examples/contacts/openapi.yaml");
}

const ROLE: &str = "LIVE_CHILD_ROLE";
const BASE: &str = "LIVE_CHILD_BASE";
const DATABASE: &str = "LIVE_CHILD_DATABASE";
const COUNT: &str = "LIVE_CHILD_COUNT";

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is set by the parent test"))
}

/// Not a test of its own: what a child process does (`write` N contacts, or `drain` the
/// outbox), run by the tests below through this binary.
#[tokio::test]
#[ignore = "run as a child process by the restart tests"]
async fn child_process() {
    let role = env(ROLE);
    let base = env(BASE);
    live::configure(
        &base,
        LiveConfig {
            database: Some(env(DATABASE).into()),
            lease: Duration::from_millis(1500),
            ..LiveConfig::default()
        },
    );
    let client = live_api::Client::new(base).unwrap();
    let contacts = client.contacts();
    match role.as_str() {
        "write" => {
            let count: usize = env(COUNT).parse().unwrap();
            for i in 0..count {
                let new = live_api::NewContact {
                    name: format!("w{i:04}"),
                    email: format!("w{i}@example.com"),
                    ..Default::default()
                };
                drop(contacts.create_local(new).expect("queued"));
            }
            assert_eq!(contacts.status().pending_writes, count);
            println!("queued={count}");
        }
        "drain" => {
            let mut errors = Box::pin(contacts.errors());
            let queued = contacts.status().pending_writes;
            println!("found={queued}");
            assert!(
                eventually(Duration::from_secs(120), || contacts.status().pending_writes == 0).await,
                "drained: {:?}",
                contacts.status()
            );
            let mut failed = 0;
            while let Ok(Some(error)) = tokio::time::timeout(Duration::from_millis(50), errors.next()).await {
                eprintln!("write error: {:?}", error.error);
                failed += 1;
            }
            println!("errors={failed}");
        }
        other => panic!("unknown role {other}"),
    }
}

fn spawn(role: &str, base: &str, database: &std::path::Path, count: usize) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "child_process", "--nocapture", "--test-threads=1"])
        .env(ROLE, role)
        .env(BASE, base)
        .env(DATABASE, database)
        .env(COUNT, count.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn the child process")
}

async fn finish(child: Child) -> String {
    let output = tokio::task::spawn_blocking(move || child.wait_with_output()).await.unwrap().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "the child failed: {stdout}");
    stdout
}

fn expected(count: usize) -> Vec<String> {
    (0..count).map(|i| format!("w{i:04}")).collect()
}

async fn server_names(server: &ContactsServer) -> BTreeMap<String, usize> {
    let mut names = BTreeMap::new();
    for contact in server.contacts().await {
        *names.entry(contact["name"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    names
}

fn posted_names(proxy: &Proxy) -> Vec<String> {
    proxy
        .seen()
        .iter()
        .filter(|s| s.method == "POST")
        .map(|s| serde_json::from_slice::<serde_json::Value>(&s.body).unwrap()["name"].as_str().unwrap().to_owned())
        .collect()
}

// live-scenario: S2
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_writes_survive_a_restart_and_arrive_exactly_once_in_order() {
    const WRITES: usize = 1000;
    let server = ContactsServer::start(Duration::from_secs(1)).await;
    let proxy = Proxy::start_down(server.base_url()).await;
    let database = temp_path("live-restart", "db");

    let written = finish(spawn("write", &proxy.base_url(), &database, WRITES)).await;
    assert!(written.contains(&format!("queued={WRITES}")), "{written}");
    assert!(server.contacts().await.is_empty());

    proxy.resume().await;
    let drained = finish(spawn("drain", &proxy.base_url(), &database, WRITES)).await;
    assert!(drained.contains(&format!("found={WRITES}")), "the restarted process found the queue: {drained}");
    assert!(drained.contains("errors=0"), "{drained}");

    assert_eq!(posted_names(&proxy), expected(WRITES), "sent once each, in the order they were made");
    let names = server_names(&server).await;
    assert_eq!(names.len(), WRITES);
    assert!(names.values().all(|&n| n == 1));
    assert_eq!(names.keys().cloned().collect::<Vec<_>>(), expected(WRITES));
    let _ = std::fs::remove_file(database);
}

// live-scenario: S2
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_killed_mid_drain_leaves_no_duplicates_after_restart() {
    const WRITES: usize = 300;
    let server = ContactsServer::start(Duration::from_secs(1)).await;
    let proxy = Proxy::start_down(server.base_url()).await;
    let database = temp_path("live-kill", "db");
    finish(spawn("write", &proxy.base_url(), &database, WRITES)).await;

    proxy.delay_writes(Duration::from_millis(5));
    proxy.resume().await;
    let mut sender = spawn("drain", &proxy.base_url(), &database, WRITES);
    assert!(eventually(Duration::from_secs(60), || proxy.answered_writes() >= 100).await);
    sender.kill().expect("SIGKILL the sender");
    let _ = sender.wait();
    let delivered_before = server.contacts().await.len();
    assert!(delivered_before < WRITES, "killed mid-drain ({delivered_before} delivered)");

    let drained = finish(spawn("drain", &proxy.base_url(), &database, WRITES)).await;
    assert!(drained.contains("errors=0"), "a replayed create is not an error: {drained}");
    let names = server_names(&server).await;
    assert_eq!(names.keys().cloned().collect::<Vec<_>>(), expected(WRITES));
    assert!(names.values().all(|&n| n == 1), "no duplicates");
    let posts = posted_names(&proxy);
    assert!(
        posts.len() >= WRITES && posts.len() <= WRITES + 1,
        "at most the one in flight is sent twice: {}",
        posts.len()
    );
    let _ = std::fs::remove_file(database);
}
