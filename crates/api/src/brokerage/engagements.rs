//! `/api/v1/engagements` and each listing's `/contracts`: the deal pipeline.

use super::paging;
use crate::auth::{CurrentActor, Writer};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use actix_web::{HttpResponse, get, patch, post, web};
use techx_brokerage::dto::{
    ContractView, EngagementFilter, EngagementForm, EngagementNoteForm, EngagementPatch,
    EngagementView, StageForm,
};
use techx_core::page::{Page, PageParams};
use techx_core::{EngagementId, ListingId};

/// Open an engagement (staff).
///
/// Opens the deal pipeline for an introduced or accepted match (the engagement starts at
/// `introduced`), an inquiry (starts at `inquiry`), or an event with its listing and/or request. At
/// most one engagement per match and per inquiry: a second answers 409.
#[utoipa::path(
    tag = "brokerage",
    request_body = EngagementForm,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Opened", body = EngagementView, headers(("Location" = String))),
        (status = 400, description = "Not exactly one origin, or invalid input", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not staff", body = ErrorBody),
        (status = 404, description = "No such match, inquiry or record", body = ErrorBody),
        (status = 409, description = "The match is not introduced or accepted", body = ErrorBody),
    )
)]
#[post("/engagements")]
pub async fn create_engagement(
    state: web::Data<AppState>,
    actor: Writer,
    form: web::Json<EngagementForm>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .brokerage
        .create_engagement(&actor.0, form.into_inner())
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/engagements/{}", view.id),
        ))
        .json(view))
}

/// List engagements.
///
/// Brokerage engagements the caller may see, newest first: staff see all, members those their
/// organization takes part in (as owner of the listing or request, or as the engagement's
/// organization). Filter by stage, broker in charge or listing.
#[utoipa::path(
    tag = "brokerage",
    params(EngagementFilter, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of engagements", body = Page<EngagementView>),
        (status = 400, description = "Invalid filter or paging", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
#[get("/engagements")]
pub async fn list_engagements(
    state: web::Data<AppState>,
    actor: CurrentActor,
    filter: crate::query::Query<EngagementFilter>,
    page: crate::query::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = paging(page.into_inner())?;
    let page = state
        .brokerage
        .list_engagements(&actor.0, filter.into_inner(), paging)
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get an engagement.
///
/// One engagement with its stage changes and notes, to staff and the parties; 404 for anyone else.
/// The requester of an anonymous request stays hidden from the other side.
#[utoipa::path(
    tag = "brokerage",
    params(("id" = i64, Path, description = "Engagement id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The engagement", body = EngagementView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such engagement, or not a party to it", body = ErrorBody),
    )
)]
#[get("/engagements/{id}")]
pub async fn get_engagement(
    state: web::Data<AppState>,
    actor: CurrentActor,
    id: web::Path<EngagementId>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .brokerage
        .get_engagement(&actor.0, id.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Change an engagement's broker or next action (staff).
///
/// Only the fields sent change, so two changes of different fields at once both stand. The broker
/// in charge must be a staff member.
#[utoipa::path(
    tag = "brokerage",
    request_body = EngagementPatch,
    params(("id" = i64, Path, description = "Engagement id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Changed", body = EngagementView),
        (status = 400, description = "Invalid input, or an assignee who is not staff", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not staff", body = ErrorBody),
        (status = 404, description = "No such engagement, or not a party to it", body = ErrorBody),
    )
)]
#[patch("/engagements/{id}")]
pub async fn update_engagement(
    state: web::Data<AppState>,
    actor: Writer,
    id: web::Path<EngagementId>,
    form: web::Json<EngagementPatch>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .brokerage
        .update_engagement(&actor.0, id.into_inner(), form.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Move an engagement to another stage (staff).
///
/// Allowed moves: `inquiry` → `introduced` → `nda_signed` (optional) → `meeting_held` →
/// `negotiation` → `mou_signed` (optional) → `contract_signed` → `implementing` → `completed`;
/// from any open stage to `lost` (with a `reason`) or `on_hold`, and from `on_hold` back to the
/// stage it was held at. Anything else is 409. `contract_signed` needs the `contract`; it is
/// recorded, and the listing closes as `transferred` with a history note naming the contract.
#[utoipa::path(
    operation_id = "change_engagement_stage",
    tag = "brokerage",
    request_body = StageForm,
    params(("id" = i64, Path, description = "Engagement id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Moved", body = EngagementView),
        (status = 400, description = "Missing reason or contract, or invalid contract", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not staff", body = ErrorBody),
        (status = 404, description = "No such engagement, or not a party to it", body = ErrorBody),
        (status = 409, description = "Not an allowed move, or the listing cannot close", body = ErrorBody),
    )
)]
#[post("/engagements/{id}/stage")]
pub async fn change_stage(
    state: web::Data<AppState>,
    actor: Writer,
    id: web::Path<EngagementId>,
    form: web::Json<StageForm>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .brokerage
        .change_stage(&actor.0, id.into_inner(), form.into_inner())
        .await?;
    state.settle_search().await;
    Ok(HttpResponse::Ok().json(view))
}

/// Add a note to an engagement.
///
/// Staff and the parties add a note (at most 5,000 characters) to the engagement's log.
#[utoipa::path(
    tag = "brokerage",
    request_body = EngagementNoteForm,
    params(("id" = i64, Path, description = "Engagement id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The engagement with the note", body = EngagementView),
        (status = 400, description = "Empty or too long note", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such engagement, or not a party to it", body = ErrorBody),
    )
)]
#[post("/engagements/{id}/notes")]
pub async fn add_engagement_note(
    state: web::Data<AppState>,
    actor: Writer,
    id: web::Path<EngagementId>,
    form: web::Json<EngagementNoteForm>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .brokerage
        .add_engagement_note(&actor.0, id.into_inner(), form.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// List the contracts a listing was transferred under.
///
/// Contracts signed in the engagements of this listing, oldest first, to staff and the parties of
/// those engagements; anyone else who may see the listing gets an empty page.
#[utoipa::path(
    operation_id = "list_listing_contracts",
    tag = "brokerage",
    params(("id" = i64, Path, description = "Listing id"), PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of contracts, oldest first", body = Page<ContractView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such listing, or not visible to the caller", body = ErrorBody),
    )
)]
#[get("/listings/{id}/contracts")]
pub async fn listing_contracts(
    state: web::Data<AppState>,
    actor: CurrentActor,
    id: web::Path<ListingId>,
    page: crate::query::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = paging(page.into_inner())?;
    let contracts = state
        .brokerage
        .contracts_of_listing(&actor.0, id.into_inner(), paging)
        .await?;
    Ok(HttpResponse::Ok().json(contracts))
}
