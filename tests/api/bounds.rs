//! The bounds test: every `maxLength`, `minLength`, `maximum`, `minimum`, `maxItems` and
//! `minItems` the OpenAPI document states for a JSON body property (nested ones included) or a
//! query parameter, tried on the server at the bound and one past it. A value at the bound that
//! the document allows must not be refused for that field; a value one past it must be refused
//! with a 400 whose `details` name the field. So the document's numbers are the validators'
//! numbers, whichever side changes, and a bound added to the document is covered without
//! changing this test.
//!
//! Values are built from the document alone: strings of the exact length that match the
//! property's `pattern` (Vietnamese letters first, so lengths are counted in characters, not
//! bytes), arrays of distinct items of the item schema, numbers at the bound. The records an
//! operation acts on are the test world's (each id of the path's kind is tried, with each role,
//! until one reaches the validators).

use crate::call;
use crate::support::{TestApp, kind_of, resolve};
use crate::world::{self, ADMIN, ANONYMOUS, BROKER, MODERATOR, OWNER, REQUESTER, World};
use actix_web::http::Method;
use serde_json::{Map, Value, json};
use std::cell::Cell;
use std::net::SocketAddr;

const KEYS: [&str; 6] = [
    "maxLength",
    "minLength",
    "maximum",
    "minimum",
    "maxItems",
    "minItems",
];

fn matches(schema: &Value, value: &str) -> bool {
    match schema["pattern"].as_str() {
        Some(pattern) => regex::Regex::new(pattern).unwrap().is_match(value),
        None => true,
    }
}

/// A string of exactly `length` characters that the schema's pattern takes, if one of the
/// shapes below fits: letters, digits, an email, a web address, spaces alone, the example
/// padded with spaces.
fn string_of(schema: &Value, length: usize) -> Option<String> {
    // Varied letters first (a password may not repeat one character), then plain ones.
    let letters = ["ắ", "b", "ư", "c", "đ", "e", "ơ", "g", "ỹ", "h"];
    let varied: String = (0..length).map(|i| letters[i % letters.len()]).collect();
    let mut candidates = vec![
        varied,
        "ắ".repeat(length),
        "a".repeat(length),
        "7".repeat(length),
    ];
    // local@labels.vn, labels of at most 63 characters.
    if length >= 8 {
        let local = (length - 5).min(64);
        let mut domain = String::new();
        let mut left = length - local - 1 - 3;
        while left > 0 {
            let label = left.min(63);
            if !domain.is_empty() {
                domain.push('.');
                left -= 1;
                if left == 0 {
                    domain.pop();
                    break;
                }
            }
            let label = label.min(left);
            domain.push_str(&"b".repeat(label));
            left -= label;
        }
        let email = format!("{}@{domain}.vn", "a".repeat(local));
        if email.chars().count() == length {
            candidates.push(email);
        }
    }
    let site = "https://a.vn/";
    if length > site.len() {
        candidates.push(format!("{site}{}", "a".repeat(length - site.len())));
    }
    // A list or a sort key where none is also allowed: spaces alone.
    candidates.push(" ".repeat(length));
    if let Some(example) = schema["example"].as_str() {
        let size = example.chars().count();
        if size <= length {
            candidates.push(format!("{example}{}", " ".repeat(length - size)));
        }
    }
    candidates.into_iter().find(|c| matches(schema, c))
}

/// A valid value of `schema`, built from the document: the first of a code list, a short text
/// its pattern takes, an object with its required properties.
fn minimal(document: &Value, world: &World, name: &str, schema: &Value) -> Value {
    let schema = resolve(document, schema);
    if let Some(values) = schema["enum"].as_array() {
        return values.iter().find(|v| !v.is_null()).cloned().unwrap();
    }
    match kind_of(schema) {
        "integer" => json!(
            id_for(world, name)
                .unwrap_or_else(|| { schema["minimum"].as_i64().unwrap_or(1).max(1) })
        ),
        "number" => json!(schema["minimum"].as_f64().unwrap_or(0.0)),
        "boolean" => json!(false),
        "array" => {
            let min = schema["minItems"].as_u64().unwrap_or(0) as usize;
            Value::Array(items(document, world, name, &schema["items"], min).unwrap())
        }
        "object" => {
            let mut body = Map::new();
            for required in schema["required"].as_array().into_iter().flatten() {
                let property = required.as_str().unwrap();
                let value = minimal(document, world, property, &schema["properties"][property]);
                body.insert(property.to_owned(), value);
            }
            Value::Object(body)
        }
        _ => {
            if schema["format"] == "date" {
                return json!("2026-01-15");
            }
            if schema["format"] == "date-time" {
                return json!("2099-01-15T00:00:00Z");
            }
            let length = schema["minLength"].as_u64().unwrap_or(0).max(12) as usize;
            let length = length.min(schema["maxLength"].as_u64().unwrap_or(u64::MAX) as usize);
            json!(string_of(schema, length).unwrap_or_else(|| panic!("no value for `{name}`")))
        }
    }
}

/// `count` distinct values of an array's item schema (a code list cycles when it is shorter).
fn items(
    document: &Value,
    world: &World,
    name: &str,
    item: &Value,
    count: usize,
) -> Option<Vec<Value>> {
    let schema = resolve(document, item);
    if let Some(values) = schema["enum"].as_array() {
        let values: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
        return Some(
            (0..count)
                .map(|i| values[i % values.len()].clone())
                .collect(),
        );
    }
    match kind_of(schema) {
        "string" => (0..count)
            .map(|i| {
                let word = format!("từ khóa {i}");
                matches(schema, &word).then(|| json!(word))
            })
            .collect(),
        _ => Some(
            (0..count)
                .map(|_| minimal(document, world, name, schema))
                .collect(),
        ),
    }
}

/// The world's id of the kind a property or path names (`listing_id`, `/listings/{id}`).
fn id_for(world: &World, name: &str) -> Option<i64> {
    let kind = match name.trim_end_matches("_id") {
        "entity" => "listing",
        "parent_organization" => "organization",
        "assignee" => "user",
        other => other,
    };
    world.ids.get(kind).and_then(|ids| ids.first()).copied()
}

/// The kind of record a path acts on: `/api/v1/access-requests/{id}/grant` → `access_request`.
fn kind_of_path(path: &str) -> String {
    let segment = path
        .split('/')
        .take_while(|s| *s != "{id}")
        .last()
        .unwrap_or_default();
    let singular = if let Some(stem) = segment.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = segment.strip_suffix("ches") {
        format!("{stem}ch")
    } else {
        segment.trim_end_matches('s').to_owned()
    };
    singular.replace('-', "_")
}

/// A value at a bound and one past it (`None` past it when no value can be built).
struct Probe {
    /// Where the value goes: property names from the body's root.
    path: Vec<String>,
    bound: String,
    at: Value,
    past: Value,
}

/// The probes of one schema's bounds; `path` is where the schema sits.
fn probes(
    document: &Value,
    world: &World,
    name: &str,
    schema: &Value,
    path: Vec<String>,
    out: &mut Vec<Probe>,
    unbuilt: &mut Vec<String>,
) {
    let schema = resolve(document, schema);
    let label = |key: &str| format!("{} {key} {}", path.join("."), schema[key]);
    let mut push = |key: &str, at: Option<Value>, past: Option<Value>| match (at, past) {
        (Some(at), Some(past)) => out.push(Probe {
            path: path.clone(),
            bound: label(key),
            at,
            past,
        }),
        _ => unbuilt.push(label(key)),
    };
    match kind_of(schema) {
        "integer" | "number" => {
            let step = if kind_of(schema) == "integer" {
                1.0
            } else {
                0.5
            };
            let number = |n: f64| {
                if step == 1.0 {
                    json!(n as i64)
                } else {
                    json!(n)
                }
            };
            if let Some(max) = schema["maximum"].as_f64() {
                push("maximum", Some(number(max)), Some(number(max + step)));
            }
            if let Some(min) = schema["minimum"].as_f64() {
                push("minimum", Some(number(min)), Some(number(min - step)));
            }
        }
        "string" => {
            if let Some(max) = schema["maxLength"].as_u64() {
                let max = max as usize;
                push(
                    "maxLength",
                    string_of(schema, max).map(Value::from),
                    string_of(schema, max + 1).map(Value::from),
                );
            }
            if let Some(min) = schema["minLength"].as_u64().filter(|m| *m > 0) {
                let min = min as usize;
                // Below a minimum the pattern may refuse the value too: a refusal either way.
                let short = string_of(schema, min - 1).unwrap_or_else(|| "ắ".repeat(min - 1));
                push(
                    "minLength",
                    string_of(schema, min).map(Value::from),
                    Some(json!(short)),
                );
            }
        }
        "array" => {
            let item = &schema["items"];
            let list = |count: usize| items(document, world, name, item, count).map(Value::Array);
            if let Some(max) = schema["maxItems"].as_u64() {
                let max = max as usize;
                push("maxItems", list(max), list(max + 1));
            }
            if let Some(min) = schema["minItems"].as_u64().filter(|m| *m > 0) {
                let min = min as usize;
                push("minItems", list(min), list(min - 1));
            }
            let item = resolve(document, item);
            if KEYS.iter().any(|k| item.get(*k).is_some()) || kind_of(item) == "object" {
                // A bound on the items: tried on a list of one.
                let mut inner = Vec::new();
                let mut item_path = path.clone();
                item_path.push("0".into());
                probes(document, world, name, item, item_path, &mut inner, unbuilt);
                out.extend(inner);
            }
        }
        "object" => {
            for (property, property_schema) in
                schema["properties"].as_object().into_iter().flatten()
            {
                let mut inner_path = path.clone();
                inner_path.push(property.clone());
                probes(
                    document,
                    world,
                    property,
                    property_schema,
                    inner_path,
                    out,
                    unbuilt,
                );
            }
        }
        _ => {}
    }
}

/// `base` with the value at `path` replaced (parents built as their minimal values).
fn with_value(
    document: &Value,
    world: &World,
    base: &Value,
    schema: &Value,
    path: &[String],
    value: Value,
) -> Value {
    let Some((first, rest)) = path.split_first() else {
        return value;
    };
    let schema = resolve(document, schema);
    match base {
        Value::Array(list) => {
            let item = &schema["items"];
            let current = list
                .first()
                .cloned()
                .unwrap_or_else(|| minimal(document, world, first, item));
            json!([with_value(document, world, &current, item, rest, value)])
        }
        _ => {
            let property_schema = &schema["properties"][first];
            let mut object = base.as_object().cloned().unwrap_or_default();
            allow(document, world, schema, first, &mut object);
            let current = object
                .get(first)
                .filter(|v| !v.is_null())
                .cloned()
                .unwrap_or_else(|| {
                    if rest.is_empty() {
                        Value::Null
                    } else {
                        minimal(document, world, first, property_schema)
                    }
                });
            object.insert(
                first.clone(),
                with_value(document, world, &current, property_schema, rest, value),
            );
            Value::Object(object)
        }
    }
}

/// Whether a condition's branch rules `property` out (`{"type": "null"}`).
fn forbids(branch: &Value, property: &str) -> bool {
    branch["properties"][property]["type"] == "null"
}

/// Make `object` meet the `if`/`then`/`else` rules of `schema` under which `property` may be
/// sent: the `if` made true (its constants set, what `then` requires added) where `else` rules
/// the property out, and followed into `else` where `then` does.
fn allow(
    document: &Value,
    world: &World,
    schema: &Value,
    property: &str,
    object: &mut Map<String, Value>,
) {
    let Some(condition) = schema.get("if") else {
        return;
    };
    if forbids(&schema["else"], property) {
        for (name, rule) in condition["properties"].as_object().into_iter().flatten() {
            if let Some(value) = rule.get("const") {
                object.insert(name.clone(), value.clone());
            }
        }
        let then = &schema["then"];
        for required in then["required"].as_array().into_iter().flatten() {
            let name = required.as_str().unwrap();
            if name != property && object.get(name).is_none_or(Value::is_null) {
                let value = minimal(document, world, name, &then["properties"][name]);
                object.insert(name.to_owned(), value);
            }
        }
    } else if forbids(&schema["then"], property) {
        allow(document, world, &schema["else"], property, object);
    }
}

/// The name a field error would carry: `ip_assets[0].number`, `contract.value_vnd`.
fn field_name(path: &[String]) -> String {
    let mut name = String::new();
    for part in path {
        if part.parse::<usize>().is_ok() {
            name.push_str(&format!("[{part}]"));
        } else {
            if !name.is_empty() {
                name.push('.');
            }
            name.push_str(part);
        }
    }
    name
}

/// Whether the reply refuses `field`: a 400 whose details name it (or one of its items).
fn names(body: &Value, field: &str) -> bool {
    body["details"].as_array().into_iter().flatten().any(|d| {
        d["field"].as_str().is_some_and(|f| {
            f == field
                || f.strip_prefix(field)
                    .is_some_and(|rest| rest.starts_with('[') || rest.starts_with('.'))
        })
    })
}

#[actix_web::test]
async fn every_bound_in_the_document_is_the_servers_bound() {
    let world = world::build().await;
    let app = world.app.service().await;
    let document = call!(
        &app,
        TestApp::request(Method::GET, "/api/v1/openapi.json", None)
    )
    .json();
    let roles = [ADMIN, OWNER, REQUESTER, BROKER, MODERATOR, ANONYMOUS];
    let tokens: Vec<Option<String>> = roles
        .iter()
        .map(|role| world.caller(role).token.clone())
        .collect();
    // Each request from its own address: the failed-attempt throttle counts per address.
    let peers = Cell::new(0u32);
    let peer = || {
        peers.set(peers.get() + 1);
        let n = peers.get();
        SocketAddr::from(([10, (n >> 16) as u8, (n >> 8) as u8, n as u8], 40000))
    };
    let mut problems = Vec::new();
    let mut unbuilt = Vec::new();
    let mut checked = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method_name, operation) in item.as_object().unwrap() {
            let method = Method::from_bytes(method_name.to_uppercase().as_bytes()).unwrap();
            let kind = kind_of_path(path);
            let mut ids: Vec<String> = world
                .ids
                .get(kind.as_str())
                .map(|ids| ids.iter().map(i64::to_string).collect())
                .unwrap_or_default();
            if !path.contains("{id}") {
                ids = vec![String::new()];
            }
            let other_ids = |url: String| {
                // `{user_id}` and the like: the world's first of that kind.
                let mut url = url;
                while let Some(start) = url.find('{') {
                    let end = url[start..].find('}').unwrap() + start;
                    let name = url[start + 1..end].to_owned();
                    let id = id_for(&world, &name).unwrap_or(1);
                    url.replace_range(start..=end, &id.to_string());
                }
                url
            };
            // Query parameters: each bounded one alone, the required others at plain values.
            let parameters: Vec<&Value> = operation["parameters"]
                .as_array()
                .map(|p| p.iter().filter(|p| p["in"] == "query").collect())
                .unwrap_or_default();
            for parameter in &parameters {
                let name = parameter["name"].as_str().unwrap();
                let mut found = Vec::new();
                probes(
                    &document,
                    &world,
                    name,
                    &parameter["schema"],
                    vec![name.to_owned()],
                    &mut found,
                    &mut unbuilt,
                );
                for probe in found {
                    let text = |value: &Value| match value {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    let mut outcome = None;
                    'reach: for id in &ids {
                        for token in &tokens {
                            let url = other_ids(path.replace("{id}", id));
                            let send = |value: &Value| {
                                let mut query =
                                    vec![format!("{name}={}", urlencoding(&text(value)))];
                                for other in &parameters {
                                    if other["required"] == true && other["name"] != name {
                                        let schema = resolve(&document, &other["schema"]);
                                        let plain = if kind_of(schema) == "integer" {
                                            "1"
                                        } else {
                                            "nuoc"
                                        };
                                        query.push(format!(
                                            "{}={plain}",
                                            other["name"].as_str().unwrap()
                                        ));
                                    }
                                }
                                TestApp::request(
                                    method.clone(),
                                    &format!("{url}?{}", query.join("&")),
                                    token.as_deref(),
                                )
                                .peer_addr(peer())
                            };
                            let past = call!(&app, send(&probe.past));
                            let past_body: Value =
                                serde_json::from_slice(&past.body).unwrap_or(Value::Null);
                            if past.status != 400 || !names(&past_body, name) {
                                continue;
                            }
                            let at = call!(&app, send(&probe.at));
                            let at_body: Value =
                                serde_json::from_slice(&at.body).unwrap_or(Value::Null);
                            outcome = Some(if names(&at_body, name) {
                                Err(format!("{} at the bound: {at_body}", at.status))
                            } else {
                                Ok(())
                            });
                            break 'reach;
                        }
                    }
                    checked += 1;
                    let what = format!("{method} {path} query {}", probe.bound);
                    match outcome {
                        Some(Ok(())) => {}
                        Some(Err(problem)) => problems.push(format!("{what}: {problem}")),
                        None => problems.push(format!(
                            "{what}: one past the bound is not refused for `{name}`"
                        )),
                    }
                }
            }
            // JSON bodies: each bound of each property, from a minimal valid body.
            let Some(schema) = operation.pointer("/requestBody/content/application~1json/schema")
            else {
                continue;
            };
            let base = minimal(&document, &world, "body", schema);
            let mut found = Vec::new();
            probes(
                &document,
                &world,
                "body",
                schema,
                Vec::new(),
                &mut found,
                &mut unbuilt,
            );
            for probe in found {
                let field = field_name(&probe.path);
                let body = |value: &Value| {
                    with_value(&document, &world, &base, schema, &probe.path, value.clone())
                };
                let mut outcome = None;
                'reach: for id in &ids {
                    for token in &tokens {
                        let url = other_ids(path.replace("{id}", id));
                        let send = |value: &Value| {
                            let address = peer();
                            let mut body = body(value);
                            // The throttle counts per email too: each attempt its own.
                            if body.get("email").is_some() && probe.path != ["email"] {
                                body["email"] =
                                    json!(format!("bounds.{}@example.vn", address.ip()));
                            }
                            TestApp::request(method.clone(), &url, token.as_deref())
                                .peer_addr(address)
                                .set_json(body)
                        };
                        let past = call!(&app, send(&probe.past));
                        let past_body: Value =
                            serde_json::from_slice(&past.body).unwrap_or(Value::Null);
                        if past.status != 400 || !names(&past_body, &field) {
                            continue;
                        }
                        let at = call!(&app, send(&probe.at));
                        let at_body: Value =
                            serde_json::from_slice(&at.body).unwrap_or(Value::Null);
                        outcome = Some(if names(&at_body, &field) {
                            Err(format!("{} at the bound: {at_body}", at.status))
                        } else {
                            Ok(())
                        });
                        break 'reach;
                    }
                }
                checked += 1;
                let what = format!("{method} {path} body {}", probe.bound);
                match outcome {
                    Some(Ok(())) => {}
                    Some(Err(problem)) => problems.push(format!("{what}: {problem}")),
                    None => {
                        let sample = TestApp::request(
                            method.clone(),
                            &other_ids(path.replace("{id}", &ids[0])),
                            tokens[0].as_deref(),
                        )
                        .set_json(body(&probe.past));
                        let reply = call!(&app, sample);
                        problems.push(format!(
                            "{what}: one past the bound is not refused for `{field}` ({} {})",
                            reply.status,
                            String::from_utf8_lossy(&reply.body)
                        ))
                    }
                }
            }
        }
    }
    assert!(checked > 150, "only {checked} bounds checked");
    assert!(
        problems.is_empty(),
        "{} of {checked} bounds differ between the document and the server:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(
        unbuilt.is_empty(),
        "no values could be built for: {unbuilt:?}"
    );
}

fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}
