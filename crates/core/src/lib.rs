//! Shared vocabulary of techx: ids, code lists with Vietnamese and English labels, validation
//! helpers, error codes, pagination and the clock. No actix, no diesel.

pub mod bounds;
pub mod clock;
pub mod codes;
pub mod error;
pub mod ids;
pub mod kind;
pub mod lifecycle;
pub mod page;
pub mod validate;

pub use error::{ErrorCode, FieldError, HasErrorCode};
pub use ids::{
    AccessRequestId, AlertId, AlertSubscriptionId, ApiKeyId, ContractId, EngagementId, InquiryId,
    ListingId, MatchId, OrganizationId, OutcomeId, RecordId, RecordRef, RequestId, UserId,
};
pub use kind::RecordKind;
pub use page::{Page, PageParams};
