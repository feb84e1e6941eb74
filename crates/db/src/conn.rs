//! The connection type: PostgreSQL or SQLite behind one diesel `MultiConnection`.

/// A connection to either backend. SQLite comes last, as diesel's derive requires.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}
