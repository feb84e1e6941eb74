//! `/api/v1/inquiries`: questions about published records and their threads.

use super::paging;
use crate::auth::{CurrentActor, Writer};
use crate::error::{ApiError, ErrorBody};
use crate::idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use techx_brokerage::dto::{InquiryFilter, InquiryForm, InquiryView, MessageForm};
use techx_core::InquiryId;
use techx_core::page::{Page, PageParams};

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
    id: web::Path<InquiryId>,
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
    id: web::Path<InquiryId>,
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
    id: web::Path<InquiryId>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .brokerage
        .close_inquiry(&actor.0, id.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
