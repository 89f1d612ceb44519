//! The contacts reference server: the REST API of `openapi.yaml` plus the Electric Shape
//! endpoint for its live `contacts` resource, on one port.
//!
//! Each contact belongs to an owner. With `tokens` configured, every request must carry
//! `Authorization: Bearer <token>`, and a token sees and changes only its owner's contacts,
//! through the REST API and the shape endpoint alike (the shape's rows are scoped by the
//! authorization hook, see `sync_server::Access`). Without tokens the server is single-user:
//! for a local demo, every request is the same anonymous owner.

mod auth;
pub mod models;
mod routes;
mod validation;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use sync_server::cors::Cors;
use sync_server::{Access, BuildError, DatabaseKind, ShapeServer, Store, StoreError};

pub use auth::Tokens;

/// Works on SQLite and Postgres alike.
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS contacts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT,
    owner_id TEXT NOT NULL DEFAULT ''
)";

/// The columns a contact has in the spec; `owner_id` is the server's own and never sent.
pub(crate) const CONTACT_COLUMNS: [&str; 4] = ["id", "name", "email", "phone"];

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
    /// Bearer tokens and the owner each acts for; empty for a single-user server.
    pub tokens: HashMap<String, String>,
    /// Browser origins allowed to call the server (default: same origin only).
    pub allowed_origins: Vec<String>,
    /// Rows per snapshot response.
    pub snapshot_chunk_rows: usize,
}

#[derive(Clone)]
pub(crate) struct AppState {
    pub store: Store,
    pub tokens: Arc<Tokens>,
}

/// Opens the database, creates the schema and returns the app's router.
pub async fn app(options: &Options) -> Result<Router, StartError> {
    let store = Store::open(&options.database_url).await?;
    store.execute_batch(SCHEMA).await?;
    add_owner_column(&store).await?;
    store.execute_batch("CREATE INDEX IF NOT EXISTS contacts_owner ON contacts (owner_id, id)").await?;
    let tokens = Arc::new(Tokens::new(options.tokens.clone()));
    let cors = if options.allowed_origins.is_empty() {
        Cors::same_origin()
    } else {
        Cors::allow_origins(options.allowed_origins.iter().cloned())
    }
    .methods("GET, HEAD, POST, PATCH, DELETE, OPTIONS");
    let shape_tokens = Arc::clone(&tokens);
    let shapes = ShapeServer::builder()
        .table("contacts")
        .long_poll_timeout(options.long_poll)
        .snapshot_chunk(options.snapshot_chunk_rows, 4 << 20)
        .cors(cors.clone())
        .authorize(move |request| {
            let owner = shape_tokens.owner(&request.headers);
            async move {
                match owner {
                    Ok(owner) => Access::rows("owner_id = $1", [owner]).with_columns(CONTACT_COLUMNS),
                    Err(denied) => Access::unauthorized(denied.to_string()),
                }
            }
        })
        .build(store.clone())
        .await?;
    if options.reset {
        store.transaction(async |tx| tx.execute("DELETE FROM contacts", &[]).await).await?;
        store.reset_change_log().await?;
    }
    Ok(Router::new()
        .route("/contacts", get(routes::list).post(routes::create))
        .route("/contacts/{id}", get(routes::get).patch(routes::update).delete(routes::delete))
        .route("/analytics", get(routes::analytics))
        .with_state(AppState { store, tokens })
        .merge(shapes.router())
        .layer(axum::middleware::from_fn_with_state(cors, sync_server::cors::middleware)))
}

/// Databases created before contacts had owners get the column (their rows belong to the
/// anonymous owner of a single-user server).
async fn add_owner_column(store: &Store) -> Result<(), StoreError> {
    match store.kind() {
        DatabaseKind::Postgres => {
            store.execute_batch("ALTER TABLE contacts ADD COLUMN IF NOT EXISTS owner_id TEXT NOT NULL DEFAULT ''").await
        }
        DatabaseKind::Sqlite => {
            let present =
                store.query("SELECT 1 FROM pragma_table_info('contacts') WHERE name = 'owner_id'", &[]).await?;
            if present.is_empty() {
                store.execute_batch("ALTER TABLE contacts ADD COLUMN owner_id TEXT NOT NULL DEFAULT ''").await?;
            }
            Ok(())
        }
    }
}
