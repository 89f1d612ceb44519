//! Process-wide live settings per base URL, and the collections and stores that are open.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, Weak};

use super::LiveConfig;
use super::collection::{Collection, Open};
use super::ops::LiveOps;
use super::store::{Store, StoreError};
use crate::resource::{ApiClient, LiveSource, Spec};

#[derive(Default)]
struct Registry {
    configs: HashMap<String, LiveConfig>,
    stores: HashMap<String, Weak<Store>>,
    collections: HashMap<(String, TypeId), Weak<dyn Any + Send + Sync>>,
    /// The same collections, for clearing a scope.
    open: Vec<Weak<dyn Open>>,
}

static REGISTRY: LazyLock<Mutex<Registry>> = LazyLock::new(Mutex::default);

fn registry() -> std::sync::MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn normalize(base_url: &str) -> String {
    base_url.trim_end_matches('/').to_owned()
}

/// Sets the live settings for the API at `base_url`. Handles made afterwards use them;
/// collections already open keep theirs.
pub fn configure(base_url: &str, config: LiveConfig) {
    registry().configs.insert(normalize(base_url), config);
}

/// The live settings for `base_url` (the defaults when none were set).
pub fn config(base_url: &str) -> LiveConfig {
    registry().configs.get(&normalize(base_url)).cloned().unwrap_or_default()
}

/// Switches the user scope of `base_url`: handles made afterwards see only that scope's rows
/// and queue.
pub fn set_user_scope(base_url: &str, user_scope: impl Into<String>) {
    let mut registry = registry();
    let config = registry.configs.entry(normalize(base_url)).or_default();
    config.user_scope = user_scope.into();
}

/// Deletes everything stored for `user_scope` at `base_url`: rows and queued writes, sent or
/// not (call it at sign-out).
pub fn clear_user_scope(base_url: &str, user_scope: &str) -> Result<(), StoreError> {
    let config = config(base_url);
    let store = store(&config)?;
    let prefix = format!("{}:", scope_prefix(&normalize(base_url), user_scope));
    store.clear_prefix(&prefix)?;
    let open: Vec<_> = {
        let mut registry = registry();
        registry.open.retain(|open| open.strong_count() > 0);
        registry.open.iter().filter_map(Weak::upgrade).collect()
    };
    for collection in open.iter().filter(|c| c.queue().starts_with(&prefix)) {
        collection.clear();
    }
    Ok(())
}

fn encode(text: &str) -> String {
    text.replace('%', "%25").replace(':', "%3A")
}

/// `v1:<base url>:<user scope>`, both percent-encoded (docs/outbox.md §1).
fn scope_prefix(base_url: &str, user_scope: &str) -> String {
    format!("v1:{}:{}", encode(base_url), encode(user_scope))
}

fn store(config: &LiveConfig) -> Result<Arc<Store>, StoreError> {
    let name = config.database.as_ref().map_or_else(|| ":memory:".to_owned(), |p| p.display().to_string());
    let mut registry = registry();
    if let Some(store) = registry.stores.get(&name).and_then(Weak::upgrade) {
        return Ok(store);
    }
    let store = Arc::new(Store::open(config.database.as_deref())?);
    registry.stores.insert(name, Arc::downgrade(&store));
    Ok(store)
}

/// The open collection of this resource and scope, or a newly opened one.
pub(crate) fn collection<S: Spec>(
    client: &S::Client,
    scope: &S::Scope,
    source: &LiveSource,
    ops: LiveOps<S>,
) -> Result<Arc<Collection<S>>, StoreError> {
    let base_url = normalize(client.runtime().base_url());
    let config = config(&base_url);
    let parents = match (ops.scope_to_json)(scope) {
        Ok(serde_json::Value::Null) => String::new(),
        Ok(serde_json::Value::Array(values)) if values.is_empty() => String::new(),
        Ok(value) => format!(":{}", encode(&value.to_string())),
        Err(_) => String::new(),
    };
    let id = format!("{}:{}{}", scope_prefix(&base_url, &config.user_scope), S::NAME, parents);
    let type_key = (id.clone(), TypeId::of::<S>());
    if let Some(open) = registry().collections.get(&type_key).and_then(Weak::upgrade)
        && let Ok(open) = open.downcast::<Collection<S>>()
    {
        return Ok(open);
    }
    let store = store(&config)?;
    let collection = Collection::open(id, ops, client.clone(), scope.clone(), source.clone(), store, config)?;
    let mut registry = registry();
    // Another thread may have opened it meanwhile: keep the first.
    if let Some(open) = registry.collections.get(&type_key).and_then(Weak::upgrade)
        && let Ok(open) = open.downcast::<Collection<S>>()
    {
        return Ok(open);
    }
    let erased: Arc<dyn Any + Send + Sync> = collection.clone();
    registry.collections.insert(type_key, Arc::downgrade(&erased));
    let open: Arc<dyn Open> = collection.clone();
    registry.open.push(Arc::downgrade(&open));
    Ok(collection)
}
