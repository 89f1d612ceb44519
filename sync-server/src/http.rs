//! `GET /v1/shape`: Electric's HTTP Shape protocol.
//!
//! - `offset=-1`: the first chunk of the shape's rows as inserts; the offset it ends in names
//!   the next chunk, or, after the last one, the log position the rows reflect.
//! - `offset=now`: no rows, the current position, up-to-date.
//! - `offset=<position>&handle=...`: log changes after the position (a bounded batch);
//!   up-to-date once the batch reaches the end of the log.
//! - `live=true`: the same, but waits (long poll) until there is a change for the shape, or
//!   answers up-to-date when the wait times out.
//!
//! A handle that does not match the shape, a new database, a compacted position, or a position
//! the database does not have as it was served (a restored backup) gets a `409` with the
//! current handle, telling the client to drop its rows and refetch.
//!
//! Error bodies say what is wrong with the request; they never carry database errors, which
//! name files and internal tables (those go to the server's log).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use tokio::time::Instant;

use crate::auth::{Access, ShapeRequest};
use crate::chunks::ChunkCursor;
use crate::cursor::next_cursor;
use crate::error::StoreError;
use crate::handle::{format_handle, same_shape};
use crate::messages::MessageWriter;
use crate::offset::{RequestOffset, format_chunk_offset, format_offset};
use crate::request::{self, InvalidRequest, ShapeParams};
use crate::server::ServerState;
use crate::shape::{Scope, Shape, ShapeError};
use crate::store::{LogMeta, READ_WAIT};

pub(crate) async fn shape(
    State(state): State<Arc<ServerState>>,
    uri: Uri,
    request_headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let length = uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    let reply = if length > state.max_url_bytes {
        Reply::message(
            StatusCode::URI_TOO_LONG,
            &format!("the request URL is {length} bytes long; the limit is {} bytes", state.max_url_bytes),
        )
    } else {
        match query {
            Ok(Query(pairs)) => serve(&state, &request_headers, &pairs).await,
            Err(rejection) => Reply::invalid(InvalidRequest::single("query", rejection.body_text())),
        }
    };
    reply.into_response(&state, &request_headers)
}

pub(crate) async fn shape_preflight(State(state): State<Arc<ServerState>>, request_headers: HeaderMap) -> Response {
    state.cors.preflight(&request_headers)
}

async fn serve(state: &ServerState, request_headers: &HeaderMap, pairs: &[(String, String)]) -> Reply {
    let params = match request::parse(pairs, &state.where_limits) {
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
    let access = match &state.authorizer {
        None => Access::Allow,
        Some(authorizer) => {
            let request = ShapeRequest {
                table: params.table.clone(),
                headers: request_headers.clone(),
                where_clause: params.where_clause.clone(),
            };
            authorizer.check(request).await
        }
    };
    let scope = match &access {
        Access::Allow => Scope::default(),
        Access::Deny { status, message } => return Reply::denied(*status, message),
        Access::Scoped { filter, columns } => Scope {
            filter: filter.as_ref().map(|(clause, values)| (clause.as_str(), values.as_slice())),
            columns: columns.as_deref(),
        },
    };
    let shape = match Shape::compile(Arc::clone(table), &params, &scope, &state.where_limits) {
        Ok(shape) => shape,
        Err(ShapeError::Invalid(invalid)) => return Reply::invalid(invalid),
        Err(ShapeError::Scope(message)) => {
            eprintln!("sync-server: authorization scope for table `{}` is invalid: {message}", params.table);
            return Reply::message(StatusCode::INTERNAL_SERVER_ERROR, "the server's authorization rules are invalid");
        }
    };
    let result = match params.offset {
        RequestOffset::BeforeAll if !params.changes_only => snapshot(state, &shape, None).await,
        RequestOffset::BeforeAll | RequestOffset::Now => now(state, &shape).await,
        RequestOffset::Chunk { head, id } => match state.chunks.get(id).filter(|cursor| cursor.head == head) {
            Some(cursor) => snapshot(state, &shape, Some((cursor, &params))).await,
            None => refetch_current(state, &shape).await,
        },
        RequestOffset::At { position, fingerprint } => log(state, &shape, &params, position, fingerprint).await,
    };
    result.unwrap_or_else(Reply::store_error)
}

/// One chunk of the shape's rows: the first (`continuing` is `None`) or the one after a cursor.
async fn snapshot(
    state: &ServerState,
    shape: &Shape,
    continuing: Option<(ChunkCursor, &ShapeParams)>,
) -> Result<Reply, StoreError> {
    let Ok(_permit) = tokio::time::timeout(READ_WAIT, state.snapshot_permits.acquire()).await else {
        return Err(StoreError::Busy);
    };
    let after_key = match &continuing {
        None => None,
        Some((cursor, params)) => {
            let handle = params.handle.as_deref().unwrap_or_default();
            if cursor.definition_hash != shape.definition_hash
                || !same_shape(handle, shape.definition_hash, &cursor.epoch)
            {
                return refetch_current(state, shape).await;
            }
            Some(cursor.last_key.clone())
        }
    };
    let chunk = state
        .store
        .snapshot(&shape.table, &shape.columns, &shape.filter, after_key, state.snapshot_rows_per_response)
        .await?;
    let meta = &chunk.point.meta;
    // Later chunks replay from where the first one was read; the log must still reach back.
    let (head, head_fingerprint) = match &continuing {
        None => (chunk.point.head, chunk.point.head_fingerprint),
        Some((cursor, _)) if cursor.epoch == meta.epoch && cursor.head >= meta.compacted_through => {
            (cursor.head, cursor.head_fingerprint)
        }
        Some(_) => return Ok(Reply::must_refetch(shape, meta)),
    };
    let mut writer = MessageWriter::new(shape);
    let key_positions = shape.key_positions();
    let mut last_key = None;
    let mut written = 0;
    for row in &chunk.rows {
        writer.snapshot_row(row);
        written += 1;
        if writer.body_len() >= state.snapshot_bytes_per_response {
            break;
        }
    }
    if let Some(row) = chunk.rows.get(written.max(1) - 1) {
        last_key = Some(key_positions.iter().map(|&p| row[p].clone().unwrap_or_default()).collect::<Vec<_>>());
    }
    let more = chunk.more || written < chunk.rows.len();
    let offset = match last_key {
        Some(last_key) if more => {
            let cursor = ChunkCursor {
                definition_hash: shape.definition_hash,
                epoch: meta.epoch.clone(),
                head,
                head_fingerprint,
                last_key,
            };
            format_chunk_offset(head, state.chunks.insert(cursor))
        }
        _ => format_offset(head, head_fingerprint),
    };
    // Like Electric, snapshot responses are never up-to-date: the client asks again from the
    // returned offset and learns then whether more happened meanwhile.
    Ok(Reply::shape(shape, meta, offset, writer.finish()).with_schema(shape))
}

/// A 409 naming the shape's current handle, for a chunk or position this server cannot serve.
async fn refetch_current(state: &ServerState, shape: &Shape) -> Result<Reply, StoreError> {
    let point = state.store.point().await?;
    Ok(Reply::must_refetch(shape, &point.meta))
}

async fn now(state: &ServerState, shape: &Shape) -> Result<Reply, StoreError> {
    let point = state.store.point().await?;
    let mut writer = MessageWriter::new(shape);
    writer.up_to_date(point.head);
    let offset = format_offset(point.head, point.head_fingerprint);
    Ok(Reply::shape(shape, &point.meta, offset, writer.finish()).with_schema(shape).up_to_date())
}

async fn log(
    state: &ServerState,
    shape: &Shape,
    params: &ShapeParams,
    after: u64,
    fingerprint: u32,
) -> Result<Reply, StoreError> {
    let handle = params.handle.as_deref().unwrap_or_default();
    let mut head_watch = state.store.subscribe();
    let deadline = Instant::now() + state.long_poll;
    let mut position = after;
    let mut first = true;
    loop {
        let batch = state.store.changes(&shape.table.name, position, state.max_changes_per_response).await?;
        let meta = &batch.point.meta;
        if !same_shape(handle, shape.definition_hash, &meta.epoch) || after < meta.compacted_through {
            return Ok(Reply::must_refetch(shape, meta));
        }
        if first {
            first = false;
            // The position must be the one this log served: a restored backup has an older
            // head, or other entries at the same positions.
            let restored = fingerprint != 0 && batch.after_fingerprint != Some(fingerprint);
            if restored {
                return Ok(Reply::must_refetch(shape, meta));
            }
            if after > batch.point.head {
                return Ok(Reply::invalid(InvalidRequest::single("offset", "out of bounds for this shape")));
            }
        }
        let mut writer = MessageWriter::new(shape);
        for entry in &batch.entries {
            writer.log_entry(entry);
        }
        let caught_up = batch.scanned_to == batch.point.head;
        let has_changes = writer.change_count() > 0;
        position = batch.scanned_to;
        let offset = format_offset(position, batch.scanned_fingerprint);
        let past_deadline = Instant::now() >= deadline;
        // A live request answers when it has changes, or at its deadline, caught up or not.
        if !params.live || has_changes || past_deadline {
            if caught_up {
                writer.up_to_date(batch.point.head);
            }
            let reply = Reply::shape(shape, meta, offset, writer.finish());
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
                return Ok(Reply::shape(shape, meta, offset, writer.finish())
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
    fn shape(shape: &Shape, meta: &LogMeta, offset: String, body: Vec<u8>) -> Reply {
        Reply {
            status: StatusCode::OK,
            headers: vec![
                (HeaderName::from_static("electric-handle"), current_handle(shape, meta)),
                (HeaderName::from_static("electric-offset"), offset),
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

    fn message(status: StatusCode, message: &str) -> Reply {
        let body = serde_json::json!({ "message": message }).to_string().into_bytes();
        Reply { status, headers: Vec::new(), body }
    }

    fn denied(status: StatusCode, message: &str) -> Reply {
        let mut reply = Reply::message(status, message);
        if status == StatusCode::UNAUTHORIZED {
            reply.headers.push((header::WWW_AUTHENTICATE, "Bearer".into()));
        }
        reply
    }

    fn store_error(error: StoreError) -> Reply {
        // 503 makes the client retry with backoff, which is right for a database hiccup. The
        // error itself can name files and internal tables, so it goes to the log only.
        if !matches!(error, StoreError::Busy) {
            eprintln!("sync-server: shape request failed: {error}");
        }
        let mut reply = Reply::message(StatusCode::SERVICE_UNAVAILABLE, "the shape log is unavailable; try again");
        reply.headers.push((header::RETRY_AFTER, "1".into()));
        reply
    }

    fn into_response(self, state: &ServerState, request_headers: &HeaderMap) -> Response {
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
        state.cors.add_headers(request_headers, headers);
        response
    }
}

fn current_handle(shape: &Shape, meta: &LogMeta) -> String {
    format_handle(shape.definition_hash, &meta.epoch, meta.compacted_through)
}
