//! The alert sweep, a background job: the listings published since each subscription's
//! watermark are matched against it and an alert is recorded above its threshold. The binary
//! runs it every few seconds.

use crate::dto::AlertKind;
use crate::{ServiceError, Services};
use techx_accounts::AccountsError;
use techx_catalogue::records::RecordError;
use techx_core::ListingId;
use techx_core::UserId;
use techx_matching::{Config, Facts};

/// Listings checked per subscription and sweep.
const BATCH: i64 = 200;

/// Check the listings published since each subscription's watermark and record the alerts.
/// Returns how many alerts were recorded. The server runs it every few seconds.
///
/// Each subscription is matched as its subscriber sees the records at this moment: a request
/// the subscriber can no longer see (paused, withdrawn, edited while unpublished) and a listing
/// they cannot see raise nothing, and only public facts of both are compared.
pub async fn sweep(services: &Services<'_>) -> Result<usize, ServiceError> {
    let Some(index) = services.index.clone() else {
        return Ok(0);
    };
    let mut raised = 0;
    for subscription in services.brokerage.all_subscriptions().await? {
        let published = services
            .brokerage
            .listings_published_after(subscription.checked_until, BATCH)
            .await?;
        let Some(&(_, last)) = published.last() else {
            continue;
        };
        let subscriber = match services
            .accounts
            .actor_of_user(UserId(subscription.user_id))
            .await
        {
            Ok(actor) => actor,
            Err(AccountsError::Unauthenticated(_)) => {
                services.brokerage.checked(subscription.id, last).await?;
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
                match services.requests.public_view(Some(&subscriber), id).await {
                    Ok(view) => Facts::from(&view),
                    Err(RecordError::NotFound(_)) => {
                        services.brokerage.checked(subscription.id, last).await?;
                        continue;
                    }
                    Err(other) => return Err(other.into()),
                }
            }
        };
        for (listing, _) in published {
            let view = match services
                .listings
                .public_view(Some(&subscriber), ListingId(listing))
                .await
            {
                Ok(view) => view,
                Err(RecordError::NotFound(_)) => continue,
                Err(other) => return Err(other.into()),
            };
            let offer = Facts::from(&view);
            let index = index.clone();
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
            })
            .await?;
            if scored.score >= subscription.threshold {
                let explanation = serde_json::to_value(&scored.explanation).unwrap_or_default();
                if services
                    .brokerage
                    .record_alert(&subscription, listing, scored.score, explanation)
                    .await?
                {
                    raised += 1;
                }
            }
        }
        services.brokerage.checked(subscription.id, last).await?;
    }
    Ok(raised)
}
