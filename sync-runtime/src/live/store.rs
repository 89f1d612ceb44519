//! The SQLite file behind live collections: server rows with their order, the sync source's
//! position, the outbox, and the send leases (docs/live-mode.md §1, docs/outbox.md §1–§2).
//!
//! One [`Store`] per database file is shared by every collection of the process. Several
//! processes may open the same file: WAL mode lets them read while one writes, and the send
//! lease (a row written in an immediate transaction) lets only one of them send a queue.

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::Value;

use super::outbox::{Op, StoredEntry};

/// Why the local store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("local store {path}: {source}")]
    Sqlite {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("local store {path}: a stored value is not valid JSON: {source}")]
    Json {
        path: String,
        #[source]
        source: serde_json::Error,
    },
}

/// The sync source's saved position and what it was saved for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    /// The item type fingerprint the rows were stored with.
    pub schema_version: String,
    /// Whether the rows are a complete synced state (an `up-to-date` or a REST list was seen).
    pub synced: bool,
    pub handle: Option<String>,
    pub offset: Option<String>,
    /// The last `electric-schema` header, to parse values of live responses (which omit it).
    pub shape_schema: Option<String>,
}

/// One persisted server row.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRow {
    pub key: String,
    pub shape_key: Option<String>,
    pub value: Value,
}

pub struct Store {
    path: String,
    connection: Mutex<Connection>,
}

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE IF NOT EXISTS live_rows (
    collection TEXT NOT NULL,
    key TEXT NOT NULL,
    pos INTEGER NOT NULL,
    shape_key TEXT,
    value TEXT NOT NULL,
    PRIMARY KEY (collection, key)
);
CREATE TABLE IF NOT EXISTS live_meta (
    collection TEXT PRIMARY KEY,
    schema_version TEXT NOT NULL,
    synced INTEGER NOT NULL,
    handle TEXT,
    shape_offset TEXT,
    shape_schema TEXT
);
CREATE TABLE IF NOT EXISTS live_outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL,
    id TEXT NOT NULL UNIQUE,
    op TEXT NOT NULL,
    key TEXT NOT NULL,
    body TEXT,
    attempted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS live_outbox_queue ON live_outbox (queue, seq);
CREATE TABLE IF NOT EXISTS live_leases (
    queue TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    until_ms INTEGER NOT NULL
);
";

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default()
}

impl Store {
    /// Opens (creating) the file at `path`, or a private in-memory database.
    pub fn open(path: Option<&Path>) -> Result<Store, StoreError> {
        let name = path.map_or_else(|| ":memory:".to_owned(), |p| p.display().to_string());
        let sqlite = |source| StoreError::Sqlite { path: name.clone(), source };
        let connection = match path {
            Some(path) => Connection::open(path),
            None => Connection::open_in_memory(),
        }
        .map_err(sqlite)?;
        connection.busy_timeout(Duration::from_secs(10)).map_err(sqlite)?;
        connection.execute_batch(SCHEMA).map_err(sqlite)?;
        Ok(Store { path: name, connection: Mutex::new(connection) })
    }

    fn with<T>(&self, run: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let mut connection = self.connection.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        run(&mut connection).map_err(|source| StoreError::Sqlite { path: self.path.clone(), source })
    }

    fn json(&self, text: &str) -> Result<Value, StoreError> {
        serde_json::from_str(text).map_err(|source| StoreError::Json { path: self.path.clone(), source })
    }

    pub fn load_meta(&self, collection: &str) -> Result<Option<Meta>, StoreError> {
        self.with(|c| {
            c.query_row(
                "SELECT schema_version, synced, handle, shape_offset, shape_schema FROM live_meta WHERE collection = ?1",
                [collection],
                |row| {
                    Ok(Meta {
                        schema_version: row.get(0)?,
                        synced: row.get::<_, i64>(1)? != 0,
                        handle: row.get(2)?,
                        offset: row.get(3)?,
                        shape_schema: row.get(4)?,
                    })
                },
            )
            .optional()
        })
    }

    /// The collection's rows in their order, and the next free position.
    pub fn load_rows(&self, collection: &str) -> Result<(Vec<StoredRow>, i64), StoreError> {
        let raw = self.with(|c| {
            let mut statement = c.prepare_cached(
                "SELECT key, shape_key, value, pos FROM live_rows WHERE collection = ?1 ORDER BY pos",
            )?;
            let rows = statement.query_map([collection], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, Option<String>>(1)?, row.get::<_, String>(2)?, row.get(3)?))
            })?;
            rows.collect::<rusqlite::Result<Vec<(String, Option<String>, String, i64)>>>()
        })?;
        let next = raw.last().map_or(0, |row| row.3 + 1);
        let rows = raw
            .into_iter()
            .map(|(key, shape_key, value, _)| Ok(StoredRow { key, shape_key, value: self.json(&value)? }))
            .collect::<Result<_, StoreError>>()?;
        Ok((rows, next))
    }

    /// Replaces every row of the collection and its position, in one transaction.
    pub fn replace_rows(&self, collection: &str, rows: &[StoredRow], meta: &Meta) -> Result<(), StoreError> {
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute("DELETE FROM live_rows WHERE collection = ?1", [collection])?;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO live_rows (collection, key, pos, shape_key, value) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?;
                for (pos, row) in rows.iter().enumerate() {
                    insert.execute(params![collection, row.key, pos as i64, row.shape_key, row.value.to_string()])?;
                }
            }
            write_meta(&tx, collection, meta)?;
            tx.commit()
        })
    }

    /// Upserts and deletes rows and saves the position, in one transaction. New keys get
    /// positions from `next_pos` on, in the order given.
    pub fn apply_rows(
        &self,
        collection: &str,
        upserts: &[(StoredRow, i64)],
        deletes: &[String],
        meta: Option<&Meta>,
    ) -> Result<(), StoreError> {
        self.with(|c| {
            let tx = c.transaction()?;
            {
                let mut upsert = tx.prepare_cached(
                    "INSERT INTO live_rows (collection, key, pos, shape_key, value) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (collection, key) DO UPDATE SET value = excluded.value,
                         shape_key = COALESCE(excluded.shape_key, live_rows.shape_key)",
                )?;
                for (row, pos) in upserts {
                    upsert.execute(params![collection, row.key, pos, row.shape_key, row.value.to_string()])?;
                }
                let mut delete = tx.prepare_cached("DELETE FROM live_rows WHERE collection = ?1 AND key = ?2")?;
                for key in deletes {
                    delete.execute(params![collection, key])?;
                }
            }
            if let Some(meta) = meta {
                write_meta(&tx, collection, meta)?;
            }
            tx.commit()
        })
    }

    /// Drops a collection's rows and position (the schema changed); its outbox stays.
    pub fn drop_rows(&self, collection: &str) -> Result<(), StoreError> {
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute("DELETE FROM live_rows WHERE collection = ?1", [collection])?;
            tx.execute("DELETE FROM live_meta WHERE collection = ?1", [collection])?;
            tx.commit()
        })
    }

    pub fn outbox_insert(&self, queue: &str, entry: &StoredEntry) -> Result<i64, StoreError> {
        self.with(|c| {
            c.prepare_cached("INSERT INTO live_outbox (queue, id, op, key, body) VALUES (?1, ?2, ?3, ?4, ?5)")?
                .execute(params![
                    queue,
                    entry.id,
                    entry.op.as_str(),
                    entry.key.to_string(),
                    entry.body.as_ref().map(Value::to_string)
                ])?;
            Ok(c.last_insert_rowid())
        })
    }

    /// The queue's entries, oldest first.
    pub fn outbox_load(&self, queue: &str) -> Result<Vec<StoredEntry>, StoreError> {
        let raw = self.with(|c| {
            let mut statement = c.prepare_cached(
                "SELECT seq, id, op, key, body, attempted FROM live_outbox WHERE queue = ?1 ORDER BY seq",
            )?;
            let rows = statement.query_map([queue], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, Option<String>>(4)?,
                    row.get::<_, i64>(5)? != 0,
                ))
            })?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
        })?;
        raw.into_iter()
            .filter_map(|(seq, id, op, key, body, attempted)| {
                let op = Op::parse(&op)?;
                Some((seq, id, op, key, body, attempted))
            })
            .map(|(seq, id, op, key, body, attempted)| {
                Ok(StoredEntry {
                    seq,
                    id,
                    op,
                    key: self.json(&key)?,
                    body: body.map(|b| self.json(&b)).transpose()?,
                    attempted,
                })
            })
            .collect()
    }

    /// Whether the entry is still queued, and whether it was attempted before.
    pub fn outbox_state(&self, id: &str) -> Result<Option<bool>, StoreError> {
        self.with(|c| {
            c.prepare_cached("SELECT attempted FROM live_outbox WHERE id = ?1")?
                .query_row([id], |row| Ok(row.get::<_, i64>(0)? != 0))
                .optional()
        })
    }

    /// Marks an entry as sent at least once (before the request leaves).
    pub fn outbox_mark_attempted(&self, id: &str) -> Result<(), StoreError> {
        self.with(|c| c.prepare_cached("UPDATE live_outbox SET attempted = 1 WHERE id = ?1")?.execute([id]).map(drop))
    }

    pub fn outbox_remove(&self, ids: &[&str]) -> Result<(), StoreError> {
        self.with(|c| {
            let tx = c.transaction()?;
            {
                let mut delete = tx.prepare_cached("DELETE FROM live_outbox WHERE id = ?1")?;
                for id in ids {
                    delete.execute([id])?;
                }
            }
            tx.commit()
        })
    }

    /// Points the queue's entries for key `from` at key `to` (a create answered with the
    /// server's key).
    pub fn outbox_rekey(&self, queue: &str, from: &Value, to: &Value) -> Result<(), StoreError> {
        self.with(|c| {
            c.prepare_cached("UPDATE live_outbox SET key = ?3 WHERE queue = ?1 AND key = ?2")?
                .execute(params![queue, from.to_string(), to.to_string()])
                .map(drop)
        })
    }

    /// Takes or renews the send lease of `queue` for `owner` when it is free, expired or
    /// already `owner`'s. Returns whether `owner` holds it.
    pub fn claim_lease(&self, queue: &str, owner: &str, ttl: Duration) -> Result<bool, StoreError> {
        let now = now_ms();
        let until = now + ttl.as_millis() as i64;
        self.with(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let current: Option<(String, i64)> = tx
                .query_row("SELECT owner, until_ms FROM live_leases WHERE queue = ?1", [queue], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })
                .optional()?;
            let free = match &current {
                None => true,
                Some((holder, expires)) => holder == owner || *expires <= now,
            };
            if free {
                tx.execute(
                    "INSERT INTO live_leases (queue, owner, until_ms) VALUES (?1, ?2, ?3)
                     ON CONFLICT (queue) DO UPDATE SET owner = excluded.owner, until_ms = excluded.until_ms",
                    params![queue, owner, until],
                )?;
            }
            tx.commit()?;
            Ok(free)
        })
    }

    pub fn release_lease(&self, queue: &str, owner: &str) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute("DELETE FROM live_leases WHERE queue = ?1 AND owner = ?2", params![queue, owner]).map(drop)
        })
    }

    /// Deletes everything stored under `prefix` (a base URL and user scope): rows, positions,
    /// queued writes and leases.
    pub fn clear_prefix(&self, prefix: &str) -> Result<(), StoreError> {
        self.with(|c| {
            let tx = c.transaction()?;
            let length = prefix.len() as i64;
            for table in ["live_rows", "live_meta"] {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE substr(collection, 1, ?2) = ?1"),
                    params![prefix, length],
                )?;
            }
            for table in ["live_outbox", "live_leases"] {
                tx.execute(&format!("DELETE FROM {table} WHERE substr(queue, 1, ?2) = ?1"), params![prefix, length])?;
            }
            tx.commit()
        })
    }
}

fn write_meta(tx: &rusqlite::Transaction<'_>, collection: &str, meta: &Meta) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO live_meta (collection, schema_version, synced, handle, shape_offset, shape_schema)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (collection) DO UPDATE SET schema_version = excluded.schema_version,
             synced = excluded.synced, handle = excluded.handle, shape_offset = excluded.shape_offset,
             shape_schema = excluded.shape_schema",
    )?
    .execute(params![
        collection,
        meta.schema_version,
        i64::from(meta.synced),
        meta.handle,
        meta.offset,
        meta.shape_schema
    ])
    .map(drop)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn leases_exclude_other_owners_until_they_expire() {
        let store = Store::open(None).unwrap();
        assert!(store.claim_lease("q", "a", Duration::from_millis(50)).unwrap());
        assert!(!store.claim_lease("q", "b", Duration::from_millis(50)).unwrap());
        assert!(store.claim_lease("q", "a", Duration::from_millis(50)).unwrap());
        std::thread::sleep(Duration::from_millis(60));
        assert!(store.claim_lease("q", "b", Duration::from_millis(50)).unwrap());
        store.release_lease("q", "b").unwrap();
        assert!(store.claim_lease("q", "a", Duration::from_millis(50)).unwrap());
    }

    #[test]
    fn outbox_keeps_order_and_clearing_a_prefix_deletes_only_its_queues() {
        let store = Store::open(None).unwrap();
        for (queue, id) in [("v1:x:ann:c", "1"), ("v1:x:bob:c", "2"), ("v1:x:ann:c", "3")] {
            let entry = StoredEntry {
                seq: 0,
                id: id.into(),
                op: Op::Create,
                key: json!(id),
                body: Some(json!({"id": id})),
                attempted: false,
            };
            store.outbox_insert(queue, &entry).unwrap();
        }
        let ids: Vec<String> = store.outbox_load("v1:x:ann:c").unwrap().into_iter().map(|e| e.id).collect();
        assert_eq!(ids, ["1", "3"]);
        store.clear_prefix("v1:x:ann:").unwrap();
        assert!(store.outbox_load("v1:x:ann:c").unwrap().is_empty());
        assert_eq!(store.outbox_load("v1:x:bob:c").unwrap().len(), 1);
    }
}
