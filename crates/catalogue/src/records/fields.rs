//! Field rules both kinds of record have: keywords, code sets, fields of science, money,
//! TRL, the contact person; history diffs; export formats and import reports.

use super::{MAX_KEYWORD_LEN, MAX_KEYWORDS, MAX_SCI_FIELDS};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use techx_core::FieldError;
use techx_core::bounds::common;
use techx_core::codes::SciField;
use techx_core::error::Validator;
use techx_core::validate::{self, Email};
use utoipa::ToSchema;

/// Keywords: trimmed, blank ones dropped, duplicates (ignoring case) dropped, at most 20 of at
/// most 60 characters each.
pub fn parse_keywords(validator: &mut Validator, field: &str, keywords: &[String]) -> Vec<String> {
    // The bound is on what was sent (the schema's `maxItems`), before blanks and repeats go.
    if keywords.len() > MAX_KEYWORDS {
        validator.push(FieldError::new(
            field,
            "too_many",
            format!("at most {MAX_KEYWORDS} keywords"),
        ));
        return Vec::new();
    }
    let mut seen = BTreeSet::new();
    let mut kept = Vec::new();
    for (index, keyword) in keywords.iter().enumerate() {
        // An error names the keyword as sent: `keywords[3]`.
        let item = format!("{field}[{index}]");
        let keyword = keyword.trim();
        if keyword.is_empty() || !seen.insert(keyword.to_lowercase()) {
            continue;
        }
        if let Err(error) = validate::check_characters(&item, keyword) {
            validator.push(error);
            continue;
        }
        if keyword.chars().count() > MAX_KEYWORD_LEN {
            validator.push(FieldError::new(
                &item,
                "length",
                format!("each keyword must be at most {MAX_KEYWORD_LEN} characters"),
            ));
            continue;
        }
        kept.push(keyword.to_owned());
    }
    if kept.len() > MAX_KEYWORDS {
        validator.push(FieldError::new(
            field,
            "too_many",
            format!("at most {MAX_KEYWORDS} keywords"),
        ));
    }
    kept
}

/// A list of codes: duplicates dropped, sorted, at most `max`.
/// The stored rows of a record's codes of one list (`list`, code).
pub fn code_rows<'a, T: std::fmt::Display>(
    list: &'static str,
    codes: &'a [T],
) -> impl Iterator<Item = (&'static str, String)> + 'a {
    codes.iter().map(move |code| (list, code.to_string()))
}

pub fn parse_code_set<T: Ord + Copy>(
    validator: &mut Validator,
    field: &str,
    codes: &[T],
    max: usize,
) -> Vec<T> {
    let set: BTreeSet<T> = codes.iter().copied().collect();
    // The bound is on what was sent (the schema's `maxItems`), before repeats go.
    if codes.len() > max {
        validator.push(FieldError::new(
            field,
            "too_many",
            format!("at most {max} values"),
        ));
    }
    set.into_iter().collect()
}

/// `sci_fields`: at least one, at most ten.
pub fn parse_sci_fields(validator: &mut Validator, fields: &[SciField]) -> Vec<SciField> {
    let fields = parse_code_set(validator, "sci_fields", fields, MAX_SCI_FIELDS);
    if fields.is_empty() {
        validator.push(FieldError::new(
            "sci_fields",
            "required",
            "at least one field of science and technology is required",
        ));
    }
    fields
}

/// An amount of money (VND) is never negative. (A filter's bounds are checked one by one: an
/// inverted range is a filter that matches nothing, not an error.)
pub fn check_money(validator: &mut Validator, field: &str, value: Option<i64>) {
    if value.is_some_and(|v| !common::MONEY.contains(v)) {
        validator.push(FieldError::new(
            field,
            "range",
            format!("{field} must not be negative"),
        ));
    }
}

/// Amounts in VND: not negative, and min ≤ max when both are given.
pub fn check_money_range(
    validator: &mut Validator,
    min_field: &str,
    min: Option<i64>,
    max_field: &str,
    max: Option<i64>,
) {
    check_money(validator, min_field, min);
    check_money(validator, max_field, max);
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        validator.push(FieldError::new(
            max_field,
            "range",
            format!("{min_field} must not exceed {max_field}"),
        ));
    }
}

/// A TRL: 1 to 9 ([`common::TRL`]).
pub fn check_trl(validator: &mut Validator, field: &str, trl: Option<i32>) {
    if let Err(error) = common::TRL.check_whole_as(field, trl.map(i64::from)) {
        validator.push(error);
    }
}

/// The contact person (registered tier).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

pub fn parse_contact(
    validator: &mut Validator,
    name: Option<&str>,
    email: Option<&str>,
    phone: Option<&str>,
) -> Contact {
    let name = validator
        .check(common::CONTACT_NAME.optional_text(name))
        .flatten();
    let email = match email.map(str::trim).filter(|e| !e.is_empty()) {
        Some(email) => validator
            .check(Email::parse("contact_email", email))
            .map(Email::into_inner),
        None => None,
    };
    let phone = validator
        .check(common::CONTACT_PHONE.optional_text(phone))
        .flatten();
    if let Some(phone) = &phone
        && !phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-.()".contains(c))
    {
        validator.push(FieldError::new(
            "contact_phone",
            "format",
            "contact_phone may hold digits, spaces and + - . ( ) only",
        ));
    }
    Contact { name, email, phone }
}

/// The field-by-field difference of two JSON objects: `{field: {"from": …, "to": …}}`.
pub fn diff(before: &Value, after: &Value) -> Value {
    let empty = Map::new();
    let before = before.as_object().unwrap_or(&empty);
    let after = after.as_object().unwrap_or(&empty);
    let mut changes = Map::new();
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for key in keys {
        let old = before.get(key).unwrap_or(&Value::Null);
        let new = after.get(key).unwrap_or(&Value::Null);
        if old != new {
            let mut change = Map::new();
            change.insert("from".into(), old.clone());
            change.insert("to".into(), new.clone());
            changes.insert(key.clone(), Value::Object(change));
        }
    }
    Value::Object(changes)
}

/// The contact person of a record (registered tier).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ContactView {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// Export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// UTF-8 CSV with a header row; list fields separated by `;`.
    #[default]
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// The outcome of an import: every row was created, as drafts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    /// Rows read and created.
    pub imported: usize,
    /// Ids of the created records, in file order.
    pub ids: Vec<i64>,
}

/// Field errors of an import row, renamed `rows[N].field`.
pub fn prefixed(errors: Vec<FieldError>, row: usize) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| FieldError {
            field: format!("rows[{row}].{}", e.field),
            ..e
        })
        .collect()
}
