//! Benchmark: a single create while a large import runs.
//!
//! `cargo bench --bench import` (SQLite in a temporary directory), or with
//! `BENCH_DATABASE_URL=postgres://…` on an empty PostgreSQL database. `BENCH_ROWS` changes the
//! import's size (default 100000). While the import loads, another task creates one listing
//! every 50 ms through the same service as `POST /api/v1/listings`; the benchmark prints how
//! long the import took and how long each create waited (p50, p99, max), for
//! `docs/benchmarks.md`. It also checks that the import appeared whole.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use techx_accounts::{Accounts, AccountsSettings, Actor};
use techx_core::codes::OrgType;
use techx_db::{Db, PoolOptions};
use techx_listings::Listings;
use techx_listings::dto::ListListingsQuery;

#[path = "synthetic.rs"]
mod synthetic;

use synthetic::{Rng, ms, percentile, synthetic, vocabulary};

#[actix_web::main]
async fn main() {
    let size: usize = std::env::var("BENCH_ROWS")
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
    let organizations =
        synthetic::organizations(&accounts, 2, &[OrgType::University, OrgType::Enterprise]).await;

    let words = vocabulary();
    let mut rng = Rng(0x1a2b_2026);
    let rows: Vec<_> = (0..size)
        .map(|n| (n + 1, Ok(synthetic(&mut rng, &words, n))))
        .collect();
    let singles: Vec<_> = (0..10_000)
        .map(|n| synthetic(&mut rng, &words, size + n))
        .collect();

    let running = Arc::new(AtomicBool::new(true));
    let writer = {
        let (listings, running) = (listings.clone(), running.clone());
        let (system, organization) = (system.clone(), organizations[1]);
        actix_web::rt::spawn(async move {
            let mut waits = Vec::new();
            let mut forms = singles.into_iter();
            while running.load(Ordering::Relaxed) {
                let Some(mut form) = forms.next() else { break };
                form.organization_id = Some(organization);
                let started = Instant::now();
                listings.create(&system, form).await.unwrap();
                waits.push(started.elapsed());
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            waits
        })
    };

    let started = Instant::now();
    let report = listings
        .import(&system, organizations[0], rows)
        .await
        .unwrap();
    let took = started.elapsed();
    running.store(false, Ordering::Relaxed);
    let mut waits = writer.await.unwrap();
    waits.sort();

    let owned = ListListingsQuery {
        organization_id: Some(organizations[0].0),
        limit: Some(1),
        ..Default::default()
    };
    let total = listings.list(Some(&system), owned).await.unwrap().total;
    assert_eq!(total as usize, size, "the import appears whole");
    assert_eq!(report.imported, size);

    println!("backend: {}", db.backend().as_str());
    println!(
        "import of {size} rows: {:.1} s ({:.0} rows/s)",
        took.as_secs_f64(),
        size as f64 / took.as_secs_f64()
    );
    println!(
        "| concurrent single creates | p50 ms | p99 ms | max ms |\n|---:|---:|---:|---:|\n| {} | {} | {} | {} |",
        waits.len(),
        ms(percentile(&waits, 0.5)),
        ms(percentile(&waits, 0.99)),
        ms(*waits.last().unwrap()),
    );
}
