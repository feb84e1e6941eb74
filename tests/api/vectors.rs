//! Record vectors and cross-lingual search: a query in one language finds records written in
//! the other by meaning, through the filters and tiers of every search; vectors are stored once
//! and not recomputed by a reindex; only public text is embedded. Driven by a stand-in model
//! whose "meanings" are a few concepts named in both languages (so the test runs everywhere),
//! and, where `scripts/fetch-model` has put it, by the real one.

use crate::search::search_path as search;
use crate::support::{Cast, TestApp, ids, listing_body, published, request_body};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use techx_search::SearchError;
use techx_search::vectors::{Embedder, Vectors};

/// Concepts named in Vietnamese and in English; a text's vector counts the concepts it names.
const CONCEPTS: &[&[&str]] = &[
    &["lúa", "rice"],
    &["sấy", "dry"],
    &["nước thải", "wastewater"],
    &["lợn", "pig"],
    &["bệnh viện", "hospital"],
];

/// The stand-in model: counts the texts it embeds and keeps them.
#[derive(Default)]
struct Concepts {
    embedded: AtomicUsize,
    texts: Mutex<Vec<String>>,
}

fn concept_vector(text: &str) -> Vec<f32> {
    let text = text.to_lowercase();
    let mut vector: Vec<f32> = CONCEPTS
        .iter()
        .map(|names| {
            if names.iter().any(|n| text.contains(n)) {
                1.0
            } else {
                0.0
            }
        })
        .collect();
    // Every text has a little of "anything else", so no vector is zero.
    vector.push(0.1);
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    vector.iter().map(|x| x / norm).collect()
}

impl Embedder for Concepts {
    fn name(&self) -> &str {
        "test-concepts"
    }
    fn dim(&self) -> usize {
        CONCEPTS.len() + 1
    }
    fn nearness(&self) -> techx_embed::Nearness {
        techx_embed::Nearness {
            min_similarity: 0.5,
            min_z: 0.0,
        }
    }
    fn passages(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, SearchError> {
        self.embedded.fetch_add(texts.len(), Ordering::SeqCst);
        self.texts.lock().unwrap().extend(texts.iter().cloned());
        Ok(texts.iter().map(|t| concept_vector(t)).collect())
    }
    fn query(&self, text: &str) -> Result<Vec<f32>, SearchError> {
        Ok(concept_vector(text))
    }
}

async fn app_with(embedder: Arc<dyn Embedder>) -> TestApp {
    let mut app = TestApp::new().await;
    let vectors = Arc::new(Vectors::new(embedder));
    app.state.search = app.state.search.take().map(|i| i.with_vectors(vectors));
    app
}

async fn stored_vectors(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    use techx_db::schema::record_vectors;
    app.state
        .db
        .run(|conn| {
            record_vectors::table
                .count()
                .get_result::<i64>(conn)
                .map_err(techx_db::DbError::from)
        })
        .await
        .unwrap()
}

#[actix_web::test]
async fn an_english_query_finds_vietnamese_records_by_meaning_through_filters_and_tiers() {
    let embedder = Arc::new(Concepts::default());
    let app = app_with(embedder.clone()).await;
    let cast = Cast::new(&app).await;
    let dryer = published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body("Máy sấy lúa bằng nhiệt trấu", json!({})),
    )
    .await;
    let wastewater = published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body("Chế phẩm vi sinh xử lý nước thải", json!({})),
    )
    .await;
    let anonymous_need = published(
        &app,
        "requests",
        &cast.enterprise,
        &cast.moderator,
        request_body("Cần máy sấy lúa cho hợp tác xã", json!({"anonymous": true})),
    )
    .await;
    app.index_changes().await;
    assert_eq!(stored_vectors(&app).await, 3);

    // Words alone cannot meet: without vectors the English query finds nothing.
    let plain = TestApp::new().await;
    let plain_cast = Cast::new(&plain).await;
    published(
        &plain,
        "listings",
        &plain_cast.owner,
        &plain_cast.moderator,
        listing_body("Máy sấy lúa bằng nhiệt trấu", json!({})),
    )
    .await;
    plain.index_changes().await;
    let reply = plain.get(&search("rice dryer", ""), None).await.json();
    assert_eq!(reply["total"], 0, "{reply}");

    // With them, the records about drying rice come first, for every caller; the one about
    // wastewater is not near enough to come at all.
    for token in [
        None,
        Some(cast.unverified.as_str()),
        Some(cast.broker.as_str()),
    ] {
        let reply = app.get(&search("rice dryer", ""), token).await;
        assert_eq!(reply.status, 200);
        let body = reply.json();
        let found = ids(&body);
        assert!(found.contains(&dryer), "{token:?}: {body}");
        assert!(found.contains(&anonymous_need), "{token:?}: {body}");
        assert!(!found.contains(&wastewater), "{token:?}: {body}");
        assert_eq!(body["total"], 2, "{body}");
        // The anonymous requester stays anonymous on this road too (staff may know it).
        let need = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["kind"] == "request")
            .unwrap();
        if token != Some(cast.broker.as_str()) {
            assert!(
                !body.to_string().contains("Mía đường Lam Sơn"),
                "{token:?}: the anonymous requester is named: {need}"
            );
            assert!(need["request"]["organization_id"].is_null(), "{need}");
        }
    }
    // Filters hold for records found by meaning.
    let only_requests = app
        .get(&search("rice dryer", "&kind=request"), None)
        .await
        .json();
    assert_eq!(ids(&only_requests), vec![anonymous_need], "{only_requests}");
    // Paging walks the fused list.
    let first = app
        .get(&search("rice dryer", "&limit=1"), None)
        .await
        .json();
    let second = app
        .get(&search("rice dryer", "&limit=1&offset=1"), None)
        .await
        .json();
    let mut walked = [ids(&first), ids(&second)].concat();
    walked.sort();
    let mut expected = vec![dryer, anonymous_need];
    expected.sort();
    assert_eq!(walked, expected);

    // Only public text was embedded: no registered or confidential text, no requester.
    for text in embedder.texts.lock().unwrap().iter() {
        assert!(!text.contains("REGISTERED"), "{text}");
        assert!(!text.contains("CONFIDENTIAL"), "{text}");
        assert!(!text.contains("Lam Sơn"), "{text}");
    }

    // A record taken out of public view is not found by meaning either.
    let owner = app.state.accounts.authenticate(&cast.owner).await.unwrap();
    app.state
        .listings
        .transition(
            &owner,
            techx_core::ListingId(dryer),
            techx_catalogue::records::TransitionForm {
                action: techx_core::codes::Action::Pause,
                note: Some("tạm dừng".into()),
            },
            None,
        )
        .await
        .unwrap();
    app.index_changes().await;
    let after = app.get(&search("rice dryer", ""), None).await.json();
    assert_eq!(ids(&after), vec![anonymous_need], "{after}");
}

#[actix_web::test]
async fn vectors_are_stored_once_a_reindex_reads_them_back_and_an_edit_computes_a_new_one() {
    let embedder = Arc::new(Concepts::default());
    let app = app_with(embedder.clone()).await;
    let cast = Cast::new(&app).await;
    let dryer = published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body("Máy sấy lúa bằng nhiệt trấu", json!({})),
    )
    .await;
    published(
        &app,
        "requests",
        &cast.enterprise,
        &cast.moderator,
        request_body("Xử lý nước thải trại lợn", json!({})),
    )
    .await;
    app.index_changes().await;
    assert_eq!(embedder.embedded.load(Ordering::SeqCst), 2);

    let indexer = app.state.search.as_ref().unwrap();
    assert_eq!(indexer.rebuild(|_| {}).await.unwrap(), 2);
    assert_eq!(
        embedder.embedded.load(Ordering::SeqCst),
        2,
        "a rebuild recomputed stored vectors"
    );
    // A fresh process (the vectors held in memory forgotten) loads them from the database.
    let fresh = Arc::new(Concepts::default());
    let reopened = indexer
        .clone()
        .with_vectors(Arc::new(Vectors::new(fresh.clone())));
    assert_eq!(reopened.load_vectors().await.unwrap(), 2);
    assert_eq!(fresh.embedded.load(Ordering::SeqCst), 0);

    // Editing the public text computes the vector again, and only that one.
    let reply = app
        .patch(
            &format!("/api/v1/listings/{dryer}"),
            Some(&cast.owner),
            json!({"title": "Máy sấy lúa và ngô bằng nhiệt trấu"}),
        )
        .await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.json()["status"], "published");
    app.index_changes().await;
    assert_eq!(stored_vectors(&app).await, 2);
    assert_eq!(embedder.embedded.load(Ordering::SeqCst), 3);
    let texts = embedder.texts.lock().unwrap();
    assert!(texts.last().unwrap().contains("lúa và ngô"), "{texts:?}");
}

/// With the real model: an English need finds its Vietnamese offer, and a Vietnamese need its
/// English offer. Runs where the model has been fetched.
#[actix_web::test]
async fn with_the_model_a_need_finds_an_offer_written_in_the_other_language() {
    let dir = std::env::var_os("TECHX_MODEL_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models"));
    let Some(model) = techx_embed::Model::find(&dir).unwrap() else {
        return;
    };
    let app = app_with(Arc::new(model)).await;
    let cast = Cast::new(&app).await;
    let vietnamese = published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body(
            "Chế phẩm vi sinh xử lý nước thải chăn nuôi lợn, khử mùi hôi",
            json!({"summary": "Men vi sinh giảm mùi hôi và chất ô nhiễm trong nước thải trang trại lợn."}),
        ),
    )
    .await;
    let english = published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body(
            "Deep learning reading of chest X-rays for district hospitals",
            json!({
                "summary": "Software that flags pneumonia and tuberculosis on chest radiographs.",
                "keywords": ["medical imaging", "artificial intelligence"],
            }),
        ),
    )
    .await;
    // Other records in both languages, so that nearness is a choice.
    for (title, summary) in [
        (
            "Giống lúa chịu mặn cho vùng ven biển",
            "Giống lúa ngắn ngày chịu mặn 4 phần nghìn.",
        ),
        (
            "Gạch không nung từ tro bay nhiệt điện",
            "Dây chuyền ép gạch từ tro bay và xi măng.",
        ),
        (
            "Nuôi tôm thẻ chân trắng trong nhà màng",
            "Quy trình nuôi tôm mật độ cao, tuần hoàn nước.",
        ),
        (
            "Phần mềm kế toán cho hợp tác xã",
            "Ứng dụng ghi sổ thu chi và xuất báo cáo thuế.",
        ),
        (
            "Solar water pump for irrigation",
            "A pump driven by solar panels for small farms.",
        ),
        (
            "Biodegradable packaging from rice straw",
            "Trays and boxes moulded from straw pulp.",
        ),
        (
            "Low-cost water quality sensor",
            "Measures pH and dissolved oxygen in fish ponds.",
        ),
    ] {
        published(
            &app,
            "listings",
            &cast.owner,
            &cast.moderator,
            listing_body(title, json!({"summary": summary, "keywords": []})),
        )
        .await;
    }
    app.index_changes().await;
    let reply = app
        .get(
            &search("treating pig farm wastewater and its smell", ""),
            None,
        )
        .await
        .json();
    assert_eq!(ids(&reply).first(), Some(&vietnamese), "{reply}");
    let reply = app
        .get(
            &search("đọc phim chụp X quang phổi cho bệnh viện huyện", ""),
            None,
        )
        .await
        .json();
    assert!(ids(&reply).contains(&english), "{reply}");
}

#[actix_web::test]
async fn a_vietnamese_need_is_matched_with_an_english_offer_by_meaning() {
    let embedder = Arc::new(Concepts::default());
    let app = app_with(embedder).await;
    let plain = TestApp::new().await;
    for (app, with_vectors) in [(&app, true), (&plain, false)] {
        let cast = Cast::new(app).await;
        let english = published(
            app,
            "listings",
            &cast.owner,
            &cast.moderator,
            listing_body(
                "Rice dryer heated by husk",
                json!({
                    "summary": "A dryer for paddy rice that burns rice husk, for cooperatives.",
                    "keywords": ["dryer", "post-harvest"],
                    "sci_fields": ["4.1"],
                }),
            ),
        )
        .await;
        let unrelated = published(
            app,
            "listings",
            &cast.owner,
            &cast.moderator,
            listing_body(
                "Hospital records software",
                json!({
                    "summary": "Electronic medical records for district hospitals and clinics.",
                    "keywords": ["software"],
                    "sci_fields": ["3.2"],
                }),
            ),
        )
        .await;
        let need = published(
            app,
            "requests",
            &cast.enterprise,
            &cast.moderator,
            request_body(
                "Cần máy sấy lúa cho hợp tác xã",
                json!({"problem": "Hợp tác xã cần sấy 20 tấn lúa mỗi ngày sau thu hoạch.", "keywords": ["sấy lúa"]}),
            ),
        )
        .await;
        app.index_changes().await;
        let reply = app
            .get(&format!("/api/v1/requests/{need}/matches"), None)
            .await;
        assert_eq!(reply.status, 200);
        let body = reply.json();
        let found = ids(&body);
        if with_vectors {
            assert_eq!(found.first(), Some(&english), "{body}");
            assert!(!found.contains(&unrelated), "{body}");
            let text = body["items"][0]["explanation"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["component"] == "text")
                .unwrap()
                .clone();
            assert_eq!(text["score"], 1.0, "{text}");
        } else {
            // Without the model the English offer shares no word with the need.
            assert!(!found.contains(&english), "{body}");
        }
    }
}
