//! `/api/v1/outcomes`: what the exchange produced besides contracts.

use super::paging;
use crate::auth::{CurrentActor, Writer};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use techx_brokerage::dto::{OutcomeFilter, OutcomeForm, OutcomeView};
use techx_core::page::{Page, PageParams};

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
