//! The change log: one row per change to an entity, written in the same transaction as the
//! change, so a reader of the log (the search indexer) never sees a change that was rolled back
//! and never misses one that committed.

use crate::{DbConn, schema::change_log};
use diesel::prelude::*;

/// What happened to the entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeOp {
    Create,
    Update,
    Delete,
}

impl ChangeOp {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeOp::Create => "create",
            ChangeOp::Update => "update",
            ChangeOp::Delete => "delete",
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = change_log)]
struct NewChange<'a> {
    entity: &'a str,
    entity_id: i64,
    op: &'a str,
    actor_user_id: Option<i64>,
    changed_at: chrono::NaiveDateTime,
}

/// Append one change; call it inside the transaction that makes the change. Returns its `seq`.
pub fn record_change(
    conn: &mut DbConn,
    entity: &str,
    entity_id: i64,
    op: ChangeOp,
    actor_user_id: Option<i64>,
) -> QueryResult<i64> {
    diesel::insert_into(change_log::table)
        .values(NewChange {
            entity,
            entity_id,
            op: op.as_str(),
            actor_user_id,
            changed_at: techx_core::clock::now(),
        })
        .returning(change_log::seq)
        .get_result(conn)
}
