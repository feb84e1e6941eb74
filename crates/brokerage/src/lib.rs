//! Brokerage: the records that carry a match from suggestion to an answer, and the inquiries
//! organizations send about published offers and needs.
//!
//! - A **match** pairs a listing and a request. Brokers save them (`source: broker`); an owner
//!   or editor of either side can keep one the algorithm found (`source: self`, their side's
//!   answer already `accept`). A broker introduces it; each side then accepts or declines with a
//!   reason. Staff see every match; members of either side see those introduced, and those their
//!   own side saved, while they may see both records.
//! - An **inquiry** is a verified organization's question about a published record. It goes to
//!   the owner organization, or to the brokers when the record is an anonymous request (its
//!   requester stays hidden); both parties reply in a thread.

pub mod access;
pub mod alerts;
pub mod dto;
pub mod engagements;
pub mod outcomes;
mod party;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use dto::*;
use std::collections::{BTreeSet, HashMap};
use techx_accounts::Actor;
use techx_catalogue::records::RecordError;
use techx_core::clock;
use techx_core::codes::{
    CooperationType, InquiryStatus, MatchAnswer, MatchSource, MatchStatus, RecordStatus,
};
use techx_core::error::FieldError;
use techx_core::page::{Page, Paging};
use techx_db::schema::{imports, inquiries, inquiry_messages, listings, matches, requests};
use techx_db::{Db, DbConn};

/// Longest note, reason text or message, in characters.
pub const MAX_TEXT: usize = dto::bounds::TEXT.max();
/// Most codes in one list of a form.
pub const MAX_CODES: usize = techx_core::bounds::common::CODES.max();

/// The brokerage service.
#[derive(Clone)]
pub struct Brokerage {
    db: Db,
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
        self.status == RecordStatus::Published.as_str()
            && self.valid_until.is_none_or(|until| until > now)
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

pub(crate) fn listing_party(conn: &mut DbConn, id: i64) -> Result<Option<Party>, RecordError> {
    let row: Option<(i64, String, Option<NaiveDateTime>, String)> = listings::table
        .find(id)
        .filter(
            listings::import_id.is_null().or(diesel::dsl::not(
                listings::import_id
                    .assume_not_null()
                    .eq_any(imports::table.select(imports::id)),
            )),
        )
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

pub(crate) fn request_party(conn: &mut DbConn, id: i64) -> Result<Option<Party>, RecordError> {
    let row: Option<(i64, String, Option<NaiveDateTime>, bool, String)> = requests::table
        .find(id)
        .filter(
            requests::import_id.is_null().or(diesel::dsl::not(
                requests::import_id
                    .assume_not_null()
                    .eq_any(imports::table.select(imports::id)),
            )),
        )
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

pub(crate) fn party(
    conn: &mut DbConn,
    entity: Entity,
    id: i64,
) -> Result<Option<Party>, RecordError> {
    match entity {
        Entity::Listing => listing_party(conn, id),
        Entity::Request => request_party(conn, id),
    }
}

pub(crate) fn text(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &Option<String>,
    required: bool,
) -> Option<String> {
    let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty());
    if let Some(v) = value
        && let Err(error) = techx_core::validate::check_characters(field, v)
    {
        errors.push(error);
        return None;
    }
    match value {
        None if required => {
            errors.push(FieldError::new(
                field,
                "required",
                format!("{field} is required"),
            ));
            None
        }
        Some(v) if v.chars().count() > MAX_TEXT => {
            errors.push(FieldError::new(
                field,
                "length",
                format!("{field} must be at most {MAX_TEXT} characters"),
            ));
            None
        }
        other => other.map(str::to_owned),
    }
}

pub(crate) fn db(error: diesel::result::Error) -> RecordError {
    RecordError::Db(techx_db::DbError::from(error))
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = matches)]
struct MatchRow {
    id: i64,
    listing_id: i64,
    request_id: i64,
    source: String,
    score: f64,
    explanation: String,
    status: String,
    note: Option<String>,
    listing_answer: Option<String>,
    listing_reason: Option<String>,
    listing_note: Option<String>,
    listing_answered_at: Option<NaiveDateTime>,
    request_answer: Option<String>,
    request_reason: Option<String>,
    request_note: Option<String>,
    request_answered_at: Option<NaiveDateTime>,
    created_by: Option<i64>,
    introduced_by: Option<i64>,
    introduced_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

pub(crate) fn stored<T: std::str::FromStr>(value: &str) -> Result<T, RecordError> {
    techx_catalogue::records::stored(value)
}

pub(crate) fn utc(at: NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    at.and_utc()
}

fn side_view(
    answer: &Option<String>,
    reason: &Option<String>,
    note: &Option<String>,
    at: Option<NaiveDateTime>,
) -> Result<SideAnswer, RecordError> {
    Ok(SideAnswer {
        answer: answer.as_deref().map(stored).transpose()?,
        reason: reason.as_deref().map(stored).transpose()?,
        note: note.clone(),
        answered_at: at.map(utc),
    })
}

/// A match as `viewer` may see it: who saved it stays unnamed when that names the organization
/// behind an anonymous request the viewer may not identify.
fn match_view(
    conn: &mut DbConn,
    viewer: &Actor,
    row: &MatchRow,
    listing: &Party,
    request: &Party,
) -> Result<MatchView, RecordError> {
    let disclosure = party::Disclosure::for_viewer(conn, viewer, &[listing, request])?;
    Ok(MatchView {
        id: row.id,
        listing_id: row.listing_id,
        request_id: row.request_id,
        listing_title: listing.title.clone(),
        request_title: request.title.clone(),
        source: stored(&row.source)?,
        score: row.score,
        explanation: serde_json::from_str(&row.explanation)
            .map_err(|e| RecordError::Corrupt(e.to_string()))?,
        status: stored(&row.status)?,
        note: row.note.clone(),
        listing_side: side_view(
            &row.listing_answer,
            &row.listing_reason,
            &row.listing_note,
            row.listing_answered_at,
        )?,
        request_side: side_view(
            &row.request_answer,
            &row.request_reason,
            &row.request_note,
            row.request_answered_at,
        )?,
        created_by: disclosure.person(row.created_by),
        introduced_by: disclosure.person(row.introduced_by),
        introduced_at: row.introduced_at.map(utc),
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    })
}

/// Whether `actor` may see this match: staff always; a member of either side once it is
/// introduced, or when their side saved it, as long as they may see both records.
fn match_visible(
    actor: &Actor,
    row: &MatchRow,
    listing: &Party,
    request: &Party,
    now: NaiveDateTime,
) -> bool {
    if actor.is_staff() {
        return true;
    }
    let on_listing = listing.owned_by(actor);
    let on_request = request.owned_by(actor);
    if !(on_listing || on_request) {
        return false;
    }
    if !(listing.visible_to(actor, now) && request.visible_to(actor, now)) {
        return false;
    }
    row.status != MatchStatus::Suggested.as_str()
        || (on_listing && row.listing_answer.is_some())
        || (on_request && row.request_answer.is_some())
}

fn load_match(conn: &mut DbConn, id: i64) -> Result<Option<(MatchRow, Party, Party)>, RecordError> {
    let Some(row) = matches::table
        .find(id)
        .select(MatchRow::as_select())
        .first(conn)
        .optional()
        .map_err(db)?
    else {
        return Ok(None);
    };
    let listing = listing_party(conn, row.listing_id)?;
    let request = request_party(conn, row.request_id)?;
    Ok(match (listing, request) {
        (Some(l), Some(r)) => Some((row, l, r)),
        _ => None,
    })
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = inquiries)]
struct InquiryRow {
    id: i64,
    entity: String,
    entity_id: i64,
    organization_id: i64,
    author_id: i64,
    cooperation_sought: String,
    missing: Option<String>,
    about_us: Option<String>,
    message: String,
    routed_to: String,
    status: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = inquiry_messages)]
struct MessageRow {
    id: i64,
    author_id: i64,
    side: String,
    body: String,
    created_at: NaiveDateTime,
}

/// The sides of an inquiry an actor is on.
/// How an actor stands to what organization `sender` sent about `record`, routed to its owner
/// or to the brokers (an inquiry, an access request): the sender's side, the owner's side (when
/// routed to the owner), the brokers' (staff), or none.
pub(crate) fn routed_side(
    actor: &Actor,
    sender: i64,
    routed_to: &str,
    record: &Party,
) -> Option<InquirySide> {
    if actor.is_member_of(techx_core::OrganizationId(sender)) {
        Some(InquirySide::Inquirer)
    } else if routed_to == "owner" && record.owned_by(actor) {
        Some(InquirySide::Owner)
    } else if actor.is_staff() {
        Some(InquirySide::Broker)
    } else {
        None
    }
}

/// Whether something the actor stands to as `side` belongs in `mailbox` (none: both).
pub(crate) fn in_mailbox(mailbox: Option<Mailbox>, side: Option<InquirySide>) -> bool {
    match (mailbox, side) {
        (_, None) => false,
        (Some(Mailbox::Sent), Some(side)) => side == InquirySide::Inquirer,
        (Some(Mailbox::Received), Some(side)) => side != InquirySide::Inquirer,
        (None, Some(_)) => true,
    }
}

fn inquiry_role(actor: &Actor, row: &InquiryRow, record: &Party) -> Option<InquirySide> {
    routed_side(actor, row.organization_id, &row.routed_to, record)
}

/// An inquiry as `viewer` may see it (the people of an anonymous requester stay unnamed).
fn inquiry_view(
    conn: &mut DbConn,
    viewer: &Actor,
    row: &InquiryRow,
    record: &Party,
    messages: Vec<MessageRow>,
) -> Result<InquiryView, RecordError> {
    let disclosure = party::Disclosure::for_viewer(conn, viewer, &[record])?;
    let cooperation: Vec<String> = serde_json::from_str(&row.cooperation_sought)
        .map_err(|e| RecordError::Corrupt(e.to_string()))?;
    Ok(InquiryView {
        id: row.id,
        entity: stored_entity(&row.entity)?,
        entity_id: row.entity_id,
        record_title: record.title.clone(),
        organization_id: row.organization_id,
        author_id: row.author_id,
        cooperation_sought: cooperation
            .iter()
            .map(|c| stored::<CooperationType>(c))
            .collect::<Result<_, _>>()?,
        missing: row.missing.clone(),
        about_us: row.about_us.clone(),
        message: row.message.clone(),
        routed_to: if row.routed_to == "owner" {
            InquiryRoute::Owner
        } else {
            InquiryRoute::Broker
        },
        status: stored(&row.status)?,
        messages: messages
            .into_iter()
            .map(|m| {
                Ok(InquiryMessage {
                    id: m.id,
                    side: stored_side(&m.side)?,
                    author_id: disclosure.person(Some(m.author_id)),
                    body: m.body,
                    created_at: utc(m.created_at),
                })
            })
            .collect::<Result<_, RecordError>>()?,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    })
}

pub(crate) fn stored_entity(value: &str) -> Result<Entity, RecordError> {
    match value {
        "listing" => Ok(Entity::Listing),
        "request" => Ok(Entity::Request),
        other => Err(RecordError::Corrupt(format!("entity {other}"))),
    }
}

fn stored_side(value: &str) -> Result<InquirySide, RecordError> {
    match value {
        "inquirer" => Ok(InquirySide::Inquirer),
        "owner" => Ok(InquirySide::Owner),
        "broker" => Ok(InquirySide::Broker),
        other => Err(RecordError::Corrupt(format!("inquiry side {other}"))),
    }
}

pub(crate) fn page<T>(items: Vec<T>, paging: Paging) -> Page<T> {
    let total = items.len() as i64;
    let items = items
        .into_iter()
        .skip(paging.offset as usize)
        .take(paging.limit as usize)
        .collect();
    Page::new(items, total, paging)
}

impl Brokerage {
    pub fn new(db: Db) -> Self {
        Brokerage { db }
    }

    /// The two records of a would-be match, checked for `actor`: both exist and are visible
    /// (404), both published (409), and the actor may save it (403). Returns the source.
    pub async fn check_new_match(
        &self,
        actor: &Actor,
        form: &MatchForm,
    ) -> Result<MatchSource, RecordError> {
        let (actor, form) = (actor.clone(), form.clone());
        self.db
            .run(move |conn| {
                let now = clock::now();
                let (_, _, source) = new_match_parties(conn, &actor, &form, now)?;
                Ok(source)
            })
            .await
    }

    /// Save a match with the score and explanation the matching engine gave it.
    pub async fn create_match(
        &self,
        actor: &Actor,
        form: MatchForm,
        score: f64,
        explanation: serde_json::Value,
    ) -> Result<MatchView, RecordError> {
        let mut errors = Vec::new();
        let note = text(&mut errors, "note", &form.note, false);
        if !errors.is_empty() {
            return Err(RecordError::Invalid(errors));
        }
        let actor = actor.clone();
        self.db
            .write(move |conn| {
                let now = clock::now();
                let (listing, request, source) = new_match_parties(conn, &actor, &form, now)?;
                let accept = |mine: bool| mine.then(|| MatchAnswer::Accept.as_str().to_owned());
                let self_saved = source == MatchSource::SelfProposed;
                let listing_answer = accept(self_saved && listing.editable_by(&actor));
                let request_answer = accept(self_saved && request.editable_by(&actor));
                let row: MatchRow = diesel::insert_into(matches::table)
                    .values((
                        matches::listing_id.eq(form.listing_id),
                        matches::request_id.eq(form.request_id),
                        matches::source.eq(source.as_str()),
                        matches::score.eq(score),
                        matches::explanation.eq(explanation.to_string()),
                        matches::status.eq(MatchStatus::Suggested.as_str()),
                        matches::note.eq(note),
                        matches::listing_answered_at.eq(listing_answer.as_ref().map(|_| now)),
                        matches::listing_answer.eq(listing_answer),
                        matches::request_answered_at.eq(request_answer.as_ref().map(|_| now)),
                        matches::request_answer.eq(request_answer),
                        matches::created_by.eq(actor.user_id().map(|u| u.0)),
                        matches::created_at.eq(now),
                        matches::updated_at.eq(now),
                    ))
                    .get_result::<MatchRow>(conn)
                    .map_err(|error| {
                        // The unique pair is the rule; the message names no match, which the
                        // caller may not be allowed to see.
                        let error = db(error);
                        if matches!(&error, RecordError::Db(e) if e.is_unique_violation()) {
                            RecordError::Conflict(
                                "this listing and request are already matched".to_owned(),
                            )
                        } else {
                            error
                        }
                    })?;
                match_view(conn, &actor, &row, &listing, &request)
            })
            .await
    }

    /// One match, if the caller may see it.
    pub async fn get_match(&self, actor: &Actor, id: i64) -> Result<MatchView, RecordError> {
        let actor = actor.clone();
        self.db
            .run(move |conn| {
                let now = clock::now();
                let (row, listing, request) = load_match(conn, id)?
                    .filter(|(r, l, q)| match_visible(&actor, r, l, q, now))
                    .ok_or(RecordError::NotFound("match"))?;
                match_view(conn, &actor, &row, &listing, &request)
            })
            .await
    }

    /// The matches the caller may see, newest first, with an exact total.
    pub async fn list_matches(
        &self,
        actor: &Actor,
        filter: MatchFilter,
        paging: Paging,
    ) -> Result<Page<MatchView>, RecordError> {
        let actor = actor.clone();
        self.db
            .run(move |conn| {
                let now = clock::now();
                let mut query = matches::table.into_boxed();
                if let Some(status) = filter.status {
                    query = query.filter(matches::status.eq(status.as_str()));
                }
                if let Some(id) = filter.listing_id {
                    query = query.filter(matches::listing_id.eq(id));
                }
                if let Some(id) = filter.request_id {
                    query = query.filter(matches::request_id.eq(id));
                }
                if !actor.is_staff() {
                    // Only matches that involve one of the caller's records.
                    let orgs = actor.organization_ids();
                    let own_listings: Vec<i64> = listings::table
                        .filter(listings::organization_id.eq_any(&orgs))
                        .select(listings::id)
                        .load(conn)
                        .map_err(db)?;
                    let own_requests: Vec<i64> = requests::table
                        .filter(requests::organization_id.eq_any(&orgs))
                        .select(requests::id)
                        .load(conn)
                        .map_err(db)?;
                    query = query.filter(
                        matches::listing_id
                            .eq_any(own_listings)
                            .or(matches::request_id.eq_any(own_requests)),
                    );
                }
                let rows: Vec<MatchRow> = query
                    .order(matches::id.desc())
                    .select(MatchRow::as_select())
                    .load(conn)
                    .map_err(db)?;
                let mut parties: HashMap<(Entity, i64), Option<Party>> = HashMap::new();
                let mut views = Vec::new();
                for row in rows {
                    for (entity, id) in [
                        (Entity::Listing, row.listing_id),
                        (Entity::Request, row.request_id),
                    ] {
                        if let std::collections::hash_map::Entry::Vacant(slot) =
                            parties.entry((entity, id))
                        {
                            slot.insert(party(conn, entity, id)?);
                        }
                    }
                    let listing = parties.get(&(Entity::Listing, row.listing_id)).cloned();
                    let request = parties.get(&(Entity::Request, row.request_id)).cloned();
                    if let (Some(Some(listing)), Some(Some(request))) = (listing, request)
                        && match_visible(&actor, &row, &listing, &request, now)
                    {
                        views.push(match_view(conn, &actor, &row, &listing, &request)?);
                    }
                }
                Ok(page(views, paging))
            })
            .await
    }

    /// A broker introduces the two sides: `suggested` → `introduced`.
    pub async fn introduce(
        &self,
        actor: &Actor,
        id: i64,
        form: NoteForm,
    ) -> Result<MatchView, RecordError> {
        let mut errors = Vec::new();
        let note = text(&mut errors, "note", &form.note, false);
        if !errors.is_empty() {
            return Err(RecordError::Invalid(errors));
        }
        let actor = actor.clone();
        self.db
            .write(move |conn| {
                let now = clock::now();
                let (row, listing, request) = load_match(conn, id)?
                    .filter(|(r, l, q)| match_visible(&actor, r, l, q, now))
                    .ok_or(RecordError::NotFound("match"))?;
                if !actor.is_staff() {
                    return Err(RecordError::Forbidden("only brokers introduce matches"));
                }
                let not_suggested = |status: &str| {
                    RecordError::Conflict(format!(
                        "the match is {status}: only a suggested match can be introduced"
                    ))
                };
                if row.status != MatchStatus::Suggested.as_str() {
                    return Err(not_suggested(&row.status));
                }
                let note = note.or(row.note.clone());
                // Only while still suggested: of two introductions at once, one lands.
                let row: MatchRow = diesel::update(
                    matches::table
                        .find(id)
                        .filter(matches::status.eq(MatchStatus::Suggested.as_str())),
                )
                .set((
                    matches::status.eq(MatchStatus::Introduced.as_str()),
                    matches::introduced_by.eq(actor.user_id().map(|u| u.0)),
                    matches::introduced_at.eq(Some(now)),
                    matches::note.eq(note),
                    matches::updated_at.eq(now),
                ))
                .get_result::<MatchRow>(conn)
                .optional()
                .map_err(db)?
                .ok_or_else(|| not_suggested(MatchStatus::Introduced.as_str()))?;
                match_view(conn, &actor, &row, &listing, &request)
            })
            .await
    }

    /// One side answers an introduction. Any decline declines the match; two accepts accept
    /// it.
    pub async fn answer(
        &self,
        actor: &Actor,
        id: i64,
        form: AnswerForm,
    ) -> Result<MatchView, RecordError> {
        let mut errors = Vec::new();
        let note = text(&mut errors, "note", &form.note, false);
        match (form.answer, form.reason) {
            (MatchAnswer::Decline, None) => errors.push(FieldError::new(
                "reason",
                "required",
                "a decline needs a reason",
            )),
            (MatchAnswer::Accept, Some(_)) => errors.push(FieldError::new(
                "reason",
                "not_allowed",
                "a reason is given only with a decline",
            )),
            _ => {}
        }
        if !errors.is_empty() {
            return Err(RecordError::Invalid(errors));
        }
        let actor = actor.clone();
        self.db
            .write(move |conn| {
                let now = clock::now();
                let (row, listing, request) = load_match(conn, id)?
                    .filter(|(r, l, q)| match_visible(&actor, r, l, q, now))
                    .ok_or(RecordError::NotFound("match"))?;
                let mine = [
                    (MatchSide::Listing, listing.editable_by(&actor)),
                    (MatchSide::Request, request.editable_by(&actor)),
                ];
                let sides: Vec<MatchSide> =
                    mine.iter().filter(|(_, m)| *m).map(|(s, _)| *s).collect();
                let side = match (form.side, sides.as_slice()) {
                    (_, []) => {
                        return Err(RecordError::Forbidden(
                            "only the owners and editors of either side answer a match",
                        ));
                    }
                    (Some(side), _) if !sides.contains(&side) => {
                        return Err(RecordError::Forbidden(
                            "you cannot answer for that side of the match",
                        ));
                    }
                    (Some(side), _) => side,
                    (None, [side]) => *side,
                    (None, _) => {
                        return Err(RecordError::invalid(
                            "side",
                            "required",
                            "both sides are yours: say which one answers",
                        ));
                    }
                };
                if row.status != MatchStatus::Introduced.as_str() {
                    return Err(RecordError::Conflict(format!(
                        "the match is {}: only an introduced match can be answered",
                        row.status
                    )));
                }
                let answered = match side {
                    MatchSide::Listing => row.listing_answer.is_some(),
                    MatchSide::Request => row.request_answer.is_some(),
                };
                if answered {
                    return Err(RecordError::Conflict(format!(
                        "the {} side has already answered",
                        side.as_str()
                    )));
                }
                // The side's answer is written only while the match is introduced and that side
                // has not answered: of two answers at once, one lands. The row stays locked
                // until commit, so the status below sees the other side's answer if it came
                // first.
                let reason = form.reason.map(|r| r.as_str().to_owned());
                let target = matches::table
                    .find(id)
                    .filter(matches::status.eq(MatchStatus::Introduced.as_str()));
                let answered = match side {
                    MatchSide::Listing => {
                        diesel::update(target.filter(matches::listing_answer.is_null()))
                            .set((
                                matches::listing_answer.eq(form.answer.as_str()),
                                matches::listing_reason.eq(reason),
                                matches::listing_note.eq(note),
                                matches::listing_answered_at.eq(now),
                                matches::updated_at.eq(now),
                            ))
                            .execute(conn)
                    }
                    MatchSide::Request => {
                        diesel::update(target.filter(matches::request_answer.is_null()))
                            .set((
                                matches::request_answer.eq(form.answer.as_str()),
                                matches::request_reason.eq(reason),
                                matches::request_note.eq(note),
                                matches::request_answered_at.eq(now),
                                matches::updated_at.eq(now),
                            ))
                            .execute(conn)
                    }
                }
                .map_err(db)?;
                if answered == 0 {
                    return Err(RecordError::Conflict(format!(
                        "the {} side has already answered, or the match is no longer introduced",
                        side.as_str()
                    )));
                }
                let row: MatchRow = matches::table
                    .find(id)
                    .select(MatchRow::as_select())
                    .first(conn)
                    .map_err(db)?;
                let decline = Some(MatchAnswer::Decline.as_str());
                let accept = Some(MatchAnswer::Accept.as_str());
                let (listing_answer, request_answer) =
                    (row.listing_answer.as_deref(), row.request_answer.as_deref());
                let status = if listing_answer == decline || request_answer == decline {
                    MatchStatus::Declined
                } else if listing_answer == accept && request_answer == accept {
                    MatchStatus::Accepted
                } else {
                    MatchStatus::Introduced
                };
                let row: MatchRow = diesel::update(matches::table.find(id))
                    .set(matches::status.eq(status.as_str()))
                    .get_result::<MatchRow>(conn)
                    .map_err(db)?;
                match_view(conn, &actor, &row, &listing, &request)
            })
            .await
    }

    /// Send an inquiry about a published record, as a member of a verified organization.
    pub async fn create_inquiry(
        &self,
        actor: &Actor,
        form: InquiryForm,
    ) -> Result<InquiryView, RecordError> {
        let mut errors = Vec::new();
        let message = text(&mut errors, "message", &form.message, true);
        let missing = text(&mut errors, "missing", &form.missing, false);
        let about_us = text(&mut errors, "about_us", &form.about_us, false);
        if form.cooperation_sought.len() > MAX_CODES {
            errors.push(FieldError::new(
                "cooperation_sought",
                "too_many",
                format!("at most {MAX_CODES} cooperation types"),
            ));
        }
        let cooperation: BTreeSet<CooperationType> =
            form.cooperation_sought.iter().copied().collect();
        if !errors.is_empty() {
            return Err(RecordError::Invalid(errors));
        }
        let (author, organization) = verified_organization(
            actor,
            form.organization_id,
            "only members of verified organizations send inquiries",
        )?;
        let actor = actor.clone();
        let cooperation =
            serde_json::to_string(&cooperation.iter().map(|c| c.as_str()).collect::<Vec<_>>())
                .map_err(|e| RecordError::Corrupt(e.to_string()))?;
        self.db
            .write(move |conn| {
                let now = clock::now();
                let record = party(conn, form.entity, form.entity_id)?
                    .filter(|p| p.visible_to(&actor, now))
                    .ok_or(RecordError::NotFound(form.entity.as_str()))?;
                if !record.live(now) {
                    return Err(RecordError::Conflict(format!(
                        "the {} is {}: only published records take inquiries",
                        form.entity.as_str(),
                        record.status
                    )));
                }
                if record.organization_id == organization {
                    return Err(RecordError::Conflict(
                        "this record belongs to your organization".to_owned(),
                    ));
                }
                let routed = if record.anonymous { "broker" } else { "owner" };
                let row: InquiryRow = diesel::insert_into(inquiries::table)
                    .values((
                        inquiries::entity.eq(form.entity.as_str()),
                        inquiries::entity_id.eq(form.entity_id),
                        inquiries::organization_id.eq(organization),
                        inquiries::author_id.eq(author),
                        inquiries::cooperation_sought.eq(cooperation),
                        inquiries::missing.eq(missing),
                        inquiries::about_us.eq(about_us),
                        inquiries::message.eq(message.unwrap_or_default()),
                        inquiries::routed_to.eq(routed),
                        inquiries::status.eq(InquiryStatus::Open.as_str()),
                        inquiries::created_at.eq(now),
                        inquiries::updated_at.eq(now),
                    ))
                    .get_result::<InquiryRow>(conn)
                    .map_err(db)?;
                inquiry_view(conn, &actor, &row, &record, Vec::new())
            })
            .await
    }

    /// One inquiry with its thread, for its parties and staff.
    pub async fn get_inquiry(&self, actor: &Actor, id: i64) -> Result<InquiryView, RecordError> {
        let actor = actor.clone();
        self.db
            .run(move |conn| {
                let (row, record) = load_inquiry(conn, id)?
                    .filter(|(row, record)| inquiry_role(&actor, row, record).is_some())
                    .ok_or(RecordError::NotFound("inquiry"))?;
                let messages = messages_of(conn, id)?;
                inquiry_view(conn, &actor, &row, &record, messages)
            })
            .await
    }

    /// The inquiries the caller sent or received (staff: all), newest first.
    pub async fn list_inquiries(
        &self,
        actor: &Actor,
        filter: InquiryFilter,
        paging: Paging,
    ) -> Result<Page<InquiryView>, RecordError> {
        let actor = actor.clone();
        self.db
            .run(move |conn| {
                let mut query = inquiries::table.into_boxed();
                if let Some(entity) = filter.entity {
                    query = query.filter(inquiries::entity.eq(entity.as_str()));
                }
                if let Some(id) = filter.entity_id {
                    query = query.filter(inquiries::entity_id.eq(id));
                }
                if let Some(status) = filter.status {
                    query = query.filter(inquiries::status.eq(status.as_str()));
                }
                let rows: Vec<InquiryRow> = query
                    .order(inquiries::id.desc())
                    .select(InquiryRow::as_select())
                    .load(conn)
                    .map_err(db)?;
                let mut views = Vec::new();
                for row in rows {
                    let Some(record) = party(conn, stored_entity(&row.entity)?, row.entity_id)?
                    else {
                        continue;
                    };
                    if in_mailbox(filter.mailbox, inquiry_role(&actor, &row, &record)) {
                        views.push(inquiry_view(conn, &actor, &row, &record, Vec::new())?);
                    }
                }
                Ok(page(views, paging))
            })
            .await
    }

    /// Reply in an inquiry's thread: the inquirer's members, the owner's members (when routed
    /// to the owner) or staff.
    pub async fn reply(
        &self,
        actor: &Actor,
        id: i64,
        form: MessageForm,
    ) -> Result<InquiryView, RecordError> {
        let mut errors = Vec::new();
        let body = text(&mut errors, "body", &form.body, true);
        if !errors.is_empty() {
            return Err(RecordError::Invalid(errors));
        }
        let Some(author) = actor.user_id() else {
            return Err(RecordError::Forbidden(
                "replies are written by people, not API keys",
            ));
        };
        let actor = actor.clone();
        self.db
            .write(move |conn| {
                let now = clock::now();
                let (row, record) = load_inquiry(conn, id)?
                    .filter(|(row, record)| inquiry_role(&actor, row, record).is_some())
                    .ok_or(RecordError::NotFound("inquiry"))?;
                let side =
                    inquiry_role(&actor, &row, &record).ok_or(RecordError::NotFound("inquiry"))?;
                // The thread takes the reply only while open, decided by the update itself.
                let open = diesel::update(
                    inquiries::table
                        .find(id)
                        .filter(inquiries::status.eq(InquiryStatus::Open.as_str())),
                )
                .set(inquiries::updated_at.eq(now))
                .execute(conn)
                .map_err(db)?;
                if open == 0 {
                    return Err(RecordError::Conflict(
                        "the inquiry is closed: no more replies".to_owned(),
                    ));
                }
                diesel::insert_into(inquiry_messages::table)
                    .values((
                        inquiry_messages::inquiry_id.eq(id),
                        inquiry_messages::author_id.eq(author.0),
                        inquiry_messages::side.eq(side.as_str()),
                        inquiry_messages::body.eq(body.unwrap_or_default()),
                        inquiry_messages::created_at.eq(now),
                    ))
                    .execute(conn)
                    .map_err(db)?;
                let messages = messages_of(conn, id)?;
                inquiry_view(
                    conn,
                    &actor,
                    &InquiryRow {
                        updated_at: now,
                        ..row
                    },
                    &record,
                    messages,
                )
            })
            .await
    }

    /// Close an inquiry (either party, or staff); a closed thread takes no replies.
    pub async fn close_inquiry(&self, actor: &Actor, id: i64) -> Result<InquiryView, RecordError> {
        let actor = actor.clone();
        self.db
            .write(move |conn| {
                let now = clock::now();
                let (row, record) = load_inquiry(conn, id)?
                    .filter(|(row, record)| inquiry_role(&actor, row, record).is_some())
                    .ok_or(RecordError::NotFound("inquiry"))?;
                let closed = diesel::update(
                    inquiries::table
                        .find(id)
                        .filter(inquiries::status.eq(InquiryStatus::Open.as_str())),
                )
                .set((
                    inquiries::status.eq(InquiryStatus::Closed.as_str()),
                    inquiries::updated_at.eq(now),
                ))
                .execute(conn)
                .map_err(db)?;
                if closed == 0 {
                    return Err(RecordError::Conflict(
                        "the inquiry is already closed".to_owned(),
                    ));
                }
                let messages = messages_of(conn, id)?;
                let closed = InquiryRow {
                    status: InquiryStatus::Closed.as_str().to_owned(),
                    updated_at: now,
                    ..row
                };
                inquiry_view(conn, &actor, &closed, &record, messages)
            })
            .await
    }
}

/// The person acting and the verified organization they act for (`chosen`, or their first
/// verified one).
pub(crate) fn verified_organization(
    actor: &Actor,
    chosen: Option<i64>,
    refusal: &'static str,
) -> Result<(i64, i64), RecordError> {
    let Some(author) = actor.user_id() else {
        return Err(RecordError::Forbidden(
            "this is done by people signed in, not API keys",
        ));
    };
    let verified: Vec<i64> = actor
        .memberships
        .iter()
        .filter(|m| m.verified)
        .map(|m| m.organization_id.0)
        .collect();
    let organization = match chosen {
        Some(id) if verified.contains(&id) => id,
        Some(_) => {
            return Err(RecordError::invalid(
                "organization_id",
                "not_allowed",
                "you are not a member of that verified organization",
            ));
        }
        None => *verified.first().ok_or(RecordError::Forbidden(refusal))?,
    };
    Ok((author.0, organization))
}

fn new_match_parties(
    conn: &mut DbConn,
    actor: &Actor,
    form: &MatchForm,
    now: NaiveDateTime,
) -> Result<(Party, Party, MatchSource), RecordError> {
    let listing = listing_party(conn, form.listing_id)?
        .filter(|p| p.visible_to(actor, now))
        .ok_or(RecordError::NotFound("listing"))?;
    let request = request_party(conn, form.request_id)?
        .filter(|p| p.visible_to(actor, now))
        .ok_or(RecordError::NotFound("request"))?;
    let source = if actor.is_staff() {
        MatchSource::Broker
    } else if listing.editable_by(actor) || request.editable_by(actor) {
        MatchSource::SelfProposed
    } else {
        return Err(RecordError::Forbidden(
            "matches are saved by brokers, or by the owners and editors of either side",
        ));
    };
    for (entity, record) in [("listing", &listing), ("request", &request)] {
        if !record.live(now) {
            return Err(RecordError::Conflict(format!(
                "the {entity} is {}: only published records are matched",
                record.status
            )));
        }
    }
    Ok((listing, request, source))
}

fn load_inquiry(conn: &mut DbConn, id: i64) -> Result<Option<(InquiryRow, Party)>, RecordError> {
    let Some(row) = inquiries::table
        .find(id)
        .select(InquiryRow::as_select())
        .first(conn)
        .optional()
        .map_err(db)?
    else {
        return Ok(None);
    };
    let record = party(conn, stored_entity(&row.entity)?, row.entity_id)?;
    Ok(record.map(|r| (row, r)))
}

fn messages_of(conn: &mut DbConn, id: i64) -> Result<Vec<MessageRow>, RecordError> {
    inquiry_messages::table
        .filter(inquiry_messages::inquiry_id.eq(id))
        .order(inquiry_messages::id.asc())
        .select(MessageRow::as_select())
        .load(conn)
        .map_err(db)
}
