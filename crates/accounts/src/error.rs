use techx_core::{ErrorCode, FieldError, HasErrorCode};
use techx_db::DbError;

/// Errors of the accounts crate.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    #[error("{}", techx_core::error::summarize(.0))]
    Invalid(Vec<FieldError>),
    #[error("invalid email or password")]
    BadCredentials,
    #[error("{0}")]
    Unauthenticated(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("the record has changed since it was read: its version is now {current}")]
    StaleVersion { current: i32 },
    #[error("too many failed attempts, retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error("token signing failed: {0}")]
    Signing(String),
    #[error("stored value is not valid: {0}")]
    Corrupt(String),
}

impl AccountsError {
    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> Self {
        AccountsError::Invalid(vec![FieldError::new(field, code, message)])
    }
}

impl From<diesel::result::Error> for AccountsError {
    fn from(error: diesel::result::Error) -> Self {
        AccountsError::Db(DbError::Query(error))
    }
}

impl HasErrorCode for AccountsError {
    fn error_code(&self) -> ErrorCode {
        match self {
            AccountsError::Invalid(_) => ErrorCode::InvalidInput,
            AccountsError::BadCredentials | AccountsError::Unauthenticated(_) => {
                ErrorCode::Unauthenticated
            }
            AccountsError::Forbidden(_) => ErrorCode::Forbidden,
            AccountsError::NotFound(_) => ErrorCode::NotFound,
            AccountsError::Conflict(_) => ErrorCode::Conflict,
            AccountsError::StaleVersion { .. } => ErrorCode::PreconditionFailed,
            AccountsError::RateLimited { .. } => ErrorCode::RateLimited,
            AccountsError::Db(error) => error.error_code(),
            AccountsError::Hashing(_) | AccountsError::Signing(_) | AccountsError::Corrupt(_) => {
                ErrorCode::Internal
            }
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            AccountsError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }

    fn field_errors(&self) -> &[FieldError] {
        match self {
            AccountsError::Invalid(errors) => errors,
            _ => &[],
        }
    }
}
