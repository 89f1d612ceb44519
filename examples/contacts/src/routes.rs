//! The REST API. Writes run in `Store::transaction` and return its id in `x-electric-txid`,
//! so a client that applied the write optimistically knows when the synced change arrives.
//! Every query is scoped to the request's owner: another owner's contact does not exist here.
//! Bodies must be `application/json`, which a page on another site cannot send without a CORS
//! preflight (a `text/plain` form post can be sent from anywhere).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sync_server::cors::TXID_HEADER;
use sync_server::{Row, SqlValue, StoreError, Txid};
use uuid::Uuid;

use crate::AppState;
use crate::auth::Owner;
use crate::models::{Analytics, Contact, DomainCount, FieldError, ValidationErrors};
use crate::validation;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid request body")]
    Invalid(Vec<FieldError>),
    #[error("contact not found")]
    NotFound,
    #[error("a contact with this id already exists")]
    Conflict,
    #[error("the body must be application/json")]
    NotJson,
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored row the spec's `Contact` cannot describe (written around the API).
    #[error("stored contact does not fit the spec: {0}")]
    BadRow(String),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Invalid(errors) => {
                (StatusCode::UNPROCESSABLE_ENTITY, Json(ValidationErrors { errors })).into_response()
            }
            ApiError::NotFound => StatusCode::NOT_FOUND.into_response(),
            ApiError::Conflict => {
                let errors =
                    vec![FieldError { field: "id".into(), message: "a contact with this id already exists".into() }];
                (StatusCode::CONFLICT, Json(ValidationErrors { errors })).into_response()
            }
            ApiError::NotJson => {
                let errors = vec![FieldError {
                    field: String::new(),
                    message: "the body must be JSON, sent with `content-type: application/json`".into(),
                }];
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, Json(ValidationErrors { errors })).into_response()
            }
            ApiError::Store(error) => {
                eprintln!("contacts-server: database error: {error}");
                (StatusCode::INTERNAL_SERVER_ERROR, "database error").into_response()
            }
            ApiError::BadRow(message) => {
                eprintln!("contacts-server: stored contact does not fit the spec: {message}");
                (StatusCode::INTERNAL_SERVER_ERROR, "database error").into_response()
            }
        }
    }
}

const COLUMNS: &str = "id, name, email, phone";

fn contact(row: &Row) -> Result<Contact, ApiError> {
    let text = |index| row.text(index).unwrap_or_default().to_owned();
    let id = row.text(0).unwrap_or_default();
    let id = Uuid::parse_str(id).map_err(|_| ApiError::BadRow(format!("id `{id}` is not a UUID")))?;
    // `phone` is always sent (null when unset), so REST rows equal the rows clients sync.
    Ok(Contact { id, name: text(1), email: text(2), phone: Some(row.text(3).map(str::to_owned)) })
}

/// Ids are stored as hyphenated lowercase text, the form `Uuid` displays.
fn key(id: Uuid) -> SqlValue {
    id.to_string().into()
}

/// `application/json`, with or without parameters (`; charset=utf-8`).
fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case("application/json") { Ok(()) } else { Err(ApiError::NotJson) }
}

/// A path id that is not a UUID names no contact.
fn path_id(id: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id).map_err(|_| ApiError::NotFound)
}

fn with_txid(status: StatusCode, txid: Txid, body: Option<Contact>) -> Response {
    let mut response = match body {
        Some(contact) => (status, Json(contact)).into_response(),
        None => status.into_response(),
    };
    response.headers_mut().insert(TXID_HEADER, HeaderValue::from(txid));
    response
}

pub async fn list(State(app): State<AppState>, Owner(owner): Owner) -> Result<Json<Vec<Contact>>, ApiError> {
    let sql = format!("SELECT {COLUMNS} FROM contacts WHERE owner_id = $1 ORDER BY name, id");
    let rows = app.store.query(&sql, &[owner.into()]).await?;
    Ok(Json(rows.iter().map(contact).collect::<Result<_, _>>()?))
}

pub async fn get(
    State(app): State<AppState>,
    Owner(owner): Owner,
    Path(id): Path<String>,
) -> Result<Json<Contact>, ApiError> {
    let id = path_id(&id)?;
    let sql = format!("SELECT {COLUMNS} FROM contacts WHERE id = $1 AND owner_id = $2");
    let rows = app.store.query(&sql, &[key(id), owner.into()]).await?;
    rows.first().ok_or(ApiError::NotFound).and_then(contact).map(Json)
}

pub async fn create(
    State(app): State<AppState>,
    Owner(owner): Owner,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_json(&headers)?;
    let new = validation::new_contact(&body).map_err(ApiError::Invalid)?;
    let created = Contact {
        id: new.id.unwrap_or_else(Uuid::new_v4),
        name: new.name,
        email: new.email,
        phone: Some(new.phone.flatten()),
    };
    let (created, txid) = app
        .store
        .transaction(async |tx| {
            // Writers do not wait for each other, so the insert itself detects a taken id. Ids
            // are global: another owner's id is taken too (and says nothing about that contact).
            let inserted = tx
                .execute(
                    "INSERT INTO contacts (id, name, email, phone, owner_id) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (id) DO NOTHING",
                    &[
                        key(created.id),
                        (&created.name).into(),
                        (&created.email).into(),
                        created.phone.clone().flatten().into(),
                        (&owner).into(),
                    ],
                )
                .await?;
            if inserted == 0 {
                return Err(ApiError::Conflict);
            }
            Ok(created)
        })
        .await?;
    Ok(with_txid(StatusCode::CREATED, txid, Some(created)))
}

pub async fn update(
    State(app): State<AppState>,
    Owner(owner): Owner,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = path_id(&id)?;
    require_json(&headers)?;
    let patch = validation::patch(&body, id).map_err(ApiError::Invalid)?;
    let (updated, txid) = app
        .store
        .transaction(async |tx| {
            let sql = format!("SELECT {COLUMNS} FROM contacts WHERE id = $1 AND owner_id = $2");
            let rows = tx.query(&sql, &[key(id), (&owner).into()]).await?;
            let mut current = contact(rows.first().ok_or(ApiError::NotFound)?)?;
            current.name = patch.name.unwrap_or(current.name);
            current.email = patch.email.unwrap_or(current.email);
            if let Some(phone) = patch.phone {
                current.phone = Some(phone);
            }
            tx.execute(
                "UPDATE contacts SET name = $2, email = $3, phone = $4 WHERE id = $1",
                &[key(id), (&current.name).into(), (&current.email).into(), current.phone.clone().flatten().into()],
            )
            .await?;
            Ok::<_, ApiError>(current)
        })
        .await?;
    Ok(with_txid(StatusCode::OK, txid, Some(updated)))
}

pub async fn delete(
    State(app): State<AppState>,
    Owner(owner): Owner,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id(&id)?;
    let ((), txid) = app
        .store
        .transaction(async |tx| {
            match tx
                .execute("DELETE FROM contacts WHERE id = $1 AND owner_id = $2", &[key(id), (&owner).into()])
                .await?
            {
                0 => Err(ApiError::NotFound),
                _ => Ok(()),
            }
        })
        .await?;
    Ok(with_txid(StatusCode::NO_CONTENT, txid, None))
}

pub async fn analytics(State(app): State<AppState>, Owner(owner): Owner) -> Result<Json<Analytics>, ApiError> {
    let rows = app.store.query("SELECT email, phone FROM contacts WHERE owner_id = $1", &[owner.into()]).await?;
    let mut domains: std::collections::BTreeMap<String, i64> = Default::default();
    let mut with_phone = 0;
    for row in &rows {
        let domain = row.text(0).and_then(|email| email.rsplit_once('@')).map(|(_, d)| d.to_ascii_lowercase());
        *domains.entry(domain.unwrap_or_default()).or_default() += 1;
        with_phone += i64::from(!matches!(row.get(1), Some(SqlValue::Null) | None));
    }
    let mut email_domains: Vec<DomainCount> =
        domains.into_iter().map(|(domain, count)| DomainCount { domain, count }).collect();
    email_domains.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.domain.cmp(&b.domain)));
    Ok(Json(Analytics { total_contacts: rows.len() as i64, with_phone, email_domains }))
}
