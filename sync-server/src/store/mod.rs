//! The database behind the endpoint: SQLite (default, embedded) or Postgres.
//!
//! Every served table gets triggers that append each row change to the `_sync_changes` log in
//! the same transaction as the write, so a change is logged if and only if it commits. Log
//! positions are assigned in commit order (see the backend modules for how), which is what
//! lets a reader that has seen position `n` ask for "everything after `n`" and never miss a
//! change. Applications write through [`Store::transaction`], which returns the transaction id
//! that the log records for each change, for the client to confirm its optimistic write.

mod postgres;
mod sqlite;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};
use tokio::sync::watch;

use crate::error::StoreError;
use crate::schema::TableSchema;
use crate::value::{Row, SqlValue};
use crate::where_clause::Filter;

/// A transaction id as it appears in change messages' `headers.txids` (on Postgres the 32-bit
/// `xid`, as Electric reports it; on SQLite a counter kept by the store).
pub type Txid = i64;

/// Which database a [`Store`] talks to, for applications that issue dialect-specific DDL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    backend: Arc<Backend>,
}

enum Backend {
    Sqlite(sqlite::SqliteStore),
    Postgres(postgres::PgStore),
}

/// An open write transaction. SQL uses `$1, $2, ...` placeholders on both databases.
pub struct WriteTx<'a> {
    inner: TxInner<'a>,
    txid: Txid,
}

enum TxInner<'a> {
    Sqlite(&'a mut rusqlite::Connection),
    Postgres(&'a tokio_postgres::Transaction<'a>),
}

impl WriteTx<'_> {
    /// The id recorded in `headers.txids` of every change this transaction makes.
    pub fn txid(&self) -> Txid {
        self.txid
    }

    /// Runs a statement; returns the number of rows it changed.
    pub async fn execute(&mut self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError> {
        match &mut self.inner {
            TxInner::Sqlite(connection) => sqlite::execute(connection, sql, params),
            TxInner::Postgres(transaction) => postgres::execute(transaction, sql, params).await,
        }
    }

    /// Runs a query and returns its rows.
    pub async fn query(&mut self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, StoreError> {
        match &mut self.inner {
            TxInner::Sqlite(connection) => sqlite::query(connection, sql, params),
            TxInner::Postgres(transaction) => postgres::query(transaction, sql, params).await,
        }
    }
}

/// The log's identity and retention, read together with the data they describe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LogMeta {
    /// Random id of this database's change log; a new database gets a new epoch.
    pub epoch: String,
    /// Entries up to this position have been deleted.
    pub compacted_through: u64,
}

/// The log's identity and end, read together in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LogPoint {
    pub meta: LogMeta,
    pub head: u64,
    /// [`entry_fingerprint`] of the entry at `head`, which offsets carry so that a restored or
    /// replaced database that reuses a position is noticed (see `crate::offset`).
    pub head_fingerprint: u32,
}

/// One chunk of a shape's rows in primary-key order, as of log position `point.head`, values
/// as text in the selected column order.
pub(crate) struct Snapshot {
    pub point: LogPoint,
    pub rows: Vec<Vec<Option<String>>>,
    /// Whether rows follow after the last one in this chunk.
    pub more: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    Insert,
    Update,
    Delete,
}

/// One captured row change: column name -> text value (or null).
pub(crate) struct LogEntry {
    pub position: u64,
    pub operation: Operation,
    pub new: Option<Map<String, Value>>,
    pub old: Option<Map<String, Value>>,
    pub txid: Option<Txid>,
}

/// Log entries of one table after some position.
pub(crate) struct ChangeBatch {
    pub point: LogPoint,
    pub entries: Vec<LogEntry>,
    /// The position the reader has seen everything up to (all tables): the last entry read
    /// when the batch is full, otherwise the head of the log.
    pub scanned_to: u64,
    pub scanned_fingerprint: u32,
    /// The fingerprint of the log at the position read after; `None` if this log never had
    /// that position.
    pub after_fingerprint: Option<u32>,
}

/// How long a request waits for a database connection before answering 503.
pub(crate) const READ_WAIT: Duration = Duration::from_secs(5);

/// The fingerprint of position 0, before any entry.
pub(crate) const EMPTY_FINGERPRINT: u32 = 1;

/// Identifies one log entry by everything stored in it, as a non-zero 31-bit number (so that
/// offsets stay small integers for clients that parse them). A database restored from a backup
/// reuses positions for different entries; their fingerprints differ.
pub(crate) fn entry_fingerprint(
    position: u64,
    table: &str,
    operation: &str,
    new: Option<&str>,
    old: Option<&str>,
    txid: Option<i64>,
) -> u32 {
    let text = format!("{position}|{table}|{operation}|{new:?}|{old:?}|{txid:?}");
    (crate::handle::stable_hash(&text) as u32 & 0x7fff_ffff) | 1
}

/// A random fingerprint for a log that was emptied, so no earlier offset matches it.
pub(crate) fn fresh_fingerprint() -> u32 {
    (uuid::Uuid::new_v4().as_u64_pair().0 as u32 & 0x7fff_ffff) | 1
}

impl Store {
    /// Opens `sqlite:<path>` (also a bare path) or `postgres://...` / `postgresql://...`.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Store::postgres(url).await
        } else if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            Store::sqlite(path).await
        } else if url.contains("://") {
            Err(StoreError::BadUrl(url.to_owned()))
        } else {
            Store::sqlite(url).await
        }
    }

    /// Opens (creating if needed) a SQLite database file in WAL mode.
    pub async fn sqlite(path: impl Into<std::path::PathBuf>) -> Result<Store, StoreError> {
        let (head_sender, _) = watch::channel(0);
        let store = sqlite::SqliteStore::open(path.into(), head_sender).await?;
        let store = Store { backend: Arc::new(Backend::Sqlite(store)) };
        sqlite::spawn_head_poller(Arc::downgrade(&store.backend));
        Ok(store)
    }

    /// Connects to Postgres with a libpq-style URL or key=value string.
    pub async fn postgres(config: &str) -> Result<Store, StoreError> {
        let (head_sender, _) = watch::channel(0);
        let store = postgres::PgStore::open(config, head_sender).await?;
        let listener_config = store.config().clone();
        let store = Store { backend: Arc::new(Backend::Postgres(store)) };
        postgres::spawn_listener(Arc::downgrade(&store.backend), listener_config);
        Ok(store)
    }

    pub fn kind(&self) -> DatabaseKind {
        match &*self.backend {
            Backend::Sqlite(_) => DatabaseKind::Sqlite,
            Backend::Postgres(_) => DatabaseKind::Postgres,
        }
    }

    /// Runs several statements without parameters (schema setup).
    pub async fn execute_batch(&self, sql: &str) -> Result<(), StoreError> {
        match &*self.backend {
            Backend::Sqlite(store) => store.execute_batch(sql).await,
            Backend::Postgres(store) => store.execute_batch(sql).await,
        }
    }

    /// Runs a read query outside any write transaction.
    pub async fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, StoreError> {
        match &*self.backend {
            Backend::Sqlite(store) => store.query(sql, params).await,
            Backend::Postgres(store) => store.query(sql, params).await,
        }
    }

    /// Runs `work` in one write transaction and commits it if `work` succeeds (rolls back if it
    /// fails or is cancelled). Returns `work`'s result and the transaction id its changes carry
    /// in the shape log, which the application returns to the writer (`x-electric-txid`).
    pub async fn transaction<T, E>(
        &self,
        work: impl AsyncFnOnce(&mut WriteTx<'_>) -> Result<T, E>,
    ) -> Result<(T, Txid), E>
    where
        E: From<StoreError>,
    {
        match &*self.backend {
            Backend::Sqlite(store) => store.transaction(work).await,
            Backend::Postgres(store) => store.transaction(work).await,
        }
    }

    /// Deletes log entries up to `through` (clamped to the head). Clients that have not read
    /// that far get a 409 and refetch the shape.
    pub async fn compact_log(&self, through: u64) -> Result<(), StoreError> {
        match &*self.backend {
            Backend::Sqlite(store) => store.compact_log(through).await,
            Backend::Postgres(store) => store.compact_log(through).await,
        }
    }

    /// Empties the change log and gives it a new epoch, as if the database were new: every
    /// client refetches its shapes. For tests and demos that wipe their data.
    pub async fn reset_change_log(&self) -> Result<(), StoreError> {
        match &*self.backend {
            Backend::Sqlite(store) => store.reset_change_log().await,
            Backend::Postgres(store) => store.reset_change_log().await,
        }
    }

    /// The current end of the log.
    pub async fn head(&self) -> Result<u64, StoreError> {
        match &*self.backend {
            Backend::Sqlite(store) => store.head().await,
            Backend::Postgres(store) => store.head().await,
        }
    }

    /// Reads a served table's columns and installs its change-capture triggers (replacing
    /// older ones, so a changed table gets triggers for its current columns).
    pub(crate) async fn prepare_table(&self, table: &str) -> Result<TableSchema, StoreError> {
        if !crate::schema::is_plain_identifier(table) {
            return Err(StoreError::BadIdentifier(table.to_owned()));
        }
        let schema = match &*self.backend {
            Backend::Sqlite(store) => store.prepare_table(table).await?,
            Backend::Postgres(store) => store.prepare_table(table).await?,
        };
        if let Some(column) = schema.columns.iter().find(|c| !crate::schema::is_plain_identifier(&c.name)) {
            return Err(StoreError::BadIdentifier(column.name.clone()));
        }
        Ok(schema)
    }

    /// Up to `limit` rows of the shape after primary key `after_key` (text renderings).
    pub(crate) async fn snapshot(
        &self,
        table: &TableSchema,
        columns: &[usize],
        filter: &Filter,
        after_key: Option<Vec<String>>,
        limit: usize,
    ) -> Result<Snapshot, StoreError> {
        match &*self.backend {
            Backend::Sqlite(store) => store.snapshot(table, columns, filter, after_key, limit).await,
            Backend::Postgres(store) => store.snapshot(table, columns, filter, after_key, limit).await,
        }
    }

    pub(crate) async fn changes(&self, table: &str, after: u64, limit: usize) -> Result<ChangeBatch, StoreError> {
        match &*self.backend {
            Backend::Sqlite(store) => store.changes(table, after, limit).await,
            Backend::Postgres(store) => store.changes(table, after, limit).await,
        }
    }

    pub(crate) async fn point(&self) -> Result<LogPoint, StoreError> {
        match &*self.backend {
            Backend::Sqlite(store) => store.point().await,
            Backend::Postgres(store) => store.point().await,
        }
    }

    /// Watches the head of the log; updated after commits, so long polls wake on new changes.
    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        match &*self.backend {
            Backend::Sqlite(store) => store.head_sender().subscribe(),
            Backend::Postgres(store) => store.head_sender().subscribe(),
        }
    }
}

/// Raises the watched head; never lowers it, whichever notification arrives first.
pub(crate) fn publish_head(sender: &watch::Sender<u64>, head: u64) {
    sender.send_if_modified(|current| {
        let raised = head > *current;
        if raised {
            *current = head;
        }
        raised
    });
}

fn new_epoch() -> String {
    let (high, _) = uuid::Uuid::new_v4().as_u64_pair();
    format!("{high:016x}")
}

/// Decodes one stored log row.
fn log_entry(
    position: u64,
    operation: &str,
    new: Option<String>,
    old: Option<String>,
    txid: Option<i64>,
) -> Result<LogEntry, StoreError> {
    let corrupt = |reason: String| StoreError::CorruptLog { seq: position, reason };
    let operation = match operation {
        "insert" => Operation::Insert,
        "update" => Operation::Update,
        "delete" => Operation::Delete,
        other => return Err(corrupt(format!("unknown operation `{other}`"))),
    };
    let parse = |json: Option<String>| -> Result<Option<Map<String, Value>>, StoreError> {
        json.map(|text| match serde_json::from_str(&text) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(corrupt("row is not a JSON object".into())),
            Err(error) => Err(corrupt(error.to_string())),
        })
        .transpose()
    };
    Ok(LogEntry { position, operation, new: parse(new)?, old: parse(old)?, txid })
}

/// Splits column pairs into groups small enough for one `json_object`/`json_build_object`
/// call (both limit a function to 100 arguments).
const COLUMNS_PER_JSON_CALL: usize = 50;
