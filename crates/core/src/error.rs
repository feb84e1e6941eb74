//! The small set of error codes every crate maps its errors to. Only the api crate knows which
//! HTTP status each code becomes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Machine-readable error code carried in every error body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request is malformed or fails validation (400).
    InvalidInput,
    /// No valid credentials were presented (401).
    Unauthenticated,
    /// The caller is known but may not do this (403).
    Forbidden,
    /// The resource does not exist or the caller may not see it (404).
    NotFound,
    /// The path exists but not with this method; `Allow` lists the methods it takes (405).
    MethodNotAllowed,
    /// The action conflicts with the current state: illegal transition, duplicate (409).
    Conflict,
    /// A stale `If-Match` version (412).
    PreconditionFailed,
    /// The request body is too large (413).
    PayloadTooLarge,
    /// Too many attempts; retry later (429).
    RateLimited,
    /// A dependency such as the database is unavailable (503).
    Unavailable,
    /// An unexpected failure; the cause is in the server log only (500).
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Conflict => "conflict",
            ErrorCode::PreconditionFailed => "precondition_failed",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
        }
    }
}

/// One problem with one field of the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    /// The JSON name of the field, dotted for nested fields (`organization.name`).
    pub field: String,
    /// What is wrong: `required`, `length`, `format`, `range`, `unknown_code`, `taken`, …
    pub code: String,
    /// A human-readable explanation.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// The message of a validation failure: the first problem, and how many more there are.
pub fn summarize(errors: &[FieldError]) -> String {
    match errors {
        [] => "invalid input".to_owned(),
        [only] => only.message.clone(),
        [first, rest @ ..] => format!("{} (and {} more problems)", first.message, rest.len()),
    }
}

/// Implemented by every crate's error type so the api crate can map it to one response shape.
pub trait HasErrorCode {
    fn error_code(&self) -> ErrorCode;
    /// Per-field problems, when the error is a validation failure.
    fn field_errors(&self) -> &[FieldError] {
        &[]
    }
    /// Seconds to wait before trying again, when the error is a refusal for now.
    fn retry_after(&self) -> Option<u64> {
        None
    }
}

/// Collects field errors so a form reports every problem at once rather than the first.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    /// Keep the value when `result` is Ok, record the error and return None otherwise.
    pub fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.errors.push(error);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Ok when nothing was recorded, else every recorded error.
    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}
