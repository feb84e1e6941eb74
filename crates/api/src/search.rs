//! Full-text search over published technology offers and needs, with filters, facet counts,
//! sorting, highlights, and completion as the user types.

use crate::auth::OptionalActor;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Instant;
use techx_catalogue::records::RecordError;
use techx_core::ErrorCode;
use techx_core::RecordKind;
use techx_core::bounds::{Field, parameter};
use techx_core::codes::{
    CodeLabel, CooperationType, IpType, OrgType, Province, SciField, TransferForm, Trl,
};
use techx_core::error::FieldError;
use techx_listings::dto::ListingView;
use techx_requests::dto::RequestView;
use techx_search::facets::Facet;
use techx_search::filters::{self, FilterParams};
use techx_search::highlight;
use techx_search::hits::{self, HitViews, Key, LiveVersions, Shown};
use techx_search::index::{SearchRequest, SortBy};
use utoipa::{IntoParams, ToSchema};

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
    if !errors.is_empty() {
        return Err(RecordError::Invalid(errors).into());
    }
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
    })
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

/// Search published technology offers and needs.
///
/// Everyone searches the public text (title, summary or problem, keywords, fields of science);
/// signed-in members of verified organizations and the exchange's staff also the registered
/// text (details, requirements). Confidential text is never searchable. Queries may be typed
/// with or without Vietnamese diacritics, and in English. Filters narrow by the public code
/// lists; `facets=` counts codes over all matches; when a query finds fewer than three records a
/// typo-tolerant pass runs (`fuzzy: true` says it did). Records appear at the caller's tiers, as
/// on `GET`, and highlights only cover text the caller may read.
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
    let registered = actor
        .as_ref()
        .is_some_and(|a| a.is_staff() || a.in_verified_organization());
    let mut request = parse(&query, registered)?;
    // Anonymous callers see the public tier, which the index holds: no database read.
    request.public_views = actor.0.is_none();
    let indexer = state
        .search
        .clone()
        .ok_or_else(|| ApiError::new(ErrorCode::Unavailable, "search is not available"))?;
    let text = request.text.clone();
    let (limit, offset) = (request.limit as i64, request.offset as i64);
    let anonymous = actor.0.is_none();
    let db = state.db.clone();
    let (found, live) = techx_db::blocking(move || {
        let found = indexer
            .index
            .search_with(&request)
            .map_err(|error| ApiError::internal(format!("search failed: {error}")))?;
        // Anonymous hits come from the index: their current versions are read in the same
        // blocking task.
        let live = if anonymous {
            let keys: Vec<Key> = found.hits.iter().map(|h| (h.kind, h.id)).collect();
            hits::live_versions(&mut *db.get()?, &keys)?
        } else {
            LiveVersions::default()
        };
        Ok::<_, ApiError>((found, live))
    })
    .await?;
    let words = highlight::query_words(&text);
    let records = HitViews {
        listings: &state.listings,
        requests: &state.requests,
    };
    let mut shown = match actor.as_ref() {
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
    let mut items = Vec::with_capacity(found.hits.len());
    for hit in found.hits {
        let Some(Shown { view, texts }) = shown.remove(&(hit.kind, hit.id)) else {
            continue;
        };
        // Registered text is highlighted only where it was searched: for entitled callers.
        let highlights = Highlights {
            title: texts
                .as_ref()
                .and_then(|t| highlight::mark(&t.title, &words)),
            text: texts
                .as_ref()
                .and_then(|t| highlight::snippet(&t.text, &words, SNIPPET_CHARS)),
            registered: texts
                .as_ref()
                .and_then(|t| t.registered.as_deref())
                .filter(|_| registered)
                .and_then(|t| highlight::snippet(t, &words, SNIPPET_CHARS)),
        };
        let (listing, request) = match hit.kind {
            RecordKind::Listing => (Some(view), None),
            RecordKind::Request => (None, Some(view)),
        };
        items.push(SearchHit {
            kind: hit.kind,
            id: hit.id,
            score: hit.score,
            highlights,
            listing,
            request,
        });
    }
    let mut facets = BTreeMap::new();
    for (facet, counts) in found.facets {
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
        facets.insert(facet.name().to_owned(), values);
    }
    Ok(HttpResponse::Ok().json(SearchResults {
        items,
        total: found.total,
        limit,
        offset,
        facets,
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
    if !errors.is_empty() {
        return Err(RecordError::Invalid(errors).into());
    }
    let indexer = state
        .search
        .clone()
        .ok_or_else(|| ApiError::new(ErrorCode::Unavailable, "search is not available"))?;
    let kind = query.kind;
    let found = techx_db::blocking(move || {
        indexer
            .index
            .suggest(&text, kind, limit as usize)
            .map_err(|error| ApiError::internal(format!("suggest failed: {error}")))
    })
    .await?;
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
