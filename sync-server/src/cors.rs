//! CORS for browser clients. The Electric client must read the `electric-*` response headers,
//! which browsers hide from scripts unless they are listed in `access-control-expose-headers`;
//! optimistic writes read `x-electric-txid` the same way.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The header applications put a write's transaction id in.
pub const TXID_HEADER: &str = "x-electric-txid";

/// Response headers scripts in other origins may read.
pub const EXPOSED_HEADERS: &str = "electric-handle, electric-offset, electric-schema, electric-cursor, \
                                   electric-up-to-date, electric-internal-known-error, retry-after, x-electric-txid";

/// Adds CORS headers to a response, keeping any a handler already set. The request's
/// `Origin` is echoed (any origin may read), which also works for credentialed requests.
pub fn add_headers(request_headers: &HeaderMap, response_headers: &mut HeaderMap) {
    let origin = request_headers.get(header::ORIGIN).cloned().unwrap_or(HeaderValue::from_static("*"));
    response_headers.entry(header::ACCESS_CONTROL_ALLOW_ORIGIN).or_insert(origin);
    response_headers.entry(header::VARY).or_insert(HeaderValue::from_static("origin"));
    response_headers.entry(header::ACCESS_CONTROL_EXPOSE_HEADERS).or_insert(HeaderValue::from_static(EXPOSED_HEADERS));
}

/// The answer to a preflight `OPTIONS` request: any method the routes serve, any header.
pub fn preflight(request_headers: &HeaderMap) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    add_headers(request_headers, headers);
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"),
    );
    if let Some(requested) = request_headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested.clone());
    }
    headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
    response
}

/// Middleware allowing any origin to call every route and read the sync headers:
/// `router.layer(axum::middleware::from_fn(sync_server::cors::permissive))`.
pub async fn permissive(request: Request, next: Next) -> Response {
    let request_headers = request.headers().clone();
    if request.method() == Method::OPTIONS && request_headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD) {
        return preflight(&request_headers);
    }
    let mut response = next.run(request).await;
    add_headers(&request_headers, response.headers_mut());
    response
}
