//! The one rule of a live record, in Rust and in SQL. A listing or a request is *live* when it
//! is published and its validity has not passed: what anyone may see, what search finds, what
//! brokerage may be started on. The background sweep writes `expired` down later; until then a
//! published row past its `valid_until` already reads as expired everywhere.
//!
//! Rows of an import still loading (a batch listed in `imports`) are hidden from every read;
//! [`loaded!`](crate::loaded) is that condition.

use chrono::NaiveDateTime;
use techx_core::codes::RecordStatus;
use techx_core::lifecycle::effective_status;

/// The stored status every live row has (the SQL rule compares the column to it).
pub const PUBLISHED: &str = "published";

/// Whether a record with this stored status and validity is live at `now`.
pub fn is_live(
    status: RecordStatus,
    valid_until: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> bool {
    effective_status(status, valid_until, now) == RecordStatus::Published
}

/// Whether a stored status text and validity are live at `now` (an unknown status is not).
pub fn is_live_stored(
    status: &str,
    valid_until: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> bool {
    status
        .parse::<RecordStatus>()
        .is_ok_and(|status| is_live(status, valid_until, now))
}

/// The live rule as a diesel expression over a record table (`listings` or `requests`):
/// `status = 'published' AND (valid_until IS NULL OR valid_until > now)`.
///
/// ```ignore
/// listings::table.filter(techx_catalogue::live!(listings, now))
/// ```
#[macro_export]
macro_rules! live {
    ($table:ident, $now:expr) => {
        $table::status.eq($crate::live::PUBLISHED).and(
            $table::valid_until
                .is_null()
                .or($table::valid_until.gt($now)),
        )
    };
}

/// Published rows whose validity has passed at `now` (they read as `expired`).
#[macro_export]
macro_rules! lapsed {
    ($table:ident, $now:expr) => {
        $table::status
            .eq($crate::live::PUBLISHED)
            .and($table::valid_until.le($now))
    };
}

/// Rows not held by an import still loading: a finished batch is struck from `imports`, which
/// shows all its rows at once.
#[macro_export]
macro_rules! loaded {
    ($table:ident) => {
        $table::import_id.is_null().or(::diesel::dsl::not(
            $table::import_id
                .assume_not_null()
                .eq_any(::techx_db::schema::imports::table.select(::techx_db::schema::imports::id)),
        ))
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(day: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, day)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .unwrap_or_default()
    }

    #[test]
    fn a_publication_is_live_until_its_validity_passes() {
        assert!(is_live(RecordStatus::Published, None, at(1)));
        assert!(is_live(RecordStatus::Published, Some(at(2)), at(1)));
        assert!(!is_live(RecordStatus::Published, Some(at(2)), at(2)));
        assert!(!is_live(RecordStatus::Paused, None, at(1)));
        assert!(!is_live(RecordStatus::Expired, None, at(1)));
        assert!(is_live_stored("published", None, at(1)));
        assert!(!is_live_stored("no such status", None, at(1)));
    }
}
