//! What every handler shares.

use crate::metrics::Metrics;
use techx_accounts::Accounts;
use techx_brokerage::Brokerage;
use techx_db::Db;
use techx_listings::Listings;
use techx_requests::Requests;
use techx_search::indexer::Indexer;

/// Shared state of the app.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub accounts: Accounts,
    pub listings: Listings,
    pub requests: Requests,
    pub brokerage: Brokerage,
    /// The search index and its feeder; None where the process runs without one.
    pub search: Option<Indexer>,
    pub metrics: Metrics,
    /// The reverse proxies whose forwarding headers name the client (none by default).
    pub trusted_proxies: crate::auth::TrustedProxies,
}

impl AppState {
    /// Bring this process's search index in line with the changes just committed, before the
    /// response goes out: a record withdrawn, paused, made anonymous or edited is not shown as
    /// it was by a search that follows. A failure is logged; the write stands, and anonymous
    /// search checks each hit against the database anyway.
    pub async fn settle_search(&self) {
        if let Some(indexer) = &self.search
            && let Err(error) = indexer.catch_up().await
        {
            tracing::warn!(%error, "search index catch-up after a write failed");
        }
    }

    /// The search service over this process's index; None where it runs without one.
    pub fn searcher(&self) -> Option<techx_search::service::Searcher<'_>> {
        let indexer = self.search.as_ref()?;
        Some(techx_search::service::Searcher {
            index: &indexer.index,
            db: &self.db,
            listings: &self.listings,
            requests: &self.requests,
            vectors: indexer.vectors.as_ref(),
        })
    }

    /// What the brokerage use cases that read other services (saving a match, the alert
    /// sweep) work through.
    pub fn brokerage_services(&self) -> techx_brokerage::Services<'_> {
        techx_brokerage::Services {
            brokerage: &self.brokerage,
            accounts: &self.accounts,
            listings: &self.listings,
            requests: &self.requests,
            index: self.search.as_ref().map(|indexer| indexer.index.clone()),
        }
    }
}
