//! The tier sweep: every GET operation the OpenAPI document lists, called as every role with
//! its path parameters filled from the world (every id from 1 to the largest made, and values
//! of the collection above) and its list filters tried (small code lists, ids of what the world
//! made, every planted word as `q`). Each answer is held to [`world::MARKERS`]: a word a role
//! may not read must not appear; the organization and the people behind the anonymous request
//! must not be named to those who may not know them; and a query naming something the caller
//! may not see must be answered exactly as one naming nothing (same status, total, page and
//! typo flag), so that nothing leaks through counts. A GET operation added to the document is
//! swept without changing this test.

use crate::call;
use crate::support::{Reply, TestApp};
use crate::world::{self, DIRECTORY, KNOW_THE_REQUESTER, MARKERS, World};
use actix_web::http::Method;
use serde_json::Value;
use std::collections::BTreeSet;

/// A word no record holds, one letter away from `word`: what a query naming nothing looks
/// like (the typo-tolerant pass treats both alike when the planted word is out of reach).
fn never_seen(word: &str) -> String {
    format!("{}X", &word[..word.len() - 1])
}
/// An id no record has.
const NO_SUCH_ID: i64 = 999_999;

/// One GET operation of the document.
struct Operation {
    path: String,
    parameters: Vec<Parameter>,
}

struct Parameter {
    name: String,
    location: String,
    required: bool,
    schema: Value,
}

/// A query to try, and the query whose answer it must equal when the caller may not see what
/// it names.
struct Variant {
    query: String,
    /// The marker or identity the query names, and who may see it.
    names: Option<(&'static str, &'static [&'static str])>,
    control: Option<String>,
}

fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
        return schema;
    };
    let name = reference.trim_start_matches("#/components/schemas/");
    &document["components"]["schemas"][name]
}

fn get_operations(document: &Value) -> Vec<Operation> {
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else {
            continue;
        };
        let parameters = get["parameters"]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|p| Parameter {
                        name: p["name"].as_str().unwrap().to_owned(),
                        location: p["in"].as_str().unwrap().to_owned(),
                        required: p["required"] == true,
                        schema: p["schema"].clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        operations.push(Operation {
            path: path.clone(),
            parameters,
        });
    }
    operations
}

fn is_integer(document: &Value, schema: &Value) -> bool {
    resolve(document, schema)["type"] == "integer"
}

/// The values of a code list, when the parameter takes one.
fn enumeration(document: &Value, schema: &Value) -> Vec<String> {
    resolve(document, schema)["enum"]
        .as_array()
        .map(|values| {
            values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Ids to try for an `…_id` filter: those the world made of that kind, or every id.
fn ids_for(world: &World, name: &str) -> Vec<i64> {
    let kind = name.trim_end_matches("_id");
    let mut ids: Vec<i64> = match kind {
        "entity" => world
            .ids
            .get("listing")
            .into_iter()
            .chain(world.ids.get("request"))
            .flatten()
            .copied()
            .collect(),
        other => match world.ids.get(other) {
            Some(ids) => ids.clone(),
            None => (1..=world.max_id).collect(),
        },
    };
    ids.push(NO_SUCH_ID);
    ids
}

/// A query string setting `name` to `value` over the required parameters' plain values.
fn query(operation: &Operation, document: &Value, name: &str, value: &str) -> String {
    let mut pairs: Vec<(String, String)> = operation
        .parameters
        .iter()
        .filter(|p| p.location == "query" && p.required && p.name != name)
        .map(|p| {
            let plain = if is_integer(document, &p.schema) {
                "1"
            } else {
                "nuoc"
            };
            (p.name.clone(), plain.to_owned())
        })
        .collect();
    if !name.is_empty() {
        pairs.push((name.to_owned(), value.to_owned()));
    }
    if pairs.is_empty() {
        return String::new();
    }
    let joined: Vec<String> = pairs.iter().map(|(n, v)| format!("{n}={v}")).collect();
    format!("?{}", joined.join("&"))
}

fn variants(world: &World, document: &Value, operation: &Operation) -> Vec<Variant> {
    let mut variants = vec![Variant {
        query: query(operation, document, "", ""),
        names: None,
        control: None,
    }];
    for parameter in operation
        .parameters
        .iter()
        .filter(|p| p.location == "query")
    {
        let name = &parameter.name;
        let set = |value: &str| query(operation, document, name, value);
        let values = enumeration(document, &parameter.schema);
        if !values.is_empty() && values.len() <= 12 {
            for value in values {
                variants.push(Variant {
                    query: set(&value),
                    names: None,
                    control: None,
                });
            }
        } else if is_integer(document, &parameter.schema) && name.ends_with("_id") {
            for id in ids_for(world, name) {
                let names_the_requester = name.contains("organization") && id == world.anon_org;
                variants.push(Variant {
                    query: format!("?{name}={id}"),
                    names: names_the_requester
                        .then_some(("the anonymous requester", KNOW_THE_REQUESTER)),
                    control: names_the_requester.then(|| format!("?{name}={NO_SUCH_ID}")),
                });
            }
        } else if name == "q" {
            for marker in MARKERS {
                variants.push(Variant {
                    query: set(marker.word),
                    names: Some((marker.word, marker.seen_by)),
                    control: Some(set(&never_seen(marker.word))),
                });
            }
        }
    }
    variants
}

/// Concrete paths for an operation: integer path parameters from 1 to the largest id made
/// (and one that does not exist), others from the collection above them.
async fn paths<S, B>(app: &S, world: &World, document: &Value, operation: &Operation) -> Vec<String>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let mut paths = vec![operation.path.clone()];
    for parameter in operation.parameters.iter().filter(|p| p.location == "path") {
        let placeholder = format!("{{{}}}", parameter.name);
        let values: Vec<String> = if is_integer(document, &parameter.schema) {
            (1..=world.max_id)
                .chain([NO_SUCH_ID])
                .map(|id| id.to_string())
                .collect()
        } else {
            let mut values = enumeration(document, &parameter.schema);
            if values.is_empty() {
                let parent = operation.path.split(&placeholder).next().unwrap();
                let parent = parent.trim_end_matches('/');
                let admin = world.token(world::ADMIN);
                let listed = call!(app, TestApp::request(Method::GET, parent, Some(&admin)));
                if let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(&listed.body) {
                    values = fields.keys().cloned().collect();
                }
            }
            values.push("no-such-thing".to_owned());
            values
        };
        paths = paths
            .iter()
            .flat_map(|path| {
                values
                    .iter()
                    .map(|value| path.replacen(&placeholder, value, 1))
                    .collect::<Vec<_>>()
            })
            .collect();
    }
    paths
}

/// What an answer shows of its size: status, total, page length, typo flag.
fn shape(reply: &Reply) -> String {
    let body: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
    let items = body["items"].as_array().map(Vec::len);
    format!(
        "status {} total {} items {:?} fuzzy {}",
        reply.status, body["total"], items, body["fuzzy"]
    )
}

fn check(world: &World, role: &str, url: &str, reply: &Reply, violations: &mut Vec<String>) {
    if reply.status.is_server_error() {
        violations.push(format!("{role} GET {url}: {}", reply.status));
        return;
    }
    let text = String::from_utf8_lossy(&reply.body).to_lowercase();
    let asked = url.to_lowercase();
    for marker in MARKERS {
        let word = marker.word.to_lowercase();
        if marker.seen_by.contains(&role) || asked.contains(&word) {
            continue;
        }
        if marker.word == "ANONORGMARK" && url.starts_with(DIRECTORY) {
            continue;
        }
        if text.contains(&word) {
            violations.push(format!(
                "{role} GET {url}: shows {} ({})",
                marker.word, marker.planted
            ));
        }
    }
    if KNOW_THE_REQUESTER.contains(&role) {
        return;
    }
    let Ok(body) = serde_json::from_slice::<Value>(&reply.body) else {
        return;
    };
    let mut numbers = Vec::new();
    world::numbers_by_key(&body, &mut numbers);
    for (key, number) in numbers {
        if world::names_an_organization(key) && number == world.anon_org {
            violations.push(format!(
                "{role} GET {url}: `{key}` names the organization behind the anonymous request"
            ));
        }
        if world::names_a_person(key) && world.anon_people.contains(&number) {
            violations.push(format!(
                "{role} GET {url}: `{key}` names a person of the organization behind the anonymous request"
            ));
        }
    }
}

#[actix_web::test]
async fn every_get_operation_shows_each_role_only_what_it_may_see() {
    let world = world::build().await;
    let app = world.app.service().await;
    let document = call!(
        &app,
        TestApp::request(Method::GET, "/api/v1/openapi.json", None)
    )
    .json();
    let operations = get_operations(&document);
    assert!(
        operations.len() >= 35,
        "the document lists {} GET operations",
        operations.len()
    );
    let mut violations = Vec::new();
    let mut sent = 0usize;
    let mut swept = BTreeSet::new();
    for operation in &operations {
        let paths = paths(&app, &world, &document, operation).await;
        let variants = variants(&world, &document, operation);
        for caller in &world.callers {
            let token = caller.token.as_deref();
            for path in &paths {
                // Filters are tried where the caller can see the road at all.
                let base_url = format!("{path}{}", variants[0].query);
                let base = call!(&app, TestApp::request(Method::GET, &base_url, token));
                sent += 1;
                check(&world, caller.role, &base_url, &base, &mut violations);
                if !base.status.is_success() {
                    continue;
                }
                swept.insert(operation.path.clone());
                for variant in variants.iter().skip(1) {
                    let url = format!("{path}{}", variant.query);
                    let reply = call!(&app, TestApp::request(Method::GET, &url, token));
                    sent += 1;
                    check(&world, caller.role, &url, &reply, &mut violations);
                    let (Some((what, seen_by)), Some(control)) = (&variant.names, &variant.control)
                    else {
                        continue;
                    };
                    if seen_by.contains(&caller.role)
                        || (*what == "ANONORGMARK" && path.starts_with(DIRECTORY))
                    {
                        continue;
                    }
                    let control_url = format!("{path}{control}");
                    let unseen = call!(&app, TestApp::request(Method::GET, &control_url, token));
                    sent += 1;
                    if shape(&reply) != shape(&unseen) {
                        violations.push(format!(
                            "{} GET {url}: answers `{}` where naming nothing answers `{}`: it tells {what} exists",
                            caller.role,
                            shape(&reply),
                            shape(&unseen)
                        ));
                    }
                }
            }
        }
    }
    // Every operation answered someone: a road that nobody reaches sweeps nothing.
    let unreached: Vec<&String> = operations
        .iter()
        .map(|o| &o.path)
        .filter(|p| !swept.contains(*p))
        .collect();
    assert!(unreached.is_empty(), "no role got a 2xx from {unreached:?}");
    assert!(
        violations.is_empty(),
        "{} of {sent} answers broke the disclosure rules:\n{}",
        violations.len(),
        violations.join("\n")
    );
}
