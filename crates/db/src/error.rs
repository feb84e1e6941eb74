use techx_core::{ErrorCode, HasErrorCode};

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "unsupported database url scheme `{0}`: use sqlite://PATH, a file path, or postgres://"
    )]
    UnsupportedScheme(String),
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("cannot prepare the database: {0}")]
    Setup(String),
    #[error("no database connection available: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("blocking task failed: {0}")]
    Task(String),
}

impl DbError {
    /// True when the error is a violated unique constraint (a duplicate).
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            DbError::Query(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _
            ))
        )
    }
}

impl HasErrorCode for DbError {
    fn error_code(&self) -> ErrorCode {
        match self {
            DbError::Pool(_) | DbError::Connect(_) => ErrorCode::Unavailable,
            DbError::Query(diesel::result::Error::NotFound) => ErrorCode::NotFound,
            _ if self.is_unique_violation() => ErrorCode::Conflict,
            _ => ErrorCode::Internal,
        }
    }
}
