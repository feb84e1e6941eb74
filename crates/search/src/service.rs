//! The search use case: a query run over the index, the records behind its hits at the caller's
//! tiers (the public views the index holds for anonymous callers, checked against the live
//! versions), highlights only in text the caller may read, and facet counts with their labels.
//! The API's handler parses the query string into a [`SearchRequest`], calls
//! [`Searcher::search`] and answers.

use crate::SearchError;
use crate::facets::Facet;
use crate::highlight;
use crate::hits::{self, HitViews, Key, LiveVersions, Shown};
use crate::index::{SearchIndex, SearchRequest, Suggestion};
use serde::Serialize;
use serde_json::value::RawValue;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::str::FromStr;
use std::sync::Arc;
use techx_accounts::Actor;
use techx_core::RecordKind;
use techx_core::codes::{
    CodeLabel, CooperationType, IpType, OrgType, Province, SciField, TransferForm, Trl,
};
use techx_db::Db;
use techx_listings::Listings;
use techx_listings::dto::ListingView;
use techx_requests::Requests;
use techx_requests::dto::RequestView;
use utoipa::ToSchema;

/// Longest passage of a long text shown in highlights, in characters.
const SNIPPET_CHARS: usize = 240;

/// Which records to search.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
// Only the document uses this type: its name for [`RecordKind`] where a caller picks what to
// search and where a hit, a match or a suggestion says what it is (the values are the same).
#[allow(dead_code)]
pub enum SearchKind {
    Listing,
    Request,
}

/// Where the query matched, with the matching words in `<mark>`; other text is HTML-escaped.
/// A highlight appears only for text the caller may read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Highlights {
    pub title: Option<String>,
    /// A passage of the summary (listing) or problem (request).
    pub text: Option<String>,
    /// A passage of the details (listing) or requirements (request): registered tier, only for
    /// callers who may read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registered: Option<String>,
}

/// One hit: the record at the caller's tiers, its score and highlights.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchHit {
    /// `listing` or `request`.
    #[schema(value_type = SearchKind)]
    pub kind: RecordKind,
    pub id: i64,
    /// Relevance score (higher is better; comparable within one response only). Null when
    /// sorted by something other than relevance.
    pub score: Option<f32>,
    pub highlights: Highlights,
    /// The listing, when `kind` is `listing`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<ListingView>)]
    pub listing: Option<Box<RawValue>>,
    /// The request, when `kind` is `request`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<RequestView>)]
    pub request: Option<Box<RawValue>>,
}

/// How many matching records carry one code.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FacetValue {
    #[schema(example = "thanh_hoa")]
    pub value: String,
    #[schema(example = "Thanh Hóa")]
    pub label_vi: String,
    #[schema(example = "Thanh Hoa")]
    pub label_en: String,
    pub count: u64,
}

/// What a search found: a page of hits, the exact total, the labelled facet counts.
#[derive(Debug)]
pub struct Found {
    pub items: Vec<SearchHit>,
    pub total: usize,
    pub facets: BTreeMap<String, Vec<FacetValue>>,
    pub fuzzy: bool,
}

/// Whether `actor` searches and reads the registered tier: staff and members of verified
/// organizations.
pub fn reads_registered(actor: Option<&Actor>) -> bool {
    actor.is_some_and(|a| a.is_staff() || a.in_verified_organization())
}

/// The search service: the index and the record services the views behind hits come from.
pub struct Searcher<'a> {
    pub index: &'a Arc<SearchIndex>,
    pub db: &'a Db,
    pub listings: &'a Listings,
    pub requests: &'a Requests,
    /// The records' vectors, when the embedding model is installed: a query in one language
    /// then also finds records in the other by meaning ([`crate::hybrid`]).
    pub vectors: Option<&'a Arc<crate::vectors::Vectors>>,
}

impl Searcher<'_> {
    /// Run `request` for `actor` (None: anonymous): hits at the caller's tiers, highlighted
    /// where the caller may read, and the facets asked for.
    pub async fn search(
        &self,
        actor: Option<&Actor>,
        mut request: SearchRequest,
    ) -> Result<Found, SearchError> {
        // Anonymous callers see the public tier, which the index holds: no database read
        // beyond the live versions, taken in the same blocking task as the search.
        let anonymous = actor.is_none();
        request.public_views = anonymous;
        let words = highlight::query_words(&request.text);
        let (index, db) = (self.index.clone(), self.db.clone());
        let vectors = self.vectors.cloned();
        let (found, live) = techx_db::blocking(move || {
            let text = request.text.trim();
            if let Some(vectors) = vectors.filter(|v| !v.is_empty())
                && request.sort == crate::index::SortBy::Relevance
                && !text.is_empty()
            {
                let vector = vectors.query(text)?;
                let language = crate::query::QueryLanguage::detect(text);
                request.near =
                    vectors.nearest_other_language(&vector, language, crate::hybrid::DEPTH);
            }
            let found = index.search_with(&request)?;
            let live = if anonymous {
                let keys: Vec<Key> = found.hits.iter().map(|h| (h.kind, h.id)).collect();
                hits::live_versions(&mut *db.get()?, &keys)?
            } else {
                LiveVersions::default()
            };
            Ok::<_, SearchError>((found, live))
        })
        .await?;
        let records = HitViews {
            listings: self.listings,
            requests: self.requests,
        };
        let mut shown = match actor {
            None => {
                let stored = found
                    .hits
                    .iter()
                    .map(|h| ((h.kind, h.id), h.public_view.clone()))
                    .collect();
                records.public(stored, live).await?
            }
            Some(actor) => {
                let keys: Vec<Key> = found.hits.iter().map(|h| (h.kind, h.id)).collect();
                records.at_tiers(actor, &keys).await?
            }
        };
        let registered = reads_registered(actor);
        let mut items = Vec::with_capacity(found.hits.len());
        for hit in found.hits {
            let Some(Shown { view, texts }) = shown.remove(&(hit.kind, hit.id)) else {
                continue;
            };
            let (listing, request) = match hit.kind {
                RecordKind::Listing => (Some(view), None),
                RecordKind::Request => (None, Some(view)),
            };
            items.push(SearchHit {
                kind: hit.kind,
                id: hit.id,
                score: hit.score,
                highlights: highlights(texts.as_ref(), &words, registered),
                listing,
                request,
            });
        }
        let facets = found
            .facets
            .into_iter()
            .map(|(facet, counts)| (facet.name().to_owned(), labelled(facet, counts)))
            .collect();
        Ok(Found {
            items,
            total: found.total,
            facets,
            fuzzy: found.fuzzy,
        })
    }

    /// Completions of `text` (the words typed so far) from the public text, best first.
    pub async fn suggest(
        &self,
        text: String,
        kind: Option<RecordKind>,
        limit: usize,
    ) -> Result<Vec<Suggestion>, SearchError> {
        let index = self.index.clone();
        techx_db::blocking(move || index.suggest(&text, kind, limit)).await
    }
}

/// The highlights of one hit. Registered text is highlighted only where it was searched: for
/// callers who read it.
fn highlights(
    texts: Option<&highlight::Texts>,
    words: &BTreeSet<String>,
    registered: bool,
) -> Highlights {
    Highlights {
        title: texts.and_then(|t| highlight::mark(&t.title, words)),
        text: texts.and_then(|t| highlight::snippet(&t.text, words, SNIPPET_CHARS)),
        registered: texts
            .and_then(|t| t.registered.as_deref())
            .filter(|_| registered)
            .and_then(|t| highlight::snippet(t, words, SNIPPET_CHARS)),
    }
}

/// One facet's counts with their labels, most frequent first (then by code).
fn labelled(facet: Facet, counts: HashMap<String, u64>) -> Vec<FacetValue> {
    let mut values: Vec<FacetValue> = counts
        .into_iter()
        .filter_map(|(code, count)| {
            label(facet, &code).map(|l| FacetValue {
                value: code,
                label_vi: l.label_vi.to_owned(),
                label_en: l.label_en.to_owned(),
                count,
            })
        })
        .collect();
    values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    values
}

fn label(facet: Facet, code: &str) -> Option<CodeLabel> {
    fn of<T: FromStr>(code: &str, label: impl Fn(T) -> CodeLabel) -> Option<CodeLabel> {
        T::from_str(code).ok().map(label)
    }
    match facet {
        Facet::Kind => match code {
            "listing" => Some(CodeLabel {
                code: "listing",
                label_vi: "Công nghệ chào bán",
                label_en: "Technology offer",
            }),
            "request" => Some(CodeLabel {
                code: "request",
                label_vi: "Nhu cầu công nghệ",
                label_en: "Technology need",
            }),
            _ => None,
        },
        Facet::SciField => of::<SciField>(code, SciField::label),
        Facet::Trl => of::<Trl>(code, Trl::label),
        Facet::Province => of::<Province>(code, Province::label),
        Facet::OrgType => of::<OrgType>(code, OrgType::label),
        Facet::IpType => of::<IpType>(code, IpType::label),
        Facet::CooperationType => of::<CooperationType>(code, CooperationType::label),
        Facet::TransferForm => of::<TransferForm>(code, TransferForm::label),
    }
}
