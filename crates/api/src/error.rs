//! The one error body. Every error, from our services or from actix itself (bad JSON, bad query
//! strings, bad paths, unknown routes, oversized bodies), answers in this shape. Internal causes
//! are logged once here and never sent to the client.

use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;
use std::fmt;
use techx_core::{ErrorCode, FieldError, HasErrorCode};
use utoipa::ToSchema;

/// The error body of every failed request.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"code": "invalid_input", "message": "name must be 2 to 300 characters",
    "details": [{"field": "name", "code": "length", "message": "name must be 2 to 300 characters"}]}))]
pub struct ErrorBody {
    /// Machine-readable code; see the table in the API description.
    pub code: ErrorCode,
    /// Human-readable explanation.
    pub message: String,
    /// One entry per invalid field, for `invalid_input`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<FieldError>,
}

/// An error on its way to becoming a response.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub details: Vec<FieldError>,
    /// Seconds for `Retry-After` on 429.
    pub retry_after: Option<u64>,
}

pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::InvalidInput => StatusCode::BAD_REQUEST,
        ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::Conflict => StatusCode::CONFLICT,
        ErrorCode::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
        ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn code_of(status: StatusCode) -> ErrorCode {
    match status.as_u16() {
        401 => ErrorCode::Unauthenticated,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        409 => ErrorCode::Conflict,
        412 => ErrorCode::PreconditionFailed,
        413 => ErrorCode::PayloadTooLarge,
        429 => ErrorCode::RateLimited,
        503 => ErrorCode::Unavailable,
        400..=499 => ErrorCode::InvalidInput,
        _ => ErrorCode::Internal,
    }
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after: None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::InvalidInput, message)
    }

    /// Map a domain error; an internal cause is logged here, once, and hidden from the client.
    fn from_domain(error: &(impl HasErrorCode + fmt::Display)) -> Self {
        let code = error.error_code();
        if matches!(code, ErrorCode::Internal | ErrorCode::Unavailable) {
            tracing::error!(error = %error, "request failed");
        }
        let message = match code {
            ErrorCode::Internal => INTERNAL.to_owned(),
            ErrorCode::Unavailable => "the service is temporarily unavailable".to_owned(),
            _ => error.to_string(),
        };
        ApiError {
            code,
            message,
            details: error.field_errors().to_vec(),
            retry_after: error.retry_after(),
        }
    }

    /// A fault of ours: `cause` goes to the log, the client reads the opaque message.
    pub fn internal(cause: impl fmt::Display) -> Self {
        tracing::error!(error = %cause, "request failed");
        ApiError::new(ErrorCode::Internal, INTERNAL)
    }
}

/// What a client reads of a fault of ours; the cause is in the server log.
const INTERNAL: &str = "internal error";

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        status_of(self.code)
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        if let Some(seconds) = self.retry_after {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        if self.code == ErrorCode::Unauthenticated {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        response.json(ErrorBody {
            code: self.code,
            message: self.message.clone(),
            details: self.details.clone(),
        })
    }
}

/// Every domain error (accounts, records, storage, search…) becomes the one error body through
/// its code; an internal cause is logged once, in [`ApiError::from_domain`].
impl<E: HasErrorCode + fmt::Display> From<E> for ApiError {
    fn from(error: E) -> Self {
        ApiError::from_domain(&error)
    }
}

/// Errors of actix's JSON extractor: 413 when too large, else 400 with serde's explanation.
pub fn json_error(
    error: actix_web::error::JsonPayloadError,
    _req: &HttpRequest,
) -> actix_web::Error {
    use actix_web::error::JsonPayloadError;
    let api_error = match &error {
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("the request body is larger than {limit} bytes"),
        ),
        JsonPayloadError::ContentType => {
            ApiError::invalid("the request body must be JSON (Content-Type: application/json)")
        }
        JsonPayloadError::Deserialize(cause) => {
            ApiError::invalid(format!("invalid JSON body: {cause}"))
        }
        other => ApiError::invalid(format!("invalid JSON body: {other}")),
    };
    api_error.into()
}

/// Errors of actix's path extractor (`/organizations/abc`): each path parameter that is not a
/// positive whole number where one is expected is named in `details`.
pub fn path_error(error: actix_web::error::PathError, req: &HttpRequest) -> actix_web::Error {
    let details: Vec<FieldError> = req
        .match_info()
        .iter()
        .filter(|(name, value)| {
            crate::contract::is_id_parameter(name) && !value.parse::<i64>().is_ok_and(|v| v > 0)
        })
        .map(|(name, _)| {
            FieldError::new(
                name,
                "format",
                format!("{name} must be a whole number from 1 to {}", i64::MAX),
            )
        })
        .collect();
    let message = match details.first() {
        Some(first) => first.message.clone(),
        None => {
            tracing::debug!(%error, "path parameter refused");
            "invalid path parameter".to_owned()
        }
    };
    ApiError {
        details,
        ..ApiError::invalid(message)
    }
    .into()
}

/// Errors of raw body extraction (size limit on non-JSON bodies).
pub fn payload_error(error: actix_web::error::PayloadError) -> ApiError {
    match error {
        actix_web::error::PayloadError::Overflow => {
            ApiError::new(ErrorCode::PayloadTooLarge, "the request body is too large")
        }
        other => ApiError::invalid(format!("cannot read the request body: {other}")),
    }
}

/// Last line of defence, wrapped around the whole app: an error response that is not already
/// our JSON body (actix's own 404, 405, 413, …) gets the error body, keeping its headers.
pub fn rewrite_error_body<B>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if is_json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let code = code_of(status);
    let message = match status.as_u16() {
        404 => "no such resource".to_owned(),
        405 => "this method is not allowed on this resource".to_owned(),
        _ => status.canonical_reason().unwrap_or("error").to_lowercase(),
    };
    let (request, response) = res.into_parts();
    let mut rewritten = HttpResponse::build(status);
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rewritten.append_header((name.clone(), value.clone()));
        }
    }
    let rewritten: HttpResponse<BoxBody> = rewritten.json(ErrorBody {
        code,
        message,
        details: Vec::new(),
    });
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(request, rewritten).map_into_right_body(),
    ))
}
