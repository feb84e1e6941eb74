//! Who may see which brokerage object, written as SQL so that every list is filtered, counted
//! and paged by the database: a page costs the rows it shows, not every row the caller might
//! see. Each predicate here is the statement form of a rule the single-object reads apply in
//! Rust (`match_visible`, `routed_side`, an engagement's parties, an outcome's organizations);
//! the list tests (`tests/api/lists.rs`) hold every list to the single reads for every role.
//!
//! Matches, inquiries and access requests are only ever made about published records, and a
//! record once published is neither deleted (only drafts are) nor held by an import (imports
//! write new drafts), so every such object has both its records: the predicates need not
//! check that they exist, which keeps each list an index lookup.

use crate::dto::Mailbox;
use chrono::NaiveDateTime;
use diesel::dsl::not;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use techx_accounts::Actor;
use techx_catalogue::{live, loaded};
use techx_core::codes::MatchStatus;
use techx_db::MultiBackend;
use techx_db::schema::{
    access_requests, contracts, engagements, inquiries, listings, matches, outcomes, requests,
};

/// A condition on the rows of table `T`.
pub(crate) type Condition<T> = Box<dyn BoxableExpression<T, MultiBackend, SqlType = Bool>>;

// The subqueries below stay unboxed: a boxed `MultiBackend` statement cannot be nested in
// another (it renders for the multi-backend only, not for each of its backends).

/// Ids of the records of `$table` owned by the organizations `$orgs`.
macro_rules! owned_ids {
    ($table:ident, $orgs:expr) => {
        $table::table
            .filter(loaded!($table))
            .filter($table::organization_id.eq_any($orgs.to_vec()))
            .select($table::id)
    };
}

/// Ids of the records of `$table` a member of `$orgs` may not see: neither live nor their own.
/// Lists test `NOT IN` this set rather than `IN` the (much larger) set of seen records: the
/// planner then leads with the caller's own records instead of probing every pair.
macro_rules! unseen_ids {
    ($table:ident, $orgs:expr, $now:expr) => {
        $table::table
            .filter(not(live!($table, $now)))
            .filter(not($table::organization_id.eq_any($orgs.to_vec())))
            .select($table::id)
    };
}

/// The matches `actor` may see: staff every match; a member of either side once it is
/// introduced, or when their side has answered it, as long as they may see both records.
///
/// Written as one disjunct per side the caller stands on, each led by the caller's own
/// records (an index lookup) — a record of one's own is always seen, so only the other side's
/// visibility is checked: `(own listing AND request seen AND (not a bare suggestion OR the
/// listing side answered)) OR (the same from the request side)`.
pub(crate) fn matches_seen(actor: &Actor, now: NaiveDateTime) -> Condition<matches::table> {
    if actor.is_staff() {
        return Box::new(true.into_sql::<Bool>());
    }
    let orgs = actor.organization_ids();
    let suggested = MatchStatus::Suggested.as_str();
    Box::new(
        matches::listing_id
            .eq_any(owned_ids!(listings, orgs))
            .and(not(
                matches::request_id.eq_any(unseen_ids!(requests, orgs, now))
            ))
            .and(
                matches::status
                    .ne(suggested)
                    .or(matches::listing_answer.is_not_null()),
            )
            .or(matches::request_id
                .eq_any(owned_ids!(requests, orgs))
                .and(not(
                    matches::listing_id.eq_any(unseen_ids!(listings, orgs, now))
                ))
                .and(
                    matches::status
                        .ne(suggested)
                        .or(matches::request_answer.is_not_null()),
                )),
    )
}

/// The rows of a table of things an organization sends about a record, routed to its owner or
/// to the brokers (inquiries, access requests), that `actor` stands to and that belong in
/// `mailbox`: the sender's members see what it sent; the owner's members what was routed to
/// the owner; staff everything; "received" is what the actor did not send.
macro_rules! routed_seen {
    ($table:ident, $actor:expr, $mailbox:expr) => {{
        let actor: &Actor = $actor;
        let orgs = actor.organization_ids();
        let sent = || $table::organization_id.eq_any(orgs.clone());
        // Three disjuncts, each served by an index (the sender's organization; the record).
        let sent_or_owned = || {
            sent()
                .or($table::routed_to
                    .eq("owner")
                    .and($table::entity.eq(techx_core::RecordKind::Listing.as_str()))
                    .and($table::entity_id.eq_any(owned_ids!(listings, orgs))))
                .or($table::routed_to
                    .eq("owner")
                    .and($table::entity.eq(techx_core::RecordKind::Request.as_str()))
                    .and($table::entity_id.eq_any(owned_ids!(requests, orgs))))
        };
        let condition: Condition<$table::table> = match ($mailbox, actor.is_staff()) {
            (Some(Mailbox::Sent), _) => Box::new(sent()),
            (Some(Mailbox::Received), true) => Box::new(not(sent())),
            (Some(Mailbox::Received), false) => Box::new(not(sent()).and(sent_or_owned())),
            (None, true) => Box::new(true.into_sql::<Bool>()),
            (None, false) => Box::new(sent_or_owned()),
        };
        condition
    }};
}

/// The inquiries `actor` stands to, in `mailbox` (none: both).
pub(crate) fn inquiries_seen(
    actor: &Actor,
    mailbox: Option<Mailbox>,
) -> Condition<inquiries::table> {
    routed_seen!(inquiries, actor, mailbox)
}

/// The access requests `actor` stands to, in `mailbox` (none: both).
pub(crate) fn access_requests_seen(
    actor: &Actor,
    mailbox: Option<Mailbox>,
) -> Condition<access_requests::table> {
    routed_seen!(access_requests, actor, mailbox)
}

/// The engagements where one of the organizations `$orgs` is a party (the listing's owner, the
/// request's owner, or the other party), as an unboxed condition on `engagements`.
macro_rules! engagement_of {
    ($orgs:expr) => {
        engagements::listing_id
            .assume_not_null()
            .eq_any(owned_ids!(listings, $orgs))
            .or(engagements::request_id
                .assume_not_null()
                .eq_any(owned_ids!(requests, $orgs)))
            .or(engagements::organization_id
                .assume_not_null()
                .eq_any($orgs.to_vec()))
    };
}

/// The engagements `actor` may see: staff all; members those where their organization is a
/// party.
pub(crate) fn engagements_seen(actor: &Actor) -> Condition<engagements::table> {
    if actor.is_staff() {
        return Box::new(true.into_sql::<Bool>());
    }
    let orgs = actor.organization_ids();
    Box::new(engagement_of!(orgs))
}

/// The contracts `actor` may see: those of engagements it may see.
pub(crate) fn contracts_seen(actor: &Actor) -> Condition<contracts::table> {
    if actor.is_staff() {
        return Box::new(true.into_sql::<Bool>());
    }
    let orgs = actor.organization_ids();
    Box::new(
        contracts::engagement_id.eq_any(
            engagements::table
                .filter(engagement_of!(orgs))
                .select(engagements::id),
        ),
    )
}

/// The outcomes `actor` may see: staff all; members those of their organizations (as the
/// organization concerned, the parent institution, or the owner of the listing).
pub(crate) fn outcomes_seen(actor: &Actor) -> Condition<outcomes::table> {
    if actor.is_staff() {
        return Box::new(true.into_sql::<Bool>());
    }
    let orgs = actor.organization_ids();
    Box::new(
        outcomes::organization_id
            .assume_not_null()
            .eq_any(orgs.clone())
            .or(outcomes::parent_organization_id
                .assume_not_null()
                .eq_any(orgs.clone()))
            .or(outcomes::listing_id
                .assume_not_null()
                .eq_any(owned_ids!(listings, orgs))),
    )
}
