//! Outcomes other than contracts: spin-off companies, startup support and research results put
//! to use. Brokers record them; they count in the province's reports.

use crate::dto::{OutcomeFilter, OutcomeForm, OutcomeView};
use crate::party::Disclosure;
use crate::{Brokerage, db, listing_party, request_party, stored, text, utc, visibility};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use techx_accounts::Actor;
use techx_catalogue::records::RecordError;
use techx_core::clock;
use techx_core::codes::OutcomeKind;
use techx_core::error::FieldError;
use techx_core::page::{Page, Paging};
use techx_core::{EngagementId, ListingId, OutcomeId, RequestId};
use techx_db::DbConn;
use techx_db::schema::{engagements, organizations, outcomes};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outcomes)]
struct OutcomeRow {
    id: i64,
    kind: String,
    title: String,
    engagement_id: Option<i64>,
    listing_id: Option<i64>,
    organization_id: Option<i64>,
    company_name: Option<String>,
    parent_organization_id: Option<i64>,
    ip_contributed: Option<String>,
    support_kind: Option<String>,
    channel: Option<String>,
    value_vnd: Option<i64>,
    occurred_on: NaiveDate,
    note: Option<String>,
    created_by: Option<i64>,
    created_at: NaiveDateTime,
}

/// An outcome as `viewer` may see it: when it comes from an engagement about an anonymous
/// request, the organization behind that request stays unnamed to those who may not identify it.
fn view(conn: &mut DbConn, viewer: &Actor, row: OutcomeRow) -> Result<OutcomeView, RecordError> {
    let request = match row.engagement_id {
        Some(id) => {
            let request_id: Option<Option<i64>> = engagements::table
                .find(id)
                .select(engagements::request_id)
                .first(conn)
                .optional()
                .map_err(db)?;
            match request_id.flatten() {
                Some(request_id) => request_party(conn, RequestId(request_id))?,
                None => None,
            }
        }
        None => None,
    };
    let disclosure = Disclosure::for_viewer(conn, viewer, &request.iter().collect::<Vec<_>>())?;
    Ok(OutcomeView {
        id: OutcomeId(row.id),
        kind: stored(&row.kind)?,
        title: row.title,
        occurred_on: row.occurred_on,
        engagement_id: row.engagement_id.map(EngagementId),
        listing_id: row.listing_id.map(ListingId),
        organization_id: disclosure.organization(row.organization_id),
        company_name: row.company_name,
        parent_organization_id: disclosure.organization(row.parent_organization_id),
        ip_contributed: row.ip_contributed,
        support_kind: row.support_kind,
        channel: row.channel,
        value_vnd: row.value_vnd,
        note: row.note,
        created_by: disclosure.person(row.created_by),
        created_at: utc(row.created_at),
    })
}

fn exists_organization(
    conn: &mut techx_db::DbConn,
    id: Option<i64>,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Result<(), RecordError> {
    if let Some(id) = id {
        let found: Option<i64> = organizations::table
            .find(id)
            .select(organizations::id)
            .first(conn)
            .optional()
            .map_err(db)?;
        if found.is_none() {
            errors.push(FieldError::new(
                field,
                "not_found",
                format!("{field}: no organization {id}"),
            ));
        }
    }
    Ok(())
}

impl Brokerage {
    /// Record an outcome (staff).
    pub async fn create_outcome(
        &self,
        actor: &Actor,
        form: OutcomeForm,
    ) -> Result<OutcomeView, RecordError> {
        if !actor.is_staff() {
            return Err(RecordError::Forbidden("outcomes are recorded by brokers"));
        }
        let mut errors = Vec::new();
        let title = text(&mut errors, "title", &form.title, true);
        let spin_off = form.kind == OutcomeKind::SpinOff;
        let company = text(&mut errors, "company_name", &form.company_name, spin_off);
        let ip = text(&mut errors, "ip_contributed", &form.ip_contributed, false);
        let support = text(
            &mut errors,
            "support_kind",
            &form.support_kind,
            form.kind == OutcomeKind::StartupSupport,
        );
        let channel = text(
            &mut errors,
            "channel",
            &form.channel,
            form.kind == OutcomeKind::Commercialisation,
        );
        let note = text(&mut errors, "note", &form.note, false);
        if spin_off && form.parent_organization_id.is_none() {
            errors.push(FieldError::new(
                "parent_organization_id",
                "required",
                "a spin-off names its parent institution",
            ));
        }
        if form.occurred_on > clock::now().date() {
            errors.push(FieldError::new(
                "occurred_on",
                "range",
                "occurred_on must not be in the future",
            ));
        }
        if form
            .value_vnd
            .is_some_and(|v| !techx_core::bounds::common::MONEY.contains(v))
        {
            errors.push(FieldError::new(
                "value_vnd",
                "range",
                "value_vnd must not be negative",
            ));
        }
        let actor = actor.clone();
        self.db
            .write(move |conn| {
                let now = clock::now();
                exists_organization(conn, form.organization_id, "organization_id", &mut errors)?;
                exists_organization(
                    conn,
                    form.parent_organization_id,
                    "parent_organization_id",
                    &mut errors,
                )?;
                if let Some(id) = form.listing_id
                    && listing_party(conn, id)?.is_none()
                {
                    errors.push(FieldError::new(
                        "listing_id",
                        "not_found",
                        format!("listing_id: no listing {id}"),
                    ));
                }
                if let Some(id) = form.engagement_id {
                    let found: Option<i64> = engagements::table
                        .find(id.0)
                        .select(engagements::id)
                        .first(conn)
                        .optional()
                        .map_err(db)?;
                    if found.is_none() {
                        errors.push(FieldError::new(
                            "engagement_id",
                            "not_found",
                            format!("engagement_id: no engagement {id}"),
                        ));
                    }
                }
                RecordError::invalid_if_any(errors)?;
                let row: OutcomeRow = diesel::insert_into(outcomes::table)
                    .values((
                        outcomes::kind.eq(form.kind.as_str()),
                        outcomes::title.eq(title.unwrap_or_default()),
                        outcomes::engagement_id.eq(form.engagement_id.map(|id| id.0)),
                        outcomes::listing_id.eq(form.listing_id.map(|id| id.0)),
                        outcomes::organization_id.eq(form.organization_id),
                        outcomes::company_name.eq(company),
                        outcomes::parent_organization_id.eq(form.parent_organization_id),
                        outcomes::ip_contributed.eq(ip),
                        outcomes::support_kind.eq(support),
                        outcomes::channel.eq(channel),
                        outcomes::value_vnd.eq(form.value_vnd),
                        outcomes::occurred_on.eq(form.occurred_on),
                        outcomes::note.eq(note),
                        outcomes::created_by.eq(actor.user_id().map(|u| u.0)),
                        outcomes::created_at.eq(now),
                    ))
                    .get_result(conn)
                    .map_err(db)?;
                view(conn, &actor, row)
            })
            .await
    }

    /// Outcomes, newest first: staff see all; members those of their organizations (as the
    /// organization concerned, the parent institution, or the owner of the listing).
    pub async fn list_outcomes(
        &self,
        actor: &Actor,
        filter: OutcomeFilter,
        paging: Paging,
    ) -> Result<Page<OutcomeView>, RecordError> {
        let actor = actor.clone();
        self.db
            .run(move |conn| {
                let query = || {
                    let mut query = outcomes::table
                        .into_boxed()
                        .filter(visibility::outcomes_seen(&actor));
                    if let Some(kind) = filter.kind {
                        query = query.filter(outcomes::kind.eq(kind.as_str()));
                    }
                    if let Some(id) = filter.listing_id {
                        query = query.filter(outcomes::listing_id.eq(id.0));
                    }
                    if let Some(id) = filter.engagement_id {
                        query = query.filter(outcomes::engagement_id.eq(id.0));
                    }
                    query
                };
                let (rows, total) = paged!(
                    conn,
                    query,
                    (outcomes::occurred_on.desc(), outcomes::id.desc()),
                    OutcomeRow,
                    paging
                );
                Page::from_rows(rows, total, paging, |row| view(conn, &actor, row))
            })
            .await
    }
}
