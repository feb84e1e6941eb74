//! Full-text search over published technology offers and needs, with filters, facet counts,
//! sorting, highlights, and completion as the user types.

use crate::auth::OptionalActor;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Instant;
use techx_catalogue::records::RecordError;
use techx_core::ErrorCode;
use techx_core::RecordKind;
use techx_core::bounds::{Field, parameter};
use techx_core::error::FieldError;
use techx_search::filters::{self, FilterParams};
use techx_search::index::{SearchRequest, SortBy};
use techx_search::service::{FacetValue, SearchHit, SearchKind, reads_registered};
use utoipa::{IntoParams, ToSchema};

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
pub enum SearchSort {
    /// Best match first (newest first when `q` is empty). The default.
    #[default]
    #[serde(rename = "relevance")]
    Relevance,
    /// Most recently published first.
    #[serde(rename = "newest")]
    Newest,
    /// Lowest price (listing) or budget (request) first; records without one last.
    #[serde(rename = "price")]
    Price,
    /// Highest price or budget first; records without one last.
    #[serde(rename = "-price")]
    PriceDesc,
}

/// Search parameters. Code filters take one code or several separated by commas (any of them
/// matches); different filters must all match.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// What to look for, in Vietnamese with or without diacritics, or in English. Empty or absent: every published record that passes the filters.
    #[param(example = "nuoc thai chan nuoi", value_type = Option<techx_core::bounds::parameter::Query>, inline)]
    pub q: Option<String>,
    /// Only listings or only requests (default both).
    #[param(value_type = Option<SearchKind>)]
    pub kind: Option<RecordKind>,
    /// Fields of science (`sci_field` codes); a level-1 code includes its sub-fields.
    #[param(example = "4,2.7", value_type = Option<techx_core::bounds::parameter::CodeList>, inline)]
    pub sci_field: Option<String>,
    /// Lowest TRL (of a listing; `trl_min` of a request).
    #[param(value_type = Option<techx_core::bounds::parameter::Trl>, inline)]
    pub trl_min: Option<i32>,
    /// Highest TRL.
    #[param(value_type = Option<techx_core::bounds::parameter::Trl>, inline)]
    pub trl_max: Option<i32>,
    /// Province codes (`province` code list).
    #[param(example = "thanh_hoa", value_type = Option<techx_core::bounds::parameter::ProvinceList>, inline)]
    pub province_code: Option<String>,
    /// Organization types of the owner (anonymous requests never match).
    #[param(value_type = Option<techx_core::bounds::parameter::CodeList>, inline)]
    pub org_type: Option<String>,
    /// IP types of a listing's assets.
    #[param(value_type = Option<techx_core::bounds::parameter::CodeList>, inline)]
    pub ip_type: Option<String>,
    /// Cooperation types offered (listing) or accepted (request).
    #[param(value_type = Option<techx_core::bounds::parameter::CodeList>, inline)]
    pub cooperation_type: Option<String>,
    /// Transfer forms of a listing.
    #[param(value_type = Option<techx_core::bounds::parameter::CodeList>, inline)]
    pub transfer_form: Option<String>,
    /// Price (listing) or budget (request) range reaching at least this, VND.
    #[param(value_type = Option<techx_core::bounds::parameter::Money>, inline)]
    pub price_min: Option<i64>,
    /// Price or budget range starting at most at this, VND.
    #[param(value_type = Option<techx_core::bounds::parameter::Money>, inline)]
    pub price_max: Option<i64>,
    /// Facets to count over all matches, comma-separated: `kind`, `sci_field`, `trl`,
    /// `province_code`, `org_type`, `ip_type`, `cooperation_type`, `transfer_form`.
    #[param(example = "sci_field,province_code,trl", value_type = Option<techx_core::bounds::parameter::FacetList>, inline)]
    pub facets: Option<String>,
    /// `relevance` (default), `newest`, `price` or `-price`.
    pub sort: Option<SearchSort>,
    /// How many hits to return (default 20).
    #[param(value_type = Option<techx_core::bounds::parameter::Limit>, inline)]
    pub limit: Option<i64>,
    /// How many hits to skip (default 0).
    #[param(value_type = Option<techx_core::bounds::parameter::Offset>, inline)]
    pub offset: Option<i64>,
}

/// A page of hits.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResults {
    pub items: Vec<SearchHit>,
    /// Exact number of matching records.
    pub total: usize,
    pub limit: i64,
    pub offset: i64,
    /// For each facet asked, the codes found among all matches, most frequent first.
    /// `sci_field` counts a record under its level-2 codes and their level-1 parents.
    pub facets: BTreeMap<String, Vec<FacetValue>>,
    /// True when the query found little and these results come from the typo-tolerant pass.
    pub fuzzy: bool,
    /// Time spent, in milliseconds.
    pub took_ms: u64,
}

/// Turn the query string into an index request, or every problem found.
fn parse(query: &SearchQuery, registered: bool) -> Result<SearchRequest, ApiError> {
    let mut errors = Vec::new();
    let text = query.q.as_deref().unwrap_or_default().trim().to_owned();
    if text.chars().count() > parameter::QUERY.max() {
        errors.push(FieldError::new(
            "q",
            "length",
            format!("q must be at most {} characters", parameter::QUERY.max()),
        ));
    }
    let mut filters = filters::parse(
        FilterParams {
            sci_field: &query.sci_field,
            trl_min: query.trl_min,
            trl_max: query.trl_max,
            province_code: &query.province_code,
            org_type: &query.org_type,
            ip_type: &query.ip_type,
            cooperation_type: &query.cooperation_type,
            transfer_form: &query.transfer_form,
            price_min: query.price_min,
            price_max: query.price_max,
        },
        &mut errors,
    );
    filters.kind = query.kind;
    let facets = filters::facets(query.facets.as_deref(), &mut errors);
    let paging = techx_catalogue::records::paging(query.limit, query.offset);
    if let Err(RecordError::Invalid(more)) = &paging {
        errors.extend(more.iter().cloned());
    }
    RecordError::invalid_if_any(errors)?;
    let paging = paging?;
    Ok(SearchRequest {
        text,
        registered,
        filters,
        facets,
        sort: match query.sort.unwrap_or_default() {
            SearchSort::Relevance => SortBy::Relevance,
            SearchSort::Newest => SortBy::Newest,
            SearchSort::Price => SortBy::PriceAsc,
            SearchSort::PriceDesc => SortBy::PriceDesc,
        },
        limit: paging.limit as usize,
        offset: paging.offset as usize,
        public_views: false,
        // Filled by the search service when the embedding model is installed.
        near: Vec::new(),
    })
}

/// Search published technology offers and needs.
///
/// Everyone searches the public text (title, summary or problem, keywords, fields of science);
/// signed-in members of verified organizations and the exchange's staff also the registered
/// text (details, requirements). Confidential text is never searchable. Queries may be typed
/// with or without Vietnamese diacritics, and in English. Filters narrow by the public code
/// lists; `facets=` counts codes over all matches; when a query finds fewer than three records a
/// typo-tolerant pass runs (`fuzzy: true` says it did). Where the server has the optional
/// multilingual model, records written in another language than the query's that are near it
/// by meaning are found too, through the same filters and tiers, counted in `total` and the
/// facets, and ranked by the fusion of both orders (the typo pass then does not run). Records
/// appear at the caller's tiers, as on `GET`, and highlights only cover text the caller may
/// read.
///
/// Example: `GET /api/v1/search?q=nuoc%20thai%20chan%20nuoi&kind=listing&province_code=thanh_hoa&facets=sci_field,trl&sort=relevance`
#[utoipa::path(
    operation_id = "search_records",
    tag = "search",
    params(SearchQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "Hits, best first", body = SearchResults),
        (status = 400, description = "Too long query, unknown code or facet, invalid range or paging", body = ErrorBody),
        (status = 401, description = "Invalid credentials were sent", body = ErrorBody),
        (status = 503, description = "The search index is not available", body = ErrorBody),
    )
)]
#[get("/search")]
pub async fn search(
    state: web::Data<AppState>,
    actor: OptionalActor,
    query: crate::query::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let request = parse(&query, reads_registered(actor.as_ref()))?;
    let (limit, offset) = (request.limit as i64, request.offset as i64);
    let searcher = state
        .searcher()
        .ok_or_else(|| ApiError::new(ErrorCode::Unavailable, "search is not available"))?;
    let found = searcher.search(actor.as_ref(), request).await?;
    Ok(HttpResponse::Ok().json(SearchResults {
        items: found.items,
        total: found.total,
        limit,
        offset,
        facets: found.facets,
        fuzzy: found.fuzzy,
        took_ms: started.elapsed().as_millis() as u64,
    }))
}

/// What a completion starts from.
const SUGGEST_TEXT: Field = Field::text("q", 1, 100);
/// How many completions one call returns.
const SUGGEST_LIMIT: Field = Field::whole("limit", 1, 20);

techx_core::bounded_parameter!(SuggestText = SUGGEST_TEXT);
techx_core::bounded_parameter!(SuggestLimit = SUGGEST_LIMIT);

/// Completion parameters.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestQuery {
    /// What the user has typed so far: the last word may be incomplete.
    #[param(example = "nuoc th", value_type = SuggestText, inline)]
    pub q: String,
    /// Only listings or only requests (default both).
    #[param(value_type = Option<SearchKind>)]
    pub kind: Option<RecordKind>,
    /// How many completions (default 8).
    #[param(value_type = Option<SuggestLimit>, inline)]
    pub limit: Option<i64>,
}

/// One completion.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SuggestionItem {
    /// The completed text, as written in the record.
    #[schema(example = "xử lý nước thải")]
    pub text: String,
    /// `keyword` or `title`.
    #[schema(example = "keyword")]
    pub source: String,
    /// `listing` or `request`.
    #[schema(value_type = SearchKind)]
    pub kind: RecordKind,
    /// The record whose title this is (titles only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// How many published records carry this keyword (1 for a title).
    pub count: u64,
}

/// Completions, best first: not a page (there is no total and no offset), at most `limit` of
/// them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Suggestions {
    pub items: Vec<SuggestionItem>,
    /// The limit that was applied.
    pub limit: i64,
}

/// Complete what the user is typing.
///
/// Keywords that start like the text (most used first) and titles of published records whose
/// words start like it, with or without diacritics. Only public text is used.
///
/// Example: `GET /api/v1/search/suggest?q=nuoc%20th`
#[utoipa::path(
    operation_id = "list_suggestions",
    tag = "search",
    params(SuggestQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "Completions, best first", body = Suggestions),
        (status = 400, description = "Missing or too long text, invalid limit", body = ErrorBody),
        (status = 401, description = "Invalid credentials were sent", body = ErrorBody),
        (status = 503, description = "The search index is not available", body = ErrorBody),
    )
)]
#[get("/search/suggest")]
pub async fn suggest(
    state: web::Data<AppState>,
    _actor: OptionalActor,
    query: crate::query::Query<SuggestQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    let text = query.q.trim_start().to_owned();
    // As sent (the document's `maxLength`), not blank.
    if let Err(error) = SUGGEST_TEXT.required_text(&query.q) {
        errors.push(error);
    }
    let limit = query.limit.unwrap_or(8);
    if let Err(error) = SUGGEST_LIMIT.check_whole(Some(limit)) {
        errors.push(error);
    }
    RecordError::invalid_if_any(errors)?;
    let searcher = state
        .searcher()
        .ok_or_else(|| ApiError::new(ErrorCode::Unavailable, "search is not available"))?;
    let found = searcher.suggest(text, query.kind, limit as usize).await?;
    let items = found
        .into_iter()
        .map(|s| SuggestionItem {
            text: s.text,
            source: s.source.to_owned(),
            kind: s.kind,
            id: s.id,
            count: s.count,
        })
        .collect();
    Ok(HttpResponse::Ok().json(Suggestions { items, limit }))
}
