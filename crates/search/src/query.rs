//! The query builder: one text, analyzed by each analyzer of each searched field, becomes a
//! weighted sum of BM25 term scores. The API and the relevance harness both use it, so what the
//! harness measures is what users get.

use crate::analysis::{self, EN_QUERY, EN_STEM, VI_EXACT, VI_FOLDED, VI_PAIRS};
use crate::bm25f::{Evidence, Saturation, WordQuery};
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

impl TextFields {
    /// The four ways of matching, each as the fields of `texts` that analyse it: a term of one
    /// way has one document frequency across its fields (one idf per term, as BM25F has), so a
    /// word common in bodies is not taken for a telling one in short titles.
    pub fn idf_groups(texts: &[TextFields]) -> Vec<Vec<Field>> {
        let ways: [FieldOf; 4] = [|f| f.exact, |f| f.folded, |f| f.pairs, |f| f.english];
        ways.iter()
            .map(|way| texts.iter().map(way).collect())
            .collect()
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
            exact: 2.0,
            folded: 1.0,
            pairs: 0.5,
            english: 1.0,
        }
    }
}

/// The language a query is typed in, as far as matching is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryLanguage {
    /// Vietnamese, with or without diacritics (the default).
    Vietnamese,
    /// English: most words cannot be Vietnamese syllables.
    English,
}

/// Whether a folded, lowercase word is shaped like a Vietnamese syllable: an optional initial
/// consonant, one to three vowels, an optional final consonant from the few Vietnamese allows.
fn vietnamese_syllable(word: &str) -> bool {
    const ONSETS: [&str; 26] = [
        "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "g", "h",
        "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
    ];
    const CODAS: [&str; 8] = ["ng", "nh", "ch", "c", "m", "n", "p", "t"];
    let mut rest = word;
    if let Some(onset) = ONSETS.iter().find(|o| rest.starts_with(*o)) {
        rest = &rest[onset.len()..];
    }
    let vowels = rest
        .chars()
        .take_while(|c| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y'))
        .count();
    if !(1..=3).contains(&vowels) {
        // "gi" and "qu" can carry the vowel themselves (gì, quy).
        return word == "gi" || word == "qu";
    }
    let coda = &rest[vowels..];
    coda.is_empty() || CODAS.contains(&coda)
}

/// The letters only Vietnamese writes among the languages a catalogue meets: đ and the vowels
/// with a Vietnamese tone mark, breve, circumflex or horn (so *Temüjin* or *Börte* in an English
/// question does not make it Vietnamese).
const VIETNAMESE_LETTERS: &str =
    "đàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ";

impl QueryLanguage {
    /// Vietnamese when the text carries Vietnamese letters, or when most of its words are
    /// shaped like Vietnamese syllables (unaccented typing); English otherwise. A text without
    /// words counts as Vietnamese (the default).
    pub fn detect(text: &str) -> QueryLanguage {
        QueryLanguage::of_words(text).unwrap_or(QueryLanguage::Vietnamese)
    }

    /// As [`QueryLanguage::detect`], but None for a text without words (no language to tell).
    pub fn of_words(text: &str) -> Option<QueryLanguage> {
        let text = analysis::normalize(text);
        let words: Vec<String> = analysis::words(&text)
            .into_iter()
            .map(|(_, _, w)| w)
            .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
            .collect();
        if words.is_empty() {
            return None;
        }
        if words.iter().any(|w| {
            w.chars()
                .flat_map(char::to_lowercase)
                .any(|c| VIETNAMESE_LETTERS.contains(c))
        }) {
            return Some(QueryLanguage::Vietnamese);
        }
        let syllables = words.iter().filter(|w| vietnamese_syllable(w)).count();
        Some(if syllables * 10 >= words.len() * 7 {
            QueryLanguage::Vietnamese
        } else {
            QueryLanguage::English
        })
    }
}

/// How a query is matched: the weight of each way of matching and how much title matches
/// count, chosen from the query's language. The values come from the relevance harness
/// (docs/relevance.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profile {
    pub weights: Weights,
    /// Multiplies the title's boost.
    pub title_factor: f32,
    /// How a word's pooled frequency saturates ([`crate::bm25f`]).
    pub saturation: Saturation,
    /// A second round with the telling terms of the first round's best English hits.
    pub feedback: Option<Feedback>,
}

/// The feedback of English queries, measured on cranfield (docs/relevance.md).
pub const ENGLISH_FEEDBACK: Feedback = Feedback {
    documents: 2,
    terms: 50,
    weight: 0.5,
};

impl Profile {
    pub fn for_language(language: QueryLanguage) -> Profile {
        match language {
            // English stems of Vietnamese syllables repeat the accented field: measured, they
            // cost time and a little relevance on Vietnamese queries.
            QueryLanguage::Vietnamese => Profile {
                weights: Weights {
                    english: 0.0,
                    ..Weights::default()
                },
                title_factor: 1.0,
                saturation: Saturation::default(),
                feedback: None,
            },
            // Vietnamese syllable fields only add noise to English words. (Scored per field,
            // English titles had to be damped to a quarter; pooled into one saturation per word
            // they help at full weight: docs/relevance.md.)
            QueryLanguage::English => Profile {
                weights: Weights {
                    exact: 0.0,
                    folded: 0.0,
                    pairs: 0.0,
                    english: 1.0,
                },
                title_factor: 1.0,
                saturation: Saturation::default(),
                feedback: Some(ENGLISH_FEEDBACK),
            },
        }
    }

    pub fn for_query(text: &str) -> Profile {
        Profile::for_language(QueryLanguage::detect(text))
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
    saturation: Saturation,
) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(clauses(
        manager, text, targets, weights, saturation,
    )))
}

/// The clauses of [`build`], one per query word (and per adjacent pair, and per English stem),
/// to combine with others in one flat query (nesting a disjunction whose terms are all absent
/// inside another trips tantivy 0.27's doc-set assertions). Each word is scored across every
/// target and form at once ([`crate::bm25f`]): its accented and folded spellings in the title,
/// the summary and the keywords are one piece of evidence with one saturation and one idf.
pub fn clauses(
    manager: &TokenizerManager,
    text: &str,
    targets: &[Target],
    weights: Weights,
    saturation: Saturation,
) -> Clauses {
    let mut clauses: Clauses = Vec::new();
    let mut push = |evidence: Vec<Evidence>| {
        let word = WordQuery::new(evidence, saturation);
        if !word.is_empty() {
            clauses.push((Occur::Should, Box::new(word) as Box<dyn Query>));
        }
    };
    let exact = analysis::analyze(manager, VI_EXACT, text);
    let folded = analysis::analyze(manager, VI_FOLDED, text);
    let words: BTreeSet<(String, String)> = exact.into_iter().zip(folded).collect();
    for (exact, folded) in &words {
        let mut evidence = Vec::with_capacity(targets.len() * 2);
        // An accented word found with its accents is as rare as that spelling (folding
        // merges *mà*, *má*, *mã* into *ma*); found without them, as rare as its folded form.
        let accented = exact != folded;
        for target in targets {
            evidence.push(Evidence::new(
                Term::from_field_text(target.fields.folded, folded),
                weights.folded * target.boost,
            ));
            let term = Term::from_field_text(target.fields.exact, exact);
            let weight = weights.exact * target.boost;
            evidence.push(if accented {
                Evidence::specific(term, weight)
            } else {
                Evidence::new(term, weight)
            });
        }
        push(evidence);
    }
    let ways: [(FieldOf, &str, f32); 2] = [
        (|f| f.pairs, VI_PAIRS, weights.pairs),
        (|f| f.english, EN_QUERY, weights.english),
    ];
    for (field_of, analyzer, weight) in ways {
        if weight <= 0.0 {
            continue;
        }
        let tokens: BTreeSet<String> = analysis::analyze(manager, analyzer, text)
            .into_iter()
            .collect();
        for token in tokens {
            let evidence = targets
                .iter()
                .map(|target| {
                    Evidence::new(
                        Term::from_field_text(field_of(&target.fields), &token),
                        weight * target.boost,
                    )
                })
                .collect();
            push(evidence);
        }
    }
    clauses
}

/// BM25's inverse document frequency, from live counts ([`crate::stats`]); capped at the
/// document count, which keeps the value positive.
fn idf(documents: f32, df: f32) -> f32 {
    let df = df.min(documents);
    (1.0 + (documents - df + 0.5) / (df + 0.5)).ln()
}

/// Picks one of the four fields of a text.
type FieldOf = fn(&TextFields) -> Field;

/// The terms of a long text that tell most about it, to name what a match has in common.
#[derive(Debug, Default)]
pub struct Salient {
    /// The best folded syllables and folded syllable pairs (`nuoc_thai`).
    pub folded: BTreeSet<String>,
    /// Those folded syllables that few records hold (at most one in twenty, or two): a lone
    /// syllable tells something only then.
    pub rare: BTreeSet<String>,
}

/// The `per_way` most telling folded syllables and pairs of `text` (term frequency in the text
/// × rarity in the index, as "more like this" picks them), with those few records hold. Terms
/// no searched field contains are left out.
pub fn salient(
    manager: &TokenizerManager,
    searcher: &tantivy::Searcher,
    text: &str,
    targets: &[Target],
    weights: Weights,
    per_way: usize,
) -> Result<Salient, tantivy::TantivyError> {
    use std::collections::BTreeMap;
    let mut salient = Salient::default();
    let documents = searcher.num_docs().max(1) as f32;
    let ways: [(FieldOf, &str, f32); 2] = [
        (|f| f.folded, VI_FOLDED, weights.folded),
        (|f| f.pairs, VI_PAIRS, weights.pairs),
    ];
    for (field_of, analyzer, weight) in ways {
        if weight <= 0.0 {
            continue;
        }
        let mut frequency: BTreeMap<String, f32> = BTreeMap::new();
        for token in analysis::analyze(manager, analyzer, text) {
            *frequency.entry(token).or_default() += 1.0;
        }
        let mut scored = Vec::with_capacity(frequency.len());
        for (token, tf) in frequency {
            let mut df = 0u64;
            for target in targets {
                let term = Term::from_field_text(field_of(&target.fields), &token);
                df = df.max(crate::stats::live_doc_freq(searcher, &term)?);
            }
            if df == 0 {
                continue;
            }
            let idf = idf(documents, df as f32);
            scored.push((token, (1.0 + tf.ln()) * idf, df));
        }
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        for (token, _, df) in scored.into_iter().take(per_way) {
            if analyzer == VI_FOLDED && df <= (documents as u64 / 20).max(2) {
                salient.rare.insert(token.clone());
            }
            salient.folded.insert(token);
        }
    }
    Ok(salient)
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
/// texts, rare in the index (tf × idf), not already in the query. Only English hits teach:
/// English stems of a Vietnamese text are noise to an English query (measured on
/// xquad-en-vi, docs/relevance.md).
pub fn expansion(
    manager: &TokenizerManager,
    searcher: &tantivy::Searcher,
    field: Field,
    query_text: &str,
    hit_texts: &[String],
    feedback: Feedback,
) -> Result<Vec<(String, f32)>, tantivy::TantivyError> {
    use std::collections::HashMap;
    let original: BTreeSet<String> = analysis::analyze(manager, EN_QUERY, query_text)
        .into_iter()
        .collect();
    let mut weights: HashMap<String, f32> = HashMap::new();
    for text in hit_texts.iter().take(feedback.documents) {
        if QueryLanguage::detect(text) != QueryLanguage::English {
            continue;
        }
        let tokens = analysis::analyze(manager, EN_QUERY, text);
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
        let df =
            crate::stats::live_doc_freq(searcher, &Term::from_field_text(field, &token))? as f32;
        let idf = idf(documents, df);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_learns_from_english_hits_only() {
        use tantivy::schema::Schema;
        let mut builder = Schema::builder();
        let body = TextFields::add(&mut builder, "body");
        let index = tantivy::Index::create_in_ram(builder.build());
        analysis::register(index.tokenizers());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for text in [
            "supersonic boundary layer transition on a heated flat plate",
            "hypersonic flow over a blunt cone",
            "xử lý nước thải chăn nuôi bằng vi sinh",
        ] {
            let mut document = tantivy::TantivyDocument::default();
            body.fill(&mut document, text);
            writer.add_document(document).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let feedback = Feedback {
            documents: 2,
            terms: 10,
            weight: 0.5,
        };
        let english = expansion(
            index.tokenizers(),
            &searcher,
            body.english,
            "what is known about boundary layer transition",
            &["supersonic boundary layer transition on a heated flat plate".to_owned()],
            feedback,
        )
        .unwrap();
        let terms: Vec<&str> = english.iter().map(|(t, _)| t.as_str()).collect();
        assert!(
            terms.contains(&"supersons") || terms.contains(&"superson"),
            "{terms:?}"
        );
        assert!(
            !terms.contains(&"boundari"),
            "query terms are not added again: {terms:?}"
        );
        let vietnamese = expansion(
            index.tokenizers(),
            &searcher,
            body.english,
            "wastewater treatment",
            &["xử lý nước thải chăn nuôi bằng vi sinh".to_owned()],
            feedback,
        )
        .unwrap();
        assert!(vietnamese.is_empty(), "{vietnamese:?}");
    }

    #[test]
    fn the_query_language_is_detected_from_letters_and_syllable_shapes() {
        use QueryLanguage::{English, Vietnamese};
        for (text, language) in [
            ("nước thải chăn nuôi", Vietnamese),
            ("nuoc thai chan nuoi", Vietnamese),
            ("may say nong san nang luong mat troi", Vietnamese),
            ("IoT cho nong nghiep", Vietnamese),
            (
                "what similarity laws must be obeyed when constructing aeroelastic models",
                English,
            ),
            ("boundary layer transition", English),
            ("heat transfer in hypersonic flow", English),
            // A foreign name's diaeresis is not a Vietnamese letter.
            (
                "Who kidnapped Temüjin's first wife soon after they were married?",
                English,
            ),
            ("ĐỒNG HỒ NƯỚC THÔNG MINH", Vietnamese),
            ("2026", Vietnamese),
        ] {
            assert_eq!(QueryLanguage::detect(text), language, "{text}");
        }
        assert_eq!(QueryLanguage::of_words(" 2026 — "), None);
        assert_eq!(QueryLanguage::of_words("smart water meter"), Some(English));
    }
}
