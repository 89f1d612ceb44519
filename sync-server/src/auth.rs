//! Authorization of shape requests: the app decides, per request, who may read which rows and
//! columns, the way Electric documents an auth proxy in front of it, built in.
//!
//! ```no_run
//! # async fn run(store: sync_server::Store) -> Result<(), sync_server::BuildError> {
//! use sync_server::{Access, ShapeServer};
//!
//! let shapes = ShapeServer::builder()
//!     .table("todos")
//!     .authorize(|request| async move {
//!         let Some(user) = request.bearer_token().and_then(|token| token.strip_prefix("user-")) else {
//!             return Access::unauthorized("sign in first");
//!         };
//!         // Only this user's rows, and never the owner column itself.
//!         Access::rows("owner_id = $1", [user]).with_columns(["id", "title", "done"])
//!     })
//!     .build(store)
//!     .await?;
//! # let _ = shapes; Ok(()) }
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode, header};

/// What the app sees of a shape request.
#[derive(Debug, Clone)]
pub struct ShapeRequest {
    /// The served table asked for.
    pub table: String,
    pub headers: HeaderMap,
    /// The client's own `where` clause, before the app's filter is added to it.
    pub where_clause: Option<String>,
}

impl ShapeRequest {
    /// The token of an `Authorization: Bearer <token>` header.
    pub fn bearer_token(&self) -> Option<&str> {
        let value = self.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
        let (scheme, token) = value.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|token| !token.is_empty())
    }
}

/// The app's answer to a [`ShapeRequest`].
#[derive(Debug, Clone, PartialEq)]
pub enum Access {
    /// Every row and column of the table.
    Allow,
    /// `401` (with `WWW-Authenticate: Bearer`) or `403`, and a message for the client.
    Deny { status: StatusCode, message: String },
    /// Only rows matching `filter` (in the same `where` subset clients use, with its own
    /// `$1, $2, ...` numbering), and of those only `columns` (the primary key is always sent).
    /// Clients cannot name hidden columns in their own `where` or `columns`.
    Scoped { filter: Option<(String, Vec<String>)>, columns: Option<Vec<String>> },
}

impl Access {
    pub fn unauthorized(message: impl Into<String>) -> Access {
        Access::Deny { status: StatusCode::UNAUTHORIZED, message: message.into() }
    }

    pub fn forbidden(message: impl Into<String>) -> Access {
        Access::Deny { status: StatusCode::FORBIDDEN, message: message.into() }
    }

    /// Rows matching `filter`, e.g. `Access::rows("owner_id = $1", [user_id])`.
    pub fn rows<S: Into<String>>(filter: impl Into<String>, params: impl IntoIterator<Item = S>) -> Access {
        Access::Scoped { filter: Some((filter.into(), params.into_iter().map(Into::into).collect())), columns: None }
    }

    /// Narrows an `Allow` or `Scoped` answer to `columns`.
    pub fn with_columns<S: Into<String>>(self, columns: impl IntoIterator<Item = S>) -> Access {
        let columns = Some(columns.into_iter().map(Into::into).collect());
        match self {
            Access::Allow => Access::Scoped { filter: None, columns },
            Access::Scoped { filter, .. } => Access::Scoped { filter, columns },
            deny @ Access::Deny { .. } => deny,
        }
    }
}

type BoxedAccess = Pin<Box<dyn Future<Output = Access> + Send>>;

/// The app's authorization function, as the builder stores it.
#[derive(Clone)]
pub(crate) struct Authorizer(Arc<dyn Fn(ShapeRequest) -> BoxedAccess + Send + Sync>);

impl Authorizer {
    pub fn new<F, Fut>(authorize: F) -> Authorizer
    where
        F: Fn(ShapeRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Access> + Send + 'static,
    {
        Authorizer(Arc::new(move |request| Box::pin(authorize(request))))
    }

    pub async fn check(&self, request: ShapeRequest) -> Access {
        (self.0)(request).await
    }
}
