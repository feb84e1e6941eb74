//! The brokerage API, one module per URL root: `matches`, `inquiries`, `access` (access
//! requests and reports), `engagements` (with contracts) and `outcomes`.

mod access;
mod engagements;
mod inquiries;
mod matches;
mod outcomes;

pub use access::*;
pub use engagements::*;
pub use inquiries::*;
pub use matches::*;
pub use outcomes::*;

use crate::error::ApiError;
use techx_catalogue::records::RecordError;
use techx_core::page::PageParams;

/// `limit` and `offset` checked, as a brokerage list takes them.
pub(crate) fn paging(params: PageParams) -> Result<techx_core::page::Paging, ApiError> {
    params
        .parse()
        .map_err(|e| ApiError::from(RecordError::Invalid(vec![e])))
}
