//! Rules every operation of the OpenAPI document follows, applied once to the document the
//! routes produce, so that an operation added later follows them without being told:
//!
//! - `servers` names the server that serves the document (relative, so it is right behind any
//!   host name or proxy);
//! - every operation declares `security`: the bearer scheme, or an empty list for a public one;
//! - every operation declares `400` in the error body: any request can be refused before its
//!   handler runs (a control character in the path, the query string or the body, a parameter
//!   that does not parse);
//! - every id in a path is a whole number from 1 (what the path extractor refuses otherwise);
//! - every free string says which characters it takes (`pattern`): the validators' rule of one
//!   line or long text (`core::validate::LONG_TEXTS`), comma-separated code filters the codes of
//!   their list, `sort` and `facets` their names, `Idempotency-Key` visible ASCII;
//! - rules between fields that the derive macros cannot state are written here as JSON Schema
//!   conditions (a match answer: a reason with `decline`, none with `accept`; a tax code).

use serde_json::{Value, json};
use std::collections::BTreeSet;
use techx_accounts::records::Sort;
use techx_core::codes::{CooperationType, IpType, OrgType, Province, SciField, TransferForm};
use techx_core::validate::{Email, LINE_PATTERN, TEXT_PATTERN, is_long_text};
use techx_search::facets::Facet;
use utoipa::openapi::OpenApi as OpenApiDocument;

/// Whether a path parameter is an id (a whole number from 1).
pub fn is_id_parameter(name: &str) -> bool {
    name == "id" || name.ends_with("_id")
}

/// Whitespace that `str::trim` takes off, but the control characters (refused anyway).
const SPACE: &str = "[ \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]";

fn alternatives<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.into_iter().map(|n| n.replace('.', "\\.")).collect();
    format!("(?:{})", names.join("|"))
}

/// A comma-separated list of `names`, each trimmed, empty items ignored (as the server splits it).
fn list_pattern<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let item = format!("{SPACE}*(?:{}{SPACE}*)?", alternatives(names));
    format!("^{item}(?:,{item})*$")
}

/// The pattern of a query parameter that is a plain string, by its name.
fn query_pattern(name: &str) -> String {
    let codes = |list: &[&'static str]| list_pattern(list.iter().copied());
    match name {
        "sci_field" => codes(&SciField::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>()),
        "province" => codes(&Province::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>()),
        "org_type" => codes(&OrgType::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>()),
        "ip_type" => codes(&IpType::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>()),
        "cooperation_type" => codes(
            &CooperationType::ALL
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>(),
        ),
        "transfer_form" => codes(
            &TransferForm::ALL
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>(),
        ),
        "facets" => codes(&Facet::ALL.iter().map(|f| f.name()).collect::<Vec<_>>()),
        "sort" => format!(
            "^{SPACE}*(?:-?{})?{SPACE}*$",
            alternatives(Sort::KEYS.iter().map(|(name, _)| *name))
        ),
        _ => LINE_PATTERN.to_owned(),
    }
}

fn is_plain_string(schema: &Value) -> bool {
    let string = match &schema["type"] {
        Value::String(t) => t == "string",
        Value::Array(types) => types.iter().any(|t| t == "string"),
        _ => false,
    };
    string
        && schema.get("enum").is_none()
        && schema.get("format").is_none()
        && schema.get("pattern").is_none()
}

/// Give every plain string of `schema` (a property called `name`) its characters.
fn add_patterns(schema: &mut Value, name: Option<&str>) {
    if is_plain_string(schema) {
        let pattern = match name {
            Some("email") => Email::PATTERN.to_owned(),
            // Optional contact details: blank is none.
            Some("contact_email") => format!("^{SPACE}*$|{}", Email::PATTERN),
            Some("contact_phone") => format!("^{SPACE}*[0-9 +\\-.()]*{SPACE}*$"),
            Some(field) if is_long_text(field) => TEXT_PATTERN.to_owned(),
            _ => LINE_PATTERN.to_owned(),
        };
        schema["pattern"] = json!(pattern);
    }
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for (property, inner) in properties.iter_mut() {
            if property == "keywords" {
                // Each keyword has the length the keyword parser allows.
                if let Some(items) = inner.get_mut("items") {
                    items["maxLength"] = json!(techx_accounts::records::MAX_KEYWORD_LEN);
                }
            }
            add_patterns(inner, Some(property));
        }
    }
    if let Some(items) = schema.get_mut("items") {
        add_patterns(items, name);
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for inner in schema
            .get_mut(key)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            add_patterns(inner, name);
        }
    }
}

fn collect_refs(value: &Value, refs: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => refs.push(target.clone()),
                    _ => collect_refs(inner, refs),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, refs)),
        _ => {}
    }
}

/// Names of the schemas a request body can hold (directly or nested).
fn request_schemas(document: &Value) -> BTreeSet<String> {
    let mut pending = Vec::new();
    for item in document["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            collect_refs(&item.1[method]["requestBody"], &mut pending);
        }
    }
    let mut seen = BTreeSet::new();
    while let Some(reference) = pending.pop() {
        let Some(name) = reference.strip_prefix("#/components/schemas/") else {
            continue;
        };
        if seen.insert(name.to_owned()) {
            collect_refs(&document["components"]["schemas"][name], &mut pending);
        }
    }
    seen
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn bad_request() -> Value {
    json!({
        "description": "Invalid input: a path or query parameter or the body does not parse or \
    fails validation, or holds a control character; `details` names each field",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    })
}

fn finish_operation(operation: &mut serde_json::Map<String, Value>) {
    operation
        .entry("security")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    {
        responses.entry("400").or_insert_with(bad_request);
    }
    for parameter in operation
        .get_mut("parameters")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        let name = parameter["name"].as_str().unwrap_or_default().to_owned();
        let place = parameter["in"].as_str().unwrap_or_default().to_owned();
        let Some(schema) = parameter.get_mut("schema") else {
            continue;
        };
        if place == "path" && is_id_parameter(&name) {
            schema["minimum"] = json!(1);
        }
        if place == "query" && name == "sort" && is_plain_string(schema) {
            schema["maxLength"] = json!(Sort::MAX_LEN);
        }
        if !is_plain_string(schema) {
            continue;
        }
        match place.as_str() {
            "query" => schema["pattern"] = json!(query_pattern(&name)),
            "path" => schema["pattern"] = json!(LINE_PATTERN),
            "header" if name.eq_ignore_ascii_case("idempotency-key") => {
                schema["pattern"] =
                    json!(format!("^[!-~]{{1,{}}}$", crate::idempotency::MAX_KEY_LEN));
            }
            _ => {}
        }
    }
}

/// Rules between the fields of one schema, as `if`/`then`/`else`.
fn add_conditions(schemas: &mut Value) {
    if let Some(answer) = schemas.get_mut("AnswerForm") {
        answer["anyOf"] = json!([
            {"properties": {"answer": {"const": "accept"}, "reason": {"type": "null"}}},
            {"properties": {"answer": {"const": "decline"},
                            "reason": {"$ref": "#/components/schemas/DeclineReason"}},
             "required": ["reason"]}
        ]);
    }
    // A tax code: 10 digits, or 10 digits, a hyphen and 3 digits (blank: none).
    for form in ["OrganizationForm", "OrganizationPatch"] {
        if let Some(tax_code) = schemas
            .get_mut(form)
            .and_then(|f| f["properties"].get_mut("tax_code"))
        {
            tax_code["pattern"] = json!(format!(
                "^{SPACE}*(?:[0-9]{{10}}(?:-[0-9]{{3}})?)?{SPACE}*$"
            ));
        }
    }
}

/// `document` with the rules above applied.
pub fn finish(document: OpenApiDocument) -> OpenApiDocument {
    let Ok(mut value) = serde_json::to_value(&document) else {
        return document;
    };
    value["servers"] = json!([{"url": "/", "description": "The server that serves this document"}]);
    add_conditions(&mut value["components"]["schemas"]);
    for name in request_schemas(&value) {
        if let Some(schema) = value["components"]["schemas"].get_mut(&name) {
            add_patterns(schema, None);
        }
    }
    if let Some(paths) = value.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            for method in METHODS {
                if let Some(operation) = item.get_mut(method).and_then(Value::as_object_mut) {
                    finish_operation(operation);
                }
            }
        }
    }
    serde_json::from_value(value).unwrap_or(document)
}

#[cfg(test)]
mod tests {
    use super::*;
    use techx_core::validate::check_characters;

    /// Strings over `alphabet`, from a fixed seed: short ones exhaustively likely, long ones too.
    fn strings(alphabet: &[&str], count: usize, longest: usize) -> Vec<String> {
        let mut state: u64 = 0x2026_1202;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        (0..count)
            .map(|_| {
                let length = next() % (longest + 1);
                (0..length)
                    .map(|_| alphabet[next() % alphabet.len()])
                    .collect()
            })
            .collect()
    }

    fn regex(pattern: &str) -> regex::Regex {
        regex::Regex::new(pattern).unwrap()
    }

    #[test]
    fn the_text_patterns_take_what_the_validators_take() {
        let alphabet = [
            "a", "Ư", " ", "\t", "\n", "\r", "\u{0}", "\u{1b}", "\u{7f}", "\u{85}", "\u{3000}",
        ];
        let (line, text) = (regex(LINE_PATTERN), regex(TEXT_PATTERN));
        for value in strings(&alphabet, 5000, 6) {
            assert_eq!(
                line.is_match(&value),
                check_characters("title", &value).is_ok(),
                "{value:?}"
            );
            assert_eq!(
                text.is_match(&value),
                check_characters("summary", &value).is_ok(),
                "{value:?}"
            );
        }
    }

    #[test]
    fn the_email_pattern_takes_what_the_email_parser_takes() {
        let alphabet = [
            "a", "Đ", "@", ".", " ", "\u{3000}", "\t", "\u{1}", "x.y", "@b.vn",
        ];
        let pattern = regex(Email::PATTERN);
        for value in strings(&alphabet, 20_000, 9) {
            let documented = pattern.is_match(&value) && value.chars().count() <= Email::MAX_LEN;
            assert_eq!(
                documented,
                Email::parse("email", &value).is_ok(),
                "{value:?}"
            );
        }
        let long_local = format!("{}@b.vn", "a".repeat(65));
        assert!(!pattern.is_match(&long_local) && Email::parse("email", &long_local).is_err());
    }

    #[test]
    fn the_contact_patterns_take_what_the_contact_parser_takes() {
        let mut document = json!({"type": "object", "properties": {
            "contact_phone": {"type": "string"}, "contact_email": {"type": "string"}}});
        add_patterns(&mut document, None);
        let phone = regex(
            document["properties"]["contact_phone"]["pattern"]
                .as_str()
                .unwrap(),
        );
        let email = regex(
            document["properties"]["contact_email"]["pattern"]
                .as_str()
                .unwrap(),
        );
        let alphabet = [
            "0", "9", "+", "-", ".", "(", " ", "\u{3000}", "a", "@", "b.vn",
        ];
        for value in strings(&alphabet, 10_000, 8) {
            let mut validator = techx_core::error::Validator::new();
            techx_accounts::records::parse_contact(&mut validator, None, None, Some(&value));
            assert_eq!(
                phone.is_match(&value),
                validator.finish().is_ok(),
                "phone {value:?}"
            );
            let mut validator = techx_core::error::Validator::new();
            techx_accounts::records::parse_contact(&mut validator, None, Some(&value), None);
            let documented = email.is_match(&value) && value.chars().count() <= Email::MAX_LEN;
            assert_eq!(documented, validator.finish().is_ok(), "email {value:?}");
        }
    }

    #[test]
    fn the_list_and_sort_patterns_take_what_the_server_splits() {
        let alphabet = ["4", "2.7", "2", "7", ",", " ", "\u{3000}", "x", "."];
        let pattern = regex(&query_pattern("sci_field"));
        for value in strings(&alphabet, 20_000, 6) {
            let server = value
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .all(|c| c.parse::<SciField>().is_ok());
            assert_eq!(pattern.is_match(&value), server, "{value:?}");
        }
        let alphabet = ["-", "title", "updated_at", " ", "\u{a0}", "x"];
        let pattern = regex(&query_pattern("sort"));
        for value in strings(&alphabet, 5000, 4) {
            let documented = pattern.is_match(&value) && value.chars().count() <= Sort::MAX_LEN;
            assert_eq!(documented, Sort::parse(Some(&value)).is_ok(), "{value:?}");
        }
    }
}
