//! The search index: Vietnamese queries, tiers, sync from the change log, crash catch-up,
//! rebuild.

use crate::support::{Cast, TestApp, listing_body};
use serde_json::json;
use std::sync::Arc;
use techx_search::index::SearchIndex;
use techx_search::indexer::Indexer;

fn open(dir: &std::path::Path, app: &TestApp) -> Indexer {
    let (index, _) = SearchIndex::open(dir).unwrap();
    Indexer::new(Arc::new(index), app.state.db.clone())
}

fn ids(indexer: &Indexer, text: &str, registered: bool) -> Vec<i64> {
    indexer
        .index
        .search(text, registered, None, 20, 0)
        .unwrap()
        .1
        .iter()
        .map(|h| h.id)
        .collect()
}

#[actix_web::test]
async fn published_records_are_found_by_accented_unaccented_and_mixed_queries() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let indexer = open(dir.path(), &app);
    let wastewater = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Chế phẩm vi sinh xử lý nước thải chăn nuôi", json!({})),
        )
        .await;
    let dryer = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Máy sấy lúa bằng nhiệt trấu", json!({})),
        )
        .await;
    let draft = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Nước thải bản nháp chưa công bố", json!({})),
        )
        .await;
    app.publish("listings", wastewater, &cast.owner, &cast.moderator)
        .await;
    app.publish("listings", dryer, &cast.owner, &cast.moderator)
        .await;
    assert!(indexer.catch_up().await.unwrap() > 0);
    for query in [
        "nước thải chăn nuôi",
        "nuoc thai chan nuoi",
        "nước thai chan nuôi",
        "NUOC THAI",
    ] {
        assert_eq!(
            ids(&indexer, query, false).first(),
            Some(&wastewater),
            "{query}"
        );
    }
    assert_eq!(ids(&indexer, "may say lua", false), vec![dryer]);
    assert!(!ids(&indexer, "bản nháp", false).contains(&draft));
    // Withdrawn: gone after the next catch-up.
    app.act("listings", wastewater, &cast.owner, "withdraw")
        .await;
    indexer.catch_up().await.unwrap();
    assert!(ids(&indexer, "nuoc thai", false).is_empty());
}

#[actix_web::test]
async fn registered_text_is_searchable_only_for_the_entitled_and_confidential_text_never() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let indexer = open(dir.path(), &app);
    let id = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Công nghệ ủ phân hữu cơ", json!({"details": "quy trình dùng men Bacillus subtilis", "confidential_details": "bí quyết phối trộn rỉ đường"})),
        )
        .await;
    app.publish("listings", id, &cast.owner, &cast.moderator)
        .await;
    indexer.catch_up().await.unwrap();
    assert!(ids(&indexer, "Bacillus subtilis", false).is_empty());
    assert_eq!(ids(&indexer, "Bacillus subtilis", true), vec![id]);
    assert!(ids(&indexer, "rỉ đường", true).is_empty());
    assert!(ids(&indexer, "ri duong", false).is_empty());
    // The indexer's reads are not logged as outsiders' reads of the confidential tier.
    assert!(app.confidential_reads("listing", id).await.is_empty());
}

#[actix_web::test]
async fn after_a_crash_the_index_catches_up_and_a_rebuild_gives_the_same_results() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let first = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Giống lúa chịu mặn ven biển", json!({})),
        )
        .await;
    app.publish("listings", first, &cast.owner, &cast.moderator)
        .await;
    {
        let indexer = open(dir.path(), &app);
        indexer.catch_up().await.unwrap();
        assert_eq!(indexer.index.len(), 1);
    }
    // Changes committed in the database while the index was down…
    let second = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Giống ngô lai chịu hạn", json!({})),
        )
        .await;
    app.publish("listings", second, &cast.owner, &cast.moderator)
        .await;
    let request = app
        .create_record(
            "requests",
            &cast.enterprise,
            crate::support::request_body("Cần giống lúa chịu mặn", json!({})),
        )
        .await;
    app.publish("requests", request, &cast.enterprise, &cast.moderator)
        .await;
    // …are applied at the next start.
    let indexer = open(dir.path(), &app);
    assert_eq!(indexer.index.len(), 1);
    indexer.catch_up().await.unwrap();
    assert_eq!(indexer.index.len(), 3);
    let before = ids(&indexer, "giong lua chiu man", false);
    assert_eq!(before.len(), 3);
    assert_eq!(indexer.rebuild(|_| {}).await.unwrap(), 3);
    assert_eq!(ids(&indexer, "giong lua chiu man", false), before);
    assert_eq!(
        indexer.catch_up().await.unwrap(),
        0,
        "a rebuild records the last change it covers"
    );
    let requests_only = indexer
        .index
        .search("giong lua", false, Some("request"), 10, 0)
        .unwrap();
    assert_eq!(requests_only.0, 1);
    assert_eq!(requests_only.1[0].id, request);
}

#[actix_web::test]
async fn an_index_of_another_schema_version_or_damaged_is_rebuilt_empty() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (_, rebuilt) = SearchIndex::open(dir.path()).unwrap();
        assert!(rebuilt, "a new index needs filling");
    }
    let (_, rebuilt) = SearchIndex::open(dir.path()).unwrap();
    assert!(!rebuilt);
    std::fs::write(dir.path().join("techx-schema-version"), "0").unwrap();
    let (_, rebuilt) = SearchIndex::open(dir.path()).unwrap();
    assert!(rebuilt);
    std::fs::write(dir.path().join("meta.json"), "not json").unwrap();
    let (index, rebuilt) = SearchIndex::open(dir.path()).unwrap();
    assert!(rebuilt);
    assert!(index.is_empty());
}

#[actix_web::test]
async fn a_change_committed_out_of_sequence_order_is_not_skipped() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let indexer = open(dir.path(), &app);
    let early = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Máy bóc vỏ lạc", json!({})),
        )
        .await;
    app.publish("listings", early, &cast.owner, &cast.moderator)
        .await;
    indexer.catch_up().await.unwrap();
    let seen = indexer.index.last_seq().unwrap();
    // Simulate PostgreSQL: the transaction holding seq+1 commits after the one holding seq+2.
    let late = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Máy tách hạt ngô", json!({})),
        )
        .await;
    app.publish("listings", late, &cast.owner, &cast.moderator)
        .await;
    app.execute(&format!("DELETE FROM change_log WHERE seq > {seen}"))
        .await;
    app.execute(&format!(
        "INSERT INTO change_log (seq, entity, entity_id, op, changed_at) VALUES ({}, 'listing', {late}, 'update', '2026-11-29 00:00:00')",
        seen + 2
    ))
    .await;
    indexer.catch_up().await.unwrap();
    // The later change is applied, but the watermark waits below the gap…
    assert_eq!(ids(&indexer, "tach hat ngo", false), vec![late]);
    assert_eq!(indexer.index.last_seq().unwrap(), seen);
    // …so when the earlier transaction commits, its change is not skipped.
    app.execute(&format!(
        "UPDATE listings SET title = 'Máy bóc vỏ lạc cải tiến' WHERE id = {early}"
    ))
    .await;
    app.execute(&format!(
        "INSERT INTO change_log (seq, entity, entity_id, op, changed_at) VALUES ({}, 'listing', {early}, 'update', '2026-11-29 00:00:00')",
        seen + 1
    ))
    .await;
    indexer.catch_up().await.unwrap();
    assert_eq!(ids(&indexer, "cai tien", false), vec![early]);
    assert_eq!(indexer.index.last_seq().unwrap(), seen + 2);
}

fn search_path(q: &str, extra: &str) -> String {
    let q: String = q
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            b' ' => "+".to_owned(),
            other => format!("%{other:02X}"),
        })
        .collect();
    format!("/api/v1/search?q={q}{extra}")
}

#[actix_web::test]
async fn the_search_endpoint_returns_records_at_the_callers_tier_with_highlights() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let listing = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Chế phẩm xử lý nước thải chăn nuôi", json!({})),
        )
        .await;
    app.publish("listings", listing, &cast.owner, &cast.moderator)
        .await;
    let request = app
        .create_record(
            "requests",
            &cast.enterprise,
            crate::support::request_body(
                "Cần xử lý nước thải lò mổ",
                json!({"anonymous": true, "keywords": ["lò mổ"], "problem": "Lò mổ gia súc cần xử lý nước thải đạt quy chuẩn trước khi xả ra sông."}),
            ),
        )
        .await;
    app.publish("requests", request, &cast.enterprise, &cast.moderator)
        .await;
    let draft = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Nước thải dệt nhuộm (nháp)", json!({})),
        )
        .await;
    app.index_changes().await;

    let reply = app.get(&search_path("nuoc thai chan nuoi", ""), None).await;
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert_eq!(body["total"], 2, "{body}");
    assert!(body["took_ms"].is_u64());
    let first = &body["items"][0];
    assert_eq!(first["kind"], "listing");
    assert_eq!(first["id"], listing);
    assert_eq!(
        first["highlights"]["title"],
        "Chế phẩm xử lý <mark>nước</mark> <mark>thải</mark> <mark>chăn</mark> <mark>nuôi</mark>"
    );
    assert_eq!(first["listing"]["disclosed_tier"], "public");
    assert!(
        !body.to_string().contains("REGISTERED-DETAILS")
            && !body.to_string().contains("CONFIDENTIAL")
    );
    // The anonymous requester stays hidden in search too.
    let hit = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["kind"] == "request")
        .unwrap()
        .clone();
    assert!(hit["request"]["organization_id"].is_null());
    assert!(!body.to_string().contains("Mía đường"));
    // The owner sees its own record at its tier; drafts never appear.
    let own = app
        .get(
            &search_path("nuoc thai", "&kind=listing"),
            Some(&cast.owner),
        )
        .await
        .json();
    assert_eq!(own["total"], 1);
    assert_eq!(own["items"][0]["listing"]["disclosed_tier"], "confidential");
    assert!(!own.to_string().contains(&format!("\"id\":{draft},")));
    let requests_only = app
        .get(&search_path("nuoc thai", "&kind=request&limit=1"), None)
        .await
        .json();
    assert_eq!(requests_only["total"], 1);
    assert_eq!(requests_only["items"][0]["id"], request);
}

#[actix_web::test]
async fn registered_text_is_searched_only_for_entitled_callers_and_confidential_text_never() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let id = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Công nghệ ủ phân hữu cơ", json!({"details": "men Bacillus subtilis chịu nhiệt", "confidential_details": "phối trộn rỉ đường bí mật"})),
        )
        .await;
    app.publish("listings", id, &cast.owner, &cast.moderator)
        .await;
    app.index_changes().await;
    let found = |token: Option<String>, q: &'static str| {
        let app = &app;
        async move {
            app.get(&search_path(q, ""), token.as_deref()).await.json()["total"]
                .as_u64()
                .unwrap()
        }
    };
    assert_eq!(found(None, "Bacillus subtilis").await, 0, "anonymous");
    assert_eq!(
        found(Some(cast.unverified.clone()), "Bacillus subtilis").await,
        0,
        "unverified member"
    );
    assert_eq!(
        found(Some(cast.enterprise.clone()), "Bacillus subtilis").await,
        1,
        "verified member"
    );
    assert_eq!(
        found(Some(cast.broker.clone()), "Bacillus subtilis").await,
        1,
        "broker"
    );
    for token in [
        None,
        Some(cast.enterprise.clone()),
        Some(cast.owner.clone()),
        Some(cast.moderator.clone()),
    ] {
        assert_eq!(
            found(token, "ri duong bi mat").await,
            0,
            "confidential text is never searchable"
        );
    }
}

#[actix_web::test]
async fn search_parameters_are_validated() {
    let app = TestApp::new().await;
    app.get("/api/v1/search?q=", None)
        .await
        .assert_error(400, "invalid_input");
    app.get("/api/v1/search", None)
        .await
        .assert_error(400, "invalid_input");
    app.get(&search_path(&"x".repeat(201), ""), None)
        .await
        .assert_error(400, "invalid_input");
    app.get("/api/v1/search?q=lua&limit=500", None)
        .await
        .assert_error(400, "invalid_input");
    app.get("/api/v1/search?q=lua&kind=organization", None)
        .await
        .assert_error(400, "invalid_input");
    let empty = app.get("/api/v1/search?q=lua", None).await.json();
    assert_eq!(empty["total"], 0);
}
