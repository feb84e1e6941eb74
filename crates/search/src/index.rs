//! The catalogue index: published listings and requests, one writer, one reader.
//!
//! Only what a caller may see is searchable by that caller: public text (title, summary,
//! keywords) in fields everyone queries, registered text (details, requirements) in fields only
//! members of verified organizations query, confidential text never. The code-list values every
//! caller may see (fields of science, TRL, province, cooperation types, prices…) are indexed as
//! columnar fields for filters, facet counts and sorting. The requester of an anonymous request
//! (its organization and organization type) is not indexed.

use crate::SearchError;
use crate::analysis::{self, VI_FOLDED};
use crate::facets::{Facet, FacetCounter, FacetCounts};
use crate::query::{self, Profile, Target, TextFields};
use crate::stats;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tantivy::collector::{Count, FilterCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::{FAST, INDEXED, IndexRecordOption, STORED, STRING, Schema, Value};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher, TantivyDocument,
    Term,
};

/// Bump when the schema or an analyzer changes: an index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 2;
const VERSION_FILE: &str = "techx-schema-version";

/// Below this many matches a second, typo-tolerant pass is tried.
pub const FUZZY_BELOW: usize = 3;
/// Query words this long (in characters) may be one edit away in the fuzzy pass… (shorter
/// words are mostly Vietnamese syllables, where one edit makes another real word: nuoc/nuoi,
/// duong/dung).
const FUZZY_ONE_EDIT: usize = 6;
/// …and this long two edits away.
const FUZZY_TWO_EDITS: usize = 9;
/// What a fuzzy match counts, relative to an exact one.
const FUZZY_WEIGHT: f32 = 0.5;
const KEYWORD_SEPARATOR: char = '\u{1f}';

/// The fields, resolved once.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// `listing:12`: the unique key used to replace a document.
    pub key: tantivy::schema::Field,
    /// `listing` or `request`.
    pub kind: tantivy::schema::Field,
    pub id: tantivy::schema::Field,
    /// The title as written, for suggestions.
    pub display_title: tantivy::schema::Field,
    pub title: TextFields,
    pub summary: TextFields,
    pub terms: TextFields,
    pub registered: TextFields,
    pub sci_field: tantivy::schema::Field,
    pub trl_code: tantivy::schema::Field,
    pub province: tantivy::schema::Field,
    pub org_type: tantivy::schema::Field,
    pub ip_type: tantivy::schema::Field,
    pub cooperation_type: tantivy::schema::Field,
    pub transfer_form: tantivy::schema::Field,
    /// TRL of a listing, `trl_min` of a request.
    pub trl: tantivy::schema::Field,
    /// Lower end of the price (listing) or budget (request) range; 0 when only a maximum is set.
    pub price_low: tantivy::schema::Field,
    /// Upper end; `i64::MAX` when only a minimum is set. Absent when there is no price at all.
    pub price_high: tantivy::schema::Field,
    pub sort_price_asc: tantivy::schema::Field,
    pub sort_price_desc: tantivy::schema::Field,
    pub published: tantivy::schema::Field,
    /// `kind␟folded keyword␟keyword as written`, scanned by prefix for suggestions.
    pub keyword: tantivy::schema::Field,
    /// The record as an anonymous reader sees it (public tier), JSON: anonymous searches are
    /// answered from the index alone.
    pub public_view: tantivy::schema::Field,
    /// End of the publication, microseconds: a lapsed record stops matching at once.
    pub valid_until: tantivy::schema::Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let key = builder.add_text_field("key", STRING | STORED);
    let kind = builder.add_text_field("kind", STRING | STORED | FAST);
    let id = builder.add_i64_field("id", INDEXED | STORED | FAST);
    let display_title = builder.add_text_field("display_title", STORED);
    let title = TextFields::add(&mut builder, "title");
    let summary = TextFields::add(&mut builder, "summary");
    let terms = TextFields::add(&mut builder, "terms");
    let registered = TextFields::add(&mut builder, "registered");
    let mut code = |facet: Facet| builder.add_text_field(facet.field(), STRING | FAST);
    let sci_field = code(Facet::SciField);
    let trl_code = code(Facet::Trl);
    let province = code(Facet::Province);
    let org_type = code(Facet::OrgType);
    let ip_type = code(Facet::IpType);
    let cooperation_type = code(Facet::CooperationType);
    let transfer_form = code(Facet::TransferForm);
    let trl = builder.add_i64_field("trl", INDEXED | FAST);
    let price_low = builder.add_i64_field("price_low", INDEXED | FAST);
    let price_high = builder.add_i64_field("price_high", INDEXED | FAST);
    let sort_price_asc = builder.add_i64_field("sort_price_asc", FAST);
    let sort_price_desc = builder.add_i64_field("sort_price_desc", FAST);
    let published = builder.add_i64_field("published", FAST);
    let keyword = builder.add_text_field("keyword", STRING);
    let public_view = builder.add_text_field("public_view", STORED);
    let valid_until = builder.add_i64_field("valid_until", FAST);
    (
        builder.build(),
        Fields {
            key,
            kind,
            id,
            display_title,
            title,
            summary,
            terms,
            registered,
            sci_field,
            trl_code,
            province,
            org_type,
            ip_type,
            cooperation_type,
            transfer_form,
            trl,
            price_low,
            price_high,
            sort_price_asc,
            sort_price_desc,
            published,
            keyword,
            public_view,
            valid_until,
        },
    )
}

/// The code-list values of a record every caller may see: filters, facets and sort keys.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordCodes {
    /// Fields of science, with the level-1 parent of every level-2 code.
    pub sci_fields: Vec<String>,
    /// TRL of a listing, `trl_min` of a request.
    pub trl: Option<i64>,
    pub province: Option<String>,
    /// Organization type of the owner; None for an anonymous request.
    pub org_type: Option<String>,
    pub ip_types: Vec<String>,
    /// Offered (listing) or accepted (request) cooperation types.
    pub cooperation_types: Vec<String>,
    pub transfer_forms: Vec<String>,
    /// Price (listing) or budget (request) range, VND.
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    /// Publication time, microseconds since the epoch.
    pub published_at: i64,
    /// End of the publication, microseconds since the epoch (`i64::MAX`: none).
    pub valid_until: i64,
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
    /// Keywords as written, for suggestions.
    pub keywords: Vec<String>,
    pub codes: RecordCodes,
    /// The public-tier view, JSON.
    pub public_view: String,
}

/// A hit: which record, and how well it matched (None when sorted by something else).
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub kind: String,
    pub id: i64,
    pub score: Option<f32>,
    /// The public-tier view (JSON), when asked for.
    pub public_view: Option<String>,
}

/// Filters on the public code-list values; a list matches a record carrying any of its codes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    /// `listing` or `request`.
    pub kind: Option<String>,
    /// Codes of fields of science; a level-1 code also matches its sub-fields.
    pub sci_fields: Vec<String>,
    pub trl_min: Option<i64>,
    pub trl_max: Option<i64>,
    pub provinces: Vec<String>,
    pub org_types: Vec<String>,
    pub ip_types: Vec<String>,
    pub cooperation_types: Vec<String>,
    pub transfer_forms: Vec<String>,
    /// The record's price or budget range overlaps [price_min, price_max].
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
}

/// Result order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortBy {
    /// Best match first (newest first when there is no text).
    #[default]
    Relevance,
    Newest,
    /// Cheapest first; records without a price last.
    PriceAsc,
    /// Dearest first; records without a price last.
    PriceDesc,
}

/// One search.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// What to look for; empty for every record that passes the filters.
    pub text: String,
    /// Search the registered-tier text too (entitled callers only).
    pub registered: bool,
    pub filters: Filters,
    pub facets: Vec<Facet>,
    pub sort: SortBy,
    pub limit: usize,
    pub offset: usize,
    /// Return each hit's public-tier view (for anonymous callers).
    pub public_views: bool,
}

/// What a search found.
#[derive(Debug, Clone, Default)]
pub struct SearchResult {
    /// Exact number of matching records.
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: FacetCounts,
    /// The typo-tolerant pass produced these results.
    pub fuzzy: bool,
}

/// A completion of what the user is typing.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub text: String,
    /// `title` or `keyword`.
    pub source: &'static str,
    /// `listing` or `request`.
    pub kind: String,
    /// The record, for a title.
    pub id: Option<i64>,
    /// How many published records carry it (1 for a title).
    pub count: u64,
}

/// A published record that resembles a description.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: i64,
    /// BM25 score of the description's telling terms against the record's public text (0 when
    /// it was found only through a shared field of science).
    pub score: f32,
    /// The record's public-tier view (JSON).
    pub public_view: String,
}

/// The records a description resembles, and the terms it was matched with.
#[derive(Debug, Clone, Default)]
pub struct Resembling {
    /// Distinct records, best text score first (ties by id).
    pub candidates: Vec<Candidate>,
    /// The description's telling terms, folded syllables and syllable pairs (`nuoc_thai`).
    pub salient: BTreeSet<String>,
    /// Those telling syllables few records hold.
    pub rare: BTreeSet<String>,
}

/// How many of a description's terms, per way of matching, a resemblance query uses.
pub const SALIENT_TERMS: usize = 20;

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

/// A keyword folded for prefix matching: no diacritics, lower case, single spaces.
fn fold_phrase(text: &str) -> String {
    analysis::fold(&analysis::normalize(text))
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `collector` over the publications still running only. The sweep that removes lapsed ones
/// from the index runs every minute; this check makes them disappear at once. It reads the
/// `valid_until` column of each match, which costs less than a range clause over every document.
fn live<C: tantivy::collector::Collector>(
    collector: C,
) -> FilterCollector<C, impl Fn(i64) -> bool + Clone + Send + Sync + 'static, i64> {
    let now = chrono::Utc::now().timestamp_micros();
    FilterCollector::new(
        "valid_until".to_owned(),
        move |until: i64| until > now,
        collector,
    )
}

fn any_of(field: tantivy::schema::Field, codes: &[String]) -> Box<dyn Query> {
    let clauses: Vec<(Occur, Box<dyn Query>)> = codes
        .iter()
        .map(|code| {
            let term = TermQuery::new(Term::from_field_text(field, code), IndexRecordOption::Basic);
            (Occur::Should, Box::new(term) as Box<dyn Query>)
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

fn range(field: tantivy::schema::Field, low: Option<i64>, high: Option<i64>) -> Box<dyn Query> {
    let bound = |value: Option<i64>| match value {
        Some(v) => Bound::Included(Term::from_field_i64(field, v)),
        None => Bound::Unbounded,
    };
    Box::new(RangeQuery::new(bound(low), bound(high)))
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

    fn document(&self, record: &IndexedRecord) -> TantivyDocument {
        let f = self.fields;
        let codes = &record.codes;
        let mut document = TantivyDocument::default();
        document.add_text(f.key, key(record.kind, record.id));
        document.add_text(f.kind, record.kind);
        document.add_i64(f.id, record.id);
        document.add_text(f.display_title, &record.title);
        f.title.fill(&mut document, &record.title);
        f.summary.fill(&mut document, &record.summary);
        f.terms.fill(&mut document, &record.terms);
        f.registered.fill(&mut document, &record.registered);
        let lists = [
            (f.sci_field, &codes.sci_fields),
            (f.ip_type, &codes.ip_types),
            (f.cooperation_type, &codes.cooperation_types),
            (f.transfer_form, &codes.transfer_forms),
        ];
        for (field, values) in lists {
            for value in values.iter().collect::<BTreeSet<_>>() {
                document.add_text(field, value);
            }
        }
        if let Some(trl) = codes.trl {
            document.add_i64(f.trl, trl);
            document.add_text(f.trl_code, trl.to_string());
        }
        if let Some(province) = &codes.province {
            document.add_text(f.province, province);
        }
        if let Some(org_type) = &codes.org_type {
            document.add_text(f.org_type, org_type);
        }
        if codes.price_min.is_some() || codes.price_max.is_some() {
            document.add_i64(f.price_low, codes.price_min.unwrap_or(0));
            document.add_i64(f.price_high, codes.price_max.unwrap_or(i64::MAX));
        }
        document.add_i64(
            f.sort_price_asc,
            codes.price_min.or(codes.price_max).unwrap_or(i64::MAX),
        );
        document.add_i64(
            f.sort_price_desc,
            codes.price_max.or(codes.price_min).unwrap_or(i64::MIN),
        );
        document.add_i64(f.published, codes.published_at);
        document.add_i64(f.valid_until, codes.valid_until);
        document.add_text(f.public_view, &record.public_view);
        let keywords: BTreeMap<String, &String> = record
            .keywords
            .iter()
            .map(|k| (fold_phrase(k), k))
            .filter(|(folded, _)| !folded.is_empty())
            .collect();
        for (folded, written) in keywords {
            document.add_text(
                f.keyword,
                format!(
                    "{}{KEYWORD_SEPARATOR}{folded}{KEYWORD_SEPARATOR}{}",
                    record.kind,
                    written.trim()
                ),
            );
        }
        document
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

    fn targets(&self, registered: bool, title_factor: f32) -> Vec<Target> {
        let f = self.fields;
        let mut targets = vec![
            Target {
                fields: f.title,
                boost: 3.0 * title_factor,
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
        targets
    }

    fn filter_clauses(&self, filters: &Filters) -> Vec<(Occur, Box<dyn Query>)> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(kind) = &filters.kind {
            clauses.push((Occur::Must, any_of(f.kind, std::slice::from_ref(kind))));
        }
        let lists = [
            (f.sci_field, &filters.sci_fields),
            (f.province, &filters.provinces),
            (f.org_type, &filters.org_types),
            (f.ip_type, &filters.ip_types),
            (f.cooperation_type, &filters.cooperation_types),
            (f.transfer_form, &filters.transfer_forms),
        ];
        for (field, codes) in lists {
            if !codes.is_empty() {
                clauses.push((Occur::Must, any_of(field, codes)));
            }
        }
        if filters.trl_min.is_some() || filters.trl_max.is_some() {
            clauses.push((Occur::Must, range(f.trl, filters.trl_min, filters.trl_max)));
        }
        // Ranges overlap: the record's upper end reaches the wanted minimum and its lower end
        // stays under the wanted maximum. A record without a price has neither and never matches.
        if filters.price_min.is_some() || filters.price_max.is_some() {
            // Lower ends are ≥ 0: this clause keeps only records with a price.
            clauses.push((
                Occur::Must,
                range(f.price_high, Some(filters.price_min.unwrap_or(0)), None),
            ));
            if filters.price_max.is_some() {
                clauses.push((Occur::Must, range(f.price_low, None, filters.price_max)));
            }
        }
        clauses
    }

    /// The typo-tolerant variant of a text query: each longer folded word that the searched
    /// fields do not contain at all (likely a typo) may be an edit or two away. Words the index
    /// knows are left alone, so a rare real word is not swapped for a common neighbour.
    fn fuzzy_query(
        &self,
        searcher: &Searcher,
        text: &str,
        targets: &[Target],
    ) -> Result<query::Clauses, SearchError> {
        let words: BTreeSet<String> = analysis::analyze(self.index.tokenizers(), VI_FOLDED, text)
            .into_iter()
            .filter(|w| w.chars().count() >= FUZZY_ONE_EDIT)
            .collect();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in &words {
            let mut known = false;
            for target in targets {
                let term = Term::from_field_text(target.fields.folded, word);
                if stats::live_doc_freq(searcher, &term)? > 0 {
                    known = true;
                    break;
                }
            }
            if known {
                continue;
            }
            let distance = if word.chars().count() >= FUZZY_TWO_EDITS {
                2
            } else {
                1
            };
            for target in targets {
                let term = Term::from_field_text(target.fields.folded, word);
                let fuzzy = FuzzyTermQuery::new(term, distance, true);
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(fuzzy),
                        FUZZY_WEIGHT * target.boost,
                    )),
                ));
            }
        }
        Ok(clauses)
    }

    /// Search: text over the caller's tiers, filters, facet counts, a sorted page.
    pub fn search_with(&self, request: &SearchRequest) -> Result<SearchResult, SearchError> {
        let text = request.text.trim();
        let profile = Profile::for_query(text);
        let targets = self.targets(request.registered, profile.title_factor);
        let mut text_clauses = if text.is_empty() {
            Vec::new()
        } else {
            query::clauses(self.index.tokenizers(), text, &targets, profile.weights)
        };
        let sort = match (request.sort, text.is_empty()) {
            (SortBy::Relevance, true) => SortBy::Newest,
            (sort, _) => sort,
        };
        let searcher = self.reader.searcher();
        if let Some(feedback) = profile.feedback.filter(|_| sort == SortBy::Relevance)
            && !text_clauses.is_empty()
        {
            let expansion = self.feedback(&searcher, text, &text_clauses, request, feedback)?;
            text_clauses.extend(expansion);
        }
        let text_query = |extra: Vec<(Occur, Box<dyn Query>)>| -> Box<dyn Query> {
            if text.is_empty() {
                return Box::new(AllQuery);
            }
            let mut all: Vec<(Occur, Box<dyn Query>)> = text_clauses
                .iter()
                .map(|(occur, q)| (*occur, q.box_clone()))
                .collect();
            all.extend(extra);
            Box::new(BooleanQuery::new(all))
        };
        let mut result = self.run(&searcher, text_query(Vec::new()), request, sort)?;
        if !text.is_empty() && result.total < FUZZY_BELOW {
            let fuzzy = self.fuzzy_query(&searcher, text, &targets)?;
            if !fuzzy.is_empty() {
                let second = self.run(&searcher, text_query(fuzzy), request, sort)?;
                if second.total > result.total {
                    result = SearchResult {
                        fuzzy: true,
                        ..second
                    };
                }
            }
        }
        Ok(result)
    }

    /// Pseudo-relevance feedback: the expansion clauses learnt from the best English hits of
    /// a first round (their public text, from the stored public views), on the summary's
    /// English field.
    fn feedback(
        &self,
        searcher: &Searcher,
        text: &str,
        text_clauses: &query::Clauses,
        request: &SearchRequest,
        feedback: query::Feedback,
    ) -> Result<query::Clauses, SearchError> {
        let mut clauses: query::Clauses = vec![(
            Occur::Must,
            Box::new(BooleanQuery::new(
                text_clauses
                    .iter()
                    .map(|(o, q)| (*o, q.box_clone()))
                    .collect(),
            )),
        )];
        clauses.extend(self.filter_clauses(&request.filters));
        let top = TopDocs::with_limit(feedback.documents.max(1)).order_by_score();
        let mut texts = Vec::new();
        for (_, address) in stats::search(searcher, &BooleanQuery::new(clauses), &live(top))? {
            let document: TantivyDocument = searcher.doc(address)?;
            let view: serde_json::Value = document
                .get_first(self.fields.public_view)
                .and_then(|v| v.as_str())
                .and_then(|json| serde_json::from_str(json).ok())
                .unwrap_or_default();
            let mut hit = String::new();
            for key in ["title", "summary", "problem"] {
                if let Some(part) = view.get(key).and_then(|v| v.as_str()) {
                    hit.push_str(part);
                    hit.push('\n');
                }
            }
            texts.push(hit);
        }
        let field = self.fields.summary.english;
        let terms = query::expansion(
            self.index.tokenizers(),
            searcher,
            field,
            text,
            &texts,
            feedback,
        )?;
        Ok(terms
            .into_iter()
            .map(|(token, weight)| {
                let term = TermQuery::new(
                    Term::from_field_text(field, &token),
                    IndexRecordOption::WithFreqs,
                );
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(term), weight)) as Box<dyn Query>,
                )
            })
            .collect())
    }

    fn run(
        &self,
        searcher: &Searcher,
        text_query: Box<dyn Query>,
        request: &SearchRequest,
        sort: SortBy,
    ) -> Result<SearchResult, SearchError> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query)];
        clauses.extend(self.filter_clauses(&request.filters));
        let query = BooleanQuery::new(clauses);
        let top = TopDocs::with_limit(request.limit.max(1)).and_offset(request.offset);
        let counter = FacetCounter {
            facets: request.facets.clone(),
        };
        let (total, page, facets): (usize, Vec<(Option<f32>, DocAddress)>, FacetCounts) = match sort
        {
            SortBy::Relevance => {
                let (total, top, facets) = stats::search(
                    searcher,
                    &query,
                    &live((Count, top.order_by_score(), counter)),
                )?;
                let page = top.into_iter().map(|(s, a)| (Some(s), a)).collect();
                (total, page, facets)
            }
            other => {
                let (field, order) = match other {
                    SortBy::PriceAsc => ("sort_price_asc", Order::Asc),
                    SortBy::PriceDesc => ("sort_price_desc", Order::Desc),
                    _ => ("published", Order::Desc),
                };
                let (total, top, facets) = stats::search(
                    searcher,
                    &query,
                    &live((Count, top.order_by_fast_field::<i64>(field, order), counter)),
                )?;
                let page = top.into_iter().map(|(_, a)| (None, a)).collect();
                (total, page, facets)
            }
        };
        let mut hits = Vec::with_capacity(page.len());
        for (score, address) in page {
            let (kind, id) = self.identify(searcher, address)?;
            let public_view = if request.public_views {
                let document: TantivyDocument = searcher.doc(address)?;
                document
                    .get_first(self.fields.public_view)
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            } else {
                None
            };
            hits.push(Hit {
                kind,
                id,
                score,
                public_view,
            });
        }
        Ok(SearchResult {
            total,
            hits,
            facets,
            fuzzy: false,
        })
    }

    /// Published records passing `filters` (set `kind` to the other side) whose public text
    /// resembles `text`: the `text_limit` best by the text's telling terms, plus the
    /// `field_limit` best among those sharing one of `sci_fields` (so a record that says the
    /// same thing in other words is still considered). Public text only, for every caller.
    pub fn resembling(
        &self,
        text: &str,
        sci_fields: &[String],
        filters: &Filters,
        text_limit: usize,
        field_limit: usize,
    ) -> Result<Resembling, SearchError> {
        let searcher = self.reader.searcher();
        let profile = Profile::for_query(text);
        let targets = self.targets(false, profile.title_factor);
        // Folded syllables and pairs say what accented syllables would, at a third less cost.
        let weights = query::Weights {
            exact: 0.0,
            ..profile.weights
        };
        let salient = query::salient(
            self.index.tokenizers(),
            &searcher,
            text,
            &targets,
            weights,
            SALIENT_TERMS,
        )?;
        let copy = |clauses: &query::Clauses| -> query::Clauses {
            clauses.iter().map(|(o, q)| (*o, q.box_clone())).collect()
        };
        let mut found: BTreeMap<i64, Candidate> = BTreeMap::new();
        let mut collect = |query: BooleanQuery, limit: usize| -> Result<(), SearchError> {
            if limit == 0 {
                return Ok(());
            }
            let top = TopDocs::with_limit(limit).order_by_score();
            for (score, address) in stats::search(&searcher, &query, &live(top))? {
                let (_, id) = self.identify(&searcher, address)?;
                if found.get(&id).is_some_and(|c| c.score >= score) {
                    continue;
                }
                let document: TantivyDocument = searcher.doc(address)?;
                let public_view = document
                    .get_first(self.fields.public_view)
                    .and_then(|v| v.as_str())
                    .unwrap_or("{}")
                    .to_owned();
                found.insert(
                    id,
                    Candidate {
                        id,
                        score,
                        public_view,
                    },
                );
            }
            Ok(())
        };
        if !salient.clauses.is_empty() {
            let mut clauses: query::Clauses = vec![(
                Occur::Must,
                Box::new(BooleanQuery::new(copy(&salient.clauses))),
            )];
            clauses.extend(self.filter_clauses(filters));
            collect(BooleanQuery::new(clauses), text_limit)?;
        }
        if !sci_fields.is_empty() {
            // The shared field decides membership and adds nothing to the score; the telling
            // terms, optional here, order the records within it.
            let mut clauses = copy(&salient.clauses);
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(
                    any_of(self.fields.sci_field, sci_fields),
                    0.0,
                )),
            ));
            clauses.extend(self.filter_clauses(filters));
            collect(BooleanQuery::new(clauses), field_limit)?;
        }
        let mut candidates: Vec<Candidate> = found.into_values().collect();
        candidates.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        Ok(Resembling {
            candidates,
            salient: salient.folded,
            rare: salient.rare,
        })
    }

    /// Kind and id of a document, from its columnar values.
    fn identify(
        &self,
        searcher: &Searcher,
        address: DocAddress,
    ) -> Result<(String, i64), SearchError> {
        let segment = searcher.segment_reader(address.segment_ord);
        let id = segment
            .fast_fields()
            .i64("id")?
            .first(address.doc_id)
            .unwrap_or_default();
        let mut kind = String::new();
        if let Some(column) = segment.fast_fields().str("kind")?
            && let Some(ord) = column.term_ords(address.doc_id).next()
        {
            column.ord_to_str(ord, &mut kind)?;
        }
        Ok((kind, id))
    }

    /// Text search without filters or facets, best first: the exact total and one page.
    pub fn search(
        &self,
        text: &str,
        registered: bool,
        kind: Option<&str>,
        limit: usize,
        offset: usize,
    ) -> Result<(usize, Vec<Hit>), SearchError> {
        let result = self.search_with(&SearchRequest {
            text: text.to_owned(),
            registered,
            filters: Filters {
                kind: kind.map(str::to_owned),
                ..Filters::default()
            },
            limit,
            offset,
            ..SearchRequest::default()
        })?;
        Ok((result.total, result.hits))
    }

    /// Completions of `text` as typed so far: titles whose words start like it, then keywords
    /// that start like it (most used first). The last word may be incomplete. Public text only.
    pub fn suggest(
        &self,
        text: &str,
        kind: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Suggestion>, SearchError> {
        let f = self.fields;
        let folded = fold_phrase(text);
        if folded.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let mut out = Vec::new();

        // Keywords: a prefix scan of `kind␟folded…` over every segment's term dictionary.
        let kinds: Vec<&str> = match kind {
            Some(kind) => vec![kind],
            None => vec!["listing", "request"],
        };
        let mut keywords: BTreeMap<String, (String, String, u64)> = BTreeMap::new();
        for kind in kinds {
            let prefix = format!("{kind}{KEYWORD_SEPARATOR}{folded}");
            let mut candidates = BTreeSet::new();
            for segment in searcher.segment_readers() {
                let inverted = segment.inverted_index(f.keyword)?;
                let mut stream = inverted
                    .terms()
                    .range()
                    .ge(prefix.as_bytes())
                    .into_stream()?;
                while stream.advance() && candidates.len() < 200 {
                    let key = stream.key();
                    if !key.starts_with(prefix.as_bytes()) {
                        break;
                    }
                    candidates.insert(String::from_utf8_lossy(key).into_owned());
                }
            }
            for candidate in candidates {
                // Terms of deleted documents stay in the dictionary until a merge: count live ones.
                let live = stats::search(
                    &searcher,
                    &TermQuery::new(
                        Term::from_field_text(f.keyword, &candidate),
                        IndexRecordOption::Basic,
                    ),
                    &live(Count),
                )? as u64;
                let mut parts = candidate.splitn(3, KEYWORD_SEPARATOR);
                let (Some(_), Some(folded_keyword), Some(written)) =
                    (parts.next(), parts.next(), parts.next())
                else {
                    continue;
                };
                if live == 0 {
                    continue;
                }
                let entry = keywords
                    .entry(folded_keyword.to_owned())
                    .or_insert_with(|| (written.to_owned(), kind.to_owned(), 0));
                entry.2 += live;
            }
        }

        // Titles: every complete word, and the last one as a prefix.
        let words = analysis::analyze(self.index.tokenizers(), VI_FOLDED, text);
        let complete = text.ends_with(char::is_whitespace);
        if let Some((last, before)) = words.split_last() {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for word in before {
                clauses.push((
                    Occur::Must,
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.title.folded, word),
                        IndexRecordOption::WithFreqs,
                    )),
                ));
            }
            let last_term = Term::from_field_text(f.title.folded, last);
            let last_query: Box<dyn Query> = if complete {
                Box::new(TermQuery::new(last_term, IndexRecordOption::WithFreqs))
            } else {
                Box::new(FuzzyTermQuery::new_prefix(last_term, 0, true))
            };
            clauses.push((Occur::Must, last_query));
            if let Some(kind) = kind {
                clauses.push((Occur::Must, any_of(f.kind, &[kind.to_owned()])));
            }
            let top = stats::search(
                &searcher,
                &BooleanQuery::new(clauses),
                &live(TopDocs::with_limit(limit).order_by_score()),
            )?;
            let mut seen = BTreeSet::new();
            for (_, address) in top {
                let document: TantivyDocument = searcher.doc(address)?;
                let title = document
                    .get_first(f.display_title)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned();
                let (kind, id) = self.identify(&searcher, address)?;
                if seen.insert(fold_phrase(&title)) {
                    out.push(Suggestion {
                        text: title,
                        source: "title",
                        kind,
                        id: Some(id),
                        count: 1,
                    });
                }
            }
        }

        let mut keywords: Vec<_> = keywords.into_values().collect();
        keywords.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        let mut keywords: Vec<Suggestion> = keywords
            .into_iter()
            .map(|(text, kind, count)| Suggestion {
                text,
                source: "keyword",
                kind,
                id: None,
                count,
            })
            .collect();
        // Keywords first (short, reusable) up to half the room, then titles, then the other
        // keywords; at most `limit` in all.
        let rest = keywords.split_off(keywords.len().min(limit.div_ceil(2)));
        keywords.extend(out);
        keywords.extend(rest);
        keywords.truncate(limit);
        Ok(keywords)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: &'static str, id: i64, title: &str, summary: &str) -> IndexedRecord {
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

    #[test]
    fn the_fuzzy_pass_corrects_unknown_long_words_only() {
        let dir = tempfile::tempdir().unwrap();
        let (index, _) = SearchIndex::open(dir.path()).unwrap();
        index
            .upsert(&record(
                "request",
                1,
                "Cần chế phẩm ủ phân cho trang trại",
                "Trang trại 2.000 con lợn cần giảm mùi và COD của nước thải xuống dưới QCVN 62.",
            ))
            .unwrap();
        index
            .upsert(&record(
                "listing",
                2,
                "Hệ thống giám sát ao nuôi tôm",
                "Cảm biến aquaculture",
            ))
            .unwrap();
        index.commit(1).unwrap();
        let found = |text: &str| {
            let result = index
                .search_with(&SearchRequest {
                    text: text.to_owned(),
                    limit: 10,
                    ..SearchRequest::default()
                })
                .unwrap();
            (
                result.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
                result.fuzzy,
            )
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
        let dir = tempfile::tempdir().unwrap();
        let (index, _) = SearchIndex::open(dir.path()).unwrap();
        index
            .upsert(&record(
                "listing",
                1,
                "Giống lúa PAUSEDMARK",
                "Giống lúa chịu mặn ven biển",
            ))
            .unwrap();
        index
            .upsert(&record(
                "listing",
                2,
                "Giống lúa PAUSEDMARQ",
                "Giống lúa năng suất cao",
            ))
            .unwrap();
        index.commit(1).unwrap();
        index.remove("listing", 1);
        index.commit(2).unwrap();
        let searcher = index.reader.searcher();
        let term = Term::from_field_text(index.fields.title.folded, "pausedmark");
        // The dictionary still lists the deleted version; only live documents count.
        assert_eq!(searcher.doc_freq(&term).unwrap(), 1);
        assert_eq!(stats::live_doc_freq(&searcher, &term).unwrap(), 0);
        let found = |text: &str| {
            let result = index
                .search_with(&SearchRequest {
                    text: text.to_owned(),
                    limit: 10,
                    ..SearchRequest::default()
                })
                .unwrap();
            (
                result.total,
                result.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
                result.fuzzy,
            )
        };
        // Both are corrected to the live neighbour: nothing tells the first one ever existed.
        assert_eq!(found("PAUSEDMARK"), (1, vec![2], true));
        assert_eq!(found("PAUSEDMARK"), found("PAUSEDMARX"));
    }

    #[test]
    fn score_statistics_count_live_records_only() {
        use tantivy::query::Bm25StatisticsProvider;
        let dir = tempfile::tempdir().unwrap();
        let (index, _) = SearchIndex::open(dir.path()).unwrap();
        for (id, title) in [
            (1, "Máy sấy lúa"),
            (2, "Máy sấy cà phê"),
            (3, "Lò đốt trấu"),
        ] {
            index
                .upsert(&record("listing", id, title, "Thiết bị sấy nông sản"))
                .unwrap();
        }
        index.commit(1).unwrap();
        index.remove("listing", 3);
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
