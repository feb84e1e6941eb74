//! Filters and sort on a known dataset, import and export, taxonomies.

use crate::support::{Cast, TestApp, listing_body};
use actix_web::http::Method;
use serde_json::{Value, json};

fn titles(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect()
}

/// Five published listings and one draft with known fields.
async fn dataset(app: &TestApp, cast: &Cast) {
    let rows = [
        (
            "A Chế phẩm sinh học",
            json!({"sci_fields": ["2.8"], "trl": 4, "price_min_vnd": 50_000_000i64, "price_max_vnd": 80_000_000i64, "province_code": "thanh_hoa", "cooperation_types": ["license"], "kind": "research_result"}),
        ),
        (
            "B Máy gặt đập",
            json!({"sci_fields": ["2.3"], "trl": 8, "price_min_vnd": 900_000_000i64, "price_max_vnd": null, "province_code": "nghe_an", "cooperation_types": ["equipment_sale"], "kind": "equipment_with_technology"}),
        ),
        (
            "C Phần mềm quản lý",
            json!({"sci_fields": ["1.2"], "trl": 9, "price_min_vnd": null, "price_max_vnd": 120_000_000i64, "province_code": "thanh_hoa", "cooperation_types": ["license", "training"]}),
        ),
        (
            "D Giống lúa",
            json!({"sci_fields": ["4.1", "4.4"], "trl": 7, "price_min_vnd": null, "price_max_vnd": null, "pricing_model": "negotiable", "province_code": "thanh_hoa", "cooperation_types": ["assignment"]}),
        ),
        (
            "E Vật liệu nano",
            json!({"sci_fields": ["2.10"], "trl": 3, "price_min_vnd": 200_000_000i64, "price_max_vnd": 400_000_000i64, "province_code": "ha_noi", "cooperation_types": ["rd_cooperation"]}),
        ),
    ];
    for (title, extra) in rows {
        let id = app
            .create_record("listings", &cast.owner, listing_body(title, extra))
            .await;
        app.publish("listings", id, &cast.owner, &cast.moderator)
            .await;
    }
    app.create_record(
        "listings",
        &cast.owner,
        listing_body("F Bản nháp chưa công bố", json!({"sci_fields": ["2.8"]})),
    )
    .await;
}

#[actix_web::test]
async fn filters_and_sort_select_exactly_the_known_listings() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    dataset(&app, &cast).await;
    let app = &app;
    let get = |query: &str| {
        let path = format!("/api/v1/listings?sort=title&{query}");
        async move { app.get(&path, None).await.json() }
    };
    let cases: [(&str, &[&str]); 12] = [
        ("", &["A", "B", "C", "D", "E"]),
        ("sci_field=2", &["A", "B", "E"]),
        ("sci_field=2.8", &["A"]),
        ("sci_field=4", &["D"]),
        ("trl_min=7", &["B", "C", "D"]),
        ("trl_min=4&trl_max=7", &["A", "D"]),
        ("price_min=100000000", &["B", "C", "E"]),
        ("price_max=100000000", &["A", "C"]),
        ("price_min=60000000&price_max=250000000", &["A", "C", "E"]),
        ("province_code=thanh_hoa", &["A", "C", "D"]),
        ("cooperation_type=license", &["A", "C"]),
        ("kind=technology", &["C", "D", "E"]),
    ];
    for (query, expected) in cases {
        let page = get(query).await;
        let got: Vec<String> = titles(&page).iter().map(|t| t[..1].to_owned()).collect();
        assert_eq!(got, *expected, "{query}");
        assert_eq!(page["total"], expected.len(), "{query}");
    }
    let descending = app
        .get("/api/v1/listings?sort=-title&limit=2", None)
        .await
        .json();
    assert_eq!(
        titles(&descending)
            .iter()
            .map(|t| &t[..1])
            .collect::<Vec<_>>(),
        ["E", "D"]
    );
    let page = app
        .get("/api/v1/listings?sort=title&limit=2&offset=2", None)
        .await
        .json();
    assert_eq!(page["total"], 5);
    assert_eq!(
        titles(&page).iter().map(|t| &t[..1]).collect::<Vec<_>>(),
        ["C", "D"]
    );
    // Newest first by default; published_at orders by publication.
    let newest = app
        .get("/api/v1/listings?sort=-published_at&limit=1", None)
        .await
        .json();
    assert!(titles(&newest)[0].starts_with('E'));
    let future = app
        .get("/api/v1/listings?updated_since=2999-01-01T00:00:00Z", None)
        .await
        .json();
    assert_eq!(future["total"], 0);
    // The owner also sees the draft; a status filter narrows to it.
    let drafts = app
        .get("/api/v1/listings?status=draft", Some(&cast.owner))
        .await
        .json();
    assert_eq!(titles(&drafts), vec!["F Bản nháp chưa công bố"]);
    assert_eq!(
        app.get("/api/v1/listings?status=draft", None).await.json()["total"],
        0
    );
    assert_eq!(
        app.get("/api/v1/listings?status=draft", Some(&cast.enterprise))
            .await
            .json()["total"],
        0
    );
    assert_eq!(
        app.get("/api/v1/listings?status=draft", Some(&cast.broker))
            .await
            .json()["total"],
        1
    );
    // Bad filters are field errors.
    for bad in [
        "sort=price",
        "trl_min=0",
        "price_min=-1",
        "sci_field=9",
        "status=lost",
    ] {
        app.get(&format!("/api/v1/listings?{bad}"), None)
            .await
            .assert_error(400, "invalid_input");
    }
    // An inverted range is a filter like another (the document cannot say "min ≤ max"): a TRL
    // range from 8 down to 2 matches nothing.
    let inverted = app.get("/api/v1/listings?trl_min=8&trl_max=2", None).await;
    assert_eq!(inverted.status, 200);
    assert_eq!(inverted.json()["total"], 0);
    assert_eq!(
        app.get("/api/v1/listings?price_min=5&price_max=1", None)
            .await
            .status,
        200
    );
}

fn multipart(file_name: &str, content: &str, fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let boundary = "techx-test-boundary";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n{content}\r\n--{boundary}--\r\n"
    ));
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
}

pub(crate) async fn upload(
    app: &TestApp,
    collection: &str,
    token: &str,
    file_name: &str,
    content: &str,
    fields: &[(&str, &str)],
) -> crate::support::Reply {
    let (content_type, body) = multipart(file_name, content, fields);
    app.send(
        TestApp::request(
            Method::POST,
            &format!("/api/v1/{collection}/import"),
            Some(token),
        )
        .insert_header(("Content-Type", content_type))
        .set_payload(body),
    )
    .await
}

const GOOD_ROW: &str = "technology,Máy bóc vỏ lạc công suất nhỏ,Máy bóc vỏ lạc cho hộ gia đình và hợp tác xã ở Thanh Hóa.,2.3;4.1,máy;lạc,6";

#[actix_web::test]
async fn an_import_with_one_bad_row_writes_nothing_and_names_the_row() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let before = app.change_count().await;
    let csv = format!(
        "\u{feff}kind,title,summary,sci_fields,keywords,trl\n{GOOD_ROW}\ntechnology,Ngắn,quá ngắn,2.3,,11\n{GOOD_ROW}\n"
    );
    let body = upload(&app, "listings", &cast.owner, "ket-qua.csv", &csv, &[])
        .await
        .assert_error(400, "invalid_input");
    let fields: Vec<&str> = body["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec!["rows[2].title", "rows[2].summary", "rows[2].trl"],
        "{body}"
    );
    assert_eq!(app.change_count().await, before);
    assert_eq!(
        app.get("/api/v1/listings?status=draft", Some(&cast.owner))
            .await
            .json()["total"],
        0
    );
}

#[actix_web::test]
async fn a_good_import_creates_every_row_as_a_draft_from_csv_or_json_lines() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let csv = format!(
        "kind,title,summary,sci_fields,keywords,trl\n{GOOD_ROW}\n{}\n",
        GOOD_ROW.replace("Máy bóc vỏ lạc", "Máy tách hạt ngô")
    );
    let reply = upload(&app, "listings", &cast.owner, "ket-qua.csv", &csv, &[]).await;
    assert_eq!(
        reply.status,
        201,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.json()["imported"], 2);
    let line = serde_json::to_string(&listing_body("Nhập từ JSON Lines", json!({}))).unwrap();
    let reply = upload(
        &app,
        "listings",
        &cast.owner,
        "rows.jsonl",
        &format!("{line}\n\n{line}\n"),
        &[("organization_id", &cast.owner_org.to_string())],
    )
    .await;
    assert_eq!(
        reply.status,
        201,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.json()["imported"], 2);
    let drafts = app
        .get("/api/v1/listings?status=draft", Some(&cast.owner))
        .await
        .json();
    assert_eq!(drafts["total"], 4);
    // Requests import the same way; an outsider cannot import into another organization.
    let csv = "kind,title,problem,sci_fields,anonymous\ntechnology_acquisition,Cần máy sấy nông sản,Hợp tác xã cần sấy 5 tấn nông sản mỗi mẻ.,4.1,không\n";
    let reply = upload(&app, "requests", &cast.enterprise, "nhu-cau.csv", csv, &[]).await;
    assert_eq!(
        reply.status,
        201,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    upload(
        &app,
        "requests",
        &cast.enterprise,
        "nhu-cau.csv",
        csv,
        &[("organization_id", &cast.owner_org.to_string())],
    )
    .await
    .assert_error(403, "forbidden");
    upload(
        &app,
        "listings",
        &cast.owner,
        "x.csv",
        "title,colour\na,b\n",
        &[],
    )
    .await
    .assert_error(400, "invalid_input");
}

#[actix_web::test]
async fn an_export_holds_no_tier_the_caller_may_not_see() {
    let app = TestApp::new().await;
    let cast = Cast::new(&app).await;
    let id = app
        .create_record(
            "listings",
            &cast.owner,
            listing_body("Công nghệ xuất khẩu dữ liệu", json!({})),
        )
        .await;
    app.publish("listings", id, &cast.owner, &cast.moderator)
        .await;
    app.create_record(
        "listings",
        &cast.owner,
        listing_body("Bản nháp không được xuất", json!({})),
    )
    .await;
    let text = |reply: crate::support::Reply| String::from_utf8(reply.body).unwrap();
    let public = app.get("/api/v1/listings/export", None).await;
    assert_eq!(
        public.header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    assert!(
        public
            .header("content-disposition")
            .unwrap()
            .contains("listings.csv")
    );
    let public = text(public);
    assert!(public.starts_with("id,code,organization_id"));
    assert!(public.contains("Công nghệ xuất khẩu dữ liệu"));
    assert!(!public.contains("Bản nháp"));
    assert!(
        !public.contains("REGISTERED-DETAILS")
            && !public.contains("CONFIDENTIAL-SECRET")
            && !public.contains("binh@hdu.edu.vn")
    );
    let registered = text(
        app.get(
            "/api/v1/listings/export?format=jsonl",
            Some(&cast.enterprise),
        )
        .await,
    );
    assert_eq!(registered.lines().count(), 1);
    assert!(
        registered.contains("REGISTERED-DETAILS") && !registered.contains("CONFIDENTIAL-SECRET")
    );
    let own = text(app.get("/api/v1/listings/export", Some(&cast.owner)).await);
    assert!(own.contains("CONFIDENTIAL-SECRET") && own.contains("Bản nháp"));
    // A broker's export is logged as a confidential read.
    app.get("/api/v1/listings/export", Some(&cast.broker)).await;
    let reads = app.confidential_reads("listing", id).await;
    assert!(reads.iter().any(|(_, road)| road == "export"), "{reads:?}");
}

#[actix_web::test]
async fn taxonomies_are_served_with_labels_and_an_etag() {
    let app = TestApp::new().await;
    let all = app.get("/api/v1/taxonomies", None).await;
    assert_eq!(all.status, 200);
    let etag = all.header("etag").unwrap();
    let lists = all.json();
    assert_eq!(lists["sci_field"].as_array().unwrap().len(), 48);
    assert_eq!(lists["province"].as_array().unwrap().len(), 34);
    assert_eq!(lists["trl"].as_array().unwrap().len(), 9);
    let thanh_hoa = lists["province"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "thanh_hoa")
        .unwrap()
        .clone();
    assert_eq!(thanh_hoa["label_vi"], "Tỉnh Thanh Hóa");
    let again = app
        .send(
            TestApp::request(Method::GET, "/api/v1/taxonomies", None)
                .insert_header(("If-None-Match", etag)),
        )
        .await;
    assert_eq!(again.status, 304);
    let one = app
        .get("/api/v1/taxonomies/cooperation_type", None)
        .await
        .json();
    // One page holding the whole list.
    assert_eq!(one["items"].as_array().unwrap().len(), 14);
    assert_eq!(
        (one["total"].as_i64(), one["limit"].as_i64()),
        (Some(14), Some(14))
    );
    app.get("/api/v1/taxonomies/colours", None)
        .await
        .assert_error(404, "not_found");
}
