//! Operational endpoints: liveness, readiness, metrics.

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use techx_core::ErrorCode;
use utoipa::ToSchema;

/// Health status.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` when alive, `ready` when ready.
    #[schema(example = "ok")]
    pub status: String,
    /// `sqlite` or `postgres` (readiness only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
}

/// Liveness.
///
/// Answers 200 while the process runs; it does not touch the database (see `/readyz`).
#[utoipa::path(
    operation_id = "get_health",tag = "operations", responses((status = 200, description = "The process is alive", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
        database: None,
    })
}

/// Readiness.
///
/// Answers 200 when the database answers and every migration is applied, 503 otherwise.
#[utoipa::path(
    operation_id = "get_readiness",
    tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "The database is unreachable or migrations are pending", body = ErrorBody),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let pending = state
        .db
        .run(techx_db::pending_migrations)
        .await
        .map_err(|error| {
            tracing::warn!(%error, "readiness check failed");
            ApiError::new(ErrorCode::Unavailable, "the database is unreachable")
        })?;
    if !pending.is_empty() {
        return Err(ApiError::new(
            ErrorCode::Unavailable,
            format!(
                "{} migrations are pending: run `techx migrate`",
                pending.len()
            ),
        ));
    }
    Ok(HttpResponse::Ok().json(Health {
        status: "ready".into(),
        database: Some(state.db.backend().as_str().into()),
    }))
}

/// Prometheus metrics.
///
/// Request counts and durations by route and status, in the Prometheus text exposition format.
#[utoipa::path(
    operation_id = "get_metrics",
    tag = "operations",
    responses(
        (status = 200, description = "Request counts and latency histograms by route and status", body = String, content_type = "text/plain; version=0.0.4"),
        (status = 500, description = "Metrics could not be rendered", body = ErrorBody),
    )
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let text = state
        .metrics
        .render()
        .map_err(|error| ApiError::internal(format!("metrics rendering failed: {error}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(text))
}
