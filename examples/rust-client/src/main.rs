//! The two ways to get a typed client from `openapi.yaml`, side by side:
//!
//! - `built`: written by `build.rs` with `sync_build::Builder`, included here;
//! - `expanded`: expanded in place by the `sync_api!` macro.
//!
//! Both talk to a small notes server this example starts on loopback.
//! Run: `cargo run -p rust-client-example`.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

mod built {
    sync_runtime::include_api!();
}

mod expanded {
    sync_macros::sync_api!("openapi.yaml");
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base_url = serve().await?;

    // The build-script client, through the resource handle.
    let api = built::Client::new(&base_url)?;
    let notes = api.notes();
    let first = notes.create(built::NewNote { text: "buy milk".into() }).await?;
    notes.create(built::NewNote { text: "call Ada".into() }).await?;
    println!("created note {} through the build.rs client", first.id);

    // The macro client, through plain operation methods, sees the same server.
    let api = expanded::Client::new(&base_url)?;
    for note in api.list_notes().await? {
        println!("  #{}: {}", note.id, note.text);
    }
    match api.get_note(99).await {
        Err(sync_runtime::Error::Api { status, body }) => println!("note 99: {status} {}", body.message),
        other => println!("note 99: unexpected {other:?}"),
    }
    Ok(())
}

/// Starts the notes server on a free loopback port; returns its base URL.
async fn serve() -> std::io::Result<String> {
    type Notes = Arc<Mutex<Vec<Value>>>;
    async fn list(State(notes): State<Notes>) -> Json<Vec<Value>> {
        Json(notes.lock().unwrap().clone())
    }
    async fn create(State(notes): State<Notes>, Json(new): Json<Value>) -> Response {
        let mut notes = notes.lock().unwrap();
        let note = json!({"id": notes.len() as i64 + 1, "text": new["text"]});
        notes.push(note.clone());
        (StatusCode::CREATED, Json(note)).into_response()
    }
    async fn fetch(State(notes): State<Notes>, Path(id): Path<i64>) -> Response {
        match notes.lock().unwrap().iter().find(|n| n["id"] == id) {
            Some(note) => Json(note.clone()).into_response(),
            None => (StatusCode::NOT_FOUND, Json(json!({"message": format!("no note {id}")}))).into_response(),
        }
    }
    let app = axum::Router::new()
        .route("/notes", get(list).post(create))
        .route("/notes/{id}", get(fetch))
        .with_state(Notes::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(url)
}
