//! Search for techx: tantivy analyzers that understand Vietnamese typed with or without
//! diacritics, the query builder, and the relevance harness that measures them.
//!
//! The catalogue index, its sync from the change log and the search API build on these parts.

pub mod analysis;
pub mod eval;
pub mod query;

/// Errors of the search crate.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
}
