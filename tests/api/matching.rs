//! Explained matching: ranking with explanations, hard constraints, `strict`, and what each
//! caller may see of the other side.

use crate::support::{Cast, TestApp, ids, listing_body, published, request_body};
use serde_json::{Value, json};

fn item(reply: &Value, id: i64) -> Value {
    reply["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("{id} not among {reply}"))
}

fn component(item: &Value, name: &str) -> Value {
    item["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["component"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no {name} in {item}"))
}

/// A need for pig-farm wastewater treatment and four offers: the fitting one, one in the same
/// words but too immature, one in other words of the same field, one unrelated.
struct Market {
    need: i64,
    fitting: i64,
    immature: i64,
    other_words: i64,
    unrelated: i64,
}

async fn market(app: &TestApp, cast: &Cast) -> Market {
    let need = published(
        app,
        "requests",
        &cast.enterprise,
        &cast.moderator,
        request_body(
            "Cần công nghệ xử lý nước thải chăn nuôi lợn sau biogas",
            json!({
                "problem": "Trang trại 2.000 con lợn, nước thải chăn nuôi sau hầm biogas còn mùi và COD cao, cần đạt QCVN 62.",
                "requirements": "REGISTERED-REQUIREMENTS lưu lượng 60 m3 ngày đêm",
                "keywords": ["nước thải chăn nuôi", "biogas"],
                "sci_fields": ["2.7"],
                "trl_min": 6,
                "budget_min_vnd": 200_000_000i64,
                "budget_max_vnd": 500_000_000i64,
                "accepted_cooperation_types": ["license", "technical_services"],
            }),
        ),
    )
    .await;
    let fitting = published(
        app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body(
            "Hệ thống xử lý nước thải chăn nuôi lợn sau biogas",
            json!({
                "summary": "Xử lý nước thải chăn nuôi lợn sau biogas bằng bể thiếu khí và hiếu khí, giảm mùi và COD, đạt QCVN 62.",
                "details": "REGISTERED-DETAILS sơ đồ công nghệ xử lý nitơ",
                "keywords": ["nước thải chăn nuôi"],
                "sci_fields": ["2.7"],
                "trl": 7,
                "cooperation_types": ["license"],
                "price_min_vnd": 250_000_000i64,
                "price_max_vnd": 400_000_000i64,
            }),
        ),
    )
    .await;
    let immature = published(
        app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body(
            "Công nghệ xử lý nước thải chăn nuôi lợn sau biogas",
            json!({
                "summary": "Trang trại 2.000 con lợn, nước thải chăn nuôi sau hầm biogas còn mùi và COD cao, cần đạt QCVN 62.",
                "keywords": ["nước thải chăn nuôi", "biogas"],
                "sci_fields": ["2.7"],
                "trl": 3,
                "cooperation_types": ["license"],
                "price_min_vnd": 250_000_000i64,
                "price_max_vnd": 400_000_000i64,
            }),
        ),
    )
    .await;
    let other_words = published(
        app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body(
            "Bãi lọc trồng sậy làm sạch dòng xả trại heo",
            json!({
                "summary": "Mương lọc ngầm trồng sậy và cỏ vetiver hấp thụ chất hữu cơ từ trại heo, gần như không tốn điện.",
                "keywords": ["bãi lọc ngầm"],
                "sci_fields": ["2.7"],
                "trl": 8,
                "cooperation_types": ["technical_services"],
                "price_min_vnd": 100_000_000i64,
                "price_max_vnd": 200_000_000i64,
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
            "Giống lúa chịu mặn cho vùng ven biển",
            json!({
                "summary": "Giống lúa thuần ngắn ngày chịu mặn, năng suất 6,5 tấn mỗi ha trên đất ven biển.",
                "keywords": ["giống lúa"],
                "sci_fields": ["4.1"],
                "trl": 8,
            }),
        ),
    )
    .await;
    app.index_changes().await;
    Market {
        need,
        fitting,
        immature,
        other_words,
        unrelated,
    }
}

#[actix_web::test]
async fn a_request_ranks_its_best_listing_first_and_explains_every_component() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let m = market(&app, &cast).await;
    let reply = app
        .get(&format!("/api/v1/requests/{}/matches", m.need), None)
        .await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let body = reply.json();
    let order = ids(&body);
    assert_eq!(order.first(), Some(&m.fitting), "{body}");
    // Found through the shared field of science although it shares few words.
    assert!(order.contains(&m.other_words), "{order:?}");
    // The unrelated listing shares no field and no telling word: if it is a candidate at all,
    // it comes after both.
    let position = |id| order.iter().position(|x| *x == id);
    if let Some(unrelated) = position(m.unrelated) {
        assert!(unrelated > position(m.other_words).unwrap(), "{order:?}");
    }
    let best = item(&body, m.fitting);
    assert_eq!(best["kind"], "listing");
    assert_eq!(best["fits"], true);
    assert_eq!(best["violations"], json!([]));
    assert_eq!(best["listing"]["id"], m.fitting);
    let names: Vec<&str> = best["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["component"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "text",
            "field",
            "maturity",
            "price",
            "cooperation",
            "location",
            "freshness"
        ]
    );
    let text = component(&best, "text");
    let terms: Vec<&str> = text["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        terms.iter().any(|t| t.contains("nước thải chăn nuôi")),
        "{terms:?}"
    );
    assert!(terms.iter().any(|t| t.contains("biogas")), "{terms:?}");
    assert_eq!(component(&best, "field")["terms"], json!(["2.7"]));
    assert_eq!(component(&best, "field")["score"], 1.0);
    assert_eq!(component(&best, "maturity")["score"], 1.0);
    assert_eq!(component(&best, "price")["score"], 1.0);
    assert_eq!(component(&best, "cooperation")["terms"], json!(["license"]));
    // The score is the weighted sum of the components, weights summing to 1.
    let (mut sum, mut weights) = (0.0, 0.0);
    for c in best["explanation"].as_array().unwrap() {
        sum += c["score"].as_f64().unwrap() * c["weight"].as_f64().unwrap();
        weights += c["weight"].as_f64().unwrap();
    }
    assert!((weights - 1.0).abs() < 1e-3, "{weights}");
    assert!((best["score"].as_f64().unwrap() - sum).abs() < 1e-3);
    // Deterministic: the same call gives the same answer.
    let again = app
        .get(&format!("/api/v1/requests/{}/matches", m.need), None)
        .await
        .json();
    assert_eq!(ids(&again), order);
    assert_eq!(item(&again, m.fitting)["score"], best["score"]);
}

#[actix_web::test]
async fn a_too_immature_listing_is_lowered_by_the_violation_factor_names_trl_and_strict_leaves_it_out()
 {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let m = market(&app, &cast).await;
    let body = app
        .get(&format!("/api/v1/requests/{}/matches", m.need), None)
        .await
        .json();
    let order = ids(&body);
    let immature = item(&body, m.immature);
    assert_eq!(immature["fits"], false);
    assert_eq!(immature["violations"], json!(["trl"]));
    let maturity = component(&immature, "maturity");
    assert_eq!(maturity["violated"], true);
    assert!(maturity["detail"].as_str().unwrap().contains("TRL 3"));
    // Its text matches best of all, yet it comes after the listing that says the same and
    // fits: its weighted sum is multiplied by the violation factor (0.8) for the one constraint
    // it breaks, instead of being put after every fitting listing whatever its relevance.
    assert!(
        component(&immature, "text")["score"].as_f64().unwrap()
            >= component(&item(&body, m.fitting), "text")["score"]
                .as_f64()
                .unwrap()
    );
    let position = |id| order.iter().position(|x| *x == id).unwrap();
    assert!(position(m.immature) > position(m.fitting));
    let sum: f64 = immature["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["score"].as_f64().unwrap() * c["weight"].as_f64().unwrap())
        .sum();
    let score = immature["score"].as_f64().unwrap();
    assert!(
        (score - sum * techx_matching::VIOLATION_FACTOR).abs() < 1e-3,
        "{score} against {sum} × {}",
        techx_matching::VIOLATION_FACTOR
    );

    let strict = app
        .get(
            &format!("/api/v1/requests/{}/matches?strict=true", m.need),
            None,
        )
        .await
        .json();
    assert!(!ids(&strict).contains(&m.immature), "{strict}");
    assert_eq!(ids(&strict).first(), Some(&m.fitting));
    assert_eq!(strict["strict"], true);

    // From the listing's side the request is a match it breaks, with the same name.
    let reverse = app
        .get(&format!("/api/v1/listings/{}/matches", m.immature), None)
        .await
        .json();
    let need = item(&reverse, m.need);
    assert_eq!(need["kind"], "request");
    assert_eq!(need["violations"], json!(["trl"]));
    let strict_reverse = app
        .get(
            &format!("/api/v1/listings/{}/matches?strict=true", m.immature),
            None,
        )
        .await
        .json();
    assert!(!ids(&strict_reverse).contains(&m.need));
    // Over budget and without an accepted cooperation type: both named.
    let costly = published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body(
            "Xử lý nước thải chăn nuôi lợn trọn gói",
            json!({
                "summary": "Xử lý nước thải chăn nuôi lợn sau biogas, giảm mùi và COD, đạt QCVN 62, nhà máy trọn gói.",
                "sci_fields": ["2.7"],
                "trl": 9,
                "cooperation_types": ["joint_venture"],
                "price_min_vnd": 2_000_000_000i64,
                "price_max_vnd": 3_000_000_000i64,
            }),
        ),
    )
    .await;
    app.index_changes().await;
    let body = app
        .get(&format!("/api/v1/requests/{}/matches", m.need), None)
        .await
        .json();
    assert_eq!(
        item(&body, costly)["violations"],
        json!(["budget", "cooperation"])
    );
}

#[actix_web::test]
async fn matches_show_the_other_side_at_the_callers_tiers_only() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let m = market(&app, &cast).await;
    let path = format!("/api/v1/requests/{}/matches", m.need);
    // Anonymous: public tier, and the explanation holds no registered or confidential word.
    let anonymous = app.get(&path, None).await;
    let text = String::from_utf8_lossy(&anonymous.body).to_string();
    assert!(!text.contains("REGISTERED-"), "{text}");
    assert!(!text.contains("CONFIDENTIAL-"), "{text}");
    assert_eq!(
        item(&anonymous.json(), m.fitting)["listing"]["disclosed_tier"],
        "public"
    );
    // A member of an unverified organization: public tier too.
    let unverified = app.get(&path, Some(&cast.unverified)).await.json();
    assert_eq!(
        item(&unverified, m.fitting)["listing"]["disclosed_tier"],
        "public"
    );
    // A verified member: the registered tier of the listing, never the confidential one.
    let member = app.get(&path, Some(&cast.enterprise)).await;
    let text = String::from_utf8_lossy(&member.body).to_string();
    assert!(text.contains("REGISTERED-DETAILS"), "{text}");
    assert!(!text.contains("CONFIDENTIAL-"), "{text}");
    // Matched terms come from public text only, whoever asks.
    let terms = component(&item(&member.json(), m.fitting), "text")["terms"].clone();
    assert!(!terms.to_string().contains("REGISTERED"), "{terms}");
    // The owner of the listing, and a broker: confidential tier.
    let owner = app.get(&path, Some(&cast.owner)).await.json();
    assert_eq!(
        item(&owner, m.fitting)["listing"]["disclosed_tier"],
        "confidential"
    );
    let broker = app.get(&path, Some(&cast.broker)).await.json();
    assert_eq!(
        item(&broker, m.fitting)["listing"]["disclosed_tier"],
        "confidential"
    );

    // An unpublished listing is never a match; an unpublished request has no matches for
    // outsiders (404) but has for its owner.
    let draft = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body(
                "Xử lý nước thải chăn nuôi lợn sau biogas bản nháp",
                json!({"sci_fields": ["2.7"], "trl": 8}),
            ),
        )
        .await;
    let draft_need = app
        .create_record(
            "requests",
            &cast.enterprise,
            request_body("Nhu cầu nước thải chăn nuôi chưa công bố", json!({})),
        )
        .await;
    app.index_changes().await;
    for token in [None, Some(cast.broker.as_str()), Some(cast.owner.as_str())] {
        let body = app.get(&path, token).await.json();
        assert!(!ids(&body).contains(&draft), "{token:?}");
    }
    let hidden = format!("/api/v1/requests/{draft_need}/matches");
    app.get(&hidden, None).await.assert_error(404, "not_found");
    app.get(&hidden, Some(&cast.owner))
        .await
        .assert_error(404, "not_found");
    let own = app.get(&hidden, Some(&cast.enterprise)).await;
    assert_eq!(own.status, 200);
    assert!(ids(&own.json()).contains(&m.fitting));
}

#[actix_web::test]
async fn an_anonymous_requester_stays_hidden_in_a_listings_matches() {
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
    let secret_need = published(
        &app,
        "requests",
        &cast.enterprise,
        &cast.moderator,
        request_body(
            "Cần chế phẩm vi sinh xử lý nước thải chăn nuôi",
            json!({"anonymous": true}),
        ),
    )
    .await;
    app.index_changes().await;
    let path = format!("/api/v1/listings/{listing}/matches");
    let company = "Công ty CP Mía đường Lam Sơn";
    for token in [
        None,
        Some(cast.owner.as_str()),
        Some(cast.unverified.as_str()),
    ] {
        let reply = app.get(&path, token).await;
        assert_eq!(reply.status, 200);
        let body = reply.json();
        let need = item(&body, secret_need);
        assert!(
            need["request"]["organization_id"].is_null(),
            "{token:?}: {need}"
        );
        let text = String::from_utf8_lossy(&reply.body).to_string();
        assert!(!text.contains(company), "{token:?}: {text}");
    }
    // Its own members and brokers see who asked.
    for token in [&cast.enterprise, &cast.broker] {
        let body = app.get(&path, Some(token)).await.json();
        assert_eq!(
            item(&body, secret_need)["request"]["organization_id"],
            cast.enterprise_org
        );
    }
}

#[actix_web::test]
async fn matching_filters_and_validation() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let m = market(&app, &cast).await;
    let path = format!("/api/v1/requests/{}/matches", m.need);
    let limited = app.get(&format!("{path}?limit=1"), None).await.json();
    assert!(limited["considered"].as_u64().unwrap() >= 3, "{limited}");
    assert_eq!(ids(&limited), vec![m.fitting]);
    assert_eq!(limited["limit"], 1);
    // Filters as on search narrow the candidates.
    let filtered = app.get(&format!("{path}?trl_min=8"), None).await.json();
    let filtered = ids(&filtered);
    assert!(filtered.contains(&m.other_words), "{filtered:?}");
    assert!(!filtered.contains(&m.fitting) && !filtered.contains(&m.immature));
    let priced = app
        .get(&format!("{path}?price_max=150000000"), None)
        .await
        .json();
    let priced = ids(&priced);
    assert!(priced.contains(&m.other_words), "{priced:?}");
    assert!(!priced.contains(&m.fitting) && !priced.contains(&m.immature));
    for bad in [
        "limit=0",
        "limit=51",
        "sci_field=9.9",
        "trl_min=0",
        "province_code=atlantis",
        "strict=maybe",
    ] {
        app.get(&format!("{path}?{bad}"), None)
            .await
            .assert_error(400, "invalid_input");
    }
    // An inverted range matches nothing rather than being refused.
    let inverted = app.get(&format!("{path}?trl_min=7&trl_max=5"), None).await;
    assert_eq!(inverted.status, 200);
    assert_eq!(inverted.json()["items"], serde_json::json!([]));
    app.get("/api/v1/requests/999999/matches", None)
        .await
        .assert_error(404, "not_found");
    app.get("/api/v1/listings/abc/matches", None)
        .await
        .assert_error(400, "invalid_input");
}

/// Matching reads a record's facts from its typed view (a match being saved, an alert, the
/// source of `/matches`) and from the view JSON the index stores (every candidate): both ways
/// give the same facts, field for field.
#[actix_web::test]
async fn facts_from_a_typed_view_equal_facts_from_its_stored_json() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let listing = published(
        &app,
        "listings",
        &cast.owner,
        &cast.moderator,
        listing_body(
            "Hệ thống xử lý nước thải chăn nuôi bằng biogas",
            json!({"sci_fields": ["2.7", "4.1"], "cooperation_types": ["license", "joint_venture"]}),
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
    let listing = app
        .state
        .listings
        .public_view(None, techx_core::ListingId(listing))
        .await
        .unwrap();
    let request = app
        .state
        .requests
        .public_view(None, techx_core::RequestId(request))
        .await
        .unwrap();
    let typed = techx_matching::Facts::from(&listing);
    let stored =
        techx_matching::Facts::from_json(&serde_json::to_string(&listing).unwrap()).unwrap();
    assert_eq!(typed, stored);
    assert_eq!(typed.sci_fields, vec!["2.7", "4.1"]);
    assert_eq!(typed.trl, Some(6));
    let typed = techx_matching::Facts::from(&request);
    let stored =
        techx_matching::Facts::from_json(&serde_json::to_string(&request).unwrap()).unwrap();
    assert_eq!(typed, stored);
    assert_eq!(
        typed.accepted_cooperation_types,
        vec!["license", "technical_services"]
    );
    assert_eq!(typed.budget_max_vnd, Some(500_000_000));
}
