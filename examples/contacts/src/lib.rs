//! The contacts reference server: the REST API of `openapi.yaml` plus the Electric Shape
//! endpoint for its live `contacts` resource, on one port.

pub mod models;
mod routes;
mod validation;

use std::time::Duration;

use axum::Router;
use axum::routing::get;
use sync_server::{BuildError, ShapeServer, Store, StoreError};

/// Works on SQLite and Postgres alike.
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS contacts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT
)";

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the database: {0}")]
    Database(#[from] StoreError),
    #[error("cannot serve shapes: {0}")]
    Shapes(#[from] BuildError),
}

pub struct Options {
    /// `sqlite:<path>` or `postgres://...`.
    pub database_url: String,
    pub long_poll: Duration,
    /// Start from an empty database (deletes all contacts and the change log).
    pub reset: bool,
}

/// Opens the database, creates the schema and returns the app's router.
pub async fn app(options: &Options) -> Result<Router, StartError> {
    let store = Store::open(&options.database_url).await?;
    store.execute_batch(SCHEMA).await?;
    let shapes =
        ShapeServer::builder().table("contacts").long_poll_timeout(options.long_poll).build(store.clone()).await?;
    if options.reset {
        store.transaction(async |tx| tx.execute("DELETE FROM contacts", &[]).await).await?;
        store.reset_change_log().await?;
    }
    Ok(Router::new()
        .route("/contacts", get(routes::list).post(routes::create))
        .route("/contacts/{id}", get(routes::get).patch(routes::update).delete(routes::delete))
        .route("/analytics", get(routes::analytics))
        .with_state(store)
        .merge(shapes.router())
        .layer(axum::middleware::from_fn(sync_server::cors::permissive)))
}
