//! Benchmark of the listing list endpoint with filters over 100,000 listings.
//!
//! `cargo bench --bench catalogue` (SQLite in a temporary directory), or with
//! `BENCH_DATABASE_URL=postgres://…` on an empty PostgreSQL database. `BENCH_LISTINGS` changes
//! the size (default 100000). Prints a Markdown table for `docs/benchmarks.md`.
//!
//! Listings are generated from the demo data's vocabulary and imported through the same
//! service as `POST /api/v1/listings/import` (validation, history and change log included);
//! publication is then set in one statement, since the benchmark measures reads.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use actix_web::test;
use std::time::Instant;
use techx_accounts::{Accounts, AccountsSettings, Actor};
use techx_api::{AppState, Metrics};
use techx_core::OrganizationId;
use techx_core::codes::OrgType;
use techx_db::{Db, PoolOptions};
use techx_listings::Listings;
use techx_listings::dto::ListListingsQuery;
use techx_requests::Requests;

#[path = "synthetic.rs"]
mod synthetic;

use synthetic::{Rng, ms, percentile, synthetic, vocabulary};

#[actix_web::main]
async fn main() {
    let size: usize = std::env::var("BENCH_LISTINGS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.sqlite3").display()));
    let db = Db::open(&url, PoolOptions { max_size: 8 }).unwrap();
    db.run(techx_db::run_migrations).await.unwrap();
    let accounts = Accounts::new(db.clone(), &[7u8; 32], AccountsSettings::default()).unwrap();
    let listings = Listings::new(db.clone());
    let system = Actor::system();

    // Fifty organizations, each with an owner.
    let organizations = synthetic::organizations(
        &accounts,
        50,
        &[
            OrgType::University,
            OrgType::ResearchInstitute,
            OrgType::Enterprise,
        ],
    )
    .await;

    let words = vocabulary();
    let mut rng = Rng(0x7ec4_2026);
    let started = Instant::now();
    let batch = 1000;
    for start in (0..size).step_by(batch) {
        let org: OrganizationId = organizations[(start / batch) % organizations.len()];
        let rows = (start..(start + batch).min(size))
            .map(|n| (n - start + 1, Ok(synthetic(&mut rng, &words, n))))
            .collect();
        listings.import(&system, org, rows).await.unwrap();
    }
    let seed_time = started.elapsed();
    // Nine in ten published (a year of validity), the rest left as drafts.
    let publish = "UPDATE listings SET status = 'published', published_at = created_at, \
                   valid_until = '2099-01-01 00:00:00', last_confirmed_at = created_at WHERE id % 10 <> 0";
    db.run(move |conn| {
        use techx_db::diesel::connection::SimpleConnection;
        conn.batch_execute(publish).map_err(techx_db::DbError::from)
    })
    .await
    .unwrap();
    if db.backend() == techx_db::Backend::Postgres {
        db.run(|conn| {
            use techx_db::diesel::connection::SimpleConnection;
            conn.batch_execute("ANALYZE")
                .map_err(techx_db::DbError::from)
        })
        .await
        .unwrap();
    }

    let tokens = accounts
        .login(
            techx_accounts::dto::LoginForm {
                email: "owner3@bench.vn".into(),
                password: "benchmark password".into(),
            },
            None,
        )
        .await
        .unwrap();
    let member = accounts.authenticate(&tokens.access_token).await.unwrap();
    let cases: Vec<(&str, &str, Option<&Actor>)> = vec![
        ("newest first, no filter", "", None),
        ("sci_field=2 (level 1 with sub-fields)", "sci_field=2", None),
        ("sci_field=4.1 & trl_min=6", "sci_field=4.1&trl_min=6", None),
        (
            "province & cooperation_type & price range",
            "province_code=thanh_hoa&cooperation_type=license&price_min=100000000&price_max=300000000",
            None,
        ),
        (
            "kind & trl range, sort=title",
            "kind=research_result&trl_min=3&trl_max=6&sort=title",
            None,
        ),
        (
            "deep page: sort=title, offset=5000",
            "sort=title&offset=5000",
            None,
        ),
        (
            "updated_since (recent)",
            "updated_since=2000-01-01T00:00:00Z&sort=-updated_at",
            None,
        ),
        (
            "member: own organization, any status",
            "organization_id=ORG",
            Some(&member),
        ),
    ];

    let state = AppState {
        accounts: accounts.clone(),
        listings: listings.clone(),
        requests: Requests::new(db.clone()),
        search: None,
        metrics: Metrics::new().unwrap(),
        brokerage: techx_brokerage::Brokerage::new(db.clone()),
        db: db.clone(),
        trusted_proxies: techx_api::auth::TrustedProxies::none(),
    };
    let app = test::init_service(techx_api::build_app(state)).await;

    println!(
        "\nListings: {size} ({} published); seeded in {:.1} s through the import service ({:.0} listings/s)\n",
        size - size / 10,
        seed_time.as_secs_f64(),
        size as f64 / seed_time.as_secs_f64()
    );
    println!("| query | total | service p50 ms | service p99 ms | HTTP p50 ms | HTTP p99 ms |");
    println!("|---|---:|---:|---:|---:|---:|");
    let iterations = 200;
    for (name, query, actor) in cases {
        let query = query.replace("ORG", &organizations[3].0.to_string());
        let parsed: ListListingsQuery = serde_urlencoded_parse(&query);
        let mut service = Vec::with_capacity(iterations);
        let mut total = 0;
        for i in 0..iterations + 5 {
            let t = Instant::now();
            let page = listings.list(actor, parsed.clone()).await.unwrap();
            if i >= 5 {
                service.push(t.elapsed());
            }
            total = page.total;
        }
        let mut http = Vec::with_capacity(iterations);
        for i in 0..iterations + 5 {
            let mut request = test::TestRequest::get().uri(&format!("/api/v1/listings?{query}"));
            if actor.is_some() {
                request = request
                    .insert_header(("Authorization", format!("Bearer {}", tokens.access_token)));
            }
            let t = Instant::now();
            let response = test::call_service(&app, request.to_request()).await;
            let body = test::read_body(response).await;
            if i >= 5 {
                http.push(t.elapsed());
            }
            assert!(!body.is_empty());
        }
        service.sort();
        http.sort();
        println!(
            "| {name} | {total} | {} | {} | {} | {} |",
            ms(percentile(&service, 0.5)),
            ms(percentile(&service, 0.99)),
            ms(percentile(&http, 0.5)),
            ms(percentile(&http, 0.99)),
        );
    }
}

fn serde_urlencoded_parse(query: &str) -> ListListingsQuery {
    actix_web::web::Query::<ListListingsQuery>::from_query(query)
        .unwrap()
        .into_inner()
}
