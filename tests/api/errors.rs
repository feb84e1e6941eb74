//! Every error, including actix's own, answers in the one error body.

use crate::support::TestApp;
use actix_web::http::{Method, header};
use serde_json::json;

#[actix_web::test]
async fn malformed_json_is_invalid_input() {
    let app = TestApp::new().await;
    let request = TestApp::request(Method::POST, "/api/v1/auth/login", None)
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .set_payload("{\"email\": ");
    let body = app.send(request).await.assert_error(400, "invalid_input");
    assert!(body["message"].as_str().unwrap().contains("JSON"), "{body}");
}

#[actix_web::test]
async fn a_missing_field_names_the_field() {
    let app = TestApp::new().await;
    let reply = app
        .post("/api/v1/auth/login", None, json!({"email": "a@b.vn"}))
        .await;
    let body = reply.assert_error(400, "invalid_input");
    assert!(
        body["message"].as_str().unwrap().contains("password"),
        "{body}"
    );
}

#[actix_web::test]
async fn a_wrong_query_type_is_invalid_input_naming_the_parameter_in_plain_words() {
    let app = TestApp::new().await;
    for (query, field) in [
        ("limit=many", "limit"),
        ("offset=-", "offset"),
        ("org_type=spaceship", "org_type"),
        ("limit=1000", "limit"),
        ("limit=99999999999999999999", "limit"),
    ] {
        let body = app
            .get(&format!("/api/v1/organizations?{query}"), None)
            .await
            .assert_error(400, "invalid_input");
        assert_eq!(body["details"][0]["field"], field, "{query}: {body}");
        let message = body["message"].as_str().unwrap();
        for rust in ["i64", "i32", "u32", "usize", "Option<"] {
            assert!(!message.contains(rust), "{query}: {message}");
        }
    }
    let body = app
        .get("/api/v1/listings/1/matches?strict=perhaps", None)
        .await
        .assert_error(400, "invalid_input");
    assert_eq!(body["details"][0]["field"], "strict", "{body}");
}

#[actix_web::test]
async fn a_malformed_path_parameter_is_invalid_input_naming_it() {
    let app = TestApp::new().await;
    for path in [
        "/api/v1/organizations/abc",
        "/api/v1/organizations/99999999999999999999",
        "/api/v1/listings/1.5",
    ] {
        let body = app.get(path, None).await.assert_error(400, "invalid_input");
        assert_eq!(body["details"][0]["field"], "id", "{path}: {body}");
        assert!(
            !body["message"].as_str().unwrap().contains("i64"),
            "{path}: {body}"
        );
    }
    let (token, _) = app.signed_in("owner@errors.vn", Some("Errors Co")).await;
    let body = app
        .delete("/api/v1/organizations/1/members/x", Some(&token))
        .await
        .assert_error(400, "invalid_input");
    assert_eq!(body["details"][0]["field"], "user_id", "{body}");
}

#[actix_web::test]
async fn an_unknown_route_is_not_found_in_the_error_body() {
    let app = TestApp::new().await;
    app.get("/api/v1/nothing-here", None)
        .await
        .assert_error(404, "not_found");
    app.get("/favicon.ico", None)
        .await
        .assert_error(404, "not_found");
}

/// The path of the document with every template parameter filled.
fn filled(template: &str) -> String {
    template
        .split('/')
        .map(|part| {
            if part == "{name}" {
                "sci_field"
            } else if part.starts_with('{') {
                "1"
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// For every path of the OpenAPI document, a method it does not take answers 405 with an
/// `Allow` header listing exactly the methods the document gives it (and HEAD with GET).
#[actix_web::test]
async fn a_wrong_method_on_a_known_path_is_405_with_allow() {
    let app = TestApp::new().await;
    let spec = serde_json::to_value(techx_api::openapi()).unwrap();
    let paths = spec["paths"].as_object().unwrap();
    let fixed: Vec<&String> = paths.keys().filter(|p| !p.contains('{')).collect();
    for (template, item) in paths {
        let path = filled(template);
        // A filled template can also be a fixed path (`/listings/{id}` vs `/listings/export`).
        if template.contains('{') && fixed.iter().any(|f| **f == path) {
            continue;
        }
        let mut documented: Vec<String> = item
            .as_object()
            .unwrap()
            .keys()
            .map(|m| m.to_uppercase())
            .collect();
        if documented.contains(&"GET".to_owned()) {
            documented.push("HEAD".to_owned());
        }
        for method in ["PUT", "OPTIONS", "TRACE", "POST", "DELETE", "PATCH"] {
            if documented.iter().any(|m| m == method) {
                continue;
            }
            let reply = app
                .send(TestApp::request(
                    Method::from_bytes(method.as_bytes()).unwrap(),
                    &path,
                    None,
                ))
                .await;
            let body = reply.assert_error(405, "method_not_allowed");
            let mut allowed: Vec<String> = reply
                .header("allow")
                .unwrap_or_else(|| panic!("{method} {path}: no Allow header: {body}"))
                .split(", ")
                .map(str::to_owned)
                .collect();
            allowed.sort();
            documented.sort();
            assert_eq!(allowed, documented, "{method} {path}");
        }
    }
}

/// Every GET operation of the document answers HEAD with the same status and headers and no body.
#[actix_web::test]
async fn head_is_answered_wherever_get_is() {
    let app = TestApp::new().await;
    let spec = serde_json::to_value(techx_api::openapi()).unwrap();
    for (template, item) in spec["paths"].as_object().unwrap() {
        if item.get("get").is_none() {
            continue;
        }
        let path = filled(template);
        let get = app.get(&path, None).await;
        let head = app.send(TestApp::request(Method::HEAD, &path, None)).await;
        assert_eq!(head.status, get.status, "HEAD {path}");
        assert_eq!(
            head.header("content-type"),
            get.header("content-type"),
            "HEAD {path}"
        );
    }
    // (In process the body is still there; the HTTP layer leaves it out on the wire, because it
    // decoded the request as HEAD.) A public GET answers HEAD with 200.
    let head = app
        .send(TestApp::request(Method::HEAD, "/healthz", None))
        .await;
    assert_eq!(head.status, 200);
}

#[actix_web::test]
async fn an_oversized_body_is_payload_too_large() {
    let app = TestApp::new().await;
    let huge = "x".repeat(techx_api::JSON_LIMIT + 10);
    let reply = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": huge, "password": "x"}),
        )
        .await;
    reply.assert_error(413, "payload_too_large");
}

#[actix_web::test]
async fn a_body_of_the_wrong_content_type_is_invalid_input() {
    let app = TestApp::new().await;
    let request = TestApp::request(Method::POST, "/api/v1/auth/login", None)
        .insert_header((header::CONTENT_TYPE, "text/plain"))
        .set_payload("email=a");
    app.send(request).await.assert_error(400, "invalid_input");
}

#[actix_web::test]
async fn unknown_fields_are_refused_rather_than_ignored() {
    let app = TestApp::new().await;
    let reply = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"email": "a@hdu.edu.vn", "password": crate::support::PASSWORD, "full_name": "A", "platform_role": "admin"}),
        )
        .await;
    let body = reply.assert_error(400, "invalid_input");
    assert!(
        body["message"].as_str().unwrap().contains("platform_role"),
        "{body}"
    );
}

/// JSON Schema counts `7.0` as an integer, so a client generated from the document may send it:
/// it is read as the integer it is, not refused; a real fraction still is.
#[actix_web::test]
async fn a_whole_number_written_with_a_fraction_is_an_integer() {
    let app = TestApp::new().await;
    let (token, org) = app
        .verified_owner("owner@whole.vn", "Whole Numbers Co")
        .await;
    let body = crate::support::listing_body(
        "Máy sấy nông sản tiết kiệm điện",
        json!({"organization_id": org as f64, "trl": 7.0, "price_min_vnd": 1000000.0}),
    );
    let reply = app.post("/api/v1/listings", Some(&token), body).await;
    assert_eq!(
        reply.status,
        201,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.json()["trl"], 7);
    let fraction = crate::support::listing_body("Máy sấy nông sản loại hai", json!({"trl": 7.5}));
    app.post("/api/v1/listings", Some(&token), fraction)
        .await
        .assert_error(400, "invalid_input");
}
