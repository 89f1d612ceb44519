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

pub mod cors;
mod cursor;
mod error;
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

pub use error::StoreError;
pub use server::{BuildError, ShapeServer, ShapeServerBuilder};
pub use store::{DatabaseKind, Store, Txid, WriteTx};
pub use value::{Row, SqlValue};
