//! The records a description resembles: the query built from every word of a description,
//! used by matching.

use super::SearchIndex;
use super::searching::{Filters, any_of, live};
use crate::SearchError;
use crate::query::{self, Profile};
use crate::stats;
use std::collections::{BTreeMap, BTreeSet};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur};
use tantivy::schema::Value;
use tantivy::{DocAddress, Searcher, TantivyDocument};
use techx_core::RecordKind;
use techx_core::kind::UnknownKind;

/// A published record that resembles a description.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: i64,
    /// Score of the description's words against the record's public text (BM25F, as search
    /// scores a query; 0 when it was found only through a shared field of science).
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

/// How many of a description's telling terms, per way of matching, explanations may name.
pub const SALIENT_TERMS: usize = 20;

impl SearchIndex {
    /// Published records passing `filters` (set `kind` to the other side) whose public text
    /// resembles `text`: the `text_limit` best by the text's telling terms, plus the
    /// `field_limit` best among those sharing one of `sci_fields` (so a record that says the
    /// same thing in other words is still considered). Public text only, for every caller.
    ///
    /// `near` are records found near the description by meaning, in another language
    /// ([`crate::hybrid`]): those passing the filters are candidates too.
    pub fn resembling(
        &self,
        text: &str,
        sci_fields: &[String],
        filters: &Filters,
        text_limit: usize,
        field_limit: usize,
        near: &[(RecordKind, i64)],
    ) -> Result<Resembling, SearchError> {
        let searcher = self.reader.searcher();
        let profile = Profile::for_query(text);
        let targets = self.targets(false, profile.title_factor);
        // Candidates come from every word of the description, each scored across fields at
        // once (as a search of the whole text would): a long need is not cut down to a handful
        // of terms, so an offer that says the same in part of its words is still found.
        let whole = query::clauses(
            self.index.tokenizers(),
            text,
            &targets,
            profile.weights,
            profile.saturation,
        );
        // The telling terms name what a match has in common (explanations), folded syllables
        // and pairs only.
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
        let groups = self.idf_groups();
        let copy = |clauses: &query::Clauses| -> query::Clauses {
            clauses.iter().map(|(o, q)| (*o, q.box_clone())).collect()
        };
        let mut found: BTreeMap<i64, Candidate> = BTreeMap::new();
        let mut collect = |query: BooleanQuery, limit: usize| -> Result<(), SearchError> {
            if limit == 0 {
                return Ok(());
            }
            let top = TopDocs::with_limit(limit).order_by_score();
            for (score, address) in stats::search_sharing(&searcher, &query, &live(top), &groups)? {
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
        if !whole.is_empty() {
            let mut clauses: query::Clauses =
                vec![(Occur::Must, Box::new(BooleanQuery::new(copy(&whole))))];
            clauses.extend(self.filter_clauses(filters));
            collect(BooleanQuery::new(clauses), text_limit)?;
        }
        if !sci_fields.is_empty() {
            // The shared field decides membership and adds nothing to the score; the words,
            // optional here, order the records within it.
            let mut clauses = copy(&whole);
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
        if !near.is_empty() {
            let keys: Vec<tantivy::Term> = near
                .iter()
                .map(|(kind, id)| {
                    tantivy::Term::from_field_text(self.fields.key, &super::key(*kind, *id))
                })
                .collect();
            let mut clauses = copy(&whole);
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(
                    Box::new(tantivy::query::TermSetQuery::new(keys)),
                    0.0,
                )),
            ));
            clauses.extend(self.filter_clauses(filters));
            collect(BooleanQuery::new(clauses), near.len())?;
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
    pub(super) fn identify(
        &self,
        searcher: &Searcher,
        address: DocAddress,
    ) -> Result<(RecordKind, i64), SearchError> {
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
        let kind = kind
            .parse()
            .map_err(|error: UnknownKind| SearchError::Read {
                path: "search index".into(),
                message: error.to_string(),
            })?;
        Ok((kind, id))
    }
}
