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
async fn a_wrong_query_type_is_invalid_input() {
    let app = TestApp::new().await;
    app.get("/api/v1/organizations?limit=many", None)
        .await
        .assert_error(400, "invalid_input");
    app.get("/api/v1/organizations?org_type=spaceship", None)
        .await
        .assert_error(400, "invalid_input");
    let body = app
        .get("/api/v1/organizations?limit=1000", None)
        .await
        .assert_error(400, "invalid_input");
    assert_eq!(body["details"][0]["field"], "limit");
}

#[actix_web::test]
async fn a_malformed_path_parameter_is_invalid_input() {
    let app = TestApp::new().await;
    app.get("/api/v1/organizations/abc", None)
        .await
        .assert_error(400, "invalid_input");
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

#[actix_web::test]
async fn a_wrong_method_answers_in_the_error_body() {
    let app = TestApp::new().await;
    let reply = app
        .send(TestApp::request(Method::PUT, "/api/v1/auth/login", None))
        .await;
    assert!(
        matches!(reply.status.as_u16(), 404 | 405),
        "{}",
        reply.status
    );
    assert!(reply.json()["code"].is_string());
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
