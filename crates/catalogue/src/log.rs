//! Storage shared by listings and requests: the append-only history, the access log of the
//! confidential tier, access grants, and the expiry sweep's helpers.

use chrono::NaiveDateTime;
use diesel::prelude::*;
pub use techx_accounts::ActorRef;
use techx_db::DbConn;
use techx_db::schema::{access_grants, confidential_reads, record_history};

/// One history entry to append.
#[derive(Debug)]
pub struct HistoryEntry<'a> {
    pub entity: &'a str,
    pub entity_id: i64,
    /// `create`, `update`, or the lifecycle action (`submit`, `publish`, …, `expire`).
    pub action: &'a str,
    pub from_status: Option<&'a str>,
    pub to_status: Option<&'a str>,
    /// A JSON object `{field: {"from": …, "to": …}}`.
    pub changes: String,
    pub note: Option<&'a str>,
    pub actor: ActorRef,
    pub at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = record_history)]
struct NewHistory<'a> {
    entity: &'a str,
    entity_id: i64,
    action: &'a str,
    from_status: Option<&'a str>,
    to_status: Option<&'a str>,
    changes: &'a str,
    note: Option<&'a str>,
    actor_user_id: Option<i64>,
    actor_api_key_id: Option<i64>,
    at: NaiveDateTime,
}

/// A stored history entry.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = record_history)]
pub struct HistoryRow {
    pub id: i64,
    pub entity: String,
    pub entity_id: i64,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub changes: String,
    pub note: Option<String>,
    pub actor_user_id: Option<i64>,
    pub actor_api_key_id: Option<i64>,
    pub at: NaiveDateTime,
}

pub fn append_history(conn: &mut DbConn, entry: &HistoryEntry<'_>) -> QueryResult<usize> {
    diesel::insert_into(record_history::table)
        .values(NewHistory {
            entity: entry.entity,
            entity_id: entry.entity_id,
            action: entry.action,
            from_status: entry.from_status,
            to_status: entry.to_status,
            changes: &entry.changes,
            note: entry.note,
            actor_user_id: entry.actor.user_id,
            actor_api_key_id: entry.actor.api_key_id,
            at: entry.at,
        })
        .execute(conn)
}

/// A page of a record's history, oldest first, with the total.
pub fn history_of(
    conn: &mut DbConn,
    entity: &str,
    entity_id: i64,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<HistoryRow>, i64)> {
    let filter = record_history::entity
        .eq(entity.to_owned())
        .and(record_history::entity_id.eq(entity_id));
    let total = record_history::table
        .filter(filter.clone())
        .count()
        .get_result(conn)?;
    let rows = record_history::table
        .filter(filter)
        .order(record_history::id.asc())
        .limit(limit)
        .offset(offset)
        .select(HistoryRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

#[derive(Insertable)]
#[diesel(table_name = confidential_reads)]
struct NewRead<'a> {
    entity: &'a str,
    entity_id: i64,
    reader_user_id: Option<i64>,
    reader_api_key_id: Option<i64>,
    reader_organization_id: Option<i64>,
    road: &'a str,
    at: NaiveDateTime,
}

/// Log that `reader` saw the confidential tier of these records through `road` (`get`, `list`,
/// `export`, …).
pub fn log_confidential_reads(
    conn: &mut DbConn,
    entity: &str,
    entity_ids: &[i64],
    reader: ActorRef,
    road: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    for entity_id in entity_ids {
        diesel::insert_into(confidential_reads::table)
            .values(NewRead {
                entity,
                entity_id: *entity_id,
                reader_user_id: reader.user_id,
                reader_api_key_id: reader.api_key_id,
                reader_organization_id: reader.organization_id,
                road,
                at,
            })
            .execute(conn)?;
    }
    Ok(())
}

/// A logged read.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = confidential_reads)]
pub struct ConfidentialRead {
    pub id: i64,
    pub entity: String,
    pub entity_id: i64,
    pub reader_user_id: Option<i64>,
    pub reader_api_key_id: Option<i64>,
    pub reader_organization_id: Option<i64>,
    pub road: String,
    pub at: NaiveDateTime,
}

pub fn confidential_reads_of(
    conn: &mut DbConn,
    entity: &str,
    entity_id: i64,
) -> QueryResult<Vec<ConfidentialRead>> {
    confidential_reads::table
        .filter(confidential_reads::entity.eq(entity))
        .filter(confidential_reads::entity_id.eq(entity_id))
        .order(confidential_reads::id.asc())
        .select(ConfidentialRead::as_select())
        .load(conn)
}

/// Of `entity_ids`, those whose confidential tier one of `organizations` holds a live grant for.
pub fn granted_ids(
    conn: &mut DbConn,
    entity: &str,
    entity_ids: &[i64],
    organizations: &[i64],
    now: NaiveDateTime,
) -> QueryResult<Vec<i64>> {
    if entity_ids.is_empty() || organizations.is_empty() {
        return Ok(Vec::new());
    }
    access_grants::table
        .filter(access_grants::entity.eq(entity))
        .filter(access_grants::entity_id.eq_any(entity_ids))
        .filter(access_grants::organization_id.eq_any(organizations))
        .filter(access_grants::revoked_at.is_null())
        .filter(access_grants::expires_at.gt(now))
        .select(access_grants::entity_id)
        .distinct()
        .load(conn)
}
