//! One request under construction, as generated operation methods build it.

use reqwest::header::{ACCEPT, CONTENT_TYPE, COOKIE, HeaderName, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::Error;
use crate::params::{self, Encoding, Style};
use crate::response::Response;

/// A response status the spec declares as an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorStatus {
    Code(u16),
    /// `4XX`, holding the first digit.
    Range(u8),
    Default,
}

impl ErrorStatus {
    fn matches(self, status: u16) -> bool {
        match self {
            ErrorStatus::Code(code) => code == status,
            ErrorStatus::Range(class) => status / 100 == u16::from(class),
            // `default` covers every status the spec does not list, success aside.
            ErrorStatus::Default => !(200..300).contains(&status),
        }
    }

    /// How specific a match is: an exact code wins over a range, a range over `default`.
    fn rank(self) -> u8 {
        match self {
            ErrorStatus::Code(_) => 2,
            ErrorStatus::Range(_) => 1,
            ErrorStatus::Default => 0,
        }
    }
}

/// How the spec declares an error status an answer came with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Declaration {
    WithBody,
    WithoutBody,
    None,
}

/// The most specific declaration matching `status`: an exact code over a range over
/// `default`; with a body when both lists match equally.
fn declaration(status: u16, with_body: &[ErrorStatus], without_body: &[ErrorStatus]) -> Declaration {
    let best = |list: &[ErrorStatus]| list.iter().filter(|d| d.matches(status)).map(|d| d.rank()).max();
    match (best(with_body), best(without_body)) {
        (Some(with), Some(without)) if without > with => Declaration::WithoutBody,
        (Some(_), _) => Declaration::WithBody,
        (None, Some(_)) => Declaration::WithoutBody,
        (None, None) => Declaration::None,
    }
}

/// A request being built; finish it with one of the `send_*` methods. Encoding problems are
/// kept and reported by `send_*`, so building never fails half-way.
#[must_use = "a request does nothing until it is sent"]
pub struct Request<'a> {
    client: &'a Client,
    method: reqwest::Method,
    url: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    cookies: Vec<String>,
    body: Option<(Vec<u8>, String)>,
    accept: Option<&'static str>,
    declared_errors: &'static [ErrorStatus],
    bodiless_errors: &'static [ErrorStatus],
    problem: Option<String>,
}

impl<'a> Request<'a> {
    pub(crate) fn new(client: &'a Client, method: reqwest::Method, url: String) -> Self {
        Request {
            client,
            method,
            url,
            query: Vec::new(),
            headers: Vec::new(),
            cookies: Vec::new(),
            body: None,
            accept: None,
            declared_errors: &[],
            bodiless_errors: &[],
            problem: None,
        }
    }

    fn fail(mut self, problem: String) -> Self {
        self.problem.get_or_insert(problem);
        self
    }

    /// Replaces `{name}` in the path with `value` (`simple` style, not exploded).
    pub fn path_param<T: Serialize + ?Sized>(self, name: &str, value: &T) -> Self {
        self.path_param_styled(name, value, Style::Simple, false)
    }

    pub fn path_param_styled<T: Serialize + ?Sized>(
        mut self,
        name: &str,
        value: &T,
        style: Style,
        explode: bool,
    ) -> Self {
        match params::path(name, value, style, explode) {
            Ok(Some(text)) => {
                self.url = self.url.replace(&format!("{{{name}}}"), &text);
                self
            }
            Ok(None) => self.fail(format!("path parameter `{name}` is null")),
            Err(err) => self.fail(format!("path parameter `{name}`: {err}")),
        }
    }

    /// Adds query parameter `name` (`form` style, exploded); a `None` value adds nothing.
    pub fn query<T: Serialize + ?Sized>(self, name: &str, value: &T) -> Self {
        self.query_styled(name, value, Style::Form, true)
    }

    pub fn query_styled<T: Serialize + ?Sized>(mut self, name: &str, value: &T, style: Style, explode: bool) -> Self {
        match params::query(name, value, style, explode) {
            Ok(pairs) => {
                self.query.extend(pairs);
                self
            }
            Err(err) => self.fail(format!("query parameter `{name}`: {err}")),
        }
    }

    /// Sets header `name` (`simple` style); a `None` value sets nothing.
    pub fn header<T: Serialize + ?Sized>(self, name: &str, value: &T) -> Self {
        self.header_styled(name, value, false)
    }

    pub fn header_styled<T: Serialize + ?Sized>(mut self, name: &str, value: &T, explode: bool) -> Self {
        match params::header(value, explode) {
            Ok(Some(text)) => {
                self.headers.push((name.to_owned(), text));
                self
            }
            Ok(None) => self,
            Err(err) => self.fail(format!("header `{name}`: {err}")),
        }
    }

    /// Adds cookie `name`; a `None` value adds nothing.
    pub fn cookie<T: Serialize + ?Sized>(mut self, name: &str, value: &T) -> Self {
        match params::header(value, false) {
            Ok(Some(text)) => {
                self.cookies.push(format!("{name}={}", params::percent_encode(&text)));
                self
            }
            Ok(None) => self,
            Err(err) => self.fail(format!("cookie `{name}`: {err}")),
        }
    }

    /// A JSON body, sent as `content_type`.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T, content_type: &str) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => {
                self.body = Some((bytes, content_type.to_owned()));
                self
            }
            Err(err) => self.fail(format!("body: {err}")),
        }
    }

    /// An `application/x-www-form-urlencoded` body, every property with the default encoding
    /// (see [`params::form_body`]).
    pub fn form<T: Serialize + ?Sized>(self, body: &T) -> Self {
        self.form_encoded(body, &[])
    }

    /// An `application/x-www-form-urlencoded` body whose properties follow the spec's
    /// `encoding` (`deepObject`, `explode`, ...; see [`params::form_body`]).
    pub fn form_encoded<T: Serialize + ?Sized>(mut self, body: &T, encodings: &[Encoding]) -> Self {
        match params::form_body(body, encodings) {
            Ok(text) => {
                self.body = Some((text.into_bytes(), "application/x-www-form-urlencoded".to_owned()));
                self
            }
            Err(err) => self.fail(format!("form body: {err}")),
        }
    }

    /// A `multipart/form-data` body with the default part encodings; see
    /// [`multipart_encoded`](Self::multipart_encoded).
    pub fn multipart<T: Serialize + ?Sized>(self, body: &T) -> Self {
        self.multipart_encoded(body, &[])
    }

    /// A `multipart/form-data` body: one part per property of `body`, one per item of an array
    /// of scalars or files. A [`crate::File`] is a file part (its bytes as they are, its file
    /// name and media type); text and numbers are plain parts; objects and nested arrays are
    /// `application/json` parts. An [`Encoding`]'s `content_type` sets a part's media type.
    pub fn multipart_encoded<T: Serialize + ?Sized>(mut self, body: &T, encodings: &[Encoding]) -> Self {
        match params::multipart_parts(body, encodings) {
            Ok(parts) => {
                let (bytes, content_type) = params::multipart_body(&parts);
                self.body = Some((bytes, content_type));
                self
            }
            Err(err) => self.fail(format!("multipart body: {err}")),
        }
    }

    /// A text body, sent as `content_type`.
    pub fn text(mut self, body: impl Into<String>, content_type: &str) -> Self {
        self.body = Some((body.into().into_bytes(), content_type.to_owned()));
        self
    }

    /// A raw body, sent as `content_type`.
    pub fn bytes(mut self, body: impl Into<Vec<u8>>, content_type: &str) -> Self {
        self.body = Some((body.into(), content_type.to_owned()));
        self
    }

    /// The media type the caller expects back (the `Accept` header).
    pub fn accept(mut self, media_type: &'static str) -> Self {
        self.accept = Some(media_type);
        self
    }

    /// The error statuses the spec declares with a JSON body: those are decoded into the error
    /// type ([`Error::Api`]).
    pub fn declared_errors(mut self, statuses: &'static [ErrorStatus]) -> Self {
        self.declared_errors = statuses;
        self
    }

    /// The error statuses the spec declares without a JSON body (a bare `404`): those give
    /// [`Error::Status`]. The most specific declaration wins: `404` over `4XX` over `default`.
    pub fn bodiless_errors(mut self, statuses: &'static [ErrorStatus]) -> Self {
        self.bodiless_errors = statuses;
        self
    }

    /// Sends and decodes a JSON answer.
    pub async fn send_json<T: DeserializeOwned, E: DeserializeOwned>(self) -> Result<T, Error<E>> {
        self.send().await?.json().map(Response::into_body)
    }

    /// Sends and ignores the answer's body.
    pub async fn send_empty<E: DeserializeOwned>(self) -> Result<(), Error<E>> {
        self.send().await.map(drop)
    }

    /// Sends and returns the answer's body as text.
    pub async fn send_text<E: DeserializeOwned>(self) -> Result<String, Error<E>> {
        Ok(self.send().await?.text().into_body())
    }

    /// Sends and returns the answer's body as bytes.
    pub async fn send_bytes<E: DeserializeOwned>(self) -> Result<Vec<u8>, Error<E>> {
        self.send().await.map(Response::into_body)
    }

    /// Sends; a success status gives the answer with its body undecoded (see
    /// [`Response::json`] and friends), any other an [`Error`].
    pub async fn send<E: DeserializeOwned>(self) -> Result<Response<Vec<u8>>, Error<E>> {
        let client = self.client;
        let declared_errors = self.declared_errors;
        let bodiless_errors = self.bodiless_errors;
        let is_write = !matches!(
            self.method,
            reqwest::Method::GET | reqwest::Method::HEAD | reqwest::Method::OPTIONS | reqwest::Method::TRACE
        );
        let request = self.into_request()?;
        let response = client.http().execute(request).await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await?.to_vec();
        if (200..300).contains(&status) {
            if is_write {
                client.note_write();
            }
            return Ok(Response::new(status, headers, body));
        }
        let text = || String::from_utf8_lossy(&body).into_owned();
        match declaration(status, declared_errors, bodiless_errors) {
            Declaration::WithBody => match serde_json::from_slice(&body) {
                Ok(decoded) => Err(Error::Api { status, body: Box::new(decoded) }),
                Err(source) => Err(Error::Decode { status, source, body: text() }),
            },
            Declaration::WithoutBody => Err(Error::Status { status, body: text() }),
            Declaration::None => Err(Error::UnexpectedStatus { status, body: text() }),
        }
    }

    fn into_request<E>(self) -> Result<reqwest::Request, Error<E>> {
        if let Some(problem) = self.problem {
            return Err(Error::Encode(problem));
        }
        let mut url =
            reqwest::Url::parse(&self.url).map_err(|err| Error::Encode(format!("URL `{}`: {err}", self.url)))?;
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&self.query);
        }
        let mut request = reqwest::Request::new(self.method, url);
        let headers = request.headers_mut();
        for (name, value) in self.client.default_headers() {
            headers.insert(name.clone(), value.clone());
        }
        if let Some(accept) = self.accept {
            headers.insert(ACCEPT, HeaderValue::from_static(accept));
        }
        for (name, value) in self.headers {
            let header =
                HeaderName::try_from(name.as_str()).map_err(|_| Error::Encode(format!("header name `{name}`")))?;
            let value = HeaderValue::try_from(value)
                .map_err(|_| Error::Encode(format!("header `{name}` has characters a header cannot carry")))?;
            headers.insert(header, value);
        }
        if !self.cookies.is_empty() {
            let value =
                HeaderValue::try_from(self.cookies.join("; ")).map_err(|_| Error::Encode("cookie".to_owned()))?;
            headers.insert(COOKIE, value);
        }
        if let Some((body, content_type)) = self.body {
            let value = HeaderValue::try_from(content_type.as_str())
                .map_err(|_| Error::Encode(format!("content type `{content_type}`")))?;
            request.headers_mut().insert(CONTENT_TYPE, value);
            *request.body_mut() = Some(body.into());
        }
        if let Some(auth) = self.client.auth() {
            auth(&mut request);
        }
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::{Declaration, ErrorStatus, declaration};

    #[test]
    fn the_most_specific_declaration_wins() {
        let with_body = [ErrorStatus::Range(4), ErrorStatus::Code(422)];
        let without_body = [ErrorStatus::Code(404), ErrorStatus::Default];
        assert_eq!(declaration(404, &with_body, &without_body), Declaration::WithoutBody);
        assert_eq!(declaration(409, &with_body, &without_body), Declaration::WithBody);
        assert_eq!(declaration(422, &with_body, &without_body), Declaration::WithBody);
        assert_eq!(declaration(503, &with_body, &without_body), Declaration::WithoutBody);
        assert_eq!(declaration(503, &with_body, &[]), Declaration::None);
        assert_eq!(declaration(404, &[ErrorStatus::Code(404)], &[ErrorStatus::Code(404)]), Declaration::WithBody);
    }
}
