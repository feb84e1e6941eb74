use crate::support::TestApp;
use serde_json::json;

#[actix_web::test]
async fn an_owner_creates_an_api_key_that_authenticates_until_revoked() {
    let app = TestApp::new().await;
    let (owner, org_id) = app
        .verified_owner("owner@hdu.edu.vn", "Trường Đại học Hồng Đức")
        .await;
    let reply = app
        .post(
            &format!("/api/v1/organizations/{org_id}/api-keys"),
            Some(&owner),
            json!({"name": "cổng thông tin tỉnh", "scopes": ["read", "write", "read"]}),
        )
        .await;
    assert_eq!(
        reply.status,
        201,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let created = reply.json();
    let key = created["key"].as_str().unwrap().to_owned();
    let key_id = created["id"].as_i64().unwrap();
    assert!(key.starts_with("txk_"));
    assert_eq!(created["scopes"], json!(["read", "write"]));
    assert!(key.starts_with(created["prefix"].as_str().unwrap()));

    let me = app.get("/api/v1/me", Some(&key)).await;
    assert_eq!(me.status, 200);
    let me = me.json();
    assert_eq!(me["kind"], "api_key");
    assert_eq!(me["api_key"]["id"], key_id);
    assert_eq!(me["memberships"][0]["organization_id"], org_id);
    assert_eq!(me["memberships"][0]["org_role"], "editor");

    // The listing never shows the secret, and records the use.
    let list = app
        .get(
            &format!("/api/v1/organizations/{org_id}/api-keys"),
            Some(&owner),
        )
        .await;
    assert_eq!(list.status, 200);
    let text = String::from_utf8(list.body.clone()).unwrap();
    assert!(!text.contains(&key), "secret leaked in {text}");
    assert!(list.json()["items"][0]["last_used_at"].is_string());

    let revoked = app
        .delete(
            &format!("/api/v1/organizations/{org_id}/api-keys/{key_id}"),
            Some(&owner),
        )
        .await;
    assert_eq!(revoked.status, 204);
    app.get("/api/v1/me", Some(&key))
        .await
        .assert_error(401, "unauthenticated");
    let list = app
        .get(
            &format!("/api/v1/organizations/{org_id}/api-keys"),
            Some(&owner),
        )
        .await;
    assert!(list.json()["items"][0]["revoked_at"].is_string());
}

#[actix_web::test]
async fn only_owners_signed_in_as_users_manage_keys() {
    let app = TestApp::new().await;
    let (owner, org_id) = app
        .verified_owner("owner@hdu.edu.vn", "Trường Đại học Hồng Đức")
        .await;
    let path = format!("/api/v1/organizations/{org_id}/api-keys");
    let created = app
        .post(
            &path,
            Some(&owner),
            json!({"name": "k", "scopes": ["write"]}),
        )
        .await
        .json();
    let key = created["key"].as_str().unwrap().to_owned();

    // A key cannot mint keys.
    app.post(&path, Some(&key), json!({"name": "k2", "scopes": ["read"]}))
        .await
        .assert_error(403, "forbidden");
    // An editor cannot either.
    let (editor, _) = app.signed_in("editor@hdu.edu.vn", None).await;
    app.post(
        &format!("/api/v1/organizations/{org_id}/members"),
        Some(&owner),
        json!({"email": "editor@hdu.edu.vn", "org_role": "editor"}),
    )
    .await;
    app.post(
        &path,
        Some(&editor),
        json!({"name": "k3", "scopes": ["read"]}),
    )
    .await
    .assert_error(403, "forbidden");
    app.get(&path, Some(&editor))
        .await
        .assert_error(403, "forbidden");
    // An outsider cannot, and anonymous callers must sign in.
    let (outsider, _) = app.signed_in("outsider@gmail.com", None).await;
    app.post(
        &path,
        Some(&outsider),
        json!({"name": "k4", "scopes": ["read"]}),
    )
    .await
    .assert_error(403, "forbidden");
    app.post(&path, None, json!({"name": "k5", "scopes": ["read"]}))
        .await
        .assert_error(401, "unauthenticated");
}

#[actix_web::test]
async fn a_key_needs_a_name_and_a_known_scope() {
    let app = TestApp::new().await;
    let (owner, org_id) = app
        .verified_owner("owner@hdu.edu.vn", "Trường Đại học Hồng Đức")
        .await;
    let path = format!("/api/v1/organizations/{org_id}/api-keys");
    let body = app
        .post(&path, Some(&owner), json!({"name": "", "scopes": []}))
        .await
        .assert_error(400, "invalid_input");
    assert_eq!(body["details"].as_array().unwrap().len(), 2, "{body}");
    app.post(
        &path,
        Some(&owner),
        json!({"name": "k", "scopes": ["root"]}),
    )
    .await
    .assert_error(400, "invalid_input");
    let list = app.get(&path, Some(&owner)).await.json();
    assert_eq!(list["total"], 0);
    assert_eq!(list["items"], json!([]));
}

#[actix_web::test]
async fn a_key_of_another_organization_cannot_be_revoked_through_this_one() {
    let app = TestApp::new().await;
    let (owner_a, org_a) = app.verified_owner("a@hdu.edu.vn", "Trường A").await;
    let (owner_b, org_b) = app.verified_owner("b@vast.vn", "Viện B").await;
    let key_b = app
        .post(
            &format!("/api/v1/organizations/{org_b}/api-keys"),
            Some(&owner_b),
            json!({"name": "b", "scopes": ["read"]}),
        )
        .await
        .json();
    let key_b_id = key_b["id"].as_i64().unwrap();
    app.delete(
        &format!("/api/v1/organizations/{org_a}/api-keys/{key_b_id}"),
        Some(&owner_a),
    )
    .await
    .assert_error(404, "not_found");
    let me = app.get("/api/v1/me", key_b["key"].as_str()).await;
    assert_eq!(me.status, 200);
}
