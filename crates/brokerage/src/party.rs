//! How the parties of a deal appear to a given viewer. An anonymous request hides its
//! organization from everyone but its members and the exchange's staff
//! ([`Actor::may_identify`]); every brokerage view that names an organization or a person in
//! the context of such a request (engagements with their timeline and notes, matches, outcomes)
//! passes its ids through a [`Disclosure`] made here, so the rule is applied in one place.

use crate::db;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::BTreeSet;
use techx_accounts::Actor;
use techx_catalogue::loaded;
use techx_catalogue::records::RecordError;
use techx_core::OrganizationId;
use techx_core::{ListingId, RecordRef, RequestId};
use techx_db::DbConn;
use techx_db::schema::{listings, memberships, requests};

/// The organizations a viewer may not identify in some context, and their members.
#[derive(Debug, Clone, Default)]
pub(crate) struct Disclosure {
    organizations: BTreeSet<i64>,
    people: BTreeSet<i64>,
}

impl Disclosure {
    /// What `viewer` may not learn about `records`: the organizations behind those of them that
    /// hide their owner, unless the viewer may identify them.
    pub(crate) fn for_viewer(
        conn: &mut DbConn,
        viewer: &Actor,
        records: &[&Party],
    ) -> Result<Disclosure, RecordError> {
        let organizations: BTreeSet<i64> = records
            .iter()
            .filter(|p| !viewer.may_identify(OrganizationId(p.organization_id), p.anonymous))
            .map(|p| p.organization_id)
            .collect();
        if organizations.is_empty() {
            return Ok(Disclosure::default());
        }
        let ids: Vec<i64> = organizations.iter().copied().collect();
        let people: Vec<i64> = memberships::table
            .filter(memberships::organization_id.eq_any(&ids))
            .select(memberships::user_id)
            .load(conn)
            .map_err(db)?;
        Ok(Disclosure {
            organizations,
            people: people.into_iter().collect(),
        })
    }

    /// An organization id as the viewer may see it.
    pub(crate) fn organization(&self, id: Option<i64>) -> Option<i64> {
        id.filter(|id| !self.organizations.contains(id))
    }

    /// A person's id (author, actor, creator) as the viewer may see it.
    pub(crate) fn person(&self, id: Option<i64>) -> Option<i64> {
        id.filter(|id| !self.people.contains(id))
    }
}

/// What brokerage needs to know of a listing or a request.
#[derive(Debug, Clone)]
pub(crate) struct Party {
    pub(crate) organization_id: i64,
    pub(crate) status: String,
    valid_until: Option<NaiveDateTime>,
    pub(crate) anonymous: bool,
    pub(crate) title: String,
}

impl Party {
    pub(crate) fn live(&self, now: NaiveDateTime) -> bool {
        techx_catalogue::live::is_live_stored(&self.status, self.valid_until, now)
    }

    /// Whether `actor` may see the record (as on `GET`).
    pub(crate) fn visible_to(&self, actor: &Actor, now: NaiveDateTime) -> bool {
        self.live(now)
            || actor.sees_unpublished_of(techx_core::OrganizationId(self.organization_id))
    }

    pub(crate) fn owned_by(&self, actor: &Actor) -> bool {
        actor.is_member_of(techx_core::OrganizationId(self.organization_id))
    }

    pub(crate) fn editable_by(&self, actor: &Actor) -> bool {
        !actor.is_admin()
            && actor.can_edit_records_of(techx_core::OrganizationId(self.organization_id))
    }
}

pub(crate) fn listing_party(
    conn: &mut DbConn,
    id: ListingId,
) -> Result<Option<Party>, RecordError> {
    let row: Option<(i64, String, Option<NaiveDateTime>, String)> = listings::table
        .find(id.0)
        .filter(loaded!(listings))
        .select((
            listings::organization_id,
            listings::status,
            listings::valid_until,
            listings::title,
        ))
        .first(conn)
        .optional()
        .map_err(techx_db::DbError::from)?;
    Ok(
        row.map(|(organization_id, status, valid_until, title)| Party {
            organization_id,
            status,
            valid_until,
            anonymous: false,
            title,
        }),
    )
}

pub(crate) fn request_party(
    conn: &mut DbConn,
    id: RequestId,
) -> Result<Option<Party>, RecordError> {
    let row: Option<(i64, String, Option<NaiveDateTime>, bool, String)> = requests::table
        .find(id.0)
        .filter(loaded!(requests))
        .select((
            requests::organization_id,
            requests::status,
            requests::valid_until,
            requests::anonymous,
            requests::title,
        ))
        .first(conn)
        .optional()
        .map_err(techx_db::DbError::from)?;
    Ok(row.map(
        |(organization_id, status, valid_until, anonymous, title)| Party {
            organization_id,
            status,
            valid_until,
            anonymous,
            title,
        },
    ))
}

pub(crate) fn party(conn: &mut DbConn, record: RecordRef) -> Result<Option<Party>, RecordError> {
    match record {
        RecordRef::Listing(id) => listing_party(conn, id),
        RecordRef::Request(id) => request_party(conn, id),
    }
}
