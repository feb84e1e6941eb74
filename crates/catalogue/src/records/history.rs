//! Lifecycle steps and the history: planning a step, the history entry it writes, the access
//! log of confidential reads, and the history as readers see it.

use super::access::{RecordMeta, effective_status_of, is_visible};
use super::{RecordError, STEP_NOTE, stored};
use crate::log::{self, ActorRef, HistoryEntry};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use techx_accounts::Actor;
use techx_core::bounds::{Bounded, Field};
use techx_core::codes::{Action, RecordStatus};
use techx_core::lifecycle::{self, ActionBy, RecordKind};
use techx_core::page::Paging;
use techx_db::DbConn;
use utoipa::{IntoParams, ToSchema};

/// A lifecycle step that passed every check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub from: RecordStatus,
    pub to: RecordStatus,
    /// Publication and renewal start a new validity and confirm the record.
    pub confirms: bool,
    pub publishes: bool,
}

/// Check that `actor` may take `action` on `record` now, and where it leads.
pub fn plan_step<R: RecordMeta>(
    kind: RecordKind,
    actor: &Actor,
    record: &R,
    action: Action,
    now: NaiveDateTime,
) -> Result<Step, RecordError> {
    let allowed = match lifecycle::action_by(action) {
        ActionBy::OwnerEditor => actor.can_edit_records_of(record.organization_id()),
        ActionBy::Moderator => actor.is_moderator(),
    };
    if !allowed {
        return Err(RecordError::Forbidden(match lifecycle::action_by(action) {
            ActionBy::OwnerEditor => "only owners and editors of the organization may do this",
            ActionBy::Moderator => "only moderators may do this",
        }));
    }
    let from = effective_status_of(record, now)?;
    let to = lifecycle::next_status(kind, from, action).ok_or_else(|| {
        RecordError::Conflict(format!(
            "cannot {action} a {} that is {from}",
            kind.as_str()
        ))
    })?;
    Ok(Step {
        from,
        to,
        confirms: matches!(action, Action::Publish | Action::Renew),
        publishes: action == Action::Publish,
    })
}

/// A history entry of `entity`.
#[allow(clippy::too_many_arguments)]
pub fn history_entry<'a>(
    entity: &'a str,
    entity_id: i64,
    action: &'a str,
    from: Option<&'a str>,
    to: Option<&'a str>,
    changes: &Value,
    note: Option<&'a str>,
    actor: ActorRef,
    at: NaiveDateTime,
) -> HistoryEntry<'a> {
    HistoryEntry {
        entity,
        entity_id,
        action,
        from_status: from,
        to_status: to,
        changes: changes.to_string(),
        note,
        actor,
        at,
    }
}

/// Log reads of the confidential tier (a separate short write after the read).
pub async fn log_reads(
    db: &techx_db::Db,
    entity: &'static str,
    actor: Option<&Actor>,
    ids: Vec<i64>,
    road: &'static str,
) -> Result<(), RecordError> {
    if ids.is_empty() {
        return Ok(());
    }
    let reader = actor.map(Actor::reference).unwrap_or_default();
    db.write(move |conn| {
        log::log_confidential_reads(conn, entity, &ids, reader, road, techx_core::clock::now())
            .map_err(RecordError::from)
    })
    .await
}

/// The history of a record: for its organization, moderators and admins.
pub fn history_page<R: RecordMeta>(
    conn: &mut DbConn,
    entity: &'static str,
    actor: &Actor,
    record: Option<R>,
    paging: Paging,
    now: NaiveDateTime,
) -> Result<techx_core::Page<HistoryEntryView>, RecordError> {
    let record = record
        .filter(|r| is_visible(Some(actor), r, now))
        .ok_or(RecordError::NotFound(entity))?;
    if !(actor.is_moderator() || actor.is_member_of(record.organization_id())) {
        return Err(RecordError::Forbidden(
            "the history is for the owner organization and moderators",
        ));
    }
    let (rows, total) = log::history_of(conn, entity, record.id(), paging.limit, paging.offset)?;
    let items = rows
        .into_iter()
        .map(HistoryEntryView::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(techx_core::Page::new(items, total, paging))
}

/// A lifecycle action on a listing or a request.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionForm {
    pub action: Action,
    /// Why: shown in the history.
    pub note: Option<String>,
}

impl Bounded for TransitionForm {
    const BOUNDS: &'static [Field] = &[STEP_NOTE];
}

/// One entry of a record's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryEntryView {
    pub id: i64,
    /// `create`, `update`, a lifecycle action, or `expire`.
    pub action: String,
    pub from_status: Option<RecordStatus>,
    pub to_status: Option<RecordStatus>,
    /// Changed fields: `{field: {"from": …, "to": …}}`.
    #[schema(value_type = Object)]
    pub changes: Value,
    pub note: Option<String>,
    /// The user who acted (absent for an API key or the system).
    pub actor_user_id: Option<i64>,
    /// The API key that acted, if any.
    pub actor_api_key_id: Option<i64>,
    pub at: chrono::DateTime<chrono::Utc>,
}

impl HistoryEntryView {
    pub fn from_row(row: crate::log::HistoryRow) -> Result<Self, RecordError> {
        Ok(HistoryEntryView {
            id: row.id,
            action: row.action,
            from_status: row.from_status.as_deref().map(stored).transpose()?,
            to_status: row.to_status.as_deref().map(stored).transpose()?,
            changes: serde_json::from_str(&row.changes)
                .map_err(|error| RecordError::Corrupt(error.to_string()))?,
            note: row.note,
            actor_user_id: row.actor_user_id,
            actor_api_key_id: row.actor_api_key_id,
            at: techx_core::clock::to_utc(row.at),
        })
    }
}

/// Paging of a record's history.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// How many entries to return (default 20).
    #[param(value_type = Option<techx_core::bounds::parameter::Limit>, inline)]
    pub limit: Option<i64>,
    /// How many entries to skip (default 0).
    #[param(value_type = Option<techx_core::bounds::parameter::Offset>, inline)]
    pub offset: Option<i64>,
}
