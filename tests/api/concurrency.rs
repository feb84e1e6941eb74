//! Guarded writes under concurrency: for each, 32 identical calls sent at once (each with its
//! own database connection) and exactly the promised outcome — one winner, the others refused
//! with 409 or 412, the history showing one step — on whichever backend the suite runs on.

use crate::support::{Cast, Reply, TestApp, listing_body, published, reply, request_body};
use actix_web::http::Method;
use actix_web::test::TestRequest;
use diesel::prelude::*;
use serde_json::{Value, json};

const CALLERS: usize = 32;

/// A test app with a connection for every caller.
async fn app() -> TestApp {
    TestApp::with_pool(CALLERS as u32 + 2).await
}

/// Send `CALLERS` copies of a request at once.
async fn at_once(app: &TestApp, make: impl Fn() -> TestRequest) -> Vec<Reply> {
    let service = app.service().await;
    let calls = (0..CALLERS).map(|_| actix_web::test::call_service(&service, make().to_request()));
    let mut replies = Vec::with_capacity(CALLERS);
    for response in futures_util::future::join_all(calls).await {
        replies.push(reply(response).await);
    }
    replies
}

/// How many replies had each status.
fn tally(replies: &[Reply]) -> std::collections::BTreeMap<u16, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for reply in replies {
        *counts.entry(reply.status.as_u16()).or_default() += 1;
    }
    counts
}

#[track_caller]
fn one_winner(replies: &[Reply], won: u16, lost: &[u16]) {
    let counts = tally(replies);
    assert_eq!(counts.get(&won), Some(&1), "{counts:?}");
    let losers: usize = lost
        .iter()
        .map(|s| counts.get(s).copied().unwrap_or(0))
        .sum();
    assert_eq!(losers, CALLERS - 1, "{counts:?}");
    for reply in replies.iter().filter(|r| r.status.as_u16() != won) {
        let body = reply.json();
        assert!(
            body["code"].is_string() && body["message"].is_string(),
            "{body}"
        );
    }
}

fn post(path: &str, token: &str, body: Value) -> TestRequest {
    TestApp::request(Method::POST, path, Some(token)).set_json(body)
}

async fn history_actions(app: &TestApp, collection: &str, id: i64, token: &str) -> Vec<String> {
    app.get(
        &format!("/api/v1/{collection}/{id}/history?limit=100"),
        Some(token),
    )
    .await
    .json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    use diesel::sql_types::BigInt;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    app.state
        .db
        .run(move |conn| {
            diesel::sql_query(sql)
                .get_result::<Count>(conn)
                .map(|c| c.n)
                .map_err(techx_db::DbError::from)
        })
        .await
        .unwrap()
}

#[actix_web::test]
async fn thirty_two_patches_with_one_if_match_make_one_version() {
    let app = app().await;
    let cast = Cast::new(&app).await;
    let id = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Máy sấy lúa", json!({})),
        )
        .await;
    let owner = cast.owner.clone();
    let replies = at_once(&app, || {
        TestApp::request(
            Method::PATCH,
            &format!("/api/v1/listings/{id}"),
            Some(&owner),
        )
        .insert_header(("If-Match", "\"1\""))
        .set_json(json!({"trl": 8}))
    })
    .await;
    one_winner(&replies, 200, &[412]);
    let listing = app
        .get(&format!("/api/v1/listings/{id}"), Some(&cast.owner))
        .await
        .json();
    assert_eq!(listing["version"], 2);
    let actions = history_actions(&app, "listings", id, &cast.owner).await;
    assert_eq!(actions.iter().filter(|a| *a == "update").count(), 1);
}

#[actix_web::test]
async fn thirty_two_patches_without_if_match_all_land_one_after_the_other() {
    let app = app().await;
    let cast = Cast::new(&app).await;
    let id = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Máy sấy lúa", json!({})),
        )
        .await;
    let owner = cast.owner.clone();
    let replies = at_once(&app, || {
        TestApp::request(
            Method::PATCH,
            &format!("/api/v1/listings/{id}"),
            Some(&owner),
        )
        .set_json(json!({"trl": 8}))
    })
    .await;
    assert_eq!(
        tally(&replies).get(&200),
        Some(&CALLERS),
        "{:?}",
        tally(&replies)
    );
    // No acknowledged update is lost: each one made its own version.
    let listing = app
        .get(&format!("/api/v1/listings/{id}"), Some(&cast.owner))
        .await
        .json();
    assert_eq!(listing["version"], 1 + CALLERS as i64);
    let actions = history_actions(&app, "listings", id, &cast.owner).await;
    assert_eq!(actions.iter().filter(|a| *a == "update").count(), CALLERS);
}

#[actix_web::test]
async fn thirty_two_submissions_and_publications_move_a_record_once_each() {
    let app = app().await;
    let cast = Cast::new(&app).await;
    let id = app
        .create_record(
            "requests",
            &cast.enterprise,
            request_body("Cần máy sấy", json!({})),
        )
        .await;
    let path = format!("/api/v1/requests/{id}/transitions");
    let enterprise = cast.enterprise.clone();
    let submits = at_once(&app, || {
        post(&path, &enterprise, json!({"action": "submit"}))
    })
    .await;
    one_winner(&submits, 200, &[409]);
    let moderator = cast.moderator.clone();
    let publications = at_once(&app, || {
        post(&path, &moderator, json!({"action": "publish"}))
    })
    .await;
    one_winner(&publications, 200, &[409]);
    let actions = history_actions(&app, "requests", id, &cast.enterprise).await;
    assert_eq!(actions, vec!["create", "submit", "publish"]);
}

#[actix_web::test]
async fn one_pending_access_request_and_one_grant_however_many_ask_at_once() {
    let app = app().await;
    let cast = Cast::new(&app).await;
    let listing = published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body("Quy trình ủ phân", json!({})),
    )
    .await;
    let enterprise = cast.enterprise.clone();
    let asks = at_once(&app, || {
        post(
            "/api/v1/access-requests",
            &enterprise,
            json!({"entity": "listing", "entity_id": listing, "message": "Xin xem công thức"}),
        )
    })
    .await;
    one_winner(&asks, 201, &[409]);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM access_requests WHERE status = 'pending'"
        )
        .await,
        1
    );
    let id = asks.iter().find(|r| r.status == 201).unwrap().json()["id"]
        .as_i64()
        .unwrap();
    let owner = cast.owner.clone();
    let until = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    let grants = at_once(&app, || {
        post(
            &format!("/api/v1/access-requests/{id}/grant"),
            &owner,
            json!({"expires_at": until}),
        )
    })
    .await;
    one_winner(&grants, 200, &[409]);
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM access_grants").await,
        1
    );
}

#[actix_web::test]
async fn one_match_per_pair_one_introduction_one_answer_and_one_engagement() {
    let app = app().await;
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
        request_body("Cần xử lý nước thải chăn nuôi", json!({})),
    )
    .await;
    app.index_changes().await;
    let broker = cast.broker.clone();
    let saves = at_once(&app, || {
        post(
            "/api/v1/matches",
            &broker,
            json!({"listing_id": listing, "request_id": request}),
        )
    })
    .await;
    one_winner(&saves, 201, &[409]);
    for reply in saves.iter().filter(|r| r.status == 409) {
        // The refusal names no match.
        let message = reply.json()["message"].as_str().unwrap().to_owned();
        assert!(!message.chars().any(|c| c.is_ascii_digit()), "{message}");
    }
    let id = saves.iter().find(|r| r.status == 201).unwrap().json()["id"]
        .as_i64()
        .unwrap();
    let introductions = at_once(&app, || {
        post(
            &format!("/api/v1/matches/{id}/introduce"),
            &broker,
            json!({}),
        )
    })
    .await;
    one_winner(&introductions, 200, &[409]);
    let owner = cast.owner.clone();
    let answers = at_once(&app, || {
        post(
            &format!("/api/v1/matches/{id}/answer"),
            &owner,
            json!({"answer": "accept"}),
        )
    })
    .await;
    one_winner(&answers, 200, &[409]);
    // The two sides answering at once: the match ends accepted, not stuck at introduced.
    let enterprise = cast.enterprise.clone();
    let other = at_once(&app, || {
        post(
            &format!("/api/v1/matches/{id}/answer"),
            &enterprise,
            json!({"answer": "accept"}),
        )
    })
    .await;
    one_winner(&other, 200, &[409]);
    let matched = app
        .get(&format!("/api/v1/matches/{id}"), Some(&cast.broker))
        .await
        .json();
    assert_eq!(matched["status"], "accepted", "{matched}");
    let engagements = at_once(&app, || {
        post("/api/v1/engagements", &broker, json!({"match_id": id}))
    })
    .await;
    one_winner(&engagements, 201, &[409]);
}

#[actix_web::test]
async fn two_sides_answering_at_the_same_moment_both_count() {
    let app = app().await;
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
        request_body("Cần xử lý nước thải chăn nuôi", json!({})),
    )
    .await;
    app.index_changes().await;
    let id = app
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
        &format!("/api/v1/matches/{id}/introduce"),
        Some(&cast.broker),
        json!({}),
    )
    .await;
    let service = app.service().await;
    let path = format!("/api/v1/matches/{id}/answer");
    let (a, b) = futures_util::future::join(
        actix_web::test::call_service(
            &service,
            post(&path, &cast.owner, json!({"answer": "accept"})).to_request(),
        ),
        actix_web::test::call_service(
            &service,
            post(&path, &cast.enterprise, json!({"answer": "accept"})).to_request(),
        ),
    )
    .await;
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    let matched = app
        .get(&format!("/api/v1/matches/{id}"), Some(&cast.broker))
        .await
        .json();
    assert_eq!(matched["status"], "accepted", "{matched}");
}

#[actix_web::test]
async fn one_contract_per_engagement_and_the_listing_closes_once() {
    let app = app().await;
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
        request_body("Cần xử lý nước thải chăn nuôi", json!({})),
    )
    .await;
    app.index_changes().await;
    let id = app
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
        &format!("/api/v1/matches/{id}/introduce"),
        Some(&cast.broker),
        json!({}),
    )
    .await;
    let engagement = app
        .post(
            "/api/v1/engagements",
            Some(&cast.broker),
            json!({"match_id": id}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let stage = format!("/api/v1/engagements/{engagement}/stage");
    for next in ["meeting_held", "negotiation"] {
        let moved = app
            .post(&stage, Some(&cast.broker), json!({"stage": next}))
            .await;
        assert_eq!(
            moved.status,
            200,
            "{}",
            String::from_utf8_lossy(&moved.body)
        );
    }
    let broker = cast.broker.clone();
    let signings = at_once(&app, || {
        post(
            &stage,
            &broker,
            json!({"stage": "contract_signed", "contract": {"kind": "license", "value_vnd": 300_000_000i64, "signed_on": "2026-11-20"}}),
        )
    })
    .await;
    one_winner(&signings, 200, &[409]);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM contracts").await, 1);
    let actions = history_actions(&app, "listings", listing, &cast.owner).await;
    assert_eq!(actions.iter().filter(|a| *a == "close").count(), 1);
    let closed = app
        .get(&format!("/api/v1/listings/{listing}"), Some(&cast.owner))
        .await
        .json();
    assert_eq!(closed["status"], "transferred");
}

#[actix_web::test]
async fn an_inquiry_closes_once_and_an_organization_takes_one_change_per_version() {
    let app = app().await;
    let cast = Cast::new(&app).await;
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
    let owner = cast.owner.clone();
    let closes = at_once(&app, || {
        post(
            &format!("/api/v1/inquiries/{inquiry}/close"),
            &owner,
            json!({}),
        )
    })
    .await;
    one_winner(&closes, 200, &[409]);

    let org = cast.owner_org;
    let version = app
        .get(&format!("/api/v1/organizations/{org}"), Some(&cast.owner))
        .await
        .json()["version"]
        .clone();
    let changes = at_once(&app, || {
        TestApp::request(
            Method::PATCH,
            &format!("/api/v1/organizations/{org}"),
            Some(&owner),
        )
        .insert_header(("If-Match", format!("\"{version}\"")))
        .set_json(json!({"address": "Số 565 Quang Trung, Thanh Hóa"}))
    })
    .await;
    one_winner(&changes, 200, &[412]);
}

#[actix_web::test]
async fn an_idempotency_key_makes_one_listing_however_many_retries_arrive_at_once() {
    let app = app().await;
    let cast = Cast::new(&app).await;
    let before = count(&app, "SELECT COUNT(*) AS n FROM listings").await;
    let owner = cast.owner.clone();
    let replies = at_once(&app, || {
        post(
            "/api/v1/listings",
            &owner,
            listing_body("Máy gieo hạt", json!({})),
        )
        .insert_header(("Idempotency-Key", "retry-7f3a"))
    })
    .await;
    let counts = tally(&replies);
    assert_eq!(
        counts.get(&201).copied().unwrap_or(0) + counts.get(&409).copied().unwrap_or(0),
        CALLERS,
        "{counts:?}"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM listings").await,
        before + 1
    );
}

#[actix_web::test]
async fn two_owners_leaving_at_once_leave_one_owner() {
    let app = app().await;
    let (first, org) = app
        .verified_owner("a@hdu.edu.vn", "Trường Đại học Hồng Đức")
        .await;
    let (second, second_me) = app.signed_in("b@hdu.edu.vn", None).await;
    let second_id = second_me["user"]["id"].as_i64().unwrap();
    let added = app
        .post(
            &format!("/api/v1/organizations/{org}/members"),
            Some(&first),
            json!({"email": "b@hdu.edu.vn", "org_role": "owner"}),
        )
        .await;
    assert_eq!(
        added.status,
        201,
        "{}",
        String::from_utf8_lossy(&added.body)
    );
    let first_id = app.get("/api/v1/me", Some(&first)).await.json()["user"]["id"]
        .as_i64()
        .unwrap();
    let service = app.service().await;
    let leave = |token: &str, user: i64| {
        TestApp::request(
            Method::DELETE,
            &format!("/api/v1/organizations/{org}/members/{user}"),
            Some(token),
        )
        .to_request()
    };
    let calls = (0..CALLERS / 2).flat_map(|_| {
        [
            actix_web::test::call_service(&service, leave(&first, first_id)),
            actix_web::test::call_service(&service, leave(&second, second_id)),
        ]
    });
    futures_util::future::join_all(calls).await;
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM memberships WHERE org_role = 'owner'"
        )
        .await,
        1
    );
}
