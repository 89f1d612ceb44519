//! Configuring the endpoint: which tables it serves, who may read what, and the bounds that
//! keep any one request from starving the others.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use tokio::sync::Semaphore;

use crate::auth::{Access, Authorizer, ShapeRequest};
use crate::chunks::ChunkCursors;
use crate::cors::Cors;
use crate::error::StoreError;
use crate::schema::TableSchema;
use crate::store::Store;
use crate::where_clause::Limits;

/// Why a [`ShapeServer`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("no tables to serve: call ShapeServerBuilder::table for each table clients may sync")]
    NoTables,
    #[error("cannot serve table `{table}`: {source}")]
    Table { table: String, source: StoreError },
}

/// An ElectricSQL-compatible Shape endpoint over a [`Store`]. Clients may only sync the tables
/// registered on the builder.
#[derive(Clone)]
pub struct ShapeServer {
    pub(crate) state: Arc<ServerState>,
}

pub(crate) struct ServerState {
    pub store: Store,
    pub tables: HashMap<String, Arc<TableSchema>>,
    pub long_poll: Duration,
    pub max_changes_per_response: usize,
    pub snapshot_rows_per_response: usize,
    pub snapshot_bytes_per_response: usize,
    /// Bounds the snapshot chunks being read and encoded at once.
    pub snapshot_permits: Semaphore,
    pub chunks: ChunkCursors,
    pub where_limits: Limits,
    pub max_url_bytes: usize,
    pub authorizer: Option<Authorizer>,
    pub cors: Cors,
}

pub struct ShapeServerBuilder {
    tables: Vec<String>,
    long_poll: Duration,
    max_changes_per_response: usize,
    snapshot_rows_per_response: usize,
    snapshot_bytes_per_response: usize,
    max_concurrent_snapshots: usize,
    where_limits: Limits,
    max_url_bytes: usize,
    authorizer: Option<Authorizer>,
    cors: Cors,
}

impl ShapeServer {
    pub fn builder() -> ShapeServerBuilder {
        ShapeServerBuilder {
            tables: Vec::new(),
            long_poll: Duration::from_secs(20),
            max_changes_per_response: 10_000,
            snapshot_rows_per_response: 10_000,
            snapshot_bytes_per_response: 4 << 20,
            max_concurrent_snapshots: 4,
            where_limits: Limits::default(),
            max_url_bytes: 64 * 1024,
            authorizer: None,
            cors: Cors::same_origin(),
        }
    }

    /// A router serving `GET /v1/shape` (and its CORS preflight); merge it into the app.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/v1/shape", get(crate::http::shape).options(crate::http::shape_preflight))
            .with_state(self.state.clone())
    }

    pub fn store(&self) -> &Store {
        &self.state.store
    }
}

impl ShapeServerBuilder {
    /// Allows clients to sync `table`, installing its change-capture triggers at build time.
    pub fn table(mut self, name: impl Into<String>) -> Self {
        self.tables.push(name.into());
        self
    }

    /// How long a live request waits for a change before answering up-to-date (Electric's
    /// default is 20 s). Catching up on a long backlog also stops at this deadline.
    pub fn long_poll_timeout(mut self, timeout: Duration) -> Self {
        self.long_poll = timeout;
        self
    }

    /// Log entries read per response while catching up; a client needs more round trips for a
    /// long backlog, but no response grows without bound.
    pub fn max_changes_per_response(mut self, limit: usize) -> Self {
        self.max_changes_per_response = limit.max(1);
        self
    }

    /// Rows and body bytes per snapshot response (default 10,000 rows, 4 MiB): a larger shape
    /// is served in several responses, so memory per request stays bounded.
    pub fn snapshot_chunk(mut self, rows: usize, bytes: usize) -> Self {
        self.snapshot_rows_per_response = rows.max(1);
        self.snapshot_bytes_per_response = bytes.max(1);
        self
    }

    /// Snapshot chunks built at once (default 4); more requests wait a few seconds, then get
    /// a 503 the client retries.
    pub fn max_concurrent_snapshots(mut self, limit: usize) -> Self {
        self.max_concurrent_snapshots = limit.max(1);
        self
    }

    /// Bounds on `where` clauses (length, nesting, conditions, IN values).
    pub fn where_limits(mut self, limits: Limits) -> Self {
        self.where_limits = limits;
        self
    }

    /// The longest request URL served (default 64 KiB); longer ones get 414.
    pub fn max_url_bytes(mut self, limit: usize) -> Self {
        self.max_url_bytes = limit;
        self
    }

    /// Decides, for every shape request, whether it is allowed and which rows and columns it
    /// may see (see [`Access`]). Without it every row and column of a served table is public.
    pub fn authorize<F, Fut>(mut self, authorize: F) -> Self
    where
        F: Fn(ShapeRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Access> + Send + 'static,
    {
        self.authorizer = Some(Authorizer::new(authorize));
        self
    }

    /// Which browser origins may read shapes (default: same origin only).
    pub fn cors(mut self, cors: Cors) -> Self {
        self.cors = cors;
        self
    }

    pub async fn build(self, store: Store) -> Result<ShapeServer, BuildError> {
        if self.tables.is_empty() {
            return Err(BuildError::NoTables);
        }
        let mut tables = HashMap::new();
        for table in self.tables {
            let schema = store
                .prepare_table(&table)
                .await
                .map_err(|source| BuildError::Table { table: table.clone(), source })?;
            tables.insert(table, Arc::new(schema));
        }
        Ok(ShapeServer {
            state: Arc::new(ServerState {
                store,
                tables,
                long_poll: self.long_poll,
                max_changes_per_response: self.max_changes_per_response,
                snapshot_rows_per_response: self.snapshot_rows_per_response,
                snapshot_bytes_per_response: self.snapshot_bytes_per_response,
                snapshot_permits: Semaphore::new(self.max_concurrent_snapshots),
                chunks: ChunkCursors::default(),
                where_limits: self.where_limits,
                max_url_bytes: self.max_url_bytes,
                authorizer: self.authorizer,
                cors: self.cors,
            }),
        })
    }
}
