//! Import batches: the bookkeeping of an import whose rows are written in several short
//! transactions and made visible together by the last one (see the catalogue engine).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use techx_db::DbConn;
use techx_db::schema::{imports, record_history};

/// Open a batch of `rows` rows of `entity` for `organization`; its id.
pub fn open(
    conn: &mut DbConn,
    entity: &str,
    organization: i64,
    rows: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(imports::table)
        .values((
            imports::entity.eq(entity),
            imports::organization_id.eq(organization),
            imports::rows_expected.eq(rows),
            imports::created_at.eq(now),
            imports::updated_at.eq(now),
        ))
        .returning(imports::id)
        .get_result(conn)
}

/// Record that the batch is still loading.
pub fn touch(conn: &mut DbConn, batch: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(imports::table.find(batch))
        .set(imports::updated_at.eq(now))
        .execute(conn)
}

/// Forget a finished or discarded batch.
pub fn close(conn: &mut DbConn, batch: i64) -> QueryResult<usize> {
    diesel::delete(imports::table.find(batch)).execute(conn)
}

/// Batches of `entity` that have not loaded anything since `before`: their loading stopped.
pub fn abandoned(conn: &mut DbConn, entity: &str, before: NaiveDateTime) -> QueryResult<Vec<i64>> {
    imports::table
        .filter(imports::entity.eq(entity))
        .filter(imports::updated_at.lt(before))
        .select(imports::id)
        .load(conn)
}

/// Delete the history of records that are being discarded with their batch.
pub fn forget_history(conn: &mut DbConn, entity: &str, ids: &[i64]) -> QueryResult<usize> {
    diesel::delete(
        record_history::table
            .filter(record_history::entity.eq(entity))
            .filter(record_history::entity_id.eq_any(ids)),
    )
    .execute(conn)
}
