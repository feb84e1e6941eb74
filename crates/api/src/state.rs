//! What every handler shares.

use crate::metrics::Metrics;
use techx_accounts::Accounts;
use techx_db::Db;

/// Shared state of the app.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub accounts: Accounts,
    pub metrics: Metrics,
    /// Trust `Forwarded` / `X-Forwarded-For` for the client address (behind a reverse proxy).
    pub trust_proxy: bool,
}
