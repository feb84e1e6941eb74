//! The search index: Vietnamese queries, tiers, sync from the change log, crash catch-up,
//! rebuild.

use crate::support::{Cast, TestApp, listing_body, published, request_body};
use serde_json::{Value, json};
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
        .search(
            "giong lua",
            false,
            Some(techx_core::RecordKind::Request),
            10,
            0,
        )
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

/// `/api/v1/search?q=…` with `q` percent-encoded, then `extra`.
pub(crate) fn search_path(q: &str, extra: &str) -> String {
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
    // No text is a browse of everything published, not an error.
    assert_eq!(app.get("/api/v1/search?q=", None).await.status, 200);
    assert_eq!(app.get("/api/v1/search", None).await.status, 200);
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

/// Ids of the hits of a search response, in order.
fn hit_ids(body: &serde_json::Value) -> Vec<i64> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect()
}

/// The count of `code` in facet `facet` of a search response (0 when absent).
fn facet_count(body: &serde_json::Value, facet: &str, code: &str) -> u64 {
    body["facets"][facet]
        .as_array()
        .unwrap_or_else(|| panic!("no facet {facet} in {body}"))
        .iter()
        .find(|v| v["value"] == code)
        .map(|v| v["count"].as_u64().unwrap())
        .unwrap_or(0)
}

/// Three listings and a request about drying, with known codes, published in this order.
struct Drying {
    solar: i64,
    herbs: i64,
    freeze: i64,
    need: i64,
}

async fn drying_dataset(app: &TestApp, cast: &Cast) -> Drying {
    // The requester is an enterprise, the listing owner a university.
    app.execute(&format!(
        "UPDATE organizations SET org_type = 'enterprise' WHERE id = {}",
        cast.enterprise_org
    ))
    .await;
    let solar = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body(
                "Máy sấy nông sản năng lượng mặt trời",
                json!({"keywords": ["sấy nông sản", "năng lượng mặt trời"], "sci_fields": ["2.8"], "trl": 6,
                       "province_code": "thanh_hoa", "cooperation_types": ["license"], "transfer_forms": ["standalone"],
                       "ip_assets": [{"ip_type": "invention_patent", "legal_status": "granted", "number": "1-0012345"}],
                       "price_min_vnd": 100_000_000i64, "price_max_vnd": 300_000_000i64}),
            ),
        )
        .await;
    let herbs = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body(
                "Máy sấy lạnh dược liệu",
                json!({"keywords": ["dược liệu"], "sci_fields": ["2.7", "4.1"], "trl": 8,
                       "province_code": "ha_noi", "cooperation_types": ["assignment", "license"], "transfer_forms": ["ip_transfer"],
                       "price_min_vnd": 500_000_000i64, "price_max_vnd": 1_000_000_000i64}),
            ),
        )
        .await;
    let freeze = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body(
                "Quy trình sấy thăng hoa trái cây",
                json!({"keywords": ["trái cây"], "sci_fields": ["4.1"], "trl": 3,
                       "province_code": "thanh_hoa", "cooperation_types": ["rd_cooperation"],
                       "price_min_vnd": null, "price_max_vnd": null}),
            ),
        )
        .await;
    let need = app
        .create_record(
            "requests",
            &cast.enterprise,
            crate::support::request_body(
                "Cần công nghệ sấy nông sản quy mô hợp tác xã",
                json!({"keywords": ["sấy nông sản"], "sci_fields": ["2.8"], "trl_min": 5,
                       "province_code": "thanh_hoa", "accepted_cooperation_types": ["license"],
                       "budget_min_vnd": 200_000_000i64, "budget_max_vnd": 400_000_000i64}),
            ),
        )
        .await;
    for id in [solar, herbs, freeze] {
        app.publish("listings", id, &cast.owner, &cast.moderator)
            .await;
    }
    app.publish("requests", need, &cast.enterprise, &cast.moderator)
        .await;
    app.index_changes().await;
    Drying {
        solar,
        herbs,
        freeze,
        need,
    }
}

#[actix_web::test]
async fn each_filter_and_facet_count_is_correct_on_a_known_dataset() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let d = drying_dataset(&app, &cast).await;
    let sorted = |mut ids: Vec<i64>| {
        ids.sort();
        ids
    };
    let search = |extra: &'static str| {
        let app = &app;
        async move {
            let reply = app.get(&search_path("say", extra), None).await;
            assert_eq!(reply.status, 200, "{extra}: {}", reply.json());
            reply.json()
        }
    };

    let all = search(
        "&facets=kind,sci_field,trl,province_code,org_type,ip_type,cooperation_type,transfer_form",
    )
    .await;
    assert_eq!(all["total"], 4, "{all}");
    let expected: &[(&str, &str, u64)] = &[
        ("kind", "listing", 3),
        ("kind", "request", 1),
        ("sci_field", "2", 3),
        ("sci_field", "2.8", 2),
        ("sci_field", "2.7", 1),
        ("sci_field", "4", 2),
        ("sci_field", "4.1", 2),
        ("trl", "3", 1),
        ("trl", "5", 1),
        ("trl", "6", 1),
        ("trl", "8", 1),
        ("province_code", "thanh_hoa", 3),
        ("province_code", "ha_noi", 1),
        ("org_type", "university", 3),
        ("org_type", "enterprise", 1),
        ("ip_type", "invention_patent", 1),
        ("cooperation_type", "license", 3),
        ("cooperation_type", "assignment", 1),
        ("cooperation_type", "rd_cooperation", 1),
        ("transfer_form", "standalone", 1),
        ("transfer_form", "ip_transfer", 1),
    ];
    for (facet, code, count) in expected {
        assert_eq!(facet_count(&all, facet, code), *count, "{facet}={code}");
    }
    assert_eq!(all["facets"]["sci_field"].as_array().unwrap().len(), 5);
    assert_eq!(all["facets"]["province_code"][0]["value"], "thanh_hoa");
    assert_eq!(
        all["facets"]["province_code"][0]["label_vi"],
        "Tỉnh Thanh Hóa"
    );
    // Facets are counted over the filtered matches.
    let narrowed = search("&province_code=thanh_hoa&facets=kind").await;
    assert_eq!(facet_count(&narrowed, "kind", "listing"), 2);
    assert_eq!(facet_count(&narrowed, "kind", "request"), 1);

    let cases: Vec<(&str, Vec<i64>)> = vec![
        ("&sci_field=2", vec![d.solar, d.herbs, d.need]),
        ("&sci_field=2.8", vec![d.solar, d.need]),
        ("&sci_field=4.1,2.7", vec![d.herbs, d.freeze]),
        ("&trl_min=6", vec![d.solar, d.herbs]),
        ("&trl_min=4&trl_max=6", vec![d.solar, d.need]),
        ("&province_code=ha_noi", vec![d.herbs]),
        ("&org_type=enterprise", vec![d.need]),
        ("&ip_type=invention_patent", vec![d.solar]),
        ("&cooperation_type=license", vec![d.solar, d.herbs, d.need]),
        ("&transfer_form=ip_transfer", vec![d.herbs]),
        ("&price_min=400000000", vec![d.herbs, d.need]),
        ("&price_max=150000000", vec![d.solar]),
        ("&price_min=350000000&price_max=450000000", vec![d.need]),
        (
            "&kind=listing&cooperation_type=license",
            vec![d.solar, d.herbs],
        ),
        ("&kind=request&province_code=ha_noi", vec![]),
    ];
    for (extra, expected) in cases {
        let body = search(extra).await;
        assert_eq!(sorted(hit_ids(&body)), sorted(expected.clone()), "{extra}");
        assert_eq!(body["total"], expected.len(), "{extra}");
    }

    // Sorting.
    let newest = search("&sort=newest").await;
    assert_eq!(hit_ids(&newest), vec![d.need, d.freeze, d.herbs, d.solar]);
    assert!(newest["items"][0]["score"].is_null());
    let cheapest = search("&sort=price").await;
    assert_eq!(hit_ids(&cheapest), vec![d.solar, d.need, d.herbs, d.freeze]);
    let dearest = search("&sort=-price").await;
    assert_eq!(hit_ids(&dearest), vec![d.herbs, d.need, d.solar, d.freeze]);
    let relevance = search("").await;
    assert!(relevance["items"][0]["score"].as_f64().unwrap() > 0.0);
    // Paging keeps the exact total.
    let page = search("&sort=newest&limit=2&offset=2").await;
    assert_eq!(hit_ids(&page), vec![d.herbs, d.solar]);
    assert_eq!(page["total"], 4);

    // Without text: every published record that passes the filters, newest first.
    let browse = app
        .get("/api/v1/search?province_code=thanh_hoa&facets=kind", None)
        .await
        .json();
    assert_eq!(hit_ids(&browse), vec![d.need, d.freeze, d.solar]);
}

#[actix_web::test]
async fn text_only_an_entitled_caller_may_read_gives_no_hit_facet_or_highlight_to_others() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let id = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body(
                "Chế phẩm ủ phân hữu cơ",
                json!({"details": "Chủng men Bacillus subtilis chịu nhiệt, mật độ 10^9 CFU/g.",
                       "confidential_details": "Tỷ lệ phối trộn rỉ đường bí mật", "province_code": "thanh_hoa"}),
            ),
        )
        .await;
    app.publish("listings", id, &cast.owner, &cast.moderator)
        .await;
    let anonymous_need = app
        .create_record(
            "requests",
            &cast.enterprise,
            crate::support::request_body(
                "Cần chế phẩm ủ phân cho trang trại",
                json!({"anonymous": true}),
            ),
        )
        .await;
    app.publish(
        "requests",
        anonymous_need,
        &cast.enterprise,
        &cast.moderator,
    )
    .await;
    app.index_changes().await;

    let outsiders = [
        ("anonymous", None),
        ("unverified member", Some(cast.unverified.clone())),
    ];
    let entitled = [
        ("verified member", Some(cast.enterprise.clone())),
        ("owner", Some(cast.owner.clone())),
        ("broker", Some(cast.broker.clone())),
        ("moderator", Some(cast.moderator.clone())),
        ("admin", Some(cast.admin.clone())),
    ];
    let path = search_path("Bacillus subtilis", "&facets=province_code,kind");
    for (who, token) in &outsiders {
        let body = app.get(&path, token.as_deref()).await.json();
        assert_eq!(body["total"], 0, "{who}: {body}");
        assert_eq!(facet_count(&body, "province_code", "thanh_hoa"), 0, "{who}");
        assert!(
            body["facets"]["kind"].as_array().unwrap().is_empty(),
            "{who}"
        );
        // Even found by public words, the registered text is neither shown nor highlighted.
        let public = app
            .get(&search_path("phân hữu cơ Bacillus", ""), token.as_deref())
            .await
            .json();
        assert!(
            !public.to_string().contains("Bacillus subtilis"),
            "{who}: {public}"
        );
        assert!(!public.to_string().contains("<mark>Bacillus"), "{who}");
    }
    for (who, token) in &entitled {
        let body = app.get(&path, token.as_deref()).await.json();
        assert_eq!(body["total"], 1, "{who}: {body}");
        assert_eq!(facet_count(&body, "province_code", "thanh_hoa"), 1, "{who}");
        assert_eq!(
            body["items"][0]["highlights"]["registered"],
            "Chủng men <mark>Bacillus</mark> <mark>subtilis</mark> chịu nhiệt, mật độ 10^9 CFU/g.",
            "{who}"
        );
    }
    // Confidential text: no hit, no count, no highlight for anyone.
    for (who, token) in outsiders.iter().chain(entitled.iter()) {
        let body = app
            .get(
                &search_path("phoi tron ri duong", "&facets=province_code"),
                token.as_deref(),
            )
            .await
            .json();
        assert_eq!(body["total"], 0, "{who}: {body}");
        assert_eq!(facet_count(&body, "province_code", "thanh_hoa"), 0, "{who}");
    }
    // The anonymous requester's organization type is neither counted nor filterable.
    let body = app
        .get(
            &search_path("u phan", "&kind=request&facets=org_type"),
            Some(&cast.broker),
        )
        .await
        .json();
    assert_eq!(body["total"], 1, "{body}");
    assert!(
        body["facets"]["org_type"].as_array().unwrap().is_empty(),
        "{body}"
    );
    let filtered = app
        .get(
            &search_path("u phan", "&kind=request&org_type=university"),
            None,
        )
        .await
        .json();
    assert_eq!(filtered["total"], 0);
}

#[actix_web::test]
async fn a_query_that_finds_little_gets_a_typo_tolerant_pass() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let id = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body(
                "Hệ thống giám sát ao nuôi tôm",
                json!({"keywords": ["aquaculture", "cảm biến"]}),
            ),
        )
        .await;
    app.publish("listings", id, &cast.owner, &cast.moderator)
        .await;
    app.index_changes().await;
    let exact = app.get(&search_path("aquaculture", ""), None).await.json();
    assert_eq!(hit_ids(&exact), vec![id]);
    assert_eq!(exact["fuzzy"], false);
    // One letter pair swapped; two letters missing from a long word.
    for typo in ["aquacultrue", "aqacultre"] {
        let body = app.get(&search_path(typo, ""), None).await.json();
        assert_eq!(hit_ids(&body), vec![id], "{typo}: {body}");
        assert_eq!(body["fuzzy"], true, "{typo}");
    }
    let nothing = app.get(&search_path("xyzxyzxyz", ""), None).await.json();
    assert_eq!(nothing["total"], 0);
    assert_eq!(nothing["fuzzy"], false);
}

#[actix_web::test]
async fn suggestions_complete_keywords_and_titles_of_published_records_only() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let d = drying_dataset(&app, &cast).await;
    let suggest = |path: &'static str| {
        let app = &app;
        async move {
            let reply = app.get(path, None).await;
            assert_eq!(reply.status, 200, "{path}");
            reply.json()
        }
    };
    let body = suggest("/api/v1/search/suggest?q=say%20n").await;
    let items = body["items"].as_array().unwrap();
    assert_eq!(items[0]["text"], "sấy nông sản", "{body}");
    assert_eq!(items[0]["source"], "keyword");
    assert_eq!(items[0]["count"], 2);
    let mut titles: Vec<i64> = items
        .iter()
        .filter(|i| i["source"] == "title")
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    titles.sort();
    let mut expected = vec![d.solar, d.need];
    expected.sort();
    assert_eq!(titles, expected, "{body}");
    // Accented, one kind only, a limit.
    let listings = suggest("/api/v1/search/suggest?q=d%C6%B0%E1%BB%A3c&kind=listing&limit=1").await;
    assert_eq!(listings["items"].as_array().unwrap().len(), 1);
    assert_eq!(listings["items"][0]["text"], "dược liệu");
    // A withdrawn record's words are no longer suggested.
    app.act("requests", d.need, &cast.enterprise, "withdraw")
        .await;
    app.index_changes().await;
    let after = suggest("/api/v1/search/suggest?q=say%20nong").await;
    assert_eq!(after["items"][0]["text"], "sấy nông sản");
    assert_eq!(after["items"][0]["count"], 1);
    assert!(
        !after["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["kind"] == "request" && i["id"] == d.need),
        "{after}"
    );
    // Validation.
    app.get("/api/v1/search/suggest?q=", None)
        .await
        .assert_error(400, "invalid_input");
    app.get("/api/v1/search/suggest?q=ab&limit=50", None)
        .await
        .assert_error(400, "invalid_input");
}

#[actix_web::test]
async fn search_filters_and_facets_are_validated() {
    let app = TestApp::new().await;
    for path in [
        "/api/v1/search?q=lua&sci_field=9.9",
        "/api/v1/search?q=lua&province_code=atlantis",
        "/api/v1/search?q=lua&trl_min=0",
        "/api/v1/search?q=lua&price_min=-1",
        "/api/v1/search?q=lua&facets=colour",
        "/api/v1/search?q=lua&sort=cheapest",
        "/api/v1/search?q=lua&cooperation_type=license,barter",
    ] {
        let error = app.get(path, None).await.assert_error(400, "invalid_input");
        assert!(
            !error["details"]
                .as_array()
                .unwrap_or(&Vec::new())
                .is_empty()
                || error["message"].as_str().is_some(),
            "{path}"
        );
    }
    let body = app
        .get(
            "/api/v1/search?province_code=ha_noi,thanh_hoa&facets=trl",
            None,
        )
        .await;
    assert_eq!(body.status, 200);
    // An inverted range matches nothing rather than being refused.
    let inverted = app.get("/api/v1/search?trl_min=7&trl_max=3", None).await;
    assert_eq!(inverted.status, 200);
    assert_eq!(inverted.json()["total"], 0);
    assert_eq!(
        app.get("/api/v1/search?q=lua&price_min=10&price_max=5", None)
            .await
            .status,
        200
    );
}

#[actix_web::test]
async fn a_publication_that_lapses_stops_matching_at_once_and_anonymous_hits_come_from_the_index() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let id = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Thiết bị lọc nước nhiễm mặn", json!({})),
        )
        .await;
    app.publish("listings", id, &cast.owner, &cast.moderator)
        .await;
    app.index_changes().await;
    let found = |token: Option<String>| {
        let app = &app;
        async move {
            app.get(&search_path("loc nuoc nhiem man", ""), token.as_deref())
                .await
                .json()
        }
    };
    let anonymous = found(None).await;
    assert_eq!(hit_ids(&anonymous), vec![id]);
    // The anonymous answer is the public tier, exactly as GET shows it to anyone.
    let get = app
        .get(&format!("/api/v1/listings/{id}"), None)
        .await
        .json();
    assert_eq!(anonymous["items"][0]["listing"], get);
    // The publication runs out in two seconds (as if a year had passed), and the index learns
    // the new end from a rebuild; no sweep has written `expired` yet.
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(2))
        .naive_utc()
        .format("%Y-%m-%d %H:%M:%S%.6f");
    app.execute(&format!(
        "UPDATE listings SET valid_until = '{soon}' WHERE id = {id}"
    ))
    .await;
    app.state
        .search
        .as_ref()
        .unwrap()
        .rebuild(|_| {})
        .await
        .unwrap();
    assert_eq!(found(None).await["total"], 1);
    std::thread::sleep(std::time::Duration::from_millis(2500));
    for token in [None, Some(cast.enterprise.clone())] {
        let body = found(token).await;
        assert_eq!(body["total"], 0, "{body}");
    }
}

#[actix_web::test]
async fn an_accented_phrase_outranks_scattered_syllables_and_unaccented_text() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let indexer = open(dir.path(), &app);
    let same = json!({"summary": "Giải pháp cho doanh nghiệp vừa và nhỏ tại Thanh Hóa.", "keywords": ["môi trường"]});
    let phrase = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Công nghệ xử lý nước thải làng nghề", same.clone()),
        )
        .await;
    let scattered = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Thải bỏ cặn lắng trong nước giếng khoan", same.clone()),
        )
        .await;
    let unaccented = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Cong nghe xu ly nuoc thai lang nghe", same),
        )
        .await;
    for id in [phrase, scattered, unaccented] {
        app.publish("listings", id, &cast.owner, &cast.moderator)
            .await;
    }
    indexer.catch_up().await.unwrap();
    let ranked = ids(&indexer, "nước thải", false);
    assert_eq!(ranked.len(), 3, "{ranked:?}");
    assert_eq!(ranked[0], phrase, "the accented phrase first: {ranked:?}");
    // The accented phrase also outranks the same phrase written without diacritics.
    let position = |id: i64| ranked.iter().position(|r| *r == id).unwrap();
    assert!(position(phrase) < position(unaccented), "{ranked:?}");
    // Typed without diacritics, both phrase records come before the scattered one.
    let folded = ids(&indexer, "nuoc thai", false);
    assert_eq!(folded.last(), Some(&scattered), "{folded:?}");
}

#[actix_web::test]
async fn an_english_query_learns_from_its_best_english_hits() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let english = |title: &str, summary: &str| {
        listing_body(
            title,
            json!({"lang": "en", "summary": summary, "keywords": [], "details": null}),
        )
    };
    let mut ids = Vec::new();
    for (title, summary) in [
        (
            "Boundary layer transition on heated plates",
            "Measurements of boundary layer transition on heated flat plates in supersonic flow.",
        ),
        (
            "Supersonic wind tunnel for heated plates",
            "A supersonic wind tunnel with heated flat plates and skin friction gauges.",
        ),
        (
            "Rice straw compost",
            "Composting rice straw with microbial starters for organic fertiliser.",
        ),
    ] {
        let id = app
            .create_record("listings", &cast.owner, english(title, summary))
            .await;
        app.publish("listings", id, &cast.owner, &cast.moderator)
            .await;
        ids.push(id);
    }
    app.index_changes().await;
    let found = |reply: Value| -> Vec<i64> {
        reply["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    // The tunnel shares no word with the query, only with its best hit.
    let reply = app
        .get(
            &search_path("boundary layer transition", "&kind=listing"),
            None,
        )
        .await
        .json();
    let relevance = found(reply);
    assert_eq!(relevance, vec![ids[0], ids[1]]);
    // Other orders do not learn: only the records with the query's words.
    let newest = found(
        app.get(
            &search_path("boundary layer transition", "&kind=listing&sort=newest"),
            None,
        )
        .await
        .json(),
    );
    assert_eq!(newest, vec![ids[0]]);
}

#[actix_web::test]
async fn highlight_texts_from_a_typed_view_equal_those_from_its_stored_json() {
    use techx_core::RecordKind;
    use techx_search::highlight::Texts;
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let listing = published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body("Máy sấy nông sản bằng năng lượng mặt trời", json!({})),
    )
    .await;
    let request = published(
        &app,
        "requests",
        &cast.enterprise,
        &cast.moderator,
        request_body("Cần máy sấy lúa cho hợp tác xã", json!({})),
    )
    .await;
    let mut listing = app
        .state
        .listings
        .public_view(None, techx_core::ListingId(listing))
        .await
        .unwrap();
    let mut request = app
        .state
        .requests
        .public_view(None, techx_core::RequestId(request))
        .await
        .unwrap();
    let stored = |kind, json: String| Texts::from_stored(kind, &json).unwrap();
    // The public tier, as the index stores it: no registered text.
    let typed = Texts::from(&listing);
    assert_eq!(typed.title, "Máy sấy nông sản bằng năng lượng mặt trời");
    assert_eq!(typed.text, listing.summary);
    assert_eq!(typed.registered, None);
    assert_eq!(
        stored(
            RecordKind::Listing,
            serde_json::to_string(&listing).unwrap()
        ),
        typed
    );
    let typed = Texts::from(&request);
    assert_eq!(typed.text, request.problem);
    assert_eq!(
        stored(
            RecordKind::Request,
            serde_json::to_string(&request).unwrap()
        ),
        typed
    );
    // With the registered tier disclosed, each kind's own registered text.
    listing.details = Some("Công suất 2 tấn mỗi mẻ".into());
    request.requirements = Some("Sấy 5 tấn lúa mỗi ngày".into());
    for (kind, json, typed) in [
        (
            RecordKind::Listing,
            serde_json::to_string(&listing).unwrap(),
            Texts::from(&listing),
        ),
        (
            RecordKind::Request,
            serde_json::to_string(&request).unwrap(),
            Texts::from(&request),
        ),
    ] {
        assert!(typed.registered.is_some());
        assert_eq!(stored(kind, json), typed);
    }
    // The stored JSON of one kind read as the other has no public text.
    assert_eq!(
        Texts::from_stored(
            RecordKind::Request,
            &serde_json::to_string(&listing).unwrap()
        ),
        None
    );
}
