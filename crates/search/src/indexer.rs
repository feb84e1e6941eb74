//! Keeps the index in step with the database, the source of truth, by tailing the change log.
//!
//! Every write appends `(seq, entity, id)` to `change_log` in its transaction; the index stores
//! the last applied `seq` in its commit. A catch-up reads what follows, re-reads each changed
//! record and upserts it when published or removes it otherwise, so applying a change twice is
//! harmless. On PostgreSQL two transactions can commit out of `seq` order: a missing `seq` below
//! later ones is held back (the watermark stays below it, later rows are applied anyway) until it
//! appears or `GAP_PATIENCE` has passed (a rolled-back transaction leaves a permanent gap).

use crate::SearchError;
use crate::index::{IndexedRecord, RecordCodes, SearchIndex};
use diesel::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use techx_accounts::Actor;
use techx_core::RecordKind;
use techx_core::codes::RecordStatus;
use techx_db::Db;
use techx_db::schema::{change_log, organizations};
use techx_listings::Listings;
use techx_listings::dto::ListingView;
use techx_requests::Requests;
use techx_requests::dto::RequestView;

/// How long a missing `seq` is waited for before it is taken for a rollback.
pub const GAP_PATIENCE: Duration = Duration::from_secs(5);
const BATCH: i64 = 1000;
/// Records read per page by a rebuild.
const REBUILD_PAGE: i64 = 500;

/// The index and what feeds it.
#[derive(Clone)]
pub struct Indexer {
    pub index: Arc<SearchIndex>,
    db: Db,
    listings: Listings,
    requests: Requests,
    /// The first missing `seq` and since when it is missing.
    gap: Arc<Mutex<Option<(i64, Instant)>>>,
    /// One catch-up at a time: the ticker's and those of writers waiting for their change.
    running: Arc<tokio::sync::Mutex<()>>,
    /// The records' vectors, when the embedding model is installed.
    pub vectors: Option<Arc<crate::vectors::Vectors>>,
}

/// Organization types by organization id (public: the organization of a record is public unless
/// the request is anonymous).
pub type OrgTypes = HashMap<i64, String>;

fn sci_codes(fields: &[techx_core::codes::SciField]) -> Vec<String> {
    let mut codes: Vec<String> = fields
        .iter()
        .flat_map(|f| [f.as_str().to_owned(), f.parent().as_str().to_owned()])
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

fn published_at(at: Option<chrono::DateTime<chrono::Utc>>) -> i64 {
    at.map(|t| t.timestamp_micros()).unwrap_or_default()
}

fn valid_until(at: Option<chrono::DateTime<chrono::Utc>>) -> i64 {
    at.map(|t| t.timestamp_micros()).unwrap_or(i64::MAX)
}

fn json(view: &impl serde::Serialize) -> Result<String, SearchError> {
    serde_json::to_string(view).map_err(SearchError::from)
}

fn code_terms(keywords: &[String], fields: &[techx_core::codes::SciField]) -> String {
    let mut terms: Vec<String> = keywords.to_vec();
    terms.extend(
        fields
            .iter()
            .map(|f| format!("{} {}", f.label().label_vi, f.label().label_en)),
    );
    terms.join("\n")
}

/// What the index holds of a published listing: `view` as the system sees it, `public` as
/// anyone does.
pub fn listing_record(
    view: &ListingView,
    public: &ListingView,
    org_types: &OrgTypes,
) -> Result<IndexedRecord, SearchError> {
    let mut summary = view.summary.clone();
    for extra in [&view.title_en, &view.summary_en].into_iter().flatten() {
        summary.push('\n');
        summary.push_str(extra);
    }
    Ok(IndexedRecord {
        kind: RecordKind::Listing,
        id: view.id.0,
        title: view.title.clone(),
        summary,
        terms: code_terms(&view.keywords, &view.sci_fields),
        registered: view.details.clone().unwrap_or_default(),
        keywords: view.keywords.clone(),
        codes: RecordCodes {
            sci_fields: sci_codes(&view.sci_fields),
            trl: view.trl.map(i64::from),
            province: Some(view.province_code.as_str().to_owned()),
            org_type: org_types.get(&view.organization_id.0).cloned(),
            ip_types: view
                .ip_assets
                .iter()
                .map(|a| a.ip_type.as_str().to_owned())
                .collect(),
            cooperation_types: view
                .cooperation_types
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            transfer_forms: view
                .transfer_forms
                .iter()
                .map(|t| t.as_str().to_owned())
                .collect(),
            price_min: view.price_min_vnd,
            price_max: view.price_max_vnd,
            published_at: published_at(view.published_at),
            valid_until: valid_until(view.valid_until),
        },
        public_view: json(public)?,
    })
}

/// What the index holds of a published request. The requester of an anonymous request stays
/// out of the index (no organization type).
pub fn request_record(
    view: &RequestView,
    public: &RequestView,
    org_types: &OrgTypes,
) -> Result<IndexedRecord, SearchError> {
    let org_type = if view.anonymous {
        None
    } else {
        view.organization_id
            .and_then(|id| org_types.get(&id.0).cloned())
    };
    Ok(IndexedRecord {
        kind: RecordKind::Request,
        id: view.id.0,
        title: view.title.clone(),
        summary: view.problem.clone(),
        terms: code_terms(&view.keywords, &view.sci_fields),
        registered: view.requirements.clone().unwrap_or_default(),
        keywords: view.keywords.clone(),
        codes: RecordCodes {
            sci_fields: sci_codes(&view.sci_fields),
            trl: view.trl_min.map(i64::from),
            province: Some(view.province_code.as_str().to_owned()),
            org_type,
            ip_types: Vec::new(),
            cooperation_types: view
                .accepted_cooperation_types
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            transfer_forms: Vec::new(),
            price_min: view.budget_min_vnd,
            price_max: view.budget_max_vnd,
            published_at: published_at(view.published_at),
            valid_until: valid_until(view.valid_until),
        },
        public_view: json(public)?,
    })
}

impl Indexer {
    pub fn new(index: Arc<SearchIndex>, db: Db) -> Indexer {
        Indexer {
            index,
            listings: Listings::new(db.clone()),
            requests: Requests::new(db.clone()),
            db,
            gap: Arc::new(Mutex::new(None)),
            running: Arc::new(tokio::sync::Mutex::new(())),
            vectors: None,
        }
    }

    /// Give every record entering the index its vector (computed once, stored:
    /// [`crate::vectors`]).
    pub fn with_vectors(mut self, vectors: Arc<crate::vectors::Vectors>) -> Indexer {
        self.vectors = Some(vectors);
        self
    }

    /// Re-read listings and put each in the index when published, or take it out.
    async fn refresh_listings(
        &self,
        ids: Vec<i64>,
        org_types: &OrgTypes,
    ) -> Result<usize, SearchError> {
        let mut records = Vec::with_capacity(ids.len());
        for (view, public) in self.listings.index_views(ids.clone()).await? {
            let published = view.status == RecordStatus::Published;
            let record = published
                .then(|| listing_record(&view, &public, org_types))
                .transpose()?;
            records.push((view.id.0, record));
        }
        self.apply(RecordKind::Listing, ids, records).await
    }

    /// Re-read requests and put each in the index when published, or take it out.
    async fn refresh_requests(
        &self,
        ids: Vec<i64>,
        org_types: &OrgTypes,
    ) -> Result<usize, SearchError> {
        let mut records = Vec::with_capacity(ids.len());
        for (view, public) in self.requests.index_views(ids.clone()).await? {
            let published = view.status == RecordStatus::Published;
            let record = published
                .then(|| request_record(&view, &public, org_types))
                .transpose()?;
            records.push((view.id.0, record));
        }
        self.apply(RecordKind::Request, ids, records).await
    }

    /// Upsert the records that are published, remove the others and the ids that no longer
    /// exist; returns how many are in the index.
    async fn apply(
        &self,
        kind: RecordKind,
        ids: Vec<i64>,
        records: Vec<(i64, Option<IndexedRecord>)>,
    ) -> Result<usize, SearchError> {
        if let Some(vectors) = &self.vectors {
            let published: Vec<IndexedRecord> =
                records.iter().filter_map(|(_, r)| r.clone()).collect();
            vectors.ensure(&self.db, &published).await?;
        }
        let mut seen = std::collections::HashSet::new();
        let mut indexed = 0;
        for (id, record) in records {
            seen.insert(id);
            match record {
                Some(record) => {
                    self.index.upsert(&record)?;
                    indexed += 1;
                }
                None => self.remove(kind, id),
            }
        }
        for id in ids.into_iter().filter(|id| !seen.contains(id)) {
            self.remove(kind, id);
        }
        Ok(indexed)
    }

    fn remove(&self, kind: RecordKind, id: i64) {
        self.index.remove(kind, id);
        if let Some(vectors) = &self.vectors {
            vectors.forget(kind, id);
        }
    }

    /// Hold the stored vectors (at start, when the index is not rebuilt); returns how many.
    pub async fn load_vectors(&self) -> Result<usize, SearchError> {
        match &self.vectors {
            Some(vectors) => vectors.load(&self.db).await,
            None => Ok(0),
        }
    }

    /// Re-read one changed entity and bring the index in line with it.
    async fn refresh(
        &self,
        entity: &str,
        id: i64,
        org_types: &OrgTypes,
    ) -> Result<(), SearchError> {
        let system = Actor::system();
        match entity {
            "listing" => {
                self.refresh_listings(vec![id], org_types).await?;
            }
            "request" => {
                self.refresh_requests(vec![id], org_types).await?;
            }
            // The organization (its type, its name) is indexed with each of its published records.
            "organization" => {
                let listings = techx_listings::dto::ListListingsQuery {
                    status: Some(RecordStatus::Published),
                    organization_id: Some(id),
                    ..Default::default()
                };
                let ids = self
                    .listings
                    .export(Some(&system), listings)
                    .await?
                    .iter()
                    .map(|v| v.id.0)
                    .collect();
                self.refresh_listings(ids, org_types).await?;
                let requests = techx_requests::dto::ListRequestsQuery {
                    status: Some(RecordStatus::Published),
                    organization_id: Some(id),
                    ..Default::default()
                };
                let ids = self
                    .requests
                    .export(Some(&system), requests)
                    .await?
                    .iter()
                    .map(|v| v.id.0)
                    .collect();
                self.refresh_requests(ids, org_types).await?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Every organization's type.
    async fn org_types(&self) -> Result<OrgTypes, SearchError> {
        let rows: Vec<(i64, String)> = self
            .db
            .run(|conn| {
                organizations::table
                    .select((organizations::id, organizations::org_type))
                    .load(conn)
                    .map_err(techx_db::DbError::from)
            })
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// Apply the changes committed since the last catch-up; returns how many were applied.
    /// A writer calls it after committing a change that can take something out of public view
    /// (a record withdrawn, paused, made anonymous, edited): when its call returns, this
    /// process's index no longer shows what was taken away.
    pub async fn catch_up(&self) -> Result<usize, SearchError> {
        let _one_at_a_time = self.running.lock().await;
        let last = self.index.last_seq()?;
        let rows: Vec<(i64, String, i64)> = self
            .db
            .run(move |conn| {
                change_log::table
                    .filter(change_log::seq.gt(last))
                    .order(change_log::seq.asc())
                    .limit(BATCH)
                    .select((change_log::seq, change_log::entity, change_log::entity_id))
                    .load(conn)
                    .map_err(techx_db::DbError::from)
            })
            .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let org_types = self.org_types().await?;
        let mut watermark = last;
        let mut blocked = false;
        for (seq, entity, id) in &rows {
            self.refresh(entity, *id, &org_types).await?;
            if blocked {
                continue;
            }
            if *seq == watermark + 1 || self.gap_expired(watermark + 1) {
                watermark = *seq;
            } else {
                blocked = true;
            }
        }
        self.index.commit(watermark)?;
        Ok(rows.len())
    }

    /// Whether the missing `seq` has been waited for long enough.
    fn gap_expired(&self, missing: i64) -> bool {
        let mut gap = self.gap.lock().unwrap_or_else(|p| p.into_inner());
        match *gap {
            Some((seq, since)) if seq == missing => {
                let expired = since.elapsed() >= GAP_PATIENCE;
                if expired {
                    *gap = None;
                    tracing::info!(seq = missing, "change-log gap given up (rolled back)");
                }
                expired
            }
            _ => {
                *gap = Some((missing, Instant::now()));
                false
            }
        }
    }

    /// Rebuild from the database: every published listing and request. Returns how many.
    pub async fn rebuild(&self, progress: impl Fn(usize)) -> Result<usize, SearchError> {
        let last: i64 = self
            .db
            .run(|conn| {
                change_log::table
                    .select(diesel::dsl::max(change_log::seq))
                    .first::<Option<i64>>(conn)
                    .map(Option::unwrap_or_default)
                    .map_err(techx_db::DbError::from)
            })
            .await?;
        self.index.clear()?;
        if let Some(vectors) = &self.vectors {
            vectors.clear();
        }
        let org_types = self.org_types().await?;
        let mut count = 0;
        // Page by id, so a rebuild reads any number of records in bounded memory.
        let mut after = 0;
        loop {
            let ids = self
                .listings
                .published_ids_after(after, REBUILD_PAGE)
                .await?;
            let Some(last_id) = ids.last().copied() else {
                break;
            };
            after = last_id;
            count += self.refresh_listings(ids, &org_types).await?;
            progress(count);
        }
        let mut after = 0;
        loop {
            let ids = self
                .requests
                .published_ids_after(after, REBUILD_PAGE)
                .await?;
            let Some(last_id) = ids.last().copied() else {
                break;
            };
            after = last_id;
            count += self.refresh_requests(ids, &org_types).await?;
            progress(count);
        }
        self.index.commit(last)?;
        Ok(count)
    }
}
