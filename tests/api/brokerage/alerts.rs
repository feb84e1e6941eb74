//! Alerts: a newly published listing that matches a saved search or a marked request.

use crate::support::{Cast, TestApp, listing_body, published, request_body};
use serde_json::json;

#[actix_web::test]
async fn a_newly_published_listing_that_matches_a_saved_search_or_a_marked_request_raises_an_alert()
{
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let request = published(
        &app,
        "requests",
        &cast.enterprise,
        &cast.moderator,
        request_body(
            "Cần công nghệ xử lý nước thải chăn nuôi lợn",
            json!({"sci_fields": ["2.7"]}),
        ),
    )
    .await;
    let before = published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body(
            "Xử lý nước thải chăn nuôi bằng vi sinh (đăng trước)",
            json!({"sci_fields": ["2.7"], "trl": 7}),
        ),
    )
    .await;
    // Validation, and who may subscribe to what.
    app.post(
        "/api/v1/alert-subscriptions",
        Some(&cast.enterprise),
        json!({"kind": "search"}),
    )
    .await
    .assert_error(400, "invalid_input");
    app.post(
        "/api/v1/alert-subscriptions",
        Some(&cast.enterprise),
        json!({"kind": "request", "request_id": request, "threshold": 1.5}),
    )
    .await
    .assert_error(400, "invalid_input");
    let draft = app
        .create_record(
            "requests",
            &cast.enterprise,
            request_body("Nhu cầu nháp", json!({})),
        )
        .await;
    app.post(
        "/api/v1/alert-subscriptions",
        Some(&cast.owner),
        json!({"kind": "request", "request_id": draft}),
    )
    .await
    .assert_error(404, "not_found");
    let marked = app
        .post(
            "/api/v1/alert-subscriptions",
            Some(&cast.enterprise),
            json!({"kind": "request", "request_id": request, "threshold": 0.5}),
        )
        .await;
    assert_eq!(
        marked.status,
        201,
        "{}",
        String::from_utf8_lossy(&marked.body)
    );
    let saved = app
        .post(
            "/api/v1/alert-subscriptions",
            Some(&cast.unverified),
            json!({"kind": "search", "q": "nuoc thai chan nuoi", "sci_fields": ["2.7"], "threshold": 0.4}),
        )
        .await
        .json();
    // Let the publication times of the new listings come after the subscriptions.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let fitting = published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body(
            "Chế phẩm vi sinh xử lý nước thải chăn nuôi lợn",
            json!({"sci_fields": ["2.7"], "trl": 7}),
        ),
    )
    .await;
    let unrelated = published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body(
            "Giống lúa chịu mặn vùng ven biển",
            json!({"sci_fields": ["4.1"], "trl": 8, "summary": "Giống lúa thuần ngắn ngày chịu mặn cho đất ven biển nhiễm mặn."}),
        ),
    )
    .await;
    app.index_changes().await;
    let raised = techx_brokerage::sweep::sweep(&app.state.brokerage_services())
        .await
        .unwrap();
    assert_eq!(raised, 2);
    // Each subscriber sees its alert: the new fitting listing only, with the explanation.
    for (token, subscription) in [
        (&cast.enterprise, marked.json()["id"].clone()),
        (&cast.unverified, saved["id"].clone()),
    ] {
        let alerts = app.get("/api/v1/alerts", Some(token)).await.json();
        let listed: Vec<i64> = alerts["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["listing_id"].as_i64().unwrap())
            .collect();
        assert_eq!(listed, vec![fitting], "{alerts}");
        assert_eq!(alerts["items"][0]["subscription_id"], subscription);
        assert_eq!(
            alerts["items"][0]["explanation"].as_array().unwrap().len(),
            7
        );
        assert!(!listed.contains(&before) && !listed.contains(&unrelated));
    }
    // A second sweep raises nothing new; nobody else sees these alerts.
    assert_eq!(
        techx_brokerage::sweep::sweep(&app.state.brokerage_services())
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        app.get("/api/v1/alerts", Some(&cast.owner)).await.json()["total"],
        0
    );
    // Unsubscribing removes the subscription and its alerts, for its owner only.
    let path = format!("/api/v1/alert-subscriptions/{}", saved["id"]);
    app.delete(&path, Some(&cast.enterprise))
        .await
        .assert_error(404, "not_found");
    assert_eq!(app.delete(&path, Some(&cast.unverified)).await.status, 204);
    assert_eq!(
        app.get("/api/v1/alerts", Some(&cast.unverified))
            .await
            .json()["total"],
        0
    );
    assert_eq!(
        app.get("/api/v1/alert-subscriptions", Some(&cast.enterprise))
            .await
            .json()["total"],
        1
    );
}
