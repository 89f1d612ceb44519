//! CORS for browser clients, from an allow-list. By default no other origin may read a
//! response (same origin only): a page on any site could otherwise read and write a server
//! running on the user's machine. Allowed origins get the `electric-*` response headers
//! exposed, which the Electric client must read, and `x-electric-txid`, which optimistic writes
//! read.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The header applications put a write's transaction id in.
pub const TXID_HEADER: &str = "x-electric-txid";

/// Response headers scripts in other origins may read.
pub const EXPOSED_HEADERS: &str = "electric-handle, electric-offset, electric-schema, electric-cursor, \
                                   electric-up-to-date, electric-internal-known-error, retry-after, x-electric-txid";

/// Which other origins may call the server from a browser, and with which methods.
#[derive(Debug, Clone)]
pub struct Cors {
    inner: Arc<Policy>,
}

#[derive(Debug)]
struct Policy {
    /// Exact `scheme://host[:port]` origins.
    origins: Vec<String>,
    any: bool,
    methods: HeaderValue,
}

impl Default for Cors {
    fn default() -> Self {
        Cors::same_origin()
    }
}

impl Cors {
    /// No cross-origin access.
    pub fn same_origin() -> Cors {
        Cors::with(Vec::new(), false)
    }

    /// Exactly these origins (`https://app.example.com`, `http://localhost:5173`).
    pub fn allow_origins<S: Into<String>>(origins: impl IntoIterator<Item = S>) -> Cors {
        let origins = origins.into_iter().map(|origin| origin.into().trim_end_matches('/').to_owned()).collect();
        Cors::with(origins, false)
    }

    /// Any origin, without credentials (`*`): only for data that is public anyway.
    pub fn allow_any_origin() -> Cors {
        Cors::with(Vec::new(), true)
    }

    fn with(origins: Vec<String>, any: bool) -> Cors {
        let methods = HeaderValue::from_static("GET, HEAD, OPTIONS");
        Cors { inner: Arc::new(Policy { origins, any, methods }) }
    }

    /// The methods preflights allow (default `GET, HEAD, OPTIONS`), e.g.
    /// `"GET, POST, PATCH, DELETE"` for a REST API.
    pub fn methods(self, methods: &'static str) -> Cors {
        let policy = &self.inner;
        Cors {
            inner: Arc::new(Policy {
                origins: policy.origins.clone(),
                any: policy.any,
                methods: HeaderValue::from_static(methods),
            }),
        }
    }

    /// The `access-control-allow-origin` value for a request, if its origin is allowed.
    fn allowed_origin(&self, request_headers: &HeaderMap) -> Option<HeaderValue> {
        let origin = request_headers.get(header::ORIGIN)?;
        if self.inner.any {
            return Some(HeaderValue::from_static("*"));
        }
        let text = origin.to_str().ok()?;
        self.inner.origins.iter().any(|allowed| allowed == text).then(|| origin.clone())
    }

    /// Adds CORS headers for an allowed origin to a response, keeping any a handler set.
    pub fn add_headers(&self, request_headers: &HeaderMap, response_headers: &mut HeaderMap) {
        response_headers.entry(header::VARY).or_insert(HeaderValue::from_static("origin"));
        if let Some(origin) = self.allowed_origin(request_headers) {
            response_headers.entry(header::ACCESS_CONTROL_ALLOW_ORIGIN).or_insert(origin);
            response_headers
                .entry(header::ACCESS_CONTROL_EXPOSE_HEADERS)
                .or_insert(HeaderValue::from_static(EXPOSED_HEADERS));
        }
    }

    /// The answer to a preflight `OPTIONS` request: `204` with the allowed methods and the
    /// requested headers for an allowed origin, `403` for any other.
    pub fn preflight(&self, request_headers: &HeaderMap) -> Response {
        let Some(origin) = self.allowed_origin(request_headers) else {
            return (StatusCode::FORBIDDEN, "origin not allowed").into_response();
        };
        let mut response = StatusCode::NO_CONTENT.into_response();
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(header::VARY, HeaderValue::from_static("origin"));
        headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, self.inner.methods.clone());
        if let Some(requested) = request_headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested.clone());
        }
        headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        response
    }
}

/// Middleware applying a [`Cors`] policy to every route of a router:
/// `router.layer(axum::middleware::from_fn_with_state(cors, sync_server::cors::middleware))`.
pub async fn middleware(State(cors): State<Cors>, request: Request, next: Next) -> Response {
    let request_headers = request.headers().clone();
    if request.method() == Method::OPTIONS && request_headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD) {
        return cors.preflight(&request_headers);
    }
    let mut response = next.run(request).await;
    cors.add_headers(&request_headers, response.headers_mut());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(origin: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ORIGIN, HeaderValue::from_str(origin).unwrap());
        headers
    }

    #[test]
    fn only_listed_origins_may_read() {
        let cors = Cors::allow_origins(["http://app.test:5173/"]);
        let mut response = HeaderMap::new();
        cors.add_headers(&from("http://app.test:5173"), &mut response);
        assert_eq!(response[header::ACCESS_CONTROL_ALLOW_ORIGIN], "http://app.test:5173");
        let mut response = HeaderMap::new();
        cors.add_headers(&from("http://evil.test"), &mut response);
        assert!(!response.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
        assert_eq!(cors.preflight(&from("http://evil.test")).status(), StatusCode::FORBIDDEN);
        let mut response = HeaderMap::new();
        Cors::default().add_headers(&from("http://app.test:5173"), &mut response);
        assert!(!response.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN), "same origin by default");
    }
}
