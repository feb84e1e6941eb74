//! The `techx` binary: command line, configuration and wiring. No business rules live here.

mod demo;
mod eval_matching;
mod jobs;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use techx_accounts::secret::{self, SecretSource};
use techx_accounts::{Accounts, AccountsSettings, Actor};
use techx_api::auth::TrustedProxies;
use techx_api::{AppState, Metrics};
use techx_catalogue::Progress;
use techx_catalogue::records::RecordError;
use techx_core::OrganizationId;
use techx_db::{Db, DbTarget, PoolOptions};
use techx_listings::Listings;
use techx_requests::Requests;
use techx_search::index::SearchIndex;
use techx_search::indexer::Indexer;

/// techx: the technology exchange (Sàn giao dịch công nghệ) of Thanh Hóa province.
#[derive(Debug, Parser)]
#[command(name = "techx", version, about, long_about = None)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct CommonArgs {
    /// Database: `postgres://…`, `sqlite://PATH` or a file path. Default: an SQLite file in the
    /// data directory.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    database_url: Option<String>,

    /// Directory for the SQLite database, the search index and the generated JWT secret.
    #[arg(long, env = "TECHX_DATA_DIR", default_value = "./data", global = true)]
    data_dir: PathBuf,

    /// Database connections kept in the pool.
    #[arg(long, env = "TECHX_POOL_SIZE", default_value_t = 8, global = true)]
    pool_size: u32,

    /// Log format: human-readable `text`, or `json` lines for log collectors. Levels follow
    /// RUST_LOG (default `info`).
    #[arg(long, env = "TECHX_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,

    /// Where the optional multilingual embedding model is looked for (`scripts/fetch-model`
    /// puts it there). With it, records get vectors and a query finds records written in
    /// another language by meaning; without it, search is lexical only.
    #[arg(long, env = "TECHX_MODEL_DIR", default_value = "models", global = true)]
    model_dir: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Migrate the database and serve the API.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Administration.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Import listings or requests from a CSV or JSON Lines file, as drafts, all or nothing.
    Import(ImportArgs),
    /// Export listings or requests as CSV or JSON Lines.
    Export(ExportArgs),
    /// Load the demo dataset into an empty database.
    Demo,
    /// Rebuild the search index from the database.
    Reindex,
    /// Measure quality.
    #[command(subcommand)]
    Eval(EvalCommand),
}

#[derive(Debug, Subcommand)]
enum EvalCommand {
    /// Search relevance on a BEIR-layout set: nDCG@10, recall@10, MRR@10.
    Search(EvalSearchArgs),
    /// Matching quality on a labelled set of offers and needs: nDCG@10 and recall@10 of the
    /// engine, of text relevance alone, and with each score component left out or alone.
    Matching(EvalMatchingArgs),
}

#[derive(Debug, Args)]
struct EvalMatchingArgs {
    /// Directory with offers.jsonl, needs.jsonl and judgements.tsv (docs/relevance.md).
    #[arg(long)]
    dir: PathBuf,
    /// Override a weight of the engine, e.g. `--weight field=0.3` (repeatable); the weights are
    /// scaled to sum to 1.
    #[arg(long, value_name = "COMPONENT=WEIGHT")]
    weight: Vec<String>,
    /// Only the baseline, text relevance alone and the engine, not every component variant.
    #[arg(long)]
    brief: bool,
    /// What a candidate's score is multiplied by per hard constraint it breaks (default: the
    /// engine's).
    #[arg(long)]
    violation_factor: Option<f64>,
    /// Leave the embedding model (--model-dir) out even when it is there.
    #[arg(long)]
    no_model: bool,
}

#[derive(Debug, Args)]
struct EvalSearchArgs {
    /// Directory with corpus.jsonl, queries.jsonl and qrels.tsv.
    #[arg(long)]
    beir: PathBuf,
    /// Strip diacritics from the queries (users typing Vietnamese without them).
    #[arg(long)]
    fold_queries: bool,
    /// Weight of accented-syllable matches. Setting any weight fixes all four (unset ones take
    /// the Vietnamese defaults); without, each query gets the profile of its language, as in
    /// the API.
    #[arg(long)]
    exact: Option<f32>,
    /// Weight of matches without diacritics.
    #[arg(long)]
    folded: Option<f32>,
    /// Weight of adjacent-syllable pair matches.
    #[arg(long)]
    pairs: Option<f32>,
    /// Weight of English stem matches.
    #[arg(long)]
    english: Option<f32>,
    /// How much a title match counts against a body match.
    #[arg(long, default_value_t = techx_search::eval::Options::default().title_boost)]
    title_boost: f32,
    /// Pseudo-relevance feedback: learn from this many first-round hits (0: off). Default: the
    /// query profile's (English queries learn from their best English hits).
    #[arg(long)]
    feedback_docs: Option<usize>,
    /// Pseudo-relevance feedback: expansion terms added.
    #[arg(long, default_value_t = techx_search::query::ENGLISH_FEEDBACK.terms)]
    feedback_terms: usize,
    /// Pseudo-relevance feedback: weight of the strongest expansion term.
    #[arg(long, default_value_t = techx_search::query::ENGLISH_FEEDBACK.weight)]
    feedback_weight: f32,
    /// Saturation of a word's pooled frequency across fields (BM25F's k1); default: the
    /// profile's.
    #[arg(long)]
    k1: Option<f32>,
    /// Length normalisation of every field (BM25F's b), with --k1.
    #[arg(long)]
    b: Option<f32>,
    /// Report the lexical ranking only, even when the model (--model-dir) is there.
    #[arg(long)]
    no_model: bool,
    /// Hybrid: the cosine under which a document is not near a query (default: the API's).
    #[arg(long, default_value_t = techx_embed::MIN_SIMILARITY)]
    min_similarity: f32,
    /// Hybrid: how many standard deviations above the query's mean similarity a near document
    /// must stand (default: the API's).
    #[arg(long, default_value_t = techx_embed::MIN_Z)]
    min_z: f32,
    /// Hybrid: reciprocal rank fusion's constant.
    #[arg(long, default_value_t = techx_search::hybrid::Fusion::default().k)]
    rrf_k: f64,
    /// Hybrid: the dense ranking's weight for documents in another language than the query
    /// (several, comma-separated, for a sweep).
    #[arg(long, value_delimiter = ',', default_values_t = [techx_search::hybrid::Fusion::default().dense])]
    dense_weight: Vec<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RecordSet {
    Listings,
    Requests,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FileFormat {
    Csv,
    Jsonl,
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// What the file holds.
    #[arg(value_enum)]
    what: RecordSet,
    /// The file: CSV with a header row (UTF-8, list cells separated by `;`), or JSON Lines.
    file: PathBuf,
    /// The organization the records belong to.
    #[arg(long = "org")]
    organization_id: i64,
    /// File format; guessed from the extension (`.jsonl`, `.ndjson`, else CSV) when absent.
    #[arg(long, value_enum)]
    format: Option<FileFormat>,
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// What to export.
    #[arg(value_enum)]
    what: RecordSet,
    /// File format.
    #[arg(long, value_enum, default_value_t = FileFormat::Csv)]
    format: FileFormat,
    /// Write here instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Export every record in every tier (an operator's backup). Without it, the export is
    /// what an anonymous visitor sees: published records, public tier.
    #[arg(long)]
    all_tiers: bool,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "TECHX_BIND", default_value = "127.0.0.1:8080")]
    bind: String,

    /// Secret that signs access tokens (at least 32 bytes). When unset, one is generated once
    /// and kept in DATA_DIR/jwt_secret (mode 0600).
    #[arg(long, env = "TECHX_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,

    /// Reverse proxies whose `X-Forwarded-For`/`Forwarded` headers are believed: addresses or
    /// networks, comma-separated (`10.0.0.0/8,127.0.0.1`). The client is the nearest address
    /// those proxies did not add. Default: none (the client is the socket peer).
    #[arg(long, env = "TECHX_TRUSTED_PROXIES", default_value = "", value_parser = parse_proxies)]
    trusted_proxies: TrustedProxies,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "TECHX_WORKERS")]
    workers: Option<usize>,

    /// Load the demo dataset first when the database is empty.
    #[arg(long, env = "TECHX_DEMO", default_value_t = false)]
    demo: bool,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create an admin account (bootstraps the first admin). Reads the password from stdin.
    Create {
        /// The admin's email.
        #[arg(long)]
        email: String,
        /// The admin's full name.
        #[arg(long, default_value = "Quản trị sàn")]
        full_name: String,
        /// Read the password from standard input (required: passwords never go in arguments).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

fn parse_proxies(list: &str) -> Result<TrustedProxies, String> {
    TrustedProxies::parse(list)
}

fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Text => builder.init(),
    }
}

/// The database target: refused before anything is created when the scheme is unknown.
fn database_target(common: &CommonArgs) -> anyhow::Result<DbTarget> {
    match &common.database_url {
        Some(url) if !url.trim().is_empty() => Ok(DbTarget::parse(url)?),
        _ => Ok(DbTarget::Sqlite(techx_db::default_sqlite_path(
            &common.data_dir,
        ))),
    }
}

async fn open_database(common: &CommonArgs) -> anyhow::Result<Db> {
    let target = database_target(common)?;
    let description = target.redacted();
    let options = PoolOptions {
        max_size: common.pool_size,
    };
    let db = tokio::task::spawn_blocking(move || Db::connect(&target, options))
        .await?
        .with_context(|| format!("cannot open the database at {description}"))?;
    tracing::info!(database = %description, "database opened");
    Ok(db)
}

async fn migrate(db: &Db) -> anyhow::Result<()> {
    let applied = db.run(techx_db::run_migrations).await?;
    for name in &applied {
        tracing::info!(migration = %name, "migration applied");
    }
    Ok(())
}

fn ensure_data_dir(path: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(path)
        .with_context(|| format!("cannot create the data directory {}", path.display()))
}

async fn serve(common: CommonArgs, args: ServeArgs) -> anyhow::Result<()> {
    database_target(&common)?;
    ensure_data_dir(&common.data_dir)?;
    let db = open_database(&common).await?;
    migrate(&db).await?;
    let (jwt_secret, source) =
        secret::load_or_create(args.jwt_secret.as_deref(), &common.data_dir)?;
    match source {
        SecretSource::Environment => {}
        SecretSource::File(path) | SecretSource::Generated(path) => tracing::warn!(
            path = %path.display(),
            "TECHX_JWT_SECRET is not set: signing tokens with the secret kept in the data directory; \
             set TECHX_JWT_SECRET in production and when running several servers"
        ),
    }
    let accounts = Accounts::new(db.clone(), &jwt_secret, AccountsSettings::default())?;
    let listings = Listings::new(db.clone());
    let requests = Requests::new(db.clone());
    // An import the process died in is invisible; its rows are removed here.
    listings.discard_abandoned_imports().await?;
    requests.discard_abandoned_imports().await?;
    if args.demo {
        demo::load_if_empty(&db, &accounts, &listings, &requests).await?;
    }
    jobs::spawn_expiry_sweep(db.clone(), listings.clone(), requests.clone());
    let (indexer, rebuilt) = jobs::open_search(&common.data_dir, &common.model_dir, &db)?;
    jobs::start_indexer(indexer.clone(), rebuilt).await?;
    let state = AppState {
        search: Some(indexer),
        listings,
        requests,
        brokerage: techx_brokerage::Brokerage::new(db.clone()),
        db,
        accounts,
        metrics: Metrics::new()?,
        trusted_proxies: args.trusted_proxies,
    };
    jobs::spawn_alert_sweep(state.clone());
    let mut server = actix_web::HttpServer::new(move || techx_api::build_app(state.clone()))
        .shutdown_timeout(30);
    if let Some(workers) = args.workers {
        server = server.workers(workers.max(1));
    }
    let server = server
        .bind(&args.bind)
        .with_context(|| format!("cannot listen on {}", args.bind))?;
    for address in server.addrs() {
        tracing::info!(%address, "serving the API; docs at http://{address}/docs/");
    }
    // actix-web stops on SIGINT and SIGTERM, finishing in-flight requests (up to 30 s).
    server.run().await?;
    tracing::info!("server stopped");
    Ok(())
}

/// A record error as a readable command-line error, listing every field problem.
fn record_error(error: RecordError) -> anyhow::Error {
    match error {
        RecordError::Invalid(details) => anyhow::anyhow!(
            "{} problem(s):\n{}",
            details.len(),
            details
                .iter()
                .map(|d| format!("  {}: {}", d.field, d.message))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        other => other.into(),
    }
}

async fn open_migrated(common: &CommonArgs) -> anyhow::Result<Db> {
    database_target(common)?;
    ensure_data_dir(&common.data_dir)?;
    let db = open_database(common).await?;
    migrate(&db).await?;
    Ok(db)
}

async fn import(common: &CommonArgs, args: ImportArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {} as UTF-8 text", args.file.display()))?;
    let extension = args
        .file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    let format = args
        .format
        .unwrap_or(if matches!(extension, "jsonl" | "ndjson") {
            FileFormat::Jsonl
        } else {
            FileFormat::Csv
        });
    let db = open_migrated(common).await?;
    let actor = Actor::system();
    let organization = OrganizationId(args.organization_id);
    let file_error = |e: techx_core::FieldError| anyhow::anyhow!("{}: {}", e.field, e.message);
    let bar = |rows: usize| {
        let bar = indicatif::ProgressBar::new(rows as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg} [{bar:40}] {pos}/{len} rows ({elapsed}, {eta} left)",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(format!("importing {}", args.file.display()));
        bar
    };
    let (report, bar) = match args.what {
        RecordSet::Listings => {
            let rows = match format {
                FileFormat::Csv => techx_listings::transfer::read_csv(&text).map_err(file_error)?,
                FileFormat::Jsonl => techx_listings::transfer::read_jsonl(&text),
            };
            let bar = bar(rows.len());
            let tick = bar.clone();
            let progress: Progress = Box::new(move |done| tick.set_position(done as u64));
            let report = Listings::new(db)
                .import_with_progress(&actor, organization, rows, Some(progress))
                .await;
            (report, bar)
        }
        RecordSet::Requests => {
            let rows = match format {
                FileFormat::Csv => techx_requests::transfer::read_csv(&text).map_err(file_error)?,
                FileFormat::Jsonl => techx_requests::transfer::read_jsonl(&text),
            };
            let bar = bar(rows.len());
            let tick = bar.clone();
            let progress: Progress = Box::new(move |done| tick.set_position(done as u64));
            let report = Requests::new(db)
                .import_with_progress(&actor, organization, rows, Some(progress))
                .await;
            (report, bar)
        }
    };
    match &report {
        Ok(_) => bar.finish(),
        Err(_) => bar.abandon_with_message("nothing imported"),
    }
    let report = report.map_err(record_error)?;
    println!("imported {} records as drafts", report.imported);
    Ok(())
}

async fn export(common: &CommonArgs, args: ExportArgs) -> anyhow::Result<()> {
    let db = open_migrated(common).await?;
    let system = Actor::system();
    let actor = args.all_tiers.then_some(&system);
    let text = match args.what {
        RecordSet::Listings => {
            let views = Listings::new(db)
                .export(actor, Default::default())
                .await
                .map_err(record_error)?;
            match args.format {
                FileFormat::Csv => techx_listings::transfer::write_csv(&views)?,
                FileFormat::Jsonl => techx_listings::transfer::write_jsonl(&views)?,
            }
        }
        RecordSet::Requests => {
            let views = Requests::new(db)
                .export(actor, Default::default())
                .await
                .map_err(record_error)?;
            match args.format {
                FileFormat::Csv => techx_requests::transfer::write_csv(&views)?,
                FileFormat::Jsonl => techx_requests::transfer::write_jsonl(&views)?,
            }
        }
    };
    match args.out {
        Some(path) => std::fs::write(&path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => print!("{text}"),
    }
    Ok(())
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(cli.common, args).await,
        Command::Migrate => {
            database_target(&cli.common)?;
            ensure_data_dir(&cli.common.data_dir)?;
            let db = open_database(&cli.common).await?;
            migrate(&db).await
        }
        Command::Import(args) => import(&cli.common, args).await,
        Command::Export(args) => export(&cli.common, args).await,
        Command::Demo => {
            let db = open_migrated(&cli.common).await?;
            let accounts = Accounts::new(db.clone(), &[0u8; 32], AccountsSettings::default())?;
            let loaded = demo::load_if_empty(
                &db,
                &accounts,
                &Listings::new(db.clone()),
                &Requests::new(db.clone()),
            )
            .await?;
            if !loaded {
                println!("the database is not empty: demo data not loaded");
            }
            Ok(())
        }
        Command::Reindex => {
            let db = open_migrated(&cli.common).await?;
            let (indexer, _) = jobs::open_search(&cli.common.data_dir, &cli.common.model_dir, &db)?;
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_message("indexing published listings and requests");
            let tick = bar.clone();
            let count = indexer
                .rebuild(move |done| tick.set_position(done as u64))
                .await?;
            bar.finish_and_clear();
            println!("search index rebuilt: {count} published records");
            Ok(())
        }
        Command::Eval(EvalCommand::Search(args)) => {
            let dataset = techx_search::eval::Dataset::load(&args.beir)?;
            let options = techx_search::eval::Options {
                weights: [args.exact, args.folded, args.pairs, args.english]
                    .iter()
                    .any(Option::is_some)
                    .then(|| {
                        let default = techx_search::query::Weights::default();
                        techx_search::query::Weights {
                            exact: args.exact.unwrap_or(default.exact),
                            folded: args.folded.unwrap_or(default.folded),
                            pairs: args.pairs.unwrap_or(default.pairs),
                            english: args.english.unwrap_or(default.english),
                        }
                    }),
                title_boost: args.title_boost,
                fold_queries: args.fold_queries,
                feedback: args
                    .feedback_docs
                    .map(|documents| techx_search::query::Feedback {
                        documents,
                        terms: args.feedback_terms,
                        weight: args.feedback_weight,
                    }),
                saturation: (args.k1.is_some() || args.b.is_some()).then(|| {
                    let default = techx_search::bm25f::Saturation::default();
                    techx_search::bm25f::Saturation {
                        k1: args.k1.unwrap_or(default.k1),
                        b: args.b.unwrap_or(default.b),
                    }
                }),
            };
            let started = std::time::Instant::now();
            let model = if args.no_model {
                None
            } else {
                techx_embed::Model::find(&cli.common.model_dir)?
            };
            let depth = if model.is_some() {
                techx_search::hybrid::DEPTH
            } else {
                techx_search::eval::K
            };
            let lexical = techx_search::eval::rankings(&dataset, options, depth)?;
            let report = techx_search::eval::report(&dataset, &lexical);
            println!(
                "{}: {} documents, {} queries{}: nDCG@10 {:.4}  recall@10 {:.4}  MRR@10 {:.4}  ({:.1} s)",
                args.beir.display(),
                dataset.corpus.len(),
                report.queries,
                if args.fold_queries {
                    " (diacritics stripped)"
                } else {
                    ""
                },
                report.ndcg,
                report.recall,
                report.mrr,
                started.elapsed().as_secs_f64()
            );
            if let Some(model) = model {
                let started = std::time::Instant::now();
                let vectors = techx_search::eval::document_vectors(&dataset, &model)?;
                let dense = techx_search::eval::dense_rankings(
                    &dataset,
                    &model,
                    &vectors,
                    options,
                    depth,
                    techx_embed::Nearness {
                        min_similarity: args.min_similarity,
                        min_z: args.min_z,
                    },
                )?;
                println!(
                    "  (embedded {} documents and {} queries in {:.1} s)",
                    dataset.corpus.len(),
                    dataset.queries.len(),
                    started.elapsed().as_secs_f64()
                );
                let mut runs = vec![("dense (model alone)".to_owned(), dense.clone())];
                for weight in &args.dense_weight {
                    let fusion = techx_search::hybrid::Fusion {
                        k: args.rrf_k,
                        dense: *weight,
                        ..techx_search::hybrid::Fusion::default()
                    };
                    let everywhere = techx_search::hybrid::Fusion {
                        same_language: fusion.dense,
                        ..fusion
                    };
                    runs.push((
                        format!("hybrid, dense {weight} where languages differ"),
                        techx_search::eval::fused_rankings(
                            &dataset, &lexical, &dense, options, fusion,
                        ),
                    ));
                    runs.push((
                        format!("hybrid, dense {weight} everywhere"),
                        techx_search::eval::fused_rankings(
                            &dataset, &lexical, &dense, options, everywhere,
                        ),
                    ));
                }
                for (name, rankings) in runs {
                    let report = techx_search::eval::report(&dataset, &rankings);
                    println!(
                        "  {name:<50} nDCG@10 {:.4}  recall@10 {:.4}  MRR@10 {:.4}",
                        report.ndcg, report.recall, report.mrr
                    );
                }
            }
            Ok(())
        }
        Command::Eval(EvalCommand::Matching(args)) => {
            let mut engine = techx_matching::Config::default();
            if let Some(factor) = args.violation_factor {
                engine.violation_factor = factor;
            }
            for setting in &args.weight {
                let (name, value) = setting
                    .split_once('=')
                    .with_context(|| format!("--weight {setting}: expected COMPONENT=WEIGHT"))?;
                let component = techx_matching::Component::parse(name.trim())
                    .with_context(|| format!("--weight {setting}: unknown component {name}"))?;
                let value: f64 = value
                    .trim()
                    .parse()
                    .with_context(|| format!("--weight {setting}: not a number"))?;
                engine.weights.set(component, value);
            }
            let started = std::time::Instant::now();
            let model = if args.no_model {
                None
            } else {
                techx_embed::Model::find(&cli.common.model_dir)?
            };
            let loaded = eval_matching::load(&args.dir, model).await?;
            println!(
                "{}: {} offers, {} needs (loaded in {:.1} s)",
                args.dir.display(),
                loaded.offers(),
                loaded.needs(),
                started.elapsed().as_secs_f64()
            );
            let mut variants = eval_matching::variants(engine);
            if args.brief {
                variants.truncate(2);
            }
            let mut runs = vec![(
                "plain BM25 of the whole need".to_owned(),
                loaded.plain_bm25()?,
            )];
            let mut detailed = 3;
            if loaded.has_model() {
                // With the model first, in detail, beside the lexical ones.
                for (name, config) in variants.iter().take(2) {
                    runs.push((format!("{name}, with the model"), loaded.run(config, true)?));
                }
                detailed += 2;
            }
            for (name, config) in variants {
                runs.push((name, loaded.run(&config, false)?));
            }
            for (number, (name, report)) in runs.iter().enumerate() {
                println!(
                    "  {name:<40} nDCG@10 {:.4}  recall@10 {:.4}  solving@{} {:.4}  ({} needs)",
                    report.ndcg,
                    report.recall,
                    techx_matching::eval::CANDIDATE_DEPTH,
                    report.solving_recall_100,
                    report.needs
                );
                // The baseline, text alone and the engine (with and without the model), in
                // detail.
                if number < detailed {
                    let groups: Vec<String> = report
                        .groups
                        .iter()
                        .map(|(group, (needs, ndcg))| format!("{group} {ndcg:.4} ({needs})"))
                        .collect();
                    let grades: Vec<String> = report
                        .grades
                        .iter()
                        .map(|(grade, (offers, found))| {
                            format!("grade {grade} {found:.2} of {offers}")
                        })
                        .collect();
                    println!("      by group: {}", groups.join(", "));
                    println!("      found in the first 10: {}", grades.join(", "));
                }
            }
            Ok(())
        }
        Command::Openapi => {
            let document = techx_api::openapi();
            println!("{}", serde_json::to_string_pretty(&document)?);
            Ok(())
        }
        Command::Admin(AdminCommand::Create {
            email,
            full_name,
            password_stdin,
        }) => {
            if !password_stdin {
                bail!("pass --password-stdin and the password on standard input");
            }
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("cannot read the password from standard input")?;
            let password = password.trim_end_matches(['\n', '\r']).to_owned();
            database_target(&cli.common)?;
            ensure_data_dir(&cli.common.data_dir)?;
            let db = open_database(&cli.common).await?;
            migrate(&db).await?;
            // Signing keys are not needed to create an account; any valid secret will do here.
            let accounts = Accounts::new(db, &[0u8; 32], AccountsSettings::default())?;
            let user = accounts
                .create_admin(&email, &full_name, password)
                .await
                .map_err(|error| match error {
                    techx_accounts::AccountsError::Invalid(details) => anyhow::anyhow!(
                        "{}",
                        details
                            .iter()
                            .map(|d| d.message.as_str())
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                    other => other.into(),
                })?;
            println!("admin created: id {} <{}>", user.id, user.email);
            Ok(())
        }
    }
}

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logs(cli.common.log_format);
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "techx failed");
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
