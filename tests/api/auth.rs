use crate::support::{JWT_SECRET, PASSWORD, TestApp};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

#[actix_web::test]
async fn register_then_login_then_me_shows_the_user_and_organization() {
    let app = TestApp::new().await;
    let me = app
        .register("Nguyen.An@HDU.edu.vn", Some("Trường Đại học Hồng Đức"))
        .await;
    assert_eq!(me["user"]["email"], "nguyen.an@hdu.edu.vn");
    assert_eq!(me["user"]["platform_role"], "member");
    assert_eq!(me["memberships"][0]["org_role"], "owner");
    assert_eq!(me["memberships"][0]["verification"], "pending");

    let tokens = app.login("nguyen.an@hdu.edu.vn").await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    let access = tokens["access_token"].as_str().unwrap();
    let reply = app.get("/api/v1/me", Some(access)).await;
    assert_eq!(reply.status, 200);
    let me = reply.json();
    assert_eq!(me["kind"], "user");
    assert_eq!(me["user"]["email"], "nguyen.an@hdu.edu.vn");
    assert_eq!(
        me["memberships"][0]["organization_name"],
        "Trường Đại học Hồng Đức"
    );
}

#[actix_web::test]
async fn me_without_credentials_is_unauthenticated() {
    let app = TestApp::new().await;
    let reply = app.get("/api/v1/me", None).await;
    reply.assert_error(401, "unauthenticated");
    assert_eq!(reply.header("www-authenticate").as_deref(), Some("Bearer"));
    let reply = app
        .send(
            TestApp::request(actix_web::http::Method::GET, "/api/v1/me", None)
                .insert_header(("Authorization", "Basic dXNlcjpwYXNz")),
        )
        .await;
    reply.assert_error(401, "unauthenticated");
}

#[actix_web::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_401() {
    let app = TestApp::new().await;
    app.register("an@hdu.edu.vn", None).await;
    let wrong = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "an@hdu.edu.vn", "password": "not the password"}),
        )
        .await
        .assert_error(401, "unauthenticated");
    let unknown = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "nobody@hdu.edu.vn", "password": PASSWORD}),
        )
        .await
        .assert_error(401, "unauthenticated");
    assert_eq!(wrong["message"], unknown["message"]);
}

#[actix_web::test]
async fn the_sixth_failed_login_for_one_email_within_a_minute_is_rate_limited() {
    let app = TestApp::new().await;
    app.register("an@hdu.edu.vn", None).await;
    let bad = json!({"email": "an@hdu.edu.vn", "password": "not the password"});
    for _ in 0..5 {
        app.post("/api/v1/auth/login", None, bad.clone())
            .await
            .assert_error(401, "unauthenticated");
    }
    let reply = app.post("/api/v1/auth/login", None, bad.clone()).await;
    reply.assert_error(429, "rate_limited");
    let retry: u64 = reply.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    // Even the right password is refused while the email is throttled.
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": "an@hdu.edu.vn", "password": PASSWORD}),
    )
    .await
    .assert_error(429, "rate_limited");
    // Another account is not affected.
    app.register("binh@hdu.edu.vn", None).await;
    app.login("binh@hdu.edu.vn").await;
}

#[actix_web::test]
async fn refresh_rotates_and_a_reused_refresh_token_revokes_its_family() {
    let app = TestApp::new().await;
    app.register("an@hdu.edu.vn", None).await;
    let first = app.login("an@hdu.edu.vn").await;
    let first_refresh = first["refresh_token"].as_str().unwrap();

    let second = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": first_refresh}),
        )
        .await;
    assert_eq!(second.status, 200);
    let second = second.json();
    let second_refresh = second["refresh_token"].as_str().unwrap();
    assert_ne!(first_refresh, second_refresh);
    let me = app.get("/api/v1/me", second["access_token"].as_str()).await;
    assert_eq!(me.status, 200);

    // The retired token comes back: refused, and the chain (including the newest) is revoked.
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": first_refresh}),
    )
    .await
    .assert_error(401, "unauthenticated");
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": second_refresh}),
    )
    .await
    .assert_error(401, "unauthenticated");

    // A separate sign-in is a separate family and still works.
    let other = app.login("an@hdu.edu.vn").await;
    let reply = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": other["refresh_token"]}),
        )
        .await;
    assert_eq!(reply.status, 200);
}

#[actix_web::test]
async fn logout_revokes_the_refresh_token() {
    let app = TestApp::new().await;
    app.register("an@hdu.edu.vn", None).await;
    let tokens = app.login("an@hdu.edu.vn").await;
    let refresh = tokens["refresh_token"].clone();
    let reply = app
        .post(
            "/api/v1/auth/logout",
            None,
            json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(reply.status, 204);
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": refresh}),
    )
    .await
    .assert_error(401, "unauthenticated");
    // Logging out twice is harmless.
    let again = app
        .post(
            "/api/v1/auth/logout",
            None,
            json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(again.status, 204);
}

#[actix_web::test]
async fn an_unknown_refresh_token_is_unauthenticated() {
    let app = TestApp::new().await;
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": "txr_made_up"}),
    )
    .await
    .assert_error(401, "unauthenticated");
}

fn forge(header: serde_json::Value, claims: serde_json::Value, secret: &[u8]) -> String {
    use jsonwebtoken::{EncodingKey, Header, encode};
    if header["alg"] == "none" {
        let head = URL_SAFE_NO_PAD.encode(header.to_string());
        let body = URL_SAFE_NO_PAD.encode(claims.to_string());
        return format!("{head}.{body}.");
    }
    encode(
        &Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret).unwrap(),
    )
    .unwrap()
}

#[actix_web::test]
async fn expired_tampered_foreign_and_unsigned_tokens_are_refused() {
    let app = TestApp::new().await;
    let me = app.register("an@hdu.edu.vn", None).await;
    let user_id = me["user"]["id"].as_i64().unwrap().to_string();
    let now = chrono::Utc::now().timestamp();
    let claims = |iat: i64, exp: i64| json!({"sub": user_id, "iat": iat, "exp": exp, "iss": "techx", "typ": "access"});

    // A well-formed token we signed works: the forgeries below fail for their defect alone.
    let good = forge(json!({"alg": "HS256"}), claims(now, now + 600), JWT_SECRET);
    assert_eq!(app.get("/api/v1/me", Some(&good)).await.status, 200);

    let expired = forge(
        json!({"alg": "HS256"}),
        claims(now - 7200, now - 3600),
        JWT_SECRET,
    );
    app.get("/api/v1/me", Some(&expired))
        .await
        .assert_error(401, "unauthenticated");

    let foreign = forge(
        json!({"alg": "HS256"}),
        claims(now, now + 600),
        b"another secret of thirty-two bytes!!",
    );
    app.get("/api/v1/me", Some(&foreign))
        .await
        .assert_error(401, "unauthenticated");

    let unsigned = forge(
        json!({"alg": "none", "typ": "JWT"}),
        claims(now, now + 600),
        b"",
    );
    app.get("/api/v1/me", Some(&unsigned))
        .await
        .assert_error(401, "unauthenticated");

    // Tampering: change the subject of a valid token, keep its signature.
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    parts[1] = URL_SAFE_NO_PAD.encode(
        claims(now, now + 600)
            .to_string()
            .replace(&format!("\"{user_id}\""), "\"999\""),
    );
    let tampered = parts.join(".");
    app.get("/api/v1/me", Some(&tampered))
        .await
        .assert_error(401, "unauthenticated");

    app.get("/api/v1/me", Some("not-a-token"))
        .await
        .assert_error(401, "unauthenticated");
}

#[actix_web::test]
async fn registration_reports_every_invalid_field_and_writes_nothing() {
    let app = TestApp::new().await;
    let before = app.change_count().await;
    let reply = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({
                "email": "not-an-email",
                "password": "short",
                "full_name": "  ",
                "organization": {"name": "X", "org_type": "university", "tax_code": "12ab", "website": "hdu.edu.vn"}
            }),
        )
        .await;
    let body = reply.assert_error(400, "invalid_input");
    let mut fields: Vec<&str> = body["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            "email",
            "full_name",
            "organization.name",
            "organization.tax_code",
            "organization.website",
            "password"
        ]
    );
    assert_eq!(app.change_count().await, before);
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": "not-an-email", "password": "short"}),
    )
    .await
    .assert_error(401, "unauthenticated");
}

#[actix_web::test]
async fn an_unknown_organization_type_is_invalid_input() {
    let app = TestApp::new().await;
    let reply = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"email": "a@hdu.edu.vn", "password": PASSWORD, "full_name": "A",
                   "organization": {"name": "Trường", "org_type": "spaceport"}}),
        )
        .await;
    reply.assert_error(400, "invalid_input");
}
