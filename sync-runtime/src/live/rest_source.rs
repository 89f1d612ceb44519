//! The REST sync source (docs/live-mode.md §7): the list endpoint, fetched at start, after
//! every confirmed write and on an interval; each answer replaces the server rows.

use std::sync::{Arc, Weak};

use tokio::sync::Notify;

use super::collection::{Collection, key_text};
use super::outbox;
use super::store::Meta;
use crate::resource::Spec;

pub(crate) async fn run<S: Spec>(collection: Weak<Collection<S>>, refetch: Arc<Notify>) {
    let mut failures: u32 = 0;
    loop {
        let Some(this) = collection.upgrade() else {
            return;
        };
        let interval = this.config.rest_interval;
        let list = this.ops.list;
        let result = list(this.client.clone(), this.scope.clone()).await;
        let wait = match result {
            Ok(items) => {
                failures = 0;
                let field = this.ops.key_field;
                let rows = items
                    .iter()
                    .filter_map(|item| {
                        let value = (this.ops.item_to_json)(item).ok()?;
                        let key = key_text(value.get(field)?);
                        Some((key, None, value))
                    })
                    .collect();
                let meta = Meta { schema_version: this.ops.schema.to_owned(), synced: true, ..Meta::default() };
                this.replace_server(rows, meta);
                interval
            }
            Err(error) => {
                let answered = error.status().is_some();
                this.note_reached(answered, Some(error.to_string()));
                let wait = outbox::backoff(failures, None).min(interval);
                failures = failures.saturating_add(1);
                wait
            }
        };
        drop(this);
        // A confirmed write asks for a refetch at once; otherwise wait for the interval.
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = refetch.notified() => {}
        }
    }
}
