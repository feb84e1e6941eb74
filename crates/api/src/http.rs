//! Small HTTP helpers shared by the handlers: ETags, `If-Match`, `201 Created`.

use crate::error::ApiError;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use techx_core::ErrorCode;
use techx_core::bounds::Field;

/// The strong ETag of a record version: `"3"`.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// `If-Match`: no ETag of ours is longer, so a longer value is refused like any other value
/// that names no version.
pub const IF_MATCH: Field = Field::text("If-Match", 0, 64);

/// The version named by `If-Match`, or None when the header is absent or `*`. A value that is
/// not one of our ETags can never match, so it is refused as stale (412).
pub fn if_match(req: &HttpRequest) -> Result<Option<i32>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let stale = || {
        ApiError::new(
            ErrorCode::PreconditionFailed,
            "If-Match does not name a version of this record",
        )
    };
    let value = value.to_str().map_err(|_| stale())?;
    if value.len() > IF_MATCH.max() {
        return Err(stale());
    }
    let value = value.trim();
    if value == "*" {
        return Ok(None);
    }
    let value = value.strip_prefix("W/").unwrap_or(value);
    value
        .trim_matches('"')
        .parse::<i32>()
        .map(Some)
        .map_err(|_| stale())
}

/// `200 OK` with the record and its ETag.
pub fn ok_with_etag<T: Serialize>(body: &T, version: i32) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

/// `201 Created` with a `Location` header.
pub fn created<T: Serialize>(location: String, body: &T) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(body)
}
