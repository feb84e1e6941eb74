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
//! - every bounded form states the bounds its validators check (`core::bounds::Bounded`): the
//!   same constants give the `maxLength`, `maxItems`, `minimum`… of its schema;
//! - every free string says which characters it takes (`pattern`): the validators' rule of one
//!   line or long text (`core::validate::LONG_TEXTS`), comma-separated code filters the codes of
//!   their list, `sort` and `facets` their names, `Idempotency-Key` visible ASCII;
//! - a named schema is referenced wherever it is used, never copied;
//! - rules between fields that the derive macros cannot state are written here as JSON Schema
//!   conditions (a match answer: a reason with `decline`, none with `accept`; a free listing: no
//!   price; a tax code and a website: their patterns).

use serde_json::{Value, json};
use std::collections::BTreeSet;
use techx_catalogue::records::Sort;
use techx_core::bounds::{Bounded, Field};
use techx_core::codes::{CooperationType, IpType, OrgType, Province, SciField, TransferForm};
use techx_core::validate::{Email, LINE_PATTERN, TEXT_PATTERN, is_long_text};
use techx_search::facets::Facet;
use utoipa::ToSchema;
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
        "province_code" => codes(&Province::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>()),
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

/// The inside of the `SPACE` class.
const SPACES: &str = " \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";

/// A control character, as a class body.
const CONTROLS: &str = "\\u0000-\\u001F\\u007F-\\u009F";
/// A control character but tab, line feed and carriage return.
const TEXT_CONTROLS: &str = "\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F";

/// What `validate::required_text` takes: at least `min` characters once trimmed (spaces alone
/// are no text), no control character (in a long text, tab and line breaks count as spaces).
/// The trimmed text runs from the first character that is not a space to the last one.
fn required_pattern(long: bool, min: u64) -> String {
    let (spaces, any) = if long {
        (
            format!("[{SPACES}\\t\\n\\r]"),
            format!("[^{TEXT_CONTROLS}]"),
        )
    } else {
        (format!("[{SPACES}]"), format!("[^{CONTROLS}]"))
    };
    let solid = format!("[^{SPACES}{CONTROLS}]");
    let middle = match min {
        0 | 1 => format!("(?:{any}*{solid})?"),
        _ => format!("{any}{{{},}}{solid}", min - 2),
    };
    format!("^{spaces}*{solid}{middle}{spaces}*$")
}

/// A string with a `minLength` is a text the server requires, measured once trimmed: its pattern
/// says so. (A password is taken as typed, spaces included.)
fn require_text(schema: &mut Value, name: Option<&str>) {
    let min = schema["minLength"].as_u64().unwrap_or(0);
    if name == Some("password") || min == 0 {
        return;
    }
    let long = match schema["pattern"].as_str() {
        Some(LINE_PATTERN) => false,
        Some(TEXT_PATTERN) => true,
        _ => return,
    };
    schema["pattern"] = json!(required_pattern(long, min));
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
        require_text(schema, name);
    }
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for (property, inner) in properties.iter_mut() {
            if property == "keywords" {
                // Each keyword has the length the keyword parser allows.
                if let Some(items) = inner.get_mut("items") {
                    items["maxLength"] = json!(techx_catalogue::records::MAX_KEYWORD_LEN);
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

/// The schema name and the bounds of a bounded form.
fn bounded<T: Bounded + ToSchema>() -> (String, &'static [Field]) {
    (T::name().into_owned(), T::BOUNDS)
}

/// Every bounded schema of the document, with the bounds its validators check.
fn bounded_schemas() -> Vec<(String, &'static [Field])> {
    use techx_accounts::dto as accounts;
    use techx_brokerage::dto as brokerage;
    use techx_listings::dto as listings;
    use techx_requests::dto as requests;
    vec![
        bounded::<accounts::RegisterForm>(),
        bounded::<accounts::LoginForm>(),
        bounded::<accounts::RefreshForm>(),
        bounded::<accounts::OrganizationForm>(),
        bounded::<accounts::OrganizationPatch>(),
        bounded::<accounts::VerificationForm>(),
        bounded::<accounts::AddMemberForm>(),
        bounded::<accounts::ApiKeyForm>(),
        bounded::<techx_catalogue::records::TransitionForm>(),
        bounded::<listings::IpAsset>(),
        bounded::<listings::ListingForm>(),
        bounded::<listings::ListingPatch>(),
        bounded::<listings::ListingView>(),
        bounded::<requests::RequestForm>(),
        bounded::<requests::RequestPatch>(),
        bounded::<requests::RequestView>(),
        bounded::<brokerage::MatchForm>(),
        bounded::<brokerage::NoteForm>(),
        bounded::<brokerage::AnswerForm>(),
        bounded::<brokerage::InquiryForm>(),
        bounded::<brokerage::MessageForm>(),
        bounded::<brokerage::AccessRequestForm>(),
        bounded::<brokerage::AccessDecisionForm>(),
        bounded::<brokerage::EngagementForm>(),
        bounded::<brokerage::EngagementPatch>(),
        bounded::<brokerage::ContractForm>(),
        bounded::<brokerage::StageForm>(),
        bounded::<brokerage::EngagementNoteForm>(),
        bounded::<brokerage::OutcomeForm>(),
        bounded::<brokerage::AlertSubscriptionForm>(),
    ]
}

/// Write each bounded schema's bounds into its properties.
fn add_bounds(schemas: &mut Value) {
    for (name, fields) in bounded_schemas() {
        let Some(properties) = schemas
            .get_mut(&name)
            .and_then(|schema| schema.get_mut("properties"))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        for field in fields {
            if let Some(Value::Object(property)) = properties.get_mut(field.name) {
                property.extend(field.keywords());
            }
        }
    }
}

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
        if !is_plain_string(schema) {
            continue;
        }
        match place.as_str() {
            "query" => schema["pattern"] = json!(query_pattern(&name)),
            // The only named path segment is a code list's name: one of the lists served.
            "path" if name == "name" => {
                let names: Vec<&str> = techx_core::codes::taxonomies()
                    .into_iter()
                    .map(|(name, _)| name)
                    .collect();
                schema["enum"] = json!(names);
                continue;
            }
            "path" => schema["pattern"] = json!(LINE_PATTERN),
            "header" if name.eq_ignore_ascii_case("idempotency-key") => {
                let key = crate::idempotency::KEY;
                schema["pattern"] = json!(format!("^[!-~]{{{},{}}}$", key.min(), key.max()));
                if let Value::Object(schema) = schema {
                    schema.extend(key.keywords());
                }
            }
            "header" if name.eq_ignore_ascii_case("if-match") => {
                if let Value::Object(schema) = schema {
                    schema.extend(crate::http::IF_MATCH.keywords());
                }
            }
            _ => {}
        }
        require_text(schema, Some(&name));
    }
}

/// A character of a URL: not a space, not a control character.
const URL_CHARACTER: &str = "[^ \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\u0000-\\u001F\\u007F-\\u009F]";

/// What `validate::optional_url` takes: blank, or `http(s)://` and a host, trimmed.
static WEBSITE_PATTERN: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let host_start = URL_CHARACTER.replacen("[^", "[^/", 1);
    format!("^{SPACE}*(?:https?://{host_start}{URL_CHARACTER}*)?{SPACE}*$")
});

/// Rules between the fields of one schema, as `if`/`then`/`else`.
fn add_conditions(schemas: &mut Value) {
    // A match answer: a reason with `decline`, none with `accept` (as `if`/`then`/`else`, which a
    // generated client reads as the one class it is, where `anyOf` would make it two).
    if let Some(answer) = schemas.get_mut("AnswerForm") {
        answer["if"] = json!({"properties": {"answer": {"const": "decline"}},
                              "required": ["answer"]});
        answer["then"] = json!({"properties": {"reason": {"$ref": "#/components/schemas/DeclineReason"}},
                                "required": ["reason"]});
        answer["else"] = json!({"properties": {"reason": {"type": "null"}}});
    }
    // An engagement step: a reason with `lost` and only then, the contract with
    // `contract_signed` and only then (the second rule nested in the first's `else`).
    if let Some(stage) = schemas.get_mut("StageForm") {
        let mut reason = stage["properties"]["reason"].clone();
        reason["type"] = json!("string");
        reason["minLength"] = json!(1);
        reason["pattern"] = json!(required_pattern(
            techx_core::validate::is_long_text("reason"),
            1
        ));
        stage["if"] = json!({"properties": {"stage": {"const": "lost"}}, "required": ["stage"]});
        stage["then"] = json!({"properties": {"reason": reason, "contract": {"type": "null"}},
                               "required": ["reason"]});
        stage["else"] = json!({
            "properties": {"reason": {"type": "null"}},
            "if": {"properties": {"stage": {"const": "contract_signed"}}, "required": ["stage"]},
            "then": {"properties": {"contract": {"$ref": "#/components/schemas/ContractForm"}},
                     "required": ["contract"]},
            "else": {"properties": {"contract": {"type": "null"}}}
        });
    }
    // A free listing carries no price (none, or 0).
    if let Some(listing) = schemas.get_mut("ListingForm") {
        listing["if"] = json!({"properties": {"pricing_model": {"const": "free"}},
                               "required": ["pricing_model"]});
        listing["then"] = json!({"properties": {"price_min_vnd": {"maximum": 0},
                                                "price_max_vnd": {"maximum": 0}}});
    }
    // A tax code: 10 digits, or 10 digits, a hyphen and 3 digits (blank: none); a website:
    // `http://` or `https://` and a host, no spaces inside (blank: none).
    for form in ["OrganizationForm", "OrganizationPatch"] {
        if let Some(website) = schemas
            .get_mut(form)
            .and_then(|f| f["properties"].get_mut("website"))
        {
            website["pattern"] = json!(*WEBSITE_PATTERN);
        }
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

/// Replaces every copy of a named object schema inside `value` by a reference to it.
fn reference(value: &mut Value, named: &[(String, Value)]) {
    if let Some((name, _)) = named.iter().find(|(_, schema)| schema == value) {
        *value = json!({"$ref": format!("#/components/schemas/{name}")});
        return;
    }
    match value {
        Value::Object(map) => map.values_mut().for_each(|v| reference(v, named)),
        Value::Array(items) => items.iter_mut().for_each(|v| reference(v, named)),
        _ => {}
    }
}

/// Named schemas are referenced, never copied: utoipa writes a generic's type argument out in
/// full (`Page<ListingView>` holds a copy of `ListingView`), which a generated client turns into
/// a second class of its own.
fn reference_named_schemas(document: &mut Value) {
    let Some(schemas) = document["components"]["schemas"].as_object() else {
        return;
    };
    let named: Vec<(String, Value)> = schemas
        .iter()
        .filter(|(_, schema)| schema.get("properties").is_some())
        .map(|(name, schema)| (name.clone(), schema.clone()))
        .collect();
    if let Some(schemas) = document["components"]["schemas"].as_object_mut() {
        for schema in schemas.values_mut().filter_map(Value::as_object_mut) {
            schema.values_mut().for_each(|v| reference(v, &named));
        }
    }
    if let Some(paths) = document.get_mut("paths") {
        reference(paths, &named);
    }
}

/// `document` with the rules above applied, as JSON: the conditions are JSON Schema keywords
/// (`if`/`then`/`else` beside `properties`) that utoipa's types do not hold.
pub fn finish(document: &OpenApiDocument) -> Value {
    let Ok(mut value) = serde_json::to_value(document) else {
        return json!({});
    };
    reference_named_schemas(&mut value);
    value["servers"] = json!([{"url": "/", "description": "The server that serves this document"}]);
    add_bounds(&mut value["components"]["schemas"]);
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
    value
}

#[cfg(test)]
mod tests;
