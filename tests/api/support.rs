//! The test app: the real application over a throw-away database, with helpers to make users
//! of each role and to send requests.

use actix_web::http::{Method, StatusCode, header};
use actix_web::test::{self, TestRequest};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::{Value, json};
use std::net::SocketAddr;
use techx_accounts::{Accounts, AccountsSettings};
use techx_api::{AppState, Metrics};
use techx_db::{Backend, Db, PoolOptions};

/// The secret the test app signs tokens with, so tests can forge tokens.
pub const JWT_SECRET: &[u8] = b"techx test secret, at least thirty-two bytes long";
pub const PASSWORD: &str = "mot cau mat khau that dai";

/// Drops the PostgreSQL schema of a test when the test ends.
pub struct PgSchema {
    base_url: String,
    schema: String,
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Ok(mut conn) = diesel::PgConnection::establish(&self.base_url) {
            let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
        }
    }
}

enum Scratch {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres(#[allow(dead_code)] PgSchema),
}

pub struct TestApp {
    pub state: AppState,
    _search_dir: tempfile::TempDir,
    // Declared after `state`: the pool closes before the schema or file is removed.
    _scratch: Scratch,
}

/// A response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: header::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| {
            panic!(
                "not JSON ({}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    /// Assert the status and that the body is the one error shape with `code`.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        let body = self.json();
        assert_eq!(body["code"], code, "{body}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{body}"
        );
        body
    }
}

/// Whether the suite runs on PostgreSQL.
pub fn postgres_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// A fresh PostgreSQL schema and a URL whose connections use it, when `TEST_DATABASE_URL`
/// is set.
pub fn scratch_postgres() -> Option<(String, PgSchema)> {
    let base_url = postgres_url()?;
    let schema = format!("techx_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = diesel::PgConnection::establish(&base_url)
        .unwrap_or_else(|e| panic!("TEST_DATABASE_URL is set but unreachable: {e}"));
    conn.batch_execute(&format!("CREATE SCHEMA {schema}"))
        .unwrap();
    let separator = if base_url.contains('?') { '&' } else { '?' };
    let url = format!("{base_url}{separator}options=-csearch_path%3D{schema}");
    Some((url, PgSchema { base_url, schema }))
}

/// A response read whole from a service made once with [`TestApp::service`].
pub async fn reply<B: actix_web::body::MessageBody>(
    response: actix_web::dev::ServiceResponse<B>,
) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let body = test::read_body(response).await.to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

/// Send `$request` (a `TestRequest`) to `$app` (from [`TestApp::service`]) and read the reply.
#[macro_export]
macro_rules! call {
    ($app:expr, $request:expr) => {
        $crate::support::reply(actix_web::test::call_service($app, $request.to_request()).await)
            .await
    };
}

impl TestApp {
    pub async fn new() -> TestApp {
        TestApp::with_pool(4).await
    }

    /// A test app whose database pool holds `connections` (concurrency tests give each caller
    /// its own).
    pub async fn with_pool(connections: u32) -> TestApp {
        let (url, scratch) = match scratch_postgres() {
            Some((url, schema)) => (url, Scratch::Postgres(schema)),
            None => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("techx.sqlite3").display());
                (url, Scratch::Sqlite(dir))
            }
        };
        let db = Db::open(
            &url,
            PoolOptions {
                max_size: connections,
            },
        )
        .unwrap();
        db.run(techx_db::run_migrations).await.unwrap();
        let accounts = Accounts::new(db.clone(), JWT_SECRET, AccountsSettings::default()).unwrap();
        let search_dir = tempfile::tempdir().unwrap();
        let (index, _) = techx_search::index::SearchIndex::open(search_dir.path()).unwrap();
        let indexer = techx_search::indexer::Indexer::new(std::sync::Arc::new(index), db.clone());
        let state = AppState {
            search: Some(indexer),
            listings: techx_listings::Listings::new(db.clone()),
            requests: techx_requests::Requests::new(db.clone()),
            brokerage: techx_brokerage::Brokerage::new(db.clone()),
            db,
            accounts,
            metrics: Metrics::new().unwrap(),
            trusted_proxies: techx_api::auth::TrustedProxies::none(),
        };
        TestApp {
            state,
            _search_dir: search_dir,
            _scratch: scratch,
        }
    }

    /// The app, made once, for tests that send many requests (use with [`call!`]).
    pub async fn service(
        &self,
    ) -> impl actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
    > {
        test::init_service(techx_api::build_app(self.state.clone())).await
    }

    pub fn backend(&self) -> Backend {
        self.state.db.backend()
    }

    /// Send a request from 192.0.2.1 (or the peer set on `request`).
    pub async fn send(&self, request: TestRequest) -> Reply {
        let app = test::init_service(techx_api::build_app(self.state.clone())).await;
        let response = test::call_service(&app, request.to_request()).await;
        let status = response.status();
        let headers = response.headers().clone();
        let body = test::read_body(response).await.to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    pub fn request(method: Method, path: &str, token: Option<&str>) -> TestRequest {
        let peer: SocketAddr = "192.0.2.1:40000".parse().unwrap();
        let mut request = TestRequest::default()
            .method(method)
            .uri(path)
            .peer_addr(peer);
        if let Some(token) = token {
            request = request.insert_header((header::AUTHORIZATION, format!("Bearer {token}")));
        }
        request
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.send(Self::request(Method::GET, path, token)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        self.send(Self::request(Method::DELETE, path, token)).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(Self::request(Method::POST, path, token).set_json(body))
            .await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(Self::request(Method::PATCH, path, token).set_json(body))
            .await
    }

    /// Register a user, with an organization when `org_name` is given. Returns the `/me` body.
    pub async fn register(&self, email: &str, org_name: Option<&str>) -> Value {
        let mut body = json!({"email": email, "password": PASSWORD, "full_name": "Người Dùng Thử"});
        if let Some(name) = org_name {
            body["organization"] = json!({"name": name, "org_type": "university"});
        }
        let reply = self.post("/api/v1/auth/register", None, body).await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
        reply.json()
    }

    /// Sign in and return the token pair.
    pub async fn login(&self, email: &str) -> Value {
        let reply = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
        reply.json()
    }

    /// A person with an account (and a new organization when `org_name` is given), signed in:
    /// (access token, /me body). A fixture: it goes through the accounts service, since HTTP
    /// adds nothing here; `register` and `login` drive the roads themselves.
    pub async fn signed_in(&self, email: &str, org_name: Option<&str>) -> (String, Value) {
        let me = self.registered(email, org_name).await;
        (self.signed_in_token(email).await, me)
    }

    /// An account made through the accounts service: its /me body.
    async fn registered(&self, email: &str, org_name: Option<&str>) -> Value {
        let mut body = json!({"email": email, "password": PASSWORD, "full_name": "Người Dùng Thử"});
        if let Some(name) = org_name {
            body["organization"] = json!({"name": name, "org_type": "university"});
        }
        let form = serde_json::from_value(body).unwrap();
        let me = self.state.accounts.register(form, None).await.unwrap();
        serde_json::to_value(me).unwrap()
    }

    /// An access token of `email`, through the accounts service.
    async fn signed_in_token(&self, email: &str) -> String {
        let form = techx_accounts::dto::LoginForm {
            email: email.to_owned(),
            password: PASSWORD.to_owned(),
        };
        self.state
            .accounts
            .login(form, None)
            .await
            .unwrap()
            .access_token
    }

    /// A signed-in user with a platform role, set directly in the database.
    pub async fn staff(&self, email: &str, role: &str) -> String {
        self.registered(email, None).await;
        let (email_owned, role) = (email.to_owned(), role.to_owned());
        self.state
            .db
            .run(move |conn| {
                use techx_db::schema::users;
                diesel::update(users::table.filter(users::email.eq(email_owned)))
                    .set(users::platform_role.eq(role))
                    .execute(conn)
                    .map_err(techx_db::DbError::from)
            })
            .await
            .unwrap();
        self.signed_in_token(email).await
    }

    /// An owner of a verified organization: (token, organization id), verified by a moderator
    /// through the accounts service.
    pub async fn verified_owner(&self, email: &str, org_name: &str) -> (String, i64) {
        use techx_accounts::dto::VerificationForm;
        use techx_core::codes::Verification;
        let (token, me) = self.signed_in(email, Some(org_name)).await;
        let org_id = me["memberships"][0]["organization_id"].as_i64().unwrap();
        let moderator = self.staff(&format!("mod.{email}"), "moderator").await;
        let moderator = self.state.accounts.authenticate(&moderator).await.unwrap();
        let form = VerificationForm {
            decision: Verification::Verified,
            note: None,
        };
        self.state
            .accounts
            .verify_organization(&moderator, techx_core::OrganizationId(org_id), form)
            .await
            .unwrap();
        (token, org_id)
    }

    /// What the database holds, table by table, as comparable text: equal fingerprints mean
    /// nothing was written. `api_keys` counts rows only (a key's use is recorded on reads).
    pub async fn fingerprint(&self) -> std::collections::BTreeMap<String, String> {
        use diesel::sql_types::{Nullable, Text};
        #[derive(QueryableByName)]
        struct Cell {
            #[diesel(sql_type = Nullable<Text>)]
            value: Option<String>,
        }
        self.state
            .db
            .run(|conn| {
                let one = |conn: &mut techx_db::DbConn, sql: String| -> Result<Vec<String>, techx_db::DbError> {
                    Ok(diesel::sql_query(sql)
                        .load::<Cell>(conn)?
                        .into_iter()
                        .map(|c| c.value.unwrap_or_default())
                        .collect())
                };
                let postgres = matches!(conn, techx_db::DbConn::Postgres(_));
                let tables = if postgres {
                    one(conn, "SELECT tablename::text AS value FROM pg_tables WHERE schemaname = current_schema()".into())?
                } else {
                    one(conn, "SELECT name AS value FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'".into())?
                };
                let mut prints = std::collections::BTreeMap::new();
                for table in tables {
                    let sql = if table == "api_keys" {
                        format!("SELECT CAST(COUNT(*) AS TEXT) AS value FROM {table}")
                    } else if postgres {
                        format!("SELECT COALESCE(md5(string_agg(t::text, '|' ORDER BY t::text)), '') AS value FROM {table} t")
                    } else {
                        let columns = one(conn, format!("SELECT name AS value FROM pragma_table_info('{table}')"))?;
                        let row: Vec<String> = columns.iter().map(|c| format!("quote(\"{c}\")")).collect();
                        format!("SELECT COALESCE(group_concat(r, '|'), '') AS value FROM (SELECT {} AS r FROM {table} ORDER BY 1)", row.join(" || ',' || "))
                    };
                    let value = one(conn, sql)?.pop().unwrap_or_default();
                    prints.insert(table, value);
                }
                Ok::<_, techx_db::DbError>(prints)
            })
            .await
            .unwrap()
    }

    /// Rows in the change log.
    pub async fn change_count(&self) -> i64 {
        self.state
            .db
            .run(|conn| {
                use techx_db::schema::change_log;
                change_log::table
                    .count()
                    .get_result::<i64>(conn)
                    .map_err(techx_db::DbError::from)
            })
            .await
            .unwrap()
    }
}

/// A valid listing body; `extra` fields override or add.
pub fn listing_body(title: &str, extra: Value) -> Value {
    let mut body = json!({
        "kind": "technology",
        "title": title,
        "summary": "Quy trình công nghệ đã được kiểm chứng tại Thanh Hóa, phù hợp doanh nghiệp vừa và nhỏ.",
        "details": "REGISTERED-DETAILS thông số kỹ thuật chi tiết",
        "confidential_details": "CONFIDENTIAL-SECRET công thức phối trộn",
        "contact_name": "TS. Lê Văn Bình",
        "contact_email": "binh@hdu.edu.vn",
        "keywords": ["công nghệ", "Thanh Hóa"],
        "sci_fields": ["2.8"],
        "trl": 6,
        "cooperation_types": ["license"],
        "price_min_vnd": 100_000_000i64,
        "price_max_vnd": 300_000_000i64,
    });
    if let (Some(base), Some(more)) = (body.as_object_mut(), extra.as_object()) {
        for (key, value) in more {
            base.insert(key.clone(), value.clone());
        }
    }
    body
}

/// A valid request body; `extra` fields override or add.
pub fn request_body(title: &str, extra: Value) -> Value {
    let mut body = json!({
        "kind": "technology_acquisition",
        "title": title,
        "problem": "Trang trại 2.000 con lợn cần giảm mùi và COD của nước thải xuống dưới QCVN 62.",
        "requirements": "REGISTERED-REQUIREMENTS công suất 50 m3/ngày",
        "confidential_details": "CONFIDENTIAL-BUDGET-NOTE ngân sách nội bộ",
        "contact_name": "Ông Trần Văn Cường",
        "contact_phone": "0912 345 678",
        "keywords": ["nước thải", "chăn nuôi"],
        "sci_fields": ["2.7"],
        "trl_min": 6,
        "budget_min_vnd": 200_000_000i64,
        "budget_max_vnd": 500_000_000i64,
        "accepted_cooperation_types": ["license", "technical_services"],
    });
    if let (Some(base), Some(more)) = (body.as_object_mut(), extra.as_object()) {
        for (key, value) in more {
            base.insert(key.clone(), value.clone());
        }
    }
    body
}

impl TestApp {
    /// Create a record (`listings` or `requests`) and return its id.
    pub async fn create_record(&self, collection: &str, token: &str, body: Value) -> i64 {
        let reply = self
            .post(&format!("/api/v1/{collection}"), Some(token), body)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
        reply.json()["id"].as_i64().unwrap()
    }

    /// Take an action on a record and return the reply.
    pub async fn act(&self, collection: &str, id: i64, token: &str, action: &str) -> Reply {
        self.post(
            &format!("/api/v1/{collection}/{id}/transitions"),
            Some(token),
            json!({"action": action, "note": format!("ghi chú {action}")}),
        )
        .await
    }

    /// Submit as the owner and publish as a moderator.
    pub async fn publish(&self, collection: &str, id: i64, owner: &str, moderator: &str) {
        let submitted = self.act(collection, id, owner, "submit").await;
        assert_eq!(
            submitted.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&submitted.body)
        );
        let published = self.act(collection, id, moderator, "publish").await;
        assert_eq!(
            published.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&published.body)
        );
    }

    /// Apply committed changes to the search index (the server does it every half second).
    pub async fn index_changes(&self) {
        self.state
            .search
            .as_ref()
            .unwrap()
            .catch_up()
            .await
            .unwrap();
    }

    /// Run SQL against the test database (to simulate time passing).
    pub async fn execute(&self, sql: &str) {
        let sql = sql.to_owned();
        self.state
            .db
            .run(move |conn| conn.batch_execute(&sql).map_err(techx_db::DbError::from))
            .await
            .unwrap();
    }

    /// Rows of the confidential-tier access log for a record.
    pub async fn confidential_reads(
        &self,
        entity: &'static str,
        id: i64,
    ) -> Vec<(Option<i64>, String)> {
        self.state
            .db
            .run(move |conn| {
                techx_catalogue::log::confidential_reads_of(conn, entity, id)
                    .map(|rows| {
                        rows.into_iter()
                            .map(|r| (r.reader_user_id, r.road))
                            .collect()
                    })
                    .map_err(techx_db::DbError::from)
            })
            .await
            .unwrap()
    }
}

/// The cast of a catalogue test: an owner university, a verified enterprise, an unverified
/// organization's member, a broker, a moderator, an admin.
pub struct Cast {
    pub owner: String,
    pub owner_org: i64,
    pub enterprise: String,
    pub enterprise_org: i64,
    pub unverified: String,
    pub broker: String,
    pub moderator: String,
    pub admin: String,
}

impl Cast {
    pub async fn new(app: &TestApp) -> Cast {
        let (owner, owner_org) = app
            .verified_owner("owner@hdu.edu.vn", "Trường Đại học Hồng Đức")
            .await;
        let (enterprise, enterprise_org) = app
            .verified_owner("ceo@mia.vn", "Công ty CP Mía đường Lam Sơn")
            .await;
        let (unverified, _) = app
            .signed_in("member@htx.vn", Some("HTX Nông nghiệp Quảng Xương"))
            .await;
        let broker = app.staff("broker@sokhcn.vn", "broker").await;
        let moderator = app.staff("moderator@sokhcn.vn", "moderator").await;
        let admin = app.staff("admin@sokhcn.vn", "admin").await;
        Cast {
            owner,
            owner_org,
            enterprise,
            enterprise_org,
            unverified,
            broker,
            moderator,
            admin,
        }
    }
}

/// Create a record as `token`'s organization and have a moderator publish it; its id. A
/// fixture: it goes through the services (create, submit, publish), as the handlers do, since
/// HTTP adds nothing here; the tests of those roads drive them over HTTP.
pub async fn published(
    app: &TestApp,
    collection: &str,
    token: &str,
    moderator: &str,
    body: Value,
) -> i64 {
    use techx_catalogue::records::TransitionForm;
    use techx_core::codes::Action;
    let owner = app.state.accounts.authenticate(token).await.unwrap();
    let moderator = app.state.accounts.authenticate(moderator).await.unwrap();
    let step = |action: Action| TransitionForm {
        action,
        note: Some(format!("ghi chú {}", action.as_str())),
    };
    match collection {
        "listings" => {
            let listings = &app.state.listings;
            let form = serde_json::from_value(body).unwrap();
            let id = listings.create(&owner, form).await.unwrap().id;
            listings
                .transition(&owner, id, step(Action::Submit), None)
                .await
                .unwrap();
            listings
                .transition(&moderator, id, step(Action::Publish), None)
                .await
                .unwrap();
            id.0
        }
        "requests" => {
            let requests = &app.state.requests;
            let form = serde_json::from_value(body).unwrap();
            let id = requests.create(&owner, form).await.unwrap().id;
            requests
                .transition(&owner, id, step(Action::Submit), None)
                .await
                .unwrap();
            requests
                .transition(&moderator, id, step(Action::Publish), None)
                .await
                .unwrap();
            id.0
        }
        other => panic!("no records called {other}"),
    }
}

/// The ids of a reply's `items`, in order.
pub fn ids(reply: &Value) -> Vec<i64> {
    reply["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

/// A schema with `$ref`s followed and `Option<T>` (`oneOf`/`anyOf` with null) unwrapped.
pub fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array)
            && let Some(real) = options
                .iter()
                .find(|o| o.get("type") != Some(&json!("null")))
        {
            return resolve(document, real);
        }
    }
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            resolve(document, &document["components"]["schemas"][name])
        }
        None => schema,
    }
}

/// The JSON type a schema describes (its non-null type; an enum is a string).
pub fn kind_of(schema: &Value) -> &str {
    match &schema["type"] {
        Value::String(kind) => kind,
        Value::Array(kinds) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|k| *k != "null")
            .unwrap_or("string"),
        _ if schema.get("enum").is_some() => "string",
        _ => "object",
    }
}
