//! The reproductions of an outside-in review, kept as tests: each once broke a promise, and each
//! now gets the promised answer on SQLite and on PostgreSQL.

use crate::catalogue::upload;
use crate::support::{Cast, TestApp, listing_body, published, request_body};
use actix_web::http::Method;
use serde_json::json;

#[actix_web::test]
async fn a_deep_page_is_refused_and_the_server_stays_up() {
    let app = TestApp::new().await;
    for path in [
        "/api/v1/search?offset=1000000000",
        "/api/v1/search?offset=10001",
        "/api/v1/listings?offset=1000000000",
        "/api/v1/requests?offset=9223372036854775807",
        "/api/v1/organizations?offset=10001",
    ] {
        let body = app.get(path, None).await.assert_error(400, "invalid_input");
        assert_eq!(body["details"][0]["field"], "offset", "{path}: {body}");
    }
    assert_eq!(
        app.get("/api/v1/search?offset=10000", None).await.status,
        200
    );
    assert_eq!(app.get("/healthz", None).await.status, 200);
}

#[actix_web::test]
async fn the_listing_owner_never_learns_who_stands_behind_an_anonymous_request() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let listing = published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body("Chế phẩm xử lý nước thải chăn nuôi", json!({})),
    )
    .await;
    let request = published(
        &app,
        "requests",
        &cast.enterprise,
        &cast.moderator,
        request_body("Cần xử lý nước thải chăn nuôi", json!({"anonymous": true})),
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
        .json()["id"]
        .as_i64()
        .unwrap();
    app.post(
        &format!("/api/v1/matches/{matched}/introduce"),
        Some(&cast.broker),
        json!({}),
    )
    .await;
    let engagement = app
        .post(
            "/api/v1/engagements",
            Some(&cast.broker),
            json!({"match_id": matched}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let note = app
        .post(
            &format!("/api/v1/engagements/{engagement}/notes"),
            Some(&cast.enterprise),
            json!({"body": "Bên cần công nghệ đồng ý gặp"}),
        )
        .await;
    assert_eq!(note.status, 200);
    let path = format!("/api/v1/engagements/{engagement}");
    let seen = app.get(&path, Some(&cast.owner)).await.json();
    assert!(seen["organization_id"].is_null(), "{seen}");
    let note = seen["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(note["kind"], "note");
    assert!(note["actor_id"].is_null(), "{note}");
    // Those who may know still do.
    for token in [&cast.broker, &cast.enterprise] {
        let full = app.get(&path, Some(token)).await.json();
        assert_eq!(full["organization_id"], cast.enterprise_org, "{full}");
        assert!(full["events"].as_array().unwrap().last().unwrap()["actor_id"].is_i64());
    }
}

#[actix_web::test]
async fn a_read_only_key_cannot_close_an_inquiry_or_write_a_note() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let key = app
        .post(
            &format!("/api/v1/organizations/{}/api-keys", cast.enterprise_org),
            Some(&cast.enterprise),
            json!({"name": "chỉ đọc", "scopes": ["read"]}),
        )
        .await
        .json()["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let listing = published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body("Giống lúa chịu mặn", json!({})),
    )
    .await;
    let inquiry = app
        .post(
            "/api/v1/inquiries",
            Some(&cast.enterprise),
            json!({"entity": "listing", "entity_id": listing, "message": "Xin thông tin"}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let before = app.fingerprint().await;
    app.post(
        &format!("/api/v1/inquiries/{inquiry}/close"),
        Some(&key),
        json!({}),
    )
    .await
    .assert_error(403, "forbidden");
    app.post(
        "/api/v1/engagements/1/notes",
        Some(&key),
        json!({"body": "ghi"}),
    )
    .await
    .assert_error(403, "forbidden");
    assert_eq!(app.fingerprint().await, before);
    // Reading stays open to it.
    assert_eq!(
        app.get(&format!("/api/v1/inquiries/{inquiry}"), Some(&key))
            .await
            .status,
        200
    );
}

#[actix_web::test]
async fn a_nul_byte_is_refused_by_name_wherever_it_comes_and_nothing_is_written() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let before = app.fingerprint().await;
    let cases = [
        (
            "/api/v1/listings",
            Some(cast.owner.as_str()),
            listing_body("Máy sấy\u{0} lúa", json!({})),
            "title",
        ),
        (
            "/api/v1/listings",
            Some(cast.owner.as_str()),
            listing_body("Máy sấy lúa", json!({"keywords": ["sấy", "a\u{0}b"]})),
            "keywords[1]",
        ),
        (
            "/api/v1/auth/login",
            None,
            json!({"email": "a\u{0}@b.vn", "password": "x"}),
            "email",
        ),
        (
            "/api/v1/auth/register",
            None,
            json!({"email": "new@b.vn", "password": "mot cau mat khau dai", "full_name": "Tên\u{0}"}),
            "full_name",
        ),
    ];
    for (path, token, body, field) in cases {
        let refused = app
            .post(path, token, body)
            .await
            .assert_error(400, "invalid_input");
        assert_eq!(refused["details"][0]["field"], field, "{refused}");
        assert_eq!(refused["details"][0]["code"], "control_character");
    }
    // In a query string, and in a title typed with an escape character.
    app.get("/api/v1/search?q=n%00uoc", None)
        .await
        .assert_error(400, "invalid_input");
    let escaped = app
        .post(
            "/api/v1/listings",
            Some(&cast.owner),
            listing_body("Máy sấy\u{1b}[31m lúa", json!({})),
        )
        .await
        .assert_error(400, "invalid_input");
    assert_eq!(escaped["details"][0]["field"], "title");
    // A long text keeps its lines and tabs.
    let kept = app
        .post(
            "/api/v1/listings",
            Some(&cast.owner),
            listing_body(
                "Máy sấy lúa",
                json!({"summary": "Dòng một của mô tả máy sấy.\n\tDòng hai, thụt lề."}),
            ),
        )
        .await;
    assert_eq!(kept.status, 201);
    let after_create = app.fingerprint().await;
    assert_ne!(after_create, before);
    // In an imported file, named by row.
    let csv = "kind,title,summary,sci_fields\ntechnology,Máy bóc\u{0} vỏ lạc,Máy bóc vỏ lạc cho hộ gia đình ở Thanh Hóa.,2.3\n";
    let refused = upload(&app, "listings", &cast.owner, "lac.csv", csv, &[])
        .await
        .assert_error(400, "invalid_input");
    assert_eq!(refused["details"][0]["field"], "rows[1].title", "{refused}");
    assert_eq!(app.fingerprint().await, after_create);
}

#[actix_web::test]
async fn an_alert_comes_only_from_what_the_subscriber_may_see_now() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let request = published(
        &app,
        "requests",
        &cast.enterprise,
        &cast.moderator,
        request_body("Cần xử lý nước thải chăn nuôi lợn", json!({})),
    )
    .await;
    let subscribed = app
        .post(
            "/api/v1/alert-subscriptions",
            Some(&cast.owner),
            json!({"kind": "request", "request_id": request, "threshold": 0.0}),
        )
        .await;
    assert_eq!(subscribed.status, 201);
    // The requester takes the request down and rewrites it with words nobody else may read.
    assert_eq!(
        app.act("requests", request, &cast.enterprise, "pause")
            .await
            .status,
        200
    );
    let edited = app
        .patch(
            &format!("/api/v1/requests/{request}"),
            Some(&cast.enterprise),
            json!({"problem": "Dự án bí mật HIDDENWORD cần hệ thống biogas cho trang trại 5.000 con."}),
        )
        .await;
    assert_eq!(edited.status, 200);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body(
            "Hệ thống biogas HIDDENWORD cho trang trại",
            json!({"summary": "Hệ thống biogas cho trang trại chăn nuôi lợn quy mô 5.000 con, xử lý nước thải."}),
        ),
    )
    .await;
    app.index_changes().await;
    assert_eq!(
        techx_brokerage::sweep::sweep(&app.state.brokerage_services())
            .await
            .unwrap(),
        0
    );
    let alerts = app.get("/api/v1/alerts", Some(&cast.owner)).await;
    assert_eq!(alerts.json()["total"], 0);
    assert!(!String::from_utf8_lossy(&alerts.body).contains("hiddenword"));
}

#[actix_web::test]
async fn a_word_of_a_record_taken_down_is_answered_like_a_word_nobody_wrote() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let paused = published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body("Giống lúa QUYXVAMLO chịu mặn", json!({})),
    )
    .await;
    published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body("Giống lúa QUYXVAMLA năng suất", json!({})),
    )
    .await;
    app.index_changes().await;
    assert_eq!(
        app.act("listings", paused, &cast.owner, "pause")
            .await
            .status,
        200
    );
    let shape = |body: serde_json::Value| {
        (
            body["total"].clone(),
            body["fuzzy"].clone(),
            body["items"].as_array().map(Vec::len),
        )
    };
    let gone = app.get("/api/v1/search?q=QUYXVAMLO", None).await.json();
    let never = app.get("/api/v1/search?q=QUYXVAMLU", None).await.json();
    assert_eq!(shape(gone), shape(never));
    let suggested = app
        .get("/api/v1/search/suggest?q=QUYXVAMLO", None)
        .await
        .json();
    assert!(!suggested.to_string().contains("QUYXVAMLO"), "{suggested}");
}

#[actix_web::test]
async fn a_live_listing_cannot_become_prohibited() {
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
    let path = format!("/api/v1/listings/{listing}");
    let refused = app
        .patch(
            &path,
            Some(&cast.owner),
            json!({"tech_category": "prohibited"}),
        )
        .await
        .assert_error(409, "conflict");
    assert!(refused["message"].as_str().unwrap().contains("prohibited"));
    let listing_now = app.get(&path, None).await.json();
    assert_eq!(listing_now["tech_category"], "normal");
    assert_eq!(listing_now["version"], 3);
    // Paused it goes back live without a moderator: refused there too; withdrawn it may change.
    assert_eq!(
        app.act("listings", listing, &cast.owner, "pause")
            .await
            .status,
        200
    );
    app.patch(
        &path,
        Some(&cast.owner),
        json!({"tech_category": "prohibited"}),
    )
    .await
    .assert_error(409, "conflict");
}

#[actix_web::test]
async fn a_request_made_anonymous_is_hidden_from_search_the_moment_the_call_returns() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let request = published(
        &app,
        "requests",
        &cast.enterprise,
        &cast.moderator,
        request_body("Cần máy bóc vỏ lạc", json!({})),
    )
    .await;
    app.index_changes().await;
    let search = || app.get("/api/v1/search?q=boc+vo+lac&kind=request", None);
    let before = search().await.json();
    assert_eq!(
        before["items"][0]["request"]["organization_id"],
        cast.enterprise_org
    );
    let made = app
        .patch(
            &format!("/api/v1/requests/{request}"),
            Some(&cast.enterprise),
            json!({"anonymous": true}),
        )
        .await;
    assert_eq!(made.status, 200);
    // No catch-up in between: the write itself settles what search shows.
    let after = search().await;
    let text = String::from_utf8_lossy(&after.body).to_string();
    let hit = &after.json()["items"][0]["request"];
    assert!(hit["organization_id"].is_null(), "{hit}");
    assert!(!text.contains("Mía đường"), "{text}");
    // An organization-type filter cannot find it any more either.
    let by_type = app
        .get(
            "/api/v1/search?q=boc+vo+lac&kind=request&org_type=university",
            None,
        )
        .await
        .json();
    assert_eq!(by_type["total"], 0);
}

#[actix_web::test]
async fn registration_is_throttled_per_address_like_sign_in() {
    let app = TestApp::new().await;
    app.register("taken@b.vn", None).await;
    let mut throttled = None;
    for attempt in 0..25 {
        let reply = app
            .post(
                "/api/v1/auth/register",
                None,
                json!({"email": format!("x{attempt}@b.vn"), "password": "ngắn", "full_name": "A"}),
            )
            .await;
        if reply.status == 429 {
            throttled = Some(attempt);
            assert!(reply.header("retry-after").is_some());
            break;
        }
        assert_eq!(reply.status, 400);
    }
    assert_eq!(
        throttled,
        Some(20),
        "twenty failures from one address are allowed"
    );
    // Another address is not held back.
    let elsewhere = app
        .send(
            TestApp::request(Method::POST, "/api/v1/auth/register", None)
                .peer_addr("198.51.100.7:1000".parse().unwrap())
                .set_json(json!({"email": "taken@b.vn", "password": "mot cau mat khau dai", "full_name": "A"})),
        )
        .await;
    assert_eq!(elsewhere.status, 409);
}

#[actix_web::test]
async fn a_rotated_forwarded_for_does_not_escape_the_login_throttle() {
    let mut app = TestApp::new().await;
    app.state.trusted_proxies = techx_api::auth::TrustedProxies::parse("10.0.0.0/8").unwrap();
    let attempt = |n: usize| {
        TestApp::request(Method::POST, "/api/v1/auth/login", None)
            .peer_addr("10.0.0.1:443".parse().unwrap())
            .insert_header(("X-Forwarded-For", format!("6.6.6.{n}, 203.0.113.9")))
            .set_json(json!({"email": format!("nobody{n}@b.vn"), "password": "sai mat khau"}))
    };
    let mut statuses = Vec::new();
    for n in 0..22 {
        statuses.push(app.send(attempt(n)).await.status.as_u16());
    }
    // The client is 203.0.113.9 (the hop the trusted proxy saw), whatever it wrote before it.
    assert_eq!(&statuses[..20], &[401; 20]);
    assert_eq!(&statuses[20..], &[429, 429]);
}

#[actix_web::test]
async fn the_contracts_of_a_listing_one_may_not_see_are_not_found() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let draft = app
        .create_record("listings", &cast.owner, listing_body("Bản nháp", json!({})))
        .await;
    for path in [
        format!("/api/v1/listings/{draft}/contracts"),
        "/api/v1/listings/999999/contracts".to_owned(),
    ] {
        app.get(&path, Some(&cast.enterprise))
            .await
            .assert_error(404, "not_found");
    }
    assert_eq!(
        app.get(
            &format!("/api/v1/listings/{draft}/contracts"),
            Some(&cast.owner)
        )
        .await
        .json()["items"],
        json!([])
    );
}

#[actix_web::test]
async fn an_export_cell_that_would_be_a_formula_is_written_as_text_and_read_back() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body(
            "=HYPERLINK(\"http://x\",\"y\")",
            json!({"keywords": ["@SUM(1)", "+1", "-1"]}),
        ),
    )
    .await;
    let export = app.get("/api/v1/listings/export?format=csv", None).await;
    let text = String::from_utf8(export.body).unwrap();
    assert!(
        text.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
        "{text}"
    );
    assert!(text.contains("'@SUM(1);+1;-1"), "{text}");
    for line in text.lines().skip(1) {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "a cell starts like a formula: {cell}"
            );
        }
    }
}

#[actix_web::test]
async fn rows_of_an_import_still_loading_are_seen_by_nobody_and_a_stopped_one_is_discarded() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let id = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Máy sấy lúa", json!({})),
        )
        .await;
    // A batch that started loading an hour ago and stopped (its process died).
    app.execute(&format!(
        "INSERT INTO imports (entity, organization_id, rows_expected, created_at, updated_at) \
         VALUES ('listing', {org}, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00'); \
         UPDATE listings SET import_id = (SELECT MAX(id) FROM imports) WHERE id = {id};",
        org = cast.owner_org
    ))
    .await;
    for token in [&cast.owner, &cast.admin] {
        app.get(&format!("/api/v1/listings/{id}"), Some(token))
            .await
            .assert_error(404, "not_found");
        let own = app
            .get("/api/v1/listings?status=draft", Some(token))
            .await
            .json();
        assert_eq!(own["total"], 0, "{own}");
    }
    assert_eq!(
        app.state
            .listings
            .discard_abandoned_imports()
            .await
            .unwrap(),
        1
    );
    app.get(&format!("/api/v1/listings/{id}"), Some(&cast.owner))
        .await
        .assert_error(404, "not_found");
    let history = app
        .get(&format!("/api/v1/listings/{id}/history"), Some(&cast.admin))
        .await;
    assert_eq!(history.status, 404);
}

#[actix_web::test]
async fn responses_carry_the_security_headers_and_personal_ones_are_never_cached() {
    let app = TestApp::new().await;
    let (token, _) = app.signed_in("a@hdu.edu.vn", None).await;
    let public = app.get("/api/v1/listings", None).await;
    assert_eq!(
        public.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert_eq!(public.header("x-frame-options").as_deref(), Some("DENY"));
    assert_eq!(
        public.header("referrer-policy").as_deref(),
        Some("no-referrer")
    );
    assert_eq!(public.header("cache-control"), None);
    let personal = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(
        personal.header("cache-control").as_deref(),
        Some("private, no-store")
    );
    let error = app.get("/api/v1/no-such-road", Some(&token)).await;
    assert_eq!(
        error.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
}
