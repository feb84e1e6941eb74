//! `/api/v1/matches`: saved matches carried from suggestion to each side's answer.

use super::paging;
use crate::auth::{CurrentActor, Writer};
use crate::error::{ApiError, ErrorBody};
use crate::idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use techx_brokerage::dto::{AnswerForm, MatchFilter, MatchForm, MatchView, NoteForm};
use techx_core::MatchId;
use techx_core::page::{Page, PageParams};

/// Save a match between a published listing and a published request.
///
/// Brokers (and moderators, admins) save matches as `source: broker`. An owner or editor of
/// either record keeps one the algorithm found as `source: self`, their side's answer already
/// `accept`. The matching engine's score and explanation at this moment are stored with it.
/// The match starts `suggested`; a broker introduces it. Send an `Idempotency-Key` to make
/// retries safe.
#[utoipa::path(
    tag = "brokerage",
    request_body = MatchForm,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Saved", body = MatchView, headers(("Location" = String))),
        (status = 400, description = "Invalid input", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Neither staff nor an owner or editor of either record", body = ErrorBody),
        (status = 404, description = "No such listing or request, or not visible", body = ErrorBody),
        (status = 409, description = "A record is not published, or the pair is already matched", body = ErrorBody),
    )
)]
#[post("/matches")]
pub async fn create_match(
    state: web::Data<AppState>,
    actor: Writer,
    req: HttpRequest,
    form: web::Json<MatchForm>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    let body = serde_json::json!({
        "listing_id": form.listing_id,
        "request_id": form.request_id,
        "note": form.note,
    });
    idempotency::create_once(
        &state,
        &req,
        &actor.0,
        &body,
        |m: &MatchView| format!("/api/v1/matches/{}", m.id),
        || async {
            Ok(techx_brokerage::save_match(&state.brokerage_services(), &actor.0, form).await?)
        },
    )
    .await
}

/// Matches the caller may see, newest first.
///
/// Staff see every match. Members of the organization owning either record see it once it is
/// introduced, or when their side saved it, while both records are visible to them.
#[utoipa::path(
    tag = "brokerage",
    params(MatchFilter, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of matches", body = Page<MatchView>),
        (status = 400, description = "Invalid filter or paging", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
#[get("/matches")]
pub async fn list_matches(
    state: web::Data<AppState>,
    actor: CurrentActor,
    filter: crate::query::Query<MatchFilter>,
    page: crate::query::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = paging(page.into_inner())?;
    let page = state
        .brokerage
        .list_matches(&actor.0, filter.into_inner(), paging)
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a saved match.
///
/// One match with both records' titles, its score and explanation, and each side's answer, to staff
/// and to the members of either side once they may see it.
#[utoipa::path(
    tag = "brokerage",
    params(("id" = i64, Path, description = "Match id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The match", body = MatchView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such match, or not visible to the caller", body = ErrorBody),
    )
)]
#[get("/matches/{id}")]
pub async fn get_match(
    state: web::Data<AppState>,
    actor: CurrentActor,
    id: web::Path<MatchId>,
) -> Result<HttpResponse, ApiError> {
    let view = state.brokerage.get_match(&actor.0, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Introduce a match (brokers).
///
/// Brokers introduce the two sides of a suggested match: `suggested` → `introduced`. Each side then
/// answers `accept` or `decline`.
#[utoipa::path(
    tag = "brokerage",
    request_body = NoteForm,
    params(("id" = i64, Path, description = "Match id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Introduced", body = MatchView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not staff", body = ErrorBody),
        (status = 404, description = "No such match, or not visible to the caller", body = ErrorBody),
        (status = 409, description = "The match is not suggested", body = ErrorBody),
    )
)]
#[post("/matches/{id}/introduce")]
pub async fn introduce_match(
    state: web::Data<AppState>,
    actor: Writer,
    id: web::Path<MatchId>,
    form: web::Json<NoteForm>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .brokerage
        .introduce(&actor.0, id.into_inner(), form.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Answer an introduced match for one side (owners and editors of that record).
///
/// `decline` needs a `reason` from the `decline_reason` code list. Any decline makes the match
/// `declined`; an accept from both sides makes it `accepted`. Each side answers once.
#[utoipa::path(
    tag = "brokerage",
    request_body = AnswerForm,
    params(("id" = i64, Path, description = "Match id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Answered", body = MatchView),
        (status = 400, description = "Missing or unexpected reason, or side needed", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an owner or editor of that side", body = ErrorBody),
        (status = 404, description = "No such match, or not visible to the caller", body = ErrorBody),
        (status = 409, description = "The match is not introduced, or the side already answered", body = ErrorBody),
    )
)]
#[post("/matches/{id}/answer")]
pub async fn answer_match(
    state: web::Data<AppState>,
    actor: Writer,
    id: web::Path<MatchId>,
    form: web::Json<AnswerForm>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .brokerage
        .answer(&actor.0, id.into_inner(), form.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
