use crate::support::{TestApp, postgres_url};
use techx_db::Backend;

/// CI sets `TECHX_REQUIRE_POSTGRES=1` for its PostgreSQL run: this test then fails unless the
/// suite really ran on PostgreSQL, so a missing `TEST_DATABASE_URL` cannot pass unnoticed.
#[actix_web::test]
async fn the_suite_runs_on_the_backend_it_was_asked_for() {
    let required = std::env::var("TECHX_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    if required {
        assert!(
            postgres_url().is_some(),
            "TECHX_REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is unset"
        );
    }
    let app = TestApp::new().await;
    let expected = if postgres_url().is_some() {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    assert_eq!(app.backend(), expected);
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.json()["database"], expected.as_str());
}

#[actix_web::test]
async fn a_failed_write_leaves_no_change_log_row_and_a_successful_one_leaves_one() {
    let app = TestApp::new().await;
    let before = app.change_count().await;
    app.register("one@hdu.edu.vn", None).await;
    assert_eq!(app.change_count().await, before + 1);
    // Same email again: refused, and neither the user nor a change row is written.
    let reply = app
        .post(
            "/api/v1/auth/register",
            None,
            serde_json::json!({"email": "ONE@hdu.edu.vn", "password": crate::support::PASSWORD, "full_name": "Hai"}),
        )
        .await;
    reply.assert_error(409, "conflict");
    assert_eq!(app.change_count().await, before + 1);
}
