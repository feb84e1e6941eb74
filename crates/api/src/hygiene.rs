//! Text hygiene, before any handler runs: a control character (NUL, escape, DEL, …) in a query
//! string, a path or a JSON body is refused with `400 invalid_input` naming where it is, so that
//! nothing reaches a record, a log line or the database (PostgreSQL cannot store NUL at all).
//! Long texts keep tab, line feed and carriage return; query strings and paths take none.
//! Imported files are checked row by row by the same validators that check forms.
//!
//! The same pass reads a whole number written with a fraction (`42.0`) as the integer it is:
//! JSON Schema counts `42.0` as an integer, so a client may send it where the document says
//! `integer`, and the typed extractors would otherwise refuse it.

use crate::JSON_LIMIT;
use crate::error::ApiError;
use actix_web::HttpMessage;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use futures_util::StreamExt;
use serde_json::Value;
use techx_core::validate::forbidden_in_text;
use techx_core::{ErrorCode, FieldError};

/// Most problems one answer lists.
const MAX_REPORTED: usize = 20;

fn problem(field: &str, place: &str) -> FieldError {
    FieldError::new(
        field,
        "control_character",
        format!("{field} must not contain control characters ({place})"),
    )
}

fn refusal(details: Vec<FieldError>) -> ApiError {
    let message = techx_core::error::summarize(&details);
    ApiError {
        details,
        ..ApiError::invalid(message)
    }
}

/// Problems of a query string: every control character is refused in names and values.
fn query_problems(query: &str) -> Vec<FieldError> {
    // A malformed query string is the extractor's to explain.
    let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(query) else {
        return Vec::new();
    };
    pairs
        .iter()
        .filter(|(name, value)| name.chars().chain(value.chars()).any(char::is_control))
        .take(MAX_REPORTED)
        .map(|(name, _)| problem(name, "query string"))
        .collect()
}

/// Whether a raw (percent-encoded) path decodes to a control character.
fn path_has_control(path: &str) -> bool {
    percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .chars()
        .any(char::is_control)
}

/// Every string (and object key) of a JSON value holding a forbidden character, by its path
/// (`ip_assets[0].number`).
fn json_problems(value: &Value, path: &mut String, out: &mut Vec<FieldError>) {
    if out.len() >= MAX_REPORTED {
        return;
    }
    match value {
        Value::String(text) if text.chars().any(forbidden_in_text) => {
            let field = if path.is_empty() { "body" } else { path };
            out.push(problem(field, "body"));
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let length = path.len();
                path.push_str(&format!("[{index}]"));
                json_problems(item, path, out);
                path.truncate(length);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                let length = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                if key.chars().any(forbidden_in_text) {
                    out.push(problem(path, "body"));
                }
                json_problems(item, path, out);
                path.truncate(length);
            }
        }
        _ => {}
    }
}

/// Largest magnitude below which every whole `f64` is exactly an integer (2^53).
const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;

/// Rewrite every whole number spelled with a fraction (`42.0`) as an integer; whether any was.
fn whole_numbers(value: &mut Value) -> bool {
    match value {
        Value::Number(number) if number.is_f64() => {
            let Some(float) = number.as_f64() else {
                return false;
            };
            if float.fract() == 0.0 && float.abs() <= EXACT_INTEGERS {
                // Exact: the magnitude is at most 2^53.
                *value = Value::from(float as i64);
                return true;
            }
            false
        }
        Value::Array(items) => {
            // Every item is rewritten: no short circuit.
            let mut changed = false;
            for item in items {
                changed |= whole_numbers(item);
            }
            changed
        }
        Value::Object(fields) => {
            let mut changed = false;
            for item in fields.values_mut() {
                changed |= whole_numbers(item);
            }
            changed
        }
        _ => false,
    }
}

fn is_json(req: &ServiceRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "application/json" || v.ends_with("+json"))
}

/// Read a JSON body whole (it is capped at [`JSON_LIMIT`] anyway), or refuse it as too large.
async fn read_body(payload: &mut Payload) -> Result<Bytes, ApiError> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::invalid(format!("cannot read the body: {e}")))?;
        if body.len() + chunk.len() > JSON_LIMIT {
            return Err(ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("the request body is larger than {JSON_LIMIT} bytes"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(body))
}

async fn check(req: &mut ServiceRequest) -> Result<(), ApiError> {
    if path_has_control(req.path()) {
        return Err(refusal(vec![problem("path", "path")]));
    }
    let problems = query_problems(req.query_string());
    if !problems.is_empty() {
        return Err(refusal(problems));
    }
    let has_body = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if has_body && is_json(req) {
        let mut payload = req.take_payload();
        let mut body = read_body(&mut payload).await?;
        if let Ok(mut value) = serde_json::from_slice::<Value>(&body) {
            let mut problems = Vec::new();
            json_problems(&value, &mut String::new(), &mut problems);
            if !problems.is_empty() {
                return Err(refusal(problems));
            }
            if whole_numbers(&mut value)
                && let Ok(rewritten) = serde_json::to_vec(&value)
            {
                body = Bytes::from(rewritten);
            }
        }
        req.set_payload(Payload::from(body));
    }
    Ok(())
}

/// The middleware: refuse the request, or pass it on with its body intact.
pub async fn refuse_control_characters(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if let Err(error) = check(&mut req).await {
        let response = actix_web::ResponseError::error_response(&error);
        return Ok(req.into_response(response).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_nul_anywhere_in_a_body_is_named_by_its_path() {
        let body = json!({"title": "ok", "ip_assets": [{"number": "1"}, {"number": "a\u{0}b"}],
            "summary": "lines\nand\ttabs\r\n"});
        let mut problems = Vec::new();
        json_problems(&body, &mut String::new(), &mut problems);
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, vec!["ip_assets[1].number"]);
    }

    #[test]
    fn whole_numbers_written_with_a_fraction_are_integers() {
        let mut body = json!({"organization_id": 7.0, "threshold": 0.75, "ids": [1.0, 2],
            "huge": 1e300, "nested": {"n": -3.0}});
        assert!(whole_numbers(&mut body));
        assert_eq!(
            body,
            json!({"organization_id": 7, "threshold": 0.75, "ids": [1, 2], "huge": 1e300,
                "nested": {"n": -3}})
        );
        let mut plain = json!({"a": 1, "b": "1.0"});
        assert!(!whole_numbers(&mut plain));
    }

    #[test]
    fn query_strings_take_no_control_character_at_all() {
        assert!(query_problems("q=nuoc%20thai&limit=5").is_empty());
        let problems = query_problems("q=a%00b&kind=listing");
        assert_eq!(problems[0].field, "q");
        assert_eq!(query_problems("q=tab%09here")[0].field, "q");
        assert!(path_has_control("/api/v1/taxonomies/%00"));
        assert!(!path_has_control("/api/v1/taxonomies/sci_field"));
    }
}
