//! Technology needs: CRUD, lifecycle transitions, history, import and export.

use crate::auth::{CurrentActor, OptionalActor, Writer};
use crate::error::{ApiError, ErrorBody};
use crate::http::{if_match, ok_with_etag};
use crate::idempotency;
use crate::state::AppState;
use crate::transfer::{self, ImportUpload};
use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use techx_catalogue::records::{
    ExportFormat, HistoryEntryView, HistoryQuery, ImportReport, TransitionForm,
};
use techx_core::{Page, RequestId};
use techx_requests::dto::{
    ExportRequestsQuery, ListRequestsQuery, RequestForm, RequestPatch, RequestView,
};
use techx_requests::transfer as files;

/// List technology needs.
///
/// Anonymous callers see published needs at the public tier; members of verified
/// organizations also the registered tier; owners see their own needs in every status and
/// tier; brokers, moderators and admins see everything. The requester of an anonymous need
/// (`organization_id`, `organization_name`, `contact`) is shown only to its members and staff.
#[utoipa::path(
    tag = "requests",
    params(ListRequestsQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "A page of requests", body = Page<RequestView>),
        (status = 400, description = "Invalid filter, sort or paging", body = ErrorBody),
        (status = 401, description = "Invalid credentials were sent", body = ErrorBody),
    )
)]
#[get("/requests")]
pub async fn list_requests(
    state: web::Data<AppState>,
    actor: OptionalActor,
    query: crate::query::Query<ListRequestsQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = state
        .requests
        .list(actor.as_ref(), query.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Create a technology need as a draft (owners and editors of the organization).
///
/// Send an `Idempotency-Key` header to make retries safe: the same key and body within 24
/// hours return the first response.
#[utoipa::path(
    tag = "requests",
    request_body = RequestForm,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created as a draft", body = RequestView, headers(("Location" = String))),
        (status = 400, description = "Invalid input, one entry per field", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an owner or editor of the organization", body = ErrorBody),
        (status = 409, description = "The Idempotency-Key was used with another body, or is in use", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
    )
)]
#[post("/requests")]
pub async fn create_request(
    state: web::Data<AppState>,
    actor: Writer,
    req: HttpRequest,
    form: web::Json<RequestForm>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    let body = form.clone();
    idempotency::create_once(
        &state,
        &req,
        &actor.0,
        &body,
        |l: &RequestView| format!("/api/v1/requests/{}", l.id),
        || async { Ok(state.requests.create(&actor.0, form).await?) },
    )
    .await
}

/// Import technology needs from a CSV or JSON Lines file, all or nothing.
///
/// Multipart form with `file` (CSV with a header row, or JSON Lines), optional `format`
/// (`csv` or `jsonl`; guessed from the file name otherwise) and `organization_id`. Every row
/// becomes a draft; when any row is invalid nothing is written and `details` lists each problem
/// as `rows[N].field` (data rows count from 1).
#[utoipa::path(
    tag = "requests",
    request_body(content = ImportUpload, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Every row imported", body = ImportReport),
        (status = 400, description = "A row or the file is invalid; nothing was written", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an owner or editor of the organization", body = ErrorBody),
        (status = 413, description = "File too large", body = ErrorBody),
    )
)]
#[post("/requests/import")]
pub async fn import_requests(
    state: web::Data<AppState>,
    actor: Writer,
    payload: Multipart,
) -> Result<HttpResponse, ApiError> {
    let upload = transfer::read_upload(payload).await?;
    let organization = transfer::owner_for_import(&actor.0, upload.organization_id)?;
    let rows = match upload.format {
        ExportFormat::Csv => files::read_csv(&upload.text).map_err(transfer::file_error)?,
        ExportFormat::Jsonl => files::read_jsonl(&upload.text),
    };
    let report = state.requests.import(&actor.0, organization, rows).await?;
    Ok(HttpResponse::Created().json(report))
}

/// Export technology needs.
///
/// CSV or JSON Lines (`format`), with the same filters as the list and every page at once (up to
/// 50,000 records), holding only the records and tiers the caller may see; an anonymous need's
/// requester stays hidden.
#[utoipa::path(
    tag = "requests",
    params(ExportRequestsQuery, ("format" = Option<ExportFormat>, Query, description = "`csv` (default) or `jsonl`")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The file: CSV (UTF-8, header row) or JSON Lines", content(
            (String = "text/csv"),
            (String = "application/x-ndjson"),
        )),
        (status = 400, description = "Invalid filter or format", body = ErrorBody),
        (status = 401, description = "Invalid credentials were sent", body = ErrorBody),
    )
)]
#[get("/requests/export")]
pub async fn export_requests(
    state: web::Data<AppState>,
    actor: OptionalActor,
    format: crate::query::Query<transfer::FormatQuery>,
    query: crate::query::Query<ExportRequestsQuery>,
) -> Result<HttpResponse, ApiError> {
    let views = state
        .requests
        .export(actor.as_ref(), query.into_inner().into())
        .await?;
    let format = format.format.unwrap_or_default();
    let body = match format {
        ExportFormat::Csv => files::write_csv(&views).map_err(transfer::write_error)?,
        ExportFormat::Jsonl => files::write_jsonl(&views).map_err(transfer::write_error)?,
    };
    Ok(transfer::file_response("requests", format, body))
}

/// Get a technology need at the caller's tiers.
///
/// Unpublished needs are 404 for everyone but the owner organization and staff. A read of
/// the confidential tier from outside the owner organization is logged. An anonymous need
/// hides its requester from everyone but its members and staff.
#[utoipa::path(
    tag = "requests",
    params(("id" = i64, Path, description = "Request id")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The request", body = RequestView, headers(("ETag" = String))),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "Invalid credentials were sent", body = ErrorBody),
        (status = 404, description = "No such request, or not visible to the caller", body = ErrorBody),
    )
)]
#[get("/requests/{id}")]
pub async fn get_request(
    state: web::Data<AppState>,
    actor: OptionalActor,
    id: web::Path<RequestId>,
) -> Result<HttpResponse, ApiError> {
    let request = state.requests.get(actor.as_ref(), id.into_inner()).await?;
    Ok(ok_with_etag(&request, request.version))
}

/// Change fields of a technology need (owners and editors).
///
/// Only the fields present change; `null` clears an optional field. Send `If-Match` with the
/// ETag you read: a stale one answers 412 and changes nothing. Editable in `draft`,
/// `changes_requested`, `published` and `paused`.
#[utoipa::path(
    tag = "requests",
    params(
        ("id" = i64, Path, description = "Request id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being changed"),
    ),
    request_body = RequestPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = RequestView, headers(("ETag" = String))),
        (status = 400, description = "Invalid input, one entry per field", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an owner or editor", body = ErrorBody),
        (status = 404, description = "No such request", body = ErrorBody),
        (status = 409, description = "Not editable in its status", body = ErrorBody),
        (status = 412, description = "Changed since it was read", body = ErrorBody),
    )
)]
#[patch("/requests/{id}")]
pub async fn update_request(
    state: web::Data<AppState>,
    actor: Writer,
    req: HttpRequest,
    id: web::Path<RequestId>,
    patch: web::Json<RequestPatch>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let request = state
        .requests
        .update(&actor.0, id.into_inner(), patch.into_inner(), expected)
        .await?;
    state.settle_search().await;
    Ok(ok_with_etag(&request, request.version))
}

/// Delete a draft request.
///
/// Owners and editors delete a request in `draft`. Send `If-Match` with the ETag you
/// read; a request in any other status answers 409.
#[utoipa::path(
    tag = "requests",
    params(
        ("id" = i64, Path, description = "Request id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an owner or editor", body = ErrorBody),
        (status = 404, description = "No such request", body = ErrorBody),
        (status = 409, description = "Not a draft", body = ErrorBody),
        (status = 412, description = "Changed since it was read", body = ErrorBody),
    )
)]
#[delete("/requests/{id}")]
pub async fn delete_request(
    state: web::Data<AppState>,
    actor: Writer,
    req: HttpRequest,
    id: web::Path<RequestId>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    state
        .requests
        .delete(&actor.0, id.into_inner(), expected)
        .await?;
    state.settle_search().await;
    Ok(HttpResponse::NoContent().finish())
}

/// Take a lifecycle action on a technology need.
///
/// Owners and editors `submit`, `edit` (take back from review), `pause`, `resume`,
/// `withdraw`, `close` (fulfilled) and `renew`; moderators `publish`, `request_changes` and
/// `reject`. An action not allowed from the current status answers 409 naming the status;
/// `prohibited` technology can never be published. Publication and renewal hold 12 months.
#[utoipa::path(
    tag = "requests",
    params(
        ("id" = i64, Path, description = "Request id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being changed"),
    ),
    request_body = TransitionForm,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The request after the action", body = RequestView, headers(("ETag" = String))),
        (status = 400, description = "Unknown action or note too long", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed to take this action", body = ErrorBody),
        (status = 404, description = "No such request", body = ErrorBody),
        (status = 409, description = "Not allowed from the current status", body = ErrorBody),
        (status = 412, description = "Changed since it was read", body = ErrorBody),
    )
)]
#[post("/requests/{id}/transitions")]
pub async fn transition_request(
    state: web::Data<AppState>,
    actor: Writer,
    req: HttpRequest,
    id: web::Path<RequestId>,
    form: web::Json<TransitionForm>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let request = state
        .requests
        .transition(&actor.0, id.into_inner(), form.into_inner(), expected)
        .await?;
    state.settle_search().await;
    Ok(ok_with_etag(&request, request.version))
}

/// List a request's history.
///
/// Every change and transition of a technology need with its actor, time and note, oldest first, to
/// the owner organization, moderators and admins. Paged like every list.
#[utoipa::path(
    tag = "requests",
    params(("id" = i64, Path, description = "Request id"), HistoryQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "History, oldest first", body = Page<HistoryEntryView>),
        (status = 400, description = "Invalid paging", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the owner organization or a moderator", body = ErrorBody),
        (status = 404, description = "No such request", body = ErrorBody),
    )
)]
#[get("/requests/{id}/history")]
pub async fn list_request_history(
    state: web::Data<AppState>,
    actor: CurrentActor,
    id: web::Path<RequestId>,
    query: crate::query::Query<HistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = state
        .requests
        .history(&actor.0, id.into_inner(), query.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
