//! What every handler shares.

use crate::metrics::Metrics;
use techx_accounts::Accounts;
use techx_db::Db;
use techx_listings::Listings;
use techx_requests::Requests;

/// Shared state of the app.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub accounts: Accounts,
    pub listings: Listings,
    pub requests: Requests,
    pub metrics: Metrics,
    /// Trust `Forwarded` / `X-Forwarded-For` for the client address (behind a reverse proxy).
    pub trust_proxy: bool,
}
