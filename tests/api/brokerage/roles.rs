//! Every staff role and API keys against the brokerage rules.

use crate::support::{Cast, TestApp, listing_body, published, request_body};
use serde_json::json;

#[actix_web::test]
async fn every_staff_role_and_api_keys_meet_the_brokerage_rules() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let listing = published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body("Máy sấy bơm nhiệt", json!({})),
    )
    .await;
    let request = published(
        &app,
        "requests",
        &cast.enterprise,
        &cast.moderator,
        request_body("Cần máy sấy bơm nhiệt", json!({})),
    )
    .await;
    app.index_changes().await;
    // Admins and moderators are staff: they save, introduce and run engagements like brokers.
    let m = app
        .post(
            "/api/v1/matches",
            Some(&cast.admin),
            json!({"listing_id": listing, "request_id": request}),
        )
        .await
        .json();
    assert_eq!(m["source"], "broker");
    let introduced = app
        .post(
            &format!("/api/v1/matches/{}/introduce", m["id"]),
            Some(&cast.moderator),
            json!({}),
        )
        .await;
    assert_eq!(introduced.status, 200);
    // Staff do not answer for a side.
    app.post(
        &format!("/api/v1/matches/{}/answer", m["id"]),
        Some(&cast.admin),
        json!({"answer": "accept"}),
    )
    .await
    .assert_error(403, "forbidden");
    let e = app
        .post(
            "/api/v1/engagements",
            Some(&cast.moderator),
            json!({"match_id": m["id"]}),
        )
        .await;
    assert_eq!(e.status, 201);
    assert_eq!(
        app.get("/api/v1/engagements", Some(&cast.admin))
            .await
            .json()["total"],
        1
    );
    // An organization's API key reads, but inquiries, access requests and alerts are for people.
    let key = app
        .post(
            &format!("/api/v1/organizations/{}/api-keys", cast.enterprise_org),
            Some(&cast.enterprise),
            json!({"name": "ERP", "scopes": ["read", "write"]}),
        )
        .await
        .json()["key"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        "/api/v1/inquiries",
        Some(&key),
        json!({"entity": "listing", "entity_id": listing, "message": "?"}),
    )
    .await
    .assert_error(403, "forbidden");
    app.post(
        "/api/v1/access-requests",
        Some(&key),
        json!({"entity": "listing", "entity_id": listing, "message": "?"}),
    )
    .await
    .assert_error(403, "forbidden");
    app.post(
        "/api/v1/alert-subscriptions",
        Some(&key),
        json!({"kind": "search", "q": "máy sấy"}),
    )
    .await
    .assert_error(403, "forbidden");
    // The key sees its organization's introduced match, like its members.
    assert_eq!(
        app.get("/api/v1/matches", Some(&key)).await.json()["total"],
        1
    );
}
