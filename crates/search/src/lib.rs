//! Search for techx: tantivy analyzers that understand Vietnamese typed with or without
//! diacritics, the query builder, and the relevance harness that measures them.
//!
//! The catalogue index, its sync from the change log and the search API build on these parts.

pub mod analysis;
pub mod eval;
pub mod facets;
pub mod highlight;
pub mod query;
pub mod stats;

/// Errors of the search crate.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    #[error("database: {0}")]
    Database(String),
}

pub mod index;
pub mod indexer;

impl From<techx_db::DbError> for SearchError {
    fn from(error: techx_db::DbError) -> Self {
        SearchError::Database(error.to_string())
    }
}

impl From<techx_accounts::records::RecordError> for SearchError {
    fn from(error: techx_accounts::records::RecordError) -> Self {
        SearchError::Database(error.to_string())
    }
}

impl From<diesel::result::Error> for SearchError {
    fn from(error: diesel::result::Error) -> Self {
        SearchError::Database(error.to_string())
    }
}

impl From<std::io::Error> for SearchError {
    fn from(error: std::io::Error) -> Self {
        SearchError::Read {
            path: "search index".into(),
            message: error.to_string(),
        }
    }
}
