//! Requests for the confidential tier: a verified organization asks, the owner organization
//! (or a broker, for an anonymous request) grants until a date or refuses. A grant is an
//! `access_grants` row, which every road that shows the record honours; reads under it are
//! logged like every outside read of the confidential tier.

use crate::dto::{
    AccessDecisionForm, AccessReport, AccessRequestFilter, AccessRequestForm, AccessRequestView,
    GrantView, InquiryRoute, InquirySide, ReadView,
};
use crate::party::Disclosure;
use crate::routed_to;
use crate::stored_record;
use crate::{
    Brokerage, Party, db, only_text, party, routed_side, stored, stored_entity, text, utc,
    verified_organization, visibility,
};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use techx_accounts::Actor;
use techx_catalogue::records::RecordError;
use techx_core::clock;
use techx_core::codes::AccessRequestStatus;
use techx_core::error::FieldError;
use techx_core::page::{Page, Paging};
use techx_core::{AccessRequestId, RecordRef};
use techx_db::DbConn;
use techx_db::schema::{access_grants, access_requests};

/// Every column of `access_grants`, as an insert returns them.
type GrantRow = (
    i64,
    String,
    i64,
    i64,
    Option<i64>,
    NaiveDateTime,
    Option<NaiveDateTime>,
    NaiveDateTime,
);

/// The longest a grant may run.
const MAX_GRANT_DAYS: i64 = 3 * 366;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = access_requests)]
struct AccessRow {
    id: i64,
    entity: String,
    entity_id: i64,
    organization_id: i64,
    requested_by: i64,
    message: String,
    routed_to: String,
    status: String,
    decided_at: Option<NaiveDateTime>,
    decision_note: Option<String>,
    grant_id: Option<i64>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

fn role(actor: &Actor, row: &AccessRow, record: &Party) -> Option<InquirySide> {
    routed_side(actor, row.organization_id, &row.routed_to, record)
}

/// Staff decide any access request; the owner's owners and editors those routed to the owner.
fn may_decide(actor: &Actor, row: &AccessRow, record: &Party) -> bool {
    match role(actor, row, record) {
        Some(InquirySide::Broker) => true,
        Some(InquirySide::Owner) => record.editable_by(actor),
        _ => false,
    }
}

/// An access request as `viewer` may see it (the people of an anonymous requester stay
/// unnamed).
fn view(
    conn: &mut DbConn,
    viewer: &Actor,
    row: &AccessRow,
    record: &Party,
) -> Result<AccessRequestView, RecordError> {
    let disclosure = Disclosure::for_viewer(conn, viewer, &[record])?;
    let expires_at = match row.grant_id {
        Some(id) => access_grants::table
            .find(id)
            .select(access_grants::expires_at)
            .first::<NaiveDateTime>(conn)
            .optional()
            .map_err(db)?,
        None => None,
    };
    Ok(AccessRequestView {
        id: AccessRequestId(row.id),
        entity: stored_entity(&row.entity)?,
        entity_id: row.entity_id,
        record_title: record.title.clone(),
        organization_id: row.organization_id,
        requested_by: disclosure.person(Some(row.requested_by)),
        message: row.message.clone(),
        routed_to: if row.routed_to == "owner" {
            InquiryRoute::Owner
        } else {
            InquiryRoute::Broker
        },
        status: stored(&row.status)?,
        decided_at: row.decided_at.map(utc),
        decision_note: row.decision_note.clone(),
        grant_id: row.grant_id,
        expires_at: expires_at.map(utc),
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    })
}

fn load(conn: &mut DbConn, id: i64) -> Result<Option<(AccessRow, Party)>, RecordError> {
    let Some(row) = access_requests::table
        .find(id)
        .select(AccessRow::as_select())
        .first(conn)
        .optional()
        .map_err(db)?
    else {
        return Ok(None);
    };
    let record = party(conn, stored_record(&row.entity, row.entity_id)?)?;
    Ok(record.map(|r| (row, r)))
}

impl Brokerage {
    /// Ask for the confidential tier of a published record, for a verified organization.
    pub async fn request_access(
        &self,
        actor: &Actor,
        form: AccessRequestForm,
    ) -> Result<AccessRequestView, RecordError> {
        let message = only_text("message", &form.message, true)?;
        let (author, organization) = verified_organization(
            actor,
            form.organization_id,
            "only members of verified organizations ask for the confidential tier",
        )?;
        let actor = actor.clone();
        self.db
            .write(move |conn| {
                let now = clock::now();
                let (record, routed) = routed_to(
                    conn,
                    &actor,
                    RecordRef::new(form.entity, form.entity_id),
                    organization,
                    "access requests",
                    now,
                )?;
                let row: AccessRow = diesel::insert_into(access_requests::table)
                    .values((
                        access_requests::entity.eq(form.entity.as_str()),
                        access_requests::entity_id.eq(form.entity_id),
                        access_requests::organization_id.eq(organization),
                        access_requests::requested_by.eq(author),
                        access_requests::message.eq(message.unwrap_or_default()),
                        access_requests::routed_to.eq(routed),
                        access_requests::status.eq(AccessRequestStatus::Pending.as_str()),
                        access_requests::created_at.eq(now),
                        access_requests::updated_at.eq(now),
                    ))
                    .get_result::<AccessRowFull>(conn)
                    .map_err(|error| {
                        // One pending request per organization and record: a unique index.
                        let error = db(error);
                        if matches!(&error, RecordError::Db(e) if e.is_unique_violation()) {
                            RecordError::Conflict(
                                "your organization already has a pending access request for this record"
                                    .to_owned(),
                            )
                        } else {
                            error
                        }
                    })?
                    .into();
                view(conn, &actor, &row, &record)
            })
            .await
    }

    /// One access request, for its parties and staff.
    pub async fn get_access_request(
        &self,
        actor: &Actor,
        id: AccessRequestId,
    ) -> Result<AccessRequestView, RecordError> {
        let id = id.0;
        let actor = actor.clone();
        self.db
            .run(move |conn| {
                let (row, record) = load(conn, id)?
                    .filter(|(row, record)| role(&actor, row, record).is_some())
                    .ok_or(RecordError::NotFound("access request"))?;
                view(conn, &actor, &row, &record)
            })
            .await
    }

    /// The access requests the caller's organizations sent or may decide (staff: all).
    pub async fn list_access_requests(
        &self,
        actor: &Actor,
        filter: AccessRequestFilter,
        paging: Paging,
    ) -> Result<Page<AccessRequestView>, RecordError> {
        let actor = actor.clone();
        self.db
            .run(move |conn| {
                let query = || {
                    let mut query = access_requests::table
                        .into_boxed()
                        .filter(visibility::access_requests_seen(&actor, filter.mailbox));
                    if let Some(entity) = filter.entity {
                        query = query.filter(access_requests::entity.eq(entity.as_str()));
                    }
                    if let Some(id) = filter.entity_id {
                        query = query.filter(access_requests::entity_id.eq(id));
                    }
                    if let Some(status) = filter.status {
                        query = query.filter(access_requests::status.eq(status.as_str()));
                    }
                    query
                };
                let (rows, total) =
                    paged!(conn, query, access_requests::id.desc(), AccessRow, paging);
                Page::from_rows_present(rows, total, paging, |row| {
                    party(conn, stored_record(&row.entity, row.entity_id)?)?
                        .map(|record| view(conn, &actor, &row, &record))
                        .transpose()
                })
            })
            .await
    }

    /// Grant (with `expires_at`) or refuse (without) a pending access request: owners and
    /// editors of the record, or staff; staff alone for an anonymous request.
    pub async fn decide_access(
        &self,
        actor: &Actor,
        id: AccessRequestId,
        form: AccessDecisionForm,
    ) -> Result<AccessRequestView, RecordError> {
        let id = id.0;
        let mut errors = Vec::new();
        let note = text(&mut errors, "note", &form.note, false);
        let now = clock::now();
        let expires = form.expires_at.map(|at| at.naive_utc());
        if let Some(at) = expires {
            if at <= now {
                errors.push(FieldError::new(
                    "expires_at",
                    "range",
                    "expires_at must be in the future",
                ));
            } else if at > now + chrono::Duration::days(MAX_GRANT_DAYS) {
                errors.push(FieldError::new(
                    "expires_at",
                    "range",
                    "a grant runs at most three years",
                ));
            }
        }
        RecordError::invalid_if_any(errors)?;
        let actor = actor.clone();
        self.db
            .write(move |conn| {
                let now = clock::now();
                let (row, record) = load(conn, id)?
                    .filter(|(row, record)| role(&actor, row, record).is_some())
                    .ok_or(RecordError::NotFound("access request"))?;
                if !may_decide(&actor, &row, &record) {
                    return Err(RecordError::Forbidden(
                        "only the record's owners and editors, or brokers, decide access requests",
                    ));
                }
                if row.status != AccessRequestStatus::Pending.as_str() {
                    return Err(RecordError::Conflict(format!(
                        "the access request is {}: only a pending one can be decided",
                        row.status
                    )));
                }
                let decided_by = actor.user_id().map(|u| u.0);
                let status = match expires {
                    Some(_) => AccessRequestStatus::Granted,
                    None => AccessRequestStatus::Refused,
                };
                // The decision is taken by the update itself, only while pending: of two
                // decisions at once, one lands, and only it creates a grant.
                let decided = diesel::update(
                    access_requests::table
                        .find(id)
                        .filter(access_requests::status.eq(AccessRequestStatus::Pending.as_str())),
                )
                .set((
                    access_requests::status.eq(status.as_str()),
                    access_requests::decided_by.eq(decided_by),
                    access_requests::decided_at.eq(Some(now)),
                    access_requests::decision_note.eq(note),
                    access_requests::updated_at.eq(now),
                ))
                .execute(conn)
                .map_err(db)?;
                if decided == 0 {
                    return Err(RecordError::Conflict(
                        "the access request was decided meanwhile: only a pending one can be decided"
                            .to_owned(),
                    ));
                }
                if let Some(expires_at) = expires {
                    let grant: GrantRow = diesel::insert_into(access_grants::table)
                        .values((
                            access_grants::entity.eq(&row.entity),
                            access_grants::entity_id.eq(row.entity_id),
                            access_grants::organization_id.eq(row.organization_id),
                            access_grants::granted_by.eq(decided_by),
                            access_grants::expires_at.eq(expires_at),
                            access_grants::created_at.eq(now),
                        ))
                        .get_result(conn)
                        .map_err(db)?;
                    diesel::update(access_requests::table.find(id))
                        .set(access_requests::grant_id.eq(Some(grant.0)))
                        .execute(conn)
                        .map_err(db)?;
                }
                let (row, record) =
                    load(conn, id)?.ok_or(RecordError::NotFound("access request"))?;
                view(conn, &actor, &row, &record)
            })
            .await
    }

    /// Who holds or held a grant of a record's confidential tier, and every logged outside read
    /// of it: the record's organization and staff.
    pub async fn access_report(
        &self,
        actor: &Actor,
        record: RecordRef,
    ) -> Result<AccessReport, RecordError> {
        let (actor, entity, id) = (actor.clone(), record.kind(), record.id());
        self.db
            .run(move |conn| {
                let now = clock::now();
                let record = party(conn, record)?
                    .filter(|p| p.visible_to(&actor, now))
                    .ok_or(RecordError::NotFound(entity.as_str()))?;
                if !(actor.is_staff() || record.owned_by(&actor)) {
                    return Err(RecordError::Forbidden(
                        "only the record's organization and staff see who was granted and who read",
                    ));
                }
                let grants: Vec<GrantRow> = access_grants::table
                    .filter(access_grants::entity.eq(entity.as_str()))
                    .filter(access_grants::entity_id.eq(id))
                    .order(access_grants::id.asc())
                    .select(access_grants::all_columns)
                    .load(conn)
                    .map_err(db)?;
                let reads = techx_catalogue::log::confidential_reads_of(conn, entity.as_str(), id)
                    .map_err(db)?;
                Ok(AccessReport {
                    grants: grants
                        .into_iter()
                        .map(
                            |(
                                id,
                                _,
                                _,
                                organization_id,
                                granted_by,
                                expires_at,
                                revoked_at,
                                created_at,
                            )| {
                                GrantView {
                                    id,
                                    organization_id,
                                    granted_by,
                                    expires_at: utc(expires_at),
                                    revoked_at: revoked_at.map(utc),
                                    active: revoked_at.is_none() && expires_at > now,
                                    created_at: utc(created_at),
                                }
                            },
                        )
                        .collect(),
                    reads: reads
                        .into_iter()
                        .map(|r| ReadView {
                            reader_user_id: r.reader_user_id,
                            reader_api_key_id: r.reader_api_key_id,
                            reader_organization_id: r.reader_organization_id,
                            road: r.road,
                            at: utc(r.at),
                        })
                        .collect(),
                })
            })
            .await
    }
}

/// Every column of `access_requests`, as an insert returns them.
#[derive(Debug, Clone, Queryable)]
struct AccessRowFull {
    id: i64,
    entity: String,
    entity_id: i64,
    organization_id: i64,
    requested_by: i64,
    message: String,
    routed_to: String,
    status: String,
    _decided_by: Option<i64>,
    decided_at: Option<NaiveDateTime>,
    decision_note: Option<String>,
    grant_id: Option<i64>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl From<AccessRowFull> for AccessRow {
    fn from(full: AccessRowFull) -> Self {
        AccessRow {
            id: full.id,
            entity: full.entity,
            entity_id: full.entity_id,
            organization_id: full.organization_id,
            requested_by: full.requested_by,
            message: full.message,
            routed_to: full.routed_to,
            status: full.status,
            decided_at: full.decided_at,
            decision_note: full.decision_note,
            grant_id: full.grant_id,
            created_at: full.created_at,
            updated_at: full.updated_at,
        }
    }
}
