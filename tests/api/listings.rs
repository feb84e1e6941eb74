//! Technology offers: lifecycle, tiers on every road, safe writes, validation, history.

use crate::support::{Cast, TestApp, listing_body};
use actix_web::http::Method;
use serde_json::{Value, json};

const SECRET: &str = "CONFIDENTIAL-SECRET";
const REGISTERED: &str = "REGISTERED-DETAILS";

#[actix_web::test]
async fn a_listing_goes_through_its_whole_lifecycle_by_the_right_roles() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let id = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Chế phẩm vi sinh xử lý nước thải", json!({})),
        )
        .await;
    let path = format!("/api/v1/listings/{id}");
    let draft = app.get(&path, Some(&cast.owner)).await.json();
    assert_eq!(draft["status"], "draft");
    assert!(draft["code"].as_str().unwrap().starts_with("TX-L-"));
    app.get(&path, None).await.assert_error(404, "not_found");

    // The owner cannot publish; the moderator cannot submit for the owner.
    app.act("listings", id, &cast.owner, "publish")
        .await
        .assert_error(403, "forbidden");
    app.act("listings", id, &cast.moderator, "submit")
        .await
        .assert_error(403, "forbidden");

    assert_eq!(
        app.act("listings", id, &cast.owner, "submit").await.json()["status"],
        "submitted"
    );
    assert_eq!(
        app.act("listings", id, &cast.moderator, "request_changes")
            .await
            .json()["status"],
        "changes_requested"
    );
    let edited = app
        .patch(
            &path,
            Some(&cast.owner),
            json!({"summary": "Tóm tắt đã được chỉnh sửa theo yêu cầu của kiểm duyệt viên."}),
        )
        .await;
    assert_eq!(edited.status, 200);
    assert_eq!(
        app.act("listings", id, &cast.owner, "submit").await.json()["status"],
        "submitted"
    );
    let published = app
        .act("listings", id, &cast.moderator, "publish")
        .await
        .json();
    assert_eq!(published["status"], "published");
    assert!(published["published_at"].is_string());
    let valid_until =
        chrono::DateTime::parse_from_rfc3339(published["valid_until"].as_str().unwrap()).unwrap();
    let days = (valid_until.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_days();
    assert!((363..=366).contains(&days), "{days}");

    // Published: public.
    assert_eq!(app.get(&path, None).await.json()["status"], "published");
    assert_eq!(
        app.act("listings", id, &cast.owner, "pause").await.json()["status"],
        "paused"
    );
    app.get(&path, None).await.assert_error(404, "not_found");
    assert_eq!(
        app.act("listings", id, &cast.owner, "resume").await.json()["status"],
        "published"
    );
    assert_eq!(
        app.act("listings", id, &cast.owner, "renew").await.json()["status"],
        "published"
    );
    let closed = app.act("listings", id, &cast.owner, "close").await.json();
    assert_eq!(closed["status"], "transferred");
    app.get(&path, None).await.assert_error(404, "not_found");

    let history = app
        .get(&format!("{path}/history?limit=100"), Some(&cast.owner))
        .await
        .json();
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "create",
            "submit",
            "request_changes",
            "update",
            "submit",
            "publish",
            "pause",
            "resume",
            "renew",
            "close"
        ]
    );
    assert_eq!(history["total"], 10);
}

#[actix_web::test]
async fn a_rejected_or_withdrawn_listing_stays_put() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let rejected = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Công nghệ bị từ chối", json!({})),
        )
        .await;
    app.act("listings", rejected, &cast.owner, "submit").await;
    assert_eq!(
        app.act("listings", rejected, &cast.moderator, "reject")
            .await
            .json()["status"],
        "rejected"
    );
    let withdrawn = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Công nghệ được rút lại", json!({})),
        )
        .await;
    app.publish("listings", withdrawn, &cast.owner, &cast.moderator)
        .await;
    assert_eq!(
        app.act("listings", withdrawn, &cast.owner, "withdraw")
            .await
            .json()["status"],
        "withdrawn"
    );
    for (id, status) in [(rejected, "rejected"), (withdrawn, "withdrawn")] {
        let body = app
            .act("listings", id, &cast.admin, "submit")
            .await
            .assert_error(409, "conflict");
        assert!(body["message"].as_str().unwrap().contains(status), "{body}");
    }
}

/// Statuses a test can reach through the API, with the actions allowed from each.
async fn listing_in(app: &TestApp, cast: &Cast, status: &str) -> i64 {
    let id = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body(&format!("Công nghệ ở trạng thái {status}"), json!({})),
        )
        .await;
    let steps: &[(&str, bool)] = match status {
        "draft" => &[],
        "submitted" => &[("submit", false)],
        "changes_requested" => &[("submit", false), ("request_changes", true)],
        "rejected" => &[("submit", false), ("reject", true)],
        "published" => &[("submit", false), ("publish", true)],
        "paused" => &[("submit", false), ("publish", true), ("pause", false)],
        "withdrawn" => &[("submit", false), ("publish", true), ("withdraw", false)],
        "transferred" => &[("submit", false), ("publish", true), ("close", false)],
        "expired" => &[("submit", false), ("publish", true)],
        other => panic!("{other}"),
    };
    for (action, by_moderator) in steps {
        let token = if *by_moderator {
            &cast.moderator
        } else {
            &cast.owner
        };
        assert_eq!(
            app.act("listings", id, token, action).await.status,
            200,
            "{status}: {action}"
        );
    }
    if status == "expired" {
        app.execute(&format!(
            "UPDATE listings SET valid_until = '2020-01-01 00:00:00' WHERE id = {id}"
        ))
        .await;
    }
    id
}

#[actix_web::test]
async fn every_illegal_transition_is_a_conflict_naming_the_status() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let allowed: &[(&str, &[&str])] = &[
        ("draft", &["submit"]),
        (
            "submitted",
            &["edit", "publish", "request_changes", "reject"],
        ),
        ("changes_requested", &["submit"]),
        ("published", &["pause", "withdraw", "close", "renew"]),
        ("paused", &["resume", "withdraw", "close"]),
        ("rejected", &[]),
        ("withdrawn", &[]),
        ("transferred", &[]),
        ("expired", &["renew"]),
    ];
    let actions = [
        "submit",
        "edit",
        "publish",
        "request_changes",
        "reject",
        "pause",
        "resume",
        "withdraw",
        "close",
        "renew",
    ];
    let mut checked = 0;
    for (status, legal) in allowed {
        let id = listing_in(&app, &cast, status).await;
        for action in actions.iter().filter(|a| !legal.contains(a)) {
            // The admin may take every action, so only the status can refuse it.
            let body = app
                .act("listings", id, &cast.admin, action)
                .await
                .assert_error(409, "conflict");
            assert!(
                body["message"].as_str().unwrap().contains(status),
                "{status} {action}: {body}"
            );
            checked += 1;
        }
        let now = app
            .get(&format!("/api/v1/listings/{id}"), Some(&cast.admin))
            .await
            .json();
        assert_eq!(
            now["status"], *status,
            "a refused action changed the status"
        );
    }
    let legal: usize = allowed.iter().map(|(_, legal)| legal.len()).sum();
    assert_eq!(checked, allowed.len() * actions.len() - legal);
}

#[actix_web::test]
async fn prohibited_technology_is_never_published() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let id = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body(
                "Công nghệ thuộc danh mục cấm",
                json!({"tech_category": "prohibited"}),
            ),
        )
        .await;
    app.act("listings", id, &cast.owner, "submit").await;
    let body = app
        .act("listings", id, &cast.moderator, "publish")
        .await
        .assert_error(409, "conflict");
    assert!(body["message"].as_str().unwrap().contains("prohibited"));
    assert_eq!(
        app.get(&format!("/api/v1/listings/{id}"), Some(&cast.owner))
            .await
            .json()["status"],
        "submitted"
    );
}

fn has(value: &Value, text: &str) -> bool {
    value.to_string().contains(text)
}

#[actix_web::test]
async fn each_role_sees_exactly_its_tiers_on_get_and_list() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let id = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Máy sấy lúa bằng nhiệt trấu", json!({})),
        )
        .await;
    app.publish("listings", id, &cast.owner, &cast.moderator)
        .await;
    let path = format!("/api/v1/listings/{id}");
    let callers: [(&str, Option<&str>, &str); 6] = [
        ("anonymous", None, "public"),
        ("verified enterprise", Some(&cast.enterprise), "registered"),
        ("unverified member", Some(&cast.unverified), "public"),
        ("owner", Some(&cast.owner), "confidential"),
        ("broker", Some(&cast.broker), "confidential"),
        ("moderator", Some(&cast.moderator), "confidential"),
    ];
    for (who, token, tier) in callers {
        let got = app.get(&path, token).await.json();
        let listed = app.get("/api/v1/listings", token).await.json()["items"][0].clone();
        for view in [&got, &listed] {
            assert_eq!(view["disclosed_tier"], tier, "{who}");
            assert_eq!(
                has(view, REGISTERED),
                tier != "public",
                "{who}: registered tier"
            );
            assert_eq!(
                view.get("contact").is_some(),
                tier != "public",
                "{who}: contact"
            );
            assert_eq!(
                has(view, SECRET),
                tier == "confidential",
                "{who}: confidential tier"
            );
            assert_eq!(view["title"], "Máy sấy lúa bằng nhiệt trấu");
        }
    }
    // Broker and moderator reads (get and list) are logged; the owner's are not.
    let reads = app.confidential_reads("listing", id).await;
    assert_eq!(reads.len(), 4, "{reads:?}");
    assert_eq!(reads.iter().filter(|(_, road)| road == "get").count(), 2);
    assert_eq!(reads.iter().filter(|(_, road)| road == "list").count(), 2);
}

#[actix_web::test]
async fn an_access_grant_opens_the_confidential_tier_to_its_organization_until_it_expires() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let id = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Quy trình nhân giống lan kim tuyến", json!({})),
        )
        .await;
    app.publish("listings", id, &cast.owner, &cast.moderator)
        .await;
    let path = format!("/api/v1/listings/{id}");
    assert!(!has(
        &app.get(&path, Some(&cast.enterprise)).await.json(),
        SECRET
    ));
    app.execute(&format!(
        "INSERT INTO access_grants (entity, entity_id, organization_id, expires_at, created_at) \
         VALUES ('listing', {id}, {}, '2999-01-01 00:00:00', '2026-01-01 00:00:00')",
        cast.enterprise_org
    ))
    .await;
    let granted = app.get(&path, Some(&cast.enterprise)).await.json();
    assert_eq!(granted["disclosed_tier"], "confidential");
    assert!(has(&granted, SECRET));
    assert_eq!(app.confidential_reads("listing", id).await.len(), 1);
    // Another verified organization gains nothing from it.
    let (other, _) = app.verified_owner("other@x.vn", "Công ty khác").await;
    assert!(!has(&app.get(&path, Some(&other)).await.json(), SECRET));
    // Expired, the grant no longer opens anything.
    app.execute("UPDATE access_grants SET expires_at = '2020-01-01 00:00:00'")
        .await;
    assert!(!has(
        &app.get(&path, Some(&cast.enterprise)).await.json(),
        SECRET
    ));
}

#[actix_web::test]
async fn a_stale_if_match_is_refused_and_the_listing_unchanged() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let id = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Công nghệ sản xuất gạch không nung", json!({})),
        )
        .await;
    let path = format!("/api/v1/listings/{id}");
    let etag = app
        .get(&path, Some(&cast.owner))
        .await
        .header("etag")
        .unwrap();
    let first = app
        .send(
            TestApp::request(Method::PATCH, &path, Some(&cast.owner))
                .insert_header(("If-Match", etag.clone()))
                .set_json(json!({"trl": 7})),
        )
        .await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("etag").as_deref(), Some("\"2\""));
    let stale = app
        .send(
            TestApp::request(Method::PATCH, &path, Some(&cast.owner))
                .insert_header(("If-Match", etag.clone()))
                .set_json(json!({"trl": 3})),
        )
        .await;
    stale.assert_error(412, "precondition_failed");
    let transition = app
        .send(
            TestApp::request(
                Method::POST,
                &format!("{path}/transitions"),
                Some(&cast.owner),
            )
            .insert_header(("If-Match", etag))
            .set_json(json!({"action": "submit"})),
        )
        .await;
    transition.assert_error(412, "precondition_failed");
    let now = app.get(&path, Some(&cast.owner)).await.json();
    assert_eq!(now["trl"], 7);
    assert_eq!(now["status"], "draft");
    assert_eq!(now["version"], 2);
}

/// A patch the document allows but that clashes with what the listing already holds is a
/// conflict with its state (409); a patch that breaks a rule by itself is invalid (400). Either
/// way nothing changes.
#[actix_web::test]
async fn a_patch_that_clashes_with_the_stored_listing_is_a_conflict_and_changes_nothing() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let id = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body(
                "Công nghệ sấy nông sản bằng năng lượng mặt trời",
                json!({"price_min_vnd": 10_000_000, "price_max_vnd": 50_000_000}),
            ),
        )
        .await;
    let path = format!("/api/v1/listings/{id}");
    let before = app.get(&path, Some(&cast.owner)).await.json();
    for patch in [
        json!({"price_min_vnd": 60_000_000}),
        json!({"price_max_vnd": 5_000_000}),
        json!({"pricing_model": "free"}),
    ] {
        let reply = app.patch(&path, Some(&cast.owner), patch.clone()).await;
        let body = reply.assert_error(409, "conflict");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("conflicts with what the listing holds"),
            "{patch}: {body}"
        );
    }
    let reply = app
        .patch(
            &path,
            Some(&cast.owner),
            json!({"price_min_vnd": 9, "price_max_vnd": 8}),
        )
        .await;
    let body = reply.assert_error(400, "invalid_input");
    assert_eq!(body["details"][0]["field"], "price_max_vnd", "{body}");
    let after = app.get(&path, Some(&cast.owner)).await.json();
    assert_eq!(after, before);
}

#[actix_web::test]
async fn a_replayed_idempotency_key_creates_one_listing() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let body = listing_body("Hệ thống tưới nhỏ giọt thông minh", json!({}));
    let send = |body: Value| {
        app.send(
            TestApp::request(Method::POST, "/api/v1/listings", Some(&cast.owner))
                .insert_header(("Idempotency-Key", "req-2026-11-29-001"))
                .set_json(body),
        )
    };
    let first = send(body.clone()).await;
    assert_eq!(first.status, 201);
    let second = send(body.clone()).await;
    assert_eq!(second.status, 201);
    assert_eq!(
        second.header("idempotent-replayed").as_deref(),
        Some("true")
    );
    assert_eq!(first.json()["id"], second.json()["id"]);
    assert_eq!(first.header("location"), second.header("location"));
    let mine = app
        .get("/api/v1/listings?status=draft", Some(&cast.owner))
        .await
        .json();
    assert_eq!(mine["total"], 1);
    // The same key with another body is refused.
    send(listing_body("Một công nghệ khác hẳn", json!({})))
        .await
        .assert_error(409, "conflict");
    // A failed create does not burn its key.
    let bad = app
        .send(
            TestApp::request(Method::POST, "/api/v1/listings", Some(&cast.owner))
                .insert_header(("Idempotency-Key", "second-key"))
                .set_json(json!({"title": "x"})),
        )
        .await;
    bad.assert_error(400, "invalid_input");
    let good = app
        .send(
            TestApp::request(Method::POST, "/api/v1/listings", Some(&cast.owner))
                .insert_header(("Idempotency-Key", "second-key"))
                .set_json(listing_body("Công nghệ thứ hai hợp lệ", json!({}))),
        )
        .await;
    assert_eq!(good.status, 201);
}

#[actix_web::test]
async fn every_validation_rule_gives_its_field_error_and_writes_nothing() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let before = app.change_count().await;
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({"title": "abc"}), "title", "length"),
        (json!({"title": ""}), "title", "required"),
        (json!({"summary": "ngắn"}), "summary", "length"),
        (json!({"kind": null}), "kind", "required"),
        (json!({"sci_fields": []}), "sci_fields", "required"),
        (
            json!({"sci_fields": ["1", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "2", "2.1", "2.2"]}),
            "sci_fields",
            "too_many",
        ),
        (json!({"trl": 0}), "trl", "range"),
        (json!({"trl": 10}), "trl", "range"),
        (
            json!({"price_min_vnd": 5, "price_max_vnd": 4}),
            "price_max_vnd",
            "range",
        ),
        (
            json!({"price_min_vnd": -1, "price_max_vnd": null}),
            "price_min_vnd",
            "range",
        ),
        (
            json!({"pricing_model": "free"}),
            "pricing_model",
            "conflict",
        ),
        (
            json!({"keywords": ["ok", "x".repeat(61)]}),
            "keywords[1]",
            "length",
        ),
        (
            json!({"keywords": (0..21).map(|i| format!("từ khóa {i}")).collect::<Vec<_>>()}),
            "keywords",
            "too_many",
        ),
        (
            json!({"contact_email": "không phải email"}),
            "contact_email",
            "format",
        ),
        (
            json!({"contact_phone": "gọi tôi"}),
            "contact_phone",
            "format",
        ),
        (json!({"details": "x".repeat(20_001)}), "details", "length"),
        (json!({"title_en": "x".repeat(301)}), "title_en", "length"),
        (
            json!({"ip_assets": [{"ip_type": "invention_patent", "legal_status": "granted", "number": "x".repeat(101)}]}),
            "ip_assets[0].number",
            "length",
        ),
    ];
    for (extra, field, code) in cases {
        let body = app
            .post(
                "/api/v1/listings",
                Some(&cast.owner),
                listing_body("Tiêu đề hợp lệ của công nghệ", extra.clone()),
            )
            .await;
        let body = body.assert_error(400, "invalid_input");
        let details = body["details"].as_array().unwrap();
        assert!(
            details
                .iter()
                .any(|d| d["field"] == field && d["code"] == code),
            "{extra}: expected {field}/{code} in {body}"
        );
    }
    // Codes that do not exist are refused by the parser.
    app.post(
        "/api/v1/listings",
        Some(&cast.owner),
        listing_body("Tiêu đề hợp lệ", json!({"sci_fields": ["9.9"]})),
    )
    .await
    .assert_error(400, "invalid_input");
    assert_eq!(app.change_count().await, before);
    assert_eq!(
        app.get("/api/v1/listings", Some(&cast.admin)).await.json()["total"],
        0
    );
}

#[actix_web::test]
async fn history_records_each_change_with_its_diff_actor_and_note() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let id = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Công nghệ chiết xuất tinh dầu quế", json!({})),
        )
        .await;
    let path = format!("/api/v1/listings/{id}");
    app.patch(
        &path,
        Some(&cast.owner),
        json!({"trl": 8, "keywords": ["tinh dầu", "quế"]}),
    )
    .await;
    app.act("listings", id, &cast.owner, "submit").await;
    let history = app
        .get(&format!("{path}/history"), Some(&cast.owner))
        .await
        .json();
    let items = history["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["action"], "create");
    assert_eq!(
        items[0]["changes"]["title"]["to"],
        "Công nghệ chiết xuất tinh dầu quế"
    );
    let update = &items[1];
    assert_eq!(update["action"], "update");
    assert_eq!(update["changes"]["trl"], json!({"from": 6, "to": 8}));
    assert_eq!(
        update["changes"]["keywords"]["to"],
        json!(["tinh dầu", "quế"])
    );
    assert_eq!(update["changes"].as_object().unwrap().len(), 2);
    let me = app.get("/api/v1/me", Some(&cast.owner)).await.json();
    assert_eq!(update["actor_user_id"], me["user"]["id"]);
    assert_eq!(items[2]["action"], "submit");
    assert_eq!(items[2]["from_status"], "draft");
    assert_eq!(items[2]["to_status"], "submitted");
    assert_eq!(items[2]["note"], "ghi chú submit");
    // Moderators read it; other organizations and brokers do not.
    assert_eq!(
        app.get(&format!("{path}/history"), Some(&cast.moderator))
            .await
            .status,
        200
    );
    app.get(&format!("{path}/history"), Some(&cast.broker))
        .await
        .assert_error(403, "forbidden");
    app.get(&format!("{path}/history"), Some(&cast.enterprise))
        .await
        .assert_error(404, "not_found");
}

#[actix_web::test]
async fn only_owners_and_editors_change_a_listing_and_only_drafts_are_deleted() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let id = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Công nghệ chế biến nem chua", json!({})),
        )
        .await;
    let path = format!("/api/v1/listings/{id}");
    app.patch(&path, Some(&cast.broker), json!({"trl": 2}))
        .await
        .assert_error(403, "forbidden");
    app.patch(&path, Some(&cast.enterprise), json!({"trl": 2}))
        .await
        .assert_error(404, "not_found");
    app.post(
        "/api/v1/listings",
        Some(&cast.enterprise),
        listing_body(
            "Tạo cho tổ chức khác",
            json!({"organization_id": cast.owner_org}),
        ),
    )
    .await
    .assert_error(403, "forbidden");
    app.act("listings", id, &cast.owner, "submit").await;
    app.patch(&path, Some(&cast.owner), json!({"trl": 2}))
        .await
        .assert_error(409, "conflict");
    app.delete(&path, Some(&cast.owner))
        .await
        .assert_error(409, "conflict");
    app.act("listings", id, &cast.owner, "edit").await;
    assert_eq!(app.delete(&path, Some(&cast.owner)).await.status, 204);
    app.get(&path, Some(&cast.owner))
        .await
        .assert_error(404, "not_found");
}

#[actix_web::test]
async fn a_lapsed_publication_reads_expired_and_renew_brings_it_back() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let id = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Giống lúa chịu mặn", json!({})),
        )
        .await;
    app.publish("listings", id, &cast.owner, &cast.moderator)
        .await;
    app.execute(&format!(
        "UPDATE listings SET valid_until = '2020-01-01 00:00:00' WHERE id = {id}"
    ))
    .await;
    let path = format!("/api/v1/listings/{id}");
    app.get(&path, None).await.assert_error(404, "not_found");
    assert_eq!(
        app.get(&path, Some(&cast.owner)).await.json()["status"],
        "expired"
    );
    assert_eq!(
        app.get("/api/v1/listings?status=published", Some(&cast.admin))
            .await
            .json()["total"],
        0
    );
    assert_eq!(
        app.get("/api/v1/listings?status=expired", Some(&cast.admin))
            .await
            .json()["total"],
        1
    );
    // The sweep writes it down, with history.
    assert_eq!(app.state.listings.expire_due().await.unwrap(), 1);
    assert_eq!(app.state.listings.expire_due().await.unwrap(), 0);
    let history = app
        .get(&format!("{path}/history"), Some(&cast.owner))
        .await
        .json();
    let last = history["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "expire");
    assert!(last["actor_user_id"].is_null());
    let renewed = app.act("listings", id, &cast.owner, "renew").await.json();
    assert_eq!(renewed["status"], "published");
    assert_eq!(app.get(&path, None).await.status, 200);
}
