//! The catalogue index: published listings and requests, one writer, one reader.
//!
//! Only what a caller may see is searchable by that caller: public text (title, summary,
//! keywords) in fields everyone queries, registered text (details, requirements) in fields only
//! members of verified organizations query, confidential text never. The code-list values every
//! caller may see (fields of science, TRL, province, cooperation types, prices…) are indexed as
//! columnar fields for filters, facet counts and sorting. The requester of an anonymous request
//! (its organization and organization type) is not indexed.

use crate::SearchError;
use crate::analysis;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term};
use techx_core::RecordKind;

mod document;
mod schema;
mod searching;
mod similar;
mod suggest;

pub use document::{IndexedRecord, RecordCodes};
pub use schema::Fields;
use schema::schema;
pub use searching::{FUZZY_BELOW, Filters, Hit, SearchRequest, SearchResult, SortBy};
pub use similar::{Candidate, Resembling, SALIENT_TERMS};
pub use suggest::Suggestion;

/// Bump when the schema, an analyzer or the shape of a stored view changes: an index of
/// another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 2;

/// Each index version with the shape of the record views it stores (the public and registered
/// `ListingView` and `RequestView` a hit is answered from): a fingerprint of their schemas in
/// the OpenAPI document, descriptions and examples aside. A test computes it from the code: a
/// view that changes shape fails it until a new entry with the next version is added here (and
/// `SCHEMA_VERSION` follows), so no index answers with views of an older shape.
pub const STORED_VIEW_SHAPES: &[(u32, u64)] = &[(2, 0x448e_68f1_6240_accc)];
const VERSION_FILE: &str = "techx-schema-version";

/// The index, its single writer and its reader.
pub struct SearchIndex {
    index: Index,
    fields: Fields,
    writer: Mutex<IndexWriter>,
    reader: IndexReader,
    dir: PathBuf,
}

fn key(kind: RecordKind, id: i64) -> String {
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
        // One query searches the index's segments in parallel, on every core.
        let mut index = index;
        index.set_default_multithread_executor()?;
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
        let document = self.document(record);
        let writer = self.writer();
        writer.delete_term(Term::from_field_text(f.key, &key(record.kind, record.id)));
        writer.add_document(document)?;
        Ok(())
    }

    /// Remove a record (unpublished, withdrawn, deleted).
    pub fn remove(&self, kind: RecordKind, id: i64) {
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

    /// Bytes the index takes on disk.
    pub fn size_on_disk(&self) -> u64 {
        fn walk(path: &Path) -> u64 {
            std::fs::read_dir(path)
                .map(|entries| {
                    entries
                        .flatten()
                        .map(|e| match e.metadata() {
                            Ok(m) if m.is_dir() => walk(&e.path()),
                            Ok(m) => m.len(),
                            Err(_) => 0,
                        })
                        .sum()
                })
                .unwrap_or(0)
        }
        walk(&self.dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats;

    fn record(kind: RecordKind, id: i64, title: &str, summary: &str) -> IndexedRecord {
        IndexedRecord {
            kind,
            id,
            title: title.to_owned(),
            summary: summary.to_owned(),
            terms: String::new(),
            registered: String::new(),
            keywords: Vec::new(),
            codes: RecordCodes {
                valid_until: i64::MAX,
                ..RecordCodes::default()
            },
            public_view: "{}".to_owned(),
        }
    }

    /// An index holding `records` (kind, id, title, summary), committed.
    fn index_of(records: &[(RecordKind, i64, &str, &str)]) -> (tempfile::TempDir, SearchIndex) {
        let dir = tempfile::tempdir().unwrap();
        let (index, _) = SearchIndex::open(dir.path()).unwrap();
        for &(kind, id, title, summary) in records {
            index.upsert(&record(kind, id, title, summary)).unwrap();
        }
        index.commit(1).unwrap();
        (dir, index)
    }

    /// What a search for `text` finds: the total, the ids and whether it was corrected.
    fn found(index: &SearchIndex, text: &str) -> (usize, Vec<i64>, bool) {
        let result = index
            .search_with(&SearchRequest {
                text: text.to_owned(),
                limit: 10,
                ..SearchRequest::default()
            })
            .unwrap();
        let ids = result.hits.iter().map(|h| h.id).collect();
        (result.total, ids, result.fuzzy)
    }

    #[test]
    fn the_fuzzy_pass_corrects_unknown_long_words_only() {
        let (_dir, index) = index_of(&[
            (
                RecordKind::Request,
                1,
                "Cần chế phẩm ủ phân cho trang trại",
                "Trang trại 2.000 con lợn cần giảm mùi và COD của nước thải xuống dưới QCVN 62.",
            ),
            (
                RecordKind::Listing,
                2,
                "Hệ thống giám sát ao nuôi tôm",
                "Cảm biến aquaculture",
            ),
        ]);
        let found = |text: &str| {
            let (_, ids, fuzzy) = found(&index, text);
            (ids, fuzzy)
        };
        assert_eq!(found("Bacillus subtilis"), (vec![], false));
        assert_eq!(found("aquacultrue"), (vec![2], true));
        assert_eq!(found("aqacultre"), (vec![2], true));
        // Short words are mostly Vietnamese syllables, one edit from another real word.
        assert_eq!(found("giamm"), (vec![], false));
        // Known words are not corrected: "nuoc" is not taken for "nuoi".
        assert_eq!(found("nuoc"), (vec![1], false));
    }

    #[test]
    fn a_word_of_a_record_taken_down_is_as_unknown_as_a_word_nobody_wrote() {
        let (_dir, index) = index_of(&[
            (
                RecordKind::Listing,
                1,
                "Giống lúa PAUSEDMARK",
                "Giống lúa chịu mặn ven biển",
            ),
            (
                RecordKind::Listing,
                2,
                "Giống lúa PAUSEDMARQ",
                "Giống lúa năng suất cao",
            ),
        ]);
        index.remove(RecordKind::Listing, 1);
        index.commit(2).unwrap();
        let searcher = index.reader.searcher();
        let term = Term::from_field_text(index.fields.title.folded, "pausedmark");
        // The dictionary still lists the deleted version; only live documents count.
        assert_eq!(searcher.doc_freq(&term).unwrap(), 1);
        assert_eq!(stats::live_doc_freq(&searcher, &term).unwrap(), 0);
        // Both are corrected to the live neighbour: nothing tells the first one ever existed.
        assert_eq!(found(&index, "PAUSEDMARK"), (1, vec![2], true));
        assert_eq!(found(&index, "PAUSEDMARK"), found(&index, "PAUSEDMARX"));
    }

    #[test]
    fn a_term_has_one_document_frequency_across_the_fields_of_its_way() {
        use tantivy::query::Bm25StatisticsProvider;
        let (_dir, index) = index_of(&[
            (RecordKind::Listing, 1, "Nghiên cứu máy sấy", "Máy sấy lúa"),
            (RecordKind::Listing, 2, "Lò đốt trấu", "Nghiên cứu lò đốt"),
            (
                RecordKind::Listing,
                3,
                "Hệ thống tưới",
                "Nghiên cứu tưới nhỏ giọt",
            ),
        ]);
        let searcher = index.reader.searcher();
        let term = |field| Term::from_field_text(field, "nghien");
        let (title, summary) = (index.fields.title.folded, index.fields.summary.folded);
        // Each field alone: the word is rare, and telling, in titles.
        let own = stats::LiveStatistics::new(&searcher);
        assert_eq!(own.doc_freq(&term(title)).unwrap(), 1);
        assert_eq!(own.doc_freq(&term(summary)).unwrap(), 2);
        // Shared within its way of matching: as common in titles as in summaries.
        let shared = stats::LiveStatistics::sharing(&searcher, &index.idf_groups());
        assert_eq!(shared.doc_freq(&term(title)).unwrap(), 2);
        assert_eq!(shared.doc_freq(&term(summary)).unwrap(), 2);
        // Ways of matching do not mix: the accented fields hold "nghiên", not "nghien".
        assert_eq!(shared.doc_freq(&term(index.fields.title.exact)).unwrap(), 0);
    }

    #[test]
    fn score_statistics_count_live_records_only() {
        use tantivy::query::Bm25StatisticsProvider;
        let drier = "Thiết bị sấy nông sản";
        let (_dir, index) = index_of(&[
            (RecordKind::Listing, 1, "Máy sấy lúa", drier),
            (RecordKind::Listing, 2, "Máy sấy cà phê", drier),
            (RecordKind::Listing, 3, "Lò đốt trấu", drier),
        ]);
        index.remove(RecordKind::Listing, 3);
        index.commit(2).unwrap();
        let searcher = index.reader.searcher();
        let live = stats::LiveStatistics::new(&searcher);
        let term = |word: &str| Term::from_field_text(index.fields.title.folded, word);
        // The taken-down record's words weigh nothing: its term is as absent as any other.
        assert_eq!(live.total_num_docs().unwrap(), 2);
        assert_eq!(live.doc_freq(&term("trau")).unwrap(), 0);
        assert_eq!(live.doc_freq(&term("say")).unwrap(), 2);
        assert_eq!(searcher.doc_freq(&term("trau")).unwrap(), 1);
    }
}
