//! The one clock. Timestamps are UTC and truncated to microseconds so that SQLite and
//! PostgreSQL store and return exactly the same value.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

/// Now, in UTC, truncated to microseconds.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// A stored (naive, UTC) timestamp as an RFC 3339 UTC value for the API.
pub fn to_utc(at: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(at, Utc)
}
