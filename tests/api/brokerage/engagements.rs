//! The deal pipeline: engagements move along their stages, a signed contract closes the
//! listing; engagements from an inquiry or an event.

use crate::support::{Cast, TestApp, listing_body, published, request_body};
use serde_json::{Value, json};

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
