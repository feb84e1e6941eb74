//! Matches: a listing and a request paired, carried from suggestion through introduction to
//! each side's answer.

use crate::dto::*;
use crate::{
    Brokerage, Party, db, listing_party, only_text, party, request_party, stored, text, utc,
    visibility,
};
use crate::{ServiceError, Services};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use techx_accounts::Actor;
use techx_catalogue::engine::public_view_in;
use techx_catalogue::records::RecordError;
use techx_core::clock;
use techx_core::codes::{MatchAnswer, MatchSource, MatchStatus};
use techx_core::error::FieldError;
use techx_core::page::{Page, Paging};
use techx_core::{ListingId, MatchId, RequestId};
use techx_db::DbConn;
use techx_db::schema::matches;
use techx_listings::ListingCatalogue;
use techx_matching::Facts;
use techx_requests::RequestCatalogue;
use techx_search::SearchError;

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
        id: MatchId(row.id),
        listing_id: ListingId(row.listing_id),
        request_id: RequestId(row.request_id),
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
    let listing = listing_party(conn, ListingId(row.listing_id))?;
    let request = request_party(conn, RequestId(row.request_id))?;
    Ok(match (listing, request) {
        (Some(l), Some(r)) => Some((row, l, r)),
        _ => None,
    })
}

impl Brokerage {
    /// One match, if the caller may see it.
    pub async fn get_match(&self, actor: &Actor, id: MatchId) -> Result<MatchView, RecordError> {
        let id = id.0;
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
                let query = || {
                    let mut query = matches::table
                        .into_boxed()
                        .filter(visibility::matches_seen(&actor, now));
                    if let Some(status) = filter.status {
                        query = query.filter(matches::status.eq(status.as_str()));
                    }
                    if let Some(id) = filter.listing_id {
                        query = query.filter(matches::listing_id.eq(id.0));
                    }
                    if let Some(id) = filter.request_id {
                        query = query.filter(matches::request_id.eq(id.0));
                    }
                    query
                };
                let (rows, total) = paged!(conn, query, matches::id.desc(), MatchRow, paging);
                Page::from_rows_present(rows, total, paging, |row| {
                    let listing = listing_party(conn, ListingId(row.listing_id))?;
                    let request = request_party(conn, RequestId(row.request_id))?;
                    let (Some(listing), Some(request)) = (listing, request) else {
                        return Ok(None);
                    };
                    match_view(conn, &actor, &row, &listing, &request).map(Some)
                })
            })
            .await
    }

    /// A broker introduces the two sides: `suggested` → `introduced`.
    pub async fn introduce(
        &self,
        actor: &Actor,
        id: MatchId,
        form: NoteForm,
    ) -> Result<MatchView, RecordError> {
        let id = id.0;
        let note = only_text("note", &form.note, false)?;
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
        id: MatchId,
        form: AnswerForm,
    ) -> Result<MatchView, RecordError> {
        let id = id.0;
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
        RecordError::invalid_if_any(errors)?;
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

/// Save a match, in one transaction: the two records are checked for `actor` (both visible to
/// it, else 404; both published, else 409; the actor may save it, else 403), the matching engine
/// scores the pair as the actor sees both records, and the match is stored with that score and
/// its explanation (a pair already matched is 409).
pub async fn save_match(
    services: &Services<'_>,
    actor: &Actor,
    form: MatchForm,
) -> Result<MatchView, ServiceError> {
    let note = only_text("note", &form.note, false)?;
    let index = services.index.clone().ok_or(ServiceError::NoIndex)?;
    let actor = actor.clone();
    services
        .brokerage
        .db
        .write(move |conn| {
            let now = clock::now();
            let (listing, request, source) = new_match_parties(conn, &actor, &form, now)?;
            let need =
                public_view_in::<RequestCatalogue>(conn, Some(&actor), form.request_id, now)?;
            let offer =
                public_view_in::<ListingCatalogue>(conn, Some(&actor), form.listing_id, now)?;
            let scored = techx_matching::score_pair(
                &index,
                &techx_matching::Config::default(),
                &Facts::from(&need),
                form.listing_id.0,
                &Facts::from(&offer),
                chrono::Utc::now(),
            )?;
            let explanation =
                serde_json::to_string(&scored.explanation).map_err(SearchError::from)?;
            let accept = |mine: bool| mine.then(|| MatchAnswer::Accept.as_str().to_owned());
            let self_saved = source == MatchSource::SelfProposed;
            let listing_answer = accept(self_saved && listing.editable_by(&actor));
            let request_answer = accept(self_saved && request.editable_by(&actor));
            let row: MatchRow = diesel::insert_into(matches::table)
                .values((
                    matches::listing_id.eq(form.listing_id.0),
                    matches::request_id.eq(form.request_id.0),
                    matches::source.eq(source.as_str()),
                    matches::score.eq(scored.score),
                    matches::explanation.eq(explanation),
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
            Ok(match_view(conn, &actor, &row, &listing, &request)?)
        })
        .await
}
