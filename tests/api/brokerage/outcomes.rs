//! Outcomes, recorded by brokers with what each kind needs.

use crate::support::{Cast, TestApp, ids, listing_body, published};
use serde_json::json;

#[actix_web::test]
async fn outcomes_are_recorded_by_brokers_with_what_each_kind_needs() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let listing = published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body("Giống lúa chịu mặn", json!({})),
    )
    .await;
    let spin_off = json!({
        "kind": "spin_off",
        "title": "Công ty TNHH Giống lúa Hồng Đức",
        "occurred_on": "2026-10-01",
        "listing_id": listing,
        "company_name": "Công ty TNHH Giống lúa Hồng Đức",
        "parent_organization_id": cast.owner_org,
        "ip_contributed": "Quyền đối với giống lúa TH8"
    });
    app.post("/api/v1/outcomes", Some(&cast.owner), spin_off.clone())
        .await
        .assert_error(403, "forbidden");
    let mut incomplete = spin_off.clone();
    incomplete
        .as_object_mut()
        .unwrap()
        .remove("parent_organization_id");
    incomplete["occurred_on"] = json!("2099-01-01");
    let refused = app
        .post("/api/v1/outcomes", Some(&cast.broker), incomplete)
        .await
        .assert_error(400, "invalid_input");
    let fields: Vec<&str> = refused["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"parent_organization_id") && fields.contains(&"occurred_on"));
    app.post(
        "/api/v1/outcomes",
        Some(&cast.broker),
        json!({"kind": "commercialisation", "title": "Đưa vào sản xuất", "occurred_on": "2026-09-01"}),
    )
    .await
    .assert_error(400, "invalid_input");
    let mut dangling = spin_off.clone();
    dangling["listing_id"] = json!(999_999);
    app.post("/api/v1/outcomes", Some(&cast.broker), dangling)
        .await
        .assert_error(400, "invalid_input");
    let recorded = app
        .post("/api/v1/outcomes", Some(&cast.broker), spin_off)
        .await;
    assert_eq!(
        recorded.status,
        201,
        "{}",
        String::from_utf8_lossy(&recorded.body)
    );
    let recorded = recorded.json();
    assert_eq!(recorded["kind"], "spin_off");
    assert_eq!(recorded["parent_organization_id"], cast.owner_org);
    let support = app
        .post(
            "/api/v1/outcomes",
            Some(&cast.broker),
            json!({"kind": "startup_support", "title": "Ươm tạo 6 tháng", "occurred_on": "2026-11-01", "organization_id": cast.enterprise_org, "support_kind": "incubation"}),
        )
        .await
        .json();
    assert_eq!(support["support_kind"], "incubation");
    // Who sees what.
    assert_eq!(
        app.get("/api/v1/outcomes", Some(&cast.broker)).await.json()["total"],
        2
    );
    let owner = app.get("/api/v1/outcomes", Some(&cast.owner)).await.json();
    assert_eq!(ids(&owner), vec![recorded["id"].as_i64().unwrap()]);
    assert_eq!(
        app.get(
            "/api/v1/outcomes?kind=startup_support",
            Some(&cast.enterprise)
        )
        .await
        .json()["total"],
        1
    );
    assert_eq!(
        app.get("/api/v1/outcomes", Some(&cast.unverified))
            .await
            .json()["total"],
        0
    );
}
