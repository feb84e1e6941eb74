//! Technology needs: lifecycle, tiers, and anonymous requesters on every road.

use crate::support::{Cast, TestApp, request_body};
use serde_json::{Value, json};

fn has(value: &Value, text: &str) -> bool {
    value.to_string().contains(text)
}

#[actix_web::test]
async fn a_request_goes_through_its_lifecycle_and_closes_as_fulfilled() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let id = app
        .create_record(
            "requests",
            &cast.enterprise,
            request_body("Cần công nghệ xử lý nước thải chăn nuôi", json!({})),
        )
        .await;
    let path = format!("/api/v1/requests/{id}");
    let draft = app.get(&path, Some(&cast.enterprise)).await.json();
    assert_eq!(draft["status"], "draft");
    assert!(draft["code"].as_str().unwrap().starts_with("TX-R-"));
    app.get(&path, None).await.assert_error(404, "not_found");
    app.act("requests", id, &cast.enterprise, "publish")
        .await
        .assert_error(403, "forbidden");
    app.publish("requests", id, &cast.enterprise, &cast.moderator)
        .await;
    assert_eq!(app.get(&path, None).await.json()["status"], "published");
    assert_eq!(
        app.act("requests", id, &cast.enterprise, "close")
            .await
            .json()["status"],
        "fulfilled"
    );
    let body = app
        .act("requests", id, &cast.admin, "renew")
        .await
        .assert_error(409, "conflict");
    assert!(body["message"].as_str().unwrap().contains("fulfilled"));
    let history = app
        .get(&format!("{path}/history"), Some(&cast.enterprise))
        .await
        .json();
    assert_eq!(history["total"], 4);
}

#[actix_web::test]
async fn each_role_sees_exactly_its_tiers_of_a_request() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let id = app
        .create_record(
            "requests",
            &cast.enterprise,
            request_body("Cần dây chuyền sấy lạnh nông sản", json!({})),
        )
        .await;
    app.publish("requests", id, &cast.enterprise, &cast.moderator)
        .await;
    let path = format!("/api/v1/requests/{id}");
    let callers: [(&str, Option<&str>, &str); 6] = [
        ("anonymous", None, "public"),
        ("verified university", Some(&cast.owner), "registered"),
        ("unverified member", Some(&cast.unverified), "public"),
        ("requester", Some(&cast.enterprise), "confidential"),
        ("broker", Some(&cast.broker), "confidential"),
        ("moderator", Some(&cast.moderator), "confidential"),
    ];
    for (who, token, tier) in callers {
        let got = app.get(&path, token).await.json();
        let listed = app.get("/api/v1/requests", token).await.json()["items"][0].clone();
        for view in [&got, &listed] {
            assert_eq!(view["disclosed_tier"], tier, "{who}");
            assert_eq!(
                has(view, "REGISTERED-REQUIREMENTS"),
                tier != "public",
                "{who}"
            );
            assert_eq!(
                has(view, "CONFIDENTIAL-BUDGET-NOTE"),
                tier == "confidential",
                "{who}"
            );
            // Not anonymous: everyone sees the requester.
            assert_eq!(view["organization_id"], cast.enterprise_org, "{who}");
        }
    }
}

#[actix_web::test]
async fn an_anonymous_request_never_reveals_its_requester_to_outsiders() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let id = app
        .create_record(
            "requests",
            &cast.enterprise,
            request_body(
                "Cần đối tác nghiên cứu giống mía",
                json!({"anonymous": true}),
            ),
        )
        .await;
    app.publish("requests", id, &cast.enterprise, &cast.moderator)
        .await;
    let path = format!("/api/v1/requests/{id}");
    let org = cast.enterprise_org;
    let outsiders: [(&str, Option<&str>); 3] = [
        ("anonymous", None),
        ("verified university", Some(&cast.owner)),
        ("unverified member", Some(&cast.unverified)),
    ];
    for (who, token) in outsiders {
        let got = app.get(&path, token).await.json();
        let list = app.get("/api/v1/requests", token).await.json();
        let export = String::from_utf8(
            app.get("/api/v1/requests/export?format=jsonl", token)
                .await
                .body,
        )
        .unwrap();
        let csv = String::from_utf8(app.get("/api/v1/requests/export", token).await.body).unwrap();
        for (road, text) in [
            ("get", got.to_string()),
            ("list", list.to_string()),
            ("jsonl", export),
            ("csv", csv),
        ] {
            assert!(!text.contains("Mía đường Lam Sơn"), "{who} {road}: {text}");
            assert!(
                !text.contains("Trần Văn Cường"),
                "{who} {road}: contact leaked"
            );
            assert!(!text.contains("0912 345 678"), "{who} {road}: phone leaked");
            assert!(
                !text.contains(&format!("\"organization_id\":{org}")),
                "{who} {road}: {text}"
            );
        }
        assert!(
            got["organization_id"].is_null() && got["organization_name"].is_null(),
            "{who}"
        );
        assert_eq!(got["anonymous"], true);
        // Filtering by the requester must not find it either.
        let filtered = app
            .get(&format!("/api/v1/requests?organization_id={org}"), token)
            .await
            .json();
        assert_eq!(
            filtered["total"], 0,
            "{who}: the filter revealed the requester"
        );
    }
    for (who, token) in [
        ("requester", &cast.enterprise),
        ("broker", &cast.broker),
        ("moderator", &cast.moderator),
    ] {
        let got = app.get(&path, Some(token)).await.json();
        assert_eq!(got["organization_id"], org, "{who}");
        assert_eq!(got["contact"]["name"], "Ông Trần Văn Cường", "{who}");
        let filtered = app
            .get(
                &format!("/api/v1/requests?organization_id={org}"),
                Some(token),
            )
            .await
            .json();
        assert_eq!(filtered["total"], 1, "{who}");
    }
}

#[actix_web::test]
async fn request_validation_reports_each_field_and_writes_nothing() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let before = app.change_count().await;
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({"problem": "ngắn"}), "problem", "length"),
        (json!({"trl_min": 12}), "trl_min", "range"),
        (
            json!({"budget_min_vnd": 9, "budget_max_vnd": 1}),
            "budget_max_vnd",
            "range",
        ),
        (
            json!({"accepted_cooperation_types": ["license", "training", "assignment", "technical_cooperation", "commercial_with_technical_assistance", "rd_cooperation", "contract_research", "joint_venture", "capital_contribution", "spin_off", "manufacturing", "technical_services", "equipment_sale", "pilot_testbed"]}),
            "",
            "",
        ),
        (
            json!({"requirements": "x".repeat(20_001)}),
            "requirements",
            "length",
        ),
    ];
    for (extra, field, code) in cases {
        let reply = app
            .post(
                "/api/v1/requests",
                Some(&cast.enterprise),
                request_body("Tiêu đề nhu cầu hợp lệ", extra.clone()),
            )
            .await;
        if field.is_empty() {
            // All fourteen cooperation types are a legitimate answer.
            assert_eq!(reply.status, 201, "{extra}");
            continue;
        }
        let body = reply.assert_error(400, "invalid_input");
        assert!(
            body["details"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["field"] == field && d["code"] == code),
            "{body}"
        );
    }
    app.post(
        "/api/v1/requests",
        Some(&cast.enterprise),
        request_body("Tiêu đề", json!({"deadline": "30/06/2027"})),
    )
    .await
    .assert_error(400, "invalid_input");
    assert_eq!(app.change_count().await, before + 1);
}
