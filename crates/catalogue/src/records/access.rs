//! Who sees and changes a record: visibility, disclosure tiers (with access grants), the
//! confidential reads the access log records, `If-Match`, edit rights, the owner of a new record,
//! list scopes and paging.

use super::{RecordError, stored};
use crate::log;
use chrono::NaiveDateTime;
use std::collections::BTreeSet;
use techx_accounts::Actor;
use techx_core::OrganizationId;
use techx_core::codes::RecordStatus;
use techx_core::lifecycle::{self, Tier};
use techx_core::page::{PageParams, Paging};
use techx_db::DbConn;

/// What the shared rules need to know of a stored listing or request.
pub trait RecordMeta {
    fn id(&self) -> i64;
    fn organization_id(&self) -> OrganizationId;
    /// The stored status code.
    fn status(&self) -> &str;
    fn valid_until(&self) -> Option<NaiveDateTime>;
    fn version(&self) -> i32;
}

/// The stored status, parsed.
pub fn status_of<R: RecordMeta>(record: &R) -> Result<RecordStatus, RecordError> {
    stored(record.status())
}

/// The status as readers see it (a lapsed publication reads `expired`).
pub fn effective_status_of<R: RecordMeta>(
    record: &R,
    now: NaiveDateTime,
) -> Result<RecordStatus, RecordError> {
    Ok(lifecycle::effective_status(
        status_of(record)?,
        record.valid_until(),
        now,
    ))
}

/// Whether `actor` may see `record` at all: live publications are public; everything else
/// belongs to the owner organization and the staff (404 for everyone else).
pub fn is_visible<R: RecordMeta>(actor: Option<&Actor>, record: &R, now: NaiveDateTime) -> bool {
    let live = crate::live::is_live_stored(record.status(), record.valid_until(), now);
    live || actor.is_some_and(|a| a.sees_unpublished_of(record.organization_id()))
}

/// The tier of each record for `actor`, looking up access grants only where they could matter.
pub fn tiers<R: RecordMeta>(
    conn: &mut DbConn,
    entity: &str,
    actor: Option<&Actor>,
    rows: &[R],
    now: NaiveDateTime,
) -> Result<Vec<Tier>, RecordError> {
    let Some(actor) = actor else {
        return Ok(vec![Tier::Public; rows.len()]);
    };
    let outsiders: Vec<i64> = rows
        .iter()
        .filter(|r| !actor.is_staff() && !actor.is_member_of(r.organization_id()))
        .map(RecordMeta::id)
        .collect();
    let granted: BTreeSet<i64> =
        log::granted_ids(conn, entity, &outsiders, &actor.organization_ids(), now)?
            .into_iter()
            .collect();
    Ok(rows
        .iter()
        .map(|r| actor.tier_for(r.organization_id(), granted.contains(&r.id())))
        .collect())
}

/// Ids of the rows whose confidential tier `actor` reads from outside the owner organization:
/// the reads the access log records.
pub fn outside_confidential_reads<R: RecordMeta>(
    actor: Option<&Actor>,
    rows: &[R],
    tiers: &[Tier],
) -> Vec<i64> {
    // The system (indexer, CLI) reads to serve others; its reads are not an outsider's.
    let Some(actor) = actor.filter(|a| a.principal != techx_accounts::Principal::System) else {
        return Vec::new();
    };
    rows.iter()
        .zip(tiers)
        .filter(|(r, tier)| {
            **tier == Tier::Confidential && !actor.is_member_of(r.organization_id())
        })
        .map(|(r, _)| r.id())
        .collect()
}

/// The API name of a tier.
pub fn tier_name(tier: Tier) -> &'static str {
    match tier {
        Tier::Public => "public",
        Tier::Registered => "registered",
        Tier::Confidential => "confidential",
    }
}

/// A stale `If-Match` version is refused.
pub fn check_version<R: RecordMeta>(record: &R, expected: Option<i32>) -> Result<(), RecordError> {
    match expected {
        Some(version) if version != record.version() => Err(RecordError::StaleVersion {
            current: record.version(),
        }),
        _ => Ok(()),
    }
}

/// A record the actor may change: 404 when it may not see it, 403 when it may only read it.
pub fn require_editable_by<R: RecordMeta>(
    actor: &Actor,
    record: Option<R>,
    what: &'static str,
    now: NaiveDateTime,
) -> Result<R, RecordError> {
    let record = record
        .filter(|r| is_visible(Some(actor), r, now))
        .ok_or(RecordError::NotFound(what))?;
    if !actor.can_edit_records_of(record.organization_id()) {
        return Err(RecordError::Forbidden(
            "only owners and editors of the organization may change it",
        ));
    }
    Ok(record)
}

/// The organization a new record belongs to: the one named, or the caller's only organization
/// it may edit for.
pub fn owner_of_new(
    actor: &Actor,
    named: Option<OrganizationId>,
) -> Result<OrganizationId, RecordError> {
    if let Some(org) = named {
        if !actor.can_edit_records_of(org) {
            return Err(RecordError::Forbidden(
                "you may not create records for this organization",
            ));
        }
        return Ok(org);
    }
    let editable: Vec<OrganizationId> = actor
        .memberships
        .iter()
        .map(|m| m.organization_id)
        .filter(|org| actor.can_edit_records_of(*org))
        .collect();
    match editable.as_slice() {
        [only] => Ok(*only),
        [] => Err(RecordError::Forbidden(
            "you are not an owner or editor of any organization",
        )),
        _ => Err(RecordError::invalid(
            "organization_id",
            "required",
            "organization_id is required when you edit for several organizations",
        )),
    }
}

/// Which records a caller may see at all in a list.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Staff: everything.
    All,
    /// Live publications, plus any status of these organizations.
    PublishedAndOwn(Vec<i64>),
}

pub fn scope_of(actor: Option<&Actor>) -> Scope {
    match actor {
        Some(a) if a.is_staff() => Scope::All,
        Some(a) => Scope::PublishedAndOwn(a.organization_ids()),
        None => Scope::PublishedAndOwn(Vec::new()),
    }
}

/// Checked `limit` and `offset`.
pub fn paging(limit: Option<i64>, offset: Option<i64>) -> Result<Paging, RecordError> {
    PageParams { limit, offset }
        .parse()
        .map_err(|e| RecordError::Invalid(vec![e]))
}
