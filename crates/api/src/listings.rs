//! Technology offers: CRUD, lifecycle transitions, history, import and export.

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
use techx_core::{ListingId, Page};
use techx_listings::dto::{
    ExportListingsQuery, ListListingsQuery, ListingForm, ListingPatch, ListingView,
};
use techx_listings::transfer as files;

/// List technology offers.
///
/// Anonymous callers see published offers at the public tier; members of verified
/// organizations also the registered tier; owners see their own offers in every status and
/// tier; brokers, moderators and admins see everything.
#[utoipa::path(
    tag = "listings",
    params(ListListingsQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "A page of listings", body = Page<ListingView>),
        (status = 400, description = "Invalid filter, sort or paging", body = ErrorBody),
        (status = 401, description = "Invalid credentials were sent", body = ErrorBody),
    )
)]
#[get("/listings")]
pub async fn list_listings(
    state: web::Data<AppState>,
    actor: OptionalActor,
    query: crate::query::Query<ListListingsQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = state
        .listings
        .list(actor.as_ref(), query.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Create a technology offer as a draft (owners and editors of the organization).
///
/// Send an `Idempotency-Key` header to make retries safe: the same key and body within 24
/// hours return the first response.
#[utoipa::path(
    tag = "listings",
    request_body = ListingForm,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created as a draft", body = ListingView, headers(("Location" = String))),
        (status = 400, description = "Invalid input, one entry per field", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an owner or editor of the organization", body = ErrorBody),
        (status = 409, description = "The Idempotency-Key was used with another body, or is in use", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
    )
)]
#[post("/listings")]
pub async fn create_listing(
    state: web::Data<AppState>,
    actor: Writer,
    req: HttpRequest,
    form: web::Json<ListingForm>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    let body = form.clone();
    idempotency::create_once(
        &state,
        &req,
        &actor.0,
        &body,
        |l: &ListingView| format!("/api/v1/listings/{}", l.id),
        || async { Ok(state.listings.create(&actor.0, form).await?) },
    )
    .await
}

/// Import technology offers from a CSV or JSON Lines file, all or nothing.
///
/// Multipart form with `file` (CSV with a header row, or JSON Lines), optional `format`
/// (`csv` or `jsonl`; guessed from the file name otherwise) and `organization_id`. Every row
/// becomes a draft; when any row is invalid nothing is written and `details` lists each problem
/// as `rows[N].field` (data rows count from 1).
#[utoipa::path(
    tag = "listings",
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
#[post("/listings/import")]
pub async fn import_listings(
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
    let report = state.listings.import(&actor.0, organization, rows).await?;
    Ok(HttpResponse::Created().json(report))
}

/// Export technology offers.
///
/// CSV or JSON Lines (`format`), with the same filters as the list and every page at once (up to
/// 50,000 records), holding only the records and tiers the caller may see. CSV cells that a
/// spreadsheet would run as formulas are written as text.
#[utoipa::path(
    tag = "listings",
    params(ExportListingsQuery, ("format" = Option<ExportFormat>, Query, description = "`csv` (default) or `jsonl`")),
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
#[get("/listings/export")]
pub async fn export_listings(
    state: web::Data<AppState>,
    actor: OptionalActor,
    format: crate::query::Query<transfer::FormatQuery>,
    query: crate::query::Query<ExportListingsQuery>,
) -> Result<HttpResponse, ApiError> {
    let views = state
        .listings
        .export(actor.as_ref(), query.into_inner().into())
        .await?;
    let format = format.format.unwrap_or_default();
    let body = match format {
        ExportFormat::Csv => files::write_csv(&views).map_err(transfer::write_error)?,
        ExportFormat::Jsonl => files::write_jsonl(&views).map_err(transfer::write_error)?,
    };
    Ok(transfer::file_response("listings", format, body))
}

/// Get a technology offer at the caller's tiers.
///
/// Unpublished offers are 404 for everyone but the owner organization and staff. A read of
/// the confidential tier from outside the owner organization is logged.
#[utoipa::path(
    tag = "listings",
    params(("id" = i64, Path, description = "Listing id")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The listing", body = ListingView, headers(("ETag" = String))),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "Invalid credentials were sent", body = ErrorBody),
        (status = 404, description = "No such listing, or not visible to the caller", body = ErrorBody),
    )
)]
#[get("/listings/{id}")]
pub async fn get_listing(
    state: web::Data<AppState>,
    actor: OptionalActor,
    id: web::Path<ListingId>,
) -> Result<HttpResponse, ApiError> {
    let listing = state.listings.get(actor.as_ref(), id.into_inner()).await?;
    Ok(ok_with_etag(&listing, listing.version))
}

/// Change fields of a technology offer (owners and editors).
///
/// Only the fields present change; `null` clears an optional field. Send `If-Match` with the
/// ETag you read: a stale one answers 412 and changes nothing. Editable in `draft`,
/// `changes_requested`, `published` and `paused`.
#[utoipa::path(
    tag = "listings",
    params(
        ("id" = i64, Path, description = "Listing id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being changed"),
    ),
    request_body = ListingPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = ListingView, headers(("ETag" = String))),
        (status = 400, description = "Invalid input, one entry per field", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an owner or editor", body = ErrorBody),
        (status = 404, description = "No such listing", body = ErrorBody),
        (status = 409, description = "Not editable in its status", body = ErrorBody),
        (status = 412, description = "Changed since it was read", body = ErrorBody),
    )
)]
#[patch("/listings/{id}")]
pub async fn update_listing(
    state: web::Data<AppState>,
    actor: Writer,
    req: HttpRequest,
    id: web::Path<ListingId>,
    patch: web::Json<ListingPatch>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let listing = state
        .listings
        .update(&actor.0, id.into_inner(), patch.into_inner(), expected)
        .await?;
    state.settle_search().await;
    Ok(ok_with_etag(&listing, listing.version))
}

/// Delete a draft listing.
///
/// Owners and editors delete a listing in `draft`. Send `If-Match` with the ETag you
/// read; a listing in any other status answers 409.
#[utoipa::path(
    tag = "listings",
    params(
        ("id" = i64, Path, description = "Listing id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an owner or editor", body = ErrorBody),
        (status = 404, description = "No such listing", body = ErrorBody),
        (status = 409, description = "Not a draft", body = ErrorBody),
        (status = 412, description = "Changed since it was read", body = ErrorBody),
    )
)]
#[delete("/listings/{id}")]
pub async fn delete_listing(
    state: web::Data<AppState>,
    actor: Writer,
    req: HttpRequest,
    id: web::Path<ListingId>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    state
        .listings
        .delete(&actor.0, id.into_inner(), expected)
        .await?;
    state.settle_search().await;
    Ok(HttpResponse::NoContent().finish())
}

/// Take a lifecycle action on a technology offer.
///
/// Owners and editors `submit`, `edit` (take back from review), `pause`, `resume`,
/// `withdraw`, `close` (transferred) and `renew`; moderators `publish`, `request_changes` and
/// `reject`. An action not allowed from the current status answers 409 naming the status;
/// `prohibited` technology can never be published. Publication and renewal hold 12 months.
#[utoipa::path(
    tag = "listings",
    params(
        ("id" = i64, Path, description = "Listing id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being changed"),
    ),
    request_body = TransitionForm,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The listing after the action", body = ListingView, headers(("ETag" = String))),
        (status = 400, description = "Unknown action or note too long", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed to take this action", body = ErrorBody),
        (status = 404, description = "No such listing", body = ErrorBody),
        (status = 409, description = "Not allowed from the current status", body = ErrorBody),
        (status = 412, description = "Changed since it was read", body = ErrorBody),
    )
)]
#[post("/listings/{id}/transitions")]
pub async fn transition_listing(
    state: web::Data<AppState>,
    actor: Writer,
    req: HttpRequest,
    id: web::Path<ListingId>,
    form: web::Json<TransitionForm>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let listing = state
        .listings
        .transition(&actor.0, id.into_inner(), form.into_inner(), expected)
        .await?;
    state.settle_search().await;
    Ok(ok_with_etag(&listing, listing.version))
}

/// List a listing's history.
///
/// Every change and transition of a technology offer with its actor, time and note, oldest first,
/// to the owner organization, moderators and admins. Paged like every list.
#[utoipa::path(
    tag = "listings",
    params(("id" = i64, Path, description = "Listing id"), HistoryQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "History, oldest first", body = Page<HistoryEntryView>),
        (status = 400, description = "Invalid paging", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the owner organization or a moderator", body = ErrorBody),
        (status = 404, description = "No such listing", body = ErrorBody),
    )
)]
#[get("/listings/{id}/history")]
pub async fn list_listing_history(
    state: web::Data<AppState>,
    actor: CurrentActor,
    id: web::Path<ListingId>,
    query: crate::query::Query<HistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = state
        .listings
        .history(&actor.0, id.into_inner(), query.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
