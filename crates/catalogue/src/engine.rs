//! The engine shared by listings and requests. Both follow the same rules (lifecycle, tiers,
//! history, access log, safe writes, import, export, expiry); a [`Catalogue`] supplies what
//! differs (fields, storage, filters, the view) and [`Engine`] applies the rules once.

use crate::imports as log_imports;
use crate::log::{self, ActorRef};
use crate::records::csv_fields::Row;
use crate::records::{
    self, HistoryEntryView, HistoryQuery, ImportReport, RecordError, RecordMeta, Scope, Sort, Step,
    TransitionForm,
};
use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::marker::PhantomData;
use techx_accounts::Actor;
use techx_core::codes::RecordStatus;
use techx_core::lifecycle::{self, RecordKind, Tier};
use techx_core::page::Paging;
use techx_core::{FieldError, OrganizationId, Page, RecordId, clock};
use techx_db::{ChangeOp, Db, DbConn, record_change};

mod importing;
mod writes;

/// Most rows one export returns.
pub const EXPORT_LIMIT: i64 = 50_000;

/// How many times a write re-reads a record that another write changed under it (between its
/// read and its compare-and-set) before it gives up with a conflict.
const ATTEMPTS: usize = 8;

/// The lifecycle columns a transition writes, and the version it was planned from: the row is
/// changed only if it is still at that version (then it moves to the next one).
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub status: RecordStatus,
    /// Some(new value) to set, None to leave as it is.
    pub valid_until: Option<NaiveDateTime>,
    pub last_confirmed_at: Option<NaiveDateTime>,
    pub published_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
    pub from_version: i32,
}

/// What a kind of record (listing, request) brings to the [`Engine`].
pub trait Catalogue: Send + Sync + 'static {
    const KIND: RecordKind;
    /// The id callers name a record by ([`ListingId`](techx_core::ListingId),
    /// [`RequestId`](techx_core::RequestId)); storage works with its stored value.
    type Id: RecordId;
    /// The stored row.
    type Row: RecordMeta + Send + 'static;
    /// The complete, editable content of a record (create body, import row, diff base).
    type Form: Serialize + Clone + Default + Send + 'static;
    /// A partial change.
    type Patch: Clone + Send + 'static;
    /// A form that passed validation, ready to store.
    type Valid: Send + 'static;
    /// What readers get.
    type View: Send + 'static;
    /// List filters as the client sent them.
    type Query: Clone + Send + 'static;
    /// List filters, parsed.
    type Filter: Send + 'static;

    /// The organization named in a form, if any.
    fn form_owner(form: &Self::Form) -> Option<OrganizationId>;
    /// Every rule of a form; all problems at once.
    fn validate(form: &Self::Form) -> Result<Self::Valid, Vec<FieldError>>;
    fn apply_patch(form: Self::Form, patch: Self::Patch) -> Self::Form;
    /// Parse list filters; `actor` matters where a filter could reveal what it may not see.
    fn parse_filter(
        query: &Self::Query,
        actor: Option<&Actor>,
    ) -> Result<(Self::Filter, Sort), RecordError>;
    fn paging_of(query: &Self::Query) -> (Option<i64>, Option<i64>);
    /// Refuse a lifecycle step the kind forbids (a prohibited technology is never published).
    fn check_step(row: &Self::Row, step: &Step) -> Result<(), RecordError>;
    /// Refuse an edit of a record in `status` that would leave it somewhere it could not be
    /// published (a live listing made `prohibited`).
    fn check_edit(status: RecordStatus, valid: &Self::Valid) -> Result<(), RecordError>;

    fn find(conn: &mut DbConn, id: i64) -> Result<Option<Self::Row>, RecordError>;
    /// The rows of `ids` that exist, in any order.
    fn find_many(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<Self::Row>, RecordError>;
    /// Ids of records stored as published, after `after` in id order, at most `limit`.
    fn published_ids_after(
        conn: &mut DbConn,
        after: i64,
        limit: i64,
    ) -> Result<Vec<i64>, RecordError>;
    /// The stored rows as complete forms, in order.
    fn forms(conn: &mut DbConn, rows: &[Self::Row]) -> Result<Vec<Self::Form>, RecordError>;
    /// Insert a draft of `organization`; with `import`, hidden in that loading batch.
    fn insert(
        conn: &mut DbConn,
        valid: &Self::Valid,
        organization: OrganizationId,
        created_by: Option<i64>,
        now: NaiveDateTime,
        import: Option<i64>,
    ) -> Result<Self::Row, RecordError>;
    /// Of `ids`, the live publications with their current version.
    fn live_versions(
        conn: &mut DbConn,
        ids: &[i64],
        now: NaiveDateTime,
    ) -> Result<Vec<(i64, i32)>, RecordError>;
    /// Ids of up to `limit` rows still hidden in import `batch`.
    fn import_rows(conn: &mut DbConn, batch: i64, limit: i64) -> Result<Vec<i64>, RecordError>;
    /// Delete hidden rows of an import that will not finish.
    fn delete_import_rows(conn: &mut DbConn, ids: &[i64]) -> Result<usize, RecordError>;
    /// Store new content (fields and lists) if the row is still at version `current`, moving
    /// it to the next version; false, and nothing written, when another change came first.
    fn update(
        conn: &mut DbConn,
        id: i64,
        valid: &Self::Valid,
        current: i32,
        now: NaiveDateTime,
    ) -> Result<bool, RecordError>;
    /// Write a lifecycle change if the row is still at `change.from_version`; false otherwise.
    fn set_status(conn: &mut DbConn, id: i64, change: &StatusChange) -> Result<bool, RecordError>;
    /// Delete a draft still at version `current`; false otherwise.
    fn delete(conn: &mut DbConn, id: i64, current: i32) -> Result<bool, RecordError>;
    /// Publications whose validity has passed.
    fn due_for_expiry(
        conn: &mut DbConn,
        now: NaiveDateTime,
        limit: i64,
    ) -> Result<Vec<Self::Row>, RecordError>;
    /// A page of rows and the exact total.
    fn list(
        conn: &mut DbConn,
        scope: &Scope,
        filter: &Self::Filter,
        sort: Sort,
        paging: Paging,
        now: NaiveDateTime,
    ) -> Result<(Vec<Self::Row>, i64), RecordError>;
    /// The view of a row at `tier` for `actor`.
    fn view(
        actor: Option<&Actor>,
        row: &Self::Row,
        form: Self::Form,
        organization_name: String,
        tier: Tier,
        now: NaiveDateTime,
    ) -> Result<Self::View, RecordError>;
}

/// The rules of listings and requests, over a [`Catalogue`].
pub struct Engine<C: Catalogue> {
    db: Db,
    kind: PhantomData<C>,
}

impl<C: Catalogue> Clone for Engine<C> {
    fn clone(&self) -> Self {
        Engine {
            db: self.db.clone(),
            kind: PhantomData,
        }
    }
}

/// [`Engine::public_view`] on a connection the caller holds, so that a use case can read a
/// record inside its own transaction: the record if `reader` may see it, at the public tier.
pub fn public_view_in<C: Catalogue>(
    conn: &mut DbConn,
    reader: Option<&Actor>,
    id: C::Id,
    now: NaiveDateTime,
) -> Result<C::View, RecordError> {
    let row = C::find(conn, id.get())?
        .filter(|r| records::is_visible(reader, r, now))
        .ok_or(RecordError::NotFound(entity::<C>()))?;
    let (mut views, _) = to_views::<C>(conn, None, &[row], now)?;
    views.pop().ok_or(RecordError::NotFound(entity::<C>()))
}

fn entity<C: Catalogue>() -> &'static str {
    C::KIND.as_str()
}

/// The error of a patch whose result breaks a rule: 400 when the patch breaks it by itself
/// (the same error arises with the patch applied to an empty form), 409 when it arises only
/// with what the record already holds (a minimum price above the stored maximum, `free` on a
/// priced listing): each patch is valid by the document, the conflict is with the record's
/// state.
fn patch_error<C: Catalogue>(patch: &C::Patch, errors: Vec<FieldError>) -> RecordError {
    let alone = C::validate(&C::apply_patch(C::Form::default(), patch.clone()))
        .err()
        .unwrap_or_default();
    let by_itself = errors
        .iter()
        .any(|e| alone.iter().any(|a| a.field == e.field && a.code == e.code));
    if by_itself {
        return RecordError::Invalid(errors);
    }
    RecordError::Conflict(format!(
        "the change conflicts with what the {} holds: {}",
        entity::<C>(),
        techx_core::error::summarize(&errors)
    ))
}

fn form_json<F: Serialize>(form: &F) -> Value {
    let mut value = serde_json::to_value(form).unwrap_or(Value::Null);
    if let Some(object) = value.as_object_mut() {
        object.remove("organization_id");
    }
    value
}

fn organization_names(conn: &mut DbConn, ids: &[i64]) -> Result<HashMap<i64, String>, RecordError> {
    use diesel::prelude::*;
    use techx_db::schema::organizations;
    let rows: Vec<(i64, String)> = organizations::table
        .filter(organizations::id.eq_any(ids))
        .select((organizations::id, organizations::name))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Views of `rows` at the actor's tiers, and the ids whose confidential tier it read from
/// outside the owner organization (for the access log).
fn to_views<C: Catalogue>(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    rows: &[C::Row],
    now: NaiveDateTime,
) -> Result<(Vec<C::View>, Vec<i64>), RecordError> {
    let forms = C::forms(conn, rows)?;
    let org_ids: Vec<i64> = rows.iter().map(|r| r.organization_id().0).collect();
    let names = organization_names(conn, &org_ids)?;
    let tiers = records::tiers(conn, entity::<C>(), actor, rows, now)?;
    let logged = records::outside_confidential_reads(actor, rows, &tiers);
    let views = rows
        .iter()
        .zip(forms)
        .zip(&tiers)
        .map(|((row, form), tier)| {
            let name = names
                .get(&row.organization_id().0)
                .cloned()
                .unwrap_or_default();
            C::view(actor, row, form, name, *tier, now)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((views, logged))
}

/// The rows of `ids` that exist and pass `keep`, in the order of `ids`, from one query.
fn rows_in_order<C: Catalogue>(
    conn: &mut DbConn,
    ids: &[i64],
    keep: impl Fn(&C::Row) -> bool,
) -> Result<Vec<C::Row>, RecordError> {
    let mut found: HashMap<i64, C::Row> = C::find_many(conn, ids)?
        .into_iter()
        .filter(|r| keep(r))
        .map(|r| (r.id(), r))
        .collect();
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

fn load_view<C: Catalogue>(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    id: i64,
) -> Result<C::View, RecordError> {
    let row = C::find(conn, id)?.ok_or(RecordError::NotFound(entity::<C>()))?;
    let (mut views, _) = to_views::<C>(conn, actor, &[row], clock::now())?;
    views.pop().ok_or(RecordError::NotFound(entity::<C>()))
}

/// Every attempt found the record changed again before it could write.
fn lost_race<C: Catalogue>() -> RecordError {
    RecordError::Conflict(format!(
        "the {} is being changed by others at this moment; read it again and retry",
        entity::<C>()
    ))
}

fn no_changes() -> Value {
    Value::Object(Default::default())
}

/// Append a history entry and a change-log row for a change of record `id`.
#[allow(clippy::too_many_arguments)]
fn log_change<C: Catalogue>(
    conn: &mut DbConn,
    id: i64,
    action: &str,
    from: Option<&str>,
    to: Option<&str>,
    changes: &Value,
    note: Option<&str>,
    actor: ActorRef,
    op: ChangeOp,
    now: NaiveDateTime,
) -> Result<(), RecordError> {
    let entry = records::history_entry(
        entity::<C>(),
        id,
        action,
        from,
        to,
        changes,
        note,
        actor,
        now,
    );
    log::append_history(conn, &entry)?;
    record_change(conn, entity::<C>(), id, op, actor.user_id)?;
    Ok(())
}

/// Told how many rows of an import are written, as they are written.
pub type Progress = Box<dyn Fn(usize) + Send>;

/// Insert validated forms as drafts, each with its history and change-log rows; with
/// `import`, hidden in that loading batch.
fn insert_valid<C: Catalogue>(
    conn: &mut DbConn,
    actor: &Actor,
    organization: OrganizationId,
    forms: Vec<(C::Form, C::Valid)>,
    import: Option<i64>,
) -> Result<Vec<i64>, RecordError> {
    let now = clock::now();
    let mut ids = Vec::with_capacity(forms.len());
    for (form, valid) in forms {
        let row = C::insert(
            conn,
            &valid,
            organization,
            actor.user_id().map(|u| u.0),
            now,
            import,
        )?;
        let changes = records::diff(&Value::Null, &form_json(&form));
        let draft = Some(RecordStatus::Draft.as_str());
        log_change::<C>(
            conn,
            row.id(),
            "create",
            None,
            draft,
            &changes,
            None,
            actor.reference(),
            ChangeOp::Create,
            now,
        )?;
        ids.push(row.id());
    }
    Ok(ids)
}

impl<C: Catalogue> Engine<C> {
    pub fn new(db: Db) -> Self {
        Engine {
            db,
            kind: PhantomData,
        }
    }

    /// Create a draft (owners and editors of the organization).
    pub async fn create(&self, actor: &Actor, form: C::Form) -> Result<C::View, RecordError> {
        let organization = records::owner_of_new(actor, C::form_owner(&form))?;
        let valid = C::validate(&form).map_err(RecordError::Invalid)?;
        let actor = actor.clone();
        self.db
            .write(move |conn| {
                let ids = insert_valid::<C>(conn, &actor, organization, vec![(form, valid)], None)?;
                let id = ids
                    .first()
                    .copied()
                    .ok_or(RecordError::NotFound(entity::<C>()))?;
                load_view::<C>(conn, Some(&actor), id)
            })
            .await
    }

    /// One record at the caller's tiers; 404 when the caller may not see it. A read of the
    /// confidential tier from outside the owner organization is logged.
    pub async fn get(&self, actor: Option<&Actor>, id: C::Id) -> Result<C::View, RecordError> {
        let (reader, id) = (actor.cloned(), id.get());
        let (view, logged) = self
            .db
            .run(move |conn| {
                let now = clock::now();
                let row = C::find(conn, id)?
                    .filter(|r| records::is_visible(reader.as_ref(), r, now))
                    .ok_or(RecordError::NotFound(entity::<C>()))?;
                let (mut views, logged) = to_views::<C>(conn, reader.as_ref(), &[row], now)?;
                let view = views.pop().ok_or(RecordError::NotFound(entity::<C>()))?;
                Ok::<_, RecordError>((view, logged))
            })
            .await?;
        records::log_reads(&self.db, entity::<C>(), actor, logged, "get").await?;
        Ok(view)
    }

    /// One record's public-tier view, when the caller may see the record (404 otherwise):
    /// what matching reads of the record it matches. No other tier is read, so nothing is
    /// logged.
    pub async fn public_view(
        &self,
        actor: Option<&Actor>,
        id: C::Id,
    ) -> Result<C::View, RecordError> {
        let reader = actor.cloned();
        self.db
            .run(move |conn| public_view_in::<C>(conn, reader.as_ref(), id, clock::now()))
            .await
    }

    /// The records of `ids` that the caller may see, in the order given, at its tiers (search
    /// hits). A read of the confidential tier from outside the owner organization is logged.
    pub async fn views_of(
        &self,
        actor: Option<&Actor>,
        ids: Vec<C::Id>,
    ) -> Result<Vec<C::View>, RecordError> {
        let reader = actor.cloned();
        let ids: Vec<i64> = ids.into_iter().map(RecordId::get).collect();
        let (views, logged) = self
            .db
            .run(move |conn| {
                let now = clock::now();
                let rows = rows_in_order::<C>(conn, &ids, |r| {
                    records::is_visible(reader.as_ref(), r, now)
                })?;
                to_views::<C>(conn, reader.as_ref(), &rows, now)
            })
            .await?;
        records::log_reads(&self.db, entity::<C>(), actor, logged, "search").await?;
        Ok(views)
    }

    /// Of `ids`, those live now (what anyone may see), with their current version: what
    /// anonymous search checks the public views it keeps against, so that a record taken down or
    /// changed a moment ago (on any server) is never shown as it was. Synchronous, for the
    /// blocking task that also searches.
    pub fn live_versions_in(
        conn: &mut DbConn,
        ids: &[i64],
    ) -> Result<HashMap<i64, i32>, RecordError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(C::live_versions(conn, ids, clock::now())?
            .into_iter()
            .collect())
    }

    /// For the search index: each record of `ids` (in that order, missing ones left out) as
    /// the system sees it (every tier) and as an anonymous reader sees it (public tier), from
    /// one read of the rows and their lists.
    pub async fn index_views(&self, ids: Vec<i64>) -> Result<Vec<(C::View, C::View)>, RecordError> {
        self.db
            .run(move |conn| {
                let now = clock::now();
                let system = Actor::system();
                let rows = rows_in_order::<C>(conn, &ids, |_| true)?;
                let forms = C::forms(conn, &rows)?;
                let org_ids: Vec<i64> = rows.iter().map(|r| r.organization_id().0).collect();
                let names = organization_names(conn, &org_ids)?;
                let tiers = records::tiers(conn, entity::<C>(), Some(&system), &rows, now)?;
                rows.iter()
                    .zip(forms)
                    .zip(tiers)
                    .map(|((row, form), tier)| {
                        let name = names
                            .get(&row.organization_id().0)
                            .cloned()
                            .unwrap_or_default();
                        let full =
                            C::view(Some(&system), row, form.clone(), name.clone(), tier, now)?;
                        let public = C::view(None, row, form, name, Tier::Public, now)?;
                        Ok((full, public))
                    })
                    .collect()
            })
            .await
    }

    /// Ids of the records stored as published after `after`, in id order, at most `limit`:
    /// the pages of a full rebuild of the search index.
    pub async fn published_ids_after(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<i64>, RecordError> {
        self.db
            .run(move |conn| C::published_ids_after(conn, after, limit))
            .await
    }

    /// A filtered, sorted page of the records the caller may see.
    pub async fn list(
        &self,
        actor: Option<&Actor>,
        query: C::Query,
    ) -> Result<Page<C::View>, RecordError> {
        let (limit, offset) = C::paging_of(&query);
        let paging = records::paging(limit, offset)?;
        let (filter, sort) = C::parse_filter(&query, actor)?;
        let reader = actor.cloned();
        let (page, logged) = self
            .db
            .run(move |conn| {
                let now = clock::now();
                let scope = records::scope_of(reader.as_ref());
                let (rows, total) = C::list(conn, &scope, &filter, sort, paging, now)?;
                let (views, logged) = to_views::<C>(conn, reader.as_ref(), &rows, now)?;
                Ok::<_, RecordError>((Page::new(views, total, paging), logged))
            })
            .await?;
        records::log_reads(&self.db, entity::<C>(), actor, logged, "list").await?;
        Ok(page)
    }

    /// Every record matching the filters that the caller may see (up to 50,000), at the
    /// caller's tiers, for export.
    pub async fn export(
        &self,
        actor: Option<&Actor>,
        query: C::Query,
    ) -> Result<Vec<C::View>, RecordError> {
        let (filter, sort) = C::parse_filter(&query, actor)?;
        let reader = actor.cloned();
        let (views, logged) = self
            .db
            .run(move |conn| {
                let now = clock::now();
                let scope = records::scope_of(reader.as_ref());
                let mut views = Vec::new();
                let mut logged = Vec::new();
                let mut offset = 0;
                while offset < EXPORT_LIMIT {
                    let paging = Paging { limit: 500, offset };
                    let (rows, total) = C::list(conn, &scope, &filter, sort, paging, now)?;
                    let (mut page, mut page_logged) =
                        to_views::<C>(conn, reader.as_ref(), &rows, now)?;
                    views.append(&mut page);
                    logged.append(&mut page_logged);
                    offset += 500;
                    if offset >= total {
                        break;
                    }
                }
                Ok::<_, RecordError>((views, logged))
            })
            .await?;
        records::log_reads(&self.db, entity::<C>(), actor, logged, "export").await?;
        Ok(views)
    }

    /// The history of a record: for its organization, moderators and admins.
    pub async fn history(
        &self,
        actor: &Actor,
        id: C::Id,
        query: HistoryQuery,
    ) -> Result<Page<HistoryEntryView>, RecordError> {
        let paging = records::paging(query.limit, query.offset)?;
        let (actor, id) = (actor.clone(), id.get());
        self.db
            .run(move |conn| {
                let row = C::find(conn, id)?;
                records::history_page(conn, entity::<C>(), &actor, row, paging, clock::now())
            })
            .await
    }

    /// Delete the hidden rows of an import batch (and their history), in short transactions,
    /// then the batch itself.
    async fn discard_import(&self, batch: i64) -> Result<(), RecordError> {
        loop {
            let deleted = self
                .db
                .write(move |conn| {
                    let ids = C::import_rows(conn, batch, importing::IMPORT_CHUNK as i64)?;
                    log_imports::forget_history(conn, entity::<C>(), &ids)?;
                    C::delete_import_rows(conn, &ids)
                })
                .await?;
            if deleted == 0 {
                break;
            }
        }
        self.db
            .write(move |conn| Ok::<_, RecordError>(log_imports::close(conn, batch)?))
            .await?;
        Ok(())
    }
}
