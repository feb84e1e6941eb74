//! The OpenAPI document is the contract: checked in, served, complete.

use crate::support::TestApp;
use serde_json::Value;
use std::collections::BTreeSet;

const REGENERATE: &str = "cargo run --quiet -- openapi > openapi/openapi.json";

fn generated() -> Value {
    serde_json::to_value(techx_api::openapi()).unwrap()
}

#[test]
fn the_checked_in_spec_equals_what_the_code_generates() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing: run `{REGENERATE}`", path.display()));
    let checked_in: Value = serde_json::from_str(&text).unwrap();
    assert!(
        checked_in == generated(),
        "openapi/openapi.json differs from the API the code describes: run `{REGENERATE}` and commit it"
    );
}

#[actix_web::test]
async fn the_served_spec_is_the_generated_one() {
    let app = TestApp::new().await;
    let reply = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), generated());
}

#[actix_web::test]
async fn swagger_ui_is_served_from_the_binary() {
    let app = TestApp::new().await;
    let redirect = app.get("/docs", None).await;
    assert_eq!(redirect.status, 308);
    assert_eq!(redirect.header("location").as_deref(), Some("/docs/"));
    let page = app.get("/docs/", None).await;
    assert_eq!(page.status, 200);
    assert!(String::from_utf8_lossy(&page.body).contains("swagger-ui"));
    let init = app.get("/docs/swagger-initializer.js", None).await;
    assert_eq!(init.status, 200);
    assert!(String::from_utf8_lossy(&init.body).contains("/api/v1/openapi.json"));
    let bundle = app.get("/docs/swagger-ui-bundle.js", None).await;
    assert_eq!(bundle.status, 200);
    assert!(
        bundle.body.len() > 100_000,
        "the bundle is vendored, not fetched"
    );
}

fn resolve<'a>(spec: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    spec.pointer(pointer)
}

fn collect_refs(value: &Value, refs: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                if key == "$ref" {
                    if let Some(r) = inner.as_str() {
                        refs.insert(r.to_owned());
                    }
                } else {
                    collect_refs(inner, refs);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, refs)),
        _ => {}
    }
}

#[test]
fn the_spec_is_openapi_3_1_and_every_operation_is_documented() {
    let spec = generated();
    assert!(
        spec["openapi"].as_str().unwrap().starts_with("3.1."),
        "{}",
        spec["openapi"]
    );
    assert!(spec["info"]["title"].is_string() && spec["info"]["version"].is_string());
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());

    let mut refs = BTreeSet::new();
    collect_refs(&spec, &mut refs);
    for reference in &refs {
        assert!(
            resolve(&spec, reference).is_some(),
            "dangling $ref {reference}"
        );
    }

    let mut operation_ids = BTreeSet::new();
    let paths = spec["paths"].as_object().unwrap();
    assert!(paths.len() >= 15, "only {} paths", paths.len());
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let name = format!("{} {path}", method.to_uppercase());
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{name}: no operationId"));
            assert!(
                operation_ids.insert(id.to_owned()),
                "{name}: duplicate operationId {id}"
            );
            assert!(
                operation["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{name}: no summary"
            );
            assert!(
                operation["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{name}: no tag"
            );
            let responses = operation["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{name}: no success response"
            );
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    let schema = &response["content"]["application/json"]["schema"]["$ref"];
                    assert_eq!(
                        schema, "#/components/schemas/ErrorBody",
                        "{name}: {status} does not answer with the error body"
                    );
                }
            }
            // An operation that can answer 401 takes credentials: it must say which.
            let secured = operation["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|req| req.get("bearer").is_some()));
            // (Sign-in and token rotation take their credentials in the body.)
            let takes_credentials =
                responses.contains_key("401") && !path.starts_with("/api/v1/auth/");
            assert!(
                secured || !takes_credentials,
                "{name}: answers 401 but declares no bearer security"
            );
        }
    }
}

/// The schema of the document that holds a code list: the list's name in CamelCase
/// (`sci_field` → `SciField`); the record lifecycle list is `status`, its schema `RecordStatus`.
fn schema_of_list(list: &str) -> String {
    if list == "status" {
        return "RecordStatus".to_owned();
    }
    list.split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// Every property of every schema of the document named `name`, with where it is.
fn properties_named<'a>(spec: &'a Value, name: &str) -> Vec<(String, &'a Value)> {
    let mut found = Vec::new();
    for (schema_name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        if let Some(property) = schema["properties"].get(name) {
            found.push((format!("{schema_name}.{name}"), property));
        }
    }
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                if parameter["name"] == name {
                    found.push((format!("{method} {path} ?{name}"), &parameter["schema"]));
                }
            }
        }
    }
    found
}

/// What a client generated from the document accepts is exactly what the server sends: every
/// code list served at `/taxonomies` is the enum of the same name in the document, code for code,
/// and the numeric list (TRL) bounds every property that carries it.
#[actix_web::test]
async fn every_code_list_served_is_the_enum_of_the_same_name_in_the_document() {
    let app = TestApp::new().await;
    let served = app.get("/api/v1/taxonomies", None).await.json();
    let spec = generated();
    let schemas = &spec["components"]["schemas"];
    let lists = served.as_object().unwrap();
    assert!(lists.len() >= 30, "only {} code lists served", lists.len());
    for (list, entries) in lists {
        let codes: BTreeSet<String> = entries
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| entry["code"].as_str().unwrap().to_owned())
            .collect();
        if list == "trl" {
            // Sent as a number: every TRL property is an integer bounded by the list.
            let numbers: Vec<i64> = codes.iter().map(|c| c.parse().unwrap()).collect();
            let (low, high) = (numbers.iter().min(), numbers.iter().max());
            for name in ["trl", "trl_min", "trl_max"] {
                let properties = properties_named(&spec, name);
                assert!(!properties.is_empty(), "no property {name}");
                for (place, property) in properties {
                    assert_eq!(property["minimum"].as_i64().as_ref(), low, "{place}");
                    assert_eq!(property["maximum"].as_i64().as_ref(), high, "{place}");
                }
            }
            continue;
        }
        let name = schema_of_list(list);
        let schema = schemas
            .get(&name)
            .unwrap_or_else(|| panic!("code list {list} has no schema {name} in the document"));
        let documented: BTreeSet<String> = schema["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} is not an enum"))
            .iter()
            .map(|code| code.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            documented, codes,
            "the enum {name} of the document is not the code list {list} the server uses"
        );
    }
}

/// The document's own examples are accepted: every query parameter example of a GET operation,
/// sent alone, is not refused as invalid input (a client copying it from the docs gets an answer).
#[actix_web::test]
async fn every_query_example_of_the_document_is_accepted() {
    let app = TestApp::new().await;
    let spec = generated();
    let mut tried = 0;
    for (template, item) in spec["paths"].as_object().unwrap() {
        let Some(operation) = item.get("get") else {
            continue;
        };
        let path = template.replace("{name}", "sci_field").replace("{id}", "1");
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            let example = match &parameter["example"] {
                Value::String(text) => text.clone(),
                Value::Null => continue,
                other => other.to_string(),
            };
            if parameter["in"] != "query" {
                continue;
            }
            let name = parameter["name"].as_str().unwrap();
            let query: String = url_encode(&example);
            let reply = app.get(&format!("{path}?{name}={query}"), None).await;
            assert_ne!(
                reply.status,
                400,
                "GET {path}?{name}={example}: the document's example is refused: {}",
                String::from_utf8_lossy(&reply.body)
            );
            tried += 1;
        }
    }
    assert!(tried >= 5, "only {tried} examples");
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
