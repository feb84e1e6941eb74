//! Full-text search over published technology offers and needs.

use crate::auth::OptionalActor;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::time::Instant;
use techx_core::ErrorCode;
use techx_listings::dto::ListingView;
use techx_requests::dto::RequestView;
use techx_search::highlight;
use utoipa::{IntoParams, ToSchema};

/// Which records to search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SearchKind {
    Listing,
    Request,
}

/// Search parameters.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// What to look for, in Vietnamese with or without diacritics, or in English (1 to 200
    /// characters).
    pub q: String,
    /// Only listings or only requests (default both).
    pub kind: Option<SearchKind>,
    /// How many hits to return, 1 to 100 (default 20).
    pub limit: Option<i64>,
    /// How many hits to skip (default 0).
    pub offset: Option<i64>,
}

/// Where the query matched, with the matching words in `<mark>`; other text is HTML-escaped.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Highlights {
    pub title: Option<String>,
    /// The summary (listing) or problem (request).
    pub text: Option<String>,
}

/// One hit: the record at the caller's tiers, its score and highlights.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchHit {
    /// `listing` or `request`.
    pub kind: SearchKind,
    pub id: i64,
    /// Relevance score (higher is better; comparable within one response only).
    pub score: f32,
    pub highlights: Highlights,
    /// The listing, when `kind` is `listing`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listing: Option<ListingView>,
    /// The request, when `kind` is `request`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestView>,
}

/// A page of hits.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResults {
    pub items: Vec<SearchHit>,
    /// Exact number of matching records.
    pub total: usize,
    pub limit: i64,
    pub offset: i64,
    /// Time spent, in milliseconds.
    pub took_ms: u64,
}

/// Search published technology offers and needs.
///
/// Everyone searches the public text (title, summary or problem, keywords, fields of science);
/// signed-in members of verified organizations and the exchange's staff also the registered
/// text (details, requirements). Confidential text is never searchable. Queries may be typed
/// with or without Vietnamese diacritics. Records appear at the caller's tiers, as on `GET`.
#[utoipa::path(
    tag = "search",
    params(SearchQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "Hits, best first", body = SearchResults),
        (status = 400, description = "Missing or too long query, invalid paging", body = ErrorBody),
        (status = 401, description = "Invalid credentials were sent", body = ErrorBody),
        (status = 503, description = "The search index is not available", body = ErrorBody),
    )
)]
#[get("/search")]
pub async fn search(
    state: web::Data<AppState>,
    actor: OptionalActor,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let query = query.into_inner();
    let text = query.q.trim().to_owned();
    let length = text.chars().count();
    if !(1..=200).contains(&length) {
        return Err(ApiError::from(
            techx_accounts::records::RecordError::invalid(
                "q",
                "length",
                "q must be 1 to 200 characters",
            ),
        ));
    }
    let paging = techx_accounts::records::paging(query.limit, query.offset)?;
    let indexer = state
        .search
        .clone()
        .ok_or_else(|| ApiError::new(ErrorCode::Unavailable, "search is not available"))?;
    let registered = actor
        .as_ref()
        .is_some_and(|a| a.is_staff() || a.in_verified_organization());
    let kind = query.kind.map(|k| match k {
        SearchKind::Listing => "listing",
        SearchKind::Request => "request",
    });
    let searched = text.clone();
    let (total, hits) = techx_db::blocking(move || {
        indexer
            .index
            .search(
                &searched,
                registered,
                kind,
                paging.limit as usize,
                paging.offset as usize,
            )
            .map_err(|error| {
                tracing::error!(%error, "search failed");
                ApiError::new(ErrorCode::Internal, "internal error")
            })
    })
    .await?;
    let ids_of = |wanted: &str| {
        hits.iter()
            .filter(|h| h.kind == wanted)
            .map(|h| h.id)
            .collect::<Vec<_>>()
    };
    let listings: HashMap<i64, ListingView> = state
        .listings
        .views_of(actor.as_ref(), ids_of("listing"))
        .await?
        .into_iter()
        .map(|view| (view.id, view))
        .collect();
    let requests: HashMap<i64, RequestView> = state
        .requests
        .views_of(actor.as_ref(), ids_of("request"))
        .await?
        .into_iter()
        .map(|view| (view.id, view))
        .collect();
    let words = highlight::query_words(&text);
    let mut items = Vec::with_capacity(hits.len());
    for hit in hits {
        let item = match hit.kind.as_str() {
            "listing" => listings.get(&hit.id).map(|view| SearchHit {
                kind: SearchKind::Listing,
                id: hit.id,
                score: hit.score,
                highlights: Highlights {
                    title: highlight::mark(&view.title, &words),
                    text: highlight::mark(&view.summary, &words),
                },
                listing: Some(view.clone()),
                request: None,
            }),
            _ => requests.get(&hit.id).map(|view| SearchHit {
                kind: SearchKind::Request,
                id: hit.id,
                score: hit.score,
                highlights: Highlights {
                    title: highlight::mark(&view.title, &words),
                    text: highlight::mark(&view.problem, &words),
                },
                listing: None,
                request: Some(view.clone()),
            }),
        };
        items.extend(item);
    }
    Ok(HttpResponse::Ok().json(SearchResults {
        items,
        total,
        limit: paging.limit,
        offset: paging.offset,
        took_ms: started.elapsed().as_millis() as u64,
    }))
}
