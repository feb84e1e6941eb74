//! `/api/v1/access-requests` and each record's `/access` report: asking for a record's
//! confidential tier, the grant or refusal, and who read it.

use super::paging;
use crate::auth::{CurrentActor, Writer};
use crate::error::{ApiError, ErrorBody};
use crate::idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use techx_brokerage::dto::{
    AccessDecisionForm, AccessReport, AccessRequestFilter, AccessRequestForm, AccessRequestView,
    NoteForm,
};
use techx_catalogue::records::RecordError;
use techx_core::page::{Page, PageParams};
use techx_core::{AccessRequestId, ListingId, RequestId};

/// Ask for a record's confidential tier.
///
/// Members of verified organizations ask for the confidential tier of a published listing or
/// request. The owner organization decides, or the exchange's brokers when the record is an
/// anonymous request. One pending request per organization and record. Send an `Idempotency-Key` to
/// make retries safe.
#[utoipa::path(
    operation_id = "create_access_request",
    tag = "brokerage",
    request_body = AccessRequestForm,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Asked", body = AccessRequestView, headers(("Location" = String))),
        (status = 400, description = "Invalid input", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a person in a verified organization", body = ErrorBody),
        (status = 404, description = "No such record, or not visible", body = ErrorBody),
        (status = 409, description = "Not published, the caller's own, or already pending", body = ErrorBody),
    )
)]
#[post("/access-requests")]
pub async fn request_access(
    state: web::Data<AppState>,
    actor: Writer,
    req: HttpRequest,
    form: web::Json<AccessRequestForm>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    let body = serde_json::json!({
        "entity": form.entity,
        "entity_id": form.entity_id,
        "message": form.message,
        "organization_id": form.organization_id,
    });
    idempotency::create_once(
        &state,
        &req,
        &actor.0,
        &body,
        |a: &AccessRequestView| format!("/api/v1/access-requests/{}", a.id),
        || async { Ok(state.brokerage.request_access(&actor.0, form).await?) },
    )
    .await
}

/// List access requests.
///
/// Access requests the caller's organizations sent (`box=sent`) or may decide (`box=received`:
/// requests for their own records), newest first; staff see all. Filter by the record (`entity`,
/// `entity_id`) and by status. Paged like every list.
#[utoipa::path(
    tag = "brokerage",
    params(AccessRequestFilter, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of access requests", body = Page<AccessRequestView>),
        (status = 400, description = "Invalid filter or paging", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
#[get("/access-requests")]
pub async fn list_access_requests(
    state: web::Data<AppState>,
    actor: CurrentActor,
    filter: crate::query::Query<AccessRequestFilter>,
    page: crate::query::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = paging(page.into_inner())?;
    let page = state
        .brokerage
        .list_access_requests(&actor.0, filter.into_inner(), paging)
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get an access request.
///
/// One access request with its record, requester, status and decision. Visible to the requesting
/// organization, the record's owner organization and staff; 404 for anyone else.
#[utoipa::path(
    tag = "brokerage",
    params(("id" = i64, Path, description = "Access request id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The access request", body = AccessRequestView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such access request, or not a party to it", body = ErrorBody),
    )
)]
#[get("/access-requests/{id}")]
pub async fn get_access_request(
    state: web::Data<AppState>,
    actor: CurrentActor,
    id: web::Path<AccessRequestId>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .brokerage
        .get_access_request(&actor.0, id.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Grant an access request until `expires_at`.
///
/// Owners and editors of the record, or brokers (brokers alone for an anonymous request), grant
/// a pending access request. While the grant holds, the asking organization reads the confidential
/// tier on every road that shows the record (get, list, search hits, matches, export), and each
/// such read is logged.
#[utoipa::path(
    operation_id = "grant_access_request",
    tag = "brokerage",
    request_body = AccessDecisionForm,
    params(("id" = i64, Path, description = "Access request id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Granted", body = AccessRequestView),
        (status = 400, description = "Missing, past or too distant expires_at", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not one who decides", body = ErrorBody),
        (status = 404, description = "No such access request, or not a party to it", body = ErrorBody),
        (status = 409, description = "Already decided", body = ErrorBody),
    )
)]
#[post("/access-requests/{id}/grant")]
pub async fn grant_access(
    state: web::Data<AppState>,
    actor: Writer,
    id: web::Path<AccessRequestId>,
    form: web::Json<AccessDecisionForm>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    if form.expires_at.is_none() {
        return Err(
            RecordError::invalid("expires_at", "required", "a grant needs expires_at").into(),
        );
    }
    let view = state
        .brokerage
        .decide_access(&actor.0, id.into_inner(), form)
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Refuse an access request.
///
/// The record's owners (or staff) refuse a `pending` access request: `pending` → `refused`. A
/// request already decided stays as it is (409).
#[utoipa::path(
    operation_id = "refuse_access_request",
    tag = "brokerage",
    request_body = NoteForm,
    params(("id" = i64, Path, description = "Access request id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Refused", body = AccessRequestView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not one who decides", body = ErrorBody),
        (status = 404, description = "No such access request, or not a party to it", body = ErrorBody),
        (status = 409, description = "Already decided", body = ErrorBody),
    )
)]
#[post("/access-requests/{id}/refuse")]
pub async fn refuse_access(
    state: web::Data<AppState>,
    actor: Writer,
    id: web::Path<AccessRequestId>,
    form: web::Json<NoteForm>,
) -> Result<HttpResponse, ApiError> {
    let decision = AccessDecisionForm {
        expires_at: None,
        note: form.into_inner().note,
    };
    let view = state
        .brokerage
        .decide_access(&actor.0, id.into_inner(), decision)
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Who may read a listing's confidential tier.
///
/// The grants of the confidential tier (to which organization, until when) and the log of its reads
/// from outside the owner organization, for the owners and staff.
#[utoipa::path(
    operation_id = "get_listing_access",
    tag = "brokerage",
    params(("id" = i64, Path, description = "Listing id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Grants and logged reads", body = AccessReport),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the listing's organization or staff", body = ErrorBody),
        (status = 404, description = "No such listing, or not visible", body = ErrorBody),
    )
)]
#[get("/listings/{id}/access")]
pub async fn listing_access(
    state: web::Data<AppState>,
    actor: CurrentActor,
    id: web::Path<ListingId>,
) -> Result<HttpResponse, ApiError> {
    let report = state
        .brokerage
        .access_report(&actor.0, id.into_inner().into())
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// Who may read a request's confidential tier.
///
/// The grants of the confidential tier (to which organization, until when) and the log of its reads
/// from outside the owner organization, for the owners and staff.
#[utoipa::path(
    operation_id = "get_request_access",
    tag = "brokerage",
    params(("id" = i64, Path, description = "Request id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Grants and logged reads", body = AccessReport),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the request's organization or staff", body = ErrorBody),
        (status = 404, description = "No such request, or not visible", body = ErrorBody),
    )
)]
#[get("/requests/{id}/access")]
pub async fn request_access_report(
    state: web::Data<AppState>,
    actor: CurrentActor,
    id: web::Path<RequestId>,
) -> Result<HttpResponse, ApiError> {
    let report = state
        .brokerage
        .access_report(&actor.0, id.into_inner().into())
        .await?;
    Ok(HttpResponse::Ok().json(report))
}
