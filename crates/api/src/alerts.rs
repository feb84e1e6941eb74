//! Alerts: saved searches and requests marked for alerts, and the sweep that records an alert
//! when a newly published listing matches one above its threshold.

use crate::auth::{CurrentActor, Writer};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, post, web};
use techx_accounts::AccountsError;
use techx_brokerage::dto::{AlertKind, AlertSubscriptionForm, AlertSubscriptionView, AlertView};
use techx_catalogue::records::RecordError;
use techx_core::UserId;
use techx_core::page::{Page, PageParams};
use techx_matching::{Config, Facts};

/// Listings checked per subscription and sweep.
const BATCH: i64 = 200;

/// Check the listings published since each subscription's watermark and record the alerts.
/// Returns how many alerts were recorded. The server runs it every few seconds.
///
/// Each subscription is matched as its subscriber sees the records at this moment: a request
/// the subscriber can no longer see (paused, withdrawn, edited while unpublished) and a listing
/// they cannot see raise nothing, and only public facts of both are compared.
pub async fn sweep(state: &AppState) -> Result<usize, ApiError> {
    let Some(indexer) = state.search.clone() else {
        return Ok(0);
    };
    let mut raised = 0;
    for subscription in state.brokerage.all_subscriptions().await? {
        let published = state
            .brokerage
            .listings_published_after(subscription.checked_until, BATCH)
            .await?;
        let Some(&(_, last)) = published.last() else {
            continue;
        };
        let subscriber = match state
            .accounts
            .actor_of_user(UserId(subscription.user_id))
            .await
        {
            Ok(actor) => actor,
            Err(AccountsError::Unauthenticated(_)) => {
                state.brokerage.checked(subscription.id, last).await?;
                continue;
            }
            Err(other) => return Err(other.into()),
        };
        let need = match subscription.kind {
            AlertKind::Search => Facts {
                title: subscription.query.clone().unwrap_or_default(),
                sci_fields: subscription.sci_fields.clone(),
                ..Facts::default()
            },
            AlertKind::Request => {
                let Some(id) = subscription.request_id else {
                    continue;
                };
                match state.requests.public_view(Some(&subscriber), id).await {
                    Ok(view) => Facts::from_view(&view).unwrap_or_default(),
                    Err(RecordError::NotFound(_)) => {
                        state.brokerage.checked(subscription.id, last).await?;
                        continue;
                    }
                    Err(other) => return Err(other.into()),
                }
            }
        };
        for (listing, _) in published {
            let view = match state.listings.public_view(Some(&subscriber), listing).await {
                Ok(view) => view,
                Err(RecordError::NotFound(_)) => continue,
                Err(other) => return Err(other.into()),
            };
            let offer = Facts::from_view(&view).unwrap_or_default();
            let index = indexer.index.clone();
            let need = need.clone();
            let scored = techx_db::blocking(move || {
                techx_matching::score_pair(
                    &index,
                    &Config::default(),
                    &need,
                    listing,
                    &offer,
                    chrono::Utc::now(),
                )
                .map_err(|error| ApiError::internal(format!("alert matching failed: {error}")))
            })
            .await?;
            if scored.score >= subscription.threshold {
                let explanation = serde_json::to_value(&scored.explanation).unwrap_or_default();
                if state
                    .brokerage
                    .record_alert(&subscription, listing, scored.score, explanation)
                    .await?
                {
                    raised += 1;
                }
            }
        }
        state.brokerage.checked(subscription.id, last).await?;
    }
    Ok(raised)
}

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
    id: web::Path<i64>,
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
