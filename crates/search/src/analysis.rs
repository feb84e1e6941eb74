//! Analyzers, registered by name at every index open (tantivy does not store them).
//!
//! Vietnamese is written in syllables separated by spaces; most words are two syllables
//! (*nước thải*, *chăn nuôi*). Users type with and without diacritics. So a text is indexed
//! three ways:
//!
//! - `vi_exact`: NFC, lowercase syllables, diacritics kept — an accented match ranks higher;
//! - `vi_folded`: diacritics removed and `đ` → `d` — `nuoc thai` finds *nước thải*;
//! - `vi_pairs`: folded adjacent-syllable pairs (`nuoc_thai`) — a phrase outranks scattered
//!   syllables;
//!
//! and English text also `en_stem` (lowercase, English stop words removed, Snowball stemming).
//! Text must be NFC-normalised before it reaches an analyzer: [`normalize`] does it, at index and
//! at query time.

use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
    Token, TokenStream, Tokenizer, TokenizerManager,
};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

pub const VI_EXACT: &str = "vi_exact";
pub const VI_FOLDED: &str = "vi_folded";
pub const VI_PAIRS: &str = "vi_pairs";
pub const EN_STEM: &str = "en_stem";
/// English stems of a query: as [`EN_STEM`] with the longer Snowball stop-word list (question
/// words, auxiliaries, pronouns), which say nothing about the subject of a need.
pub const EN_QUERY: &str = "en_query";

/// The Snowball project's English stop words, plus modal verbs: removed from English queries
/// only (the index keeps them, so a phrase in a text is untouched).
const QUERY_STOP_WORDS: &[&str] = &[
    "i",
    "me",
    "my",
    "myself",
    "we",
    "our",
    "ours",
    "ourselves",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "he",
    "him",
    "his",
    "himself",
    "she",
    "her",
    "hers",
    "herself",
    "it",
    "its",
    "itself",
    "they",
    "them",
    "their",
    "theirs",
    "themselves",
    "what",
    "which",
    "who",
    "whom",
    "this",
    "that",
    "these",
    "those",
    "am",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "have",
    "has",
    "had",
    "having",
    "do",
    "does",
    "did",
    "doing",
    "would",
    "should",
    "could",
    "ought",
    "a",
    "an",
    "the",
    "and",
    "but",
    "if",
    "or",
    "because",
    "as",
    "until",
    "while",
    "of",
    "at",
    "by",
    "for",
    "with",
    "about",
    "against",
    "between",
    "into",
    "through",
    "during",
    "before",
    "after",
    "above",
    "below",
    "to",
    "from",
    "up",
    "down",
    "in",
    "out",
    "on",
    "off",
    "over",
    "under",
    "again",
    "further",
    "then",
    "once",
    "here",
    "there",
    "when",
    "where",
    "why",
    "how",
    "all",
    "any",
    "both",
    "each",
    "few",
    "more",
    "most",
    "other",
    "some",
    "such",
    "no",
    "nor",
    "not",
    "only",
    "own",
    "same",
    "so",
    "than",
    "too",
    "very",
    "can",
    "cannot",
    "must",
    "may",
    "might",
    "shall",
    "will",
];

/// Longest token kept, in bytes: longer ones are noise (URLs, base64).
const MAX_TOKEN_BYTES: usize = 60;

/// NFC-normalise text (decomposed input would split syllables in two).
pub fn normalize(text: &str) -> String {
    text.nfc().collect()
}

/// Remove Vietnamese (and other Latin) diacritics: `Nước thải` → `Nuoc thai`, `đ` → `d`.
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            other => other,
        })
        .collect()
}

/// Lowercase words of NFC text, split on anything that is not a letter or a digit.
pub fn words(text: &str) -> Vec<(usize, usize, String)> {
    let mut words = Vec::new();
    let mut start = None;
    for (index, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(index),
            (false, Some(from)) => {
                words.push((from, index, text[from..index].to_lowercase()));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        words.push((from, text.len(), text[from..].to_lowercase()));
    }
    words.retain(|(_, _, w)| w.len() <= MAX_TOKEN_BYTES);
    words
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Exact,
    Folded,
    Pairs,
}

/// The Vietnamese tokenizers: one type, three modes.
#[derive(Debug, Clone)]
pub struct VietnameseTokenizer {
    mode: Mode,
    tokens: Vec<Token>,
}

impl VietnameseTokenizer {
    fn new(mode: Mode) -> Self {
        VietnameseTokenizer {
            mode,
            tokens: Vec::new(),
        }
    }
}

/// The tokens of one text.
pub struct VecTokenStream<'a> {
    tokens: &'a mut Vec<Token>,
    index: usize,
}

impl TokenStream for VecTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.index += 1;
        self.index <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index - 1]
    }
}

impl Tokenizer for VietnameseTokenizer {
    type TokenStream<'a> = VecTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &str) -> VecTokenStream<'a> {
        self.tokens.clear();
        let words = words(text);
        let token = |position: usize, from: usize, to: usize, text: String| Token {
            offset_from: from,
            offset_to: to,
            position,
            text,
            position_length: 1,
        };
        match self.mode {
            Mode::Exact => {
                for (position, (from, to, word)) in words.into_iter().enumerate() {
                    self.tokens.push(token(position, from, to, word));
                }
            }
            Mode::Folded => {
                for (position, (from, to, word)) in words.into_iter().enumerate() {
                    self.tokens.push(token(position, from, to, fold(&word)));
                }
            }
            Mode::Pairs => {
                for (position, pair) in words.windows(2).enumerate() {
                    let text = format!("{}_{}", fold(&pair[0].2), fold(&pair[1].2));
                    self.tokens
                        .push(token(position, pair[0].0, pair[1].1, text));
                }
            }
        }
        VecTokenStream {
            tokens: &mut self.tokens,
            index: 0,
        }
    }
}

/// The English analyzer: lowercase, stop words out, Snowball stemming.
fn english() -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser);
    match StopWordFilter::new(Language::English) {
        Some(stop_words) => builder
            .filter(stop_words)
            .filter(Stemmer::new(Language::English))
            .build(),
        None => builder.filter(Stemmer::new(Language::English)).build(),
    }
}

/// The English analyzer of queries: [`english`] with [`QUERY_STOP_WORDS`].
fn english_query() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(StopWordFilter::remove(
            QUERY_STOP_WORDS.iter().map(|w| (*w).to_string()),
        ))
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Register every analyzer by name; call at every index open.
pub fn register(manager: &TokenizerManager) {
    manager.register(
        VI_EXACT,
        TextAnalyzer::from(VietnameseTokenizer::new(Mode::Exact)),
    );
    manager.register(
        VI_FOLDED,
        TextAnalyzer::from(VietnameseTokenizer::new(Mode::Folded)),
    );
    manager.register(
        VI_PAIRS,
        TextAnalyzer::from(VietnameseTokenizer::new(Mode::Pairs)),
    );
    manager.register(EN_STEM, english());
    manager.register(EN_QUERY, english_query());
}

/// The tokens an analyzer makes of `text` (NFC-normalised first).
pub fn analyze(manager: &TokenizerManager, analyzer: &str, text: &str) -> Vec<String> {
    let Some(mut analyzer) = manager.get(analyzer) else {
        return Vec::new();
    };
    let text = normalize(text);
    let mut stream = analyzer.token_stream(&text);
    let mut tokens = Vec::new();
    while stream.advance() {
        tokens.push(stream.token().text.clone());
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(analyzer: &str, text: &str) -> Vec<String> {
        let manager = TokenizerManager::default();
        register(&manager);
        analyze(&manager, analyzer, text)
    }

    #[test]
    fn folding_removes_diacritics_and_maps_d_bar() {
        assert_eq!(
            fold("Nước thải chăn nuôi ở Đông Sơn"),
            "Nuoc thai chan nuoi o Dong Son"
        );
        assert_eq!(fold("đường"), "duong");
    }

    #[test]
    fn decomposed_input_is_recomposed_before_tokenizing() {
        let decomposed: String = "nước thải".nfd().collect();
        assert_ne!(decomposed, "nước thải");
        assert_eq!(tokens(VI_EXACT, &decomposed), vec!["nước", "thải"]);
    }

    #[test]
    fn the_three_vietnamese_analyzers() {
        let text = "Xử lý Nước thải chăn nuôi (IoT)";
        assert_eq!(
            tokens(VI_EXACT, text),
            vec!["xử", "lý", "nước", "thải", "chăn", "nuôi", "iot"]
        );
        assert_eq!(
            tokens(VI_FOLDED, text),
            vec!["xu", "ly", "nuoc", "thai", "chan", "nuoi", "iot"]
        );
        assert_eq!(
            tokens(VI_PAIRS, text),
            vec![
                "xu_ly",
                "ly_nuoc",
                "nuoc_thai",
                "thai_chan",
                "chan_nuoi",
                "nuoi_iot"
            ]
        );
        assert_eq!(
            tokens(VI_FOLDED, "nuoc thai"),
            tokens(VI_FOLDED, "nước thải")
        );
    }

    #[test]
    fn english_text_is_stemmed_without_stop_words() {
        assert_eq!(
            tokens(EN_STEM, "The heated models of aircraft"),
            vec!["heat", "model", "aircraft"]
        );
    }
}
