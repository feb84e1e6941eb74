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

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use synthetic::{Rng, ms, percentile, request, rich_listing, vocabulary};
use techx_accounts::{Accounts, AccountsSettings, Actor};
use techx_api::{AppState, Metrics};
use techx_core::codes::OrgType;
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

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// A keep-alive HTTP/1.1 connection that reads `Content-Length` bodies.
struct Connection {
    reader: BufReader<TcpStream>,
    address: String,
}

impl Connection {
    fn open(address: &str) -> Connection {
        let stream = TcpStream::connect(address).unwrap();
        stream.set_nodelay(true).unwrap();
        Connection {
            reader: BufReader::new(stream),
            address: address.to_owned(),
        }
    }

    fn get(&mut self, path: &str) -> u16 {
        let request = format!("GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n", self.address);
        self.reader.get_mut().write_all(request.as_bytes()).unwrap();
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        let status: u16 = line.split(' ').nth(1).unwrap().parse().unwrap();
        let mut length = 0;
        loop {
            line.clear();
            self.reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).unwrap();
        status
    }
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
    let system = Actor::system();

    let organizations = synthetic::organizations(
        &accounts,
        50,
        &[
            OrgType::University,
            OrgType::ResearchInstitute,
            OrgType::Enterprise,
            OrgType::Cooperative,
        ],
    )
    .await;

    let words = vocabulary();
    let mut rng = Rng(0x5ea7_2026);
    let started = Instant::now();
    let batch = 1000;
    for start in (0..listing_count).step_by(batch) {
        let org = organizations[(start / batch) % organizations.len()];
        let rows = (start..(start + batch).min(listing_count))
            .map(|n| (n - start + 1, Ok(rich_listing(&mut rng, &words, n))))
            .collect();
        listings.import(&system, org, rows).await.unwrap();
    }
    for start in (0..request_count).step_by(batch) {
        let org = organizations[(start / batch + 7) % organizations.len()];
        let rows = (start..(start + batch).min(request_count))
            .map(|n| (n - start + 1, Ok(request(&mut rng, &words, n))))
            .collect();
        requests.import(&system, org, rows).await.unwrap();
    }
    let seed_time = started.elapsed();
    for table in ["listings", "requests"] {
        let publish = format!(
            "UPDATE {table} SET status = 'published', published_at = created_at, \
             valid_until = '2099-01-01 00:00:00', last_confirmed_at = created_at"
        );
        db.run(move |conn| {
            use techx_db::diesel::connection::SimpleConnection;
            conn.batch_execute(&publish)
                .map_err(techx_db::DbError::from)
        })
        .await
        .unwrap();
    }
    db.optimize().await.unwrap();

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
    let mut texts: Vec<String> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for keyword in &words.keywords {
        if seen.insert(keyword.to_lowercase()) && texts.len() < 30 {
            texts.push(keyword.clone());
        }
    }
    for keyword in texts.clone().iter().take(20) {
        texts.push(techx_search::analysis::fold(keyword));
    }
    for title in words.titles.iter().take(10) {
        texts.push(
            title
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
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
    let state = AppState {
        accounts: accounts.clone(),
        listings: listings.clone(),
        requests: requests.clone(),
        search: Some(indexer.clone()),
        metrics: Metrics::new().unwrap(),
        brokerage: techx_brokerage::Brokerage::new(db.clone()),
        db: db.clone(),
        trusted_proxies: techx_api::auth::TrustedProxies::none(),
    };
    let server = actix_web::HttpServer::new(move || techx_api::build_app(state.clone()))
        .workers(2)
        .bind("127.0.0.1:0")
        .unwrap();
    let address = server.addrs()[0].to_string();
    let running = server.run();
    let handle = running.handle();
    actix_web::rt::spawn(running);
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
