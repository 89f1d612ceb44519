//! One request under construction, as generated operation methods build it.

use reqwest::header::{ACCEPT, CONTENT_TYPE, COOKIE, HeaderName, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::Error;
use crate::params::{self, Style};

/// A response status the spec declares as an error with a body.
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

    /// An `application/x-www-form-urlencoded` body.
    pub fn form<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        match params::form_body(body) {
            Ok(text) => {
                self.body = Some((text.into_bytes(), "application/x-www-form-urlencoded".to_owned()));
                self
            }
            Err(err) => self.fail(format!("form body: {err}")),
        }
    }

    /// A `multipart/form-data` body: one part per property of `body`; strings are sent as
    /// they are, other values as JSON.
    pub fn multipart<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        let fields = match serde_json::to_value(body) {
            Ok(serde_json::Value::Object(fields)) => fields,
            Ok(_) => return self.fail("multipart body: not an object".to_owned()),
            Err(err) => return self.fail(format!("multipart body: {err}")),
        };
        // A boundary that cannot occur in the parts: check and lengthen if it does.
        let mut boundary = String::from("sync-runtime-boundary-7f3a9c");
        let parts: Vec<(String, String)> = fields
            .into_iter()
            .filter(|(_, value)| !value.is_null())
            .map(|(name, value)| {
                let text = match value {
                    serde_json::Value::String(text) => text,
                    other => other.to_string(),
                };
                (name, text)
            })
            .collect();
        while parts.iter().any(|(name, text)| text.contains(&boundary) || name.contains(&boundary)) {
            boundary.push('x');
        }
        let mut out = String::new();
        for (name, text) in &parts {
            let name = name.replace('"', "%22");
            out.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{text}\r\n"));
        }
        out.push_str(&format!("--{boundary}--\r\n"));
        self.body = Some((out.into_bytes(), format!("multipart/form-data; boundary={boundary}")));
        self
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

    /// The error statuses the spec declares with a body: those are decoded into the error type.
    pub fn declared_errors(mut self, statuses: &'static [ErrorStatus]) -> Self {
        self.declared_errors = statuses;
        self
    }

    /// Sends and decodes a JSON answer.
    pub async fn send_json<T: DeserializeOwned, E: DeserializeOwned>(self) -> Result<T, Error<E>> {
        let (status, body) = self.send().await?;
        serde_json::from_slice(&body).map_err(|source| Error::Decode {
            status,
            source,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }

    /// Sends and ignores the answer's body.
    pub async fn send_empty<E: DeserializeOwned>(self) -> Result<(), Error<E>> {
        self.send().await.map(drop)
    }

    /// Sends and returns the answer's body as text.
    pub async fn send_text<E: DeserializeOwned>(self) -> Result<String, Error<E>> {
        let (_, body) = self.send().await?;
        Ok(String::from_utf8_lossy(&body).into_owned())
    }

    /// Sends and returns the answer's body as bytes.
    pub async fn send_bytes<E: DeserializeOwned>(self) -> Result<Vec<u8>, Error<E>> {
        self.send().await.map(|(_, body)| body)
    }

    /// Sends; a success status gives its body, any other an [`Error`].
    async fn send<E: DeserializeOwned>(self) -> Result<(u16, Vec<u8>), Error<E>> {
        let client = self.client;
        let declared_errors = self.declared_errors;
        let is_write = !matches!(
            self.method,
            reqwest::Method::GET | reqwest::Method::HEAD | reqwest::Method::OPTIONS | reqwest::Method::TRACE
        );
        let request = self.into_request()?;
        let response = client.http().execute(request).await?;
        let status = response.status().as_u16();
        let body = response.bytes().await?.to_vec();
        if (200..300).contains(&status) {
            if is_write {
                client.note_write();
            }
            return Ok((status, body));
        }
        if declared_errors.iter().any(|declared| declared.matches(status)) {
            return match serde_json::from_slice(&body) {
                Ok(body) => Err(Error::Api { status, body: Box::new(body) }),
                Err(source) => Err(Error::Decode { status, source, body: String::from_utf8_lossy(&body).into_owned() }),
            };
        }
        Err(Error::UnexpectedStatus { status, body: String::from_utf8_lossy(&body).into_owned() })
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
