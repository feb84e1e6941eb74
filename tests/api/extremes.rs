//! The extremes test: every parameter of every operation in the OpenAPI document, and every
//! property of every JSON body, at its extremes (0, −1, 2⁶³−1, 2⁶³, a 100,000-character
//! string, a NUL, an empty string, 10,000 items). No answer may be a 5xx; every 4xx carries
//! the one error body; a value the document's own schema rules out must be refused with a
//! 4xx; and the server still answers `/healthz` at the end. An operation added to the document
//! is covered without changing this test.

use crate::call;
use crate::support::{Reply, TestApp, kind_of, resolve};
use crate::world::{self, ADMIN};
use actix_web::http::Method;
use serde_json::{Value, json};

const LONG: usize = 100_000;
/// A URI holds at most 65,534 bytes (the `http` crate; servers refuse far less): the longest
/// value a path or query string can carry to the server.
const LONG_IN_URL: usize = 60_000;

/// An extreme value for a parameter, and whether the document's schema rules it out.
struct Extreme {
    text: String,
    /// The raw value, for bodies.
    json: Value,
    forbidden: bool,
    label: &'static str,
}

fn integer_extremes(schema: &Value) -> Vec<Extreme> {
    let minimum = schema["minimum"].as_f64();
    let maximum = schema["maximum"].as_f64();
    let narrow = schema["format"] == "int32";
    let mut out = Vec::new();
    for (label, value) in [
        ("zero", 0i128),
        ("minus one", -1),
        ("2^63-1", i64::MAX as i128),
        ("2^63", i64::MAX as i128 + 1),
    ] {
        let out_of_type = value > i64::MAX as i128 || (narrow && value > i32::MAX as i128);
        let out_of_range = minimum.is_some_and(|m| (value as f64) < m)
            || maximum.is_some_and(|m| (value as f64) > m);
        out.push(Extreme {
            text: value.to_string(),
            json: serde_json::from_str(&value.to_string()).unwrap(),
            forbidden: out_of_type || out_of_range,
            label,
        });
    }
    out
}

fn string_extremes(schema: &Value, in_url: bool) -> Vec<Extreme> {
    let max = schema["maxLength"].as_u64();
    let min = schema["minLength"].as_u64().unwrap_or(0);
    let length = if in_url { LONG_IN_URL } else { LONG };
    let long = "a".repeat(length);
    vec![
        Extreme {
            text: long.clone(),
            json: json!(long),
            forbidden: max.is_some_and(|m| (length as u64) > m),
            label: if in_url {
                "60,000 characters"
            } else {
                "100,000 characters"
            },
        },
        Extreme {
            text: if in_url {
                "a%00b".into()
            } else {
                "a\u{0}b".into()
            },
            json: json!("a\u{0}b"),
            forbidden: true,
            label: "a NUL",
        },
        Extreme {
            text: String::new(),
            json: json!(""),
            forbidden: min > 0,
            label: "empty",
        },
    ]
}

fn extremes(document: &Value, schema: &Value, in_url: bool) -> Vec<Extreme> {
    let schema = resolve(document, schema);
    match kind_of(schema) {
        "integer" => integer_extremes(schema),
        "array" => vec![Extreme {
            text: String::new(),
            json: Value::Array(vec![json!("x"); 10_000]),
            forbidden: false,
            label: "10,000 items",
        }],
        "boolean" => vec![Extreme {
            text: "maybe".into(),
            json: json!("maybe"),
            forbidden: true,
            label: "not a boolean",
        }],
        _ => string_extremes(schema, in_url),
    }
}

fn judge(what: &str, extreme: &Extreme, reply: &Reply, problems: &mut Vec<String>) {
    let status = reply.status.as_u16();
    if status >= 500 {
        problems.push(format!("{what} = {}: {status}", extreme.label));
        return;
    }
    if status >= 400 {
        let body: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
        let shaped = body["code"].as_str().is_some_and(|c| !c.is_empty())
            && body["message"].as_str().is_some_and(|m| !m.is_empty());
        if !shaped {
            problems.push(format!(
                "{what} = {}: {status} without the error body: {}",
                extreme.label,
                String::from_utf8_lossy(&reply.body)
            ));
        }
    } else if extreme.forbidden {
        problems.push(format!(
            "{what} = {}: {status}, though the document rules the value out",
            extreme.label
        ));
    }
}

#[actix_web::test]
async fn every_parameter_at_its_extremes_gets_a_clear_refusal_and_the_server_stays_up() {
    let world = world::build().await;
    let app = world.app.service().await;
    let document = call!(
        &app,
        TestApp::request(Method::GET, "/api/v1/openapi.json", None)
    )
    .json();
    let admin = world.token(ADMIN);
    let mut problems = Vec::new();
    let mut sent = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method_name, operation) in item.as_object().unwrap() {
            let method = Method::from_bytes(method_name.to_uppercase().as_bytes()).unwrap();
            let parameters: Vec<&Value> = operation["parameters"]
                .as_array()
                .map(|p| p.iter().collect())
                .unwrap_or_default();
            // A request with every path parameter set to 1 and the required query parameters
            // to plain values, one parameter replaced by `extreme`.
            let build = |target: Option<(&str, &str)>| {
                let mut url = path.clone();
                let mut query = Vec::new();
                let mut headers = Vec::new();
                for parameter in &parameters {
                    let name = parameter["name"].as_str().unwrap();
                    let place = parameter["in"].as_str().unwrap();
                    let value = match target {
                        Some((target, value)) if target == name => Some(value.to_owned()),
                        _ if place == "path" => Some("1".to_owned()),
                        _ if place == "query" && parameter["required"] == true => {
                            let schema = resolve(&document, &parameter["schema"]);
                            Some(
                                if kind_of(schema) == "integer" {
                                    "1"
                                } else {
                                    "nuoc"
                                }
                                .into(),
                            )
                        }
                        _ => None,
                    };
                    let Some(value) = value else { continue };
                    match place {
                        "path" => url = url.replace(&format!("{{{name}}}"), &value),
                        "query" => query.push(format!("{name}={value}")),
                        _ => headers.push((name.to_owned(), value)),
                    }
                }
                if !query.is_empty() {
                    url = format!("{url}?{}", query.join("&"));
                }
                let mut request = TestApp::request(method.clone(), &url, Some(&admin));
                for (name, value) in headers {
                    request = request.insert_header((name, value));
                }
                if method != Method::GET {
                    request = request.set_json(json!({}));
                }
                request
            };
            for parameter in &parameters {
                let name = parameter["name"].as_str().unwrap();
                let place = parameter["in"].as_str().unwrap();
                let in_url = place != "header";
                for extreme in extremes(&document, &parameter["schema"], in_url) {
                    if place == "header" && extreme.text.contains('\0') {
                        continue;
                    }
                    let reply = call!(&app, build(Some((name, &extreme.text))));
                    sent += 1;
                    let what = format!("{method} {path} {place} `{name}`");
                    judge(&what, &extreme, &reply, &mut problems);
                }
            }
            // Each property of a JSON body, alone, at its extremes.
            let Some(schema) = operation.pointer("/requestBody/content/application~1json/schema")
            else {
                continue;
            };
            let schema = resolve(&document, schema);
            let Some(properties) = schema["properties"].as_object() else {
                continue;
            };
            for (property, property_schema) in properties {
                for extreme in extremes(&document, property_schema, false) {
                    let request = build(None).set_json(json!({ property: extreme.json }));
                    let reply = call!(&app, request);
                    sent += 1;
                    let what = format!("{method} {path} body `{property}`");
                    judge(&what, &extreme, &reply, &mut problems);
                }
            }
        }
    }
    let alive = call!(&app, TestApp::request(Method::GET, "/healthz", None));
    assert_eq!(alive.status, 200, "the server stopped answering");
    assert!(sent > 500, "only {sent} extreme requests");
    assert!(
        problems.is_empty(),
        "{} of {sent} extreme requests were mishandled:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
