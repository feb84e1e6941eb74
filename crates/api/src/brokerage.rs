//! Saved matches carried from suggestion to each side's answer, and inquiries with their
//! threads.

use crate::auth::{CurrentActor, Writer};
use crate::error::{ApiError, ErrorBody};
use crate::idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use techx_brokerage::dto::{
    AccessDecisionForm, AccessReport, AccessRequestFilter, AccessRequestForm, AccessRequestView,
    AnswerForm, ContractView, EngagementFilter, EngagementForm, EngagementNoteForm,
    EngagementPatch, EngagementView, Entity, InquiryFilter, InquiryForm, InquiryView, MatchFilter,
    MatchForm, MatchView, MessageForm, NoteForm, OutcomeFilter, OutcomeForm, OutcomeView,
    StageForm,
};
use techx_catalogue::records::RecordError;
use techx_core::page::{Page, PageParams};

pub(crate) fn paging(params: PageParams) -> Result<techx_core::page::Paging, ApiError> {
    params
        .parse()
        .map_err(|e| ApiError::from(RecordError::Invalid(vec![e])))
}

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
    id: web::Path<i64>,
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
    id: web::Path<i64>,
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
    id: web::Path<i64>,
    form: web::Json<AnswerForm>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .brokerage
        .answer(&actor.0, id.into_inner(), form.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Send an inquiry about a published record.
///
/// Members of verified organizations ask about a published listing or request. It goes to the owner
/// organization, or to the exchange's brokers when the record is an anonymous request, whose
/// requester stays hidden. Send an `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "brokerage",
    request_body = InquiryForm,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Sent", body = InquiryView, headers(("Location" = String))),
        (status = 400, description = "Invalid input", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a person in a verified organization", body = ErrorBody),
        (status = 404, description = "No such record, or not visible", body = ErrorBody),
        (status = 409, description = "The record is not published, or is the caller's own", body = ErrorBody),
    )
)]
#[post("/inquiries")]
pub async fn create_inquiry(
    state: web::Data<AppState>,
    actor: Writer,
    req: HttpRequest,
    form: web::Json<InquiryForm>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    let body = serde_json::json!({
        "entity": form.entity,
        "entity_id": form.entity_id,
        "cooperation_sought": form.cooperation_sought,
        "missing": form.missing,
        "about_us": form.about_us,
        "message": form.message,
        "organization_id": form.organization_id,
    });
    idempotency::create_once(
        &state,
        &req,
        &actor.0,
        &body,
        |i: &InquiryView| format!("/api/v1/inquiries/{}", i.id),
        || async { Ok(state.brokerage.create_inquiry(&actor.0, form).await?) },
    )
    .await
}

/// List inquiries.
///
/// Inquiries the caller's organizations sent (`box=sent`) or received (`box=received`), newest
/// first; staff see all. The list leaves the threads out: read one inquiry for its messages.
#[utoipa::path(
    tag = "brokerage",
    params(InquiryFilter, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of inquiries", body = Page<InquiryView>),
        (status = 400, description = "Invalid filter or paging", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
#[get("/inquiries")]
pub async fn list_inquiries(
    state: web::Data<AppState>,
    actor: CurrentActor,
    filter: crate::query::Query<InquiryFilter>,
    page: crate::query::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = paging(page.into_inner())?;
    let page = state
        .brokerage
        .list_inquiries(&actor.0, filter.into_inner(), paging)
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get an inquiry with its thread.
///
/// One inquiry and its messages, to its parties and staff; 404 for anyone else.
#[utoipa::path(
    tag = "brokerage",
    params(("id" = i64, Path, description = "Inquiry id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The inquiry", body = InquiryView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such inquiry, or not a party to it", body = ErrorBody),
    )
)]
#[get("/inquiries/{id}")]
pub async fn get_inquiry(
    state: web::Data<AppState>,
    actor: CurrentActor,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .brokerage
        .get_inquiry(&actor.0, id.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Reply in an inquiry's thread.
///
/// The inquirer, the record's owner (when the inquiry went to the owner) or a broker adds a
/// message. A closed inquiry answers 409.
#[utoipa::path(
    operation_id = "create_inquiry_message",
    tag = "brokerage",
    request_body = MessageForm,
    params(("id" = i64, Path, description = "Inquiry id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The inquiry with its thread", body = InquiryView),
        (status = 400, description = "Empty or too long reply", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "An API key (replies are written by people)", body = ErrorBody),
        (status = 404, description = "No such inquiry, or not a party to it", body = ErrorBody),
        (status = 409, description = "The inquiry is closed", body = ErrorBody),
    )
)]
#[post("/inquiries/{id}/messages")]
pub async fn reply_inquiry(
    state: web::Data<AppState>,
    actor: Writer,
    id: web::Path<i64>,
    form: web::Json<MessageForm>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .brokerage
        .reply(&actor.0, id.into_inner(), form.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Close an inquiry.
///
/// Either party or staff closes an open inquiry: `open` → `closed`; no reply is taken afterwards.
#[utoipa::path(
    tag = "brokerage",
    params(("id" = i64, Path, description = "Inquiry id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Closed", body = InquiryView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such inquiry, or not a party to it", body = ErrorBody),
        (status = 409, description = "Already closed", body = ErrorBody),
    )
)]
#[post("/inquiries/{id}/close")]
pub async fn close_inquiry(
    state: web::Data<AppState>,
    actor: Writer,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .brokerage
        .close_inquiry(&actor.0, id.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

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
    id: web::Path<i64>,
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
    id: web::Path<i64>,
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
    id: web::Path<i64>,
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
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let report = state
        .brokerage
        .access_report(&actor.0, Entity::Listing, id.into_inner())
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
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let report = state
        .brokerage
        .access_report(&actor.0, Entity::Request, id.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

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
    id: web::Path<i64>,
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
    id: web::Path<i64>,
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
    id: web::Path<i64>,
    form: web::Json<StageForm>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let close_listing = move |conn: &mut techx_db::DbConn, listing: i64, contract: i64| {
        let close = techx_catalogue::records::TransitionForm {
            action: techx_core::codes::Action::Close,
            note: Some(format!(
                "chuyển giao theo hợp đồng {contract} (engagement {id}) / transferred under contract {contract} (engagement {id})"
            )),
        };
        techx_listings::Listings::transition_in(
            conn,
            &techx_accounts::Actor::system(),
            listing,
            &close,
            None,
        )
        .map(|_| ())
    };
    let view = state
        .brokerage
        .change_stage(&actor.0, id, form.into_inner(), close_listing)
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
    id: web::Path<i64>,
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
    id: web::Path<i64>,
    page: crate::query::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = paging(page.into_inner())?;
    let contracts = state
        .brokerage
        .contracts_of_listing(&actor.0, id.into_inner(), paging)
        .await?;
    Ok(HttpResponse::Ok().json(contracts))
}

/// Record an outcome (staff).
///
/// An outcome other than a contract: a spin-off company (company name and parent institution
/// required), startup support (`support_kind` required) or a research result put to use (`channel`
/// required), linked to its engagement and listing when it comes from one.
#[utoipa::path(
    tag = "brokerage",
    request_body = OutcomeForm,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Recorded", body = OutcomeView),
        (status = 400, description = "Invalid input, or a linked record that does not exist", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not staff", body = ErrorBody),
    )
)]
#[post("/outcomes")]
pub async fn create_outcome(
    state: web::Data<AppState>,
    actor: Writer,
    form: web::Json<OutcomeForm>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .brokerage
        .create_outcome(&actor.0, form.into_inner())
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// List outcomes.
///
/// Recorded results other than contracts (spin-offs, startup support, research results put to use),
/// newest first: staff see all, members those concerning their organizations.
#[utoipa::path(
    tag = "brokerage",
    params(OutcomeFilter, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of outcomes", body = Page<OutcomeView>),
        (status = 400, description = "Invalid filter or paging", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
#[get("/outcomes")]
pub async fn list_outcomes(
    state: web::Data<AppState>,
    actor: CurrentActor,
    filter: crate::query::Query<OutcomeFilter>,
    page: crate::query::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = paging(page.into_inner())?;
    let page = state
        .brokerage
        .list_outcomes(&actor.0, filter.into_inner(), paging)
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
