//! The background jobs of a server process, all in one place: the search indexer (the one
//! index writer, every half second), the expiry sweep (lapsed publications written down every
//! minute, planner statistics refreshed hourly) and the alert sweep (new publications against
//! saved searches, every five seconds). None runs in the HTTP crate; each logs its failures and
//! keeps going.

use super::*;

/// Publications expire when `valid_until` passes: readers see it at once, and this sweep
/// writes it down (with history) every minute. It also refreshes planner statistics hourly.
pub(crate) fn spawn_expiry_sweep(db: Db, listings: Listings, requests: Requests) {
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        let mut minutes: u64 = 0;
        loop {
            tick.tick().await;
            // Hourly, and at start: keep the planner's statistics fresh.
            if minutes.is_multiple_of(60)
                && let Err(error) = db.optimize().await
            {
                tracing::warn!(%error, "database optimize failed");
            }
            minutes += 1;
            match listings.expire_due().await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "listings expired"),
                Err(error) => tracing::warn!(%error, "listing expiry sweep failed"),
            }
            match requests.expire_due().await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "requests expired"),
                Err(error) => tracing::warn!(%error, "request expiry sweep failed"),
            }
        }
    });
}

/// Open the search index in the data directory; a new, damaged or outdated one must be rebuilt.
pub(crate) fn open_search(data_dir: &Path, db: &Db) -> anyhow::Result<(Indexer, bool)> {
    let (index, rebuilt) =
        SearchIndex::open(&data_dir.join("search")).context("cannot open the search index")?;
    Ok((
        Indexer::new(std::sync::Arc::new(index), db.clone()),
        rebuilt,
    ))
}

/// The one index writer: fill a new or rebuilt index, then apply committed changes within about
/// half a second.
pub(crate) async fn start_indexer(indexer: Indexer, rebuilt: bool) -> anyhow::Result<()> {
    if rebuilt {
        let count = indexer.rebuild(|_| {}).await?;
        tracing::info!(count, "search index rebuilt");
    }
    indexer.catch_up().await?;
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_millis(500));
        loop {
            tick.tick().await;
            if let Err(error) = indexer.catch_up().await {
                tracing::warn!(%error, "search index catch-up failed");
            }
        }
    });
    Ok(())
}

/// Record alerts for newly published listings every five seconds.
pub(crate) fn spawn_alert_sweep(state: AppState) {
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            tick.tick().await;
            match techx_brokerage::sweep::sweep(&state.brokerage_services()).await {
                Ok(0) => {}
                Ok(raised) => tracing::info!(raised, "alerts recorded"),
                Err(error) => tracing::warn!(?error, "alert sweep failed"),
            }
        }
    });
}
