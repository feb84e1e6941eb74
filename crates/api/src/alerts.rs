//! Alerts: saved searches and requests marked for alerts. The sweep that records an alert when
//! a newly published listing matches one is a background job of the brokerage
//! (`techx_brokerage::sweep`).

use crate::auth::{CurrentActor, Writer};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, post, web};
use techx_brokerage::dto::{AlertSubscriptionForm, AlertSubscriptionView, AlertView};
use techx_core::AlertSubscriptionId;
use techx_core::page::{Page, PageParams};

/// Save a search or mark a request for alerts.
///
/// From now on, each newly published listing that matches the search (its text and fields of
/// science, as a need) or the request with a score at or above `threshold` (default 0.5) is
/// recorded as an alert for the caller (`GET /api/v1/alerts`), with the match explanation.
/// Delivery by e-mail or other channels comes with the integrations.
#[utoipa::path(
    operation_id = "create_alert_subscription",
    tag = "alerts",
    request_body = AlertSubscriptionForm,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Saved", body = AlertSubscriptionView),
        (status = 400, description = "Missing text or request, or a threshold outside 0 to 1", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "An API key (alerts belong to people)", body = ErrorBody),
        (status = 404, description = "No such request, or not visible", body = ErrorBody),
    )
)]
#[post("/alert-subscriptions")]
pub async fn subscribe(
    state: web::Data<AppState>,
    actor: Writer,
    form: web::Json<AlertSubscriptionForm>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .brokerage
        .subscribe(&actor.0, form.into_inner())
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// List the caller's alert subscriptions.
///
/// The caller's saved searches and requests marked for alerts, newest first, paged like every list.
/// Subscriptions belong to people: an API key answers 403.
#[utoipa::path(
    operation_id = "list_alert_subscriptions",
    tag = "alerts",
    params(PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of subscriptions, newest first", body = Page<AlertSubscriptionView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "An API key (alerts belong to people)", body = ErrorBody),
    )
)]
#[get("/alert-subscriptions")]
pub async fn subscriptions(
    state: web::Data<AppState>,
    actor: CurrentActor,
    page: crate::query::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = crate::brokerage::paging(page.into_inner())?;
    Ok(HttpResponse::Ok().json(state.brokerage.subscriptions_of(&actor.0, paging).await?))
}

/// Stop an alert subscription.
///
/// Deletes one of the caller's subscriptions; the alerts it raised go with it. Another person's
/// subscription answers 404.
#[utoipa::path(
    operation_id = "delete_alert_subscription",
    tag = "alerts",
    params(("id" = i64, Path, description = "Subscription id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Stopped"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "An API key (alerts belong to people)", body = ErrorBody),
        (status = 404, description = "No such subscription of the caller", body = ErrorBody),
    )
)]
#[delete("/alert-subscriptions/{id}")]
pub async fn unsubscribe(
    state: web::Data<AppState>,
    actor: Writer,
    id: web::Path<AlertSubscriptionId>,
) -> Result<HttpResponse, ApiError> {
    state
        .brokerage
        .unsubscribe(&actor.0, id.into_inner())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// List the caller's alerts.
///
/// Listings newly published that matched one of the caller's subscriptions, newest first, with the
/// score and explanation at the time. A listing the caller can no longer see is left out. Paged
/// like every list.
#[utoipa::path(
    tag = "alerts",
    params(PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of alerts", body = Page<AlertView>),
        (status = 400, description = "Invalid paging", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "An API key (alerts belong to people)", body = ErrorBody),
    )
)]
#[get("/alerts")]
pub async fn list_alerts(
    state: web::Data<AppState>,
    actor: CurrentActor,
    page: crate::query::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = crate::brokerage::paging(page.into_inner())?;
    Ok(HttpResponse::Ok().json(state.brokerage.alerts_of(&actor.0, paging).await?))
}
