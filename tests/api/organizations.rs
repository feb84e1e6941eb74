use crate::support::TestApp;
use actix_web::http::Method;
use serde_json::json;

#[actix_web::test]
async fn the_public_list_shows_only_verified_organizations() {
    let app = TestApp::new().await;
    app.verified_owner("a@hdu.edu.vn", "Trường Đại học Hồng Đức")
        .await;
    app.register("b@vast.vn", Some("Viện Công nghệ sinh học"))
        .await;
    let list = app.get("/api/v1/organizations", None).await;
    assert_eq!(list.status, 200);
    let list = list.json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["limit"], 20);
    assert_eq!(list["offset"], 0);
    assert_eq!(list["items"][0]["name"], "Trường Đại học Hồng Đức");
    assert_eq!(list["items"][0]["verification"], "verified");
    // Anyone asking for the pending queue is refused; a moderator gets it.
    let (member, _) = app.signed_in("c@gmail.com", None).await;
    app.get("/api/v1/organizations?verification=pending", Some(&member))
        .await
        .assert_error(403, "forbidden");
    let moderator = app.staff("mod@sokhcn.thanhhoa.gov.vn", "moderator").await;
    let pending = app
        .get(
            "/api/v1/organizations?verification=pending",
            Some(&moderator),
        )
        .await
        .json();
    assert_eq!(pending["total"], 1);
    assert_eq!(pending["items"][0]["name"], "Viện Công nghệ sinh học");
}

#[actix_web::test]
async fn the_list_filters_by_type_province_and_name_with_exact_totals() {
    let app = TestApp::new().await;
    let moderator = app.staff("mod@sokhcn.thanhhoa.gov.vn", "moderator").await;
    let orgs = [
        (
            "u1@x.vn",
            "Trường Đại học Hồng Đức",
            "university",
            "thanh_hoa",
        ),
        (
            "u2@x.vn",
            "Trường Đại học Văn hóa Thể thao",
            "university",
            "thanh_hoa",
        ),
        (
            "u3@x.vn",
            "Viện Nông nghiệp Thanh Hóa",
            "research_institute",
            "thanh_hoa",
        ),
        (
            "u4@x.vn",
            "Trường Đại học Bách khoa Hà Nội",
            "university",
            "ha_noi",
        ),
    ];
    for (email, name, org_type, province) in orgs {
        let (token, _) = app.signed_in(email, None).await;
        let created = app
            .post(
                "/api/v1/organizations",
                Some(&token),
                json!({"name": name, "org_type": org_type, "province_code": province}),
            )
            .await;
        assert_eq!(created.status, 201);
        let id = created.json()["id"].as_i64().unwrap();
        app.post(
            &format!("/api/v1/organizations/{id}/verification"),
            Some(&moderator),
            json!({"decision": "verified"}),
        )
        .await;
    }
    let count = |query: &'static str| {
        let app = &app;
        async move {
            app.get(&format!("/api/v1/organizations?{query}"), None)
                .await
                .json()["total"]
                .clone()
        }
    };
    assert_eq!(count("org_type=university").await, 3);
    assert_eq!(count("province_code=thanh_hoa").await, 3);
    assert_eq!(
        count("org_type=university&province_code=thanh_hoa").await,
        2
    );
    assert_eq!(count("q=%C4%91%E1%BA%A1i%20H%E1%BB%8Dc").await, 3); // "đại Học", case-insensitive
    assert_eq!(count("q=thanh%20h%C3%B3a").await, 1);
    let page = app
        .get("/api/v1/organizations?limit=2&offset=2", None)
        .await
        .json();
    assert_eq!(page["total"], 4);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    // Sorted by name: the last two of the four.
    assert_eq!(page["items"][0]["name"], "Trường Đại học Văn hóa Thể thao");
    assert_eq!(page["items"][1]["name"], "Viện Nông nghiệp Thanh Hóa");
}

#[actix_web::test]
async fn an_unverified_organization_is_hidden_from_outsiders_but_not_from_its_members() {
    let app = TestApp::new().await;
    let (owner, me) = app
        .signed_in("a@vast.vn", Some("Viện Công nghệ sinh học"))
        .await;
    let org_id = me["memberships"][0]["organization_id"].as_i64().unwrap();
    let path = format!("/api/v1/organizations/{org_id}");
    app.get(&path, None).await.assert_error(404, "not_found");
    let (outsider, _) = app.signed_in("b@gmail.com", None).await;
    app.get(&path, Some(&outsider))
        .await
        .assert_error(404, "not_found");
    let own = app.get(&path, Some(&owner)).await;
    assert_eq!(own.status, 200);
    assert_eq!(own.header("etag").as_deref(), Some("\"1\""));
    let broker = app.staff("broker@sokhcn.vn", "broker").await;
    assert_eq!(app.get(&path, Some(&broker)).await.status, 200);
}

#[actix_web::test]
async fn verification_is_for_moderators_and_a_rejection_needs_a_note() {
    let app = TestApp::new().await;
    let (owner, me) = app
        .signed_in("a@vast.vn", Some("Viện Công nghệ sinh học"))
        .await;
    let org_id = me["memberships"][0]["organization_id"].as_i64().unwrap();
    let path = format!("/api/v1/organizations/{org_id}/verification");
    app.post(&path, Some(&owner), json!({"decision": "verified"}))
        .await
        .assert_error(403, "forbidden");
    let broker = app.staff("broker@sokhcn.vn", "broker").await;
    app.post(&path, Some(&broker), json!({"decision": "verified"}))
        .await
        .assert_error(403, "forbidden");
    let moderator = app.staff("mod@sokhcn.vn", "moderator").await;
    let body = app
        .post(&path, Some(&moderator), json!({"decision": "rejected"}))
        .await
        .assert_error(400, "invalid_input");
    assert_eq!(body["details"][0]["field"], "note");
    app.post(&path, Some(&moderator), json!({"decision": "pending"}))
        .await
        .assert_error(400, "invalid_input");
    let rejected = app
        .post(
            &path,
            Some(&moderator),
            json!({"decision": "rejected", "note": "thiếu giấy phép"}),
        )
        .await;
    assert_eq!(rejected.status, 200);
    assert_eq!(rejected.json()["verification"], "rejected");
    let seen = app
        .get(&format!("/api/v1/organizations/{org_id}"), Some(&owner))
        .await
        .json();
    assert_eq!(seen["verification_note"], "thiếu giấy phép");
    let verified = app
        .post(&path, Some(&moderator), json!({"decision": "verified"}))
        .await
        .json();
    assert_eq!(verified["verification"], "verified");
    assert!(verified["verified_at"].is_string());
    // Public readers see the organization but not the moderator's note.
    let public = app
        .get(&format!("/api/v1/organizations/{org_id}"), None)
        .await
        .json();
    assert_eq!(public["verification"], "verified");
    assert!(public["verification_note"].is_null());
}

#[actix_web::test]
async fn a_stale_if_match_is_refused_and_leaves_the_organization_unchanged() {
    let app = TestApp::new().await;
    let (owner, org_id) = app
        .verified_owner("a@hdu.edu.vn", "Trường Đại học Hồng Đức")
        .await;
    let path = format!("/api/v1/organizations/{org_id}");
    let etag = app.get(&path, None).await.header("etag").unwrap();

    let request = TestApp::request(Method::PATCH, &path, Some(&owner))
        .insert_header(("If-Match", etag.clone()))
        .set_json(json!({"address": "565 Quang Trung, Đông Vệ, Thanh Hóa"}));
    let first = app.send(request).await;
    assert_eq!(first.status, 200);
    let new_etag = first.header("etag").unwrap();
    assert_ne!(new_etag, etag);

    let before = app.change_count().await;
    let request = TestApp::request(Method::PATCH, &path, Some(&owner))
        .insert_header(("If-Match", etag))
        .set_json(json!({"address": "somewhere else"}));
    app.send(request)
        .await
        .assert_error(412, "precondition_failed");
    let now = app.get(&path, None).await.json();
    assert_eq!(now["address"], "565 Quang Trung, Đông Vệ, Thanh Hóa");
    assert_eq!(now["version"], first.json()["version"]);
    assert_eq!(app.change_count().await, before);
}

#[actix_web::test]
async fn only_owners_update_and_null_clears_an_optional_field() {
    let app = TestApp::new().await;
    let (owner, org_id) = app
        .verified_owner("a@hdu.edu.vn", "Trường Đại học Hồng Đức")
        .await;
    let path = format!("/api/v1/organizations/{org_id}");
    let (outsider, _) = app.signed_in("b@gmail.com", None).await;
    app.patch(&path, Some(&outsider), json!({"website": "https://x.vn"}))
        .await
        .assert_error(403, "forbidden");
    app.patch(&path, None, json!({"website": "https://x.vn"}))
        .await
        .assert_error(401, "unauthenticated");
    let set = app
        .patch(
            &path,
            Some(&owner),
            json!({"website": "https://hdu.edu.vn"}),
        )
        .await;
    assert_eq!(set.json()["website"], "https://hdu.edu.vn");
    let cleared = app
        .patch(&path, Some(&owner), json!({"website": null}))
        .await
        .json();
    assert!(cleared["website"].is_null());
    assert_eq!(cleared["name"], "Trường Đại học Hồng Đức");
    let body = app
        .patch(
            &path,
            Some(&owner),
            json!({"website": "ftp://x", "name": "X"}),
        )
        .await
        .assert_error(400, "invalid_input");
    assert_eq!(body["details"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn renaming_a_verified_organization_sends_it_back_to_verification() {
    let app = TestApp::new().await;
    let (owner, org_id) = app
        .verified_owner("a@hdu.edu.vn", "Trường Đại học Hồng Đức")
        .await;
    let path = format!("/api/v1/organizations/{org_id}");
    let renamed = app
        .patch(&path, Some(&owner), json!({"name": "Đại học Hồng Đức"}))
        .await
        .json();
    assert_eq!(renamed["verification"], "pending");
    assert!(renamed["verified_at"].is_null());
    app.get(&path, None).await.assert_error(404, "not_found");
}

#[actix_web::test]
async fn owners_manage_members_and_the_last_owner_stays() {
    let app = TestApp::new().await;
    let (owner, org_id) = app
        .verified_owner("owner@hdu.edu.vn", "Trường Đại học Hồng Đức")
        .await;
    let owner_id = app.get("/api/v1/me", Some(&owner)).await.json()["user"]["id"]
        .as_i64()
        .unwrap();
    let (colleague, colleague_me) = app.signed_in("colleague@hdu.edu.vn", None).await;
    let colleague_id = colleague_me["user"]["id"].as_i64().unwrap();
    let members = format!("/api/v1/organizations/{org_id}/members");

    app.post(
        &members,
        Some(&owner),
        json!({"email": "nobody@hdu.edu.vn", "org_role": "editor"}),
    )
    .await
    .assert_error(404, "not_found");
    let added = app
        .post(
            &members,
            Some(&owner),
            json!({"email": "Colleague@hdu.edu.vn", "org_role": "viewer"}),
        )
        .await;
    assert_eq!(added.status, 201);
    assert_eq!(added.json()["org_role"], "viewer");
    app.post(
        &members,
        Some(&owner),
        json!({"email": "colleague@hdu.edu.vn", "org_role": "editor"}),
    )
    .await
    .assert_error(409, "conflict");
    // A viewer sees the members but cannot change them.
    let listed = app.get(&members, Some(&colleague)).await.json();
    assert_eq!(listed["total"], 2);
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    // Paged like every list.
    let first = app
        .get(&format!("{members}?limit=1"), Some(&colleague))
        .await
        .json();
    assert_eq!(
        (first["total"].as_i64(), first["limit"].as_i64()),
        (Some(2), Some(1))
    );
    let second = app
        .get(&format!("{members}?limit=1&offset=1"), Some(&colleague))
        .await
        .json();
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_ne!(first["items"][0]["user_id"], second["items"][0]["user_id"]);
    app.patch(
        &format!("{members}/{owner_id}"),
        Some(&colleague),
        json!({"org_role": "viewer"}),
    )
    .await
    .assert_error(403, "forbidden");
    let (outsider, _) = app.signed_in("out@gmail.com", None).await;
    app.get(&members, Some(&outsider))
        .await
        .assert_error(403, "forbidden");

    // The only owner can neither step down nor be removed.
    app.patch(
        &format!("{members}/{owner_id}"),
        Some(&owner),
        json!({"org_role": "editor"}),
    )
    .await
    .assert_error(409, "conflict");
    app.delete(&format!("{members}/{owner_id}"), Some(&owner))
        .await
        .assert_error(409, "conflict");
    // With a second owner, the first may step down.
    let promoted = app
        .patch(
            &format!("{members}/{colleague_id}"),
            Some(&owner),
            json!({"org_role": "owner"}),
        )
        .await;
    assert_eq!(promoted.json()["org_role"], "owner");
    let stepped = app
        .patch(
            &format!("{members}/{owner_id}"),
            Some(&owner),
            json!({"org_role": "editor"}),
        )
        .await;
    assert_eq!(stepped.status, 200);
    // A member may leave by themselves.
    let left = app
        .delete(&format!("{members}/{owner_id}"), Some(&owner))
        .await;
    assert_eq!(left.status, 204);
    let listed = app.get(&members, Some(&colleague)).await.json();
    assert_eq!(listed["total"], 1);
}

#[actix_web::test]
async fn an_api_key_cannot_create_organizations() {
    let app = TestApp::new().await;
    let (owner, org_id) = app
        .verified_owner("owner@hdu.edu.vn", "Trường Đại học Hồng Đức")
        .await;
    let key = app
        .post(
            &format!("/api/v1/organizations/{org_id}/api-keys"),
            Some(&owner),
            json!({"name": "k", "scopes": ["write"]}),
        )
        .await
        .json()["key"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        "/api/v1/organizations",
        Some(&key),
        json!({"name": "Công ty mới", "org_type": "enterprise"}),
    )
    .await
    .assert_error(403, "forbidden");
}
