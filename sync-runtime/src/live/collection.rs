//! One live collection: server rows, the pending writes applied over them, the materialized
//! view readers get, and the outbox sender (docs/live-mode.md §1–§6, docs/outbox.md §2–§4).
//!
//! What a reader sees is always `server rows + pending writes, in outbox order`. The view is
//! kept materialized and is updated per key, so a local write costs one SQLite insert and the
//! rows it touches, not a pass over the collection. Its order: rows the sync source delivered,
//! in the source's order, then rows created locally and not yet delivered, in creation order.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use indexmap::IndexMap;
use serde_json::{Map, Value};
use tokio::sync::{Notify, broadcast, oneshot, watch};

use super::ops::{LiveOps, Sent};
use super::outbox::{self, Op, Outcome, StoredEntry};
use super::shape::{Batch, Change, Position};
use super::status::{SyncState, SyncStatus};
use super::store::{Meta, Store, StoreError, StoredRow};
use super::{LiveConfig, WriteError};
use crate::error::Error;
use crate::resource::{ApiClient, LiveSource, Spec};

use super::ops::Answer;

/// A local write's key and the receiver of its answer.
type Queued<E> = (Value, oneshot::Receiver<Answer<E>>);

#[derive(Debug, Clone)]
struct Entry {
    id: String,
    op: Op,
    /// The key as text (the index key) and as JSON (what is sent).
    key: String,
    key_json: Value,
    body: Option<Value>,
    attempted: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct ServerRow {
    value: Value,
    shape_key: Option<String>,
}

struct State<S: Spec> {
    server: IndexMap<String, ServerRow>,
    /// Shape message key -> item key.
    shape_keys: HashMap<String, String>,
    next_pos: i64,
    meta: Meta,
    pending: Vec<Entry>,
    view: IndexMap<String, S::Item>,
    /// How many keys at the end of `view` are local-only (not among the server rows).
    local_only: usize,
    waiters: HashMap<String, oneshot::Sender<Answer<S::Error>>>,
    /// Temporary keys of confirmed creates -> the key the server gave.
    aliases: HashMap<String, String>,
}

pub(crate) struct Collection<S: Spec> {
    pub(crate) id: String,
    pub(crate) ops: LiveOps<S>,
    pub(crate) client: S::Client,
    pub(crate) scope: S::Scope,
    pub(crate) source: LiveSource,
    pub(crate) store: Arc<Store>,
    pub(crate) config: LiveConfig,
    state: Mutex<State<S>>,
    version: watch::Sender<u64>,
    status: watch::Sender<SyncStatus>,
    errors: broadcast::Sender<WriteError<S::Error>>,
    pub(crate) outbox_wake: Arc<Notify>,
    pub(crate) refetch: Arc<Notify>,
    owner: String,
    started: AtomicBool,
}

/// An item key as index text: strings as they are, other JSON as its text.
pub(crate) fn key_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn merge(row: &mut Value, fields: &Value) {
    if let (Value::Object(row), Value::Object(fields)) = (row, fields) {
        for (name, value) in fields {
            row.insert(name.clone(), value.clone());
        }
    }
}

fn store_error<E>(err: StoreError) -> Error<E> {
    Error::Encode(err.to_string())
}

impl<S: Spec> Collection<S> {
    /// Opens the collection `id` from the store: its persisted rows and queued writes, applied
    /// at once, before any network request.
    pub(crate) fn open(
        id: String,
        ops: LiveOps<S>,
        client: S::Client,
        scope: S::Scope,
        source: LiveSource,
        store: Arc<Store>,
        config: LiveConfig,
    ) -> Result<Arc<Self>, StoreError> {
        let mut meta = store.load_meta(&id)?.unwrap_or_default();
        if meta.schema_version != ops.schema {
            // Rows of another item type: drop them (never the outbox) and refetch.
            store.drop_rows(&id)?;
            meta = Meta { schema_version: ops.schema.to_owned(), ..Meta::default() };
        }
        let (rows, next_pos) = store.load_rows(&id)?;
        let entries = store.outbox_load(&id)?;
        let mut server = IndexMap::with_capacity(rows.len());
        let mut shape_keys = HashMap::new();
        for row in rows {
            if let Some(shape_key) = &row.shape_key {
                shape_keys.insert(shape_key.clone(), row.key.clone());
            }
            server.insert(row.key, ServerRow { value: row.value, shape_key: row.shape_key });
        }
        let pending: Vec<Entry> = entries
            .into_iter()
            .map(|e| Entry {
                id: e.id,
                op: e.op,
                key: key_text(&e.key),
                key_json: e.key,
                body: e.body,
                attempted: e.attempted,
            })
            .collect();
        let state = if meta.synced { SyncState::Ready } else { SyncState::Loading };
        let status = SyncStatus::new(state, pending.len());
        let collection = Collection {
            id,
            ops,
            client,
            scope,
            source,
            store,
            config,
            state: Mutex::new(State {
                server,
                shape_keys,
                next_pos,
                meta,
                pending,
                view: IndexMap::new(),
                local_only: 0,
                waiters: HashMap::new(),
                aliases: HashMap::new(),
            }),
            version: watch::channel(0).0,
            status: watch::channel(status).0,
            errors: broadcast::channel(256).0,
            outbox_wake: Arc::new(Notify::new()),
            refetch: Arc::new(Notify::new()),
            owner: uuid::Uuid::new_v4().to_string(),
            started: AtomicBool::new(false),
        };
        {
            let mut state = collection.lock();
            collection.rebuild(&mut state);
        }
        Ok(Arc::new(collection))
    }

    pub(crate) fn runtime_client(&self) -> crate::Client {
        self.client.runtime().clone()
    }

    pub(crate) fn client_base_url(&self) -> String {
        self.client.runtime().base_url().to_owned()
    }

    fn lock(&self) -> MutexGuard<'_, State<S>> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Starts the sync source and the outbox sender, once, when a tokio runtime is there.
    pub(crate) fn start(self: &Arc<Self>) {
        if self.started.load(Ordering::Acquire) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if self.started.swap(true, Ordering::AcqRel) {
            return;
        }
        runtime.spawn(run_outbox(Arc::downgrade(self), Arc::clone(&self.outbox_wake)));
        match &self.source {
            LiveSource::Rest => {
                runtime.spawn(super::rest_source::run(Arc::downgrade(self), Arc::clone(&self.refetch)));
            }
            LiveSource::Shape(shape) => {
                runtime.spawn(super::shape::run(Arc::downgrade(self), shape.clone()));
            }
        }
    }

    // ---- reading ----

    /// Waits until the collection is past `loading`.
    pub(crate) async fn ready(&self) {
        let mut status = self.status.subscribe();
        let _ = status.wait_for(|s| s.state != SyncState::Loading).await;
    }

    pub(crate) fn is_loading(&self) -> bool {
        self.status.borrow().state == SyncState::Loading
    }

    pub(crate) fn rows(&self) -> Vec<S::Item> {
        self.lock().view.values().cloned().collect()
    }

    pub(crate) fn get(&self, key: &S::Key) -> Result<Option<S::Item>, serde_json::Error> {
        let key = key_text(&(self.ops.key_to_json)(key)?);
        let state = self.lock();
        let key = state.aliases.get(&key).unwrap_or(&key);
        Ok(state.view.get(key).cloned())
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.version.subscribe()
    }

    pub(crate) fn status(&self) -> watch::Receiver<SyncStatus> {
        self.status.subscribe()
    }

    pub(crate) fn errors(&self) -> broadcast::Receiver<WriteError<S::Error>> {
        self.errors.subscribe()
    }

    fn bump(&self) {
        self.version.send_modify(|v| *v = v.wrapping_add(1));
    }

    pub(crate) fn update_status(&self, change: impl FnOnce(&mut SyncStatus)) {
        self.status.send_if_modified(|status| {
            let before = status.clone();
            change(status);
            *status != before
        });
    }

    /// The source or API answered (or not).
    pub(crate) fn note_reached(&self, reached: bool, error: Option<String>) {
        self.update_status(|status| {
            status.online = reached;
            match &error {
                None => status.last_error = None,
                Some(error) => status.last_error = Some(error.clone()),
            }
            if !reached || error.is_some() {
                status.state = SyncState::Offline;
            } else if status.state == SyncState::Offline {
                let synced = self.lock().meta.synced;
                status.state = if synced { SyncState::Ready } else { SyncState::Loading };
            }
        });
    }

    // ---- the view ----

    /// The row readers see for `key`: the server row with the pending writes applied.
    fn compose(&self, state: &State<S>, key: &str, entries: &[&Entry]) -> Option<Value> {
        let mut row = state.server.get(key).map(|r| r.value.clone());
        for entry in entries {
            match entry.op {
                Op::Create => {
                    let mut created = row.take().unwrap_or_else(|| Value::Object(Map::new()));
                    if let Some(body) = &entry.body {
                        merge(&mut created, body);
                    }
                    if let Value::Object(fields) = &mut created {
                        fields.insert(self.ops.key_field.to_owned(), entry.key_json.clone());
                    }
                    row = Some(created);
                }
                Op::Update => {
                    if let (Some(row), Some(body)) = (row.as_mut(), &entry.body) {
                        merge(row, body);
                    }
                }
                Op::Delete => row = None,
            }
        }
        row
    }

    fn item(&self, value: Option<Value>) -> Option<S::Item> {
        (self.ops.item_from_json)(value?).ok()
    }

    /// Recomputes one key of the view, keeping the view's order.
    fn refresh(&self, state: &mut State<S>, key: &str) {
        let entries: Vec<&Entry> = state.pending.iter().filter(|e| e.key == key).collect();
        let item = self.item(self.compose(state, key, &entries));
        let server_index = state.server.get_index_of(key);
        let len = state.view.len();
        let current = state.view.get_index_of(key);
        if let Some(index) = current {
            let was_local = index >= len - state.local_only;
            if was_local == server_index.is_none() {
                match item {
                    Some(item) => state.view[index] = item,
                    None => {
                        state.view.shift_remove_index(index);
                        if was_local {
                            state.local_only -= 1;
                        }
                    }
                }
                return;
            }
            // It moves between the regions: take it out, then place it below.
            state.view.shift_remove_index(index);
            if was_local {
                state.local_only -= 1;
            }
        }
        let Some(item) = item else {
            return;
        };
        match server_index {
            None => {
                state.view.insert(key.to_owned(), item);
                state.local_only += 1;
            }
            Some(server_index) => {
                let end = state.view.len() - state.local_only;
                let server = &state.server;
                let view = &state.view;
                let mut low = 0;
                let mut high = end;
                while low < high {
                    let middle = (low + high) / 2;
                    let (other, _) = view.get_index(middle).expect("in range");
                    if server.get_index_of(other).unwrap_or(usize::MAX) < server_index {
                        low = middle + 1;
                    } else {
                        high = middle;
                    }
                }
                state.view.shift_insert(low, key.to_owned(), item);
            }
        }
    }

    /// Recomputes the whole view.
    fn rebuild(&self, state: &mut State<S>) {
        let mut by_key: HashMap<&str, Vec<&Entry>> = HashMap::new();
        for entry in &state.pending {
            by_key.entry(entry.key.as_str()).or_default().push(entry);
        }
        let mut view = IndexMap::with_capacity(state.server.len());
        for key in state.server.keys() {
            let entries = by_key.get(key.as_str()).map(Vec::as_slice).unwrap_or_default();
            if let Some(item) = self.item(self.compose(state, key, entries)) {
                view.insert(key.clone(), item);
            }
        }
        let mut local_only = 0;
        for entry in &state.pending {
            if state.server.contains_key(&entry.key) || view.contains_key(&entry.key) {
                continue;
            }
            if let Some(item) = self.item(self.compose(state, &entry.key, &by_key[entry.key.as_str()])) {
                view.insert(entry.key.clone(), item);
                local_only += 1;
            }
        }
        state.view = view;
        state.local_only = local_only;
    }

    // ---- local writes ----

    /// Applies a write locally and queues it, in that order seen by nobody: the outbox entry is
    /// stored first, then the view changes and watchers are told. Returns the entry's key and
    /// the receiver of its answer.
    pub(crate) fn write(
        self: &Arc<Self>,
        op: Op,
        key: Option<Value>,
        body: Option<Value>,
    ) -> Result<Queued<S::Error>, Error<S::Error>> {
        let field = self.ops.key_field;
        let (key_json, body) = match op {
            Op::Create => {
                let mut body = body.unwrap_or_else(|| Value::Object(Map::new()));
                let given = body.get(field).filter(|v| !v.is_null()).cloned();
                let key = match given {
                    Some(key) => key,
                    None => {
                        // A client-made key, sent when the body type carries the key field.
                        let key = Value::String(uuid::Uuid::new_v4().to_string());
                        let mut candidate = body.clone();
                        if let Value::Object(fields) = &mut candidate {
                            fields.insert(field.to_owned(), key.clone());
                        }
                        if let Some((_, _, through)) = self.ops.create
                            && through(candidate.clone()).is_ok_and(|sent| sent.get(field) == Some(&key))
                        {
                            body = candidate;
                        }
                        key
                    }
                };
                (key, Some(body))
            }
            Op::Update | Op::Delete => {
                let key = key.ok_or_else(|| Error::Encode("a write without a key".into()))?;
                (key, body)
            }
        };
        let mut state = self.lock();
        // A write to a temporary key goes to the key the server gave it.
        let key_json = match state.aliases.get(&key_text(&key_json)) {
            Some(real) => state.server.get(real).and_then(|r| r.value.get(field).cloned()).unwrap_or(key_json),
            None => key_json,
        };
        let mut stored = StoredEntry {
            seq: 0,
            id: uuid::Uuid::new_v4().to_string(),
            op,
            key: key_json.clone(),
            body,
            attempted: false,
        };
        stored.seq = self.store.outbox_insert(&self.id, &stored).map_err(store_error)?;
        let entry = Entry {
            id: stored.id.clone(),
            op,
            key: key_text(&key_json),
            key_json: key_json.clone(),
            body: stored.body,
            attempted: false,
        };
        let (sender, receiver) = oneshot::channel();
        state.waiters.insert(entry.id.clone(), sender);
        let key = entry.key.clone();
        state.pending.push(entry);
        self.refresh(&mut state, &key);
        let pending = state.pending.len();
        drop(state);
        self.bump();
        self.update_status(|s| s.pending_writes = pending);
        self.outbox_wake.notify_one();
        Ok((key_json, receiver))
    }

    /// The scope was cleared (sign-out): its queue is gone from storage; forget it here too,
    /// with the rows, so nothing of it is shown or sent.
    pub(crate) fn clear(&self) {
        let mut state = self.lock();
        let dropped: Vec<_> = state.pending.drain(..).map(|e| e.id).collect();
        let waiters: Vec<_> = dropped.iter().filter_map(|id| state.waiters.remove(id)).collect();
        state.server.clear();
        state.shape_keys.clear();
        state.aliases.clear();
        self.rebuild(&mut state);
        drop(state);
        for waiter in waiters {
            let _ = waiter.send(Err(Error::Encode("the user scope was cleared before the write was sent".into())));
        }
        self.bump();
        self.update_status(|s| s.pending_writes = 0);
    }

    // ---- outcomes ----

    fn first_entry(&self) -> Option<Entry> {
        self.lock().pending.first().cloned()
    }

    fn finish(&self, state: &mut State<S>, id: &str) -> Option<Entry> {
        let index = state.pending.iter().position(|e| e.id == id)?;
        Some(state.pending.remove(index))
    }

    fn persist_server(&self, state: &mut State<S>, upserts: Vec<String>, deletes: Vec<String>, meta: Option<Meta>) {
        let mut rows = Vec::with_capacity(upserts.len());
        for key in upserts {
            if let Some(row) = state.server.get(&key) {
                let pos = state.next_pos;
                state.next_pos += 1;
                rows.push((StoredRow { key, shape_key: row.shape_key.clone(), value: row.value.clone() }, pos));
            }
        }
        if let Some(meta) = &meta {
            state.meta = meta.clone();
        }
        if let Err(err) = self.store.apply_rows(&self.id, &rows, &deletes, meta.as_ref()) {
            self.note_reached(self.status.borrow().online, Some(err.to_string()));
        }
    }

    /// The API confirmed `entry`: its answer becomes the server copy of the row.
    fn delivered(&self, entry: Entry, sent: Option<Sent>) {
        let mut state = self.lock();
        self.finish(&mut state, &entry.id);
        let mut touched = vec![entry.key.clone()];
        let (value, row) = match sent {
            Some(sent) => (Some(sent.value), sent.row),
            None => (None, None),
        };
        match entry.op {
            Op::Create | Op::Update => {
                let real = row.as_ref().and_then(|r| r.get(self.ops.key_field)).cloned();
                if let (Some(row), Some(real_json)) = (row, real) {
                    let real = key_text(&real_json);
                    if real != entry.key {
                        state.aliases.insert(entry.key.clone(), real.clone());
                        for later in state.pending.iter_mut().filter(|e| e.key == entry.key) {
                            later.key = real.clone();
                            later.key_json = real_json.clone();
                        }
                        if let Err(err) = self.store.outbox_rekey(&self.id, &entry.key_json, &real_json) {
                            drop(state);
                            self.note_reached(true, Some(err.to_string()));
                            state = self.lock();
                        }
                        touched.push(real.clone());
                    }
                    let shape_key = state.server.get(&real).and_then(|r| r.shape_key.clone());
                    state.server.insert(real.clone(), ServerRow { value: row, shape_key });
                    self.persist_server(&mut state, vec![real], Vec::new(), None);
                }
            }
            Op::Delete => {
                if state.server.shift_remove(&entry.key).is_some() {
                    self.persist_server(&mut state, Vec::new(), vec![entry.key.clone()], None);
                }
            }
        }
        for key in &touched {
            self.refresh(&mut state, key);
        }
        let waiter = state.waiters.remove(&entry.id);
        let pending = state.pending.len();
        drop(state);
        self.bump();
        self.update_status(|s| s.pending_writes = pending);
        if let Some(waiter) = waiter {
            let answer = value.ok_or_else(|| {
                Error::Encode("the write was delivered by another client of this queue; its answer is unknown".into())
            });
            let _ = waiter.send(answer);
        }
        self.refetch.notify_one();
    }

    /// Rebuilds an error for another receiver (dependents, the error stream).
    fn copy_error(&self, error: &Error<S::Error>) -> Error<S::Error> {
        let status = error.status();
        let body = error.body().and_then(self.ops.error_to_json);
        match (status, body.and_then(self.ops.error_from_json)) {
            (Some(status), Some(body)) => Error::Api { status, body: Box::new(body) },
            (Some(status), None) => match error {
                Error::UnexpectedStatus { body, .. } => Error::UnexpectedStatus { status, body: body.clone() },
                Error::Status { body, .. } => Error::Status { status, body: body.clone() },
                other => Error::Status { status, body: other.to_string() },
            },
            (None, _) => Error::Encode(error.to_string()),
        }
    }

    /// The API rejected `entry` for good (or it could not be sent): it is rolled back with the
    /// later writes to the same key when `with_dependents`.
    fn rejected(&self, entry: Entry, error: Error<S::Error>, with_dependents: bool) {
        let mut state = self.lock();
        let Some(start) = state.pending.iter().position(|e| e.id == entry.id) else {
            return;
        };
        let mut removed = vec![state.pending.remove(start)];
        if with_dependents {
            let mut index = start;
            while index < state.pending.len() {
                if state.pending[index].key == entry.key {
                    removed.push(state.pending.remove(index));
                } else {
                    index += 1;
                }
            }
        }
        let ids: Vec<&str> = removed.iter().map(|e| e.id.as_str()).collect();
        let store_result = self.store.outbox_remove(&ids);
        self.refresh(&mut state, &entry.key);
        let waiters: Vec<_> = removed.iter().map(|e| state.waiters.remove(&e.id)).collect();
        let pending = state.pending.len();
        drop(state);
        self.bump();
        let message = error.to_string();
        self.update_status(|s| {
            s.pending_writes = pending;
            s.last_error = Some(message);
        });
        if let Err(err) = store_result {
            self.note_reached(true, Some(err.to_string()));
        }
        let template = self.copy_error(&error);
        let mut original = Some(error);
        for (removed, waiter) in removed.iter().zip(waiters) {
            let caused_by = (removed.id != entry.id).then(|| entry.id.clone());
            let _ = self.errors.send(WriteError {
                id: removed.id.clone(),
                op: removed.op,
                key: removed.key_json.clone(),
                error: Arc::new(self.copy_error(&template)),
                caused_by,
            });
            if let Some(waiter) = waiter {
                let own = match original.take() {
                    Some(original) if removed.id == entry.id => original,
                    other => {
                        original = other;
                        self.copy_error(&template)
                    }
                };
                let _ = waiter.send(Err(own));
            }
        }
    }

    async fn send(&self, entry: &Entry) -> Result<Sent, Error<S::Error>> {
        let client = self.client.clone();
        let scope = self.scope.clone();
        let missing = |op: &str| Error::Encode(format!("the resource {} has no {op} operation", S::NAME));
        match entry.op {
            Op::Create => {
                let (send, _, _) = self.ops.create.ok_or_else(|| missing("create"))?;
                send(client, scope, entry.body.clone().unwrap_or(Value::Null)).await
            }
            Op::Update => {
                let (send, _) = self.ops.update.ok_or_else(|| missing("update"))?;
                send(client, scope, entry.key_json.clone(), entry.body.clone().unwrap_or(Value::Null)).await
            }
            Op::Delete => {
                let send = self.ops.delete.ok_or_else(|| missing("delete"))?;
                send(client, scope, entry.key_json.clone()).await
            }
        }
    }

    // ---- server rows ----

    /// A complete state from the sync source: it replaces every server row in one step.
    pub(crate) fn replace_server(&self, rows: Vec<(String, Option<String>, Value)>, meta: Meta) {
        let mut state = self.lock();
        let server: IndexMap<String, ServerRow> =
            rows.into_iter().map(|(key, shape_key, value)| (key, ServerRow { value, shape_key })).collect();
        let unchanged = state.server == server && state.meta.synced;
        if !unchanged {
            let stored: Vec<StoredRow> = server
                .iter()
                .map(|(key, row)| StoredRow {
                    key: key.clone(),
                    shape_key: row.shape_key.clone(),
                    value: row.value.clone(),
                })
                .collect();
            if let Err(err) = self.store.replace_rows(&self.id, &stored, &meta) {
                drop(state);
                self.note_reached(true, Some(err.to_string()));
                state = self.lock();
            }
            state.shape_keys =
                server.iter().filter_map(|(key, row)| Some((row.shape_key.clone()?, key.clone()))).collect();
            state.next_pos = server.len() as i64;
            state.server = server;
            self.rebuild(&mut state);
        } else if state.meta != meta {
            self.persist_server(&mut state, Vec::new(), Vec::new(), Some(meta.clone()));
        }
        state.meta = meta;
        drop(state);
        if !unchanged {
            self.bump();
        }
        self.mark_synced();
    }

    fn mark_synced(&self) {
        self.update_status(|status| {
            status.state = SyncState::Ready;
            status.online = true;
            status.last_error = None;
        });
    }

    pub(crate) fn meta(&self) -> Meta {
        self.lock().meta.clone()
    }

    /// Applies one Shape batch (everything up to an `up-to-date`) in one step.
    pub(crate) fn apply_batch(&self, batch: Batch, position: Position) {
        let field = self.ops.key_field;
        let meta = Meta {
            schema_version: self.ops.schema.to_owned(),
            synced: true,
            handle: position.handle,
            offset: position.offset,
            shape_schema: position.schema,
        };
        if batch.reset {
            let mut rows: IndexMap<String, (Option<String>, Value)> = IndexMap::new();
            let mut keys: HashMap<String, String> = HashMap::new();
            for change in batch.changes {
                apply_change(&mut rows, &mut keys, field, change);
            }
            let rows = rows.into_iter().map(|(key, (shape_key, value))| (key, shape_key, value)).collect();
            self.replace_server(rows, meta);
            return;
        }
        let mut state = self.lock();
        let mut upserts = Vec::new();
        let mut deletes = Vec::new();
        for change in batch.changes {
            let (shape_key, value, delete, merge_fields) = match change {
                Change::Insert { key, value } => (key, value, false, false),
                Change::Update { key, value } => (key, value, false, true),
                Change::Delete { key, value } => (key, value, true, false),
            };
            let key = state.shape_keys.get(&shape_key).cloned().or_else(|| value.get(field).map(key_text));
            let Some(key) = key else {
                continue;
            };
            if delete {
                state.shape_keys.remove(&shape_key);
                if state.server.shift_remove(&key).is_some() {
                    deletes.push(key.clone());
                }
            } else {
                state.shape_keys.insert(shape_key.clone(), key.clone());
                let value = Value::Object(value);
                match state.server.get_mut(&key) {
                    Some(row) if merge_fields => {
                        merge(&mut row.value, &value);
                        row.shape_key = Some(shape_key);
                    }
                    _ => {
                        state.server.insert(key.clone(), ServerRow { value, shape_key: Some(shape_key) });
                    }
                }
                deletes.retain(|k| k != &key);
                upserts.push(key.clone());
            }
        }
        upserts.sort();
        upserts.dedup();
        let touched: Vec<String> = upserts.iter().chain(&deletes).cloned().collect();
        self.persist_server(&mut state, upserts, deletes, Some(meta));
        for key in &touched {
            self.refresh(&mut state, key);
        }
        drop(state);
        if !touched.is_empty() {
            self.bump();
        }
        self.mark_synced();
    }
}

fn apply_change(
    rows: &mut IndexMap<String, (Option<String>, Value)>,
    keys: &mut HashMap<String, String>,
    field: &str,
    change: Change,
) {
    match change {
        Change::Insert { key: shape_key, value } | Change::Update { key: shape_key, value } => {
            let Some(key) = keys.get(&shape_key).cloned().or_else(|| value.get(field).map(key_text)) else {
                return;
            };
            keys.insert(shape_key.clone(), key.clone());
            let value = Value::Object(value);
            match rows.get_mut(&key) {
                Some((_, row)) => merge(row, &value),
                None => {
                    rows.insert(key, (Some(shape_key), value));
                }
            }
        }
        Change::Delete { key: shape_key, value } => {
            if let Some(key) = keys.remove(&shape_key).or_else(|| value.get(field).map(key_text)) {
                rows.shift_remove(&key);
            }
        }
    }
}

/// The outbox sender: entries one at a time, in order, under the queue's lease.
async fn run_outbox<S: Spec>(collection: Weak<Collection<S>>, wake: Arc<Notify>) {
    let mut attempt: u32 = 0;
    let mut lease_until: Option<Instant> = None;
    // Pending writes keep the collection (and so this sender) running after its last handle
    // is dropped (docs/live-mode.md §8); an empty queue lets it go.
    let mut keep_alive: Option<Arc<Collection<S>>> = None;
    loop {
        let Some(this) = keep_alive.clone().or_else(|| collection.upgrade()) else {
            return;
        };
        let lease = this.config.lease;
        let Some(entry) = this.first_entry() else {
            keep_alive = None;
            if lease_until.take().is_some() {
                let _ = this.store.release_lease(&this.id, &this.owner);
            }
            drop(this);
            let _ = tokio::time::timeout(Duration::from_secs(1), wake.notified()).await;
            continue;
        };
        keep_alive = Some(Arc::clone(&this));
        if lease_until.is_none_or(|until| until.saturating_duration_since(Instant::now()) < lease * 2 / 3) {
            match this.store.claim_lease(&this.id, &this.owner, lease) {
                Ok(true) => lease_until = Some(Instant::now() + lease),
                Ok(false) => {
                    lease_until = None;
                    drop(this);
                    tokio::time::sleep(lease / 3).await;
                    continue;
                }
                Err(err) => {
                    this.note_reached(false, Some(err.to_string()));
                    drop(this);
                    tokio::time::sleep(outbox::backoff(attempt, None)).await;
                    attempt = attempt.saturating_add(1);
                    continue;
                }
            }
        }
        // Holding the lease, read the queue again: another process may have sent it.
        let attempted = match this.store.outbox_state(&entry.id) {
            Ok(Some(attempted)) => attempted || entry.attempted,
            Ok(None) => {
                this.delivered(entry, None);
                continue;
            }
            Err(err) => {
                this.note_reached(false, Some(err.to_string()));
                drop(this);
                tokio::time::sleep(outbox::backoff(attempt, None)).await;
                attempt = attempt.saturating_add(1);
                continue;
            }
        };
        if !attempted && let Err(err) = this.store.outbox_mark_attempted(&entry.id) {
            this.note_reached(false, Some(err.to_string()));
            drop(this);
            tokio::time::sleep(outbox::backoff(attempt, None)).await;
            attempt = attempt.saturating_add(1);
            continue;
        }
        let result = this.send(&entry).await;
        match result {
            Ok(sent) => {
                attempt = 0;
                if let Err(err) = this.store.outbox_remove(&[entry.id.as_str()]) {
                    this.note_reached(true, Some(err.to_string()));
                }
                this.delivered(entry, Some(sent));
                this.note_reached(true, None);
            }
            Err(error) => match outbox::classify(&error) {
                Outcome::Retry { answered } => {
                    this.note_reached(answered, Some(error.to_string()));
                    drop(this);
                    // `Retry-After` is not visible through the typed error yet (see the report).
                    tokio::time::sleep(outbox::backoff(attempt, None)).await;
                    attempt = attempt.saturating_add(1);
                }
                // A replayed create that the API already has: the first attempt went through.
                Outcome::Rejected if entry.op == Op::Create && attempted && error.status() == Some(409) => {
                    attempt = 0;
                    let _ = this.store.outbox_remove(&[entry.id.as_str()]);
                    this.delivered(entry, None);
                    this.note_reached(true, None);
                }
                Outcome::Rejected => {
                    attempt = 0;
                    this.rejected(entry, error, true);
                    this.update_status(|s| s.online = true);
                }
                Outcome::Dropped => {
                    attempt = 0;
                    this.rejected(entry, error, false);
                }
            },
        }
    }
}

/// What the registry can do to an open collection of any resource.
pub(crate) trait Open: Send + Sync {
    fn queue(&self) -> &str;
    fn clear(&self);
}

impl<S: Spec> Open for Collection<S> {
    fn queue(&self) -> &str {
        &self.id
    }

    fn clear(&self) {
        Collection::clear(self);
    }
}
