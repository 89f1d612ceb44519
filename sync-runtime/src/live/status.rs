//! A live collection's sync status (docs/live-mode.md §2): a value, and a stream of its changes.

use futures_core::Stream;

/// Where a collection stands; see the table in docs/live-mode.md §2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncState {
    /// No rows yet: nothing persisted and the first sync has not finished.
    Loading,
    /// Rows from the persisted copy or the server; the stream is connected or connecting.
    Ready,
    /// The last attempt to reach the sync source or the API failed.
    Offline,
}

/// The sync status of one live collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncStatus {
    pub state: SyncState,
    /// Entries in the outbox for this scope.
    pub pending_writes: usize,
    /// The last sync or write error, cleared by the next success.
    pub last_error: Option<String>,
    /// Whether the last request reached the server.
    pub online: bool,
}

impl SyncStatus {
    pub(crate) fn new(state: SyncState, pending_writes: usize) -> SyncStatus {
        SyncStatus { state, pending_writes, last_error: None, online: false }
    }
}

/// The status now, then after every change; ends when the collection stops.
pub(crate) fn stream(receiver: tokio::sync::watch::Receiver<SyncStatus>) -> impl Stream<Item = SyncStatus> + Send {
    futures_util::stream::unfold((receiver, true), |(mut receiver, first)| async move {
        if !first && receiver.changed().await.is_err() {
            return None;
        }
        let status = receiver.borrow_and_update().clone();
        Some((status, (receiver, false)))
    })
}
