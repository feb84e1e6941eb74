//! Benchmark of the brokerage lists: the first page of an organization's 10,000 inquiries and
//! the staff lists over 100,000 inquiries, matches and engagements.
//!
//! `cargo bench --bench brokerage` (SQLite in a temporary directory), or with
//! `BENCH_DATABASE_URL=postgres://…` on an empty PostgreSQL database. `BENCH_ROWS` changes the
//! size of each table (default 100000). Prints a Markdown table for `docs/benchmarks.md`.
//!
//! 1,000 listings and 1,000 requests of 50 organizations are imported through the services and
//! published; the brokerage rows are then written in bulk statements (the benchmark measures
//! reads): one organization sends a tenth of the inquiries, the others are spread over the
//! rest, half routed to the owner; matches pair every listing with a hundred requests in mixed
//! statuses; engagements follow the matches.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;
use techx_accounts::{Accounts, AccountsSettings, Actor};
use techx_brokerage::Brokerage;
use techx_brokerage::dto::{EngagementFilter, InquiryFilter, Mailbox, MatchFilter};
use techx_core::codes::OrgType;
use techx_core::page::Paging;
use techx_db::diesel::connection::SimpleConnection;
use techx_db::{Db, PoolOptions};
use techx_listings::Listings;
use techx_requests::Requests;

#[path = "synthetic.rs"]
mod synthetic;

use synthetic::{Rng, ms, percentile, request, synthetic, vocabulary};

const RECORDS: usize = 1000;

async fn execute(db: &Db, sql: String) {
    db.run(move |conn| conn.batch_execute(&sql).map_err(techx_db::DbError::from))
        .await
        .unwrap();
}

/// Insert `rows` value tuples into `head` (an `INSERT INTO t (…) VALUES`), 1,000 per statement.
async fn insert(db: &Db, head: &str, rows: Vec<String>) {
    for chunk in rows.chunks(1000) {
        execute(db, format!("{head} {}", chunk.join(", "))).await;
    }
}

#[actix_web::main]
async fn main() {
    let size: usize = std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    // `BENCH_KEEP=path` keeps the SQLite file there, to look at query plans afterwards.
    let file = std::env::var("BENCH_KEEP")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| dir.path().join("bench.sqlite3"));
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", file.display()));
    let db = Db::open(&url, PoolOptions { max_size: 8 }).unwrap();
    db.run(techx_db::run_migrations).await.unwrap();
    let accounts = Accounts::new(db.clone(), &[7u8; 32], AccountsSettings::default()).unwrap();
    let listings = Listings::new(db.clone());
    let requests = Requests::new(db.clone());
    let brokerage = Brokerage::new(db.clone());
    let system = Actor::system();
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
    let mut rng = Rng(0xb0_2026);
    let per = RECORDS / organizations.len();
    for (i, org) in organizations.iter().enumerate() {
        let rows = (0..per)
            .map(|n| (n + 1, Ok(synthetic(&mut rng, &words, i * per + n))))
            .collect();
        listings.import(&system, *org, rows).await.unwrap();
        let rows = (0..per)
            .map(|n| (n + 1, Ok(request(&mut rng, &words, i * per + n))))
            .collect();
        requests.import(&system, *org, rows).await.unwrap();
    }
    for table in ["listings", "requests"] {
        execute(
            &db,
            format!(
                "UPDATE {table} SET status = 'published', published_at = created_at, \
                 valid_until = '2099-01-01 00:00:00', last_confirmed_at = created_at"
            ),
        )
        .await;
    }
    // Records are numbered 1..=RECORDS in organization order; owners are users 1..=50.
    let owner_of = |record: usize| (record - 1) / per;
    let sender = 3usize;
    let started = Instant::now();
    let at = "'2026-06-01 08:00:00'";
    let mut inquiries = Vec::with_capacity(size);
    for n in 0..size {
        let from = if n % 10 == 0 {
            sender
        } else {
            (sender + 1 + rng.below(organizations.len() - 1)) % organizations.len()
        };
        let (entity, record) = loop {
            let record = 1 + rng.below(RECORDS);
            if owner_of(record) != from {
                break (if n % 3 == 0 { "request" } else { "listing" }, record);
            }
        };
        let routed = if n % 2 == 0 { "owner" } else { "broker" };
        inquiries.push(format!(
            "('{entity}', {record}, {org}, {author}, '[\"license\"]', 'Chúng tôi cần công nghệ {n}', \
             '{routed}', 'open', {at}, {at})",
            org = organizations[from].0,
            author = from + 1,
        ));
    }
    insert(
        &db,
        "INSERT INTO inquiries (entity, entity_id, organization_id, author_id, cooperation_sought, \
         message, routed_to, status, created_at, updated_at) VALUES",
        inquiries,
    )
    .await;
    let statuses = ["suggested", "introduced", "accepted", "declined"];
    let matches = (0..size)
        .map(|n| {
            let listing = 1 + n % RECORDS;
            let request = 1 + (n / RECORDS) % RECORDS;
            format!(
                "({listing}, {request}, 'broker', 0.5, '{{}}', '{}', {at}, {at})",
                statuses[n % statuses.len()]
            )
        })
        .collect();
    insert(
        &db,
        "INSERT INTO matches (listing_id, request_id, source, score, explanation, status, \
         created_at, updated_at) VALUES",
        matches,
    )
    .await;
    let engagements = (0..size)
        .map(|n| {
            let listing = 1 + n % RECORDS;
            let request = 1 + (n / RECORDS) % RECORDS;
            format!("({listing}, {request}, 'match', 'introduced', {at}, {at})")
        })
        .collect();
    insert(
        &db,
        "INSERT INTO engagements (listing_id, request_id, origin, stage, created_at, updated_at) \
         VALUES",
        engagements,
    )
    .await;
    db.optimize().await.unwrap();
    let seed_time = started.elapsed();

    let tokens = accounts
        .login(
            techx_accounts::dto::LoginForm {
                email: format!("owner{sender}@bench.vn"),
                password: "benchmark password".into(),
            },
            None,
        )
        .await
        .unwrap();
    let member = accounts.authenticate(&tokens.access_token).await.unwrap();
    let first = Paging {
        limit: 20,
        offset: 0,
    };
    println!(
        "\nRows: {size} inquiries, {size} matches, {size} engagements over {RECORDS} listings and \
         {RECORDS} requests; written in {:.1} s\n",
        seed_time.as_secs_f64()
    );
    println!("| first page of 20 | total | p50 ms | p99 ms |");
    println!("|---|---:|---:|---:|");
    let iterations = 100;
    macro_rules! case {
        ($name:expr, $call:expr) => {{
            let mut times = Vec::with_capacity(iterations);
            let mut total = 0;
            for i in 0..iterations + 5 {
                let t = Instant::now();
                let page = $call.await.unwrap();
                if i >= 5 {
                    times.push(t.elapsed());
                }
                assert_eq!(page.items.len(), 20);
                total = page.total;
            }
            times.sort();
            println!(
                "| {} | {total} | {} | {} |",
                $name,
                ms(percentile(&times, 0.5)),
                ms(percentile(&times, 0.99))
            );
        }};
    }
    case!(
        "inquiries sent by one organization (member)",
        brokerage.list_inquiries(
            &member,
            InquiryFilter {
                mailbox: Some(Mailbox::Sent),
                ..Default::default()
            },
            first
        )
    );
    case!(
        "inquiries of one organization, both boxes (member)",
        brokerage.list_inquiries(&member, InquiryFilter::default(), first)
    );
    case!(
        "inquiries, staff",
        brokerage.list_inquiries(&system, InquiryFilter::default(), first)
    );
    case!(
        "inquiries received by the brokers, staff",
        brokerage.list_inquiries(
            &system,
            InquiryFilter {
                mailbox: Some(Mailbox::Received),
                ..Default::default()
            },
            first
        )
    );
    case!(
        "matches of one organization's records (member)",
        brokerage.list_matches(&member, MatchFilter::default(), first)
    );
    case!(
        "matches, staff",
        brokerage.list_matches(&system, MatchFilter::default(), first)
    );
    case!(
        "engagements, staff",
        brokerage.list_engagements(&system, EngagementFilter::default(), first)
    );
}
