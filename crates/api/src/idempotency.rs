//! `Idempotency-Key` on creates: the same key and body within 24 hours returns the first
//! response instead of creating a second record (API clients retry on time-outs).

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use std::future::Future;
use std::hash::{DefaultHasher, Hash, Hasher};
use techx_accounts::{Actor, Principal};
use techx_core::bounds::Field;
use techx_core::{ErrorCode, clock};
use techx_db::idempotency::{self, KeyState};

pub const HEADER: &str = "idempotency-key";

fn principal(actor: &Actor) -> String {
    match &actor.principal {
        Principal::User(id) => format!("user:{id}"),
        Principal::ApiKey { id, .. } => format!("key:{id}"),
        Principal::System => "system".to_owned(),
    }
}

/// An `Idempotency-Key`: visible ASCII characters.
pub const KEY: Field = Field::text("Idempotency-Key", 1, 255);

fn key_of(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| {
            (KEY.min()..=KEY.max()).contains(&k.len()) && k.chars().all(|c| c.is_ascii_graphic())
        })
        .ok_or_else(|| {
            ApiError::invalid(format!(
                "Idempotency-Key must be {} to {} visible ASCII characters",
                KEY.min(),
                KEY.max()
            ))
        })?;
    Ok(Some(key.to_owned()))
}

/// Run `create` at most once per key: a replay gets the stored `201` response.
pub async fn create_once<B, T, F, Fut>(
    state: &AppState,
    req: &HttpRequest,
    actor: &Actor,
    body: &B,
    location: impl Fn(&T) -> String,
    create: F,
) -> Result<HttpResponse, ApiError>
where
    B: Serialize,
    T: Serialize,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let Some(key) = key_of(req)? else {
        let created = create().await?;
        return Ok(crate::http::created(location(&created), &created));
    };
    let mut hasher = DefaultHasher::new();
    serde_json::to_string(body)
        .unwrap_or_default()
        .hash(&mut hasher);
    let request_hash = format!("{:016x}", hasher.finish());
    let owner = principal(actor);
    let claimed = {
        let (owner, key) = (owner.clone(), key.clone());
        state
            .db
            .write(move |conn| {
                idempotency::claim(conn, &owner, &key, &request_hash, clock::now())
                    .map_err(techx_db::DbError::from)
            })
            .await?
    };
    let id = match claimed {
        KeyState::Claimed(id) => id,
        KeyState::Completed {
            status_code,
            body,
            location,
        } => {
            let status = StatusCode::from_u16(status_code as u16).unwrap_or(StatusCode::CREATED);
            let mut response = HttpResponse::build(status);
            response.insert_header(("idempotent-replayed", "true"));
            if let Some(location) = location {
                response.insert_header((header::LOCATION, location));
            }
            return Ok(response.content_type("application/json").body(body));
        }
        KeyState::InProgress => {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "a request with this Idempotency-Key is still in progress",
            ));
        }
        KeyState::Mismatch => {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "this Idempotency-Key was already used with a different request body",
            ));
        }
    };
    match create().await {
        Ok(created) => {
            let place = location(&created);
            let body = serde_json::to_string(&created).unwrap_or_default();
            let (stored_body, stored_place) = (body.clone(), place.clone());
            state
                .db
                .write(move |conn| {
                    idempotency::complete(conn, id, 201, &stored_body, Some(&stored_place))
                        .map_err(techx_db::DbError::from)
                })
                .await?;
            Ok(HttpResponse::Created()
                .insert_header((header::LOCATION, place))
                .content_type("application/json")
                .body(body))
        }
        Err(error) => {
            // Free the key so that a corrected retry can run.
            state
                .db
                .write(move |conn| idempotency::release(conn, id).map_err(techx_db::DbError::from))
                .await?;
            Err(error)
        }
    }
}
