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

/// Every operation of the document, with its name for messages.
fn operations(spec: &Value) -> Vec<(String, &Value)> {
    let mut found = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            found.push((format!("{} {path}", method.to_uppercase()), operation));
        }
    }
    found
}

/// A schema with its `$ref` followed.
fn resolved<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => resolve(spec, reference).unwrap_or(schema),
        None => schema,
    }
}

/// One list convention: no operation answers a bare array; whatever answers `items` also says
/// the `limit` that was applied, and a list that takes `offset` answers the whole page shape
/// (`items`, `total`, `limit`, `offset`).
#[test]
fn every_collection_answers_items_with_its_limit_and_pages_carry_the_total() {
    let spec = generated();
    let mut lists = 0;
    for (name, operation) in operations(&spec) {
        let takes_offset = operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|p| p["name"] == "offset" && p["in"] == "query");
        for (status, response) in operation["responses"].as_object().unwrap() {
            if !status.starts_with('2') {
                continue;
            }
            let Some(schema) = response["content"]["application/json"].get("schema") else {
                continue;
            };
            let schema = resolved(&spec, schema);
            assert_ne!(schema["type"], "array", "{name}: answers a bare array");
            let properties = &schema["properties"];
            if properties.get("items").is_some() {
                lists += 1;
                assert_eq!(
                    properties["items"]["type"], "array",
                    "{name}: `items` is not an array"
                );
                assert!(
                    properties.get("limit").is_some(),
                    "{name}: answers `items` without the `limit` applied"
                );
            }
            if takes_offset {
                for key in ["items", "total", "limit", "offset"] {
                    let required = schema["required"].as_array().unwrap();
                    assert!(
                        required.iter().any(|r| r == key),
                        "{name}: a paged list without `{key}`"
                    );
                }
            }
        }
    }
    assert!(lists >= 20, "only {lists} lists");
}

/// Named schemas are referenced, never copied: no named object schema appears written out
/// inside another schema or an operation (a generated client would make a second class of it).
#[test]
fn named_schemas_are_referenced_never_copied() {
    let spec = generated();
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    let named: Vec<(&String, &Value)> = schemas
        .iter()
        .filter(|(_, schema)| schema.get("properties").is_some())
        .collect();
    fn copies(value: &Value, named: &[(&String, &Value)], at: String, found: &mut Vec<String>) {
        if let Some((name, _)) = named.iter().find(|(_, schema)| *schema == value) {
            found.push(format!("{at}: a copy of {name}"));
            return;
        }
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    copies(inner, named, format!("{at}/{key}"), found);
                }
            }
            Value::Array(items) => {
                for (i, inner) in items.iter().enumerate() {
                    copies(inner, named, format!("{at}/{i}"), found);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    for (name, schema) in schemas {
        for (key, inner) in schema.as_object().unwrap() {
            copies(inner, &named, format!("{name}/{key}"), &mut found);
        }
    }
    copies(&spec["paths"], &named, "paths".to_owned(), &mut found);
    assert!(found.is_empty(), "{found:#?}");
    assert!(
        named.len() >= 40,
        "only {} named object schemas",
        named.len()
    );
}

/// One vocabulary: operationIds `verb_resource`, tags without spaces, a summary of one line and
/// a description on every operation, a description on every parameter.
#[test]
fn every_operation_and_parameter_is_named_and_described_the_same_way() {
    let spec = generated();
    let operation_id = regex::Regex::new("^[a-z]+(_[a-z]+)+$").unwrap();
    for tag in spec["tags"].as_array().unwrap() {
        let tag = tag["name"].as_str().unwrap();
        assert!(!tag.contains(char::is_whitespace), "tag {tag:?}");
    }
    for (name, operation) in operations(&spec) {
        let id = operation["operationId"].as_str().unwrap();
        assert!(operation_id.is_match(id), "{name}: operationId {id}");
        for tag in operation["tags"].as_array().unwrap() {
            assert!(!tag.as_str().unwrap().contains(' '), "{name}: tag {tag}");
        }
        let summary = operation["summary"].as_str().unwrap_or_default();
        assert!(
            !summary.contains('\n') && summary.len() <= 80,
            "{name}: the summary is not one short line: {summary:?}"
        );
        assert!(
            operation["description"]
                .as_str()
                .is_some_and(|d| d.trim().len() > summary.len() / 2),
            "{name}: no description"
        );
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            assert!(
                parameter["description"]
                    .as_str()
                    .is_some_and(|d| !d.trim().is_empty()),
                "{name}: parameter {} has no description",
                parameter["name"]
            );
        }
    }
}

/// One vocabulary: query parameters that take the same values go by the same name in every
/// operation (a range's `_min` and `_max` count as one name; ids are told apart by their names),
/// and a filter by a code list that records carry is named after the records' property
/// (`province_code`, `sci_field` for `sci_fields`).
#[test]
fn parameters_that_take_the_same_values_go_by_the_same_name() {
    let spec = generated();
    let schemas = &spec["components"]["schemas"];
    let mut names_by_values: std::collections::BTreeMap<String, BTreeSet<String>> =
        Default::default();
    let mut parameters = Vec::new();
    for (operation_name, operation) in operations(&spec) {
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            if parameter["in"] != "query" {
                continue;
            }
            let name = parameter["name"].as_str().unwrap().to_owned();
            parameters.push((operation_name.clone(), name.clone(), &parameter["schema"]));
            if techx_api::contract::is_id_parameter(&name) {
                continue;
            }
            let mut values = parameter["schema"].clone();
            if let Some(values) = values.as_object_mut() {
                values.remove("description");
                values.remove("example");
            }
            let base = name
                .strip_suffix("_min")
                .or_else(|| name.strip_suffix("_max"))
                .unwrap_or(&name)
                .to_owned();
            names_by_values
                .entry(values.to_string())
                .or_default()
                .insert(base);
        }
    }
    for (values, names) in &names_by_values {
        assert!(
            names.len() == 1,
            "query parameters {names:?} take the same values ({values}) under different names"
        );
    }
    // The code lists the records carry, by the property that carries them.
    let mut carried = Vec::new();
    for view in ["ListingView", "RequestView"] {
        for (property, schema) in schemas[view]["properties"].as_object().unwrap() {
            let reference = schema["$ref"]
                .as_str()
                .or_else(|| schema["items"]["$ref"].as_str())
                .or_else(|| {
                    schema["oneOf"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .find_map(|s| s["$ref"].as_str())
                });
            let Some(list) = reference.and_then(|r| resolve(&spec, r)) else {
                continue;
            };
            let Some(codes) = list["enum"].as_array() else {
                continue;
            };
            if codes.len() < 3 {
                continue;
            }
            carried.push((
                property.clone(),
                reference.unwrap().to_owned(),
                codes.clone(),
            ));
        }
    }
    assert!(carried.len() >= 3, "only {carried:?}");
    let mut checked = 0;
    for (operation_name, name, schema) in &parameters {
        let pattern = schema["pattern"].as_str().unwrap_or_default();
        let lists: BTreeSet<&String> = carried
            .iter()
            .filter(|(_, reference, codes)| {
                schema["$ref"].as_str() == Some(reference.as_str())
                    || codes.iter().all(|code| {
                        let code = code.as_str().unwrap().replace('.', "\\.");
                        pattern.contains(&format!("|{code}|"))
                            || pattern.contains(&format!("(?:{code}|"))
                            || pattern.contains(&format!("|{code})"))
                    })
            })
            .map(|(_, reference, _)| reference)
            .collect();
        for reference in lists {
            checked += 1;
            let properties: Vec<&String> = carried
                .iter()
                .filter(|(_, r, _)| r == reference)
                .map(|(property, _, _)| property)
                .collect();
            assert!(
                properties
                    .iter()
                    .any(|p| *p == name || **p == format!("{name}s")),
                "{operation_name}: ?{name} filters by the codes records carry as {properties:?}: name it so"
            );
        }
    }
    assert!(checked >= 10, "only {checked} code filters found");
}

/// A schema with descriptions and examples left out and keys in order: what a stored view's
/// shape is made of.
fn shape(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map
                .keys()
                .filter(|k| !matches!(k.as_str(), "description" | "example" | "examples" | "title"))
                .collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), shape(&map[k])))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(shape).collect()),
        other => other.clone(),
    }
}

/// FNV-1a, 64 bits.
fn fingerprint(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn the_index_version_covers_the_shape_of_the_views_it_stores() {
    let spec = generated();
    // The views the index stores and every schema they reach.
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut todo = vec!["ListingView".to_owned(), "RequestView".to_owned()];
    while let Some(name) = todo.pop() {
        if !names.insert(name.clone()) {
            continue;
        }
        let schema = &spec["components"]["schemas"][&name];
        assert!(schema.is_object(), "no schema {name}");
        let mut refs = BTreeSet::new();
        collect_refs(schema, &mut refs);
        todo.extend(
            refs.into_iter()
                .filter_map(|r| r.strip_prefix("#/components/schemas/").map(str::to_owned)),
        );
    }
    let canonical: Vec<Value> = names
        .iter()
        .map(|name| serde_json::json!([name, shape(&spec["components"]["schemas"][name])]))
        .collect();
    let computed = fingerprint(serde_json::to_string(&canonical).unwrap().as_bytes());
    let shapes = techx_search::index::STORED_VIEW_SHAPES;
    assert!(
        shapes
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 != w[1].1),
        "STORED_VIEW_SHAPES: versions go up and each has its own shape"
    );
    let (version, recorded) = *shapes.last().unwrap();
    assert_eq!(
        version,
        techx_search::index::SCHEMA_VERSION,
        "the last entry of STORED_VIEW_SHAPES is the index's SCHEMA_VERSION"
    );
    assert!(
        recorded == computed,
        "the views the index stores changed shape ({} schemas, fingerprint {computed:#018x}, \
         recorded {recorded:#018x} for version {version}): bump SCHEMA_VERSION and add \
         ({}, {computed:#018x}) to STORED_VIEW_SHAPES, so that every index is rebuilt",
        names.len(),
        version + 1
    );
}
