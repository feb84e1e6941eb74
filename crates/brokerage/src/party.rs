//! How the parties of a deal appear to a given viewer. An anonymous request hides its
//! organization from everyone but its members and the exchange's staff
//! ([`Actor::may_identify`]); every brokerage view that names an organization or a person in
//! the context of such a request (engagements with their timeline and notes, matches, outcomes)
//! passes its ids through a [`Disclosure`] made here, so the rule is applied in one place.

use crate::{Party, db};
use diesel::prelude::*;
use std::collections::BTreeSet;
use techx_accounts::Actor;
use techx_catalogue::records::RecordError;
use techx_core::OrganizationId;
use techx_db::DbConn;
use techx_db::schema::memberships;

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
