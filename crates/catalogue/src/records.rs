//! Machinery shared by listings and requests: their error type and bounds here, and in parts
//! (re-exported, so every item is `records::…`): `fields` (field rules both have), `access`
//! (visibility, tiers, edit rights, paging), `history` (lifecycle steps and the history), `sort`
//! and `csv_fields`.

use std::str::FromStr;
use techx_accounts::AccountsError;
use techx_core::bounds::{Field, common};
use techx_core::{ErrorCode, FieldError, HasErrorCode};
use techx_db::DbError;

mod access;
pub mod csv_fields;
mod fields;
mod history;
mod sort;

pub use access::*;
pub use fields::*;
pub use history::*;
pub use sort::*;

pub const MAX_KEYWORDS: usize = common::KEYWORDS.max();
pub const MAX_KEYWORD_LEN: usize = common::KEYWORD.max();
pub const MAX_SCI_FIELDS: usize = common::SCI_FIELDS.max();
pub const MAX_CODES: usize = common::CODES.max();
/// The note of a lifecycle step.
pub const STEP_NOTE: Field = Field::text("note", 0, 2000);

/// Errors of listings and requests.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("{}", techx_core::error::summarize(.0))]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("the record has changed since it was read: its version is now {current}")]
    StaleVersion { current: i32 },
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("stored value is not valid: {0}")]
    Corrupt(String),
}

impl RecordError {
    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> Self {
        RecordError::Invalid(vec![FieldError::new(field, code, message)])
    }

    /// The problems found in a form, if there are any, as its error.
    pub fn invalid_if_any(errors: Vec<FieldError>) -> Result<(), RecordError> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(RecordError::Invalid(errors))
        }
    }
}

impl From<diesel::result::Error> for RecordError {
    fn from(error: diesel::result::Error) -> Self {
        RecordError::Db(DbError::Query(error))
    }
}

impl From<AccountsError> for RecordError {
    fn from(error: AccountsError) -> Self {
        match error {
            AccountsError::Invalid(errors) => RecordError::Invalid(errors),
            AccountsError::Forbidden(message) => RecordError::Forbidden(message),
            AccountsError::NotFound(what) => RecordError::NotFound(what),
            AccountsError::Conflict(message) => RecordError::Conflict(message),
            AccountsError::Db(error) => RecordError::Db(error),
            other => RecordError::Corrupt(other.to_string()),
        }
    }
}

impl HasErrorCode for RecordError {
    fn error_code(&self) -> ErrorCode {
        match self {
            RecordError::Invalid(_) => ErrorCode::InvalidInput,
            RecordError::Forbidden(_) => ErrorCode::Forbidden,
            RecordError::NotFound(_) => ErrorCode::NotFound,
            RecordError::Conflict(_) => ErrorCode::Conflict,
            RecordError::StaleVersion { .. } => ErrorCode::PreconditionFailed,
            RecordError::Db(error) => error.error_code(),
            RecordError::Corrupt(_) => ErrorCode::Internal,
        }
    }

    fn field_errors(&self) -> &[FieldError] {
        match self {
            RecordError::Invalid(errors) => errors,
            _ => &[],
        }
    }
}

/// A stored code that must parse.
pub fn stored<T: FromStr>(value: &str) -> Result<T, RecordError> {
    value
        .parse()
        .map_err(|_| RecordError::Corrupt(format!("unexpected code `{value}`")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use techx_core::error::Validator;

    #[test]
    fn diff_names_only_the_changed_fields() {
        let before = json!({"title": "A", "trl": 3, "keywords": ["x"]});
        let after = json!({"title": "B", "trl": 3, "keywords": ["x", "y"], "details": "d"});
        let changes = diff(&before, &after);
        assert_eq!(changes["title"], json!({"from": "A", "to": "B"}));
        assert_eq!(changes["keywords"]["to"], json!(["x", "y"]));
        assert_eq!(changes["details"], json!({"from": null, "to": "d"}));
        assert!(changes.get("trl").is_none());
    }

    #[test]
    fn keywords_are_trimmed_and_deduplicated_ignoring_case() {
        let mut validator = Validator::new();
        let kept = parse_keywords(
            &mut validator,
            "keywords",
            &[" IoT ".into(), "iot".into(), "".into(), "nước thải".into()],
        );
        assert_eq!(kept, vec!["IoT".to_owned(), "nước thải".to_owned()]);
        assert!(validator.is_empty());
    }

    #[test]
    fn a_money_range_must_be_ordered_and_positive() {
        let mut validator = Validator::new();
        check_money_range(
            &mut validator,
            "price_min_vnd",
            Some(10),
            "price_max_vnd",
            Some(5),
        );
        check_money_range(
            &mut validator,
            "price_min_vnd",
            Some(-1),
            "price_max_vnd",
            None,
        );
        let errors = validator.finish().unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].field, "price_max_vnd");
        assert_eq!(errors[1].field, "price_min_vnd");
    }

    #[test]
    fn sort_parses_keys_and_direction() {
        assert_eq!(Sort::parse(None).unwrap(), Sort::default());
        assert_eq!(
            Sort::parse(Some("-title")).unwrap(),
            Sort {
                key: SortKey::Title,
                descending: true
            }
        );
        assert_eq!(
            Sort::parse(Some("published_at")).unwrap(),
            Sort {
                key: SortKey::PublishedAt,
                descending: false
            }
        );
        assert!(Sort::parse(Some("price")).is_err());
    }
}
