//! The scope test: every operation of the OpenAPI document that is not a GET, sent with an API
//! key that may only read, is refused with 403 in the error body, and the database is left
//! exactly as it was. An operation added to the document is covered without changing this
//! test.

use crate::call;
use crate::support::TestApp;
use crate::world::{self, READ_KEY, WRITE_KEY};
use actix_web::http::Method;
use serde_json::{Value, json};

#[actix_web::test]
async fn a_read_only_key_changes_nothing_through_any_operation() {
    let world = world::build().await;
    let app = world.app.service().await;
    let document = call!(
        &app,
        TestApp::request(Method::GET, "/api/v1/openapi.json", None)
    )
    .json();
    let read_key = world.token(READ_KEY);
    let before = world.app.fingerprint().await;
    let mut refused = 0;
    let mut wrong = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            if method == "get" {
                continue;
            }
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            // Ids of the key's own organization's records: what a write would change.
            let concrete = path
                .split('/')
                .map(|part| if part.starts_with('{') { "1" } else { part })
                .collect::<Vec<_>>()
                .join("/");
            let request =
                TestApp::request(method.clone(), &concrete, Some(&read_key)).set_json(json!({}));
            let reply = call!(&app, request);
            let body: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
            if reply.status == 403 && body["code"] == "forbidden" {
                refused += 1;
            } else {
                wrong.push(format!("{method} {concrete}: {} {body}", reply.status));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "a read-only key was not refused:\n{}",
        wrong.join("\n")
    );
    assert!(
        refused >= 35,
        "only {refused} changing operations in the document"
    );
    assert_eq!(
        world.app.fingerprint().await,
        before,
        "a refused call wrote something"
    );

    // The refusal is the scope's, not the route's: the same change with a write key lands.
    let listing = world.ids["listing"][0];
    let patched = call!(
        &app,
        TestApp::request(
            Method::PATCH,
            &format!("/api/v1/listings/{listing}"),
            Some(&world.token(WRITE_KEY))
        )
        .set_json(json!({"keywords": ["khóa ghi"]}))
    );
    assert_eq!(
        patched.status,
        200,
        "{}",
        String::from_utf8_lossy(&patched.body)
    );
    assert_ne!(world.app.fingerprint().await, before);
}
