//! The query-string extractor: like actix's, but a value that does not parse is refused with a
//! `400 invalid_input` whose `details` name the parameter, in words a client developer reads
//! (no Rust type names).

use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use std::future::{Ready, ready};
use techx_core::FieldError;

/// A deserialized query string (`?limit=20&offset=0`).
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    /// The parsed parameters.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Serde's wording for what was expected, in a client's words.
fn plain(cause: &str) -> String {
    let mut text = cause.to_owned();
    for (rust, words) in [
        ("i64", "a whole number"),
        ("i32", "a whole number"),
        ("i16", "a whole number"),
        ("u64", "a whole number"),
        ("u32", "a whole number"),
        ("u16", "a whole number"),
        ("usize", "a whole number"),
        ("f64", "a number"),
        ("f32", "a number"),
        ("bool", "true or false"),
    ] {
        text = text.replace(&format!("a {rust}"), words);
        text = text.replace(&format!("an {rust}"), words);
        text = text.replace(rust, words);
    }
    text
}

/// Parse `query` as `T`, naming the parameter that does not fit.
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let field = error.path().to_string();
        let cause = plain(&error.inner().to_string());
        let (field, message) = if field.is_empty() || field == "." {
            // A missing parameter is reported by serde with its name in the message.
            ("query".to_owned(), format!("invalid query string: {cause}"))
        } else {
            (field.clone(), format!("{field}: {cause}"))
        };
        ApiError {
            details: vec![FieldError::new(&field, "invalid", message.clone())],
            ..ApiError::invalid(message)
        }
    })
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req.query_string()).map(Query))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Paging {
        limit: Option<i64>,
        strict: Option<bool>,
        q: String,
    }

    #[test]
    fn a_value_that_does_not_parse_is_named_in_plain_words() {
        let error = parse::<Paging>("q=x&limit=abc").unwrap_err();
        assert_eq!(error.details[0].field, "limit");
        assert!(!error.message.contains("i64"), "{}", error.message);
        let error = parse::<Paging>("q=x&strict=maybe").unwrap_err();
        assert_eq!(error.details[0].field, "strict");
        let error = parse::<Paging>("limit=1").unwrap_err();
        assert!(error.message.contains("q"), "{}", error.message);
        assert!(parse::<Paging>("q=x&limit=5").is_ok());
    }
}
