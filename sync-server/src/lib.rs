//! An embedded, ElectricSQL-compatible HTTP Shape endpoint.
//!
//! Live resources in sync-patterns stream rows with Electric's Shape protocol. In production
//! that is Electric in front of Postgres; this crate serves the same protocol from inside an
//! axum app, over SQLite (embedded, the default) or Postgres, so one binary can go live.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use sync_server::{ShapeServer, Store, SqlValue};
//!
//! let store = Store::open("sqlite:app.db").await?;
//! store.execute_batch("CREATE TABLE IF NOT EXISTS todos (id TEXT PRIMARY KEY, title TEXT NOT NULL)").await?;
//! let shapes = ShapeServer::builder().table("todos").build(store.clone()).await?;
//! let app = axum::Router::new().merge(shapes.router());
//!
//! // In a write handler: the txid goes to the client in `x-electric-txid`.
//! let ((), txid) = store
//!     .transaction(async |tx| {
//!         tx.execute("INSERT INTO todos (id, title) VALUES ($1, $2)", &["1".into(), SqlValue::from("milk")]).await?;
//!         Ok::<_, sync_server::StoreError>(())
//!     })
//!     .await?;
//! # let _ = (app, txid); Ok(()) }
//! ```
//!
//! What keeps one request from crashing or starving the server, all configurable on
//! [`ShapeServerBuilder`]: `where` clauses are bounded in length, nesting, conditions and
//! values ([`WhereLimits`]), URLs in length (414), and every limit is a 400 that says which;
//! snapshots are served in chunks of bounded rows and bytes (several responses, each ending in
//! an offset, as Electric does), with a cap on chunks built at once; reads share a bounded
//! connection pool (503 with `retry-after` when it stays exhausted); a live request answers at
//! its deadline even while catching up. Who may read which rows and columns is the app's
//! [`authorization hook`](ShapeServerBuilder::authorize); which browser origins may read is
//! [`cors::Cors`] (same origin by default). Offsets carry a fingerprint of the log entry they
//! name, so a database restored from a backup sends clients that are ahead of it a 409.

mod auth;
mod chunks;
pub mod cors;
mod cursor;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod handle;
mod http;
mod messages;
mod offset;
mod request;
mod schema;
mod server;
mod shape;
mod store;
mod value;
mod where_clause;

pub use auth::{Access, ShapeRequest};
pub use error::StoreError;
pub use server::{BuildError, ShapeServer, ShapeServerBuilder};
pub use store::{DatabaseKind, Store, Txid, WriteTx};
pub use value::{Row, SqlValue};
pub use where_clause::Limits as WhereLimits;
