//! Highlights: the words of a text that match the query, wrapped in `<mark>`, everything else
//! HTML-escaped. Matching ignores diacritics, as search does.

use crate::analysis;
use std::collections::BTreeSet;

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
}
