//! A Rust client for the contacts server, generated from the same `openapi.yaml` by `sync_api!`:
//! the live `contacts` resource through its unified handle (`api.contacts()`), and `/analytics`
//! as an ordinary push call. Flipping `/contacts` to `x-sync: push` changes none of this code.
//!
//! Start a server, then: `cargo run -p contacts-server --example client -- http://127.0.0.1:8080`

use std::error::Error;
use std::time::Duration;

use sync_runtime::futures::{Stream, StreamExt};

mod api {
    sync_macros::sync_api!("openapi.yaml");
}

use api::{Contact, ContactPatch, NewContact};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let base_url = std::env::args().nth(1).ok_or("usage: client <server URL, e.g. http://127.0.0.1:8080>")?;
    let api = api::Client::new(base_url)?;
    let contacts = api.contacts();
    println!("`contacts` is a {:?} resource", contacts.mode());

    // `watch` yields the list now and again whenever it changes. Each write below is followed
    // by one read of the stream, so the output shows every step.
    let mut watch = Box::pin(contacts.watch());
    show("watch: now", next(&mut watch).await?);

    let ada = NewContact { name: "Ada Lovelace".into(), email: "ada@example.com".into(), ..Default::default() };
    let ada = contacts.create(ada).await?;
    println!("\ncreated {} with id {}", ada.name, ada.id);
    show("watch: after create", next(&mut watch).await?);

    let grace = NewContact {
        name: "Grace Hopper".into(),
        email: "grace@navy.example".into(),
        phone: Some(Some("+1 555 0100".into())),
        ..Default::default()
    };
    let grace = contacts.create(grace).await?;
    println!("\ncreated {} with id {}", grace.name, grace.id);
    show("watch: after create", next(&mut watch).await?);

    // `Some(Some(..))` sets a field; `None` leaves it as it is.
    let patch = ContactPatch { phone: Some(Some("+44 20 7946 0000".into())), ..Default::default() };
    contacts.update(ada.id, patch).await?;
    println!("\ngave {} a phone number", ada.name);
    show("watch: after update", next(&mut watch).await?);

    // The server rejects a bad contact; the error carries the spec's `ValidationErrors`.
    let bad = NewContact { name: " ".into(), email: "not-an-email".into(), ..Default::default() };
    match contacts.create(bad).await {
        Err(sync_runtime::Error::Api { status, body }) => {
            println!("\na bad contact was rejected ({status}):");
            for error in &body.errors {
                println!("  {}: {}", error.field, error.message);
            }
        }
        other => return Err(format!("expected a 422, got {other:?}").into()),
    }

    contacts.delete(grace.id).await?;
    println!("\ndeleted {}", grace.name);
    show("watch: after delete", next(&mut watch).await?);

    // A one-off read, for code that does not need to follow changes.
    show("\nlist", contacts.list().await?);

    // `/analytics` is `x-sync: push`: a plain request/response call.
    let analytics = api.get_analytics().await?;
    println!("\nanalytics: total_contacts {}, with_phone {}", analytics.total_contacts, analytics.with_phone);
    for domain in &analytics.email_domains {
        println!("  {:<20} {}", domain.domain, domain.count);
    }
    Ok(())
}

/// The watch stream's next list; a bound keeps a stalled server from hanging the example.
async fn next(watch: &mut (impl Stream<Item = Vec<Contact>> + Unpin)) -> Result<Vec<Contact>, String> {
    match tokio::time::timeout(Duration::from_secs(10), watch.next()).await {
        Ok(Some(list)) => Ok(list),
        Ok(None) => Err("the watch stream ended".into()),
        Err(_) => Err("the watch stream showed no change within 10 s".into()),
    }
}

fn show(label: &str, contacts: Vec<Contact>) {
    let count = match contacts.len() {
        1 => "1 contact".to_owned(),
        n => format!("{n} contacts"),
    };
    println!("{label} ({count})");
    for contact in contacts {
        let phone = contact.phone.flatten().map(|phone| format!(", {phone}")).unwrap_or_default();
        println!("  {} <{}>{phone}", contact.name, contact.email);
    }
}
