//! The rules of the document, checked: every declared bound names a property of its
//! schema, and every string or list a caller sends is bounded.

use super::*;

/// Every bound a form declares lands on a property of its schema, as the validators check
/// it: a misspelt field name or a schema that was renamed fails here.
#[test]
fn every_declared_bound_is_a_property_of_its_schema() {
    let document = crate::openapi();
    let schemas = &document["components"]["schemas"];
    let mut problems = Vec::new();
    for (name, fields) in bounded_schemas() {
        let Some(properties) = schemas[&name]["properties"].as_object() else {
            problems.push(format!("{name}: no such schema with properties"));
            continue;
        };
        for field in fields {
            match properties.get(field.name) {
                None => problems.push(format!("{name}.{}: no such property", field.name)),
                Some(property) => {
                    for (keyword, value) in field.keywords() {
                        if property[&keyword] != value {
                            problems.push(format!(
                                "{name}.{}: {keyword} is {} in the document, {value} in the validator",
                                field.name, property[&keyword]
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

fn is_a(schema: &Value, kind: &str) -> bool {
    match &schema["type"] {
        Value::String(t) => t == kind,
        Value::Array(types) => types.iter().any(|t| t == kind),
        _ => false,
    }
}

/// Whether a string is free text (not a code, a date or a fixed-format value).
fn is_free_string(schema: &Value) -> bool {
    is_a(schema, "string") && schema.get("enum").is_none() && schema.get("format").is_none()
}

fn unbounded(schema: &Value, at: &str, problems: &mut Vec<String>) {
    if is_free_string(schema) && schema.get("maxLength").is_none() {
        problems.push(format!("{at}: a string without maxLength"));
    }
    if is_a(schema, "array") && schema.get("maxItems").is_none() {
        problems.push(format!("{at}: an array without maxItems"));
    }
    for (property, inner) in schema["properties"].as_object().into_iter().flatten() {
        unbounded(inner, &format!("{at}.{property}"), problems);
    }
    if let Some(items) = schema.get("items") {
        unbounded(items, &format!("{at}[]"), problems);
    }
}

/// No size a caller controls is unchecked: every free string a request body or a query
/// parameter takes has its `maxLength`, every list its `maxItems` (the bounds test then
/// proves each is the server's).
#[test]
fn every_string_and_list_a_caller_sends_is_bounded_in_the_document() {
    let document = crate::openapi();
    let mut problems = Vec::new();
    for name in request_schemas(&document) {
        unbounded(
            &document["components"]["schemas"][&name],
            &name,
            &mut problems,
        );
    }
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            for parameter in item[method]["parameters"].as_array().into_iter().flatten() {
                let at = format!("{method} {path} {}", parameter["name"]);
                unbounded(&parameter["schema"], &at, &mut problems);
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
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
fn the_website_pattern_takes_what_the_url_check_takes() {
    let alphabet = [
        "http://", "https://", "h", "a.vn", "/", " ", "\u{a0}", "\t", "\u{1}", "\u{85}", ":",
    ];
    let pattern = regex(&WEBSITE_PATTERN);
    let mut accepted = 0;
    for value in strings(&alphabet, 20_000, 5) {
        let valid = techx_core::validate::optional_url("website", Some(&value), 200).is_ok();
        assert_eq!(pattern.is_match(&value), valid, "{value:?}");
        accepted += usize::from(valid);
    }
    assert!(accepted > 100, "only {accepted} accepted");
}

#[test]
fn the_required_text_patterns_take_what_the_required_validators_take() {
    let alphabet = [
        "a", "Ư", " ", "\t", "\n", "\r", "\u{0}", "\u{1b}", "\u{85}", "\u{3000}", "\u{2029}",
    ];
    for min in [1, 2, 3, 5] {
        let line = regex(&required_pattern(false, min));
        let text = regex(&required_pattern(true, min));
        let min = min as usize;
        for value in strings(&alphabet, 5000, 8) {
            let title = techx_core::validate::required_text("title", &value, min, 100);
            let summary = techx_core::validate::required_text("summary", &value, min, 100);
            assert_eq!(line.is_match(&value), title.is_ok(), "{min} {value:?}");
            assert_eq!(text.is_match(&value), summary.is_ok(), "{min} {value:?}");
        }
    }
    let mut schema = json!({"type": "string", "minLength": 20});
    add_patterns(&mut schema, Some("summary"));
    assert_eq!(schema["pattern"], json!(required_pattern(true, 20)));
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
        techx_catalogue::records::parse_contact(&mut validator, None, None, Some(&value));
        assert_eq!(
            phone.is_match(&value),
            validator.finish().is_ok(),
            "phone {value:?}"
        );
        let mut validator = techx_core::error::Validator::new();
        techx_catalogue::records::parse_contact(&mut validator, None, Some(&value), None);
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
