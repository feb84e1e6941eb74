//! Completions of what a user is typing, from keywords and titles.

use super::SearchIndex;
use super::document::{KEYWORD_SEPARATOR, fold_phrase};
use super::searching::{any_of, live};
use crate::SearchError;
use crate::analysis::{self, VI_FOLDED};
use crate::stats;
use std::collections::{BTreeMap, BTreeSet};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};
use techx_core::RecordKind;

/// A completion of what the user is typing.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub text: String,
    /// `title` or `keyword`.
    pub source: &'static str,
    pub kind: RecordKind,
    /// The record, for a title.
    pub id: Option<i64>,
    /// How many published records carry it (1 for a title).
    pub count: u64,
}

impl SearchIndex {
    /// Completions of `text` as typed so far: titles whose words start like it, then keywords
    /// that start like it (most used first). The last word may be incomplete. Public text only.
    pub fn suggest(
        &self,
        text: &str,
        kind: Option<RecordKind>,
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
        let kinds: Vec<RecordKind> = match kind {
            Some(kind) => vec![kind],
            None => RecordKind::ALL.to_vec(),
        };
        let mut keywords: BTreeMap<String, (String, RecordKind, u64)> = BTreeMap::new();
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
                    .or_insert_with(|| (written.to_owned(), kind, 0));
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
                clauses.push((Occur::Must, any_of(f.kind, &[kind.as_str().to_owned()])));
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
