//! The engine's writes to one record: field changes under a compare-and-set on the version,
//! deletion of drafts, lifecycle steps, and the expiry of lapsed publications; each with its
//! history entry and change-log row in the same transaction.

use super::*;

impl<C: Catalogue> Engine<C> {
    /// Change fields (owners and editors, and admins). `expected_version` comes from
    /// `If-Match`. The write is a compare-and-set on the version read: a change that lands in
    /// between makes this one re-read (and, with `If-Match`, answer 412), so no update is lost.
    pub async fn update(
        &self,
        actor: &Actor,
        id: C::Id,
        patch: C::Patch,
        expected_version: Option<i32>,
    ) -> Result<C::View, RecordError> {
        let (actor, id) = (actor.clone(), id.get());
        self.db
            .write(move |conn| {
                for _ in 0..ATTEMPTS {
                    let now = clock::now();
                    let current = editable::<C>(conn, &actor, id, now)?;
                    let status = records::status_of(&current)?;
                    if !lifecycle::is_editable(status) {
                        return Err(RecordError::Conflict(format!(
                            "a {} cannot be edited while it is {status}",
                            entity::<C>()
                        )));
                    }
                    records::check_version(&current, expected_version)?;
                    let before = C::forms(conn, std::slice::from_ref(&current))?
                        .pop()
                        .ok_or(RecordError::NotFound(entity::<C>()))?;
                    let after = C::apply_patch(before.clone(), patch.clone());
                    let valid =
                        C::validate(&after).map_err(|errors| patch_error::<C>(&patch, errors))?;
                    C::check_edit(status, &valid)?;
                    let changes = records::diff(&form_json(&before), &form_json(&after));
                    if !C::update(conn, id, &valid, current.version(), now)? {
                        continue;
                    }
                    log_change::<C>(
                        conn,
                        id,
                        "update",
                        None,
                        None,
                        &changes,
                        None,
                        actor.reference(),
                        ChangeOp::Update,
                        now,
                    )?;
                    return load_view::<C>(conn, Some(&actor), id);
                }
                Err(lost_race::<C>())
            })
            .await
    }

    /// Delete a draft (owners and editors).
    pub async fn delete(
        &self,
        actor: &Actor,
        id: C::Id,
        expected_version: Option<i32>,
    ) -> Result<(), RecordError> {
        let (actor, id) = (actor.clone(), id.get());
        self.db
            .write(move |conn| {
                for _ in 0..ATTEMPTS {
                    let now = clock::now();
                    let current = editable::<C>(conn, &actor, id, now)?;
                    if current.status() != RecordStatus::Draft.as_str() {
                        return Err(RecordError::Conflict(format!(
                            "only drafts can be deleted; this {} is {}",
                            entity::<C>(),
                            current.status()
                        )));
                    }
                    records::check_version(&current, expected_version)?;
                    if !C::delete(conn, id, current.version())? {
                        continue;
                    }
                    let from = Some(current.status());
                    return log_change::<C>(
                        conn,
                        id,
                        "delete",
                        from,
                        None,
                        &no_changes(),
                        None,
                        actor.reference(),
                        ChangeOp::Delete,
                        now,
                    );
                }
                Err(lost_race::<C>())
            })
            .await
    }

    /// Take a lifecycle action. Like [`Engine::update`], a compare-and-set on the version read:
    /// of two identical actions at once, one moves the record and the other finds it moved
    /// (409, or 412 with `If-Match`).
    pub async fn transition(
        &self,
        actor: &Actor,
        id: C::Id,
        form: TransitionForm,
        expected_version: Option<i32>,
    ) -> Result<C::View, RecordError> {
        let actor = actor.clone();
        self.db
            .write(move |conn| Self::transition_in(conn, &actor, id, &form, expected_version))
            .await
    }

    /// [`Engine::transition`] inside a transaction the caller holds (a contract signed closes
    /// its listing in the same transaction).
    pub fn transition_in(
        conn: &mut DbConn,
        actor: &Actor,
        id: C::Id,
        form: &TransitionForm,
        expected_version: Option<i32>,
    ) -> Result<C::View, RecordError> {
        let id = id.get();
        let note = crate::records::STEP_NOTE
            .optional_text(form.note.as_deref())
            .map_err(|e| RecordError::Invalid(vec![e]))?;
        let action = form.action;
        for _ in 0..ATTEMPTS {
            let now = clock::now();
            let current = C::find(conn, id)?
                .filter(|r| records::is_visible(Some(actor), r, now))
                .ok_or(RecordError::NotFound(entity::<C>()))?;
            let step = records::plan_step(C::KIND, actor, &current, action, now)?;
            records::check_version(&current, expected_version)?;
            C::check_step(&current, &step)?;
            let change = StatusChange {
                status: step.to,
                valid_until: step.confirms.then(|| lifecycle::valid_until(now)),
                last_confirmed_at: step.confirms.then_some(now),
                published_at: step.publishes.then_some(now),
                updated_at: now,
                from_version: current.version(),
            };
            if !C::set_status(conn, id, &change)? {
                continue;
            }
            let (from, to) = (Some(step.from.as_str()), Some(step.to.as_str()));
            log_change::<C>(
                conn,
                id,
                action.as_str(),
                from,
                to,
                &no_changes(),
                note.as_deref(),
                actor.reference(),
                ChangeOp::Update,
                now,
            )?;
            return load_view::<C>(conn, Some(actor), id);
        }
        Err(lost_race::<C>())
    }

    /// Move publications whose validity has passed to `expired`, with history. Returns how
    /// many expired.
    pub async fn expire_due(&self) -> Result<usize, RecordError> {
        self.db
            .write(|conn| {
                let now = clock::now();
                let due = C::due_for_expiry(conn, now, 1000)?;
                let (from, to) = (
                    Some(RecordStatus::Published.as_str()),
                    Some(RecordStatus::Expired.as_str()),
                );
                let mut expired = 0;
                for row in &due {
                    let change = StatusChange {
                        status: RecordStatus::Expired,
                        valid_until: None,
                        last_confirmed_at: None,
                        published_at: None,
                        updated_at: now,
                        from_version: row.version(),
                    };
                    // Renewed or withdrawn since it was read: the other change stands.
                    if !C::set_status(conn, row.id(), &change)? {
                        continue;
                    }
                    expired += 1;
                    log_change::<C>(
                        conn,
                        row.id(),
                        "expire",
                        from,
                        to,
                        &no_changes(),
                        None,
                        ActorRef::default(),
                        ChangeOp::Update,
                        now,
                    )?;
                }
                Ok(expired)
            })
            .await
    }
}

/// The stored record `id`, if `actor` may edit it at `now`.
fn editable<C: Catalogue>(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    now: NaiveDateTime,
) -> Result<C::Row, RecordError> {
    records::require_editable_by(actor, C::find(conn, id)?, entity::<C>(), now)
}
