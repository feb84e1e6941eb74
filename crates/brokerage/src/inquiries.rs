//! Inquiries: a verified organization's question about a published record and the thread
//! that follows, routed to the owner or, for an anonymous request, to the brokers.

use crate::dto::*;
use crate::routed_to;
use crate::stored_record;
use crate::{
    Brokerage, MAX_CODES, Party, db, only_text, party, routed_side, stored, stored_entity, text,
    utc, verified_organization, visibility,
};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::BTreeSet;
use techx_accounts::Actor;
use techx_catalogue::records::RecordError;
use techx_core::InquiryId;
use techx_core::RecordRef;
use techx_core::clock;
use techx_core::codes::{CooperationType, InquiryStatus};
use techx_core::error::FieldError;
use techx_core::page::{Page, Paging};
use techx_db::DbConn;
use techx_db::schema::inquiries;
use techx_db::schema::inquiry_messages;

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
        id: InquiryId(row.id),
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

fn stored_side(value: &str) -> Result<InquirySide, RecordError> {
    match value {
        "inquirer" => Ok(InquirySide::Inquirer),
        "owner" => Ok(InquirySide::Owner),
        "broker" => Ok(InquirySide::Broker),
        other => Err(RecordError::Corrupt(format!("inquiry side {other}"))),
    }
}

impl Brokerage {
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
        RecordError::invalid_if_any(errors)?;
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
                let (record, routed) = routed_to(
                    conn,
                    &actor,
                    RecordRef::new(form.entity, form.entity_id),
                    organization,
                    "inquiries",
                    now,
                )?;
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
    pub async fn get_inquiry(
        &self,
        actor: &Actor,
        id: InquiryId,
    ) -> Result<InquiryView, RecordError> {
        let id = id.0;
        let actor = actor.clone();
        self.db
            .run(move |conn| {
                let (row, record) = party_inquiry(conn, &actor, id)?;
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
                let query = || {
                    let mut query = inquiries::table
                        .into_boxed()
                        .filter(visibility::inquiries_seen(&actor, filter.mailbox));
                    if let Some(entity) = filter.entity {
                        query = query.filter(inquiries::entity.eq(entity.as_str()));
                    }
                    if let Some(id) = filter.entity_id {
                        query = query.filter(inquiries::entity_id.eq(id));
                    }
                    if let Some(status) = filter.status {
                        query = query.filter(inquiries::status.eq(status.as_str()));
                    }
                    query
                };
                let (rows, total) = paged!(conn, query, inquiries::id.desc(), InquiryRow, paging);
                Page::from_rows_present(rows, total, paging, |row| {
                    party(conn, stored_record(&row.entity, row.entity_id)?)?
                        .map(|record| inquiry_view(conn, &actor, &row, &record, Vec::new()))
                        .transpose()
                })
            })
            .await
    }

    /// Reply in an inquiry's thread: the inquirer's members, the owner's members (when routed
    /// to the owner) or staff.
    pub async fn reply(
        &self,
        actor: &Actor,
        id: InquiryId,
        form: MessageForm,
    ) -> Result<InquiryView, RecordError> {
        let id = id.0;
        let body = only_text("body", &form.body, true)?;
        let Some(author) = actor.user_id() else {
            return Err(RecordError::Forbidden(
                "replies are written by people, not API keys",
            ));
        };
        let actor = actor.clone();
        self.db
            .write(move |conn| {
                let now = clock::now();
                let (row, record) = party_inquiry(conn, &actor, id)?;
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
    pub async fn close_inquiry(
        &self,
        actor: &Actor,
        id: InquiryId,
    ) -> Result<InquiryView, RecordError> {
        let id = id.0;
        let actor = actor.clone();
        self.db
            .write(move |conn| {
                let now = clock::now();
                let (row, record) = party_inquiry(conn, &actor, id)?;
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

/// The inquiry `id` with its record, for its parties and staff; not found for anyone else.
fn party_inquiry(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
) -> Result<(InquiryRow, Party), RecordError> {
    load_inquiry(conn, id)?
        .filter(|(row, record)| inquiry_role(actor, row, record).is_some())
        .ok_or(RecordError::NotFound("inquiry"))
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
    let record = party(conn, stored_record(&row.entity, row.entity_id)?)?;
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
