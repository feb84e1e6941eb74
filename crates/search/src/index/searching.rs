//! Searching: filters on the code lists, the text query over the caller's fields, relevance
//! feedback, the typo-tolerant second pass, facets and sort.

use super::SearchIndex;
use crate::SearchError;
use crate::analysis::{self, VI_FOLDED};
use crate::facets::{Facet, FacetCounter, FacetCounts};
use crate::query::{self, Profile, Target, TextFields};
use crate::stats;
use std::collections::BTreeSet;
use std::ops::Bound;
use tantivy::collector::{Count, FilterCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Order, Searcher, TantivyDocument, Term};
use techx_core::RecordKind;
use techx_core::codes::{CooperationType, IpType, OrgType, Province, SciField, TransferForm};

/// Below this many matches a second, typo-tolerant pass is tried.
pub const FUZZY_BELOW: usize = 3;

/// Query words this long (in characters) may be one edit away in the fuzzy pass… (shorter
/// words are mostly Vietnamese syllables, where one edit makes another real word: nuoc/nuoi,
/// duong/dung).
pub(super) const FUZZY_ONE_EDIT: usize = 6;

/// …and this long two edits away.
pub(super) const FUZZY_TWO_EDITS: usize = 9;

/// What a fuzzy match counts, relative to an exact one.
pub(super) const FUZZY_WEIGHT: f32 = 0.5;

/// A hit: which record, and how well it matched (None when sorted by something else).
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub kind: RecordKind,
    pub id: i64,
    pub score: Option<f32>,
    /// The public-tier view (JSON), when asked for.
    pub public_view: Option<String>,
}

/// Filters on the public code-list values; a list matches a record carrying any of its codes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    /// Only listings or only requests.
    pub kind: Option<RecordKind>,
    /// Fields of science; a level-1 field also matches its sub-fields.
    pub sci_fields: Vec<SciField>,
    pub trl_min: Option<i64>,
    pub trl_max: Option<i64>,
    pub provinces: Vec<Province>,
    pub org_types: Vec<OrgType>,
    pub ip_types: Vec<IpType>,
    pub cooperation_types: Vec<CooperationType>,
    pub transfer_forms: Vec<TransferForm>,
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
    /// Records near the query by meaning, in another language than the query's, best first
    /// ([`crate::hybrid`]; empty without the model). Those that pass the filters join the text
    /// matches, and the two rankings are fused (relevance order only).
    pub near: Vec<(RecordKind, i64)>,
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

/// `collector` over the publications still running only. The sweep that removes lapsed ones
/// from the index runs every minute; this check makes them disappear at once. It reads the
/// `valid_until` column of each match, which costs less than a range clause over every document.
pub(super) fn live<C: tantivy::collector::Collector>(
    collector: C,
) -> FilterCollector<C, impl Fn(i64) -> bool + Clone + Send + Sync + 'static, i64> {
    let now = chrono::Utc::now().timestamp_micros();
    FilterCollector::new(
        "valid_until".to_owned(),
        move |until: i64| until > now,
        collector,
    )
}

pub(super) fn any_of(field: tantivy::schema::Field, codes: &[String]) -> Box<dyn Query> {
    let clauses: Vec<(Occur, Box<dyn Query>)> = codes
        .iter()
        .map(|code| {
            let term = TermQuery::new(Term::from_field_text(field, code), IndexRecordOption::Basic);
            (Occur::Should, Box::new(term) as Box<dyn Query>)
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

pub(super) fn range(
    field: tantivy::schema::Field,
    low: Option<i64>,
    high: Option<i64>,
) -> Box<dyn Query> {
    let bound = |value: Option<i64>| match value {
        Some(v) => Bound::Included(Term::from_field_i64(field, v)),
        None => Bound::Unbounded,
    };
    Box::new(RangeQuery::new(bound(low), bound(high)))
}

impl SearchIndex {
    pub(super) fn targets(&self, registered: bool, title_factor: f32) -> Vec<Target> {
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

    /// The searched text fields grouped by way of matching: a term has one document frequency
    /// across a group ([`TextFields::idf_groups`]).
    pub(super) fn idf_groups(&self) -> Vec<Vec<tantivy::schema::Field>> {
        let f = self.fields;
        TextFields::idf_groups(&[f.title, f.summary, f.terms, f.registered])
    }

    pub(super) fn filter_clauses(&self, filters: &Filters) -> Vec<(Occur, Box<dyn Query>)> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(kind) = &filters.kind {
            clauses.push((Occur::Must, any_of(f.kind, &[kind.as_str().to_owned()])));
        }
        fn stored<T: Copy>(codes: &[T], name: fn(T) -> &'static str) -> Vec<String> {
            codes.iter().map(|&code| name(code).to_owned()).collect()
        }
        let lists = [
            (f.sci_field, stored(&filters.sci_fields, SciField::as_str)),
            (f.province, stored(&filters.provinces, Province::as_str)),
            (f.org_type, stored(&filters.org_types, OrgType::as_str)),
            (f.ip_type, stored(&filters.ip_types, IpType::as_str)),
            (
                f.cooperation_type,
                stored(&filters.cooperation_types, CooperationType::as_str),
            ),
            (
                f.transfer_form,
                stored(&filters.transfer_forms, TransferForm::as_str),
            ),
        ];
        for (field, codes) in lists {
            if !codes.is_empty() {
                clauses.push((Occur::Must, any_of(field, &codes)));
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
    pub(super) fn fuzzy_query(
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
            query::clauses(
                self.index.tokenizers(),
                text,
                &targets,
                profile.weights,
                profile.saturation,
            )
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
        if sort == SortBy::Relevance && !text.is_empty() && !request.near.is_empty() {
            return self.fused(&searcher, text_query(Vec::new()), request);
        }
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
    pub(super) fn feedback(
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
        let query = BooleanQuery::new(clauses);
        for (_, address) in stats::search_sharing(searcher, &query, &live(top), &self.idf_groups())?
        {
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

    pub(super) fn run(
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
                let (total, top, facets) = stats::search_sharing(
                    searcher,
                    &query,
                    &live((Count, top.order_by_score(), counter)),
                    &self.idf_groups(),
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

    /// The text matches and the records near the query by meaning, fused: the filters,
    /// the count and the facets apply to both (one query: text OR one of the near keys), the
    /// order is the reciprocal rank fusion of the text ranking and the near records' order.
    fn fused(
        &self,
        searcher: &Searcher,
        text_query: Box<dyn Query>,
        request: &SearchRequest,
    ) -> Result<SearchResult, SearchError> {
        let near_keys: Vec<Term> = request
            .near
            .iter()
            .map(|(kind, id)| Term::from_field_text(self.fields.key, &super::key(*kind, *id)))
            .collect();
        let near_query = || -> Box<dyn Query> {
            Box::new(tantivy::query::ConstScoreQuery::new(
                Box::new(tantivy::query::TermSetQuery::new(near_keys.clone())),
                0.0,
            ))
        };
        let union: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
            (Occur::Should, text_query),
            (Occur::Should, near_query()),
        ]));
        // The text ranking deep enough for the page, and the count and facets of the union.
        let deep = SearchRequest {
            limit: crate::hybrid::DEPTH.max(request.offset + request.limit),
            offset: 0,
            public_views: false,
            ..request.clone()
        };
        let found = self.run(searcher, union, &deep, SortBy::Relevance)?;
        let lexical: Vec<(RecordKind, i64)> = found
            .hits
            .iter()
            .filter(|h| h.score.is_some_and(|s| s > 0.0))
            .map(|h| (h.kind, h.id))
            .collect();
        // Which near records pass the filters (and are live and indexed).
        let only_near = SearchRequest {
            limit: request.near.len(),
            offset: 0,
            public_views: false,
            facets: Vec::new(),
            ..request.clone()
        };
        let passed: std::collections::HashSet<(RecordKind, i64)> = self
            .run(searcher, near_query(), &only_near, SortBy::Relevance)?
            .hits
            .iter()
            .map(|h| (h.kind, h.id))
            .collect();
        let near: Vec<(RecordKind, i64)> = request
            .near
            .iter()
            .filter(|key| passed.contains(key))
            .copied()
            .collect();
        let fused =
            crate::hybrid::fuse(&lexical, &near, |_| false, crate::hybrid::Fusion::default());
        let mut hits = Vec::with_capacity(request.limit);
        for ((kind, id), score) in fused.into_iter().skip(request.offset).take(request.limit) {
            let public_view = if request.public_views {
                self.public_view_of(searcher, kind, id)?
            } else {
                None
            };
            hits.push(Hit {
                kind,
                id,
                score: Some(score as f32),
                public_view,
            });
        }
        Ok(SearchResult {
            total: found.total,
            hits,
            facets: found.facets,
            fuzzy: false,
        })
    }

    /// The stored public view of one indexed record.
    fn public_view_of(
        &self,
        searcher: &Searcher,
        kind: RecordKind,
        id: i64,
    ) -> Result<Option<String>, SearchError> {
        let term = Term::from_field_text(self.fields.key, &super::key(kind, id));
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        let Some((_, address)) = searcher
            .search(&query, &TopDocs::with_limit(1).order_by_score())?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let document: TantivyDocument = searcher.doc(address)?;
        Ok(document
            .get_first(self.fields.public_view)
            .and_then(|v| v.as_str())
            .map(str::to_owned))
    }

    /// Text search without filters or facets, best first: the exact total and one page.
    pub fn search(
        &self,
        text: &str,
        registered: bool,
        kind: Option<RecordKind>,
        limit: usize,
        offset: usize,
    ) -> Result<(usize, Vec<Hit>), SearchError> {
        let result = self.search_with(&SearchRequest {
            text: text.to_owned(),
            registered,
            filters: Filters {
                kind,
                ..Filters::default()
            },
            limit,
            offset,
            ..SearchRequest::default()
        })?;
        Ok((result.total, result.hits))
    }
}
