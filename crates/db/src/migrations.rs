//! Migrations, embedded per backend. Both folders hold the same migration names.

use crate::{DbConn, DbError};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// Apply every pending migration; returns the names applied.
pub fn run_migrations(conn: &mut DbConn) -> Result<Vec<String>, DbError> {
    let applied = match conn {
        DbConn::Postgres(pg) => pg.run_pending_migrations(POSTGRES),
        DbConn::Sqlite(sqlite) => sqlite.run_pending_migrations(SQLITE),
    }
    .map_err(|error| DbError::Migration(error.to_string()))?;
    Ok(applied
        .into_iter()
        .map(|version| version.to_string())
        .collect())
}

/// Names of migrations not yet applied (empty when the schema is current).
pub fn pending_migrations(conn: &mut DbConn) -> Result<Vec<String>, DbError> {
    let names = match conn {
        DbConn::Postgres(pg) => pg
            .pending_migrations(POSTGRES)
            .map(|pending| pending.iter().map(|m| m.name().to_string()).collect()),
        DbConn::Sqlite(sqlite) => sqlite
            .pending_migrations(SQLITE)
            .map(|pending| pending.iter().map(|m| m.name().to_string()).collect()),
    };
    names.map_err(|error| DbError::Migration(error.to_string()))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    fn migration_names(backend: &str) -> BTreeSet<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../migrations")
            .join(backend);
        std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap())
            .filter(|entry| entry.file_type().unwrap().is_dir())
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn both_backends_hold_the_same_migration_names() {
        let sqlite = migration_names("sqlite");
        let postgres = migration_names("postgres");
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, postgres);
    }

    #[test]
    fn every_migration_has_an_up_and_a_down_script() {
        for backend in ["sqlite", "postgres"] {
            for name in migration_names(backend) {
                let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../migrations")
                    .join(backend)
                    .join(&name);
                assert!(
                    dir.join("up.sql").is_file(),
                    "{backend}/{name} lacks up.sql"
                );
                assert!(
                    dir.join("down.sql").is_file(),
                    "{backend}/{name} lacks down.sql"
                );
            }
        }
    }
}
