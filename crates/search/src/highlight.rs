//! Highlights: the words of a text that match the query, wrapped in `<mark>`, everything else
//! HTML-escaped. Matching ignores diacritics, as search does.

use crate::analysis;
use serde::Deserialize;
use std::collections::BTreeSet;
use techx_core::RecordKind;
use techx_listings::dto::ListingView;
use techx_requests::dto::RequestView;

/// The texts of one record that highlights are made from: the title, the public text (a
/// listing's summary, a request's problem) and the registered text (details, requirements;
/// present only when the view disclosed it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Texts {
    pub title: String,
    pub text: String,
    pub registered: Option<String>,
}

impl From<&ListingView> for Texts {
    fn from(view: &ListingView) -> Self {
        Texts {
            title: view.title.clone(),
            text: view.summary.clone(),
            registered: view.details.clone(),
        }
    }
}

impl From<&RequestView> for Texts {
    fn from(view: &RequestView) -> Self {
        Texts {
            title: view.title.clone(),
            text: view.problem.clone(),
            registered: view.requirements.clone(),
        }
    }
}

impl Texts {
    /// The texts of a public view as the index stores it (the JSON of a `ListingView` or a
    /// `RequestView`, whose names these are); None when it cannot be read.
    pub fn from_stored(kind: RecordKind, json: &str) -> Option<Texts> {
        #[derive(Deserialize)]
        struct Stored {
            title: String,
            summary: Option<String>,
            problem: Option<String>,
            details: Option<String>,
            requirements: Option<String>,
        }
        let stored: Stored = serde_json::from_str(json).ok()?;
        let (text, registered) = match kind {
            RecordKind::Listing => (stored.summary, stored.details),
            RecordKind::Request => (stored.problem, stored.requirements),
        };
        Some(Texts {
            title: stored.title,
            text: text?,
            registered,
        })
    }
}

fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            other => out.push(other),
        }
    }
}

/// The folded words of a query.
pub fn query_words(query: &str) -> BTreeSet<String> {
    analysis::words(&analysis::normalize(query))
        .into_iter()
        .map(|(_, _, w)| analysis::fold(&w))
        .collect()
}

/// `text` with the words in `words` marked, or None when nothing matches.
pub fn mark(text: &str, words: &BTreeSet<String>) -> Option<String> {
    let text = analysis::normalize(text);
    let mut out = String::with_capacity(text.len() + 32);
    let mut last = 0;
    let mut marked = false;
    for (from, to, word) in analysis::words(&text) {
        if words.contains(&analysis::fold(&word)) {
            escape(&text[last..from], &mut out);
            out.push_str("<mark>");
            escape(&text[from..to], &mut out);
            out.push_str("</mark>");
            last = to;
            marked = true;
        }
    }
    escape(&text[last..], &mut out);
    marked.then_some(out)
}

/// A passage of at most about `max_chars` characters of `text` around the first matching word,
/// marked like [`mark`], with `…` where text was cut; None when nothing matches.
pub fn snippet(text: &str, words: &BTreeSet<String>, max_chars: usize) -> Option<String> {
    let text = analysis::normalize(text);
    let found = analysis::words(&text);
    let first = found
        .iter()
        .position(|(_, _, w)| words.contains(&analysis::fold(w)))?;
    // Start a few words before the first match, so it reads in context.
    let start_word = first.saturating_sub(4);
    let start = if start_word == 0 {
        0
    } else {
        found[start_word].0
    };
    let mut end = text[start..]
        .char_indices()
        .nth(max_chars)
        .map_or(text.len(), |(offset, _)| start + offset);
    // Do not cut a word in two.
    if end < text.len()
        && let Some((from, _, _)) = found.iter().find(|(from, to, _)| *from < end && *to > end)
        && *from > start
    {
        end = *from;
    }
    let passage = text[start..end].trim_end();
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.push_str(&mark(passage, words).unwrap_or_else(|| {
        let mut escaped = String::new();
        escape(passage, &mut escaped);
        escaped
    }));
    if end < text.len() {
        out.push('…');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_words_are_marked_ignoring_diacritics_and_the_rest_escaped() {
        let words = query_words("nuoc thai");
        let marked = mark("Xử lý nước thải <b>chăn nuôi</b>", &words).unwrap();
        assert_eq!(
            marked,
            "Xử lý <mark>nước</mark> <mark>thải</mark> &lt;b&gt;chăn nuôi&lt;/b&gt;"
        );
        assert!(mark("Máy sấy lúa", &words).is_none());
    }

    #[test]
    fn a_snippet_is_a_marked_passage_around_the_first_match() {
        let words = query_words("biogas");
        let text = "Một hai ba bốn năm sáu bảy tám chín mười. Hệ thống biogas cho trang trại chăn nuôi quy mô vừa và nhỏ ở miền núi phía Bắc";
        let snippet = snippet(text, &words, 40).unwrap();
        assert!(snippet.starts_with('…'), "{snippet}");
        assert!(snippet.ends_with('…'), "{snippet}");
        assert!(snippet.contains("<mark>biogas</mark>"), "{snippet}");
        let plain = snippet.replace("<mark>", "").replace("</mark>", "");
        assert!(plain.chars().count() <= 42, "{snippet}");
        assert_eq!(
            super::snippet("ngắn gọn biogas", &words, 40).unwrap(),
            "ngắn gọn <mark>biogas</mark>"
        );
        assert!(super::snippet("không có gì", &words, 40).is_none());
    }
}
