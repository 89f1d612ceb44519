//! Configuring the endpoint: which tables it serves and how long live requests wait.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;

use crate::error::StoreError;
use crate::schema::TableSchema;
use crate::store::Store;

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
}

pub struct ShapeServerBuilder {
    tables: Vec<String>,
    long_poll: Duration,
    max_changes_per_response: usize,
}

impl ShapeServer {
    pub fn builder() -> ShapeServerBuilder {
        ShapeServerBuilder { tables: Vec::new(), long_poll: Duration::from_secs(20), max_changes_per_response: 10_000 }
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
    /// default is 20 s).
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
            }),
        })
    }
}
