//! The lifecycle of a listing or a request (docs/catalogue.md): which action leads from which status
//! to which, and who may take it. An action not allowed from the current status is a conflict
//! that names the status.

use crate::codes::{Action, RecordStatus};

pub use crate::kind::RecordKind;

/// Who may take an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionBy {
    /// Owners and editors of the owning organization (and admins).
    OwnerEditor,
    /// Moderators and admins.
    Moderator,
}

/// Who may take `action`.
pub fn action_by(action: Action) -> ActionBy {
    match action {
        Action::Publish | Action::RequestChanges | Action::Reject => ActionBy::Moderator,
        Action::Submit
        | Action::Edit
        | Action::Pause
        | Action::Resume
        | Action::Withdraw
        | Action::Close
        | Action::Renew => ActionBy::OwnerEditor,
    }
}

/// The status `action` leads to from `from`, or None when it is not allowed there.
pub fn next_status(kind: RecordKind, from: RecordStatus, action: Action) -> Option<RecordStatus> {
    use RecordStatus as S;
    // Listings close as `transferred`, requests as `fulfilled`.
    let closed = match kind {
        RecordKind::Listing => S::Transferred,
        RecordKind::Request => S::Fulfilled,
    };
    match (action, from) {
        (Action::Submit, S::Draft | S::ChangesRequested) => Some(S::Submitted),
        (Action::Edit, S::Submitted) => Some(S::Draft),
        (Action::Publish, S::Submitted) => Some(S::Published),
        (Action::RequestChanges, S::Submitted) => Some(S::ChangesRequested),
        (Action::Reject, S::Submitted) => Some(S::Rejected),
        (Action::Pause, S::Published) => Some(S::Paused),
        (Action::Resume, S::Paused) => Some(S::Published),
        (Action::Withdraw, S::Published | S::Paused) => Some(S::Withdrawn),
        (Action::Close, S::Published | S::Paused) => Some(closed),
        (Action::Renew, S::Published | S::Expired) => Some(S::Published),
        _ => None,
    }
}

/// Statuses in which the owner may change the fields of a record.
pub fn is_editable(status: RecordStatus) -> bool {
    matches!(
        status,
        RecordStatus::Draft
            | RecordStatus::ChangesRequested
            | RecordStatus::Published
            | RecordStatus::Paused
    )
}

/// How long a publication or a renewal holds.
pub const VALIDITY_MONTHS: u32 = 12;

/// The end of validity for a record published or renewed at `at`.
pub fn valid_until(at: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
    at.checked_add_months(chrono::Months::new(VALIDITY_MONTHS))
        .unwrap_or(at)
}

/// The status as readers see it: a published record whose validity has passed is expired even
/// before the background sweep writes it down.
pub fn effective_status(
    status: RecordStatus,
    valid_until: Option<chrono::NaiveDateTime>,
    now: chrono::NaiveDateTime,
) -> RecordStatus {
    match (status, valid_until) {
        (RecordStatus::Published, Some(until)) if until <= now => RecordStatus::Expired,
        _ => status,
    }
}

/// Disclosure tiers, in increasing order of what they reveal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    /// Title, summary, keywords, code lists, TRL, prices, organisation: anyone.
    Public,
    /// Plus details / requirements and the contact person: members of verified organisations.
    Registered,
    /// Plus confidential details: the owner, staff, and organisations holding an access grant.
    Confidential,
}

#[cfg(test)]
mod tests {
    use super::*;
    use RecordStatus as S;

    #[test]
    fn the_happy_path_of_a_listing() {
        let k = RecordKind::Listing;
        assert_eq!(next_status(k, S::Draft, Action::Submit), Some(S::Submitted));
        assert_eq!(
            next_status(k, S::Submitted, Action::Publish),
            Some(S::Published)
        );
        assert_eq!(next_status(k, S::Published, Action::Pause), Some(S::Paused));
        assert_eq!(
            next_status(k, S::Paused, Action::Resume),
            Some(S::Published)
        );
        assert_eq!(
            next_status(k, S::Published, Action::Close),
            Some(S::Transferred)
        );
        assert_eq!(
            next_status(RecordKind::Request, S::Published, Action::Close),
            Some(S::Fulfilled)
        );
        assert_eq!(
            next_status(k, S::Expired, Action::Renew),
            Some(S::Published)
        );
    }

    #[test]
    fn final_statuses_allow_nothing() {
        for status in [S::Rejected, S::Withdrawn, S::Transferred, S::Fulfilled] {
            for action in Action::ALL {
                assert_eq!(
                    next_status(RecordKind::Listing, status, *action),
                    None,
                    "{status} {action}"
                );
            }
        }
    }

    #[test]
    fn a_publication_holds_twelve_months_and_then_reads_as_expired() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 1, 31)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap();
        let until = valid_until(at);
        assert_eq!(until.to_string(), "2027-01-31 08:00:00");
        assert_eq!(
            effective_status(S::Published, Some(until), at),
            S::Published
        );
        assert_eq!(
            effective_status(S::Published, Some(until), until),
            S::Expired
        );
        assert_eq!(effective_status(S::Paused, Some(until), until), S::Paused);
    }
}
