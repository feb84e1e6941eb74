//! Imports: validated rows written in short transactions as drafts hidden in a loading batch,
//! shown all at once when the last chunk lands, discarded when abandoned.

use super::*;

/// Rows an import writes per transaction on SQLite (one writer at a time): long enough to be
/// quick, short enough that another writer waits a fraction of a second (docs/benchmarks.md).
pub(super) const IMPORT_CHUNK: usize = 250;

/// A batch that has loaded nothing for this long is taken for abandoned (its process died).
const ABANDONED_IMPORT: chrono::TimeDelta = chrono::TimeDelta::minutes(15);

/// Most problems an import report lists: a file of 100,000 bad rows is answered in bounded
/// size, with the count of what is left out.
const MAX_REPORTED_PROBLEMS: usize = 1000;

fn bounded_report(mut errors: Vec<FieldError>) -> Vec<FieldError> {
    if errors.len() > MAX_REPORTED_PROBLEMS {
        let left_out = errors.len() - MAX_REPORTED_PROBLEMS;
        errors.truncate(MAX_REPORTED_PROBLEMS);
        errors.push(FieldError::new(
            "file",
            "too_many_problems",
            format!("{left_out} more problems are not listed; fix these and import again"),
        ));
    }
    errors
}

impl<C: Catalogue> Engine<C> {
    /// Import forms as drafts of `organization`, all or nothing: when any row is invalid,
    /// nothing is written and every problem is reported with its row number. On SQLite, where
    /// one writer holds the database at a time, the rows are written in transactions of
    /// [`IMPORT_CHUNK`] that stay hidden (`import_id`) until the last one shows the whole batch,
    /// so that other writers wait a fraction of a second rather than the length of the file; on
    /// PostgreSQL, one transaction.
    pub async fn import(
        &self,
        actor: &Actor,
        organization: OrganizationId,
        rows: Vec<Row<C::Form>>,
    ) -> Result<ImportReport, RecordError> {
        self.import_with_progress(actor, organization, rows, None)
            .await
    }

    /// [`Engine::import`], telling `progress` how many rows are written (for a progress bar).
    pub async fn import_with_progress(
        &self,
        actor: &Actor,
        organization: OrganizationId,
        rows: Vec<Row<C::Form>>,
        progress: Option<Progress>,
    ) -> Result<ImportReport, RecordError> {
        if !actor.can_edit_records_of(organization) {
            return Err(RecordError::Forbidden(
                "you may not create records for this organization",
            ));
        }
        if rows.is_empty() {
            return Err(RecordError::invalid(
                "file",
                "required",
                "the file holds no rows",
            ));
        }
        let mut errors = Vec::new();
        let mut valid = Vec::new();
        for (row, parsed) in rows {
            match parsed.and_then(|form| C::validate(&form).map(|v| (form, v))) {
                Ok(pair) => valid.push(pair),
                Err(problems) => errors.extend(records::prefixed(problems, row)),
            }
        }
        if !errors.is_empty() {
            return Err(RecordError::Invalid(bounded_report(errors)));
        }
        if self.db.backend() == techx_db::Backend::Postgres {
            // PostgreSQL's writers do not wait for one another: one transaction is all or
            // nothing by itself, and faster than a batch made visible at the end.
            let actor = actor.clone();
            let ids = self
                .db
                .write(move |conn| {
                    let mut ids = Vec::with_capacity(valid.len());
                    let mut rest = valid.into_iter();
                    loop {
                        let chunk: Vec<_> = rest.by_ref().take(IMPORT_CHUNK).collect();
                        if chunk.is_empty() {
                            break;
                        }
                        ids.append(&mut insert_valid::<C>(
                            conn,
                            &actor,
                            organization,
                            chunk,
                            None,
                        )?);
                        if let Some(progress) = &progress {
                            progress(ids.len());
                        }
                    }
                    Ok::<_, RecordError>(ids)
                })
                .await?;
            return Ok(ImportReport {
                imported: ids.len(),
                ids,
            });
        }
        self.discard_abandoned_imports().await?;
        let entity = entity::<C>();
        let rows = valid.len() as i64;
        let batch = self
            .db
            .write(move |conn| {
                Ok::<_, RecordError>(log_imports::open(
                    conn,
                    entity,
                    organization.0,
                    rows,
                    clock::now(),
                )?)
            })
            .await?;
        let mut ids = Vec::with_capacity(valid.len());
        let mut rest = valid.into_iter();
        loop {
            let chunk: Vec<(C::Form, C::Valid)> = rest.by_ref().take(IMPORT_CHUNK).collect();
            if chunk.is_empty() {
                break;
            }
            let writer = actor.clone();
            let written = self
                .db
                .write(move |conn| {
                    log_imports::touch(conn, batch, clock::now())?;
                    insert_valid::<C>(conn, &writer, organization, chunk, Some(batch))
                })
                .await;
            match written {
                Ok(mut chunk_ids) => ids.append(&mut chunk_ids),
                Err(error) => {
                    if let Err(cleanup) = self.discard_import(batch).await {
                        tracing::error!(import.batch = batch, error = %cleanup, "cannot discard a failed import");
                    }
                    return Err(error);
                }
            }
            if let Some(progress) = &progress {
                progress(ids.len());
            }
        }
        // Striking the batch from `imports` shows every row of it at once.
        self.db
            .write(move |conn| Ok::<_, RecordError>(log_imports::close(conn, batch)?))
            .await?;
        Ok(ImportReport {
            imported: ids.len(),
            ids,
        })
    }

    /// Discard the batches whose loading stopped (the process died mid-import): nothing of
    /// them was ever visible, and nothing of them stays.
    pub async fn discard_abandoned_imports(&self) -> Result<usize, RecordError> {
        let before = clock::now() - ABANDONED_IMPORT;
        let batches = self
            .db
            .run(move |conn| {
                Ok::<_, RecordError>(log_imports::abandoned(conn, entity::<C>(), before)?)
            })
            .await?;
        for batch in &batches {
            tracing::warn!(
                import.batch = batch,
                "discarding an import that stopped loading"
            );
            self.discard_import(*batch).await?;
        }
        Ok(batches.len())
    }
}
