//! Resource handles: the unified interface (`api.contacts()`), one type for both sync modes.
//!
//! Generated code describes each resource once, as a marker type implementing [`Spec`] and
//! the capability traits its spec supports ([`List`], [`Get`], [`Create`], [`Update`],
//! [`Delete`]). [`Resource`] turns those into methods. Whether a resource is `push` or `live`
//! only decides which constructor the generated accessor calls ([`Resource::push`] or
//! [`Resource::live`]); the methods and their signatures are the same, so flipping `x-sync`
//! in the spec changes no calling code.
//!
//! Until the live sync engine (local collection, optimistic writes, persisted outbox, Shape
//! streaming) lands, a live resource reads and writes through the REST API the way a push
//! resource does; its [`LiveSource`] is kept for that engine.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use futures_core::Stream;

use crate::client::Client;
use crate::error::Error;

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
    type Error: Send + 'static;
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
}

impl<S: Spec> Clone for Resource<S> {
    fn clone(&self) -> Self {
        Resource { client: self.client.clone(), scope: self.scope.clone(), source: self.source.clone() }
    }
}

impl<S: Spec> fmt::Debug for Resource<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resource").field("name", &S::NAME).field("mode", &self.mode()).finish()
    }
}

impl<S: Spec> Resource<S> {
    /// A resource whose calls go to the API (`x-sync: push`).
    pub fn push(client: S::Client, scope: S::Scope) -> Self {
        Resource { client, scope, source: None }
    }

    /// A resource kept in a local collection (`x-sync: live`).
    pub fn live(client: S::Client, scope: S::Scope, source: LiveSource) -> Self {
        Resource { client, scope, source: Some(source) }
    }

    pub fn mode(&self) -> SyncMode {
        if self.source.is_some() { SyncMode::Live } else { SyncMode::Push }
    }

    /// Where a live resource's rows come from; `None` for push.
    pub fn live_source(&self) -> Option<&LiveSource> {
        self.source.as_ref()
    }
}

impl<S: List> Resource<S> {
    /// Every item of the collection.
    pub async fn list(&self) -> Result<Vec<S::Item>, Error<S::Error>> {
        S::list(&self.client, &self.scope).await
    }

    /// The collection now and whenever it changes: after each write made through this client,
    /// and on the client's watch interval. Only changed lists are yielded; a failed refetch
    /// yields nothing and is retried on the next occasion (see [`watch_results`](Self::watch_results)
    /// to see failures).
    pub fn watch(&self) -> impl Stream<Item = Vec<S::Item>> + Send + 'static
    where
        S::Item: PartialEq,
    {
        use futures_util::StreamExt;
        self.watch_results().filter_map(|result| std::future::ready(result.ok()))
    }

    /// Like [`watch`](Self::watch), but failed refetches are yielded as errors.
    pub fn watch_results(&self) -> impl Stream<Item = Result<Vec<S::Item>, Error<S::Error>>> + Send + 'static
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

struct Watch<S: Spec> {
    client: S::Client,
    scope: S::Scope,
    writes: tokio::sync::watch::Receiver<u64>,
    period: Duration,
    last: Option<Vec<S::Item>>,
    started: bool,
}

impl<S: Get> Resource<S> {
    /// The item with this key.
    pub async fn get(&self, key: impl Into<S::Key>) -> Result<S::Item, Error<S::Error>> {
        S::get(&self.client, &self.scope, &key.into()).await
    }
}

impl<S: Create> Resource<S> {
    /// Creates an item.
    pub async fn create(&self, new: S::New) -> Result<S::Created, Error<S::Error>> {
        S::create(&self.client, &self.scope, new).await
    }
}

impl<S: Update> Resource<S> {
    /// Changes the item with this key.
    pub async fn update(&self, key: impl Into<S::Key>, patch: S::Patch) -> Result<S::Updated, Error<S::Error>> {
        S::update(&self.client, &self.scope, &key.into(), patch).await
    }
}

impl<S: Delete> Resource<S> {
    /// Deletes the item with this key.
    pub async fn delete(&self, key: impl Into<S::Key>) -> Result<(), Error<S::Error>> {
        S::delete(&self.client, &self.scope, &key.into()).await
    }
}
