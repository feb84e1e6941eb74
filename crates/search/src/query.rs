//! The query builder: one text, analyzed by each analyzer of each searched field, becomes a
//! weighted sum of BM25 term scores. The API and the relevance harness both use it, so what the
//! harness measures is what users get.

use crate::analysis::{self, EN_STEM, VI_EXACT, VI_FOLDED, VI_PAIRS};
use std::collections::BTreeSet;
use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, TEXT, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::TokenizerManager;

/// One text indexed four ways.
#[derive(Debug, Clone, Copy)]
pub struct TextFields {
    pub exact: Field,
    pub folded: Field,
    pub pairs: Field,
    pub english: Field,
}

fn indexed(analyzer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

impl TextFields {
    /// Add the four fields of `name` to a schema.
    pub fn add(builder: &mut tantivy::schema::SchemaBuilder, name: &str) -> TextFields {
        let _ = TEXT;
        TextFields {
            exact: builder.add_text_field(&format!("{name}_exact"), indexed(VI_EXACT)),
            folded: builder.add_text_field(&format!("{name}_folded"), indexed(VI_FOLDED)),
            pairs: builder.add_text_field(&format!("{name}_pairs"), indexed(VI_PAIRS)),
            english: builder.add_text_field(&format!("{name}_en"), indexed(EN_STEM)),
        }
    }

    /// Resolve the four fields of `name` in an existing schema.
    pub fn find(schema: &Schema, name: &str) -> Option<TextFields> {
        Some(TextFields {
            exact: schema.get_field(&format!("{name}_exact")).ok()?,
            folded: schema.get_field(&format!("{name}_folded")).ok()?,
            pairs: schema.get_field(&format!("{name}_pairs")).ok()?,
            english: schema.get_field(&format!("{name}_en")).ok()?,
        })
    }

    /// Put `text` (NFC-normalised here) into all four fields of a document.
    pub fn fill(&self, document: &mut tantivy::TantivyDocument, text: &str) {
        let text = analysis::normalize(text);
        for field in [self.exact, self.folded, self.pairs, self.english] {
            document.add_text(field, &text);
        }
    }
}

/// How much each way of matching counts. The defaults were chosen with the relevance harness
/// (docs/relevance.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// Accented syllables as typed.
    pub exact: f32,
    /// Syllables without diacritics.
    pub folded: f32,
    /// Adjacent syllable pairs.
    pub pairs: f32,
    /// English stems.
    pub english: f32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            exact: 1.0,
            folded: 1.0,
            pairs: 1.0,
            english: 1.0,
        }
    }
}

/// A field set and how much it counts (a title over a summary over keywords).
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub fields: TextFields,
    pub boost: f32,
}

/// Clauses of a boolean query.
pub type Clauses = Vec<(Occur, Box<dyn Query>)>;

/// Build the query for `text` over `targets`.
pub fn build(
    manager: &TokenizerManager,
    text: &str,
    targets: &[Target],
    weights: Weights,
) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(clauses(manager, text, targets, weights)))
}

/// The weighted term clauses of [`build`], to combine with others in one flat query (nesting a
/// disjunction whose terms are all absent inside another trips tantivy 0.27's doc-set
/// assertions).
pub fn clauses(
    manager: &TokenizerManager,
    text: &str,
    targets: &[Target],
    weights: Weights,
) -> Clauses {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for target in targets {
        let ways = [
            (target.fields.exact, VI_EXACT, weights.exact),
            (target.fields.folded, VI_FOLDED, weights.folded),
            (target.fields.pairs, VI_PAIRS, weights.pairs),
            (target.fields.english, EN_STEM, weights.english),
        ];
        for (field, analyzer, weight) in ways {
            if weight <= 0.0 {
                continue;
            }
            let tokens: BTreeSet<String> = analysis::analyze(manager, analyzer, text)
                .into_iter()
                .collect();
            for token in tokens {
                let term = TermQuery::new(
                    Term::from_field_text(field, &token),
                    IndexRecordOption::WithFreqs,
                );
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(term), weight * target.boost)),
                ));
            }
        }
    }
    clauses
}

/// Pseudo-relevance feedback: the terms that characterise the best first-round hits, to add
/// to the query in a second round. Long descriptive needs ("what similarity laws must be
/// obeyed…") gain from it; the weights come from the relevance harness.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Feedback {
    /// How many first-round hits to learn from.
    pub documents: usize,
    /// How many expansion terms to add.
    pub terms: usize,
    /// Weight of the strongest expansion term, relative to an original term.
    pub weight: f32,
}

/// Expansion terms (English stems) from the texts of the first-round hits: frequent in those
/// texts, rare in the index (tf × idf), not already in the query.
pub fn expansion(
    manager: &TokenizerManager,
    searcher: &tantivy::Searcher,
    field: Field,
    query_text: &str,
    hit_texts: &[String],
    feedback: Feedback,
) -> Result<Vec<(String, f32)>, tantivy::TantivyError> {
    use std::collections::HashMap;
    let original: BTreeSet<String> = analysis::analyze(manager, EN_STEM, query_text)
        .into_iter()
        .collect();
    let mut weights: HashMap<String, f32> = HashMap::new();
    for text in hit_texts.iter().take(feedback.documents) {
        let tokens = analysis::analyze(manager, EN_STEM, text);
        if tokens.is_empty() {
            continue;
        }
        let length = tokens.len() as f32;
        for token in tokens {
            *weights.entry(token).or_default() += 1.0 / length;
        }
    }
    let documents = searcher.num_docs() as f32;
    let mut scored = Vec::with_capacity(weights.len());
    for (token, tf) in weights {
        if original.contains(&token) || token.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let df = searcher.doc_freq(&Term::from_field_text(field, &token))? as f32;
        let idf = (1.0 + (documents - df + 0.5) / (df + 0.5)).ln();
        scored.push((token, tf * idf));
    }
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    scored.truncate(feedback.terms);
    let strongest = scored
        .first()
        .map(|(_, w)| *w)
        .unwrap_or(1.0)
        .max(f32::EPSILON);
    Ok(scored
        .into_iter()
        .map(|(token, w)| (token, feedback.weight * w / strongest))
        .collect())
}

/// `query` plus the expansion terms on `field`.
pub fn expanded(query: Box<dyn Query>, field: Field, terms: &[(String, f32)]) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, query)];
    for (token, weight) in terms {
        let term = TermQuery::new(
            Term::from_field_text(field, token),
            IndexRecordOption::WithFreqs,
        );
        clauses.push((
            Occur::Should,
            Box::new(BoostQuery::new(Box::new(term), *weight)),
        ));
    }
    Box::new(BooleanQuery::new(clauses))
}
