//! The catalogue index: published listings and requests, one writer, one reader.
//!
//! Only what a caller may see is searchable by that caller: public text (title, summary,
//! keywords) in fields everyone queries, registered text (details, requirements) in fields only
//! members of verified organizations query, confidential text never. The requester of an
//! anonymous request is not indexed.

use crate::SearchError;
use crate::analysis;
use crate::query::{self, Target, TextFields, Weights};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{FAST, INDEXED, IndexRecordOption, STORED, STRING, Schema, Value};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// Bump when the schema or an analyzer changes: an index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 1;
const VERSION_FILE: &str = "techx-schema-version";

/// The fields, resolved once.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// `listing:12`: the unique key used to replace a document.
    pub key: tantivy::schema::Field,
    /// `listing` or `request`.
    pub kind: tantivy::schema::Field,
    pub id: tantivy::schema::Field,
    pub title: TextFields,
    pub summary: TextFields,
    pub terms: TextFields,
    pub registered: TextFields,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let key = builder.add_text_field("key", STRING | STORED);
    let kind = builder.add_text_field("kind", STRING | STORED | FAST);
    let id = builder.add_i64_field("id", INDEXED | STORED | FAST);
    let title = TextFields::add(&mut builder, "title");
    let summary = TextFields::add(&mut builder, "summary");
    let terms = TextFields::add(&mut builder, "terms");
    let registered = TextFields::add(&mut builder, "registered");
    (
        builder.build(),
        Fields {
            key,
            kind,
            id,
            title,
            summary,
            terms,
            registered,
        },
    )
}

/// What the index holds of one published record.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexedRecord {
    pub kind: &'static str,
    pub id: i64,
    pub title: String,
    /// Summary (listing) or problem (request), and English translations.
    pub summary: String,
    /// Keywords and code labels.
    pub terms: String,
    /// Details (listing) or requirements (request): registered tier.
    pub registered: String,
}

/// A hit: which record, how well it matched.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub kind: String,
    pub id: i64,
    pub score: f32,
}

/// The index, its single writer and its reader.
pub struct SearchIndex {
    index: Index,
    fields: Fields,
    writer: Mutex<IndexWriter>,
    reader: IndexReader,
    dir: PathBuf,
}

fn key(kind: &str, id: i64) -> String {
    format!("{kind}:{id}")
}

impl SearchIndex {
    /// Open the index in `dir`, or create it. An index of another schema version, or one that
    /// cannot be opened (damaged), is deleted and created empty; the caller then rebuilds it
    /// (`rebuilt` is true).
    pub fn open(dir: &Path) -> Result<(SearchIndex, bool), SearchError> {
        let (schema, fields) = schema();
        let version_path = dir.join(VERSION_FILE);
        let current = std::fs::read_to_string(&version_path)
            .ok()
            .and_then(|v| v.trim().parse::<u32>().ok());
        let opened = if current == Some(SCHEMA_VERSION) {
            Index::open_in_dir(dir)
                .ok()
                .filter(|index| index.schema() == schema)
        } else {
            None
        };
        let (index, rebuilt) = match opened {
            Some(index) => (index, false),
            None => {
                if dir.exists() {
                    tracing::warn!(path = %dir.display(), "search index missing, damaged or of another version: rebuilding");
                    std::fs::remove_dir_all(dir)?;
                }
                std::fs::create_dir_all(dir)?;
                let index = Index::create_in_dir(dir, schema)?;
                std::fs::write(&version_path, SCHEMA_VERSION.to_string())?;
                (index, true)
            }
        };
        analysis::register(index.tokenizers());
        let writer = index.writer_with_num_threads(1, 50_000_000)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok((
            SearchIndex {
                index,
                fields,
                writer: Mutex::new(writer),
                reader,
                dir: dir.to_owned(),
            },
            rebuilt,
        ))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, IndexWriter> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Add or replace a record.
    pub fn upsert(&self, record: &IndexedRecord) -> Result<(), SearchError> {
        let f = self.fields;
        let writer = self.writer();
        writer.delete_term(Term::from_field_text(f.key, &key(record.kind, record.id)));
        let mut document = TantivyDocument::default();
        document.add_text(f.key, key(record.kind, record.id));
        document.add_text(f.kind, record.kind);
        document.add_i64(f.id, record.id);
        f.title.fill(&mut document, &record.title);
        f.summary.fill(&mut document, &record.summary);
        f.terms.fill(&mut document, &record.terms);
        f.registered.fill(&mut document, &record.registered);
        writer.add_document(document)?;
        Ok(())
    }

    /// Remove a record (unpublished, withdrawn, deleted).
    pub fn remove(&self, kind: &str, id: i64) {
        self.writer()
            .delete_term(Term::from_field_text(self.fields.key, &key(kind, id)));
    }

    /// Remove everything (before a rebuild).
    pub fn clear(&self) -> Result<(), SearchError> {
        self.writer().delete_all_documents()?;
        Ok(())
    }

    /// Commit pending changes with the last applied change-log `seq`, and reload the reader.
    pub fn commit(&self, last_seq: i64) -> Result<(), SearchError> {
        {
            let mut writer = self.writer();
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&last_seq.to_string());
            prepared.commit()?;
        }
        self.reader.reload()?;
        Ok(())
    }

    /// The last change-log `seq` the index has applied (0 for a new index).
    pub fn last_seq(&self) -> Result<i64, SearchError> {
        let metas = self.index.load_metas()?;
        Ok(metas.payload.and_then(|p| p.parse().ok()).unwrap_or(0))
    }

    /// Documents searchable now.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Search `text`; `registered` adds the registered-tier text for entitled callers; `kind`
    /// restricts to listings or requests. Returns the exact total and one page of hits.
    pub fn search(
        &self,
        text: &str,
        registered: bool,
        kind: Option<&str>,
        limit: usize,
        offset: usize,
    ) -> Result<(usize, Vec<Hit>), SearchError> {
        let f = self.fields;
        let mut targets = vec![
            Target {
                fields: f.title,
                boost: 3.0,
            },
            Target {
                fields: f.summary,
                boost: 1.0,
            },
            Target {
                fields: f.terms,
                boost: 1.5,
            },
        ];
        if registered {
            targets.push(Target {
                fields: f.registered,
                boost: 0.7,
            });
        }
        let text_query = query::build(self.index.tokenizers(), text, &targets, Weights::default());
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query)];
        if let Some(kind) = kind {
            let term = TermQuery::new(
                Term::from_field_text(f.kind, kind),
                IndexRecordOption::Basic,
            );
            clauses.push((Occur::Must, Box::new(term)));
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let (total, top) = searcher.search(
            &query,
            &(
                Count,
                TopDocs::with_limit(limit.max(1))
                    .and_offset(offset)
                    .order_by_score(),
            ),
        )?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let document: TantivyDocument = searcher.doc(address)?;
            let kind = document
                .get_first(f.kind)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned();
            let id = document
                .get_first(f.id)
                .and_then(|v| v.as_i64())
                .unwrap_or_default();
            hits.push(Hit { kind, id, score });
        }
        Ok((total, hits))
    }
}
