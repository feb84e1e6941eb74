//! Idempotency keys of creates. A key is first claimed (pending), then completed with the
//! response; a replay within 24 hours gets the stored response instead of a second record.

use crate::DbConn;
use crate::schema::idempotency_keys;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// How long a key is remembered.
pub const RETENTION_HOURS: i64 = 24;
/// A claim this old without a response belongs to a request that died: it may be taken over.
pub const ABANDONED_AFTER_SECONDS: i64 = 300;

/// What the store knows of a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyState {
    /// Claimed now by this request: go ahead and create.
    Claimed(i64),
    /// A request with this key and the same body completed: replay it.
    Completed {
        status_code: i32,
        body: String,
        location: Option<String>,
    },
    /// The same key is still being processed by another request.
    InProgress,
    /// The key was used with a different body.
    Mismatch,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
struct KeyRow {
    id: i64,
    request_hash: String,
    status_code: Option<i32>,
    response_body: Option<String>,
    location: Option<String>,
    created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = idempotency_keys)]
struct NewKey<'a> {
    principal: &'a str,
    idempotency_key: &'a str,
    request_hash: &'a str,
    created_at: NaiveDateTime,
}

/// Claim `key` for `principal`, or report what an earlier request with it did.
pub fn claim(
    conn: &mut DbConn,
    principal: &str,
    key: &str,
    request_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<KeyState> {
    let existing = idempotency_keys::table
        .filter(idempotency_keys::principal.eq(principal))
        .filter(idempotency_keys::idempotency_key.eq(key))
        .select(KeyRow::as_select())
        .first(conn)
        .optional()?;
    if let Some(row) = existing {
        let age = now.signed_duration_since(row.created_at);
        let abandoned = row.status_code.is_none() && age.num_seconds() >= ABANDONED_AFTER_SECONDS;
        let expired = age.num_hours() >= RETENTION_HOURS || abandoned;
        if !expired {
            if row.request_hash != request_hash {
                return Ok(KeyState::Mismatch);
            }
            return Ok(match (row.status_code, row.response_body) {
                (Some(status_code), Some(body)) => KeyState::Completed {
                    status_code,
                    body,
                    location: row.location,
                },
                _ => KeyState::InProgress,
            });
        }
        diesel::delete(idempotency_keys::table.find(row.id)).execute(conn)?;
    }
    let id = diesel::insert_into(idempotency_keys::table)
        .values(NewKey {
            principal,
            idempotency_key: key,
            request_hash,
            created_at: now,
        })
        .returning(idempotency_keys::id)
        .get_result(conn)?;
    Ok(KeyState::Claimed(id))
}

/// Store the response of a claimed key.
pub fn complete(
    conn: &mut DbConn,
    id: i64,
    status_code: i32,
    body: &str,
    location: Option<&str>,
) -> QueryResult<usize> {
    diesel::update(idempotency_keys::table.find(id))
        .set((
            idempotency_keys::status_code.eq(status_code),
            idempotency_keys::response_body.eq(body),
            idempotency_keys::location.eq(location),
        ))
        .execute(conn)
}

/// Forget a claimed key whose request failed, so that a retry may run.
pub fn release(conn: &mut DbConn, id: i64) -> QueryResult<usize> {
    diesel::delete(idempotency_keys::table.find(id)).execute(conn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Db, PoolOptions};
    use chrono::{Duration, NaiveDate};

    fn at(minutes: i64) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 29)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap()
            + Duration::minutes(minutes)
    }

    #[test]
    fn a_key_replays_its_response_and_a_dead_claim_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(
            &dir.path().join("k.db").to_string_lossy(),
            PoolOptions::default(),
        )
        .unwrap();
        let mut conn = db.get().unwrap();
        crate::run_migrations(&mut conn).unwrap();
        let KeyState::Claimed(id) = claim(&mut conn, "user:1", "k", "h", at(0)).unwrap() else {
            panic!("first use claims")
        };
        assert_eq!(
            claim(&mut conn, "user:1", "k", "h", at(1)).unwrap(),
            KeyState::InProgress
        );
        assert_eq!(
            claim(&mut conn, "user:1", "k", "other", at(1)).unwrap(),
            KeyState::Mismatch
        );
        // Another principal has its own keys.
        assert!(matches!(
            claim(&mut conn, "user:2", "k", "h", at(1)).unwrap(),
            KeyState::Claimed(_)
        ));
        // Five minutes without a response: the request died; a retry takes the key over.
        assert!(matches!(
            claim(&mut conn, "user:1", "k", "h", at(6)).unwrap(),
            KeyState::Claimed(_)
        ));
        let KeyState::Claimed(id2) = claim(&mut conn, "user:1", "k2", "h", at(6)).unwrap() else {
            panic!()
        };
        assert_ne!(id, id2);
        complete(&mut conn, id2, 201, "{}", Some("/x")).unwrap();
        assert_eq!(
            claim(&mut conn, "user:1", "k2", "h", at(60)).unwrap(),
            KeyState::Completed {
                status_code: 201,
                body: "{}".into(),
                location: Some("/x".into())
            }
        );
        // After 24 hours the key is forgotten.
        assert!(matches!(
            claim(&mut conn, "user:1", "k2", "h", at(24 * 60 + 6)).unwrap(),
            KeyState::Claimed(_)
        ));
    }
}
