//! Helpers for the live-mode tests and benchmark: the contacts reference server
//! (`examples/contacts`) served in-process on loopback over a temp SQLite file, and a small
//! loopback proxy in front of it that can delay writes, answer with scripted statuses, inject
//! a Shape `409` must-refetch or replay a Shape response, and go down (connections refused
//! and cut) and come back on the same port.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sync_runtime::reqwest;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::task::JoinHandle;

/// A fresh path under the system temp dir (not created).
pub fn temp_path(prefix: &str, extension: &str) -> PathBuf {
    std::env::temp_dir().join(format!("{prefix}-{}.{extension}", uuid_text()))
}

fn uuid_text() -> String {
    sync_runtime::uuid::Uuid::new_v4().simple().to_string()
}

/// The contacts server on a loopback port, over its own SQLite file.
pub struct ContactsServer {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl ContactsServer {
    /// Starts the server over a fresh database (a temp SQLite file, or a fresh schema of
    /// `$DATABASE_URL`'s Postgres when it is set, as `tests/pg.sh` does); idle live shape
    /// requests answer after `long_poll`.
    pub async fn start(long_poll: Duration) -> ContactsServer {
        let database_url = match std::env::var("DATABASE_URL").ok().filter(|url| !url.is_empty()) {
            Some(admin) => fresh_schema(&admin).await,
            None => format!("sqlite:{}", temp_path("contacts-server", "db").display()),
        };
        let options = contacts_server::Options {
            database_url,
            long_poll,
            reset: false,
            tokens: Default::default(),
            allowed_origins: Vec::new(),
            snapshot_chunk_rows: 10_000,
        };
        let app = contacts_server::app(&options).await.expect("the contacts server starts");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let addr = listener.local_addr().expect("a bound address");
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        ContactsServer { addr, task }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every contact on the server, through its REST API.
    pub async fn contacts(&self) -> Vec<serde_json::Value> {
        let url = format!("{}/contacts", self.base_url());
        reqwest::get(url).await.expect("list").json().await.expect("a JSON list")
    }
}

impl Drop for ContactsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A new schema in the Postgres at `admin`, and the URL that uses it.
async fn fresh_schema(admin: &str) -> String {
    let schema = format!("live_{}", &uuid_text()[..12]);
    let (client, connection) =
        tokio_postgres::connect(admin, tokio_postgres::NoTls).await.expect("connect to Postgres");
    tokio::spawn(connection);
    client.batch_execute(&format!("CREATE SCHEMA {schema}")).await.expect("create a schema");
    let separator = if admin.contains('?') { '&' } else { '?' };
    format!("{admin}{separator}options=-c%20search_path%3D{schema}")
}

/// One request the proxy forwarded.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: String,
    pub body: Bytes,
}

/// What the proxy does to the next shape request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShapeTrick {
    /// Answer `409` naming the shape's current handle, as Electric does when it rotates a shape.
    MustRefetch,
    /// Answer with the previous shape response again, headers and body.
    Replay,
}

struct ProxyState {
    upstream: String,
    http: reqwest::Client,
    write_delay: Mutex<Duration>,
    /// Statuses (with an optional `Retry-After`) the next writes get instead of the server's.
    scripted: Mutex<VecDeque<(u16, Option<&'static str>)>>,
    shape_tricks: Mutex<VecDeque<ShapeTrick>>,
    seen: Mutex<Vec<Seen>>,
    answered_writes: AtomicUsize,
    last_shape: Mutex<Option<(StatusCode, HeaderMap, Bytes)>>,
}

/// A loopback HTTP proxy in front of `upstream`.
pub struct Proxy {
    pub addr: SocketAddr,
    state: Arc<ProxyState>,
    running: Mutex<Option<(JoinHandle<()>, Arc<AtomicBool>)>>,
}

impl Proxy {
    pub async fn start(upstream: String) -> Proxy {
        let state = Arc::new(ProxyState {
            upstream,
            http: reqwest::Client::builder().timeout(Duration::from_secs(60)).build().expect("a client"),
            write_delay: Mutex::new(Duration::ZERO),
            scripted: Mutex::default(),
            shape_tricks: Mutex::default(),
            seen: Mutex::default(),
            answered_writes: AtomicUsize::new(0),
            last_shape: Mutex::default(),
        });
        let listener = bind("127.0.0.1:0".parse().unwrap()).expect("bind loopback");
        let addr = listener.local_addr().unwrap();
        let proxy = Proxy { addr, state, running: Mutex::new(None) };
        proxy.serve(listener);
        proxy
    }

    /// A proxy whose port is reserved but that is down (connections refused) until
    /// [`resume`](Self::resume).
    pub async fn start_down(upstream: String) -> Proxy {
        let proxy = Proxy::start(upstream).await;
        proxy.stop().await;
        proxy
    }

    fn serve(&self, listener: TcpListener) {
        let killed = Arc::new(AtomicBool::new(false));
        let app = Router::new().fallback(forward).with_state(Arc::clone(&self.state));
        let listener = Killable { inner: listener, killed: Arc::clone(&killed) };
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        *self.running.lock().unwrap() = Some((task, killed));
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Goes down: the port refuses connections and open connections are cut.
    pub async fn stop(&self) {
        if let Some((task, killed)) = self.running.lock().unwrap().take() {
            killed.store(true, Ordering::SeqCst);
            task.abort();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    /// Comes back on the same port.
    pub async fn resume(&self) {
        let mut tries = 0;
        let listener = loop {
            match bind(self.addr) {
                Ok(listener) => break listener,
                Err(err) if tries < 100 => {
                    tries += 1;
                    let _ = err;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(err) => panic!("rebind {}: {err}", self.addr),
            }
        };
        self.serve(listener);
    }

    /// Writes (POST/PATCH/DELETE) wait this long before they are forwarded.
    pub fn delay_writes(&self, delay: Duration) {
        *self.state.write_delay.lock().unwrap() = delay;
    }

    /// The next writes are answered with these statuses (and `Retry-After` values) instead of
    /// being forwarded.
    pub fn script_writes(&self, answers: &[(u16, Option<&'static str>)]) {
        self.state.scripted.lock().unwrap().extend(answers.iter().copied());
    }

    pub fn shape_trick(&self, trick: ShapeTrick) {
        self.state.shape_tricks.lock().unwrap().push_back(trick);
    }

    /// Every request forwarded (or answered by script), oldest first.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    /// The writes the server has answered so far.
    pub fn answered_writes(&self) -> usize {
        self.state.answered_writes.load(Ordering::SeqCst)
    }
}

fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

async fn forward(State(state): State<Arc<ProxyState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or_default().to_owned();
    let is_write = parts.method != axum::http::Method::GET && parts.method != axum::http::Method::HEAD;
    let is_shape = path == "/v1/shape";
    state.seen.lock().unwrap().push(Seen {
        method: parts.method.to_string(),
        path: path.clone(),
        query: query.clone(),
        body: body.clone(),
    });
    if is_write {
        let delay = *state.write_delay.lock().unwrap();
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let scripted = state.scripted.lock().unwrap().pop_front();
        if let Some((status, retry_after)) = scripted {
            let mut response = (StatusCode::from_u16(status).unwrap(), "scripted by the test proxy").into_response();
            if let Some(retry_after) = retry_after {
                response.headers_mut().insert("retry-after", HeaderValue::from_static(retry_after));
            }
            return response;
        }
    }
    if is_shape {
        let trick = state.shape_tricks.lock().unwrap().pop_front();
        let last = state.last_shape.lock().unwrap().clone();
        match (trick, last) {
            (Some(ShapeTrick::MustRefetch), Some((_, headers, _))) => {
                let mut response =
                    (StatusCode::CONFLICT, r#"[{"headers":{"control":"must-refetch"}}]"#).into_response();
                if let Some(handle) = headers.get("electric-handle") {
                    response.headers_mut().insert("electric-handle", handle.clone());
                }
                response.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
                return response;
            }
            (Some(ShapeTrick::Replay), Some((status, headers, body))) => {
                let mut response = Response::new(Body::from(body));
                *response.status_mut() = status;
                *response.headers_mut() = headers;
                return response;
            }
            (Some(trick), None) => state.shape_tricks.lock().unwrap().push_front(trick),
            (None, _) => {}
        }
    }
    let url = if query.is_empty() {
        format!("{}{path}", state.upstream)
    } else {
        format!("{}{path}?{query}", state.upstream)
    };
    let mut upstream = state.http.request(parts.method.clone(), url).body(body);
    for (name, value) in &parts.headers {
        if name != "host" && name != "content-length" {
            upstream = upstream.header(name, value);
        }
    }
    let answer = match upstream.send().await {
        Ok(answer) => answer,
        Err(err) => return (StatusCode::BAD_GATEWAY, err.to_string()).into_response(),
    };
    let status = answer.status();
    let mut headers = answer.headers().clone();
    headers.remove("content-length");
    headers.remove("transfer-encoding");
    let bytes = answer.bytes().await.unwrap_or_default();
    if is_write {
        state.answered_writes.fetch_add(1, Ordering::SeqCst);
    }
    if is_shape && status.is_success() {
        *state.last_shape.lock().unwrap() = Some((status, headers.clone(), bytes.clone()));
    }
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// A listener whose connections fail once `killed` is set.
struct Killable {
    inner: TcpListener,
    killed: Arc<AtomicBool>,
}

impl axum::serve::Listener for Killable {
    type Io = KillableIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (KillableIo, SocketAddr) {
        loop {
            if let Ok((stream, addr)) = self.inner.accept().await {
                return (KillableIo { inner: stream, killed: Arc::clone(&self.killed) }, addr);
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

struct KillableIo {
    inner: TcpStream,
    killed: Arc<AtomicBool>,
}

fn cut() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionReset, "the test proxy is down")
}

impl AsyncRead for KillableIo {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if self.killed.load(Ordering::SeqCst) {
            return Poll::Ready(Err(cut()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableIo {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if self.killed.load(Ordering::SeqCst) {
            return Poll::Ready(Err(cut()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Waits until `check` holds, polling every 10 ms, for at most `limit`.
pub async fn eventually(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    check()
}
