//! Inquiries: routed to the record's owner or to the brokers, answered in a thread; an anonymous
//! requester stays hidden.

use crate::support::{Cast, TestApp, ids, listing_body, published, request_body};
use serde_json::json;

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
