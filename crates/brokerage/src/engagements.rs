//! Engagements: the deal pipeline from an introduction to a contract and its implementation,
//! run by brokers and followed by both parties; and the contracts they end in.

use crate::dto::{
    ContractForm, ContractView, EngagementEvent, EngagementFilter, EngagementForm,
    EngagementNoteForm, EngagementPatch, EngagementView, StageForm,
};
use crate::party::Disclosure;
use crate::{
    Brokerage, db, listing_party, only_text, request_party, stored, stored_entity, text, utc,
    visibility,
};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use techx_accounts::Actor;
use techx_catalogue::records::RecordError;
use techx_core::RecordKind;
use techx_core::clock;
use techx_core::codes::{EngagementOrigin, EngagementStage, MatchStatus, RecordStatus};
use techx_core::error::FieldError;
use techx_core::page::{Page, Paging};
use techx_core::{ContractId, EngagementId, InquiryId, ListingId, MatchId, RequestId};
use techx_db::DbConn;
use techx_db::schema::{
    contracts, engagement_events, engagements, inquiries, matches, requests, users,
};

mod stages;
pub use stages::StagePlan;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = engagements)]
struct EngagementRow {
    id: i64,
    listing_id: Option<i64>,
    request_id: Option<i64>,
    organization_id: Option<i64>,
    origin: String,
    match_id: Option<i64>,
    inquiry_id: Option<i64>,
    event_name: Option<String>,
    stage: String,
    held_stage: Option<String>,
    lost_reason: Option<String>,
    assignee_id: Option<i64>,
    next_action: Option<String>,
    next_action_on: Option<NaiveDate>,
    created_by: Option<i64>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// The fields of a change to an engagement; `None` leaves a column as it is.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = engagements)]
struct EngagementChanges {
    assignee_id: Option<Option<i64>>,
    next_action: Option<Option<String>>,
    next_action_on: Option<Option<NaiveDate>>,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = contracts)]
struct ContractRow {
    id: i64,
    engagement_id: i64,
    listing_id: Option<i64>,
    request_id: Option<i64>,
    kind: String,
    value_vnd: Option<i64>,
    signed_on: NaiveDate,
    transfer_form: Option<String>,
    created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = engagement_events)]
struct EventRow {
    id: i64,
    kind: String,
    from_stage: Option<String>,
    to_stage: Option<String>,
    body: Option<String>,
    actor_id: Option<i64>,
    at: NaiveDateTime,
}

fn contract_view(row: ContractRow) -> Result<ContractView, RecordError> {
    Ok(ContractView {
        id: ContractId(row.id),
        engagement_id: EngagementId(row.engagement_id),
        listing_id: row.listing_id.map(ListingId),
        request_id: row.request_id.map(RequestId),
        kind: stored(&row.kind)?,
        value_vnd: row.value_vnd,
        signed_on: row.signed_on,
        transfer_form: row.transfer_form.as_deref().map(stored).transpose()?,
        created_at: utc(row.created_at),
    })
}

/// An engagement as `viewer` may see it: the organization and the people of an anonymous
/// request stay unnamed to those who may not identify it.
fn view(
    conn: &mut DbConn,
    viewer: &Actor,
    row: &EngagementRow,
    with_events: bool,
) -> Result<EngagementView, RecordError> {
    let request = match row.request_id {
        Some(id) => request_party(conn, RequestId(id))?,
        None => None,
    };
    let disclosure = Disclosure::for_viewer(conn, viewer, &request.iter().collect::<Vec<_>>())?;
    let contract = contracts::table
        .filter(contracts::engagement_id.eq(row.id))
        .select(ContractRow::as_select())
        .first(conn)
        .optional()
        .map_err(db)?
        .map(contract_view)
        .transpose()?;
    let events = if with_events {
        engagement_events::table
            .filter(engagement_events::engagement_id.eq(row.id))
            .order(engagement_events::id.asc())
            .select(EventRow::as_select())
            .load(conn)
            .map_err(db)?
            .into_iter()
            .map(|e| {
                Ok(EngagementEvent {
                    id: e.id,
                    kind: e.kind,
                    from_stage: e.from_stage.as_deref().map(stored).transpose()?,
                    to_stage: e.to_stage.as_deref().map(stored).transpose()?,
                    body: e.body,
                    actor_id: disclosure.person(e.actor_id),
                    at: utc(e.at),
                })
            })
            .collect::<Result<_, RecordError>>()?
    } else {
        Vec::new()
    };
    Ok(EngagementView {
        id: EngagementId(row.id),
        listing_id: row.listing_id.map(ListingId),
        request_id: row.request_id.map(RequestId),
        organization_id: disclosure.organization(row.organization_id),
        origin: stored(&row.origin)?,
        match_id: row.match_id.map(MatchId),
        inquiry_id: row.inquiry_id.map(InquiryId),
        event_name: row.event_name.clone(),
        stage: stored(&row.stage)?,
        held_stage: row.held_stage.as_deref().map(stored).transpose()?,
        lost_reason: row.lost_reason.clone(),
        assignee_id: row.assignee_id,
        next_action: row.next_action.clone(),
        next_action_on: row.next_action_on,
        created_by: disclosure.person(row.created_by),
        contract,
        events,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    })
}

/// The organizations taking part: the listing's, the request's, and the other party.
fn parties(conn: &mut DbConn, row: &EngagementRow) -> Result<Vec<i64>, RecordError> {
    let mut out = Vec::new();
    if let Some(id) = row.listing_id
        && let Some(p) = listing_party(conn, ListingId(id))?
    {
        out.push(p.organization_id);
    }
    if let Some(id) = row.request_id
        && let Some(p) = request_party(conn, RequestId(id))?
    {
        out.push(p.organization_id);
    }
    out.extend(row.organization_id);
    Ok(out)
}

fn visible(conn: &mut DbConn, actor: &Actor, row: &EngagementRow) -> Result<bool, RecordError> {
    if actor.is_staff() {
        return Ok(true);
    }
    let mine = actor.organization_ids();
    Ok(parties(conn, row)?.iter().any(|o| mine.contains(o)))
}

fn load(conn: &mut DbConn, id: i64) -> Result<Option<EngagementRow>, RecordError> {
    engagements::table
        .find(id)
        .select(EngagementRow::as_select())
        .first(conn)
        .optional()
        .map_err(db)
}

/// An engagement the actor may see (404 otherwise).
fn load_visible(conn: &mut DbConn, actor: &Actor, id: i64) -> Result<EngagementRow, RecordError> {
    load(conn, id)?
        .map(|row| visible(conn, actor, &row).map(|seen| seen.then_some(row)))
        .transpose()?
        .flatten()
        .ok_or(RecordError::NotFound("engagement"))
}

fn require_staff(actor: &Actor) -> Result<(), RecordError> {
    if actor.is_staff() {
        Ok(())
    } else {
        Err(RecordError::Forbidden("engagements are run by brokers"))
    }
}

fn check_assignee(conn: &mut DbConn, assignee: Option<i64>) -> Result<(), RecordError> {
    let Some(id) = assignee else {
        return Ok(());
    };
    let role: Option<String> = users::table
        .find(id)
        .select(users::platform_role)
        .first(conn)
        .optional()
        .map_err(db)?;
    match role.as_deref() {
        Some("broker" | "moderator" | "admin") => Ok(()),
        _ => Err(RecordError::invalid(
            "assignee_id",
            "not_allowed",
            "the assignee must be a broker, moderator or admin",
        )),
    }
}

fn event(
    conn: &mut DbConn,
    engagement: i64,
    kind: &str,
    stages: (Option<&str>, Option<&str>),
    body: Option<String>,
    actor: &Actor,
    at: NaiveDateTime,
) -> Result<(), RecordError> {
    diesel::insert_into(engagement_events::table)
        .values((
            engagement_events::engagement_id.eq(engagement),
            engagement_events::kind.eq(kind),
            engagement_events::from_stage.eq(stages.0),
            engagement_events::to_stage.eq(stages.1),
            engagement_events::body.eq(body),
            engagement_events::actor_id.eq(actor.user_id().map(|u| u.0)),
            engagement_events::at.eq(at),
        ))
        .execute(conn)
        .map_err(db)?;
    Ok(())
}

impl Brokerage {
    /// Open an engagement (staff).
    pub async fn create_engagement(
        &self,
        actor: &Actor,
        form: EngagementForm,
    ) -> Result<EngagementView, RecordError> {
        require_staff(actor)?;
        let mut errors = Vec::new();
        let note = text(&mut errors, "note", &form.note, false);
        let next_action = text(&mut errors, "next_action", &form.next_action, false);
        let event_name = text(&mut errors, "event_name", &form.event_name, false);
        let sources = [
            form.match_id.is_some(),
            form.inquiry_id.is_some(),
            event_name.is_some(),
        ]
        .iter()
        .filter(|s| **s)
        .count();
        if sources != 1 {
            errors.push(FieldError::new(
                "match_id",
                "required",
                "give exactly one of match_id, inquiry_id or event_name",
            ));
        }
        RecordError::invalid_if_any(errors)?;
        let actor = actor.clone();
        self.db
            .write(move |conn| {
                let now = clock::now();
                check_assignee(conn, form.assignee_id)?;
                let (origin, stage, listing, request, organization) = if let Some(id) = form.match_id {
                    let (listing, request, status): (i64, i64, String) = matches::table
                        .find(id.0)
                        .select((matches::listing_id, matches::request_id, matches::status))
                        .first(conn)
                        .optional()
                        .map_err(db)?
                        .ok_or(RecordError::NotFound("match"))?;
                    if status == MatchStatus::Suggested.as_str() || status == MatchStatus::Declined.as_str() {
                        return Err(RecordError::Conflict(format!(
                            "the match is {status}: an engagement starts from an introduced or accepted match"
                        )));
                    }
                    let requester: Option<i64> = requests::table
                        .find(request)
                        .select(requests::organization_id)
                        .first(conn)
                        .optional()
                        .map_err(db)?;
                    (EngagementOrigin::Match, EngagementStage::Introduced, Some(listing), Some(request), requester)
                } else if let Some(id) = form.inquiry_id {
                    let (entity, entity_id, organization): (String, i64, i64) = inquiries::table
                        .find(id.0)
                        .select((inquiries::entity, inquiries::entity_id, inquiries::organization_id))
                        .first(conn)
                        .optional()
                        .map_err(db)?
                        .ok_or(RecordError::NotFound("inquiry"))?;
                    let (listing, request) = match stored_entity(&entity)? {
                        RecordKind::Listing => (Some(entity_id), None),
                        RecordKind::Request => (None, Some(entity_id)),
                    };
                    (EngagementOrigin::Inquiry, EngagementStage::Inquiry, listing, request, Some(organization))
                } else {
                    if form.listing_id.is_none() && form.request_id.is_none() {
                        return Err(RecordError::invalid(
                            "listing_id",
                            "required",
                            "an engagement from an event names its listing or request",
                        ));
                    }
                    if let Some(id) = form.listing_id {
                        listing_party(conn, id)?.ok_or(RecordError::NotFound("listing"))?;
                    }
                    if let Some(id) = form.request_id {
                        request_party(conn, id)?.ok_or(RecordError::NotFound("request"))?;
                    }
                    (EngagementOrigin::Event, EngagementStage::Inquiry, form.listing_id.map(|id| id.0), form.request_id.map(|id| id.0), form.organization_id)
                };
                let id: i64 = diesel::insert_into(engagements::table)
                    .values((
                        engagements::listing_id.eq(listing),
                        engagements::request_id.eq(request),
                        engagements::organization_id.eq(organization),
                        engagements::origin.eq(origin.as_str()),
                        engagements::match_id.eq(form.match_id.map(|id| id.0)),
                        engagements::inquiry_id.eq(form.inquiry_id.map(|id| id.0)),
                        engagements::event_name.eq(event_name),
                        engagements::stage.eq(stage.as_str()),
                        engagements::assignee_id.eq(form.assignee_id),
                        engagements::next_action.eq(next_action),
                        engagements::next_action_on.eq(form.next_action_on),
                        engagements::created_by.eq(actor.user_id().map(|u| u.0)),
                        engagements::created_at.eq(now),
                        engagements::updated_at.eq(now),
                    ))
                    .get_result::<EngagementRow>(conn)
                    .map_err(|error| {
                        // One engagement per match and per inquiry: unique indexes.
                        let error = db(error);
                        if matches!(&error, RecordError::Db(e) if e.is_unique_violation()) {
                            let from = if form.match_id.is_some() { "match" } else { "inquiry" };
                            RecordError::Conflict(format!("this {from} already has an engagement"))
                        } else {
                            error
                        }
                    })?
                    .id;
                event(conn, id, "stage", (None, Some(stage.as_str())), note, &actor, now)?;
                let row = load(conn, id)?.ok_or(RecordError::NotFound("engagement"))?;
                view(conn, &actor, &row, true)
            })
            .await
    }

    /// One engagement with its stage changes and notes (staff and the parties).
    pub async fn get_engagement(
        &self,
        actor: &Actor,
        id: EngagementId,
    ) -> Result<EngagementView, RecordError> {
        let id = id.0;
        let actor = actor.clone();
        self.db
            .run(move |conn| {
                let row = load_visible(conn, &actor, id)?;
                view(conn, &actor, &row, true)
            })
            .await
    }

    /// The engagements the caller may see, newest first.
    pub async fn list_engagements(
        &self,
        actor: &Actor,
        filter: EngagementFilter,
        paging: Paging,
    ) -> Result<Page<EngagementView>, RecordError> {
        let actor = actor.clone();
        self.db
            .run(move |conn| {
                let query = || {
                    let mut query = engagements::table
                        .into_boxed()
                        .filter(visibility::engagements_seen(&actor));
                    if let Some(stage) = filter.stage {
                        query = query.filter(engagements::stage.eq(stage.as_str()));
                    }
                    if let Some(id) = filter.assignee_id {
                        query = query.filter(engagements::assignee_id.eq(id));
                    }
                    if let Some(id) = filter.listing_id {
                        query = query.filter(engagements::listing_id.eq(id.0));
                    }
                    query
                };
                let (rows, total) =
                    paged!(conn, query, engagements::id.desc(), EngagementRow, paging);
                Page::from_rows(&rows, total, paging, |row| view(conn, &actor, row, false))
            })
            .await
    }

    /// Change the assignee or the next action (staff).
    pub async fn update_engagement(
        &self,
        actor: &Actor,
        id: EngagementId,
        patch: EngagementPatch,
    ) -> Result<EngagementView, RecordError> {
        let id = id.0;
        let next_action = only_text("next_action", &patch.next_action, false)?;
        let actor = actor.clone();
        self.db
            .write(move |conn| {
                let now = clock::now();
                load_visible(conn, &actor, id)?;
                require_staff(&actor)?;
                check_assignee(conn, patch.assignee_id)?;
                // Only the fields sent are written, so two changes of different fields at once
                // both stand.
                let changes = EngagementChanges {
                    assignee_id: patch.assignee_id.map(Some),
                    next_action: next_action.map(Some),
                    next_action_on: patch.next_action_on.map(Some),
                    updated_at: now,
                };
                diesel::update(engagements::table.find(id))
                    .set(&changes)
                    .execute(conn)
                    .map_err(db)?;
                let row = load(conn, id)?.ok_or(RecordError::NotFound("engagement"))?;
                view(conn, &actor, &row, true)
            })
            .await
    }

    /// Add a note (staff and the parties).
    pub async fn add_engagement_note(
        &self,
        actor: &Actor,
        id: EngagementId,
        form: EngagementNoteForm,
    ) -> Result<EngagementView, RecordError> {
        let id = id.0;
        let body = only_text("body", &form.body, true)?;
        let actor = actor.clone();
        self.db
            .write(move |conn| {
                let now = clock::now();
                load_visible(conn, &actor, id)?;
                event(conn, id, "note", (None, None), body, &actor, now)?;
                diesel::update(engagements::table.find(id))
                    .set(engagements::updated_at.eq(now))
                    .execute(conn)
                    .map_err(db)?;
                let row = load(conn, id)?.ok_or(RecordError::NotFound("engagement"))?;
                view(conn, &actor, &row, true)
            })
            .await
    }

    /// The contract a listing was transferred under, if any (anyone who may see the listing
    /// learns that it points to a contract; its terms are for staff and the parties).
    pub async fn contracts_of_listing(
        &self,
        actor: &Actor,
        listing: ListingId,
        paging: Paging,
    ) -> Result<Page<ContractView>, RecordError> {
        let actor = actor.clone();
        self.db
            .run(move |conn| {
                listing_party(conn, listing)?
                    .filter(|p| p.visible_to(&actor, clock::now()))
                    .ok_or(RecordError::NotFound("listing"))?;
                let query = || {
                    contracts::table
                        .into_boxed()
                        .filter(contracts::listing_id.eq(listing.0))
                        .filter(visibility::contracts_seen(&actor))
                };
                let (rows, total) = paged!(conn, query, contracts::id.asc(), ContractRow, paging);
                Page::from_rows(rows, total, paging, contract_view)
            })
            .await
    }
}
