use crate::support::TestApp;

#[actix_web::test]
async fn healthz_answers_ok_with_a_request_id() {
    let app = TestApp::new().await;
    let reply = app.get("/healthz", None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["status"], "ok");
    let id = reply.header("x-request-id").expect("x-request-id header");
    assert_eq!(id.len(), 36, "{id}");
    let other = app
        .get("/healthz", None)
        .await
        .header("x-request-id")
        .unwrap();
    assert_ne!(id, other);
}

#[actix_web::test]
async fn readyz_reports_a_migrated_database() {
    let app = TestApp::new().await;
    let reply = app.get("/readyz", None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["status"], "ready");
}

#[actix_web::test]
async fn readyz_is_unavailable_when_migrations_are_pending() {
    use diesel::connection::SimpleConnection;
    let app = TestApp::new().await;
    app.state
        .db
        .run(|conn| {
            conn.batch_execute("DELETE FROM __diesel_schema_migrations")
                .map_err(techx_db::DbError::from)
        })
        .await
        .unwrap();
    let reply = app.get("/readyz", None).await;
    let body = reply.assert_error(503, "unavailable");
    assert!(
        body["message"].as_str().unwrap().contains("pending"),
        "{body}"
    );
}

#[actix_web::test]
async fn metrics_count_requests_by_route_pattern_and_status() {
    let app = TestApp::new().await;
    app.get("/api/v1/organizations/12345", None).await;
    app.get("/api/v1/organizations/67890", None).await;
    app.get("/no/such/route", None).await;
    let reply = app.get("/metrics", None).await;
    assert_eq!(reply.status, 200);
    let text = String::from_utf8(reply.body).unwrap();
    assert!(
        text.contains(r#"techx_http_requests_total{method="GET",route="/api/v1/organizations/{id}",status="404"} 2"#),
        "{text}"
    );
    assert!(
        text.contains(r#"route="unmatched",status="404"} 1"#),
        "{text}"
    );
    assert!(
        text.contains("techx_http_request_duration_seconds_bucket"),
        "{text}"
    );
}
