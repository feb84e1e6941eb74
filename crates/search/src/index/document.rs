//! What the index holds of a published record, and the tantivy document made of it.

use super::{SearchIndex, key};
use crate::analysis;
use std::collections::{BTreeMap, BTreeSet};
use tantivy::TantivyDocument;
use techx_core::RecordKind;

pub(super) const KEYWORD_SEPARATOR: char = '\u{1f}';

/// The code-list values of a record every caller may see: filters, facets and sort keys.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordCodes {
    /// Fields of science, with the level-1 parent of every level-2 code.
    pub sci_fields: Vec<String>,
    /// TRL of a listing, `trl_min` of a request.
    pub trl: Option<i64>,
    pub province: Option<String>,
    /// Organization type of the owner; None for an anonymous request.
    pub org_type: Option<String>,
    pub ip_types: Vec<String>,
    /// Offered (listing) or accepted (request) cooperation types.
    pub cooperation_types: Vec<String>,
    pub transfer_forms: Vec<String>,
    /// Price (listing) or budget (request) range, VND.
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    /// Publication time, microseconds since the epoch.
    pub published_at: i64,
    /// End of the publication, microseconds since the epoch (`i64::MAX`: none).
    pub valid_until: i64,
}

/// What the index holds of one published record.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexedRecord {
    pub kind: RecordKind,
    pub id: i64,
    pub title: String,
    /// Summary (listing) or problem (request), and English translations.
    pub summary: String,
    /// Keywords and code labels.
    pub terms: String,
    /// Details (listing) or requirements (request): registered tier.
    pub registered: String,
    /// Keywords as written, for suggestions.
    pub keywords: Vec<String>,
    pub codes: RecordCodes,
    /// The public-tier view, JSON.
    pub public_view: String,
}

/// A keyword folded for prefix matching: no diacritics, lower case, single spaces.
pub(super) fn fold_phrase(text: &str) -> String {
    analysis::fold(&analysis::normalize(text))
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl SearchIndex {
    pub(super) fn document(&self, record: &IndexedRecord) -> TantivyDocument {
        let f = self.fields;
        let codes = &record.codes;
        let mut document = TantivyDocument::default();
        document.add_text(f.key, key(record.kind, record.id));
        document.add_text(f.kind, record.kind.as_str());
        document.add_i64(f.id, record.id);
        document.add_text(f.display_title, &record.title);
        f.title.fill(&mut document, &record.title);
        f.summary.fill(&mut document, &record.summary);
        f.terms.fill(&mut document, &record.terms);
        f.registered.fill(&mut document, &record.registered);
        let lists = [
            (f.sci_field, &codes.sci_fields),
            (f.ip_type, &codes.ip_types),
            (f.cooperation_type, &codes.cooperation_types),
            (f.transfer_form, &codes.transfer_forms),
        ];
        for (field, values) in lists {
            for value in values.iter().collect::<BTreeSet<_>>() {
                document.add_text(field, value);
            }
        }
        if let Some(trl) = codes.trl {
            document.add_i64(f.trl, trl);
            document.add_text(f.trl_code, trl.to_string());
        }
        if let Some(province) = &codes.province {
            document.add_text(f.province, province);
        }
        if let Some(org_type) = &codes.org_type {
            document.add_text(f.org_type, org_type);
        }
        if codes.price_min.is_some() || codes.price_max.is_some() {
            document.add_i64(f.price_low, codes.price_min.unwrap_or(0));
            document.add_i64(f.price_high, codes.price_max.unwrap_or(i64::MAX));
        }
        document.add_i64(
            f.sort_price_asc,
            codes.price_min.or(codes.price_max).unwrap_or(i64::MAX),
        );
        document.add_i64(
            f.sort_price_desc,
            codes.price_max.or(codes.price_min).unwrap_or(i64::MIN),
        );
        document.add_i64(f.published, codes.published_at);
        document.add_i64(f.valid_until, codes.valid_until);
        document.add_text(f.public_view, &record.public_view);
        let keywords: BTreeMap<String, &String> = record
            .keywords
            .iter()
            .map(|k| (fold_phrase(k), k))
            .filter(|(folded, _)| !folded.is_empty())
            .collect();
        for (folded, written) in keywords {
            document.add_text(
                f.keyword,
                format!(
                    "{}{KEYWORD_SEPARATOR}{folded}{KEYWORD_SEPARATOR}{}",
                    record.kind,
                    written.trim()
                ),
            );
        }
        document
    }
}
