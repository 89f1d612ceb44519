//! SQLite backend. Writers are serialized by SQLite itself (one write transaction at a time,
//! `BEGIN IMMEDIATE`), so the AUTOINCREMENT positions the triggers assign are in commit order.
//! Readers use WAL-mode connections from a bounded pool shared by all requests and see a
//! consistent snapshot per read transaction, so a snapshot's rows and the log head it reports
//! always agree. An open write transaction holds SQLite's single write lock, so other writers
//! wait for it: that is SQLite's design, not this store's (use Postgres for many writers).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql, params_from_iter};
use tokio::sync::{Semaphore, watch};

use super::{
    Backend, COLUMNS_PER_JSON_CALL, ChangeBatch, LogMeta, LogPoint, READ_WAIT, Snapshot, TxInner, Txid, WriteTx,
    entry_fingerprint, log_entry, new_epoch, publish_head,
};
use crate::error::StoreError;
use crate::schema::{Column, ColumnKind, TableSchema, sqlite_column_type};
use crate::value::{Row, SqlValue};
use crate::where_clause::{Filter, TypedValue};

/// Read connections open at most, shared by all requests; a request waits up to
/// [`READ_WAIT`] for one, then fails with [`StoreError::Busy`] (a 503 the client retries).
const MAX_READERS: usize = 8;
/// How often the head is re-read to notice writes made by other connections or processes
/// (writes through [`super::Store::transaction`] are published immediately).
const HEAD_POLL_INTERVAL: Duration = Duration::from_millis(500);

const SETUP: &str = "
CREATE TABLE IF NOT EXISTS _sync_meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    epoch TEXT NOT NULL,
    compacted_through INTEGER NOT NULL DEFAULT 0,
    last_txid INTEGER NOT NULL DEFAULT 0,
    -- Set while a Store::transaction is open, so triggers can record its id; NULL otherwise.
    current_txid INTEGER
);
-- AUTOINCREMENT: positions are never reused, even after the newest entries are compacted.
CREATE TABLE IF NOT EXISTS _sync_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name TEXT NOT NULL,
    op TEXT NOT NULL,
    new_row TEXT,
    old_row TEXT,
    txid INTEGER
);
CREATE INDEX IF NOT EXISTS _sync_changes_table ON _sync_changes (table_name, seq);
-- The fingerprint of the entry at compacted_through, which compaction deleted.
CREATE TABLE IF NOT EXISTS _sync_compacted (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint INTEGER NOT NULL
);
";

const HEAD_SQL: &str = "SELECT max(
    COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '_sync_changes'), 0),
    (SELECT compacted_through FROM _sync_meta WHERE id = 1))";

pub(super) struct SqliteStore {
    path: PathBuf,
    writer: tokio::sync::Mutex<Connection>,
    /// Idle read connections; with the permits they bound the connections (and file
    /// descriptors) readers use, however many requests wait.
    readers: Arc<Mutex<Vec<Connection>>>,
    reader_permits: Arc<Semaphore>,
    head: watch::Sender<u64>,
}

fn connect(path: &PathBuf) -> Result<Connection, StoreError> {
    let connection = Connection::open(path)?;
    connection.busy_timeout(Duration::from_secs(10))?;
    // WAL lets readers run alongside the single writer; NORMAL sync is durable across crashes
    // of the process (not of the machine), the usual trade-off for WAL.
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(connection)
}

impl SqliteStore {
    pub(super) async fn open(path: PathBuf, head: watch::Sender<u64>) -> Result<Self, StoreError> {
        let writer = connect(&path)?;
        writer.execute_batch(SETUP)?;
        writer.execute("INSERT OR IGNORE INTO _sync_meta (id, epoch) VALUES (1, ?1)", [new_epoch()])?;
        // A previous process may have died inside a transaction; its id must not leak.
        writer.execute("UPDATE _sync_meta SET current_txid = NULL WHERE id = 1", [])?;
        let current = read_head(&writer)?;
        head.send_replace(current);
        Ok(SqliteStore {
            path,
            writer: tokio::sync::Mutex::new(writer),
            readers: Arc::new(Mutex::new(Vec::new())),
            reader_permits: Arc::new(Semaphore::new(MAX_READERS)),
            head,
        })
    }

    pub(super) fn head_sender(&self) -> &watch::Sender<u64> {
        &self.head
    }

    /// Runs `read` on a pooled read connection on the blocking thread pool.
    async fn read<T: Send + 'static>(
        &self,
        read: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let permit = tokio::time::timeout(READ_WAIT, Arc::clone(&self.reader_permits).acquire_owned())
            .await
            .map_err(|_| StoreError::Busy)?
            .map_err(|_| StoreError::Busy)?;
        let (readers, path) = (Arc::clone(&self.readers), self.path.clone());
        // The permit and the connection move into the blocking task, so a cancelled request
        // (client gone) still counts against the bound until its read has finished.
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let pooled = readers.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let mut connection = match pooled {
                Some(connection) => connection,
                None => connect(&path)?,
            };
            let result = read(&mut connection);
            if connection.is_autocommit() {
                readers.lock().unwrap_or_else(|e| e.into_inner()).push(connection);
            }
            result
        })
        .await
        .map_err(|error| StoreError::Task(error.to_string()))?
    }

    pub(super) async fn execute_batch(&self, sql: &str) -> Result<(), StoreError> {
        self.writer.lock().await.execute_batch(sql)?;
        Ok(())
    }

    pub(super) async fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, StoreError> {
        let (sql, params) = (sql.to_owned(), params.to_vec());
        self.read(move |connection| query(connection, &sql, &params)).await
    }

    pub(super) async fn transaction<T, E: From<StoreError>>(
        &self,
        work: impl AsyncFnOnce(&mut WriteTx<'_>) -> Result<T, E>,
    ) -> Result<(T, Txid), E> {
        let mut connection = self.writer.lock().await;
        let mut guard = RollbackGuard::begin(&mut connection)?;
        let txid: Txid = guard
            .connection()
            .query_row(
                "UPDATE _sync_meta SET last_txid = last_txid + 1, current_txid = last_txid + 1
             WHERE id = 1 RETURNING current_txid",
                [],
                |row| row.get(0),
            )
            .map_err(StoreError::from)?;
        let mut tx = WriteTx { inner: TxInner::Sqlite(guard.connection()), txid };
        let value = work(&mut tx).await?;
        let head = guard.commit()?;
        publish_head(&self.head, head);
        Ok((value, txid))
    }

    pub(super) async fn head(&self) -> Result<u64, StoreError> {
        self.read(|connection| read_head(connection)).await
    }

    pub(super) async fn point(&self) -> Result<LogPoint, StoreError> {
        self.read(|connection| {
            let transaction = connection.transaction()?;
            let point = read_point(&transaction)?;
            transaction.commit()?;
            Ok(point)
        })
        .await
    }

    pub(super) async fn compact_log(&self, through: u64) -> Result<(), StoreError> {
        let mut connection = self.writer.lock().await;
        let transaction = connection.transaction()?;
        let head = read_head(&transaction)?;
        let through = through.min(head);
        let meta = read_meta(&transaction)?;
        if through <= meta.compacted_through {
            return Ok(());
        }
        let fingerprint = fingerprint_at(&transaction, through, &meta).unwrap_or(0);
        let through = through as i64;
        transaction.execute(
            "INSERT INTO _sync_compacted (id, fingerprint) VALUES (1, ?1)
             ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint",
            [i64::from(fingerprint)],
        )?;
        transaction.execute("DELETE FROM _sync_changes WHERE seq <= ?1", [through])?;
        transaction
            .execute("UPDATE _sync_meta SET compacted_through = max(compacted_through, ?1) WHERE id = 1", [through])?;
        transaction.commit()?;
        Ok(())
    }

    pub(super) async fn reset_change_log(&self) -> Result<(), StoreError> {
        let mut connection = self.writer.lock().await;
        let transaction = connection.transaction()?;
        let head = read_head(&transaction)?;
        transaction.execute(
            "INSERT INTO _sync_compacted (id, fingerprint) VALUES (1, ?1)
             ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint",
            [i64::from(super::fresh_fingerprint())],
        )?;
        transaction.execute("DELETE FROM _sync_changes", [])?;
        transaction.execute(
            "UPDATE _sync_meta SET epoch = ?1, compacted_through = ?2 WHERE id = 1",
            rusqlite::params![new_epoch(), head as i64],
        )?;
        transaction.commit()?;
        Ok(())
    }

    pub(super) async fn prepare_table(&self, table: &str) -> Result<TableSchema, StoreError> {
        let mut connection = self.writer.lock().await;
        let transaction = connection.transaction()?;
        let mut columns = Vec::new();
        let mut primary_key = Vec::new();
        {
            let mut statement = transaction.prepare("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1)")?;
            let mut rows = statement.query([table])?;
            while let Some(row) = rows.next()? {
                let name: String = row.get(0)?;
                let declared: String = row.get(1)?;
                let pk: i64 = row.get(3)?;
                let (type_name, kind) = sqlite_column_type(&declared);
                if pk > 0 {
                    primary_key.push((pk, columns.len()));
                }
                columns.push(Column {
                    name,
                    type_name,
                    dims: None,
                    kind,
                    not_null: row.get::<_, i64>(2)? != 0 || pk > 0,
                });
            }
        }
        if columns.is_empty() {
            return Err(StoreError::NoSuchTable(table.to_owned()));
        }
        if primary_key.is_empty() {
            return Err(StoreError::NoPrimaryKey(table.to_owned()));
        }
        primary_key.sort();
        let schema = TableSchema {
            namespace: "main".into(),
            name: table.to_owned(),
            columns,
            primary_key: primary_key.into_iter().map(|(_, index)| index).collect(),
        };
        for column in &schema.columns {
            if !crate::schema::is_plain_identifier(&column.name) {
                return Err(StoreError::BadIdentifier(column.name.clone()));
            }
        }
        transaction.execute_batch(&trigger_sql(&schema))?;
        transaction.commit()?;
        Ok(schema)
    }

    pub(super) async fn snapshot(
        &self,
        table: &TableSchema,
        columns: &[usize],
        filter: &Filter,
        after_key: Option<Vec<String>>,
        limit: usize,
    ) -> Result<Snapshot, StoreError> {
        let select: Vec<String> =
            columns.iter().map(|&i| text_expr(&table.columns[i], &format!("\"{}\"", table.columns[i].name))).collect();
        let (condition, mut params) = filter_sql(table, filter);
        // Keyset pagination in primary-key order: each chunk starts after the last key of the
        // one before. Keys are compared in the form they are ordered by.
        let key_exprs: Vec<String> = table.primary_key.iter().map(|&i| key_expr(&table.columns[i])).collect();
        let key_list = key_exprs.join(", ");
        let after = match &after_key {
            Some(key) => {
                params.extend(key.iter().map(|value| SqlValue::Text(value.clone())));
                format!(" AND ({key_list}) > ({})", vec!["?"; key.len()].join(", "))
            }
            None => String::new(),
        };
        let sql = format!(
            "SELECT {} FROM \"{}\" WHERE {condition}{after} ORDER BY {key_list} LIMIT {}",
            select.join(", "),
            table.name,
            limit + 1
        );
        let width = columns.len();
        self.read(move |connection| {
            let transaction = connection.transaction()?;
            let point = read_point(&transaction)?;
            let mut statement = transaction.prepare(&sql)?;
            let mut rows = statement.query(params_from_iter(params.iter()))?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let mut values = Vec::with_capacity(width);
                for index in 0..width {
                    values.push(row.get::<_, Option<String>>(index)?);
                }
                out.push(values);
            }
            drop(rows);
            drop(statement);
            transaction.commit()?;
            let more = out.len() > limit;
            out.truncate(limit);
            Ok(Snapshot { point, rows: out, more })
        })
        .await
    }

    pub(super) async fn changes(&self, table: &str, after: u64, limit: usize) -> Result<ChangeBatch, StoreError> {
        let table = table.to_owned();
        self.read(move |connection| {
            let transaction = connection.transaction()?;
            let point = read_point(&transaction)?;
            let after_fingerprint = fingerprint_at(&transaction, after, &point.meta);
            let mut statement = transaction.prepare_cached(
                "SELECT seq, op, new_row, old_row, txid FROM _sync_changes
                 WHERE table_name = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
            )?;
            let mut rows = statement.query(rusqlite::params![table, after as i64, limit as i64])?;
            let mut entries = Vec::new();
            while let Some(row) = rows.next()? {
                let op: String = row.get(1)?;
                entries.push(log_entry(row.get::<_, i64>(0)? as u64, &op, row.get(2)?, row.get(3)?, row.get(4)?)?);
            }
            drop(rows);
            drop(statement);
            let (scanned_to, scanned_fingerprint) = match entries.last() {
                Some(last) if entries.len() == limit => {
                    (last.position, fingerprint_at(&transaction, last.position, &point.meta).unwrap_or(0))
                }
                _ => (point.head, point.head_fingerprint),
            };
            transaction.commit()?;
            Ok(ChangeBatch { point, entries, scanned_to, scanned_fingerprint, after_fingerprint })
        })
        .await
    }
}

/// Re-reads the head periodically for writes from outside this store; ends with the store.
pub(super) fn spawn_head_poller(backend: Weak<Backend>) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(HEAD_POLL_INTERVAL).await;
            let Some(backend) = backend.upgrade() else { return };
            if let Backend::Sqlite(store) = &*backend
                && let Ok(head) = store.head().await
            {
                publish_head(&store.head, head);
            }
        }
    });
}

/// Positions are stored as SQLite integers (i64) and are never negative.
fn read_head(connection: &Connection) -> Result<u64, StoreError> {
    Ok(connection.query_row(HEAD_SQL, [], |row| row.get::<_, i64>(0))? as u64)
}

/// The log's identity and end, read in the caller's transaction.
fn read_point(connection: &Connection) -> Result<LogPoint, StoreError> {
    let meta = read_meta(connection)?;
    let head = read_head(connection)?;
    let head_fingerprint = fingerprint_at(connection, head, &meta).unwrap_or(0);
    Ok(LogPoint { meta, head, head_fingerprint })
}

/// The fingerprint of the log at `position` (see [`entry_fingerprint`]); `None` for a position
/// this log never had, which only a restored or replaced database shows a client.
fn fingerprint_at(connection: &Connection, position: u64, meta: &LogMeta) -> Option<u32> {
    let entry = connection
        .query_row(
            "SELECT table_name, op, new_row, old_row, txid FROM _sync_changes WHERE seq = ?1",
            [position as i64],
            |row| {
                Ok(entry_fingerprint(
                    position,
                    &row.get::<_, String>(0)?,
                    &row.get::<_, String>(1)?,
                    row.get::<_, Option<String>>(2)?.as_deref(),
                    row.get::<_, Option<String>>(3)?.as_deref(),
                    row.get(4)?,
                ))
            },
        )
        .ok();
    entry.or_else(|| {
        if position == 0 {
            Some(super::EMPTY_FINGERPRINT)
        } else if position == meta.compacted_through {
            connection
                .query_row("SELECT fingerprint FROM _sync_compacted WHERE id = 1", [], |row| row.get::<_, i64>(0))
                .ok()
                .map(|fp| fp as u32)
        } else {
            None
        }
    })
}

fn read_meta(connection: &Connection) -> Result<LogMeta, StoreError> {
    Ok(connection.query_row("SELECT epoch, compacted_through FROM _sync_meta WHERE id = 1", [], |row| {
        Ok(LogMeta { epoch: row.get(0)?, compacted_through: row.get::<_, i64>(1)? as u64 })
    })?)
}

/// Rolls the write transaction back unless it was committed, including when the request
/// handler running it is cancelled (the client went away) between statements.
struct RollbackGuard<'a> {
    connection: &'a mut Connection,
    open: bool,
}

impl<'a> RollbackGuard<'a> {
    fn begin(connection: &'a mut Connection) -> Result<Self, StoreError> {
        // IMMEDIATE takes the write lock now, so positions and txids follow commit order.
        connection.execute_batch("BEGIN IMMEDIATE")?;
        Ok(RollbackGuard { connection, open: true })
    }

    fn connection(&mut self) -> &mut Connection {
        self.connection
    }

    /// Commits and returns the log head the commit produced.
    fn commit(mut self) -> Result<u64, StoreError> {
        self.connection.execute("UPDATE _sync_meta SET current_txid = NULL WHERE id = 1", [])?;
        let head = read_head(self.connection)?;
        self.connection.execute_batch("COMMIT")?;
        self.open = false;
        Ok(head)
    }
}

impl Drop for RollbackGuard<'_> {
    fn drop(&mut self) {
        if self.open && !self.connection.is_autocommit() {
            // Nothing to report to: the caller already has the error that got us here.
            let _ = self.connection.execute_batch("ROLLBACK");
        }
    }
}

/// How a primary-key column is ordered and compared in snapshot chunks: natively where its
/// text rendering parses back to the stored value, by the rendering otherwise.
fn key_expr(column: &Column) -> String {
    let quoted = format!("\"{}\"", column.name);
    match column.kind {
        ColumnKind::Bool | ColumnKind::Blob => text_expr(column, &quoted),
        _ => quoted,
    }
}

/// The text rendering Electric uses for a column value (Postgres' text output format).
fn text_expr(column: &Column, value: &str) -> String {
    match column.kind {
        ColumnKind::Bool => format!("CASE WHEN {value} IS NULL THEN NULL WHEN {value} THEN 'true' ELSE 'false' END"),
        ColumnKind::Blob => format!(
            "CASE WHEN typeof({value}) = 'blob' THEN '\\x' || lower(hex({value})) ELSE CAST({value} AS TEXT) END"
        ),
        _ => format!("CAST({value} AS TEXT)"),
    }
}

/// `json_object(...)` of a row's columns as text, for `NEW` or `OLD`.
fn row_json(table: &TableSchema, row: &str) -> String {
    let parts: Vec<String> = table
        .columns
        .chunks(COLUMNS_PER_JSON_CALL)
        .map(|chunk| {
            let pairs: Vec<String> = chunk
                .iter()
                .map(|column| {
                    format!("'{}', {}", column.name, text_expr(column, &format!("{row}.\"{}\"", column.name)))
                })
                .collect();
            format!("json_object({})", pairs.join(", "))
        })
        .collect();
    parts.into_iter().reduce(|merged, part| format!("json_patch({merged}, {part})")).unwrap_or_default()
}

fn trigger_sql(table: &TableSchema) -> String {
    let name = &table.name;
    let txid = "(SELECT current_txid FROM _sync_meta WHERE id = 1)";
    let (new, old) = (row_json(table, "NEW"), row_json(table, "OLD"));
    format!(
        "DROP TRIGGER IF EXISTS \"_sync_{name}_insert\";
         DROP TRIGGER IF EXISTS \"_sync_{name}_update\";
         DROP TRIGGER IF EXISTS \"_sync_{name}_delete\";
         CREATE TRIGGER \"_sync_{name}_insert\" AFTER INSERT ON \"{name}\" BEGIN
           INSERT INTO _sync_changes (table_name, op, new_row, txid) VALUES ('{name}', 'insert', {new}, {txid});
         END;
         CREATE TRIGGER \"_sync_{name}_update\" AFTER UPDATE ON \"{name}\" BEGIN
           INSERT INTO _sync_changes (table_name, op, new_row, old_row, txid) VALUES ('{name}', 'update', {new}, {old}, {txid});
         END;
         CREATE TRIGGER \"_sync_{name}_delete\" AFTER DELETE ON \"{name}\" BEGIN
           INSERT INTO _sync_changes (table_name, op, old_row, txid) VALUES ('{name}', 'delete', {old}, {txid});
         END;"
    )
}

/// The filter as a SQL condition with `?` parameters. Columns stored natively are compared
/// directly (using their indexes); others by the same text rendering the log carries, so the
/// snapshot and the live log agree on which rows are in the shape.
fn filter_sql(table: &TableSchema, filter: &Filter) -> (String, Vec<SqlValue>) {
    let mut conditions = vec!["1".to_owned()];
    let mut params = Vec::new();
    for term in &filter.terms {
        let column = &table.columns[term.column];
        let quoted = format!("\"{}\"", column.name);
        let subject = match column.kind {
            ColumnKind::Blob | ColumnKind::Other => text_expr(column, &quoted),
            _ => quoted,
        };
        let placeholders = vec!["?"; term.values.len()].join(", ");
        conditions.push(format!("{subject} IN ({placeholders})"));
        params.extend(term.values.iter().map(|value| match value {
            TypedValue::Integer(v) => SqlValue::Integer(*v),
            TypedValue::Real(v) => SqlValue::Real(*v),
            TypedValue::Bool(v) => SqlValue::Integer(i64::from(*v)),
            TypedValue::Text(v) => SqlValue::Text(v.clone()),
        }));
    }
    (conditions.join(" AND "), params)
}

impl ToSql for SqlValue {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            SqlValue::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            SqlValue::Integer(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            SqlValue::Real(v) => ToSqlOutput::Borrowed(ValueRef::Real(*v)),
            SqlValue::Bool(v) => ToSqlOutput::Borrowed(ValueRef::Integer(i64::from(*v))),
            SqlValue::Text(v) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
        })
    }
}

/// Prepares `sql` and binds `$1, $2, ...` by name, so SQL is written the same on both databases.
fn bind<'c>(
    connection: &'c Connection,
    sql: &str,
    params: &[SqlValue],
) -> Result<rusqlite::CachedStatement<'c>, StoreError> {
    let mut statement = connection.prepare_cached(sql)?;
    let expected = statement.parameter_count();
    let mut bound = 0;
    for (index, value) in params.iter().enumerate() {
        if let Some(position) = statement.parameter_index(&format!("${}", index + 1))? {
            statement.raw_bind_parameter(position, value)?;
            bound += 1;
        }
    }
    if bound != expected || bound != params.len() {
        return Err(rusqlite::Error::InvalidParameterCount(params.len(), expected).into());
    }
    Ok(statement)
}

pub(super) fn execute(connection: &Connection, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError> {
    let mut statement = bind(connection, sql, params)?;
    Ok(statement.raw_execute()? as u64)
}

pub(super) fn query(connection: &Connection, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, StoreError> {
    let mut statement = bind(connection, sql, params)?;
    let width = statement.column_count();
    let mut rows = statement.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(width);
        for index in 0..width {
            values.push(match row.get_ref(index)? {
                ValueRef::Null => SqlValue::Null,
                ValueRef::Integer(v) => SqlValue::Integer(v),
                ValueRef::Real(v) => SqlValue::Real(v),
                ValueRef::Text(v) => SqlValue::Text(String::from_utf8_lossy(v).into_owned()),
                ValueRef::Blob(v) => SqlValue::Text(v.iter().map(|b| format!("{b:02x}")).collect()),
            });
        }
        out.push(Row::new(values));
    }
    Ok(out)
}
