//! Brokerage: the records that carry a match from suggestion to an answer, the inquiries and
//! access requests organizations send about published offers and needs, the deal pipeline and
//! its outcomes, and alerts. One module per concern: `party` (how the parties of a deal appear
//! to a viewer), `mailbox` (where a message goes), `matches`, `inquiries`, `access`,
//! `engagements`, `outcomes`, `alerts` and `sweep` (the alert sweep, a background job).
//!
//! - A **match** pairs a listing and a request. Brokers save them (`source: broker`); an owner
//!   or editor of either side can keep one the algorithm found (`source: self`, their side's
//!   answer already `accept`). A broker introduces it; each side then accepts or declines with a
//!   reason. Staff see every match; members of either side see those introduced, and those their
//!   own side saved, while they may see both records.
//! - An **inquiry** is a verified organization's question about a published record. It goes to
//!   the owner organization, or to the brokers when the record is an anonymous request (its
//!   requester stays hidden); both parties reply in a thread.

/// Count the rows of a list query and load one page of them in `$order`, as `(rows, total)`:
/// `$query` is a closure that builds the (boxed, single-use) query afresh for each statement.
macro_rules! paged {
    ($conn:expr, $query:expr, $order:expr, $row:ty, $paging:expr) => {{
        let total: i64 = $query().count().get_result($conn).map_err(db)?;
        let rows: Vec<$row> = $query()
            .order($order)
            .limit($paging.limit)
            .offset($paging.offset)
            .select(<$row>::as_select())
            .load($conn)
            .map_err(db)?;
        (rows, total)
    }};
}

pub mod access;
pub mod alerts;
pub mod dto;
pub mod engagements;
mod inquiries;
mod mailbox;
mod matches;
pub use matches::save_match;
pub mod outcomes;
mod party;
pub mod sweep;
mod visibility;

pub(crate) use mailbox::{routed_side, routed_to};
pub(crate) use party::{Party, listing_party, party, request_party};

use chrono::NaiveDateTime;
use dto::*;
use std::sync::Arc;
use techx_accounts::{Accounts, AccountsError, Actor};
use techx_catalogue::records::RecordError;
use techx_core::error::FieldError;
use techx_core::{ErrorCode, HasErrorCode, RecordRef};
use techx_db::Db;
use techx_listings::Listings;
use techx_requests::Requests;
use techx_search::SearchError;
use techx_search::index::SearchIndex;

/// The services a brokerage use case works through beside its own tables: the accounts, the
/// listings and requests (read as the actor sees them) and the search index matching scores with.
pub struct Services<'a> {
    pub brokerage: &'a Brokerage,
    pub accounts: &'a Accounts,
    pub listings: &'a Listings,
    pub requests: &'a Requests,
    /// The search index; without one there is nothing to match with.
    pub index: Option<Arc<SearchIndex>>,
}

/// Why a brokerage use case that works through [`Services`] failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error(transparent)]
    Accounts(#[from] AccountsError),
    #[error("alert matching failed: {0}")]
    Search(#[from] SearchError),
    #[error(transparent)]
    Db(#[from] techx_db::DbError),
    #[error("matching is not available")]
    NoIndex,
}

impl From<diesel::result::Error> for ServiceError {
    fn from(error: diesel::result::Error) -> Self {
        ServiceError::Record(error.into())
    }
}

impl HasErrorCode for ServiceError {
    fn error_code(&self) -> ErrorCode {
        match self {
            ServiceError::Record(error) => error.error_code(),
            ServiceError::Accounts(error) => error.error_code(),
            ServiceError::Search(error) => error.error_code(),
            ServiceError::Db(error) => error.error_code(),
            ServiceError::NoIndex => ErrorCode::Unavailable,
        }
    }

    fn field_errors(&self) -> &[FieldError] {
        match self {
            ServiceError::Record(error) => error.field_errors(),
            ServiceError::Accounts(error) => error.field_errors(),
            ServiceError::Search(error) => error.field_errors(),
            ServiceError::Db(_) | ServiceError::NoIndex => &[],
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            ServiceError::Accounts(error) => error.retry_after(),
            _ => None,
        }
    }
}

/// Longest note, reason text or message, in characters.
pub const MAX_TEXT: usize = dto::bounds::TEXT.max();
/// Most codes in one list of a form.
pub const MAX_CODES: usize = techx_core::bounds::common::CODES.max();

/// The brokerage service.
#[derive(Clone)]
pub struct Brokerage {
    db: Db,
}

/// The one text field of a form, checked as [`text`] checks it: its problem is the form's.
pub(crate) fn only_text(
    field: &str,
    value: &Option<String>,
    required: bool,
) -> Result<Option<String>, RecordError> {
    let mut errors = Vec::new();
    let value = text(&mut errors, field, value, required);
    RecordError::invalid_if_any(errors)?;
    Ok(value)
}

/// A text field of a form: trimmed, blank is none, printable, at most [`MAX_TEXT`] characters;
/// a problem is pushed onto `errors`.
pub(crate) fn text(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &Option<String>,
    required: bool,
) -> Option<String> {
    let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty());
    if let Some(v) = value
        && let Err(error) = techx_core::validate::check_characters(field, v)
    {
        errors.push(error);
        return None;
    }
    match value {
        None if required => {
            errors.push(FieldError::new(
                field,
                "required",
                format!("{field} is required"),
            ));
            None
        }
        Some(v) if v.chars().count() > MAX_TEXT => {
            errors.push(FieldError::new(
                field,
                "length",
                format!("{field} must be at most {MAX_TEXT} characters"),
            ));
            None
        }
        other => other.map(str::to_owned),
    }
}

pub(crate) fn db(error: diesel::result::Error) -> RecordError {
    RecordError::Db(techx_db::DbError::from(error))
}

pub(crate) fn stored<T: std::str::FromStr>(value: &str) -> Result<T, RecordError> {
    techx_catalogue::records::stored(value)
}

pub(crate) fn utc(at: NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    at.and_utc()
}

/// The record a stored row is about.
pub(crate) fn stored_record(entity: &str, id: i64) -> Result<RecordRef, RecordError> {
    Ok(RecordRef::new(stored_entity(entity)?, id))
}

pub(crate) fn stored_entity(value: &str) -> Result<RecordKind, RecordError> {
    value
        .parse()
        .map_err(|error: techx_core::kind::UnknownKind| RecordError::Corrupt(error.to_string()))
}

impl Brokerage {
    pub fn new(db: Db) -> Self {
        Brokerage { db }
    }
}

/// The person acting and the verified organization they act for (`chosen`, or their first
/// verified one).
pub(crate) fn verified_organization(
    actor: &Actor,
    chosen: Option<i64>,
    refusal: &'static str,
) -> Result<(i64, i64), RecordError> {
    let Some(author) = actor.user_id() else {
        return Err(RecordError::Forbidden(
            "this is done by people signed in, not API keys",
        ));
    };
    let verified: Vec<i64> = actor
        .memberships
        .iter()
        .filter(|m| m.verified)
        .map(|m| m.organization_id.0)
        .collect();
    let organization = match chosen {
        Some(id) if verified.contains(&id) => id,
        Some(_) => {
            return Err(RecordError::invalid(
                "organization_id",
                "not_allowed",
                "you are not a member of that verified organization",
            ));
        }
        None => *verified.first().ok_or(RecordError::Forbidden(refusal))?,
    };
    Ok((author.0, organization))
}
