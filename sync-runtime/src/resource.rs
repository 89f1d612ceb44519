//! Resource handles: the unified interface (`api.contacts()`), one type for both sync modes.
//!
//! Generated code describes each resource once, as a marker type implementing [`Spec`] and
//! the capability traits its spec supports ([`List`], [`Get`], [`Create`], [`Update`],
//! [`Delete`]). [`Resource`] turns those into methods. Whether a resource is `push` or `live`
//! only decides which constructor the generated accessor calls ([`Resource::push`] or
//! [`Resource::live`]); the methods and their signatures are the same, so flipping `x-sync`
//! in the spec changes no calling code.
//!
//! A live resource (docs/live-mode.md) reads from a local collection and writes
//! optimistically: `create`/`update`/`delete` apply locally before they return control and
//! resolve at the server's confirmation with the same result push mode gives;
//! `create_local`/`update_local`/`delete_local` return a [`Pending`] at local apply instead.
//! Without the `live` feature, a live resource reads and writes through the REST API.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use futures_core::Stream;
use tokio::sync::{broadcast, oneshot};

use crate::client::Client;
use crate::error::Error;
use crate::live::{LiveOps, SyncState, SyncStatus, WriteError, WriteOp};

/// What generated API clients give resources: the runtime client underneath.
pub trait ApiClient: Clone + Send + Sync + 'static {
    fn runtime(&self) -> &Client;
}

/// A resource: its item, key and error types. Implemented by a generated marker type.
pub trait Spec: Sized + 'static {
    type Client: ApiClient;
    /// One row of the collection (`Contact`).
    type Item: Clone + Send + Sync + 'static;
    /// The item's key (`id`).
    type Key: Clone + Send + Sync + 'static;
    /// The error body the resource's operations declare (`serde_json::Value` when they differ).
    type Error: fmt::Debug + Send + Sync + 'static;
    /// Values of the collection path's own parameters (`/orgs/{org}/members` -> the `org`),
    /// `()` for a top-level collection.
    type Scope: Clone + Send + Sync + 'static;
    /// The resource's name in the spec (`contacts`).
    const NAME: &'static str;

    /// The key of `item`; `None` when the item does not carry it (not yet assigned).
    fn key(item: &Self::Item) -> Option<Self::Key>;
}

/// The collection can be listed (every resource can).
pub trait List: Spec {
    fn list(
        client: &Self::Client,
        scope: &Self::Scope,
    ) -> impl Future<Output = Result<Vec<Self::Item>, Error<Self::Error>>> + Send;
}

/// One item can be fetched by key.
pub trait Get: Spec {
    fn get(
        client: &Self::Client,
        scope: &Self::Scope,
        key: &Self::Key,
    ) -> impl Future<Output = Result<Self::Item, Error<Self::Error>>> + Send;
}

/// Items can be created.
pub trait Create: Spec {
    /// What a new item is made from (the create operation's body).
    type New: Send + 'static;
    /// What creating answers with (usually the item).
    type Created: Send + 'static;
    fn create(
        client: &Self::Client,
        scope: &Self::Scope,
        new: Self::New,
    ) -> impl Future<Output = Result<Self::Created, Error<Self::Error>>> + Send;
}

/// Items can be changed.
pub trait Update: Spec {
    /// What a change is made of (the update operation's body).
    type Patch: Send + 'static;
    /// What updating answers with (usually the item).
    type Updated: Send + 'static;
    fn update(
        client: &Self::Client,
        scope: &Self::Scope,
        key: &Self::Key,
        patch: Self::Patch,
    ) -> impl Future<Output = Result<Self::Updated, Error<Self::Error>>> + Send;
}

/// Items can be deleted.
pub trait Delete: Spec {
    fn delete(
        client: &Self::Client,
        scope: &Self::Scope,
        key: &Self::Key,
    ) -> impl Future<Output = Result<(), Error<Self::Error>>> + Send;
}

/// How a resource's data is delivered (`x-sync`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncMode {
    Push,
    Live,
}

/// Where a live resource's rows come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveSource {
    /// The REST list endpoint, refetched after writes and on an interval.
    Rest,
    /// An ElectricSQL-compatible Shape endpoint.
    Shape(ShapeSource),
}

/// `x-sync-shape` of a live resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeSource {
    pub table: &'static str,
    pub where_clause: Option<&'static str>,
    /// All columns when empty.
    pub columns: &'static [&'static str],
}

/// The handle for one resource (`api.contacts()`); see the [module docs](self).
pub struct Resource<S: Spec> {
    client: S::Client,
    scope: S::Scope,
    source: Option<LiveSource>,
    ops: Option<LiveOps<S>>,
    /// The live collection, opened on first use.
    #[cfg(feature = "live")]
    collection: Arc<std::sync::OnceLock<Arc<crate::live::collection::Collection<S>>>>,
    /// Failed `*_local` writes of a push handle (a live handle reports its collection's).
    push_errors: Arc<broadcast::Sender<WriteError<S::Error>>>,
}

impl<S: Spec> Clone for Resource<S> {
    fn clone(&self) -> Self {
        Resource {
            client: self.client.clone(),
            scope: self.scope.clone(),
            source: self.source.clone(),
            ops: self.ops,
            #[cfg(feature = "live")]
            collection: Arc::clone(&self.collection),
            push_errors: Arc::clone(&self.push_errors),
        }
    }
}

impl<S: Spec> fmt::Debug for Resource<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resource").field("name", &S::NAME).field("mode", &self.mode()).finish()
    }
}

/// A write applied locally and queued; [`confirmed`](Pending::confirmed) waits for the API.
#[must_use = "the write is queued either way; drop the handle to stop waiting for its answer"]
pub struct Pending<S: Spec, T> {
    key: Option<S::Key>,
    answer: oneshot::Receiver<crate::live::Answer<S::Error>>,
    /// Keeps the live collection (and its sender) running while someone waits.
    _keep: Option<Arc<dyn Any + Send + Sync>>,
    _answer: PhantomData<fn() -> T>,
}

impl<S: Spec, T: 'static> Pending<S, T> {
    /// The key of the row written (for a create: the key the optimistic row has); `None` for a
    /// push-mode create, whose key the server assigns.
    pub fn key(&self) -> Option<&S::Key> {
        self.key.as_ref()
    }

    /// The API's answer: what the write call itself returns.
    pub async fn confirmed(self) -> Result<T, Error<S::Error>> {
        match self.answer.await {
            Ok(Ok(value)) => value
                .downcast::<T>()
                .map(|value| *value)
                .map_err(|_| Error::Encode("the write's answer has an unexpected type".into())),
            Ok(Err(err)) => Err(err),
            Err(_) => Err(Error::Encode("the client shut down before the write was answered".into())),
        }
    }
}

#[cfg(feature = "live")]
fn not_found<E>(name: &str) -> Error<E> {
    Error::Status { status: 404, body: format!("no such {name} in the local collection") }
}

impl<S: Spec> Resource<S> {
    /// A resource whose calls go to the API (`x-sync: push`).
    pub fn push(client: S::Client, scope: S::Scope) -> Self {
        Resource {
            client,
            scope,
            source: None,
            ops: None,
            #[cfg(feature = "live")]
            collection: Arc::default(),
            push_errors: Arc::new(broadcast::channel(64).0),
        }
    }

    /// A resource kept in a local collection (`x-sync: live`), described by `ops`.
    pub fn live(client: S::Client, scope: S::Scope, source: LiveSource, ops: LiveOps<S>) -> Self {
        Resource {
            client,
            scope,
            source: Some(source),
            ops: Some(ops),
            #[cfg(feature = "live")]
            collection: Arc::default(),
            push_errors: Arc::new(broadcast::channel(64).0),
        }
    }

    pub fn mode(&self) -> SyncMode {
        if self.source.is_some() { SyncMode::Live } else { SyncMode::Push }
    }

    /// Where a live resource's rows come from; `None` for push.
    pub fn live_source(&self) -> Option<&LiveSource> {
        self.source.as_ref()
    }

    /// The live collection, opened (and its sync started) on first use; `None` for push.
    #[cfg(feature = "live")]
    fn collection(&self) -> Result<Option<&Arc<crate::live::collection::Collection<S>>>, Error<S::Error>> {
        let (Some(source), Some(ops)) = (&self.source, self.ops) else {
            return Ok(None);
        };
        let collection = match self.collection.get() {
            Some(collection) => collection,
            None => {
                let opened = crate::live::registry_collection(&self.client, &self.scope, source, ops)
                    .map_err(|err| Error::Encode(err.to_string()))?;
                self.collection.get_or_init(|| opened)
            }
        };
        collection.start();
        Ok(Some(collection))
    }

    #[cfg(not(feature = "live"))]
    fn collection(&self) -> Result<Option<&Arc<NoCollection>>, Error<S::Error>> {
        Ok(None)
    }

    /// A counter bumped on every change of a live collection, for code that wants to be told
    /// of changes without receiving the rows (a UI that redraws); `None` for push.
    pub fn subscribe_changes(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        match self.collection() {
            #[cfg(feature = "live")]
            Ok(Some(collection)) => Some(collection.subscribe()),
            _ => None,
        }
    }

    /// The sync status now: always `ready` and online for a push resource.
    pub fn status(&self) -> SyncStatus {
        match self.collection() {
            #[cfg(feature = "live")]
            Ok(Some(collection)) => collection.status().borrow().clone(),
            Err(err) => SyncStatus {
                state: SyncState::Offline,
                pending_writes: 0,
                last_error: Some(err.to_string()),
                online: false,
            },
            _ => SyncStatus { state: SyncState::Ready, pending_writes: 0, last_error: None, online: true },
        }
    }

    /// The sync status now and after every change.
    pub fn status_stream(&self) -> impl Stream<Item = SyncStatus> + Send + 'static {
        use futures_util::StreamExt;
        match self.collection() {
            #[cfg(feature = "live")]
            Ok(Some(collection)) => crate::live::status_stream(collection.status()).boxed(),
            _ => futures_util::stream::once(std::future::ready(self.status()))
                .chain(futures_util::stream::pending())
                .boxed(),
        }
    }

    /// Writes that failed for good after their call returned: rejected (and rolled back), or
    /// rolled back because an earlier write to the same row was rejected. Live writes replayed
    /// from an earlier run, which nobody awaits, are reported here too.
    pub fn errors(&self) -> impl Stream<Item = WriteError<S::Error>> + Send + 'static {
        let receiver = match self.collection() {
            #[cfg(feature = "live")]
            Ok(Some(collection)) => collection.errors(),
            _ => self.push_errors.subscribe(),
        };
        futures_util::stream::unfold(receiver, |mut receiver| async move {
            loop {
                match receiver.recv().await {
                    Ok(error) => return Some((error, receiver)),
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        })
    }

    /// Sends a push-mode write in the background and hands back its answer.
    fn push_local<T: Send + 'static>(
        &self,
        op: WriteOp,
        key: Option<S::Key>,
        send: impl Future<Output = Result<T, Error<S::Error>>> + Send + 'static,
    ) -> Result<Pending<S, T>, Error<S::Error>> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| Error::Encode("a background write needs a tokio runtime".into()))?;
        let (sender, answer) = oneshot::channel();
        let errors = Arc::clone(&self.push_errors);
        runtime.spawn(async move {
            let result = send.await;
            if let Err(err) = &result {
                let copy = Error::<S::Error>::Encode(err.to_string());
                let _ = errors.send(WriteError {
                    id: uuid::Uuid::new_v4().to_string(),
                    op,
                    key: serde_json::Value::Null,
                    error: Arc::new(copy),
                    caused_by: None,
                });
            }
            let _ = sender.send(result.map(|value| Box::new(value) as Box<dyn Any + Send>));
        });
        Ok(Pending { key, answer, _keep: None, _answer: PhantomData })
    }

    #[cfg(feature = "live")]
    fn live_local<T: 'static>(
        &self,
        collection: &Arc<crate::live::collection::Collection<S>>,
        op: WriteOp,
        key: Option<&S::Key>,
        body: Option<serde_json::Value>,
    ) -> Result<Pending<S, T>, Error<S::Error>> {
        let ops = self.ops.expect("a live resource has its ops");
        let key = key.map(ops.key_to_json).transpose().map_err(|err| Error::Encode(err.to_string()))?;
        let (key, answer) = collection.write(op, key, body)?;
        let key = (ops.key_from_json)(key).ok();
        let keep: Arc<dyn Any + Send + Sync> = collection.clone();
        Ok(Pending { key, answer, _keep: Some(keep), _answer: PhantomData })
    }
}

#[cfg(not(feature = "live"))]
enum NoCollection {}

impl<S: List> Resource<S> {
    /// Every item of the collection. Live: from the local collection, in the server's order
    /// (waiting for the first sync or the persisted copy on first use).
    pub async fn list(&self) -> Result<Vec<S::Item>, Error<S::Error>> {
        #[cfg(feature = "live")]
        if let Some(collection) = self.collection()? {
            collection.ready().await;
            return Ok(collection.rows());
        }
        S::list(&self.client, &self.scope).await
    }

    /// The collection now and whenever it changes. Push: after each write made through this
    /// client, and on the client's watch interval; a failed refetch yields nothing and is
    /// retried on the next occasion (see [`watch_results`](Self::watch_results)). Live: at once
    /// and after every local or remote change. Only changed lists are yielded.
    pub fn watch(&self) -> impl Stream<Item = Vec<S::Item>> + Send + 'static
    where
        S::Item: PartialEq,
    {
        use futures_util::StreamExt;
        self.watch_results().filter_map(|result| std::future::ready(result.ok()))
    }

    /// Like [`watch`](Self::watch), but failures are yielded as errors.
    pub fn watch_results(&self) -> impl Stream<Item = Result<Vec<S::Item>, Error<S::Error>>> + Send + 'static
    where
        S::Item: PartialEq,
    {
        use futures_util::StreamExt;
        #[cfg(feature = "live")]
        match self.collection() {
            Ok(Some(collection)) => return watch_live(Arc::clone(collection)).boxed(),
            Ok(None) => {}
            Err(err) => return futures_util::stream::once(std::future::ready(Err(err))).boxed(),
        }
        self.watch_push().boxed()
    }

    fn watch_push(&self) -> impl Stream<Item = Result<Vec<S::Item>, Error<S::Error>>> + Send + 'static
    where
        S::Item: PartialEq,
    {
        let runtime = self.client.runtime();
        let mut writes = runtime.subscribe_writes();
        writes.mark_unchanged();
        let state = Watch::<S> {
            client: self.client.clone(),
            scope: self.scope.clone(),
            writes,
            period: runtime.watch_interval(),
            last: None,
            started: false,
        };
        futures_util::stream::unfold(state, |mut state| async move {
            loop {
                if state.started {
                    tokio::select! {
                        () = tokio::time::sleep(state.period) => {}
                        changed = state.writes.changed() => {
                            // The client (and so the sender) lives as long as this stream.
                            if changed.is_err() {
                                return None;
                            }
                        }
                    }
                }
                state.started = true;
                match S::list(&state.client, &state.scope).await {
                    Ok(items) if state.last.as_ref() == Some(&items) => continue,
                    Ok(items) => {
                        state.last = Some(items.clone());
                        return Some((Ok(items), state));
                    }
                    Err(err) => return Some((Err(err), state)),
                }
            }
        })
    }
}

/// A live watch: the rows once past `loading`, then after every change that alters them.
#[cfg(feature = "live")]
fn watch_live<S: Spec>(
    collection: Arc<crate::live::collection::Collection<S>>,
) -> impl Stream<Item = Result<Vec<S::Item>, Error<S::Error>>> + Send + 'static
where
    S::Item: PartialEq,
{
    let versions = collection.subscribe();
    futures_util::stream::unfold(
        (collection, versions, None::<Vec<S::Item>>),
        |(collection, mut versions, last)| async move {
            if last.is_none() && collection.is_loading() {
                collection.ready().await;
            }
            loop {
                if last.is_some() && versions.changed().await.is_err() {
                    return None;
                }
                versions.mark_unchanged();
                let rows = collection.rows();
                if last.as_ref() == Some(&rows) {
                    continue;
                }
                return Some((Ok(rows.clone()), (collection, versions, Some(rows))));
            }
        },
    )
}

struct Watch<S: Spec> {
    client: S::Client,
    scope: S::Scope,
    writes: tokio::sync::watch::Receiver<u64>,
    period: Duration,
    last: Option<Vec<S::Item>>,
    started: bool,
}

impl<S: Get> Resource<S> {
    /// The item with this key. Live: looked up in the local collection; a key it does not hold
    /// is a status-404 error, as push mode gives for a missing item.
    pub async fn get(&self, key: impl Into<S::Key>) -> Result<S::Item, Error<S::Error>> {
        let key = key.into();
        #[cfg(feature = "live")]
        if let Some(collection) = self.collection()? {
            collection.ready().await;
            return match collection.get(&key) {
                Ok(Some(item)) => Ok(item),
                Ok(None) => Err(not_found(S::NAME)),
                Err(err) => Err(Error::Encode(err.to_string())),
            };
        }
        S::get(&self.client, &self.scope, &key).await
    }
}

impl<S: Create> Resource<S> {
    /// Creates an item; resolves with the server's answer. Live: the row shows locally before
    /// this returns control, and the write survives going offline and restarts.
    pub async fn create(&self, new: S::New) -> Result<S::Created, Error<S::Error>> {
        #[cfg(feature = "live")]
        if self.collection()?.is_some() {
            return self.create_local(new)?.confirmed().await;
        }
        S::create(&self.client, &self.scope, new).await
    }

    /// Creates an item and returns at local apply; the [`Pending`] gives the answer later.
    pub fn create_local(&self, new: S::New) -> Result<Pending<S, S::Created>, Error<S::Error>> {
        #[cfg(feature = "live")]
        if let Some(collection) = self.collection()? {
            let (_, to_json, _) = self.ops.and_then(|ops| ops.create).ok_or_else(|| no_op::<S::Error>("create"))?;
            let body = to_json(Box::new(new)).map_err(|err| Error::Encode(err.to_string()))?;
            return self.live_local(collection, WriteOp::Create, None, Some(body));
        }
        let (client, scope) = (self.client.clone(), self.scope.clone());
        self.push_local(WriteOp::Create, None, async move { S::create(&client, &scope, new).await })
    }
}

impl<S: Update> Resource<S> {
    /// Changes the item with this key; resolves with the server's answer.
    pub async fn update(&self, key: impl Into<S::Key>, patch: S::Patch) -> Result<S::Updated, Error<S::Error>> {
        #[cfg(feature = "live")]
        if self.collection()?.is_some() {
            return self.update_local(key, patch)?.confirmed().await;
        }
        S::update(&self.client, &self.scope, &key.into(), patch).await
    }

    /// Changes the item and returns at local apply.
    pub fn update_local(
        &self,
        key: impl Into<S::Key>,
        patch: S::Patch,
    ) -> Result<Pending<S, S::Updated>, Error<S::Error>> {
        let key = key.into();
        #[cfg(feature = "live")]
        if let Some(collection) = self.collection()? {
            let (_, to_json) = self.ops.and_then(|ops| ops.update).ok_or_else(|| no_op::<S::Error>("update"))?;
            let body = to_json(Box::new(patch)).map_err(|err| Error::Encode(err.to_string()))?;
            return self.live_local(collection, WriteOp::Update, Some(&key), Some(body));
        }
        let (client, scope) = (self.client.clone(), self.scope.clone());
        let sent = key.clone();
        self.push_local(WriteOp::Update, Some(key), async move { S::update(&client, &scope, &sent, patch).await })
    }
}

impl<S: Delete> Resource<S> {
    /// Deletes the item with this key; resolves at the server's answer.
    pub async fn delete(&self, key: impl Into<S::Key>) -> Result<(), Error<S::Error>> {
        #[cfg(feature = "live")]
        if self.collection()?.is_some() {
            return self.delete_local(key)?.confirmed().await;
        }
        S::delete(&self.client, &self.scope, &key.into()).await
    }

    /// Deletes the item and returns at local apply.
    pub fn delete_local(&self, key: impl Into<S::Key>) -> Result<Pending<S, ()>, Error<S::Error>> {
        let key = key.into();
        #[cfg(feature = "live")]
        if let Some(collection) = self.collection()? {
            if self.ops.and_then(|ops| ops.delete).is_none() {
                return Err(no_op("delete"));
            }
            return self.live_local(collection, WriteOp::Delete, Some(&key), None);
        }
        let (client, scope) = (self.client.clone(), self.scope.clone());
        let sent = key.clone();
        self.push_local(WriteOp::Delete, Some(key), async move { S::delete(&client, &scope, &sent).await })
    }
}

#[cfg(feature = "live")]
fn no_op<E>(op: &str) -> Error<E> {
    Error::Encode(format!("this live resource was generated without its {op} operation"))
}
