//! Search at scale: 100,000 listings and 20,000 requests generated from the demo vocabulary,
//! loaded through the import service, indexed by the same rebuild as `techx reindex`, then
//! searched in process and over HTTP.
//!
//! `cargo bench --bench search` (SQLite in a temporary directory), or with
//! `BENCH_DATABASE_URL=postgres://…` on an empty PostgreSQL database. `BENCH_LISTINGS` and
//! `BENCH_REQUESTS` change the size. Prints the figures for `docs/benchmarks.md`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "synthetic.rs"]
mod synthetic;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use synthetic::{Connection, encode, ms, percentile, vocabulary};
use techx_accounts::{Accounts, AccountsSettings};
use techx_db::{Db, PoolOptions};
use techx_listings::Listings;
use techx_requests::Requests;
use techx_search::facets::Facet;
use techx_search::index::{SearchIndex, SearchRequest};
use techx_search::indexer::Indexer;

fn env_size(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Resident and peak memory of this process, MiB.
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[actix_web::main]
async fn main() {
    let listing_count = env_size("BENCH_LISTINGS", 100_000);
    let request_count = env_size("BENCH_REQUESTS", 20_000);
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.sqlite3").display()));
    let db = Db::open(&url, PoolOptions { max_size: 8 }).unwrap();
    db.run(techx_db::run_migrations).await.unwrap();
    let accounts = Accounts::new(db.clone(), &[7u8; 32], AccountsSettings::default()).unwrap();
    let listings = Listings::new(db.clone());
    let requests = Requests::new(db.clone());

    let words = vocabulary();
    let seed_time = synthetic::seed_catalogue(
        &db,
        &accounts,
        &listings,
        &requests,
        listing_count,
        request_count,
    )
    .await;
    // The index, built as `techx reindex` builds it.
    let index_dir = tempfile::tempdir().unwrap();
    let (index, _) = SearchIndex::open(index_dir.path()).unwrap();
    let indexer = Indexer::new(Arc::new(index), db.clone());
    let started = Instant::now();
    let indexed = indexer.rebuild(|_| {}).await.unwrap();
    let build_time = started.elapsed();
    let index = indexer.index.clone();
    let size_mb = index.size_on_disk() as f64 / 1_048_576.0;
    let (rss_built, peak_built) = memory();

    // The queries: keywords as typed with diacritics, the same without, title openings;
    // every search also counts two facets, as a search page does.
    let texts = synthetic::query_texts(&words);
    let facets = vec![Facet::SciField, Facet::Province];
    let search_request = |text: &str| SearchRequest {
        text: text.to_owned(),
        facets: facets.clone(),
        limit: 20,
        ..SearchRequest::default()
    };

    // Latency in process.
    let mut latencies = Vec::new();
    let mut totals = 0usize;
    for round in 0..22 {
        for text in &texts {
            let t = Instant::now();
            let result = index.search_with(&search_request(text)).unwrap();
            if round >= 2 {
                latencies.push(t.elapsed());
                totals += result.total;
            }
        }
    }
    latencies.sort();

    // Matching in process: the listings that match a request (its public text against the
    // listings' public text, plus its level-2 fields), scored and explained, ten per request.
    let sample = requests.published_ids_after(0, 200).await.unwrap();
    let mut needs = Vec::with_capacity(sample.len());
    for id in sample {
        let view = requests
            .public_view(None, techx_core::RequestId(id))
            .await
            .unwrap();
        needs.push(techx_matching::Facts::from(&view));
    }
    let config = techx_matching::Config::default();
    let mut match_latencies = Vec::new();
    let mut considered = 0usize;
    for round in 0..3 {
        for need in &needs {
            let request = techx_matching::MatchRequest {
                source: need.clone(),
                source_kind: techx_core::RecordKind::Request,
                filters: Default::default(),
                limit: 10,
                strict: false,
                near: Vec::new(),
            };
            let t = Instant::now();
            let found =
                techx_matching::find(&index, &config, &request, chrono::Utc::now()).unwrap();
            if round >= 1 {
                match_latencies.push(t.elapsed());
                considered += found.considered;
            }
        }
    }
    match_latencies.sort();

    // Throughput in process, two threads.
    let run_for = Duration::from_secs(5);
    let in_process = {
        let count = Arc::new(AtomicU64::new(0));
        let threads: Vec<_> = (0..2)
            .map(|t| {
                let (index, count, texts) = (index.clone(), count.clone(), texts.clone());
                let facets = facets.clone();
                std::thread::spawn(move || {
                    let started = Instant::now();
                    let mut i = t;
                    while started.elapsed() < run_for {
                        let request = SearchRequest {
                            text: texts[i % texts.len()].clone(),
                            facets: facets.clone(),
                            limit: 20,
                            ..SearchRequest::default()
                        };
                        index.search_with(&request).unwrap();
                        count.fetch_add(1, Ordering::Relaxed);
                        i += 1;
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        count.load(Ordering::Relaxed) as f64 / run_for.as_secs_f64()
    };

    // Over HTTP: the real server (two workers) on a local port, 32 keep-alive connections.
    let (address, handle) = synthetic::serve(&db, &accounts, &listings, &requests, &indexer);
    let paths: Vec<String> = texts
        .iter()
        .map(|t| {
            format!(
                "/api/v1/search?q={}&facets=sci_field,province_code",
                encode(t)
            )
        })
        .collect();
    let (http_rate, health, errors) = actix_web::rt::task::spawn_blocking(move || {
        let count = Arc::new(AtomicU64::new(0));
        let errors = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        // Warm up.
        let mut warm = Connection::open(&address);
        for path in &paths {
            assert_eq!(warm.get(path), 200);
        }
        let clients: Vec<_> = (0..32)
            .map(|c| {
                let (count, errors, stop) = (count.clone(), errors.clone(), stop.clone());
                let (paths, address) = (paths.clone(), address.clone());
                std::thread::spawn(move || {
                    let mut connection = Connection::open(&address);
                    let mut i = c;
                    while !stop.load(Ordering::Relaxed) {
                        if connection.get(&paths[i % paths.len()]) == 200 {
                            count.fetch_add(1, Ordering::Relaxed);
                        } else {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                        i += 1;
                    }
                })
            })
            .collect();
        // /healthz under that load, ten times a second.
        let health = {
            let (stop, address) = (stop.clone(), address.clone());
            std::thread::spawn(move || {
                let mut connection = Connection::open(&address);
                let mut latencies = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    assert_eq!(connection.get("/healthz"), 200);
                    latencies.push(t.elapsed());
                    std::thread::sleep(Duration::from_millis(100));
                }
                latencies.sort();
                latencies
            })
        };
        let started = Instant::now();
        std::thread::sleep(run_for);
        stop.store(true, Ordering::Relaxed);
        let elapsed = started.elapsed();
        for client in clients {
            client.join().unwrap();
        }
        let health = health.join().unwrap();
        (
            count.load(Ordering::Relaxed) as f64 / elapsed.as_secs_f64(),
            health,
            errors.load(Ordering::Relaxed),
        )
    })
    .await
    .unwrap();
    handle.stop(true).await;
    let (rss_after, peak_after) = memory();

    println!(
        "\nRecords: {listing_count} listings + {request_count} requests, seeded in {:.1} s through the import service",
        seed_time.as_secs_f64()
    );
    println!("| measure | figure |");
    println!("|---|---:|");
    println!(
        "| index build (rebuild from the database, {indexed} records) | {:.1} s ({:.0} records/s) |",
        build_time.as_secs_f64(),
        indexed as f64 / build_time.as_secs_f64()
    );
    println!("| index size on disk | {size_mb:.1} MiB |");
    println!(
        "| in-process search latency p50 / p99 ({} searches, {} queries, 2 facets, 20 hits) | {} / {} ms |",
        latencies.len(),
        texts.len(),
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99))
    );
    println!(
        "| mean matches per query | {:.0} |",
        totals as f64 / latencies.len() as f64
    );
    println!(
        "| matching one request over {listing_count} listings, p50 / p99 ({} runs of {} requests, 10 matches, mean {:.0} candidates scored) | {} / {} ms |",
        match_latencies.len(),
        needs.len(),
        considered as f64 / match_latencies.len().max(1) as f64,
        ms(percentile(&match_latencies, 0.5)),
        ms(percentile(&match_latencies, 0.99))
    );
    println!("| in-process throughput, 2 threads | {in_process:.0} searches/s |");
    println!(
        "| HTTP `/api/v1/search` throughput, anonymous, 32 connections | {http_rate:.0} searches/s ({:.0}% of in-process; {errors} errors) |",
        100.0 * http_rate / in_process
    );
    println!(
        "| `/healthz` latency under that load p50 / p99 ({} probes) | {} / {} ms |",
        health.len(),
        ms(percentile(&health, 0.5)),
        ms(percentile(&health, 0.99))
    );
    println!(
        "| process memory after the build: resident / peak | {rss_built:.0} / {peak_built:.0} MiB |"
    );
    println!(
        "| process memory after the HTTP run: resident / peak | {rss_after:.0} / {peak_after:.0} MiB |"
    );
}
