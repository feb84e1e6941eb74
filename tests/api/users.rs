use crate::support::TestApp;
use serde_json::json;

#[actix_web::test]
async fn an_admin_sets_platform_roles_and_others_cannot() {
    let app = TestApp::new().await;
    let admin = app.staff("admin@sokhcn.vn", "admin").await;
    let (member, me) = app.signed_in("an@hdu.edu.vn", None).await;
    let user_id = me["user"]["id"].as_i64().unwrap();
    let path = format!("/api/v1/users/{user_id}");

    app.patch(&path, Some(&member), json!({"platform_role": "admin"}))
        .await
        .assert_error(403, "forbidden");
    let moderator = app.staff("mod@sokhcn.vn", "moderator").await;
    app.patch(&path, Some(&moderator), json!({"platform_role": "broker"}))
        .await
        .assert_error(403, "forbidden");
    app.get("/api/v1/users", Some(&member))
        .await
        .assert_error(403, "forbidden");

    let changed = app
        .patch(&path, Some(&admin), json!({"platform_role": "broker"}))
        .await;
    assert_eq!(changed.status, 200);
    assert_eq!(changed.json()["platform_role"], "broker");
    // The new role applies to the next request of an existing token.
    let me = app.get("/api/v1/me", Some(&member)).await.json();
    assert_eq!(me["user"]["platform_role"], "broker");

    let users = app.get("/api/v1/users?limit=2", Some(&admin)).await.json();
    assert_eq!(users["total"], 3);
    assert_eq!(users["items"].as_array().unwrap().len(), 2);
    app.patch(
        "/api/v1/users/99999",
        Some(&admin),
        json!({"platform_role": "broker"}),
    )
    .await
    .assert_error(404, "not_found");
}

#[actix_web::test]
async fn the_last_admin_cannot_be_demoted() {
    let app = TestApp::new().await;
    let admin = app.staff("admin@sokhcn.vn", "admin").await;
    let admin_id = app.get("/api/v1/me", Some(&admin)).await.json()["user"]["id"]
        .as_i64()
        .unwrap();
    app.patch(
        &format!("/api/v1/users/{admin_id}"),
        Some(&admin),
        json!({"platform_role": "member"}),
    )
    .await
    .assert_error(409, "conflict");
    let second = app.staff("admin2@sokhcn.vn", "admin").await;
    let demoted = app
        .patch(
            &format!("/api/v1/users/{admin_id}"),
            Some(&second),
            json!({"platform_role": "member"}),
        )
        .await;
    assert_eq!(demoted.status, 200);
}
