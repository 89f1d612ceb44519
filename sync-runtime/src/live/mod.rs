//! Live resources (`x-sync: live`): the local-first engine behind [`Resource`](crate::Resource)
//! (docs/live-mode.md, docs/outbox.md).
//!
//! - [`store`]: the SQLite file holding server rows, the sync position and the outbox;
//! - `collection`: one collection's rows, pending writes, view and outbox sender;
//! - [`shape`]: a client of ElectricSQL's HTTP Shape protocol; `rest_source`: the REST list
//!   as sync source;
//! - [`outbox`]: outcome classification and backoff; [`status`]: the sync status.
//!
//! Settings are per API base URL ([`configure`]): where the SQLite file is (in memory when
//! none), the user scope, the shape endpoint. Collections are shared by every handle of the
//! process that names the same base URL, user scope, resource and parent parameters.

// Without the engine, generated code still builds `LiveOps`, which then goes unread.
#[cfg_attr(not(feature = "live"), allow(dead_code))]
mod ops;
#[cfg_attr(not(feature = "live"), allow(dead_code))]
mod status;

#[cfg(feature = "live")]
pub(crate) mod collection;
#[cfg(feature = "live")]
pub mod outbox;
#[cfg(feature = "live")]
mod registry;
#[cfg(feature = "live")]
mod rest_source;
#[cfg(feature = "live")]
pub mod shape;
#[cfg(feature = "live")]
pub mod store;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub(crate) use ops::Answer;
pub use ops::{LiveOps, WriteOp};
#[cfg(feature = "live")]
pub use registry::{clear_user_scope, config, configure, set_user_scope};
pub use status::{SyncState, SyncStatus};
#[cfg(feature = "live")]
pub use store::StoreError;

#[cfg(feature = "live")]
pub(crate) use status::stream as status_stream;

use crate::error::Error;

/// Settings of the live resources of one API base URL; see [`configure`].
#[derive(Debug, Clone)]
pub struct LiveConfig {
    /// The SQLite file rows and the outbox are kept in; in memory (lost at exit) when `None`.
    pub database: Option<PathBuf>,
    /// The signed-in user's id, or any string that separates one user's data from another's;
    /// empty for an app without users.
    pub user_scope: String,
    /// The Shape endpoint; `<base URL>/v1/shape` when `None`.
    pub shape_url: Option<String>,
    /// How often the REST source refetches the list when nothing was written (10 s).
    pub rest_interval: Duration,
    /// How long a send lease lasts without renewal (10 s): a process that dies frees its
    /// queues this long after.
    pub lease: Duration,
}

impl Default for LiveConfig {
    fn default() -> Self {
        LiveConfig {
            database: None,
            user_scope: String::new(),
            shape_url: None,
            rest_interval: Duration::from_secs(10),
            lease: Duration::from_secs(10),
        }
    }
}

/// A write that failed for good, as the resource's `errors()` stream reports it.
#[derive(Debug)]
pub struct WriteError<E> {
    /// The outbox entry's id.
    pub id: String,
    pub op: WriteOp,
    /// The key of the row written, as JSON.
    pub key: serde_json::Value,
    pub error: Arc<Error<E>>,
    /// For a write rolled back because an earlier write to the same key was rejected: that
    /// write's id.
    pub caused_by: Option<String>,
}

impl<E> Clone for WriteError<E> {
    fn clone(&self) -> Self {
        WriteError {
            id: self.id.clone(),
            op: self.op,
            key: self.key.clone(),
            error: Arc::clone(&self.error),
            caused_by: self.caused_by.clone(),
        }
    }
}

#[cfg(feature = "live")]
pub(crate) use registry::collection as registry_collection;
