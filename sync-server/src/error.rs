//! Errors of the store and of server construction.

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("postgres: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("unsupported database URL `{0}`: use `sqlite:<path>` or `postgres://...`")]
    BadUrl(String),
    #[error("table `{0}` does not exist")]
    NoSuchTable(String),
    #[error("table `{0}` has no primary key; a synced table needs one to key its rows")]
    NoPrimaryKey(String),
    #[error(
        "`{0}` cannot be synced: table and column names must be letters, digits and `_`, not starting with a digit"
    )]
    BadIdentifier(String),
    #[error(
        "column `{column}` has Postgres type `{type_name}`, which the store does not read; cast it to text in the query"
    )]
    UnsupportedType { column: String, type_name: String },
    #[error("change log entry {seq} is corrupt: {reason}")]
    CorruptLog { seq: u64, reason: String },
    #[error("database task failed: {0}")]
    Task(String),
    #[error("the database is busy: every connection is in use")]
    Busy,
}
