//! Storage for techx: one diesel code base over PostgreSQL and SQLite.
//!
//! The backend is chosen from the URL scheme; every piece of database work goes through
//! [`Db::run`] (reads) or [`Db::write`] (one transaction) on the blocking pool, never on an
//! async worker.

pub mod changes;
mod conn;
mod error;
pub mod idempotency;
mod migrations;
mod pool;
pub mod schema;

pub use changes::{ChangeOp, record_change};
pub use conn::{DbConn, MultiBackend};
pub use error::DbError;
pub use migrations::{pending_migrations, run_migrations};
pub use pool::{
    Backend, CONNECT_TIMEOUT, Db, DbTarget, PoolOptions, blocking, default_sqlite_path,
};

/// Re-exported so domain crates use the same diesel.
pub use diesel;
