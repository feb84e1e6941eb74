//! Term-centric scoring across fields (BM25F): one query word is one piece of evidence, however
//! many fields and forms it is found in.
//!
//! Scoring each field on its own (a BM25 term query per field and form, summed) lets a word
//! count once per field and once per form: a question's generic words found in a short title,
//! accented, folded and as a pair, outvote the body that answers it. Here a word's occurrences
//! are pooled first: each field's term frequency, normalised by that field's length against its
//! average and multiplied by the field's weight, is summed into one pseudo-frequency, which is
//! saturated once (`k1`) and multiplied by the word's one idf:
//!
//! ```text
//! tf~ = Σ_f w_f · tf_f / (1 − b + b · len_f / avglen_f)
//! score = idf · tf~ · (k1 + 1) / (tf~ + k1)
//! ```
//!
//! A form is a field here: the accented and the folded spelling of one word are two weighted
//! fields of the same evidence, so an accent that agrees adds a little and never doubles the word.
//! The idf is that of the word's most common form (its folded spelling: measured, the accented
//! spelling's idf is worse even for accented queries), with one document frequency across
//! fields (see [`crate::stats::LiveStatistics::sharing`]).

use std::sync::Arc;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

/// How fast a word's pooled frequency saturates, and how much field length normalises it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Saturation {
    pub k1: f32,
    pub b: f32,
}

impl Default for Saturation {
    /// Chosen by the sweep on xquad-vi-titled (docs/relevance.md): a word's evidence pools
    /// several weighted fields and forms, so it saturates later than one field's BM25 (k1 1.2),
    /// and field lengths normalise almost fully.
    fn default() -> Self {
        Saturation { k1: 2.0, b: 0.9 }
    }
}

/// One term that stands for a query word: a field's (or form's) term and its weight.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub term: Term,
    pub weight: f32,
    /// A spelling more telling than the word's general form (the accented syllable a query
    /// typed, against its folded form): when a document holds it, the word is as rare as it.
    pub specific: bool,
}

impl Evidence {
    pub fn new(term: Term, weight: f32) -> Evidence {
        Evidence {
            term,
            weight,
            specific: false,
        }
    }

    pub fn specific(term: Term, weight: f32) -> Evidence {
        Evidence {
            term,
            weight,
            specific: true,
        }
    }
}

/// One query word: the terms that stand for it in each field and form.
#[derive(Debug, Clone)]
pub struct WordQuery {
    evidence: Vec<Evidence>,
    saturation: Saturation,
}

impl WordQuery {
    /// A word found as each of `evidence`; terms with no weight are left out.
    pub fn new(evidence: Vec<Evidence>, saturation: Saturation) -> WordQuery {
        WordQuery {
            evidence: evidence.into_iter().filter(|e| e.weight > 0.0).collect(),
            saturation,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.evidence.is_empty()
    }
}

/// One field's length normalisation for each of tantivy's 256 field-norm codes.
type Norms = Arc<[Score; 256]>;

fn norms(saturation: Saturation, average: Score) -> Norms {
    let mut norms = [1.0; 256];
    if average > 0.0 {
        for (id, norm) in norms.iter_mut().enumerate() {
            let length = FieldNormReader::id_to_fieldnorm(id as u8) as Score;
            *norm = 1.0 - saturation.b + saturation.b * length / average;
        }
    }
    Arc::new(norms)
}

/// BM25's inverse document frequency (always positive).
fn idf(documents: u64, frequency: u64) -> Score {
    let frequency = frequency.min(documents) as Score;
    let documents = documents as Score;
    (1.0 + (documents - frequency + 0.5) / (frequency + 0.5)).ln()
}

impl Query for WordQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let mut parts = Vec::with_capacity(self.evidence.len());
        let (mut general, mut specific) = (1.0, 1.0);
        match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => {
                let documents = statistics_provider.total_num_docs()?;
                let (mut all, mut telling) = (0, None::<u64>);
                for evidence in &self.evidence {
                    let frequency = statistics_provider.doc_freq(&evidence.term)?;
                    all = all.max(frequency);
                    if evidence.specific {
                        telling = Some(telling.unwrap_or(0).max(frequency));
                    }
                    let tokens = statistics_provider.total_num_tokens(evidence.term.field())?;
                    let average = tokens as Score / documents.max(1) as Score;
                    parts.push((evidence.clone(), norms(self.saturation, average)));
                }
                general = idf(documents, all) * (self.saturation.k1 + 1.0);
                specific =
                    telling.map_or(general, |f| idf(documents, f) * (self.saturation.k1 + 1.0));
            }
            EnableScoring::Disabled { .. } => {
                for evidence in &self.evidence {
                    parts.push((evidence.clone(), Arc::new([1.0; 256])));
                }
            }
        }
        Ok(Box::new(WordWeight {
            parts,
            general,
            specific,
            k1: self.saturation.k1,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for evidence in &self.evidence {
            visitor(&evidence.term, false);
        }
    }
}

struct WordWeight {
    parts: Vec<(Evidence, Norms)>,
    /// idf × (k1 + 1), of the word's general form and of its specific spelling.
    general: Score,
    specific: Score,
    k1: Score,
}

impl WordWeight {
    fn word_scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<WordScorer> {
        let mut parts = Vec::with_capacity(self.parts.len());
        for (evidence, norms) in &self.parts {
            let field = evidence.term.field();
            let inverted = reader.inverted_index(field)?;
            let Some(postings) =
                inverted.read_postings(&evidence.term, IndexRecordOption::WithFreqs)?
            else {
                continue;
            };
            parts.push(Part {
                postings,
                fieldnorms: reader.get_fieldnorms_reader(field)?,
                weight: evidence.weight,
                specific: evidence.specific,
                norms: norms.clone(),
            });
        }
        let size = parts
            .iter()
            .map(|p| p.postings.size_hint())
            .fold(0u32, u32::saturating_add);
        let mut scorer = WordScorer {
            parts,
            start: 0,
            pooled: Box::new([0.0; WINDOW]),
            matched: [0; WINDOW / 64],
            specific_in: [0; WINDOW / 64],
            doc: 0,
            size,
            general: self.general * boost,
            specific: self.specific * boost,
            k1: self.k1,
        };
        scorer.refill(0);
        Ok(scorer)
    }
}

impl Weight for WordWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let scorer = self.word_scorer(reader, boost)?;
        if scorer.parts.is_empty() {
            return Ok(Box::new(EmptyScorer));
        }
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.word_scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        let pooled = scorer.pooled[(doc - scorer.start) as usize];
        let mut explanation = Explanation::new("bm25f: idf·(k1+1)·tf~/(tf~+k1)", scorer.score());
        explanation.add_const("tf~, pooled frequency", pooled);
        Ok(explanation)
    }
}

/// One field's (or form's) postings of the word.
struct Part {
    postings: SegmentPostings,
    fieldnorms: FieldNormReader,
    weight: Score,
    specific: bool,
    norms: Norms,
}

/// Documents are gathered a window at a time: each part's postings inside the window add their
/// weighted, normalised frequencies to the window's slots (every posting read once, in order),
/// then the window's documents are walked in order.
const WINDOW: usize = 1024;

struct WordScorer {
    parts: Vec<Part>,
    /// First document of the window.
    start: DocId,
    /// The pooled frequency of each document of the window.
    pooled: Box<[Score; WINDOW]>,
    /// Which documents of the window match, and which hold the specific spelling.
    matched: [u64; WINDOW / 64],
    specific_in: [u64; WINDOW / 64],
    doc: DocId,
    size: u32,
    general: Score,
    specific: Score,
    k1: Score,
}

impl WordScorer {
    /// Gather the next window from the first document at or after `from`, and stand on its
    /// first document.
    fn refill(&mut self, from: DocId) {
        self.parts.retain(|p| p.postings.doc() != TERMINATED);
        let mut first = TERMINATED;
        for part in &mut self.parts {
            if part.postings.doc() < from {
                part.postings.seek(from);
            }
            first = first.min(part.postings.doc());
        }
        if first == TERMINATED {
            self.doc = TERMINATED;
            return;
        }
        self.start = first;
        let end = first.saturating_add(WINDOW as DocId);
        self.matched = [0; WINDOW / 64];
        self.specific_in = [0; WINDOW / 64];
        for part in &mut self.parts {
            let mut doc = part.postings.doc();
            while doc < end {
                let slot = (doc - first) as usize;
                let norm = part.norms[part.fieldnorms.fieldnorm_id(doc) as usize];
                let add = part.weight * part.postings.term_freq() as Score / norm;
                let bit = 1u64 << (slot % 64);
                if self.matched[slot / 64] & bit == 0 {
                    self.matched[slot / 64] |= bit;
                    self.pooled[slot] = add;
                } else {
                    self.pooled[slot] += add;
                }
                if part.specific {
                    self.specific_in[slot / 64] |= bit;
                }
                doc = part.postings.advance();
            }
        }
        self.doc = first;
    }

    /// The first matched document of the window at or after `slot`, if any.
    fn next_in_window(&self, slot: usize) -> Option<DocId> {
        let mut word = slot / 64;
        if word >= WINDOW / 64 {
            return None;
        }
        let mut bits = self.matched[word] & (u64::MAX << (slot % 64));
        loop {
            if bits != 0 {
                let found = word * 64 + bits.trailing_zeros() as usize;
                return Some(self.start + found as DocId);
            }
            word += 1;
            if word >= WINDOW / 64 {
                return None;
            }
            bits = self.matched[word];
        }
    }
}

impl DocSet for WordScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        let slot = (self.doc - self.start) as usize + 1;
        match self.next_in_window(slot) {
            Some(doc) => self.doc = doc,
            None => {
                let end = self.start.saturating_add(WINDOW as DocId);
                self.refill(end);
            }
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        let end = self.start.saturating_add(WINDOW as DocId);
        if target < end {
            match self.next_in_window((target - self.start) as usize) {
                Some(doc) => self.doc = doc,
                None => self.refill(end),
            }
        } else {
            self.refill(target);
        }
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.size
    }
}

impl Scorer for WordScorer {
    fn score(&mut self) -> Score {
        let slot = (self.doc - self.start) as usize;
        let pooled = self.pooled[slot];
        let factor = if self.specific_in[slot / 64] & (1u64 << (slot % 64)) != 0 {
            self.specific
        } else {
            self.general
        };
        factor * pooled / (pooled + self.k1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::schema::{STORED, STRING, Schema, TEXT, Value};
    use tantivy::{Index, TantivyDocument};

    #[test]
    fn a_word_in_two_fields_counts_once_and_saturates() {
        let mut builder = Schema::builder();
        let id = builder.add_text_field("id", STRING | STORED);
        let title = builder.add_text_field("title", TEXT);
        let body = builder.add_text_field("body", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for (name, t, b) in [
            (
                "title-and-body",
                "solar dryer",
                "solar dryer for rice and solar power",
            ),
            (
                "body-only",
                "drying rice",
                "solar dryer for rice and solar power",
            ),
            ("neither", "water filter", "membrane water filter"),
        ] {
            let mut document = TantivyDocument::default();
            document.add_text(id, name);
            document.add_text(title, t);
            document.add_text(body, b);
            writer.add_document(document).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let word = |weights: (f32, f32)| {
            WordQuery::new(
                vec![
                    Evidence::new(Term::from_field_text(title, "solar"), weights.0),
                    Evidence::new(Term::from_field_text(body, "solar"), weights.1),
                ],
                Saturation::default(),
            )
        };
        let scores = |query: &WordQuery| -> Vec<(String, f32)> {
            searcher
                .search(query, &TopDocs::with_limit(10).order_by_score())
                .unwrap()
                .into_iter()
                .map(|(score, address)| {
                    let document: TantivyDocument = searcher.doc(address).unwrap();
                    let name = document.get_first(id).and_then(|v| v.as_str()).unwrap();
                    (name.to_owned(), score)
                })
                .collect()
        };
        let found = scores(&word((2.0, 1.0)));
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, "title-and-body");
        // The title adds to the body's evidence, but one word never scores more than its
        // saturated ceiling, idf × (k1 + 1), however many fields hold it.
        let documents = searcher.num_docs();
        let ceiling = idf(documents, 2) * (Saturation::default().k1 + 1.0);
        assert!(found[0].1 < ceiling, "{found:?} against {ceiling}");
        assert!(found[0].1 > found[1].1);
        let heavy = scores(&word((50.0, 1.0)));
        assert!(heavy[0].1 < ceiling, "{heavy:?}");
        // A weight of zero leaves the field out.
        let body_only = scores(&word((0.0, 1.0)));
        assert!(
            (body_only[0].1 - body_only[1].1).abs() < 1e-6,
            "{body_only:?}"
        );
        // Counting without scoring sees the union of the fields.
        assert_eq!(word((1.0, 1.0)).count(&searcher).unwrap(), 2);
    }
}
