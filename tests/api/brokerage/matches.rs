//! Saved matches: from a broker's suggestion through introduction to each side's answer, and a
//! suggestion an owner keeps.

use crate::support::{Cast, TestApp, ids, listing_body, published, request_body};
use serde_json::json;

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
