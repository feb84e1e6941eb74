//! Statistics over live documents only. A record that is re-indexed or taken down leaves its
//! old version in its segment, marked deleted, until a merge; the term dictionary still counts
//! it. Whether a term exists anywhere (the typo pass, suggestions, the telling terms of a
//! match) and the inverse document frequency of every score are computed here from the live
//! documents, so that nothing a caller sees tells whether a word was in a record now gone.
//!
//! Exact counting walks a term's postings; it is done whenever the dictionary count could be
//! made of deleted documents alone (or is small). A larger count is used as it stands: the term
//! certainly lives, and its idf differs from the exact one by at most the segment's share of
//! deleted documents.

use tantivy::query::{Bm25StatisticsProvider, Query};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocSet, Searcher, TERMINATED, Term};

/// Terms held by at most this many documents of a segment are always counted exactly.
const EXACT_UP_TO: u32 = 1024;

/// The number of live documents holding `term`.
pub fn live_doc_freq(searcher: &Searcher, term: &Term) -> tantivy::Result<u64> {
    let mut total = 0u64;
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(term.field())?;
        let listed = inverted.doc_freq(term)?;
        if listed == 0 {
            continue;
        }
        let deleted = segment.num_deleted_docs();
        let Some(alive) = segment.alive_bitset().filter(|_| deleted > 0) else {
            total += u64::from(listed);
            continue;
        };
        if listed > EXACT_UP_TO && listed > deleted {
            total += u64::from(listed);
            continue;
        }
        let Some(mut postings) = inverted.read_postings(term, IndexRecordOption::Basic)? else {
            continue;
        };
        let mut doc = postings.doc();
        while doc != TERMINATED {
            if alive.is_alive(doc) {
                total += 1;
            }
            doc = postings.advance();
        }
    }
    Ok(total)
}

/// BM25 statistics of live documents, for scored searches.
pub struct LiveStatistics<'a> {
    searcher: &'a Searcher,
    /// For a field, the fields whose document frequency its terms share (itself included),
    /// and the group's index in `frequencies`.
    shared: std::collections::HashMap<Field, (usize, Vec<Field>)>,
    /// The shared frequency of each (group, term text) once computed: a query asks for it
    /// once per field of the group.
    frequencies: std::sync::Mutex<std::collections::HashMap<(usize, String), u64>>,
}

impl<'a> LiveStatistics<'a> {
    pub fn new(searcher: &'a Searcher) -> Self {
        LiveStatistics {
            searcher,
            shared: Default::default(),
            frequencies: Default::default(),
        }
    }

    /// Live statistics in which a term has one document frequency across the fields that
    /// analyse a text the same way (the title's and the body's accented syllables, say): the
    /// largest of its frequencies there, so that a word common in bodies is not rare, and
    /// telling, in short titles.
    pub fn sharing(searcher: &'a Searcher, groups: &[Vec<Field>]) -> Self {
        let mut shared = std::collections::HashMap::new();
        for (index, group) in groups.iter().enumerate() {
            for field in group {
                shared.insert(*field, (index, group.clone()));
            }
        }
        LiveStatistics {
            searcher,
            shared,
            frequencies: Default::default(),
        }
    }
}

impl LiveStatistics<'_> {
    fn known(&self, key: &(usize, String)) -> Option<u64> {
        self.frequencies.lock().ok()?.get(key).copied()
    }
}

impl Bm25StatisticsProvider for LiveStatistics<'_> {
    /// Token counts are kept per segment, deleted documents included: scaled to the live share
    /// so that the average length is that of live documents.
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        let mut total = 0f64;
        for segment in self.searcher.segment_readers() {
            let tokens = segment.inverted_index(field)?.total_num_tokens() as f64;
            let max = f64::from(segment.max_doc().max(1));
            total += tokens * f64::from(segment.num_docs()) / max;
        }
        Ok(total.round() as u64)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.searcher.num_docs())
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let documents = self.searcher.num_docs();
        let value = term.value();
        let (Some((group, fields)), Some(text)) = (self.shared.get(&term.field()), value.as_str())
        else {
            return Ok(live_doc_freq(self.searcher, term)?.min(documents));
        };
        let key = (*group, text.to_owned());
        if let Some(known) = self.known(&key) {
            return Ok(known);
        }
        let mut shared = 0;
        for field in fields {
            let term = Term::from_field_text(*field, text);
            shared = shared.max(live_doc_freq(self.searcher, &term)?);
        }
        let shared = shared.min(documents);
        if let Ok(mut frequencies) = self.frequencies.lock() {
            frequencies.insert(key, shared);
        }
        Ok(shared)
    }
}

/// Run a search whose scores come from live documents only.
/// Search with live statistics in which the terms of the fields in each of `groups` share one
/// document frequency ([`LiveStatistics::sharing`]).
pub fn search_sharing<C: tantivy::collector::Collector>(
    searcher: &Searcher,
    query: &dyn Query,
    collector: &C,
    groups: &[Vec<Field>],
) -> tantivy::Result<C::Fruit> {
    searcher.search_with_statistics_provider(
        query,
        collector,
        &LiveStatistics::sharing(searcher, groups),
    )
}

pub fn search<C: tantivy::collector::Collector>(
    searcher: &Searcher,
    query: &dyn Query,
    collector: &C,
) -> tantivy::Result<C::Fruit> {
    searcher.search_with_statistics_provider(query, collector, &LiveStatistics::new(searcher))
}
