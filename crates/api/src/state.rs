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
    /// Trust `Forwarded` / `X-Forwarded-For` for the client address (behind a reverse proxy).
    pub trust_proxy: bool,
}
