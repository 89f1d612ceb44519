//! What generated code hands a live resource: its key field, schema fingerprint and the
//! resource's operations with their serde bounds already checked.
//!
//! The engine keeps rows and pending writes as JSON (that is what SQLite stores and what the
//! Shape protocol sends) and needs the item, key, body and error types only at the edges. The
//! constructors here are generic over the marker, so the bounds are proved once, where the
//! generated accessor builds the [`LiveOps`], and the engine calls plain function pointers.
//! Push resources never need these bounds.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::Error;
use crate::resource::{Create, Delete, List, Spec, Update};

/// The operation of a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOp {
    Create,
    Update,
    Delete,
}

impl WriteOp {
    pub fn as_str(self) -> &'static str {
        match self {
            WriteOp::Create => "create",
            WriteOp::Update => "update",
            WriteOp::Delete => "delete",
        }
    }

    pub fn parse(text: &str) -> Option<WriteOp> {
        match text {
            "create" => Some(WriteOp::Create),
            "update" => Some(WriteOp::Update),
            "delete" => Some(WriteOp::Delete),
            _ => None,
        }
    }
}

/// What a write's caller receives: the typed answer (boxed) or the error.
pub type Answer<E> = Result<Box<dyn Any + Send>, Error<E>>;

pub(crate) type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// What a confirmed write answered: the typed value for the caller, and the row it carries (as
/// JSON) when the answer is an item.
pub(crate) struct Sent {
    pub value: Box<dyn Any + Send>,
    pub row: Option<Value>,
}

pub(crate) type ListFn<S> =
    fn(<S as Spec>::Client, <S as Spec>::Scope) -> BoxFuture<Result<Vec<<S as Spec>::Item>, Error<<S as Spec>::Error>>>;
pub(crate) type CreateFn<S> =
    fn(<S as Spec>::Client, <S as Spec>::Scope, Value) -> BoxFuture<Result<Sent, Error<<S as Spec>::Error>>>;
pub(crate) type UpdateFn<S> =
    fn(<S as Spec>::Client, <S as Spec>::Scope, Value, Value) -> BoxFuture<Result<Sent, Error<<S as Spec>::Error>>>;
pub(crate) type DeleteFn<S> =
    fn(<S as Spec>::Client, <S as Spec>::Scope, Value) -> BoxFuture<Result<Sent, Error<<S as Spec>::Error>>>;

/// A live resource's description for the sync engine; built by generated code.
pub struct LiveOps<S: Spec> {
    pub(crate) key_field: &'static str,
    pub(crate) schema: &'static str,
    pub(crate) item_from_json: fn(Value) -> Result<S::Item, serde_json::Error>,
    pub(crate) item_to_json: fn(&S::Item) -> Result<Value, serde_json::Error>,
    pub(crate) key_to_json: fn(&S::Key) -> Result<Value, serde_json::Error>,
    pub(crate) key_from_json: fn(Value) -> Result<S::Key, serde_json::Error>,
    pub(crate) scope_to_json: fn(&S::Scope) -> Result<Value, serde_json::Error>,
    pub(crate) error_from_json: fn(Value) -> Option<S::Error>,
    pub(crate) error_to_json: fn(&S::Error) -> Option<Value>,
    pub(crate) list: ListFn<S>,
    /// `(send, body to JSON, body through the body type and back)`.
    pub(crate) create: Option<(CreateFn<S>, BodyFn, BodyCheckFn)>,
    pub(crate) update: Option<(UpdateFn<S>, BodyFn)>,
    pub(crate) delete: Option<DeleteFn<S>>,
}

/// A typed body (boxed) to JSON.
pub(crate) type BodyFn = fn(Box<dyn Any + Send>) -> Result<Value, serde_json::Error>;
/// JSON through the body type and back: what of it the API would receive.
pub(crate) type BodyCheckFn = fn(Value) -> Result<Value, serde_json::Error>;

impl<S: Spec> Clone for LiveOps<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: Spec> Copy for LiveOps<S> {}

fn to_json<T: Serialize>(value: &T) -> Result<Value, serde_json::Error> {
    serde_json::to_value(value)
}

fn from_json<T: DeserializeOwned>(value: Value) -> Result<T, serde_json::Error> {
    serde_json::from_value(value)
}

fn boxed_to_json<T: Serialize + 'static>(value: Box<dyn Any + Send>) -> Result<Value, serde_json::Error> {
    match value.downcast::<T>() {
        Ok(value) => serde_json::to_value(&*value),
        Err(_) => Err(serde::ser::Error::custom("a write body of an unexpected type reached the live engine")),
    }
}

fn through<T: Serialize + DeserializeOwned>(value: Value) -> Result<Value, serde_json::Error> {
    serde_json::to_value(serde_json::from_value::<T>(value)?)
}

impl<S> LiveOps<S>
where
    S: List,
    S::Item: Serialize + DeserializeOwned,
    S::Key: Serialize + DeserializeOwned,
    S::Error: Serialize + DeserializeOwned,
    S::Scope: Serialize,
{
    /// A live resource whose items carry their key in `key_field`. `schema` identifies the item
    /// type's shape: persisted rows with another fingerprint are dropped and refetched.
    pub fn new(key_field: &'static str, schema: &'static str) -> Self {
        LiveOps {
            key_field,
            schema,
            item_from_json: from_json::<S::Item>,
            item_to_json: to_json::<S::Item>,
            key_to_json: to_json::<S::Key>,
            key_from_json: from_json::<S::Key>,
            scope_to_json: to_json::<S::Scope>,
            error_from_json: |value| serde_json::from_value(value).ok(),
            error_to_json: |error| serde_json::to_value(error).ok(),
            list: |client, scope| Box::pin(async move { S::list(&client, &scope).await }),
            create: None,
            update: None,
            delete: None,
        }
    }
}

impl<S: Spec> LiveOps<S> {
    /// The resource can be created; the answer is the created row.
    pub fn create(mut self) -> Self
    where
        S: Create,
        S::New: Serialize + DeserializeOwned,
        S::Created: Serialize,
    {
        let send: CreateFn<S> = |client, scope, body| {
            Box::pin(async move {
                let new: S::New = serde_json::from_value(body).map_err(|err| Error::Encode(err.to_string()))?;
                let created = S::create(&client, &scope, new).await?;
                let row = serde_json::to_value(&created).ok().filter(Value::is_object);
                Ok(Sent { value: Box::new(created), row })
            })
        };
        self.create = Some((send, boxed_to_json::<S::New>, through::<S::New>));
        self
    }

    /// The resource can be created; the answer does not carry the row (the sync source will).
    pub fn create_without_row(mut self) -> Self
    where
        S: Create,
        S::New: Serialize + DeserializeOwned,
    {
        let send: CreateFn<S> = |client, scope, body| {
            Box::pin(async move {
                let new: S::New = serde_json::from_value(body).map_err(|err| Error::Encode(err.to_string()))?;
                let created = S::create(&client, &scope, new).await?;
                Ok(Sent { value: Box::new(created), row: None })
            })
        };
        self.create = Some((send, boxed_to_json::<S::New>, through::<S::New>));
        self
    }

    /// The resource can be changed; the answer is the changed row.
    pub fn update(mut self) -> Self
    where
        S: Update,
        S::Key: DeserializeOwned,
        S::Patch: Serialize + DeserializeOwned,
        S::Updated: Serialize,
    {
        let send: UpdateFn<S> = |client, scope, key, body| {
            Box::pin(async move {
                let key: S::Key = serde_json::from_value(key).map_err(|err| Error::Encode(err.to_string()))?;
                let patch: S::Patch = serde_json::from_value(body).map_err(|err| Error::Encode(err.to_string()))?;
                let updated = S::update(&client, &scope, &key, patch).await?;
                let row = serde_json::to_value(&updated).ok().filter(Value::is_object);
                Ok(Sent { value: Box::new(updated), row })
            })
        };
        self.update = Some((send, boxed_to_json::<S::Patch>));
        self
    }

    /// The resource can be changed; the answer does not carry the row.
    pub fn update_without_row(mut self) -> Self
    where
        S: Update,
        S::Key: DeserializeOwned,
        S::Patch: Serialize + DeserializeOwned,
    {
        let send: UpdateFn<S> = |client, scope, key, body| {
            Box::pin(async move {
                let key: S::Key = serde_json::from_value(key).map_err(|err| Error::Encode(err.to_string()))?;
                let patch: S::Patch = serde_json::from_value(body).map_err(|err| Error::Encode(err.to_string()))?;
                let updated = S::update(&client, &scope, &key, patch).await?;
                Ok(Sent { value: Box::new(updated), row: None })
            })
        };
        self.update = Some((send, boxed_to_json::<S::Patch>));
        self
    }

    /// The resource can be deleted.
    pub fn delete(mut self) -> Self
    where
        S: Delete,
        S::Key: DeserializeOwned,
    {
        let send: DeleteFn<S> = |client, scope, key| {
            Box::pin(async move {
                let key: S::Key = serde_json::from_value(key).map_err(|err| Error::Encode(err.to_string()))?;
                S::delete(&client, &scope, &key).await?;
                Ok(Sent { value: Box::new(()), row: None })
            })
        };
        self.delete = Some(send);
        self
    }
}
