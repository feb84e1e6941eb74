//! Side by side, one run on one machine: techx search against what a diesel user would write
//! instead, PostgreSQL full-text search (a weighted `tsvector` over `unaccent`ed title and body,
//! a GIN index, `ts_rank_cd`) and SQLite FTS5 (`unicode61 remove_diacritics 2`, `bm25()`), on
//! the same corpora with the same queries:
//!
//! 1. xquad-vi-distract (the 240 XQuAD paragraphs among 35,440 titled Vietnamese Wikipedia
//!    articles, 1,190 questions): nDCG@10, latency and throughput. Read from `COMPARE_BEIR`, else
//!    `../shared/eval/xquad-vi-distract`; left out when absent.
//! 2. The search benchmark's synthetic catalogue (100,000 listings + 20,000 requests), seeded
//!    through the services into SQLite and indexed by `techx reindex`'s rebuild: latency and
//!    throughput of techx in process and over HTTP, PostgreSQL and FTS5 over the same records'
//!    text (title; summary and details of a listing, problem and requirements of a request).
//!
//! `cargo bench --bench compare`; PostgreSQL from `COMPARE_POSTGRES_URL` (default: the local
//! `postgres://postgres@127.0.0.1:5432/test`; its tables live in a schema `techx_compare`,
//! dropped at the end; left out when it cannot be reached). `BENCH_LISTINGS`, `BENCH_REQUESTS`
//! change the catalogue's size. Prints the tables of `docs/benchmarks.md`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "synthetic.rs"]
mod synthetic;

use diesel::Connection as _;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use synthetic::{Connection, encode, ms, percentile, vocabulary};
use techx_accounts::{Accounts, AccountsSettings};
use techx_db::{Db, PoolOptions};
use techx_listings::Listings;
use techx_requests::Requests;
use techx_search::eval::{Dataset, Harness, Options};
use techx_search::index::{SearchIndex, SearchRequest};
use techx_search::indexer::Indexer;

/// Hits per query everywhere.
const TOP: usize = 10;
/// How long each throughput run lasts, and with how many threads (the machine's two cores).
const RUN_FOR: Duration = Duration::from_secs(4);
const THREADS: usize = 2;

diesel::table! {
    compare_docs (id) {
        id -> Text,
        title -> Text,
        body -> Text,
    }
}

diesel::table! {
    compare_fts (id) {
        id -> Text,
        title -> Text,
        body -> Text,
    }
}

#[derive(QueryableByName)]
struct Hit {
    #[diesel(sql_type = Text)]
    id: String,
}

/// One way of answering a query, opened once per thread.
trait Session {
    fn top(&mut self, text: &str) -> Vec<String>;
}

/// What a measured engine gives.
struct Figures {
    name: String,
    latencies: Vec<Duration>,
    throughput: f64,
    rankings: HashMap<usize, Vec<String>>,
}

/// Every query once to warm up, once timed (its ranking kept), then `THREADS` sessions for
/// `RUN_FOR`.
fn measure<'a>(
    name: &str,
    queries: &[String],
    open: &(dyn Fn() -> Box<dyn Session + 'a> + Sync),
) -> Figures {
    let mut session = open();
    for text in queries.iter().take(50) {
        session.top(text);
    }
    let mut latencies = Vec::with_capacity(queries.len());
    let mut rankings = HashMap::with_capacity(queries.len());
    for (i, text) in queries.iter().enumerate() {
        let t = Instant::now();
        let ranked = session.top(text);
        latencies.push(t.elapsed());
        rankings.insert(i, ranked);
    }
    latencies.sort();
    let count = AtomicU64::new(0);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let count = &count;
            scope.spawn(move || {
                let mut session = open();
                let mut i = t * 7;
                while started.elapsed() < RUN_FOR {
                    session.top(&queries[i % queries.len()]);
                    count.fetch_add(1, Ordering::Relaxed);
                    i += 1;
                }
            });
        }
    });
    let throughput = count.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    Figures {
        name: name.to_owned(),
        latencies,
        throughput,
        rankings,
    }
}

/// The words of a query, as FTS5's `OR` of quoted words.
fn fts5_query(text: &str) -> String {
    let mut words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.sort();
    words.dedup();
    words
        .iter()
        .map(|w| format!("\"{w}\""))
        .collect::<Vec<_>>()
        .join(" OR ")
}

struct Fts5(SqliteConnection);

impl Session for Fts5 {
    fn top(&mut self, text: &str) -> Vec<String> {
        let query = fts5_query(text);
        if query.is_empty() {
            return Vec::new();
        }
        diesel::sql_query(
            "SELECT id FROM compare_fts WHERE compare_fts MATCH ? \
             ORDER BY bm25(compare_fts, 0.0, 2.0, 1.0) LIMIT 10",
        )
        .bind::<Text, _>(query)
        .load::<Hit>(&mut self.0)
        .unwrap()
        .into_iter()
        .map(|h| h.id)
        .collect()
    }
}

/// A file database with the documents in an FTS5 table.
fn fts5_load(path: &std::path::Path, docs: &[(String, String, String)]) -> Duration {
    let mut conn = SqliteConnection::establish(&path.display().to_string()).unwrap();
    conn.batch_execute(
        "DROP TABLE IF EXISTS compare_fts;
         CREATE VIRTUAL TABLE compare_fts USING fts5(
             id UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2');",
    )
    .unwrap();
    let started = Instant::now();
    conn.transaction(|conn| {
        for chunk in docs.chunks(1000) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|(id, title, body)| {
                    (
                        compare_fts::id.eq(id),
                        compare_fts::title.eq(title),
                        compare_fts::body.eq(body),
                    )
                })
                .collect();
            diesel::insert_into(compare_fts::table)
                .values(&rows)
                .execute(conn)?;
        }
        diesel::QueryResult::Ok(())
    })
    .unwrap();
    conn.batch_execute("INSERT INTO compare_fts(compare_fts) VALUES('optimize');")
        .unwrap();
    started.elapsed()
}

fn fts5_open(path: PathBuf) -> impl Fn() -> Box<dyn Session> + Sync {
    move || {
        let conn = SqliteConnection::establish(&path.display().to_string()).unwrap();
        Box::new(Fts5(conn)) as Box<dyn Session>
    }
}

/// PostgreSQL's two natural ways: any word of the query (`|` of its lexemes, what a search box
/// over long questions needs), or all of them (`websearch_to_tsquery`, what the manual shows).
#[derive(Clone, Copy)]
enum PgQuery {
    AnyWord,
    AllWords,
}

struct Postgres(PgConnection, PgQuery);

impl Session for Postgres {
    fn top(&mut self, text: &str) -> Vec<String> {
        let query = match self.1 {
            PgQuery::AnyWord => {
                "SELECT id FROM compare_docs, to_tsquery('simple', array_to_string(tsvector_to_array(\
                 to_tsvector('simple', compare_unaccent($1))), ' | ')) AS q \
                 WHERE tsv @@ q ORDER BY ts_rank_cd(tsv, q) DESC LIMIT 10"
            }
            PgQuery::AllWords => {
                "SELECT id FROM compare_docs, websearch_to_tsquery('simple', compare_unaccent($1)) AS q \
                 WHERE tsv @@ q ORDER BY ts_rank_cd(tsv, q) DESC LIMIT 10"
            }
        };
        diesel::sql_query(query)
            .bind::<Text, _>(text)
            .load::<Hit>(&mut self.0)
            .unwrap()
            .into_iter()
            .map(|h| h.id)
            .collect()
    }
}

fn pg_connect(url: &str) -> Option<PgConnection> {
    let mut conn = PgConnection::establish(url).ok()?;
    conn.batch_execute(
        "CREATE SCHEMA IF NOT EXISTS techx_compare; SET search_path = techx_compare, public;",
    )
    .ok()?;
    Some(conn)
}

/// The documents in a table with a generated, weighted `tsvector` (title A, body B) over
/// `unaccent`, and a GIN index on it. Returns the load time.
fn pg_load(url: &str, docs: &[(String, String, String)]) -> Option<Duration> {
    let mut conn = pg_connect(url)?;
    conn.batch_execute(
        "CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
         CREATE OR REPLACE FUNCTION compare_unaccent(text) RETURNS text
             LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
             AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
         DROP TABLE IF EXISTS compare_docs;
         CREATE TABLE compare_docs (
             id text PRIMARY KEY,
             title text NOT NULL,
             body text NOT NULL,
             tsv tsvector GENERATED ALWAYS AS (
                 setweight(to_tsvector('simple', compare_unaccent(title)), 'A') ||
                 setweight(to_tsvector('simple', compare_unaccent(body)), 'B')) STORED);",
    )
    .ok()?;
    let started = Instant::now();
    for chunk in docs.chunks(1000) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(id, title, body)| {
                (
                    compare_docs::id.eq(id),
                    compare_docs::title.eq(title),
                    compare_docs::body.eq(body),
                )
            })
            .collect();
        diesel::insert_into(compare_docs::table)
            .values(&rows)
            .execute(&mut conn)
            .unwrap();
    }
    conn.batch_execute(
        "CREATE INDEX compare_docs_tsv ON compare_docs USING GIN (tsv); ANALYZE compare_docs;",
    )
    .unwrap();
    Some(started.elapsed())
}

fn pg_open(url: String, query: PgQuery) -> impl Fn() -> Box<dyn Session> + Sync {
    move || Box::new(Postgres(pg_connect(&url).unwrap(), query)) as Box<dyn Session>
}

fn pg_drop(url: &str) {
    if let Some(mut conn) = pg_connect(url) {
        let _ = conn.batch_execute("DROP SCHEMA IF EXISTS techx_compare CASCADE;");
    }
}

/// techx's own ranking over the BEIR corpus (the relevance harness's index).
struct Techx<'a>(&'a Harness<'a>);

impl Session for Techx<'_> {
    fn top(&mut self, text: &str) -> Vec<String> {
        self.0.rank(text, TOP).unwrap()
    }
}

/// techx's search index over the catalogue, as the API's search calls it.
struct TechxIndex(Arc<SearchIndex>);

impl Session for TechxIndex {
    fn top(&mut self, text: &str) -> Vec<String> {
        let result = self
            .0
            .search_with(&SearchRequest {
                text: text.to_owned(),
                limit: TOP,
                ..SearchRequest::default()
            })
            .unwrap();
        result.hits.iter().map(|h| h.id.to_string()).collect()
    }
}

/// techx over HTTP: one keep-alive connection per session.
struct Http(Connection);

impl Session for Http {
    fn top(&mut self, text: &str) -> Vec<String> {
        let status = self
            .0
            .get(&format!("/api/v1/search?q={}&limit={TOP}", encode(text)));
        assert_eq!(status, 200);
        Vec::new()
    }
}

/// Load `docs` into PostgreSQL (when reachable) and FTS5 at `fts_path`, and measure both ways
/// of each: their figures and load times are added.
fn rivals(
    pg_url: Option<&str>,
    docs: &[(String, String, String)],
    queries: &[String],
    fts_path: &std::path::Path,
    figures: &mut Vec<Figures>,
    loads: &mut Vec<String>,
) {
    if let Some(url) = pg_url
        && let Some(load) = pg_load(url, docs)
    {
        loads.push(format!("PostgreSQL {:.1} s", load.as_secs_f64()));
        figures.push(measure(
            "PostgreSQL FTS, any word (`|`), ts_rank_cd",
            queries,
            &pg_open(url.to_owned(), PgQuery::AnyWord),
        ));
        figures.push(measure(
            "PostgreSQL FTS, all words (websearch_to_tsquery), ts_rank_cd",
            queries,
            &pg_open(url.to_owned(), PgQuery::AllWords),
        ));
    }
    let load = fts5_load(fts_path, docs);
    loads.push(format!("FTS5 {:.1} s", load.as_secs_f64()));
    figures.push(measure(
        "SQLite FTS5, any word (OR), bm25(title 2, body 1)",
        queries,
        &fts5_open(fts_path.to_owned()),
    ));
}

fn table(title: &str, figures: &[Figures], ndcg: Option<&dyn Fn(&Figures) -> f64>) {
    println!("\n{title}");
    let base = &figures[0];
    let base_p50 = percentile(&base.latencies, 0.5).as_secs_f64();
    if ndcg.is_some() {
        println!(
            "| engine | nDCG@10 | p50 / p99 ms | throughput, {THREADS} threads | p50 × techx | throughput ÷ techx |"
        );
        println!("|---|---:|---:|---:|---:|---:|");
    } else {
        println!(
            "| engine | p50 / p99 ms | throughput, {THREADS} threads | p50 × techx | throughput ÷ techx |"
        );
        println!("|---|---:|---:|---:|---:|");
    }
    for f in figures {
        let p50 = percentile(&f.latencies, 0.5);
        let latency = format!("{} / {}", ms(p50), ms(percentile(&f.latencies, 0.99)));
        let rate = format!("{:.0} /s", f.throughput);
        let ratio = format!("{:.2}", p50.as_secs_f64() / base_p50);
        let speed = format!("{:.2}", f.throughput / base.throughput);
        match ndcg {
            Some(ndcg) => println!(
                "| {} | {:.4} | {latency} | {rate} | {ratio} | {speed} |",
                f.name,
                ndcg(f)
            ),
            None => println!("| {} | {latency} | {rate} | {ratio} | {speed} |", f.name),
        }
    }
}

fn beir_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("COMPARE_BEIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/eval/xquad-vi-distract")
        });
    dir.is_dir().then_some(dir)
}

fn env_size(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[actix_web::main]
async fn main() {
    let pg_url = std::env::var("COMPARE_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let pg_reachable = pg_connect(&pg_url).is_some();
    if !pg_reachable {
        println!("PostgreSQL at {pg_url} cannot be reached: its rows are left out");
    }
    let scratch = tempfile::tempdir().unwrap();

    // 1. The labelled corpus.
    if let Some(dir) = beir_dir() {
        let dataset = Dataset::load(&dir).unwrap();
        let queries: Vec<String> = dataset.queries.iter().map(|(_, t)| t.clone()).collect();
        let docs: Vec<(String, String, String)> = dataset
            .corpus
            .iter()
            .map(|(id, title, text)| (id.clone(), title.clone(), text.clone()))
            .collect();
        let mut figures = Vec::new();
        let started = Instant::now();
        let harness = Harness::build(&dataset.corpus, Options::default()).unwrap();
        let techx_build = started.elapsed();
        figures.push(measure("techx, in process", &queries, &|| {
            Box::new(Techx(&harness)) as Box<dyn Session + '_>
        }));
        let mut loads = vec![format!("techx {:.1} s", techx_build.as_secs_f64())];
        let pg = pg_reachable.then_some(pg_url.as_str());
        rivals(
            pg,
            &docs,
            &queries,
            &scratch.path().join("fts-beir.sqlite3"),
            &mut figures,
            &mut loads,
        );
        let ndcg = |f: &Figures| {
            let rankings: HashMap<String, Vec<String>> = dataset
                .queries
                .iter()
                .enumerate()
                .map(|(i, (id, _))| (id.clone(), f.rankings.get(&i).cloned().unwrap_or_default()))
                .collect();
            techx_search::eval::report(&dataset, &rankings).ndcg
        };
        table(
            &format!(
                "{}: {} documents, {} queries, {TOP} hits (indexing: {})",
                dir.display(),
                dataset.corpus.len(),
                queries.len(),
                loads.join(", ")
            ),
            &figures,
            Some(&ndcg),
        );
    } else {
        println!("no xquad-vi-distract set (COMPARE_BEIR): the labelled comparison is left out");
    }

    // 2. The synthetic catalogue.
    let listing_count = env_size("BENCH_LISTINGS", 100_000);
    let request_count = env_size("BENCH_REQUESTS", 20_000);
    let url = format!(
        "sqlite://{}",
        scratch.path().join("catalogue.sqlite3").display()
    );
    let db = Db::open(&url, PoolOptions { max_size: 8 }).unwrap();
    db.run(techx_db::run_migrations).await.unwrap();
    let accounts = Accounts::new(db.clone(), &[7u8; 32], AccountsSettings::default()).unwrap();
    let listings = Listings::new(db.clone());
    let requests = Requests::new(db.clone());
    synthetic::seed_catalogue(
        &db,
        &accounts,
        &listings,
        &requests,
        listing_count,
        request_count,
    )
    .await;
    let index_dir = tempfile::tempdir().unwrap();
    let (index, _) = SearchIndex::open(index_dir.path()).unwrap();
    let indexer = Indexer::new(Arc::new(index), db.clone());
    let started = Instant::now();
    indexer.rebuild(|_| {}).await.unwrap();
    let techx_build = started.elapsed();
    let docs: Vec<(String, String, String)> = db
        .run(|conn| {
            #[derive(QueryableByName)]
            struct Row {
                #[diesel(sql_type = Text)]
                id: String,
                #[diesel(sql_type = Text)]
                title: String,
                #[diesel(sql_type = Text)]
                body: String,
            }
            let rows: Vec<Row> = diesel::sql_query(
                "SELECT 'listing-' || id AS id, title, summary || ' ' || coalesce(details, '') AS body \
                 FROM listings WHERE status = 'published' UNION ALL \
                 SELECT 'request-' || id AS id, title, problem || ' ' || coalesce(requirements, '') AS body \
                 FROM requests WHERE status = 'published'",
            )
            .load(conn)
            .map_err(techx_db::DbError::from)?;
            Ok::<_, techx_db::DbError>(rows.into_iter().map(|r| (r.id, r.title, r.body)).collect())
        })
        .await
        .unwrap();
    let queries = synthetic::query_texts(&vocabulary());
    let index = indexer.index.clone();
    let mut figures = vec![measure("techx, in process", &queries, &|| {
        Box::new(TechxIndex(index.clone())) as Box<dyn Session>
    })];
    let (address, handle) = synthetic::serve(&db, &accounts, &listings, &requests, &indexer);
    let http_queries = queries.clone();
    let http = actix_web::rt::task::spawn_blocking(move || {
        measure(
            "techx over HTTP (`/api/v1/search`, anonymous, keep-alive)",
            &http_queries,
            &|| Box::new(Http(Connection::open(&address))) as Box<dyn Session>,
        )
    })
    .await
    .unwrap();
    handle.stop(true).await;
    figures.push(http);
    let mut loads = vec![format!("techx rebuild {:.1} s", techx_build.as_secs_f64())];
    let pg = pg_reachable.then_some(pg_url.as_str());
    rivals(
        pg,
        &docs,
        &queries,
        &scratch.path().join("fts-catalogue.sqlite3"),
        &mut figures,
        &mut loads,
    );
    table(
        &format!(
            "Synthetic catalogue: {} records ({listing_count} listings + {request_count} requests), {} queries, {TOP} hits (indexing: {})",
            docs.len(),
            queries.len(),
            loads.join(", ")
        ),
        &figures,
        None,
    );
    if pg_reachable {
        pg_drop(&pg_url);
    }
}
