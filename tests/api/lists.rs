//! Lists agree with reads, for every role: each collection of the OpenAPI document that has a
//! read of one item (`GET /x` beside `GET /x/{id}`) must list, for every caller of the world,
//! exactly the items that caller may read one by one — no more (a leak through the list), no
//! fewer (a list that hides what the caller may open) — with an exact `total`, and the same
//! items in the same order whether read in one page or one item per page. A mailbox parameter
//! (`box`) must split the list in two without overlap. One list promises less by design: the
//! organization directory names verified organizations only, so an organization not yet
//! verified is read (by its members and staff) but not listed. Lists are filtered and paged by the
//! database and single reads apply the rule in Rust: this is where the two forms meet. A
//! collection added to the document is covered the day it is added.

use crate::call;
use crate::support::{Cast, TestApp, listing_body, published, request_body};
use crate::world::{self, World};
use actix_web::http::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The collections of the document that page (`limit`, `offset`) and have a single read.
fn collections(document: &Value) -> Vec<(String, Vec<String>)> {
    let paths = document["paths"].as_object().unwrap();
    let mut out = Vec::new();
    for (path, item) in paths {
        if path.contains('{') || item.get("get").is_none() {
            continue;
        }
        let parameters: Vec<String> = item["get"]["parameters"]
            .as_array()
            .map(|list| {
                list.iter()
                    .filter_map(|p| p["name"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let pages = ["limit", "offset"]
            .iter()
            .all(|name| parameters.iter().any(|p| p == name));
        let single = paths
            .get(&format!("{path}/{{id}}"))
            .is_some_and(|item| item.get("get").is_some());
        if !(pages && single) {
            continue;
        }
        let mailboxes = item["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "box")
            .map(|p| {
                let schema = crate::support::resolve(document, &p["schema"]);
                schema["enum"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        out.push((path.clone(), mailboxes));
    }
    out
}

async fn page<S, B>(app: &S, token: Option<&str>, url: &str) -> (Vec<i64>, i64)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let reply = call!(app, TestApp::request(Method::GET, url, token));
    assert_eq!(
        reply.status,
        200,
        "GET {url}: {}",
        String::from_utf8_lossy(&reply.body)
    );
    let body = reply.json();
    (crate::support::ids(&body), body["total"].as_i64().unwrap())
}

fn joined(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// Hold every paged collection of `document` to the single reads, for each of `callers`
/// (a role and its token), trying ids 1 to `max_id`; how many (caller, list) pairs were checked.
async fn agree<S, B>(
    app: &S,
    document: &Value,
    callers: &[(&str, Option<String>)],
    max_id: i64,
) -> usize
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let collections = collections(document);
    for expected in [
        "/api/v1/matches",
        "/api/v1/inquiries",
        "/api/v1/access-requests",
        "/api/v1/engagements",
    ] {
        assert!(
            collections.iter().any(|(path, _)| path == expected),
            "{expected} is not a paged collection with a single read in the document"
        );
    }
    let mut checked = 0;
    for (role, token) in callers {
        let token = token.as_deref();
        for (path, mailboxes) in &collections {
            let probe = call!(app, TestApp::request(Method::GET, path, token));
            if probe.status != 200 {
                // Refused as a whole (401/403): then no single item may be read either.
                for id in 1..=max_id {
                    let one = call!(
                        app,
                        TestApp::request(Method::GET, &format!("{path}/{id}"), token)
                    );
                    assert_ne!(
                        one.status, 200,
                        "{role}: {path} refused but {path}/{id} read"
                    );
                }
                continue;
            }
            let mut readable = Vec::new();
            for id in 1..=max_id {
                let one = call!(
                    app,
                    TestApp::request(Method::GET, &format!("{path}/{id}"), token)
                );
                let unlisted = path == world::DIRECTORY && one.json()["verification"] != "verified";
                if one.status == 200 && !unlisted {
                    readable.push(id);
                }
            }
            let (listed, total) = page(app, token, &joined(path, "limit=100")).await;
            let listed_set: BTreeSet<i64> = listed.iter().copied().collect();
            let readable_set: BTreeSet<i64> = readable.iter().copied().collect();
            assert_eq!(
                listed_set, readable_set,
                "{role}: {path} lists {listed:?} but reads {readable:?} one by one"
            );
            assert_eq!(total, listed.len() as i64, "{role}: {path} total");
            // One item per page: the same items in the same order, the same total on each.
            let mut walked = Vec::new();
            for offset in 0..=total {
                let (items, page_total) = page(
                    app,
                    token,
                    &joined(path, &format!("limit=1&offset={offset}")),
                )
                .await;
                assert_eq!(page_total, total, "{role}: {path} total at offset {offset}");
                walked.extend(items);
            }
            assert_eq!(walked, listed, "{role}: {path} paged one by one");
            // A mailbox splits the list in two without overlap.
            if !mailboxes.is_empty() {
                let mut union = BTreeSet::new();
                let mut sum = 0;
                for mailbox in mailboxes {
                    let (items, total) = page(
                        app,
                        token,
                        &joined(path, &format!("box={mailbox}&limit=100")),
                    )
                    .await;
                    assert_eq!(total, items.len() as i64);
                    sum += items.len();
                    union.extend(items);
                }
                assert_eq!(union, listed_set, "{role}: {path} mailboxes");
                assert_eq!(sum, listed_set.len(), "{role}: {path} mailboxes overlap");
            }
            checked += 1;
        }
    }
    checked
}

async fn document<S, B>(app: &S) -> Value
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    call!(
        app,
        TestApp::request(Method::GET, "/api/v1/openapi.json", None)
    )
    .json()
}

#[actix_web::test]
async fn every_list_shows_each_caller_exactly_what_it_may_read_one_by_one() {
    let world: World = world::build().await;
    let app = world.app.service().await;
    let document = document(&app).await;
    let callers: Vec<(&str, Option<String>)> = world
        .callers
        .iter()
        .map(|c| (c.role, c.token.clone()))
        .collect();
    let checked = agree(&app, &document, &callers, world.max_id).await;
    assert!(
        checked >= 4 * 3,
        "only {checked} (caller, list) pairs were checked"
    );
}

/// Matches in every state a list rule tells apart, inquiries both ways, a record paused
/// under an introduced match: the lists still show each caller what it may read.
#[actix_web::test]
async fn brokerage_lists_agree_with_reads_in_every_match_state() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let publish = |collection: &'static str, token: String, body: Value| {
        let app = &app;
        let moderator = cast.moderator.clone();
        async move { published(app, collection, &token, &moderator, body).await }
    };
    let first = publish(
        "listings",
        cast.owner.clone(),
        listing_body("Máy sấy nông sản năng lượng mặt trời", json!({})),
    )
    .await;
    let second = publish(
        "listings",
        cast.owner.clone(),
        listing_body("Chế phẩm vi sinh xử lý rơm rạ", json!({})),
    )
    .await;
    let need = publish(
        "requests",
        cast.enterprise.clone(),
        request_body("Cần máy sấy chuối bằng năng lượng mặt trời", json!({})),
    )
    .await;
    let hidden = publish(
        "requests",
        cast.enterprise.clone(),
        request_body(
            "Cần chế phẩm xử lý phụ phẩm nông nghiệp",
            json!({"anonymous": true}),
        ),
    )
    .await;
    app.index_changes().await;
    let save = |token: String, listing: i64, request: i64| {
        let app = &app;
        async move {
            let reply = app
                .post(
                    "/api/v1/matches",
                    Some(&token),
                    json!({"listing_id": listing, "request_id": request}),
                )
                .await;
            assert_eq!(
                reply.status,
                201,
                "{}",
                String::from_utf8_lossy(&reply.body)
            );
            reply.json()["id"].as_i64().unwrap()
        }
    };
    // A suggestion nobody answered (the brokers' only), one the requester kept (its side has
    // answered), one introduced.
    save(cast.broker.clone(), first, need).await;
    save(cast.enterprise.clone(), second, need).await;
    let introduced = save(cast.broker.clone(), first, hidden).await;
    let reply = app
        .post(
            &format!("/api/v1/matches/{introduced}/introduce"),
            Some(&cast.broker),
            json!({}),
        )
        .await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    // An inquiry routed to the owner, one routed to the brokers (about the anonymous request).
    for (token, entity, id) in [
        (&cast.enterprise, "listing", second),
        (&cast.owner, "request", hidden),
    ] {
        let reply = app
            .post(
                "/api/v1/inquiries",
                Some(token),
                json!({"entity": entity, "entity_id": id, "cooperation_sought": ["license"],
                       "message": "Chúng tôi muốn tìm hiểu thêm về công nghệ này."}),
            )
            .await;
        assert_eq!(
            reply.status,
            201,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
    }
    let service = app.service().await;
    let document = document(&service).await;
    let callers: Vec<(&str, Option<String>)> = vec![
        ("anonymous", None),
        ("owner", Some(cast.owner.clone())),
        ("enterprise", Some(cast.enterprise.clone())),
        ("unverified", Some(cast.unverified.clone())),
        ("broker", Some(cast.broker.clone())),
        ("moderator", Some(cast.moderator.clone())),
        ("admin", Some(cast.admin.clone())),
    ];
    agree(&service, &document, &callers, 12).await;
    // The first listing paused: the requester no longer sees the introduced match on it, its
    // owner still does.
    let reply = app.act("listings", first, &cast.owner, "pause").await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    agree(&service, &document, &callers, 12).await;
    let owner_sees = page(&service, Some(&cast.owner), "/api/v1/matches").await.0;
    let requester_sees = page(&service, Some(&cast.enterprise), "/api/v1/matches")
        .await
        .0;
    assert!(owner_sees.contains(&introduced), "{owner_sees:?}");
    assert!(!requester_sees.contains(&introduced), "{requester_sees:?}");
}
