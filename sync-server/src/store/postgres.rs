//! Postgres backend.
//!
//! Ordering without making writers wait: the capture triggers append entries without a log
//! position (`pos` is NULL), so a write transaction takes no lock beyond its own rows and an
//! open transaction blocks nobody. Positions are assigned afterwards, only to committed entries,
//! by a sequencer (one at a time, under an advisory lock writers never take): each run numbers
//! the entries that have become visible since the last run, after every position handed out so
//! far. So a position, once a reader has seen it, is never followed by a smaller one, and every
//! committed change gets exactly one position. Within a run, transactions are ordered by the
//! time of their last entry: two transactions that changed the same row were serialized by its
//! row lock, so the later one wrote its entry after the earlier one had committed, and gets the
//! later positions.
//!
//! A snapshot may include a committed transaction that has no position yet; its entries come
//! after the snapshot's position and are replayed over rows that already have them, which
//! converges (a change replayed in order ends in the same row).
//!
//! Wake-ups: the capture trigger calls `pg_notify`, which Postgres delivers at commit; one
//! LISTEN connection per store runs the sequencer on each notification and publishes the new
//! head for waiting long polls (the sequencer notifies too, for other server processes).

use std::ops::{Deref, DerefMut};
use std::sync::{Mutex, Weak};
use std::time::Duration;

use bytes::BytesMut;
use futures_util::StreamExt;
use tokio::sync::{Semaphore, SemaphorePermit, watch};
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use tokio_postgres::{AsyncMessage, Client, Config, IsolationLevel, NoTls, Transaction};

use super::{
    Backend, COLUMNS_PER_JSON_CALL, ChangeBatch, LogMeta, LogPoint, READ_WAIT, Snapshot, TxInner, Txid, WriteTx,
    entry_fingerprint, log_entry, new_epoch, publish_head,
};
use crate::error::StoreError;
use crate::schema::{Column, ColumnKind, TableSchema, postgres_column_type};
use crate::value::{Row, SqlValue};
use crate::where_clause::{Filter, TypedValue};

/// Advisory lock key serializing the sequencer and compaction ("syncseq" in ASCII). Writers
/// never take it.
const SEQUENCER_LOCK: i64 = 0x0073_796e_6373_6571;
/// Advisory lock key serializing schema setup between server processes ("synclog", the key
/// older versions held in every write transaction).
const SETUP_LOCK: i64 = 0x0073_796e_636c_6f67;
const CHANNEL: &str = "_sync_changes";
/// Connections the store opens at most (long polls hold none while waiting).
const MAX_CONNECTIONS: usize = 16;
const MAX_IDLE: usize = 8;
/// How long a write transaction waits for a connection: writes queue behind each other for
/// connections (not for each other's locks), which can take longer than a read may.
const WRITE_WAIT: Duration = Duration::from_secs(30);
/// Fallback re-read of the head, in case a notification is lost with its connection.
const HEAD_POLL_INTERVAL: Duration = Duration::from_secs(5);

/// Numbers the entries without a position, transaction by transaction in the order of their
/// last entry, after the highest position so far (or the compaction point).
const SEQUENCE_SQL: &str = "
    WITH base AS (
        SELECT GREATEST(
            COALESCE((SELECT max(pos) FROM _sync_changes), 0),
            (SELECT compacted_through FROM _sync_meta WHERE id = 1)
        ) AS last
    ), pending AS (
        SELECT seq, xact, max(logged_at) OVER (PARTITION BY xact) AS finished
        FROM _sync_changes WHERE pos IS NULL
    ), numbered AS (
        SELECT seq, row_number() OVER (ORDER BY finished, xact, seq) AS n FROM pending
    )
    UPDATE _sync_changes c SET pos = base.last + numbered.n
    FROM numbered, base WHERE c.seq = numbered.seq";

const HEAD_SQL: &str = "SELECT GREATEST(COALESCE(max(pos), 0),
    (SELECT compacted_through FROM _sync_meta WHERE id = 1))::bigint FROM _sync_changes";

pub(super) struct PgStore {
    config: Config,
    /// The schema the sync tables live in, to qualify them inside trigger functions (which run
    /// with the writer's search_path, not ours).
    schema: String,
    idle: Mutex<Vec<Client>>,
    permits: Semaphore,
    head: watch::Sender<u64>,
}

/// A connection borrowed from the store, returned on drop unless it broke.
struct Pooled<'a> {
    client: Option<Client>,
    store: &'a PgStore,
    _permit: SemaphorePermit<'a>,
}

impl Deref for Pooled<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client.as_ref().expect("present until drop")
    }
}

impl DerefMut for Pooled<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().expect("present until drop")
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(client) = self.client.take()
            && !client.is_closed()
        {
            let mut idle = self.store.idle.lock().unwrap_or_else(|e| e.into_inner());
            if idle.len() < MAX_IDLE {
                idle.push(client);
            }
        }
    }
}

async fn connect(config: &Config) -> Result<Client, StoreError> {
    let (client, connection) = config.connect(NoTls).await?;
    // The connection future does the I/O; it ends when the client is dropped.
    tokio::spawn(connection);
    Ok(client)
}

impl PgStore {
    pub(super) async fn open(url: &str, head: watch::Sender<u64>) -> Result<Self, StoreError> {
        let config: Config = url.parse()?;
        let mut client = connect(&config).await?;
        let schema: String = client.query_one("SELECT current_schema()::text", &[]).await?.get(0);
        let transaction = client.transaction().await?;
        // Concurrent server processes would race on CREATE OR REPLACE FUNCTION otherwise.
        transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&SETUP_LOCK]).await?;
        // DDL on the log waits for (and, queued, holds up) transactions writing to it: run it
        // only when the schema is not yet what this version needs.
        let ready: bool = transaction
            .query_one(
                "SELECT to_regclass('_sync_changes_pending') IS NOT NULL AND to_regclass('_sync_compacted') IS NOT NULL",
                &[],
            )
            .await?
            .get(0);
        if !ready {
            transaction.batch_execute(SETUP_SQL).await?;
        }
        transaction
            .execute("INSERT INTO _sync_meta (id, epoch) VALUES (1, $1) ON CONFLICT (id) DO NOTHING", &[&new_epoch()])
            .await?;
        let current: i64 = transaction.query_one(HEAD_SQL, &[]).await?.get(0);
        transaction.commit().await?;
        head.send_replace(current as u64);
        Ok(PgStore { config, schema, idle: Mutex::new(vec![client]), permits: Semaphore::new(MAX_CONNECTIONS), head })
    }

    pub(super) fn config(&self) -> &Config {
        &self.config
    }

    pub(super) fn head_sender(&self) -> &watch::Sender<u64> {
        &self.head
    }

    async fn client(&self) -> Result<Pooled<'_>, StoreError> {
        self.client_within(READ_WAIT).await
    }

    /// A pooled connection, waiting at most `wait` for one to be free.
    async fn client_within(&self, wait: Duration) -> Result<Pooled<'_>, StoreError> {
        let permit = tokio::time::timeout(wait, self.permits.acquire())
            .await
            .map_err(|_| StoreError::Busy)?
            .map_err(|_| StoreError::Busy)?;
        let reused = {
            let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
            std::iter::from_fn(|| idle.pop()).find(|client| !client.is_closed())
        };
        let client = match reused {
            Some(client) => client,
            None => connect(&self.config).await?,
        };
        Ok(Pooled { client: Some(client), store: self, _permit: permit })
    }

    pub(super) async fn execute_batch(&self, sql: &str) -> Result<(), StoreError> {
        Ok(self.client().await?.batch_execute(sql).await?)
    }

    pub(super) async fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, StoreError> {
        let client = self.client().await?;
        rows(client.query(sql, &param_refs(params)).await?)
    }

    pub(super) async fn transaction<T, E: From<StoreError>>(
        &self,
        work: impl AsyncFnOnce(&mut WriteTx<'_>) -> Result<T, E>,
    ) -> Result<(T, Txid), E> {
        let mut client = self.client_within(WRITE_WAIT).await?;
        let transaction = client.transaction().await.map_err(StoreError::from)?;
        let txid: Txid = transaction
            .query_one("SELECT pg_current_xact_id()::xid::text::bigint", &[])
            .await
            .map_err(StoreError::from)?
            .get(0);
        let mut tx = WriteTx { inner: TxInner::Postgres(&transaction), txid };
        // Dropping `transaction` on error or cancellation rolls it back.
        let value = work(&mut tx).await?;
        transaction.commit().await.map_err(StoreError::from)?;
        // Number the committed changes before answering, so a client that reads the shape after
        // this write returns finds it there. This waits only for other sequencer runs (one
        // short statement each), never for an open transaction. The write has committed
        // whatever happens here: if this fails, the listener numbers the changes instead.
        let _ = sequence(&mut client).await;
        Ok((value, txid))
    }

    /// Gives the committed entries that have none a position, after all positions so far;
    /// returns how many it numbered.
    pub(super) async fn sequence(&self) -> Result<u64, StoreError> {
        sequence(&mut *self.client().await?).await
    }

    pub(super) async fn head(&self) -> Result<u64, StoreError> {
        let client = self.client().await?;
        Ok(client.query_one(HEAD_SQL, &[]).await?.get::<_, i64>(0) as u64)
    }

    pub(super) async fn point(&self) -> Result<LogPoint, StoreError> {
        let mut client = self.client().await?;
        let transaction = read_transaction(&mut client).await?;
        let point = read_point(&transaction).await?;
        transaction.commit().await?;
        Ok(point)
    }

    pub(super) async fn compact_log(&self, through: u64) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await?;
        transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&SEQUENCER_LOCK]).await?;
        let head: i64 = transaction.query_one(HEAD_SQL, &[]).await?.get(0);
        let through = (through as i64).min(head);
        let meta = read_meta(&transaction).await?;
        if through as u64 <= meta.compacted_through {
            return Ok(transaction.commit().await?);
        }
        let fingerprint = fingerprint_at(&transaction, through as u64, &meta).await?.unwrap_or(0);
        set_compacted_fingerprint(&transaction, fingerprint).await?;
        transaction.execute("DELETE FROM _sync_changes WHERE pos <= $1", &[&through]).await?;
        transaction
            .execute(
                "UPDATE _sync_meta SET compacted_through = GREATEST(compacted_through, $1) WHERE id = 1",
                &[&through],
            )
            .await?;
        Ok(transaction.commit().await?)
    }

    pub(super) async fn reset_change_log(&self) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await?;
        transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&SEQUENCER_LOCK]).await?;
        let head: i64 = transaction.query_one(HEAD_SQL, &[]).await?.get(0);
        set_compacted_fingerprint(&transaction, super::fresh_fingerprint()).await?;
        transaction.execute("DELETE FROM _sync_changes", &[]).await?;
        transaction
            .execute("UPDATE _sync_meta SET epoch = $1, compacted_through = $2 WHERE id = 1", &[&new_epoch(), &head])
            .await?;
        Ok(transaction.commit().await?)
    }

    pub(super) async fn prepare_table(&self, table: &str) -> Result<TableSchema, StoreError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await?;
        transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&SETUP_LOCK]).await?;
        let rows = transaction
            .query(
                "SELECT a.attname::text, t.typname::text, a.attndims, a.attnotnull,
                        -- int2vector arrays start at index 0; make key positions 1-based.
                        COALESCE(array_position(i.indkey::int2[], a.attnum) - array_lower(i.indkey::int2[], 1) + 1, 0)
                 FROM pg_attribute a
                 JOIN pg_class c ON c.oid = a.attrelid
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                 JOIN pg_type t ON t.oid = a.atttypid
                 LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
                 WHERE c.relname = $1 AND n.nspname = current_schema() AND c.relkind IN ('r', 'p')
                   AND a.attnum > 0 AND NOT a.attisdropped
                 ORDER BY a.attnum",
                &[&table],
            )
            .await?;
        if rows.is_empty() {
            return Err(StoreError::NoSuchTable(table.to_owned()));
        }
        let mut columns = Vec::new();
        let mut primary_key = Vec::new();
        for row in &rows {
            let (type_name, dims, kind) = postgres_column_type(row.get(1), row.get(2));
            let pk_position: i32 = row.get(4);
            if pk_position > 0 {
                primary_key.push((pk_position, columns.len()));
            }
            columns.push(Column { name: row.get(0), type_name, dims, kind, not_null: row.get(3) });
        }
        if primary_key.is_empty() {
            return Err(StoreError::NoPrimaryKey(table.to_owned()));
        }
        primary_key.sort();
        let schema = TableSchema {
            namespace: self.schema.clone(),
            name: table.to_owned(),
            columns,
            primary_key: primary_key.into_iter().map(|(_, index)| index).collect(),
        };
        for column in &schema.columns {
            if !crate::schema::is_plain_identifier(&column.name) {
                return Err(StoreError::BadIdentifier(column.name.clone()));
            }
        }
        // Replacing triggers locks the table against writers (and waits for open ones), so it is
        // done only when they are missing or out of date, not on every start.
        let body = capture_body(&schema, &self.schema);
        let installed = transaction
            .query_one(
                "SELECT (SELECT prosrc FROM pg_proc
                         WHERE proname = '_sync_capture_' || $1 AND pronamespace = current_schema()::regnamespace),
                        ARRAY(SELECT tgname::text FROM pg_trigger
                              WHERE tgrelid = to_regclass(format('%I.%I', current_schema(), $1)) AND NOT tgisinternal)",
                &[&table],
            )
            .await?;
        let (source, triggers): (Option<String>, Vec<String>) = (installed.get(0), installed.get(1));
        let has = |name: &str| triggers.iter().any(|trigger| trigger == &format!("{name}{table}"));
        let current = source.as_deref() == Some(body.as_str())
            && has("_sync_capture_")
            && has("_sync_truncate_")
            && !has("_sync_lock_");
        if !current {
            transaction.batch_execute(&trigger_sql(&schema, &body)).await?;
        }
        transaction.commit().await?;
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
        let select: Vec<String> = columns.iter().map(|&i| format!("\"{}\"::text", table.columns[i].name)).collect();
        let (condition, mut params) = filter_sql(table, filter);
        // Keyset pagination in primary-key order; keys come back as text and are cast to the
        // column's type, or compared as text where that is how they are ordered.
        let keys: Vec<(String, String)> = table.primary_key.iter().map(|&i| key_expr(&table.columns[i])).collect();
        let key_list = keys.iter().map(|(expr, _)| expr.as_str()).collect::<Vec<_>>().join(", ");
        let after = match after_key {
            Some(key) => {
                let mut placeholders = Vec::new();
                for (value, (_, cast)) in key.into_iter().zip(&keys) {
                    params.push(value);
                    placeholders.push(format!("${}::text{cast}", params.len()));
                }
                format!(" AND ({key_list}) > ({})", placeholders.join(", "))
            }
            None => String::new(),
        };
        let sql = format!(
            "SELECT {} FROM \"{}\" WHERE {condition}{after} ORDER BY {key_list} LIMIT {}",
            select.join(", "),
            table.name,
            limit + 1
        );
        let mut client = self.client().await?;
        let transaction = read_transaction(&mut client).await?;
        let point = read_point(&transaction).await?;
        let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let rows = transaction.query(&sql, &params).await?;
        transaction.commit().await?;
        let more = rows.len() > limit;
        let rows = rows
            .iter()
            .take(limit)
            .map(|row| (0..columns.len()).map(|index| row.get::<_, Option<String>>(index)).collect())
            .collect();
        Ok(Snapshot { point, rows, more })
    }

    pub(super) async fn changes(&self, table: &str, after: u64, limit: usize) -> Result<ChangeBatch, StoreError> {
        let mut client = self.client().await?;
        let transaction = read_transaction(&mut client).await?;
        let point = read_point(&transaction).await?;
        let after_fingerprint = fingerprint_at(&transaction, after, &point.meta).await?;
        let rows = transaction
            .query(
                "SELECT pos, op, new_row, old_row, txid FROM _sync_changes
                 WHERE table_name = $1 AND pos > $2 ORDER BY pos LIMIT $3",
                &[&table, &(after as i64), &(limit as i64)],
            )
            .await?;
        let entries = rows
            .iter()
            .map(|row| log_entry(row.get::<_, i64>(0) as u64, row.get(1), row.get(2), row.get(3), row.get(4)))
            .collect::<Result<Vec<_>, _>>()?;
        let (scanned_to, scanned_fingerprint) = match entries.last() {
            Some(last) if entries.len() == limit => {
                (last.position, fingerprint_at(&transaction, last.position, &point.meta).await?.unwrap_or(0))
            }
            _ => (point.head, point.head_fingerprint),
        };
        transaction.commit().await?;
        Ok(ChangeBatch { point, entries, scanned_to, scanned_fingerprint, after_fingerprint })
    }
}

/// Runs the sequencer on `client` (see the module docs).
async fn sequence(client: &mut Client) -> Result<u64, StoreError> {
    let transaction = client.transaction().await?;
    transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&SEQUENCER_LOCK]).await?;
    let numbered = transaction.execute(SEQUENCE_SQL, &[]).await?;
    if numbered > 0 {
        // Other server processes' long polls wake on this too.
        transaction.execute(&format!("SELECT pg_notify('{CHANNEL}', '')"), &[]).await?;
    }
    transaction.commit().await?;
    Ok(numbered)
}

/// A read-only transaction whose queries all see one snapshot.
async fn read_transaction(client: &mut Client) -> Result<Transaction<'_>, StoreError> {
    Ok(client.build_transaction().isolation_level(IsolationLevel::RepeatableRead).read_only(true).start().await?)
}

async fn read_point(client: &impl tokio_postgres::GenericClient) -> Result<LogPoint, StoreError> {
    let meta = read_meta(client).await?;
    let head = client.query_one(HEAD_SQL, &[]).await?.get::<_, i64>(0) as u64;
    let head_fingerprint = fingerprint_at(client, head, &meta).await?.unwrap_or(0);
    Ok(LogPoint { meta, head, head_fingerprint })
}

/// The fingerprint of the log at `position`; `None` for a position this log never had.
async fn fingerprint_at(
    client: &impl tokio_postgres::GenericClient,
    position: u64,
    meta: &LogMeta,
) -> Result<Option<u32>, StoreError> {
    let entry = client
        .query_opt(
            "SELECT table_name, op, new_row, old_row, txid FROM _sync_changes WHERE pos = $1",
            &[&(position as i64)],
        )
        .await?;
    if let Some(row) = entry {
        let (new, old): (Option<String>, Option<String>) = (row.get(2), row.get(3));
        return Ok(Some(entry_fingerprint(
            position,
            row.get(0),
            row.get(1),
            new.as_deref(),
            old.as_deref(),
            row.get(4),
        )));
    }
    if position == 0 {
        return Ok(Some(super::EMPTY_FINGERPRINT));
    }
    if position != meta.compacted_through {
        return Ok(None);
    }
    let stored = client.query_opt("SELECT fingerprint FROM _sync_compacted WHERE id = 1", &[]).await?;
    Ok(stored.map(|row| row.get::<_, i64>(0) as u32))
}

async fn set_compacted_fingerprint(transaction: &Transaction<'_>, fingerprint: u32) -> Result<(), StoreError> {
    transaction
        .execute(
            "INSERT INTO _sync_compacted (id, fingerprint) VALUES (1, $1)
             ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint",
            &[&i64::from(fingerprint)],
        )
        .await?;
    Ok(())
}

async fn read_meta(client: &impl tokio_postgres::GenericClient) -> Result<LogMeta, StoreError> {
    let row = client.query_one("SELECT epoch, compacted_through FROM _sync_meta WHERE id = 1", &[]).await?;
    Ok(LogMeta { epoch: row.get(0), compacted_through: row.get::<_, i64>(1) as u64 })
}

/// Listens for commit notifications and publishes the new head; reconnects when the
/// connection drops, and ends with the store.
pub(super) fn spawn_listener(backend: Weak<Backend>, config: Config) {
    tokio::spawn(async move {
        while backend.strong_count() > 0 {
            if listen(&backend, &config).await.is_err() {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    });
}

async fn listen(backend: &Weak<Backend>, config: &Config) -> Result<(), StoreError> {
    let (client, mut connection) = config.connect(NoTls).await?;
    let (notify, mut notified) = tokio::sync::mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(Ok(message)) = messages.next().await {
            if matches!(message, AsyncMessage::Notification(_)) && notify.send(()).is_err() {
                return;
            }
        }
    });
    let result = async {
        client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
        loop {
            // Refresh first: changes may have committed before LISTEN took effect.
            let Some(backend) = backend.upgrade() else { return Ok(()) };
            if let Backend::Postgres(store) = &*backend {
                store.sequence().await?;
                publish_head(&store.head, store.head().await?);
            }
            drop(backend);
            tokio::select! {
                message = notified.recv() => {
                    if message.is_none() {
                        return Ok(());
                    }
                    while notified.try_recv().is_ok() {}
                }
                _ = tokio::time::sleep(HEAD_POLL_INTERVAL) => {}
            }
        }
    }
    .await;
    driver.abort();
    result
}

const SETUP_SQL: &str = "CREATE TABLE IF NOT EXISTS _sync_meta (
            id int PRIMARY KEY CHECK (id = 1),
            epoch text NOT NULL,
            compacted_through bigint NOT NULL DEFAULT 0
         );
         CREATE TABLE IF NOT EXISTS _sync_changes (
            seq bigserial PRIMARY KEY,
            table_name text NOT NULL,
            op text NOT NULL,
            new_row text,
            old_row text,
            txid bigint
         );
         -- Positions, assigned by the sequencer; entries from before it existed keep seq.
         ALTER TABLE _sync_changes ADD COLUMN IF NOT EXISTS pos bigint;
         ALTER TABLE _sync_changes ADD COLUMN IF NOT EXISTS xact xid8;
         ALTER TABLE _sync_changes ADD COLUMN IF NOT EXISTS logged_at timestamptz;
         UPDATE _sync_changes SET pos = seq WHERE pos IS NULL AND xact IS NULL;
         ALTER TABLE _sync_changes ALTER COLUMN xact SET DEFAULT pg_current_xact_id();
         ALTER TABLE _sync_changes ALTER COLUMN logged_at SET DEFAULT clock_timestamp();
         DROP INDEX IF EXISTS _sync_changes_table;
         CREATE UNIQUE INDEX IF NOT EXISTS _sync_changes_pos ON _sync_changes (pos);
         CREATE INDEX IF NOT EXISTS _sync_changes_table_pos ON _sync_changes (table_name, pos);
         CREATE INDEX IF NOT EXISTS _sync_changes_pending ON _sync_changes (seq) WHERE pos IS NULL;
         CREATE TABLE IF NOT EXISTS _sync_compacted (
            id int PRIMARY KEY CHECK (id = 1),
            fingerprint bigint NOT NULL
         );
         CREATE OR REPLACE FUNCTION _sync_forbid_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
            RAISE EXCEPTION 'TRUNCATE of synced table % would bypass its change log; use DELETE', TG_TABLE_NAME;
         END $$;";

/// A row's columns as a JSON object of text values, for `NEW` or `OLD`.
fn row_json(table: &TableSchema, row: &str) -> String {
    let parts: Vec<String> = table
        .columns
        .chunks(COLUMNS_PER_JSON_CALL)
        .map(|chunk| {
            let pairs: Vec<String> =
                chunk.iter().map(|column| format!("'{0}', {row}.\"{0}\"::text", column.name)).collect();
            format!("jsonb_build_object({})", pairs.join(", "))
        })
        .collect();
    format!("({})::text", parts.join(" || "))
}

/// The capture function's body: appends the row change to the log, without a position.
fn capture_body(table: &TableSchema, schema: &str) -> String {
    let name = &table.name;
    let log = format!("\"{schema}\"._sync_changes");
    let txid = "pg_current_xact_id()::xid::text::bigint";
    let (new, old) = (row_json(table, "NEW"), row_json(table, "OLD"));
    format!(
        "
         BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO {log} (table_name, op, new_row, txid) VALUES ('{name}', 'insert', {new}, {txid});
            ELSIF TG_OP = 'UPDATE' THEN
                INSERT INTO {log} (table_name, op, new_row, old_row, txid) VALUES ('{name}', 'update', {new}, {old}, {txid});
            ELSE
                INSERT INTO {log} (table_name, op, old_row, txid) VALUES ('{name}', 'delete', {old}, {txid});
            END IF;
            PERFORM pg_notify('{CHANNEL}', '');
            RETURN NULL;
         END "
    )
}

fn trigger_sql(table: &TableSchema, body: &str) -> String {
    let name = &table.name;
    format!(
        "CREATE OR REPLACE FUNCTION \"_sync_capture_{name}\"() RETURNS trigger LANGUAGE plpgsql AS $${body}$$;
         -- Older versions serialized writers with this trigger.
         DROP TRIGGER IF EXISTS \"_sync_lock_{name}\" ON \"{name}\";
         DROP TRIGGER IF EXISTS \"_sync_capture_{name}\" ON \"{name}\";
         CREATE TRIGGER \"_sync_capture_{name}\" AFTER INSERT OR UPDATE OR DELETE ON \"{name}\"
            FOR EACH ROW EXECUTE FUNCTION \"_sync_capture_{name}\"();
         DROP TRIGGER IF EXISTS \"_sync_truncate_{name}\" ON \"{name}\";
         CREATE TRIGGER \"_sync_truncate_{name}\" BEFORE TRUNCATE ON \"{name}\"
            FOR EACH STATEMENT EXECUTE FUNCTION _sync_forbid_truncate();"
    )
}

/// How a primary-key column is ordered and compared in snapshot chunks, and the cast that
/// turns a key's text back into a comparable value.
fn key_expr(column: &Column) -> (String, String) {
    let quoted = format!("\"{}\"", column.name);
    match column.kind {
        ColumnKind::Integer | ColumnKind::Real | ColumnKind::Bool | ColumnKind::Text if column.dims.is_none() => {
            (quoted, format!("::\"{}\"", column.type_name))
        }
        _ => (format!("{quoted}::text"), String::new()),
    }
}

/// The filter as a SQL condition. Parameters are sent as text and cast to the column's type,
/// so comparisons use the column's own equality (and index); types without a dedicated kind
/// are compared by their text rendering, the same rendering the log and snapshots carry.
fn filter_sql(table: &TableSchema, filter: &Filter) -> (String, Vec<String>) {
    let mut conditions = vec!["true".to_owned()];
    let mut params = Vec::new();
    for term in &filter.terms {
        let column = &table.columns[term.column];
        let (subject, cast) = match column.kind {
            ColumnKind::Integer => (format!("\"{}\"", column.name), "::text::int8"),
            ColumnKind::Real => (format!("\"{}\"", column.name), "::text::float8"),
            ColumnKind::Bool => (format!("\"{}\"", column.name), "::text::bool"),
            ColumnKind::Text => (format!("\"{}\"", column.name), "::text"),
            ColumnKind::Blob | ColumnKind::Other => (format!("\"{}\"::text", column.name), "::text"),
        };
        let mut placeholders = Vec::new();
        for value in &term.values {
            params.push(match value {
                TypedValue::Integer(v) => v.to_string(),
                TypedValue::Real(v) => v.to_string(),
                TypedValue::Bool(v) => v.to_string(),
                TypedValue::Text(v) => v.clone(),
            });
            placeholders.push(format!("${}{cast}", params.len()));
        }
        conditions.push(format!("{subject} IN ({})", placeholders.join(", ")));
    }
    (conditions.join(" AND "), params)
}

impl ToSql for SqlValue {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            SqlValue::Null => Ok(IsNull::Yes),
            SqlValue::Integer(v) => match *ty {
                Type::INT2 => i16::try_from(*v)?.to_sql_checked(ty, out),
                Type::INT4 => i32::try_from(*v)?.to_sql_checked(ty, out),
                _ => v.to_sql_checked(ty, out),
            },
            // Narrowing to float4 is what the column would store anyway.
            SqlValue::Real(v) if *ty == Type::FLOAT4 => (*v as f32).to_sql_checked(ty, out),
            SqlValue::Real(v) => v.to_sql_checked(ty, out),
            SqlValue::Bool(v) => v.to_sql_checked(ty, out),
            SqlValue::Text(v) => v.as_str().to_sql_checked(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        // Each variant checks the actual parameter type in `to_sql`.
        true
    }

    to_sql_checked!();
}

fn param_refs(params: &[SqlValue]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

fn rows(rows: Vec<tokio_postgres::Row>) -> Result<Vec<Row>, StoreError> {
    rows.iter()
        .map(|row| {
            let values = (0..row.len()).map(|index| value(row, index)).collect::<Result<_, _>>()?;
            Ok(Row::new(values))
        })
        .collect()
}

fn value(row: &tokio_postgres::Row, index: usize) -> Result<SqlValue, StoreError> {
    let column = &row.columns()[index];
    Ok(match *column.type_() {
        Type::INT2 => row.try_get::<_, Option<i16>>(index)?.map(i64::from).into(),
        Type::INT4 => row.try_get::<_, Option<i32>>(index)?.map(i64::from).into(),
        Type::INT8 => row.try_get::<_, Option<i64>>(index)?.into(),
        Type::FLOAT4 => row.try_get::<_, Option<f32>>(index)?.map(f64::from).into(),
        Type::FLOAT8 => row.try_get::<_, Option<f64>>(index)?.into(),
        Type::BOOL => row.try_get::<_, Option<bool>>(index)?.into(),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
            row.try_get::<_, Option<String>>(index)?.into()
        }
        ref other => {
            return Err(StoreError::UnsupportedType {
                column: column.name().to_owned(),
                type_name: other.name().to_owned(),
            });
        }
    })
}

pub(super) async fn execute(transaction: &Transaction<'_>, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError> {
    Ok(transaction.execute(sql, &param_refs(params)).await?)
}

pub(super) async fn query(
    transaction: &Transaction<'_>,
    sql: &str,
    params: &[SqlValue],
) -> Result<Vec<Row>, StoreError> {
    rows(transaction.query(sql, &param_refs(params)).await?)
}
