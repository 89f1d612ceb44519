//! A successful answer with its status and headers: what every generated
//! `…_with_response` method returns (the plain method returns the body alone).

use reqwest::header::{HeaderMap, LINK};
use serde::de::DeserializeOwned;

use crate::error::Error;

/// A successful answer: its status, headers and decoded body.
///
/// Generated clients offer each operation twice: `api.op(..)` gives the body, and
/// `api.op_with_response(..)` gives this, for the `ETag`, `Link` (paging), rate-limit and other
/// headers a spec rarely declares.
#[derive(Debug, Clone)]
pub struct Response<T> {
    status: u16,
    headers: HeaderMap,
    body: T,
}

impl<T> Response<T> {
    pub fn new(status: u16, headers: HeaderMap, body: T) -> Self {
        Response { status, headers, body }
    }

    /// The HTTP status (always a success status: failures are [`Error`]s).
    pub fn status(&self) -> u16 {
        self.status
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The first value of header `name` (case-insensitive), when it is present and is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The target of the `Link` header entry with relation `rel` (RFC 8288), such as the
    /// `next` page of a paged list.
    pub fn link(&self, rel: &str) -> Option<&str> {
        self.headers
            .get_all(LINK)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find_map(|value| find_link(value, rel))
    }

    pub fn body(&self) -> &T {
        &self.body
    }

    pub fn into_body(self) -> T {
        self.body
    }

    pub fn into_parts(self) -> (u16, HeaderMap, T) {
        (self.status, self.headers, self.body)
    }

    /// The same answer with its body changed by `f`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response { status: self.status, headers: self.headers, body: f(self.body) }
    }
}

/// Decoding a received body: what generated methods finish with.
impl Response<Vec<u8>> {
    /// Decodes the body as JSON.
    pub fn json<T: DeserializeOwned, E>(self) -> Result<Response<T>, Error<E>> {
        match serde_json::from_slice(&self.body) {
            Ok(body) => Ok(Response { status: self.status, headers: self.headers, body }),
            Err(source) => Err(Error::Decode {
                status: self.status,
                source,
                body: String::from_utf8_lossy(&self.body).into_owned(),
            }),
        }
    }

    /// `None` for the statuses the spec declares without a body (`204` beside a JSON `201`),
    /// else the body decoded as JSON.
    pub fn json_or_none<T: DeserializeOwned, E>(self, without_body: &[u16]) -> Result<Response<Option<T>>, Error<E>> {
        if without_body.contains(&self.status) {
            return Ok(self.map(|_| None));
        }
        self.json().map(|response| response.map(Some))
    }

    /// The body as text (invalid UTF-8 is replaced, as a browser would).
    pub fn text(self) -> Response<String> {
        self.map(|body| String::from_utf8_lossy(&body).into_owned())
    }

    /// Drops the body.
    pub fn empty(self) -> Response<()> {
        self.map(drop)
    }

    /// The error for a success status the spec does not declare, where the declared ones
    /// decide the body's type.
    pub fn unexpected<E>(self) -> Error<E> {
        Error::UnexpectedStatus { status: self.status, body: String::from_utf8_lossy(&self.body).into_owned() }
    }
}

/// The URI of the entry with relation `rel` in one `Link` header value:
/// `<https://x/?page=2>; rel="next", <https://x/?page=9>; rel="last"`.
fn find_link<'a>(value: &'a str, rel: &str) -> Option<&'a str> {
    let mut rest = value;
    loop {
        let start = rest.find('<')?;
        let end = start + rest[start..].find('>')?;
        let target = &rest[start + 1..end];
        let after = &rest[end + 1..];
        // The parameters run to the next entry (a `<` outside quotes), or to the end.
        let params_end = next_entry(after);
        let params = &after[..params_end];
        let matches = params.split(';').filter_map(|param| param.split_once('=')).any(|(name, value)| {
            name.trim().eq_ignore_ascii_case("rel")
                && value
                    .trim()
                    .trim_end_matches(',')
                    .trim_end()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case(rel))
        });
        if matches {
            return Some(target);
        }
        rest = &after[params_end..];
    }
}

fn next_entry(params: &str) -> usize {
    let mut quoted = false;
    for (index, c) in params.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '<' if !quoted => return index,
            _ => {}
        }
    }
    params.len()
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderMap, HeaderValue, LINK};

    use super::Response;

    #[test]
    fn links_are_found_by_relation() {
        let mut headers = HeaderMap::new();
        headers.insert(
            LINK,
            HeaderValue::from_static(
                r#"<https://api.example/x?page=2>; rel="next", <https://api.example/x?page=5>; rel="last prev""#,
            ),
        );
        let response = Response::new(200, headers, ());
        assert_eq!(response.link("next"), Some("https://api.example/x?page=2"));
        assert_eq!(response.link("prev"), Some("https://api.example/x?page=5"));
        assert_eq!(response.link("first"), None);
    }

    #[test]
    fn bodies_decode_by_status() {
        let raw = |status: u16, body: &str| Response::new(status, HeaderMap::new(), body.as_bytes().to_vec());
        let created: Response<Option<i32>> = raw(201, "7").json_or_none::<_, ()>(&[204]).unwrap();
        assert_eq!(created.into_body(), Some(7));
        let none: Response<Option<i32>> = raw(204, "").json_or_none::<_, ()>(&[204]).unwrap();
        assert_eq!(none.body(), &None);
        let broken = raw(201, "").json_or_none::<i32, ()>(&[204]).unwrap_err();
        assert_eq!(broken.status(), Some(201));
    }
}
