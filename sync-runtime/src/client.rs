//! The HTTP client every generated API client wraps.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};

use crate::request::Request;

/// Called on every request just before it is sent: add a signature, a fresh token, ...
pub type AuthHook = Arc<dyn Fn(&mut reqwest::Request) + Send + Sync>;

/// A configured connection to one API. Cheap to clone: clones share the connection pool, the
/// configuration and the write notifications that resource watchers listen to.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// Without a trailing slash, so operation paths (which start with `/`) append cleanly.
    base_url: String,
    headers: HeaderMap,
    auth: Option<AuthHook>,
    watch_interval: Duration,
    /// Bumped after every successful write through this client; resource watchers refetch.
    writes: tokio::sync::watch::Sender<u64>,
}

/// Why a [`Client`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("invalid base URL `{url}`: {reason}")]
    BaseUrl { url: String, reason: String },
    #[error("invalid header name `{0}`")]
    HeaderName(String),
    #[error("invalid value for header `{0}` (header values cannot hold line breaks or control characters)")]
    HeaderValue(String),
    #[error("could not set up the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
}

impl Client {
    /// A client for `base_url` with the default settings.
    pub fn new(base_url: impl Into<String>) -> Result<Client, BuildError> {
        Client::builder(base_url).build()
    }

    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            headers: Vec::new(),
            auth: None,
            timeout: Some(Duration::from_secs(30)),
            connect_timeout: Some(Duration::from_secs(10)),
            watch_interval: Duration::from_secs(10),
            http: None,
        }
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// How often a push resource's `watch()` refetches when nothing was written.
    pub fn watch_interval(&self) -> Duration {
        self.inner.watch_interval
    }

    /// Starts a request to `path` (which begins with `/`), relative to the base URL.
    pub fn request(&self, method: reqwest::Method, path: impl AsRef<str>) -> Request<'_> {
        Request::new(self, method, format!("{}{}", self.inner.base_url, path.as_ref()))
    }

    /// A receiver that changes after every successful write made through this client.
    pub fn subscribe_writes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.writes.subscribe()
    }

    pub(crate) fn note_write(&self) {
        self.inner.writes.send_modify(|count| *count = count.wrapping_add(1));
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    pub(crate) fn default_headers(&self) -> &HeaderMap {
        &self.inner.headers
    }

    pub(crate) fn auth(&self) -> Option<&AuthHook> {
        self.inner.auth.as_ref()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values may hold credentials: list names only.
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("headers", &self.inner.headers.keys().collect::<Vec<_>>())
            .field("auth", &self.inner.auth.is_some())
            .finish()
    }
}

/// Settings for a [`Client`]; see [`Client::builder`].
pub struct ClientBuilder {
    base_url: String,
    headers: Vec<(String, String)>,
    auth: Option<AuthHook>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    watch_interval: Duration,
    http: Option<reqwest::Client>,
}

impl ClientBuilder {
    /// A header sent with every request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends `Authorization: Bearer <token>` with every request.
    pub fn bearer_token(self, token: impl AsRef<str>) -> Self {
        let value = format!("Bearer {}", token.as_ref());
        self.header(AUTHORIZATION.as_str(), value)
    }

    /// Sends an API key in the header `name` with every request.
    pub fn api_key(self, name: impl Into<String>, key: impl Into<String>) -> Self {
        self.header(name, key)
    }

    /// Runs `hook` on every request just before it is sent, after the default headers are set:
    /// for credentials that change (refreshed tokens) or request signing.
    pub fn auth(mut self, hook: impl Fn(&mut reqwest::Request) + Send + Sync + 'static) -> Self {
        self.auth = Some(Arc::new(hook));
        self
    }

    /// The longest a whole request may take, answer included (30 s by default); `None` waits
    /// for ever.
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = timeout.into();
        self
    }

    /// The longest connecting may take (10 s by default).
    pub fn connect_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.connect_timeout = timeout.into();
        self
    }

    /// How often a push resource's `watch()` refetches when nothing was written (10 s by
    /// default).
    pub fn watch_interval(mut self, interval: Duration) -> Self {
        self.watch_interval = interval;
        self
    }

    /// Uses this `reqwest` client (its own timeouts, proxies, TLS settings) instead of building
    /// one; [`timeout`](Self::timeout) and [`connect_timeout`](Self::connect_timeout) are then
    /// not applied.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    pub fn build(self) -> Result<Client, BuildError> {
        let base_url = self.base_url.trim_end_matches('/').to_owned();
        if let Err(err) = reqwest::Url::parse(&base_url) {
            return Err(BuildError::BaseUrl { url: self.base_url, reason: err.to_string() });
        }
        let mut headers = HeaderMap::new();
        for (name, value) in self.headers {
            let header = HeaderName::try_from(name.as_str()).map_err(|_| BuildError::HeaderName(name.clone()))?;
            let mut value = HeaderValue::try_from(value).map_err(|_| BuildError::HeaderValue(name))?;
            if header == AUTHORIZATION {
                value.set_sensitive(true);
            }
            headers.insert(header, value);
        }
        let http = match self.http {
            Some(http) => http,
            None => {
                let mut builder = reqwest::Client::builder();
                if let Some(timeout) = self.timeout {
                    builder = builder.timeout(timeout);
                }
                if let Some(timeout) = self.connect_timeout {
                    builder = builder.connect_timeout(timeout);
                }
                builder.build().map_err(BuildError::Http)?
            }
        };
        let (writes, _) = tokio::sync::watch::channel(0);
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                headers,
                auth: self.auth,
                watch_interval: self.watch_interval,
                writes,
            }),
        })
    }
}
