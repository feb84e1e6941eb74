//! The matching use case: the explained matches of one record the caller may see, each
//! candidate at the caller's tiers (the public views the index holds for anonymous callers,
//! checked against the live versions; the database for everyone else, which also leaves out
//! what they may not see), best first. The API's handler parses the query string into
//! [`Options`], calls [`matches`] and answers.

use crate::{Config, Constraint, Explanation, Facts, MatchRequest};
use serde::Serialize;
use serde_json::value::RawValue;
use techx_accounts::Actor;
use techx_core::{RecordKind, RecordRef};
use techx_listings::dto::ListingView;
use techx_requests::dto::RequestView;
use techx_search::SearchError;
use techx_search::hits::{self, HitViews, Key, Shown};
use techx_search::index::Filters;
use techx_search::service::Searcher;
use utoipa::ToSchema;

/// One match: the other record at the caller's tiers, its score and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchItem {
    /// `listing` (matches of a request) or `request` (matches of a listing).
    #[schema(value_type = techx_search::service::SearchKind)]
    pub kind: RecordKind,
    pub id: i64,
    /// Weighted sum of the components, 0 to 1, multiplied by 0.8 for each hard constraint
    /// broken.
    #[schema(example = 0.8125)]
    pub score: f64,
    /// False when the candidate breaks a hard constraint of the need.
    pub fits: bool,
    /// The hard constraints of the need broken: `trl`, `budget`, `cooperation`.
    pub violations: Vec<Constraint>,
    /// Every component with its score, weight and what was compared; public facts only.
    pub explanation: Vec<Explanation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<ListingView>)]
    pub listing: Option<Box<RawValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<RequestView>)]
    pub request: Option<Box<RawValue>>,
}

/// How to match: the filters narrowing the candidates, how many to return, and whether
/// candidates breaking a hard constraint are left out.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub filters: Filters,
    pub limit: usize,
    pub strict: bool,
}

/// The matches found, best first, and how many candidates were scored.
#[derive(Debug)]
pub struct Matched {
    pub items: Vec<MatchItem>,
    pub considered: usize,
}

/// The matches of `source`, which must be visible to `actor` (None: anonymous); only the
/// public facts of both sides are compared.
pub async fn matches(
    records: &Searcher<'_>,
    actor: Option<&Actor>,
    source: RecordRef,
    options: Options,
) -> Result<Matched, SearchError> {
    let facts = match source {
        RecordRef::Listing(id) => Facts::from(&records.listings.public_view(actor, id).await?),
        RecordRef::Request(id) => Facts::from(&records.requests.public_view(actor, id).await?),
    };
    let mut request = MatchRequest {
        source: facts,
        source_kind: source.kind(),
        filters: options.filters,
        limit: options.limit,
        strict: options.strict,
        near: Vec::new(),
    };
    let index = records.index.clone();
    let vectors = records.vectors.cloned();
    let found = techx_db::blocking(move || {
        if let Some(vectors) = vectors {
            request.near =
                crate::near_by_meaning(&vectors, &request.source, request.source_kind.other())?;
        }
        crate::find(&index, &Config::default(), &request, chrono::Utc::now())
    })
    .await?;
    let kind = source.kind().other();
    let views = HitViews {
        listings: records.listings,
        requests: records.requests,
    };
    let mut shown = match actor {
        None => {
            let stored: Vec<_> = found
                .items
                .iter()
                .map(|item| ((kind, item.id), Some(item.public_view.clone())))
                .collect();
            let keys: Vec<Key> = stored.iter().map(|(key, _)| *key).collect();
            let live = records
                .db
                .run(move |conn| hits::live_versions(conn, &keys))
                .await?;
            views.public(stored, live).await?
        }
        Some(actor) => {
            let keys: Vec<Key> = found.items.iter().map(|m| (kind, m.id)).collect();
            views.at_tiers(actor, &keys).await?
        }
    };
    let mut items = Vec::with_capacity(found.items.len());
    for candidate in found.items {
        let Some(Shown { view, .. }) = shown.remove(&(kind, candidate.id)) else {
            continue;
        };
        let (listing, request) = match kind {
            RecordKind::Listing => (Some(view), None),
            RecordKind::Request => (None, Some(view)),
        };
        items.push(MatchItem {
            kind,
            id: candidate.id,
            score: candidate.score,
            fits: candidate.fits(),
            violations: candidate.violations,
            explanation: candidate.explanation,
            listing,
            request,
        });
    }
    Ok(Matched {
        items,
        considered: found.considered,
    })
}
