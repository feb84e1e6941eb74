//! Brokerage: saved matches through introduction to each side's answer, and inquiries with
//! their threads, with every role's permissions.

use crate::support::{Cast, TestApp, ids, listing_body, published, request_body};
use serde_json::{Value, json};

#[actix_web::test]
async fn a_broker_match_goes_from_suggestion_through_introduction_to_the_answers() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let listing = published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body(
            "Chế phẩm vi sinh xử lý nước thải chăn nuôi",
            json!({"sci_fields": ["2.7"], "trl": 7}),
        ),
    )
    .await;
    let request = published(
        &app,
        "requests",
        &cast.enterprise,
        &cast.moderator,
        request_body("Cần công nghệ xử lý nước thải chăn nuôi lợn", json!({})),
    )
    .await;
    app.index_changes().await;
    let pair =
        json!({"listing_id": listing, "request_id": request, "note": "Hai bên cùng ở Thanh Hóa"});

    // Only staff, or owners and editors of either side, save matches.
    app.post("/api/v1/matches", None, pair.clone())
        .await
        .assert_error(401, "unauthenticated");
    app.post("/api/v1/matches", Some(&cast.unverified), pair.clone())
        .await
        .assert_error(403, "forbidden");
    let created = app
        .post("/api/v1/matches", Some(&cast.broker), pair.clone())
        .await;
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let m = created.json();
    let id = m["id"].as_i64().unwrap();
    assert_eq!(
        created.header("location").unwrap(),
        format!("/api/v1/matches/{id}")
    );
    assert_eq!(m["source"], "broker");
    assert_eq!(m["status"], "suggested");
    assert_eq!(
        m["listing_title"],
        "Chế phẩm vi sinh xử lý nước thải chăn nuôi"
    );
    let score = m["score"].as_f64().unwrap();
    assert!(score > 0.0 && score <= 1.0, "{m}");
    assert_eq!(m["explanation"].as_array().unwrap().len(), 7);
    app.post("/api/v1/matches", Some(&cast.broker), pair.clone())
        .await
        .assert_error(409, "conflict");

    // A suggestion is the brokers' until introduced.
    let path = format!("/api/v1/matches/{id}");
    for token in [&cast.owner, &cast.enterprise, &cast.unverified] {
        app.get(&path, Some(token))
            .await
            .assert_error(404, "not_found");
        assert!(ids(&app.get("/api/v1/matches", Some(token)).await.json()).is_empty());
    }
    assert_eq!(app.get(&path, Some(&cast.moderator)).await.status, 200);
    assert_eq!(
        ids(&app.get("/api/v1/matches", Some(&cast.broker)).await.json()),
        vec![id]
    );

    // Introduction: brokers only, once.
    let introduce = format!("/api/v1/matches/{id}/introduce");
    app.post(&introduce, Some(&cast.owner), json!({}))
        .await
        .assert_error(404, "not_found");
    let introduced = app
        .post(
            &introduce,
            Some(&cast.broker),
            json!({"note": "Đã gửi thư giới thiệu"}),
        )
        .await;
    assert_eq!(introduced.status, 200);
    assert_eq!(introduced.json()["status"], "introduced");
    app.post(&introduce, Some(&cast.broker), json!({}))
        .await
        .assert_error(409, "conflict");
    app.post(&introduce, Some(&cast.owner), json!({}))
        .await
        .assert_error(403, "forbidden");

    // Both sides see it now; outsiders still do not.
    for token in [&cast.owner, &cast.enterprise] {
        assert_eq!(app.get(&path, Some(token)).await.status, 200);
        let listed = app
            .get("/api/v1/matches?status=introduced", Some(token))
            .await
            .json();
        assert_eq!(ids(&listed), vec![id]);
        assert_eq!(listed["total"], 1);
    }
    app.get(&path, Some(&cast.unverified))
        .await
        .assert_error(404, "not_found");

    // Each side answers once; a decline needs a reason.
    let answer = format!("/api/v1/matches/{id}/answer");
    app.post(&answer, Some(&cast.broker), json!({"answer": "accept"}))
        .await
        .assert_error(403, "forbidden");
    app.post(
        &answer,
        Some(&cast.owner),
        json!({"answer": "accept", "reason": "other"}),
    )
    .await
    .assert_error(400, "invalid_input");
    let accepted = app
        .post(
            &answer,
            Some(&cast.owner),
            json!({"answer": "accept", "note": "Sẵn sàng"}),
        )
        .await
        .json();
    assert_eq!(accepted["status"], "introduced");
    assert_eq!(accepted["listing_side"]["answer"], "accept");
    app.post(
        &answer,
        Some(&cast.owner),
        json!({"answer": "decline", "reason": "other"}),
    )
    .await
    .assert_error(409, "conflict");
    app.post(
        &answer,
        Some(&cast.enterprise),
        json!({"answer": "decline"}),
    )
    .await
    .assert_error(400, "invalid_input");
    app.post(
        &answer,
        Some(&cast.enterprise),
        json!({"answer": "decline", "reason": "cheap"}),
    )
    .await
    .assert_error(400, "invalid_input");
    let declined = app
        .post(
            &answer,
            Some(&cast.enterprise),
            json!({"answer": "decline", "reason": "price_terms"}),
        )
        .await
        .json();
    assert_eq!(declined["status"], "declined");
    assert_eq!(declined["request_side"]["reason"], "price_terms");
    // Nothing was written by the refused calls: the stored match reads the same.
    let stored = app.get(&path, Some(&cast.broker)).await.json();
    assert_eq!(stored["listing_side"]["answer"], "accept");
    assert_eq!(stored["request_side"]["answer"], "decline");
    assert_eq!(stored["status"], "declined");
}

#[actix_web::test]
async fn an_owner_keeps_a_suggestion_and_the_other_side_accepts_it() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let listing = published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body("Máy sấy nông sản năng lượng mặt trời", json!({})),
    )
    .await;
    let request = published(
        &app,
        "requests",
        &cast.enterprise,
        &cast.moderator,
        request_body("Cần máy sấy chuối bằng năng lượng mặt trời", json!({})),
    )
    .await;
    let draft = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Bản nháp máy sấy", json!({})),
        )
        .await;
    app.index_changes().await;

    // The requester keeps the algorithm's suggestion: its own side accepts at once.
    let kept = app
        .post(
            "/api/v1/matches",
            Some(&cast.enterprise),
            json!({"listing_id": listing, "request_id": request}),
        )
        .await;
    assert_eq!(kept.status, 201, "{}", String::from_utf8_lossy(&kept.body));
    let m = kept.json();
    let id = m["id"].as_i64().unwrap();
    assert_eq!(m["source"], "self");
    assert_eq!(m["request_side"]["answer"], "accept");
    assert!(m["listing_side"]["answer"].is_null());
    // The requester sees it; the listing's owner not before the introduction.
    assert_eq!(
        ids(&app
            .get("/api/v1/matches", Some(&cast.enterprise))
            .await
            .json()),
        vec![id]
    );
    assert!(ids(&app.get("/api/v1/matches", Some(&cast.owner)).await.json()).is_empty());
    // Answers wait for the introduction.
    app.post(
        &format!("/api/v1/matches/{id}/answer"),
        Some(&cast.enterprise),
        json!({"answer": "accept"}),
    )
    .await
    .assert_error(409, "conflict");
    // Unpublished records are never matched: unseen (404) for outsiders, 409 for staff.
    app.post(
        "/api/v1/matches",
        Some(&cast.enterprise),
        json!({"listing_id": draft, "request_id": request}),
    )
    .await
    .assert_error(404, "not_found");
    app.post(
        "/api/v1/matches",
        Some(&cast.broker),
        json!({"listing_id": draft, "request_id": request}),
    )
    .await
    .assert_error(409, "conflict");

    app.post(
        &format!("/api/v1/matches/{id}/introduce"),
        Some(&cast.broker),
        json!({}),
    )
    .await;
    let accepted = app
        .post(
            &format!("/api/v1/matches/{id}/answer"),
            Some(&cast.owner),
            json!({"answer": "accept"}),
        )
        .await
        .json();
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(
        ids(&app
            .get(
                &format!("/api/v1/matches?listing_id={listing}"),
                Some(&cast.owner)
            )
            .await
            .json()),
        vec![id]
    );
    app.get("/api/v1/matches?status=bogus", Some(&cast.owner))
        .await
        .assert_error(400, "invalid_input");
}

#[actix_web::test]
async fn inquiries_reach_the_owner_or_the_brokers_and_are_answered_in_a_thread() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let listing = published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body("Giống lúa chịu mặn ven biển", json!({})),
    )
    .await;
    let draft = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Bản nháp giống lúa", json!({})),
        )
        .await;
    let inquiry = json!({
        "entity": "listing",
        "entity_id": listing,
        "cooperation_sought": ["license"],
        "missing": "Năng suất trên đất nhiễm mặn nặng",
        "about_us": "Doanh nghiệp mía đường",
        "message": "Chúng tôi muốn trồng thử 5 ha."
    });

    // Who may send one.
    app.post("/api/v1/inquiries", Some(&cast.unverified), inquiry.clone())
        .await
        .assert_error(403, "forbidden");
    app.post("/api/v1/inquiries", Some(&cast.owner), inquiry.clone())
        .await
        .assert_error(409, "conflict");
    app.post(
        "/api/v1/inquiries",
        Some(&cast.enterprise),
        json!({"entity": "listing", "entity_id": draft, "message": "?"}),
    )
    .await
    .assert_error(404, "not_found");
    let mut no_message = inquiry.clone();
    no_message["message"] = json!("  ");
    app.post("/api/v1/inquiries", Some(&cast.enterprise), no_message)
        .await
        .assert_error(400, "invalid_input");
    let sent = app
        .post("/api/v1/inquiries", Some(&cast.enterprise), inquiry.clone())
        .await;
    assert_eq!(sent.status, 201, "{}", String::from_utf8_lossy(&sent.body));
    let sent = sent.json();
    let id = sent["id"].as_i64().unwrap();
    assert_eq!(sent["routed_to"], "owner");
    assert_eq!(sent["organization_id"], cast.enterprise_org);
    assert_eq!(sent["cooperation_sought"], json!(["license"]));

    // Who sees it.
    let path = format!("/api/v1/inquiries/{id}");
    assert_eq!(
        ids(&app
            .get("/api/v1/inquiries?box=sent", Some(&cast.enterprise))
            .await
            .json()),
        vec![id]
    );
    assert!(
        ids(&app
            .get("/api/v1/inquiries?box=received", Some(&cast.enterprise))
            .await
            .json())
        .is_empty()
    );
    assert_eq!(
        ids(&app
            .get("/api/v1/inquiries?box=received", Some(&cast.owner))
            .await
            .json()),
        vec![id]
    );
    assert_eq!(
        ids(&app
            .get("/api/v1/inquiries", Some(&cast.broker))
            .await
            .json()),
        vec![id]
    );
    app.get(&path, Some(&cast.unverified))
        .await
        .assert_error(404, "not_found");

    // The thread.
    let reply = format!("/api/v1/inquiries/{id}/messages");
    app.post(&reply, Some(&cast.owner), json!({"body": ""}))
        .await
        .assert_error(400, "invalid_input");
    app.post(&reply, Some(&cast.unverified), json!({"body": "xin chào"}))
        .await
        .assert_error(404, "not_found");
    app.post(
        &reply,
        Some(&cast.owner),
        json!({"body": "Xin gửi số liệu thử nghiệm."}),
    )
    .await;
    let thread = app
        .post(
            &reply,
            Some(&cast.enterprise),
            json!({"body": "Cảm ơn, hẹn gặp."}),
        )
        .await
        .json();
    let sides: Vec<&str> = thread["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["side"].as_str().unwrap())
        .collect();
    assert_eq!(sides, vec!["owner", "inquirer"]);
    assert_eq!(
        app.get(&path, Some(&cast.owner)).await.json()["messages"],
        thread["messages"]
    );

    // Closed: no more replies.
    let closed = app
        .post(
            &format!("/api/v1/inquiries/{id}/close"),
            Some(&cast.enterprise),
            json!({}),
        )
        .await
        .json();
    assert_eq!(closed["status"], "closed");
    app.post(
        &reply,
        Some(&cast.owner),
        json!({"body": "Còn một câu hỏi"}),
    )
    .await
    .assert_error(409, "conflict");
    assert_eq!(
        app.get(&path, Some(&cast.owner)).await.json()["messages"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[actix_web::test]
async fn an_inquiry_about_an_anonymous_request_goes_to_the_brokers_and_keeps_the_requester_hidden()
{
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
    let sent = app
        .post(
            "/api/v1/inquiries",
            Some(&cast.owner),
            json!({"entity": "request", "entity_id": request, "message": "Chúng tôi có chế phẩm phù hợp."}),
        )
        .await;
    assert_eq!(sent.status, 201, "{}", String::from_utf8_lossy(&sent.body));
    let id = sent.json()["id"].as_i64().unwrap();
    assert_eq!(sent.json()["routed_to"], "broker");
    let path = format!("/api/v1/inquiries/{id}");
    // The requester does not receive it (the brokers do), so it cannot answer as itself.
    app.get(&path, Some(&cast.enterprise))
        .await
        .assert_error(404, "not_found");
    assert!(
        ids(&app
            .get("/api/v1/inquiries?box=received", Some(&cast.enterprise))
            .await
            .json())
        .is_empty()
    );
    assert_eq!(
        ids(&app
            .get("/api/v1/inquiries?box=received", Some(&cast.broker))
            .await
            .json()),
        vec![id]
    );
    let answered = app
        .post(
            &format!("/api/v1/inquiries/{id}/messages"),
            Some(&cast.broker),
            json!({"body": "Bên có nhu cầu quan tâm, xin gửi hồ sơ."}),
        )
        .await;
    assert_eq!(answered.status, 200);
    assert_eq!(answered.json()["messages"][0]["side"], "broker");
    // What the inquirer reads names no requester.
    let seen = app.get(&path, Some(&cast.owner)).await;
    let text = String::from_utf8_lossy(&seen.body).to_string();
    assert!(!text.contains("Lam Sơn"), "{text}");
    assert!(
        !text.contains(&format!("\"organization_id\":{}", cast.enterprise_org)),
        "{text}"
    );
}

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

async fn user_id(app: &TestApp, token: &str) -> i64 {
    let me = app.get("/api/v1/me", Some(token)).await.json();
    me["user"]["id"]
        .as_i64()
        .or_else(|| me["id"].as_i64())
        .unwrap_or_else(|| panic!("{me}"))
}

async fn stage(app: &TestApp, id: i64, token: &str, body: Value) -> crate::support::Reply {
    app.post(
        &format!("/api/v1/engagements/{id}/stage"),
        Some(token),
        body,
    )
    .await
}

#[actix_web::test]
async fn an_engagement_moves_only_along_the_pipeline_and_a_signed_contract_closes_the_listing() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let listing = published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body("Chế phẩm vi sinh xử lý nước thải chăn nuôi", json!({})),
    )
    .await;
    let request = published(
        &app,
        "requests",
        &cast.enterprise,
        &cast.moderator,
        request_body("Cần xử lý nước thải chăn nuôi lợn", json!({})),
    )
    .await;
    let other_request = published(
        &app,
        "requests",
        &cast.enterprise,
        &cast.moderator,
        request_body("Cần khử mùi trại lợn", json!({})),
    )
    .await;
    app.index_changes().await;
    let matched = app
        .post(
            "/api/v1/matches",
            Some(&cast.broker),
            json!({"listing_id": listing, "request_id": request}),
        )
        .await
        .json();
    let suggested = app
        .post(
            "/api/v1/matches",
            Some(&cast.broker),
            json!({"listing_id": listing, "request_id": other_request}),
        )
        .await
        .json();
    app.post(
        &format!("/api/v1/matches/{}/introduce", matched["id"]),
        Some(&cast.broker),
        json!({}),
    )
    .await;
    let broker_id = user_id(&app, &cast.broker).await;
    let owner_id = user_id(&app, &cast.owner).await;

    // Opening one: staff only, from an introduced match, exactly one origin.
    let open = json!({"match_id": matched["id"], "assignee_id": broker_id, "next_action": "Gửi NDA", "next_action_on": "2026-12-15"});
    app.post("/api/v1/engagements", Some(&cast.owner), open.clone())
        .await
        .assert_error(403, "forbidden");
    app.post(
        "/api/v1/engagements",
        Some(&cast.broker),
        json!({"match_id": suggested["id"]}),
    )
    .await
    .assert_error(409, "conflict");
    app.post("/api/v1/engagements", Some(&cast.broker), json!({}))
        .await
        .assert_error(400, "invalid_input");
    app.post(
        "/api/v1/engagements",
        Some(&cast.broker),
        json!({"match_id": matched["id"], "assignee_id": owner_id}),
    )
    .await
    .assert_error(400, "invalid_input");
    let opened = app
        .post("/api/v1/engagements", Some(&cast.broker), open)
        .await;
    assert_eq!(
        opened.status,
        201,
        "{}",
        String::from_utf8_lossy(&opened.body)
    );
    let e = opened.json();
    let id = e["id"].as_i64().unwrap();
    assert_eq!(e["stage"], "introduced");
    assert_eq!(e["origin"], "match");
    assert_eq!(e["listing_id"], listing);
    assert_eq!(e["organization_id"], cast.enterprise_org);
    assert_eq!(e["assignee_id"], broker_id);
    assert_eq!(e["next_action_on"], "2026-12-15");

    // Illegal moves are 409 and change nothing.
    for illegal in ["contract_signed", "completed", "implementing", "inquiry"] {
        let body = if illegal == "contract_signed" {
            json!({"stage": illegal, "contract": {"kind": "license", "value_vnd": 1, "signed_on": "2026-11-01"}})
        } else {
            json!({"stage": illegal})
        };
        stage(&app, id, &cast.broker, body)
            .await
            .assert_error(409, "conflict");
    }
    stage(&app, id, &cast.owner, json!({"stage": "meeting_held"}))
        .await
        .assert_error(403, "forbidden");
    let path = format!("/api/v1/engagements/{id}");
    assert_eq!(
        app.get(&path, Some(&cast.broker)).await.json()["stage"],
        "introduced"
    );

    // Along the pipeline, with a hold and a resume.
    for next in ["nda_signed", "meeting_held", "negotiation", "on_hold"] {
        let moved = stage(&app, id, &cast.broker, json!({"stage": next})).await;
        assert_eq!(
            moved.status,
            200,
            "{next}: {}",
            String::from_utf8_lossy(&moved.body)
        );
    }
    stage(&app, id, &cast.broker, json!({"stage": "meeting_held"}))
        .await
        .assert_error(409, "conflict");
    let resumed = stage(&app, id, &cast.broker, json!({"stage": "negotiation"}))
        .await
        .json();
    assert_eq!(resumed["stage"], "negotiation");
    stage(&app, id, &cast.broker, json!({"stage": "lost"}))
        .await
        .assert_error(400, "invalid_input");
    stage(&app, id, &cast.broker, json!({"stage": "contract_signed"}))
        .await
        .assert_error(400, "invalid_input");
    stage(
        &app,
        id,
        &cast.broker,
        json!({"stage": "contract_signed", "contract": {"kind": "license", "signed_on": "2099-01-01"}}),
    )
    .await
    .assert_error(400, "invalid_input");
    assert_eq!(
        app.get(&format!("/api/v1/listings/{listing}"), Some(&cast.owner))
            .await
            .json()["status"],
        "published"
    );

    // Signing: the contract is recorded and the listing closes as transferred, pointing to it.
    let signed = stage(
        &app,
        id,
        &cast.broker,
        json!({"stage": "contract_signed", "note": "Ký tại Sở KH&CN", "contract": {"kind": "license", "value_vnd": 350_000_000i64, "signed_on": "2026-11-20", "transfer_form": "standalone"}}),
    )
    .await;
    assert_eq!(
        signed.status,
        200,
        "{}",
        String::from_utf8_lossy(&signed.body)
    );
    let signed = signed.json();
    let contract = signed["contract"].clone();
    assert_eq!(contract["kind"], "license");
    assert_eq!(contract["value_vnd"], 350_000_000i64);
    assert_eq!(contract["listing_id"], listing);
    let closed = app
        .get(&format!("/api/v1/listings/{listing}"), Some(&cast.owner))
        .await
        .json();
    assert_eq!(closed["status"], "transferred");
    let history = app
        .get(
            &format!("/api/v1/listings/{listing}/history"),
            Some(&cast.owner),
        )
        .await
        .json();
    let last = history["items"].as_array().unwrap().last().unwrap().clone();
    assert!(
        last["note"]
            .as_str()
            .unwrap()
            .contains(&format!("contract {}", contract["id"])),
        "{last}"
    );
    let contracts = app
        .get(
            &format!("/api/v1/listings/{listing}/contracts"),
            Some(&cast.owner),
        )
        .await
        .json();
    assert_eq!(contracts["total"], 1);
    assert_eq!(contracts["items"][0]["id"], contract["id"]);
    // A transferred listing is no longer published: outsiders cannot see it, nor its contracts.
    app.get(
        &format!("/api/v1/listings/{listing}/contracts"),
        Some(&cast.unverified),
    )
    .await
    .assert_error(404, "not_found");

    // On to the end; nothing after it.
    stage(&app, id, &cast.broker, json!({"stage": "completed"}))
        .await
        .assert_error(409, "conflict");
    for next in ["implementing", "completed"] {
        assert_eq!(
            stage(&app, id, &cast.broker, json!({"stage": next}))
                .await
                .status,
            200
        );
    }
    stage(
        &app,
        id,
        &cast.broker,
        json!({"stage": "lost", "reason": "x"}),
    )
    .await
    .assert_error(409, "conflict");

    // The parties follow it and add notes; outsiders do not see it.
    let noted = app
        .post(
            &format!("/api/v1/engagements/{id}/notes"),
            Some(&cast.enterprise),
            json!({"body": "Đã nhận bàn giao tài liệu"}),
        )
        .await;
    assert_eq!(noted.status, 200);
    let events: Vec<(String, Option<String>)> = noted.json()["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_owned(),
                e["to_stage"].as_str().map(str::to_owned),
            )
        })
        .collect();
    let stages: Vec<&str> = events
        .iter()
        .filter_map(|(kind, to)| if kind == "stage" { to.as_deref() } else { None })
        .collect();
    assert_eq!(
        stages,
        vec![
            "introduced",
            "nda_signed",
            "meeting_held",
            "negotiation",
            "on_hold",
            "negotiation",
            "contract_signed",
            "implementing",
            "completed"
        ]
    );
    assert_eq!(events.last().unwrap().0, "note");
    assert_eq!(app.get(&path, Some(&cast.owner)).await.status, 200);
    app.get(&path, Some(&cast.unverified))
        .await
        .assert_error(404, "not_found");
    assert_eq!(
        app.get("/api/v1/engagements?stage=completed", Some(&cast.owner))
            .await
            .json()["total"],
        1
    );
    assert_eq!(
        app.get("/api/v1/engagements", Some(&cast.unverified))
            .await
            .json()["total"],
        0
    );
    let patched = app
        .patch(
            &path,
            Some(&cast.broker),
            json!({"next_action": "Đánh giá sau 6 tháng"}),
        )
        .await
        .json();
    assert_eq!(patched["next_action"], "Đánh giá sau 6 tháng");
    app.patch(&path, Some(&cast.owner), json!({"next_action": "?"}))
        .await
        .assert_error(403, "forbidden");
}

#[actix_web::test]
async fn an_engagement_opens_from_an_inquiry_or_an_event_and_can_be_lost_with_a_reason() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let listing = published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body("Máy sấy nông sản", json!({})),
    )
    .await;
    let inquiry = app
        .post(
            "/api/v1/inquiries",
            Some(&cast.enterprise),
            json!({"entity": "listing", "entity_id": listing, "message": "Giá bao nhiêu?"}),
        )
        .await
        .json();
    let e = app
        .post(
            "/api/v1/engagements",
            Some(&cast.broker),
            json!({"inquiry_id": inquiry["id"]}),
        )
        .await
        .json();
    assert_eq!(e["origin"], "inquiry");
    assert_eq!(e["stage"], "inquiry");
    assert_eq!(e["organization_id"], cast.enterprise_org);
    let lost = stage(
        &app,
        e["id"].as_i64().unwrap(),
        &cast.broker,
        json!({"stage": "lost", "reason": "Bên mua chọn giải pháp khác"}),
    )
    .await
    .json();
    assert_eq!(lost["stage"], "lost");
    assert_eq!(lost["lost_reason"], "Bên mua chọn giải pháp khác");
    app.post(
        "/api/v1/engagements",
        Some(&cast.broker),
        json!({"event_name": "Techmart Thanh Hóa 2026"}),
    )
    .await
    .assert_error(400, "invalid_input");
    let from_event = app
        .post(
            "/api/v1/engagements",
            Some(&cast.broker),
            json!({"event_name": "Techmart Thanh Hóa 2026", "listing_id": listing, "organization_id": cast.enterprise_org}),
        )
        .await
        .json();
    assert_eq!(from_event["origin"], "event");
    assert_eq!(from_event["event_name"], "Techmart Thanh Hóa 2026");
}

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
