//! The connection pool. The manager picks the backend from the URL scheme, refuses unknown
//! schemes, fails fast with the real cause, and prepares every SQLite connection.

use crate::{DbConn, DbError};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, SqliteConnection};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// How long to wait for a connection before giving up with the real cause.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Which database engine a pool talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}

/// A parsed database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbTarget {
    /// A libpq URL, with `connect_timeout` added when absent.
    Postgres(String),
    /// A SQLite database file.
    Sqlite(PathBuf),
}

impl DbTarget {
    /// `postgres://…` or `postgresql://…`, `sqlite://PATH`, `sqlite:PATH`, or a plain file path.
    /// Any other scheme (`mysql://…`) is refused.
    pub fn parse(url: &str) -> Result<DbTarget, DbError> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DbTarget::Postgres(with_connect_timeout(url)));
        }
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(DbError::Setup("sqlite url has no file path".into()));
            }
            return Ok(DbTarget::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = url.split_once(':') {
            // A Windows drive letter (`C:\…`) is a path, anything else with a scheme is not.
            let is_drive = scheme.len() == 1 && scheme.chars().all(|c| c.is_ascii_alphabetic());
            if !is_drive {
                return Err(DbError::UnsupportedScheme(scheme.to_owned()));
            }
        }
        if url.is_empty() {
            return Err(DbError::Setup("database url is empty".into()));
        }
        Ok(DbTarget::Sqlite(PathBuf::from(url)))
    }

    pub fn backend(&self) -> Backend {
        match self {
            DbTarget::Postgres(_) => Backend::Postgres,
            DbTarget::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// A description safe for logs: no password.
    pub fn redacted(&self) -> String {
        match self {
            DbTarget::Sqlite(path) => format!("sqlite://{}", path.display()),
            DbTarget::Postgres(url) => match (url.find("://"), url.rfind('@')) {
                (Some(scheme_end), Some(at)) if at > scheme_end => {
                    let credentials = &url[scheme_end + 3..at];
                    let user = credentials.split(':').next().unwrap_or_default();
                    format!("{}{}@{}", &url[..scheme_end + 3], user, &url[at + 1..])
                }
                _ => url.clone(),
            },
        }
    }

    fn connect(&self) -> Result<DbConn, DbError> {
        match self {
            DbTarget::Postgres(url) => Ok(DbConn::Postgres(PgConnection::establish(url)?)),
            DbTarget::Sqlite(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(|error| {
                        DbError::Setup(format!("cannot create {}: {error}", parent.display()))
                    })?;
                }
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
                conn.batch_execute(
                    "PRAGMA busy_timeout = 5000;
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA foreign_keys = ON;",
                )
                .map_err(|error| DbError::Setup(format!("cannot set sqlite pragmas: {error}")))?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

fn with_connect_timeout(url: &str) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!(
        "{url}{separator}connect_timeout={}",
        CONNECT_TIMEOUT.as_secs()
    )
}

/// r2d2 manager for [`DbConn`].
#[derive(Debug)]
pub struct ConnectionManager {
    target: DbTarget,
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = DbError;

    fn connect(&self) -> Result<DbConn, DbError> {
        self.target.connect()
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), DbError> {
        conn.batch_execute("SELECT 1").map_err(DbError::Query)
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
}

/// Pool settings.
#[derive(Debug, Clone, Copy)]
pub struct PoolOptions {
    /// Connections kept open at most.
    pub max_size: u32,
}

impl Default for PoolOptions {
    fn default() -> Self {
        // About four per core: more only adds queueing inside PostgreSQL (docs/operations.md).
        PoolOptions { max_size: 8 }
    }
}

/// The database handle shared by the whole process. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<ConnectionManager>,
    backend: Backend,
    /// SQLite allows one writer; writers in this process queue here rather than fail with
    /// `SQLITE_BUSY` when two deferred transactions both try to upgrade to a write. The queue
    /// is fair (first come, first served), so a writer waiting behind a long series of short
    /// transactions (an import) gets its turn after the current one.
    sqlite_writer: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("backend", &self.backend)
            .finish()
    }
}

impl Db {
    /// Open a pool. The first connection is made directly so that an unreachable database
    /// fails within [`CONNECT_TIMEOUT`] with its real cause rather than a pool time-out.
    pub fn connect(target: &DbTarget, options: PoolOptions) -> Result<Db, DbError> {
        let first = target.connect()?;
        drop(first);
        let pool = r2d2::Pool::builder()
            .max_size(options.max_size.max(1))
            .min_idle(Some(1))
            .connection_timeout(CONNECT_TIMEOUT)
            .error_handler(Box::new(LogErrors))
            .build(ConnectionManager {
                target: target.clone(),
            })?;
        Ok(Db {
            pool,
            backend: target.backend(),
            sqlite_writer: Arc::new(tokio::sync::Mutex::new(())),
        })
    }

    /// Parse `url` and open a pool.
    pub fn open(url: &str, options: PoolOptions) -> Result<Db, DbError> {
        Db::connect(&DbTarget::parse(url)?, options)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Run database work on the blocking pool with a pooled connection.
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(DbError::from)?;
            work(&mut conn)
        })
        .await
        .map_err(|error| E::from(DbError::Task(error.to_string())))?
    }

    /// Run `work` in one transaction on the blocking pool: all of it commits or none of it.
    pub async fn write<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + From<diesel::result::Error> + Send + 'static,
    {
        let writer = (self.backend == Backend::Sqlite).then(|| self.sqlite_writer.clone());
        self.run(move |conn| {
            // On the blocking pool, never on an async worker: waiting here blocks this thread only.
            let _guard = writer.as_ref().map(|lock| lock.blocking_lock());
            conn.transaction(work)
        })
        .await
    }

    /// Refresh the query planner's statistics: without them SQLite cannot tell a selective index
    /// from a useless one. Run after bulk loads and periodically (the server does it hourly).
    pub async fn optimize(&self) -> Result<(), DbError> {
        let statement = match self.backend {
            Backend::Sqlite => "PRAGMA optimize=0x10002",
            Backend::Postgres => "ANALYZE",
        };
        self.run(move |conn| conn.batch_execute(statement).map_err(DbError::Query))
            .await
    }

    /// A connection for synchronous callers (CLI commands, tests); not for async workers.
    pub fn get(&self) -> Result<r2d2::PooledConnection<ConnectionManager>, DbError> {
        Ok(self.pool.get()?)
    }
}

#[derive(Debug)]
struct LogErrors;

impl r2d2::HandleError<DbError> for LogErrors {
    fn handle_error(&self, error: DbError) {
        tracing::error!(%error, "database connection failed");
    }
}

/// The default database file inside the data directory.
pub fn default_sqlite_path(data_dir: &Path) -> PathBuf {
    data_dir.join("techx.sqlite3")
}

/// Run CPU-heavy work (password hashing) on the blocking pool, without holding a connection.
pub async fn blocking<T, E, F>(work: F) -> Result<T, E>
where
    F: FnOnce() -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| E::from(DbError::Task(error.to_string())))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_picks_the_backend() {
        assert_eq!(
            DbTarget::parse("sqlite://data/x.db").unwrap(),
            DbTarget::Sqlite("data/x.db".into())
        );
        assert_eq!(
            DbTarget::parse("./x.db").unwrap(),
            DbTarget::Sqlite("./x.db".into())
        );
        assert_eq!(
            DbTarget::parse("/tmp/x.db").unwrap().backend(),
            Backend::Sqlite
        );
        assert_eq!(
            DbTarget::parse("postgres://u@h/db").unwrap(),
            DbTarget::Postgres("postgres://u@h/db?connect_timeout=5".into())
        );
        assert_eq!(
            DbTarget::parse("postgresql://u@h/db?sslmode=disable").unwrap(),
            DbTarget::Postgres("postgresql://u@h/db?sslmode=disable&connect_timeout=5".into())
        );
    }

    #[test]
    fn unknown_schemes_are_refused_by_name() {
        let error = DbTarget::parse("mysql://x").unwrap_err();
        assert!(matches!(error, DbError::UnsupportedScheme(ref s) if s == "mysql"));
        assert!(error.to_string().contains("mysql"));
    }

    #[test]
    fn redaction_hides_the_password() {
        let target = DbTarget::parse("postgres://app:s3cret@db:5432/techx").unwrap();
        let shown = target.redacted();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.starts_with("postgres://app@db:5432/techx"), "{shown}");
    }

    #[test]
    fn an_unreachable_postgres_fails_fast_with_the_real_cause() {
        // Port 1 on loopback refuses at once; the error must say why, not "timed out".
        let started = std::time::Instant::now();
        let error = Db::open(
            "postgres://postgres@127.0.0.1:1/test",
            PoolOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(error, DbError::Connect(_)), "{error}");
        assert!(started.elapsed() < Duration::from_secs(6));
    }

    #[test]
    fn sqlite_connections_get_the_pragmas() {
        use diesel::prelude::*;
        use diesel::sql_types::{BigInt, Text};
        #[derive(QueryableByName)]
        struct Mode {
            #[diesel(sql_type = Text)]
            journal_mode: String,
        }
        #[derive(QueryableByName)]
        struct Keys {
            #[diesel(sql_type = BigInt)]
            foreign_keys: i64,
        }
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(
            &dir.path().join("t.db").to_string_lossy(),
            PoolOptions::default(),
        )
        .unwrap();
        let mut conn = db.get().unwrap();
        let DbConn::Sqlite(sqlite) = &mut *conn else {
            panic!("expected sqlite")
        };
        let mode: Mode = diesel::sql_query("PRAGMA journal_mode")
            .get_result(sqlite)
            .unwrap();
        assert_eq!(mode.journal_mode, "wal");
        let keys: Keys = diesel::sql_query("PRAGMA foreign_keys")
            .get_result(sqlite)
            .unwrap();
        assert_eq!(keys.foreign_keys, 1);
    }
}
