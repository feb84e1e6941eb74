//! Search for techx: tantivy analyzers that understand Vietnamese typed with or without
//! diacritics, the query builder, and the relevance harness that measures them.
//!
//! The catalogue index, its sync from the change log and the search API build on these parts.

pub mod analysis;
pub mod bm25f;
pub mod eval;
pub mod facets;
pub mod filters;
pub mod highlight;
pub mod hits;
pub mod hybrid;
pub mod query;
pub mod service;
pub mod stats;
pub mod vectors;

/// Errors of the search crate.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    #[error(transparent)]
    Db(#[from] techx_db::DbError),
    #[error(transparent)]
    Record(#[from] techx_catalogue::records::RecordError),
    #[error("cannot encode a record for the index: {0}")]
    Encode(#[from] serde_json::Error),
    #[error(transparent)]
    Embed(#[from] techx_embed::EmbedError),
}

pub mod index;
pub mod indexer;

impl From<diesel::result::Error> for SearchError {
    fn from(error: diesel::result::Error) -> Self {
        SearchError::Db(error.into())
    }
}

impl techx_core::HasErrorCode for SearchError {
    fn error_code(&self) -> techx_core::ErrorCode {
        match self {
            SearchError::Db(error) => error.error_code(),
            SearchError::Record(error) => error.error_code(),
            SearchError::Index(_)
            | SearchError::Read { .. }
            | SearchError::Encode(_)
            | SearchError::Embed(_) => techx_core::ErrorCode::Internal,
        }
    }

    fn field_errors(&self) -> &[techx_core::FieldError] {
        match self {
            SearchError::Record(error) => error.field_errors(),
            _ => &[],
        }
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
