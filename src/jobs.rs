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
/// With the embedding model in `model_dir`, records get vectors too.
pub(crate) fn open_search(
    data_dir: &Path,
    model_dir: &Path,
    db: &Db,
) -> anyhow::Result<(Indexer, bool)> {
    let (index, rebuilt) =
        SearchIndex::open(&data_dir.join("search")).context("cannot open the search index")?;
    let mut indexer = Indexer::new(std::sync::Arc::new(index), db.clone());
    match techx_embed::Model::find(model_dir)? {
        Some(model) => {
            tracing::info!(model = techx_embed::MODEL_NAME, dir = %model_dir.display(), "embedding model loaded: cross-lingual search on");
            let vectors = techx_search::vectors::Vectors::new(std::sync::Arc::new(model));
            indexer = indexer.with_vectors(std::sync::Arc::new(vectors));
        }
        None => {
            tracing::info!(dir = %model_dir.display(), "no embedding model (scripts/fetch-model): lexical search only")
        }
    }
    Ok((indexer, rebuilt))
}

/// The one index writer: fill a new or rebuilt index, then apply committed changes within about
/// half a second.
pub(crate) async fn start_indexer(indexer: Indexer, rebuilt: bool) -> anyhow::Result<()> {
    if rebuilt {
        let count = indexer.rebuild(|_| {}).await?;
        tracing::info!(count, "search index rebuilt");
    } else if indexer.vectors.is_some() {
        let count = indexer.load_vectors().await?;
        tracing::info!(
            count,
            "record vectors loaded (records published before the model was installed get theirs from `techx reindex`)"
        );
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
