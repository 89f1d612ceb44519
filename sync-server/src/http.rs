//! `GET /v1/shape`: Electric's HTTP Shape protocol.
//!
//! - `offset=-1`: the shape's rows as inserts, and the log position they reflect.
//! - `offset=now`: no rows, the current position, up-to-date.
//! - `offset=<position>&handle=...`: log changes after the position (a bounded batch);
//!   up-to-date once the batch reaches the end of the log.
//! - `live=true`: the same, but waits (long poll) until there is a change for the shape, or
//!   answers up-to-date when the wait times out.
//!
//! A handle that does not match the shape, a new database, or a compacted position gets a
//! `409` with the current handle, telling the client to drop its rows and refetch.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use tokio::time::Instant;

use crate::cursor::next_cursor;
use crate::error::StoreError;
use crate::handle::{format_handle, same_shape};
use crate::messages::MessageWriter;
use crate::offset::{RequestOffset, format_offset};
use crate::request::{self, InvalidRequest, ShapeParams};
use crate::server::ServerState;
use crate::shape::Shape;
use crate::store::LogMeta;

pub(crate) async fn shape(
    State(state): State<Arc<ServerState>>,
    request_headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let reply = match query {
        Ok(Query(pairs)) => serve(&state, &pairs).await,
        Err(rejection) => Reply::invalid(InvalidRequest::single("query", rejection.body_text())),
    };
    reply.into_response(&request_headers)
}

pub(crate) async fn shape_preflight(request_headers: HeaderMap) -> Response {
    crate::cors::preflight(&request_headers)
}

async fn serve(state: &ServerState, pairs: &[(String, String)]) -> Reply {
    let params = match request::parse(pairs) {
        Ok(params) => params,
        Err(invalid) => return Reply::invalid(invalid),
    };
    let Some(table) = state.tables.get(&params.table) else {
        let mut served: Vec<&str> = state.tables.keys().map(String::as_str).collect();
        served.sort_unstable();
        return Reply::invalid(InvalidRequest::single(
            "table",
            format!("table `{}` is not served here; served tables: {}", params.table, served.join(", ")),
        ));
    };
    let shape = match Shape::compile(Arc::clone(table), &params) {
        Ok(shape) => shape,
        Err(invalid) => return Reply::invalid(invalid),
    };
    let result = match params.offset {
        RequestOffset::BeforeAll if !params.changes_only => snapshot(state, &shape).await,
        RequestOffset::BeforeAll | RequestOffset::Now => now(state, &shape).await,
        RequestOffset::At(position) => log(state, &shape, &params, position).await,
    };
    result.unwrap_or_else(Reply::store_error)
}

async fn snapshot(state: &ServerState, shape: &Shape) -> Result<Reply, StoreError> {
    let snapshot = state.store.snapshot(&shape.table, &shape.columns, &shape.filter).await?;
    let mut writer = MessageWriter::new(shape);
    for row in &snapshot.rows {
        writer.snapshot_row(row);
    }
    // Like Electric, the snapshot response is never up-to-date: the client asks again from the
    // returned offset and learns then whether more happened meanwhile.
    Ok(Reply::shape(shape, &snapshot.meta, snapshot.head, writer.finish()).with_schema(shape))
}

async fn now(state: &ServerState, shape: &Shape) -> Result<Reply, StoreError> {
    let meta = state.store.meta().await?;
    let head = state.store.head().await?;
    let mut writer = MessageWriter::new(shape);
    writer.up_to_date(head);
    Ok(Reply::shape(shape, &meta, head, writer.finish()).with_schema(shape).up_to_date())
}

async fn log(state: &ServerState, shape: &Shape, params: &ShapeParams, after: u64) -> Result<Reply, StoreError> {
    let handle = params.handle.as_deref().unwrap_or_default();
    let mut head_watch = state.store.subscribe();
    let deadline = Instant::now() + state.long_poll;
    let mut position = after;
    loop {
        let batch = state.store.changes(&shape.table.name, position, state.max_changes_per_response).await?;
        if !same_shape(handle, shape.definition_hash, &batch.meta.epoch) || after < batch.meta.compacted_through {
            return Ok(Reply::must_refetch(shape, &batch.meta));
        }
        if after > batch.head {
            return Ok(Reply::invalid(InvalidRequest::single("offset", "out of bounds for this shape")));
        }
        let mut writer = MessageWriter::new(shape);
        for entry in &batch.entries {
            writer.log_entry(entry);
        }
        let caught_up = batch.scanned_to == batch.head;
        let has_changes = writer.change_count() > 0;
        position = batch.scanned_to;
        if !params.live || has_changes || (caught_up && Instant::now() >= deadline) {
            if caught_up {
                writer.up_to_date(batch.head);
            }
            let reply = Reply::shape(shape, &batch.meta, position, writer.finish());
            let reply = if caught_up { reply.up_to_date() } else { reply };
            return Ok(if params.live {
                reply.with_cursor(next_cursor(state.long_poll, params.cursor.as_deref()))
            } else {
                reply.with_schema(shape)
            });
        }
        if caught_up {
            // Nothing for this shape up to the head: wait for the next commit (or the deadline).
            let woke = tokio::time::timeout_at(deadline, head_watch.wait_for(|head| *head > position)).await;
            if woke.is_err() {
                let mut writer = MessageWriter::new(shape);
                writer.up_to_date(position);
                return Ok(Reply::shape(shape, &batch.meta, position, writer.finish())
                    .up_to_date()
                    .with_cursor(next_cursor(state.long_poll, params.cursor.as_deref())));
            }
        }
    }
}

/// A response under construction; CORS headers are added last.
struct Reply {
    status: StatusCode,
    headers: Vec<(HeaderName, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn shape(shape: &Shape, meta: &LogMeta, offset: u64, body: Vec<u8>) -> Reply {
        Reply {
            status: StatusCode::OK,
            headers: vec![
                (HeaderName::from_static("electric-handle"), current_handle(shape, meta)),
                (HeaderName::from_static("electric-offset"), format_offset(offset)),
            ],
            body,
        }
    }

    fn with_schema(mut self, shape: &Shape) -> Reply {
        self.headers.push((HeaderName::from_static("electric-schema"), shape.table.electric_schema(&shape.columns)));
        self
    }

    fn with_cursor(mut self, cursor: String) -> Reply {
        self.headers.push((HeaderName::from_static("electric-cursor"), cursor));
        self
    }

    fn up_to_date(mut self) -> Reply {
        self.headers.push((HeaderName::from_static("electric-up-to-date"), String::new()));
        self
    }

    fn must_refetch(shape: &Shape, meta: &LogMeta) -> Reply {
        Reply {
            status: StatusCode::CONFLICT,
            headers: vec![(HeaderName::from_static("electric-handle"), current_handle(shape, meta))],
            body: br#"[{"headers":{"control":"must-refetch"}}]"#.to_vec(),
        }
    }

    fn invalid(invalid: InvalidRequest) -> Reply {
        Reply { status: StatusCode::BAD_REQUEST, headers: Vec::new(), body: invalid.body().into_bytes() }
    }

    fn store_error(error: StoreError) -> Reply {
        // 5xx makes the client retry with backoff, which is right for a database hiccup.
        let body = serde_json::json!({ "message": format!("shape log unavailable: {error}") });
        Reply { status: StatusCode::SERVICE_UNAVAILABLE, headers: Vec::new(), body: body.to_string().into_bytes() }
    }

    fn into_response(self, request_headers: &HeaderMap) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        // One server, no CDN: responses depend on the log's current end, so never cache them.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
        crate::cors::add_headers(request_headers, headers);
        response
    }
}

fn current_handle(shape: &Shape, meta: &LogMeta) -> String {
    format_handle(shape.definition_hash, &meta.epoch, meta.compacted_through)
}
