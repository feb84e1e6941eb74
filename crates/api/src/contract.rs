//! Rules every operation of the OpenAPI document follows, applied once to the document the
//! routes produce, so that an operation added later follows them without being told:
//!
//! - `servers` names the server that serves the document (relative, so it is right behind any
//!   host name or proxy);
//! - every operation declares `security`: the bearer scheme, or an empty list for a public one;
//! - every operation declares `400` in the error body: any request can be refused before its
//!   handler runs (a control character in the path, the query string or the body, a parameter
//!   that does not parse);
//! - every id in a path is a whole number from 1 (what the path extractor refuses otherwise).

use serde_json::{Value, json};
use utoipa::openapi::OpenApi as OpenApiDocument;

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
        let is_id = parameter["in"] == "path"
            && parameter["name"]
                .as_str()
                .is_some_and(|name| name == "id" || name.ends_with("_id"));
        if is_id && let Some(schema) = parameter.get_mut("schema").and_then(Value::as_object_mut) {
            schema.insert("minimum".to_owned(), json!(1));
        }
    }
}

/// `document` with the rules above applied.
pub fn finish(document: OpenApiDocument) -> OpenApiDocument {
    let Ok(mut value) = serde_json::to_value(&document) else {
        return document;
    };
    value["servers"] = json!([{"url": "/", "description": "The server that serves this document"}]);
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
