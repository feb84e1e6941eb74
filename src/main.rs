//! The `techx` binary: command line, configuration and wiring. No business rules live here.

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use techx_accounts::secret::{self, SecretSource};
use techx_accounts::{Accounts, AccountsSettings};
use techx_api::{AppState, Metrics};
use techx_db::{Db, DbTarget, PoolOptions};

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

    /// Trust `Forwarded`/`X-Forwarded-For` for the client address (only behind a reverse proxy).
    #[arg(long, env = "TECHX_TRUST_PROXY", default_value_t = false)]
    trust_proxy: bool,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "TECHX_WORKERS")]
    workers: Option<usize>,
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
    let state = AppState {
        db,
        accounts,
        metrics: Metrics::new()?,
        trust_proxy: args.trust_proxy,
    };
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

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(cli.common, args).await,
        Command::Migrate => {
            database_target(&cli.common)?;
            ensure_data_dir(&cli.common.data_dir)?;
            let db = open_database(&cli.common).await?;
            migrate(&db).await
        }
        Command::Openapi => {
            let document = techx_api::openapi();
            println!("{}", document.to_pretty_json()?);
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
