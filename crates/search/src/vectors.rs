//! Record vectors: what the multilingual model makes of each published record's public text,
//! kept in the database (`record_vectors`) and in memory for nearest-neighbour search.
//!
//! A vector is computed when a record enters the index (published, or edited while published)
//! and stored with the SHA-256 of the text it was computed from; a later indexing of the same
//! text (a reindex, a restart, a change elsewhere in the record) reads it back instead of
//! computing it again. Only public text is embedded (title, summary and its translations,
//! keywords), so a neighbour found by meaning tells a caller nothing the record's public page
//! does not. Which records a caller gets is still decided by the index: the nearest keys only
//! join a search that applies its filters and tiers to them ([`crate::index::SearchRequest`]).

use crate::SearchError;
use crate::index::IndexedRecord;
use crate::query::QueryLanguage;
use diesel::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use techx_core::RecordKind;
use techx_db::Db;
use techx_db::schema::record_vectors;

/// What turns text into unit vectors: the model, or a stand-in in tests.
pub trait Embedder: Send + Sync {
    /// Stored beside each vector; vectors of another name are never read.
    fn name(&self) -> &str;
    fn dim(&self) -> usize;
    /// When a record is near a query at all (a model's cosines have their own scale:
    /// multilingual-e5's unrelated texts still score 0.7 to 0.8).
    fn nearness(&self) -> techx_embed::Nearness;
    fn passages(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, SearchError>;
    fn query(&self, text: &str) -> Result<Vec<f32>, SearchError>;
}

impl Embedder for techx_embed::Model {
    fn name(&self) -> &str {
        techx_embed::MODEL_NAME
    }

    fn dim(&self) -> usize {
        techx_embed::Model::dim(self)
    }

    fn nearness(&self) -> techx_embed::Nearness {
        techx_embed::NEARNESS
    }

    fn passages(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, SearchError> {
        Ok(self.embed_all(texts, techx_embed::Kind::Passage)?)
    }

    fn query(&self, text: &str) -> Result<Vec<f32>, SearchError> {
        Ok(self.embed(text, techx_embed::Kind::Query)?)
    }
}

/// The text of a record that is embedded: public tier only.
pub fn public_text(record: &IndexedRecord) -> String {
    let mut text = format!("{}\n{}", record.title, record.summary);
    if !record.keywords.is_empty() {
        text.push('\n');
        text.push_str(&record.keywords.join(", "));
    }
    text
}

fn digest(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

type Key = (RecordKind, i64);

/// The vectors in memory, and each record's language.
struct Held {
    neighbours: techx_embed::Neighbours<Key>,
    languages: HashMap<Key, Option<QueryLanguage>>,
}

impl Held {
    fn insert(&mut self, key: Key, vector: &[f32], language: Option<QueryLanguage>) {
        if self.neighbours.push(key, vector) {
            self.languages.insert(key, language);
        }
    }
}

/// The vectors of the records in the index, and the model that makes them.
pub struct Vectors {
    embedder: Arc<dyn Embedder>,
    held: RwLock<Held>,
}

impl std::fmt::Debug for Vectors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vectors")
            .field("model", &self.embedder.name())
            .field("records", &self.len())
            .finish()
    }
}

type StoredRow = (String, i64, String, Vec<u8>);

fn language_code(language: Option<QueryLanguage>) -> Option<&'static str> {
    language.map(|l| match l {
        QueryLanguage::Vietnamese => "vi",
        QueryLanguage::English => "en",
    })
}

fn language_of_code(code: Option<&str>) -> Option<QueryLanguage> {
    match code {
        Some("vi") => Some(QueryLanguage::Vietnamese),
        Some("en") => Some(QueryLanguage::English),
        _ => None,
    }
}

impl Vectors {
    pub fn new(embedder: Arc<dyn Embedder>) -> Vectors {
        let held = Held {
            neighbours: techx_embed::Neighbours::new(embedder.dim()),
            languages: HashMap::new(),
        };
        Vectors {
            embedder,
            held: RwLock::new(held),
        }
    }

    /// How many records have a vector in memory.
    pub fn len(&self) -> usize {
        self.held.read().map(|h| h.neighbours.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Give each record its vector: the stored one when it was computed from the same text,
    /// else a new one, computed (the batch at once) and stored.
    pub async fn ensure(&self, db: &Db, records: &[IndexedRecord]) -> Result<(), SearchError> {
        let Some(first) = records.first() else {
            return Ok(());
        };
        let kind = first.kind;
        let texts: Vec<(i64, String)> = records
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| (r.id, public_text(r)))
            .collect();
        let model = self.embedder.name().to_owned();
        let dim = self.embedder.dim();
        let ids: Vec<i64> = texts.iter().map(|(id, _)| *id).collect();
        let entity = kind.as_str().to_owned();
        let (query_entity, query_model) = (entity.clone(), model.clone());
        let stored: Vec<StoredRow> = db
            .run(move |conn| {
                record_vectors::table
                    .filter(record_vectors::entity.eq(query_entity))
                    .filter(record_vectors::model.eq(query_model))
                    .filter(record_vectors::entity_id.eq_any(ids))
                    .select((
                        record_vectors::entity,
                        record_vectors::entity_id,
                        record_vectors::text_sha256,
                        record_vectors::vector,
                    ))
                    .load(conn)
                    .map_err(techx_db::DbError::from)
            })
            .await?;
        let stored: HashMap<i64, (String, Vec<u8>)> = stored
            .into_iter()
            .map(|(_, id, sha, bytes)| (id, (sha, bytes)))
            .collect();
        let mut ready = Vec::with_capacity(texts.len());
        let mut missing = Vec::new();
        for (id, text) in texts {
            let sha = digest(&text);
            let reused = stored
                .get(&id)
                .filter(|(stored_sha, _)| *stored_sha == sha)
                .and_then(|(_, bytes)| techx_embed::from_bytes(bytes, dim));
            match reused {
                Some(vector) => ready.push((id, text, vector)),
                None => missing.push((id, text, sha)),
            }
        }
        if !missing.is_empty() {
            let embedder = self.embedder.clone();
            let batch: Vec<String> = missing.iter().map(|(_, t, _)| t.clone()).collect();
            let computed = tokio::task::spawn_blocking(move || embedder.passages(&batch))
                .await
                .map_err(|e| SearchError::Read {
                    path: "embedding".to_owned(),
                    message: e.to_string(),
                })??;
            let now = techx_core::clock::now();
            let dim_column = i32::try_from(dim).unwrap_or(i32::MAX);
            let rows: Vec<_> = missing
                .iter()
                .zip(&computed)
                .map(|((id, text, sha), vector)| {
                    let language = language_code(crate::hybrid::language_of(text));
                    (
                        record_vectors::entity.eq(entity.clone()),
                        record_vectors::entity_id.eq(*id),
                        record_vectors::model.eq(model.clone()),
                        record_vectors::text_sha256.eq(sha.clone()),
                        record_vectors::lang.eq(language),
                        record_vectors::dim.eq(dim_column),
                        record_vectors::vector.eq(techx_embed::to_bytes(vector)),
                        record_vectors::created_at.eq(now),
                    )
                })
                .collect();
            // Replace the stored vector of each record (delete and insert: the one statement
            // every backend shares). A unique violation means another process stored the
            // same record's vector at the same moment: that one stands.
            db.run(move |conn| {
                for row in rows {
                    let (entity_value, id_value, model_value) =
                        (row.0.clone(), row.1, row.2.clone());
                    let written = conn.transaction(|conn| {
                        diesel::delete(
                            record_vectors::table
                                .filter(entity_value)
                                .filter(id_value)
                                .filter(model_value),
                        )
                        .execute(conn)?;
                        diesel::insert_into(record_vectors::table)
                            .values(row)
                            .execute(conn)
                    });
                    match written {
                        Ok(_)
                        | Err(diesel::result::Error::DatabaseError(
                            diesel::result::DatabaseErrorKind::UniqueViolation,
                            _,
                        )) => {}
                        Err(error) => return Err(techx_db::DbError::from(error)),
                    }
                }
                Ok::<_, techx_db::DbError>(())
            })
            .await?;
            for ((id, text, _), vector) in missing.into_iter().zip(computed) {
                ready.push((id, text, vector));
            }
        }
        let mut held = self.held.write().unwrap_or_else(|p| p.into_inner());
        for (id, text, vector) in ready {
            let language = crate::hybrid::language_of(&text);
            held.insert((kind, id), &vector, language);
        }
        Ok(())
    }

    /// Hold every stored vector of this model (at start, when the index is not rebuilt). A
    /// vector of a record no longer published is harmless: the index, not this list, says which
    /// records a search may return. Returns how many.
    pub async fn load(&self, db: &Db) -> Result<usize, SearchError> {
        let model = self.embedder.name().to_owned();
        let dim = self.embedder.dim();
        let rows: Vec<(String, i64, Option<String>, Vec<u8>)> = db
            .run(move |conn| {
                record_vectors::table
                    .filter(record_vectors::model.eq(model))
                    .select((
                        record_vectors::entity,
                        record_vectors::entity_id,
                        record_vectors::lang,
                        record_vectors::vector,
                    ))
                    .load(conn)
                    .map_err(techx_db::DbError::from)
            })
            .await?;
        let mut held = self.held.write().unwrap_or_else(|p| p.into_inner());
        for (entity, id, lang, bytes) in rows {
            let (Some(kind), Some(vector)) = (
                entity.parse::<RecordKind>().ok(),
                techx_embed::from_bytes(&bytes, dim),
            ) else {
                continue;
            };
            let language = language_of_code(lang.as_deref());
            held.insert((kind, id), &vector, language);
        }
        Ok(held.neighbours.len())
    }

    /// A record left the index.
    pub fn forget(&self, kind: RecordKind, id: i64) {
        let mut held = self.held.write().unwrap_or_else(|p| p.into_inner());
        held.neighbours.remove(&(kind, id));
        held.languages.remove(&(kind, id));
    }

    /// Every record's vector is forgotten (a rebuild starts over; it reads them back).
    pub fn clear(&self) {
        let mut held = self.held.write().unwrap_or_else(|p| p.into_inner());
        held.neighbours.clear();
        held.languages.clear();
    }

    /// The query's vector.
    pub fn query(&self, text: &str) -> Result<Vec<f32>, SearchError> {
        self.embedder.query(text)
    }

    /// The `k` records nearest to `vector` among those whose language is known and is not
    /// `language` (the query's) and that are near enough ([`Embedder::nearness`]), best first.
    pub fn nearest_other_language(
        &self,
        vector: &[f32],
        language: QueryLanguage,
        k: usize,
    ) -> Vec<(RecordKind, i64)> {
        let held = self.held.read().unwrap_or_else(|p| p.into_inner());
        let other = |key: &Key| {
            held.languages
                .get(key)
                .is_some_and(|l| l.is_some_and(|l| l != language))
        };
        held.neighbours
            .nearest(vector, k, other, self.embedder.nearness())
            .into_iter()
            .map(|(key, _)| key)
            .collect()
    }
}
