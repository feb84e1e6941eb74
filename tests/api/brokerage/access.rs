//! Access requests and grants: the confidential tier opened to one grantee until it expires,
//! the reads logged; brokers decide for anonymous requests.

use crate::support::{Cast, TestApp, ids, listing_body, published, request_body};
use serde_json::json;

fn in_days(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days)).to_rfc3339()
}

#[actix_web::test]
async fn a_grant_opens_the_confidential_tier_to_the_grantee_only_until_it_expires_and_reads_are_logged()
 {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let (other, other_org) = app.verified_owner("ceo@other.vn", "Công ty CP Khác").await;
    let listing = published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body("Quy trình ủ phân hữu cơ vi sinh", json!({})),
    )
    .await;
    app.index_changes().await;
    let ask = json!({"entity": "listing", "entity_id": listing, "message": "Cần xem công thức để đánh giá."});

    // Who may ask.
    app.post(
        "/api/v1/access-requests",
        Some(&cast.unverified),
        ask.clone(),
    )
    .await
    .assert_error(403, "forbidden");
    app.post("/api/v1/access-requests", Some(&cast.owner), ask.clone())
        .await
        .assert_error(409, "conflict");
    let asked = app
        .post(
            "/api/v1/access-requests",
            Some(&cast.enterprise),
            ask.clone(),
        )
        .await;
    assert_eq!(
        asked.status,
        201,
        "{}",
        String::from_utf8_lossy(&asked.body)
    );
    let asked = asked.json();
    let id = asked["id"].as_i64().unwrap();
    assert_eq!(asked["status"], "pending");
    assert_eq!(asked["routed_to"], "owner");
    app.post(
        "/api/v1/access-requests",
        Some(&cast.enterprise),
        ask.clone(),
    )
    .await
    .assert_error(409, "conflict");

    // Who decides, and how.
    let grant = format!("/api/v1/access-requests/{id}/grant");
    app.post(
        &grant,
        Some(&cast.enterprise),
        json!({"expires_at": in_days(30)}),
    )
    .await
    .assert_error(403, "forbidden");
    app.post(&grant, Some(&other), json!({"expires_at": in_days(30)}))
        .await
        .assert_error(404, "not_found");
    app.post(&grant, Some(&cast.owner), json!({}))
        .await
        .assert_error(400, "invalid_input");
    app.post(
        &grant,
        Some(&cast.owner),
        json!({"expires_at": in_days(-1)}),
    )
    .await
    .assert_error(400, "invalid_input");
    app.post(
        &grant,
        Some(&cast.owner),
        json!({"expires_at": in_days(5000)}),
    )
    .await
    .assert_error(400, "invalid_input");
    // Nothing was granted by the refused calls.
    let page = format!("/api/v1/listings/{listing}");
    assert_eq!(
        app.get(&page, Some(&cast.enterprise)).await.json()["disclosed_tier"],
        "registered"
    );
    let granted = app
        .post(
            &grant,
            Some(&cast.owner),
            json!({"expires_at": in_days(30), "note": "Đồng ý"}),
        )
        .await;
    assert_eq!(
        granted.status,
        200,
        "{}",
        String::from_utf8_lossy(&granted.body)
    );
    let granted = granted.json();
    assert_eq!(granted["status"], "granted");
    assert!(granted["grant_id"].is_i64() && granted["expires_at"].is_string());
    app.post(
        &grant,
        Some(&cast.owner),
        json!({"expires_at": in_days(30)}),
    )
    .await
    .assert_error(409, "conflict");

    // The grantee reads the confidential tier on every road; others do not.
    let seen = app.get(&page, Some(&cast.enterprise)).await.json();
    assert_eq!(seen["disclosed_tier"], "confidential");
    assert!(
        seen["confidential_details"]
            .as_str()
            .unwrap()
            .contains("CONFIDENTIAL-SECRET")
    );
    let listed = app.get("/api/v1/listings", Some(&cast.enterprise)).await;
    assert!(String::from_utf8_lossy(&listed.body).contains("CONFIDENTIAL-SECRET"));
    let searched = app
        .get(
            "/api/v1/search?q=phan+huu+co&kind=listing",
            Some(&cast.enterprise),
        )
        .await;
    assert!(String::from_utf8_lossy(&searched.body).contains("CONFIDENTIAL-SECRET"));
    let other_view = app.get(&page, Some(&other)).await.json();
    assert_eq!(other_view["disclosed_tier"], "registered");
    assert!(other_view.get("confidential_details").is_none());

    // The owner sees who was granted and who read; the grantee does not.
    let report_path = format!("/api/v1/listings/{listing}/access");
    app.get(&report_path, Some(&cast.enterprise))
        .await
        .assert_error(403, "forbidden");
    let report = app.get(&report_path, Some(&cast.owner)).await.json();
    assert_eq!(report["grants"].as_array().unwrap().len(), 1);
    assert_eq!(report["grants"][0]["organization_id"], cast.enterprise_org);
    assert_eq!(report["grants"][0]["active"], true);
    let roads: Vec<&str> = report["reads"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["reader_organization_id"] == cast.enterprise_org)
        .map(|r| r["road"].as_str().unwrap())
        .collect();
    for road in ["get", "list", "search"] {
        assert!(roads.contains(&road), "{road} not in {roads:?}");
    }
    assert!(
        report["reads"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["reader_organization_id"] != other_org)
    );

    // After the expiry, the grantee is back to the registered tier.
    app.execute(&format!(
        "UPDATE access_grants SET expires_at = '2026-01-01 00:00:00' WHERE id = {}",
        granted["grant_id"]
    ))
    .await;
    let after = app.get(&page, Some(&cast.enterprise)).await.json();
    assert_eq!(after["disclosed_tier"], "registered");
    assert!(after.get("confidential_details").is_none());
    let report = app.get(&report_path, Some(&cast.owner)).await.json();
    assert_eq!(report["grants"][0]["active"], false);

    // A refusal grants nothing.
    let second = app
        .post("/api/v1/access-requests", Some(&other), ask.clone())
        .await
        .json();
    let refused = app
        .post(
            &format!("/api/v1/access-requests/{}/refuse", second["id"]),
            Some(&cast.owner),
            json!({"note": "Chưa phù hợp"}),
        )
        .await
        .json();
    assert_eq!(refused["status"], "refused");
    assert!(refused["grant_id"].is_null());
    assert_eq!(
        app.get(&page, Some(&other)).await.json()["disclosed_tier"],
        "registered"
    );
    assert_eq!(
        ids(&app
            .get("/api/v1/access-requests?box=received", Some(&cast.owner))
            .await
            .json()),
        vec![second["id"].as_i64().unwrap(), id]
    );
    assert_eq!(
        ids(&app
            .get("/api/v1/access-requests?box=sent", Some(&other))
            .await
            .json()),
        vec![second["id"].as_i64().unwrap()]
    );
}

#[actix_web::test]
async fn access_to_an_anonymous_request_is_decided_by_brokers() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let request = published(
        &app,
        "requests",
        &cast.enterprise,
        &cast.moderator,
        request_body(
            "Cần công nghệ khử mùi chuồng trại",
            json!({"anonymous": true}),
        ),
    )
    .await;
    let asked = app
        .post(
            "/api/v1/access-requests",
            Some(&cast.owner),
            json!({"entity": "request", "entity_id": request, "message": "Để đề xuất giải pháp."}),
        )
        .await
        .json();
    assert_eq!(asked["routed_to"], "broker");
    let id = asked["id"].as_i64().unwrap();
    // The requester is not asked (it would reveal itself by answering).
    app.get(
        &format!("/api/v1/access-requests/{id}"),
        Some(&cast.enterprise),
    )
    .await
    .assert_error(404, "not_found");
    app.post(
        &format!("/api/v1/access-requests/{id}/grant"),
        Some(&cast.enterprise),
        json!({"expires_at": in_days(10)}),
    )
    .await
    .assert_error(404, "not_found");
    let granted = app
        .post(
            &format!("/api/v1/access-requests/{id}/grant"),
            Some(&cast.broker),
            json!({"expires_at": in_days(10)}),
        )
        .await
        .json();
    assert_eq!(granted["status"], "granted");
    let seen = app
        .get(&format!("/api/v1/requests/{request}"), Some(&cast.owner))
        .await
        .json();
    assert_eq!(seen["disclosed_tier"], "confidential");
    // The requester's own organization sees the report of its record.
    let report = app
        .get(
            &format!("/api/v1/requests/{request}/access"),
            Some(&cast.enterprise),
        )
        .await
        .json();
    assert_eq!(report["grants"][0]["organization_id"], cast.owner_org);
}
