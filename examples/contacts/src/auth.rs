//! Who a request acts for: the owner its bearer token maps to.

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// Bearer tokens and their owners. Empty means a single-user server: every request acts for
/// the anonymous owner `""`.
#[derive(Debug, Default)]
pub struct Tokens {
    owners: HashMap<String, String>,
}

/// Why a request has no owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("this server needs `Authorization: Bearer <token>`")]
    Missing,
    #[error("the bearer token is not valid")]
    Unknown,
}

impl Tokens {
    pub fn new(owners: HashMap<String, String>) -> Tokens {
        Tokens { owners }
    }

    /// The owner the request's token acts for.
    pub fn owner(&self, headers: &HeaderMap) -> Result<String, Denied> {
        if self.owners.is_empty() {
            return Ok(String::new());
        }
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .ok_or(Denied::Missing)?;
        // Compared in full whichever token it is, so timing does not tell how much matched.
        let mut found = None;
        for (known, owner) in &self.owners {
            if constant_time_eq(known.as_bytes(), token.as_bytes()) {
                found = Some(owner.clone());
            }
        }
        found.ok_or(Denied::Unknown)
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The owner a REST request acts for; a request without a valid token is a 401.
pub struct Owner(pub String);

impl FromRequestParts<AppState> for Owner {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        state.tokens.owner(&parts.headers).map(Owner).map_err(|denied| {
            let body = serde_json::json!({ "errors": [{ "field": "", "message": denied.to_string() }] });
            let mut response = (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            response
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_map_to_owners() {
        let tokens = Tokens::new(HashMap::from([("t-ann".to_owned(), "ann".to_owned())]));
        let mut headers = HeaderMap::new();
        assert_eq!(tokens.owner(&headers), Err(Denied::Missing));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer t-bob"));
        assert_eq!(tokens.owner(&headers), Err(Denied::Unknown));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("bearer t-ann"));
        assert_eq!(tokens.owner(&headers), Ok("ann".to_owned()));
        assert_eq!(Tokens::default().owner(&HeaderMap::new()), Ok(String::new()));
    }
}
