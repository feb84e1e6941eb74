//! Explained matches: the offers that can solve a need, the needs an offer can serve.

use crate::auth::OptionalActor;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::time::Instant;
use techx_catalogue::records::RecordError;
use techx_core::ErrorCode;
use techx_core::bounds::Field;
use techx_core::{ListingId, RecordKind, RequestId};
use techx_listings::dto::ListingView;
use techx_matching::{Config, Constraint, Explanation, Facts, MatchRequest};
use techx_requests::dto::RequestView;
use techx_search::filters::{self, FilterParams};
use techx_search::hits::{self, HitViews, Key, Shown};
use utoipa::{IntoParams, ToSchema};

/// How many matches one call returns.
const LIMIT: Field = Field::whole("limit", 1, 50);

techx_core::bounded_parameter!(MatchLimit = LIMIT);

/// Matching parameters. The filters narrow the candidates as on search (comma lists = any of
/// them).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatchQuery {
    /// How many matches (default 10).
    #[param(value_type = Option<MatchLimit>, inline)]
    pub limit: Option<i64>,
    /// Leave out candidates that break a hard constraint of the need (maturity, budget,
    /// cooperation). Default false: they are ranked below every candidate that fits.
    pub strict: Option<bool>,
    /// Fields of science (`sci_field` codes); a level-1 code includes its sub-fields.
    #[param(value_type = Option<techx_core::bounds::parameter::CodeList>, inline)]
    pub sci_field: Option<String>,
    /// Lowest TRL of the candidates (a request's `trl_min`).
    #[param(value_type = Option<techx_core::bounds::parameter::Trl>, inline)]
    pub trl_min: Option<i32>,
    /// Highest TRL.
    #[param(value_type = Option<techx_core::bounds::parameter::Trl>, inline)]
    pub trl_max: Option<i32>,
    /// Province codes.
    #[param(value_type = Option<techx_core::bounds::parameter::ProvinceList>, inline)]
    pub province_code: Option<String>,
    /// Organization types of the candidate's owner (anonymous requests never match).
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
    /// Price or budget range reaching at least this, VND.
    #[param(value_type = Option<techx_core::bounds::parameter::Money>, inline)]
    pub price_min: Option<i64>,
    /// Price or budget range starting at most at this, VND.
    #[param(value_type = Option<techx_core::bounds::parameter::Money>, inline)]
    pub price_max: Option<i64>,
}

/// One match: the other record at the caller's tiers, its score and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchItem {
    /// `listing` (matches of a request) or `request` (matches of a listing).
    #[schema(value_type = crate::search::SearchKind)]
    pub kind: RecordKind,
    pub id: i64,
    /// Weighted sum of the components, 0 to 1.
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

/// Matches, best first: those that fit every hard constraint, then those that do not. Not a
/// page: the best `limit` of the candidates considered, with no offset and no total.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchResults {
    /// The matches, best first.
    pub items: Vec<MatchItem>,
    /// Candidates scored before `strict` and `limit` applied.
    pub considered: usize,
    /// The limit that was applied.
    pub limit: i64,
    /// Whether candidates breaking a hard constraint were left out.
    pub strict: bool,
    /// Time spent, in milliseconds.
    pub took_ms: u64,
}

fn parse(query: &MatchQuery) -> Result<(techx_search::index::Filters, usize), ApiError> {
    let mut errors = Vec::new();
    let filters = filters::parse(
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
    let limit = query.limit.unwrap_or(10);
    if let Err(error) = LIMIT.check_whole(Some(limit)) {
        errors.push(error);
    }
    if !errors.is_empty() {
        return Err(RecordError::Invalid(errors).into());
    }
    Ok((filters, limit as usize))
}

/// Score the candidates of `source` and embed each at the caller's tiers.
async fn respond(
    state: &AppState,
    actor: &OptionalActor,
    source: Facts,
    side: RecordKind,
    query: &MatchQuery,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let (filters, limit) = parse(query)?;
    let strict = query.strict.unwrap_or(false);
    let indexer = state
        .search
        .clone()
        .ok_or_else(|| ApiError::new(ErrorCode::Unavailable, "matching is not available"))?;
    let request = MatchRequest {
        source,
        source_kind: side,
        filters,
        limit,
        strict,
    };
    let found = techx_db::blocking(move || {
        techx_matching::find(
            &indexer.index,
            &Config::default(),
            &request,
            chrono::Utc::now(),
        )
        .map_err(|error| ApiError::internal(format!("matching failed: {error}")))
    })
    .await?;
    let kind = side.other();
    // Anonymous callers see the public tier the index holds; others get their tiers from the
    // database, which also drops anything they may not see.
    let records = HitViews {
        listings: &state.listings,
        requests: &state.requests,
    };
    let mut views = match actor.as_ref() {
        None => {
            let stored: Vec<_> = found
                .items
                .iter()
                .map(|item| ((kind, item.id), Some(item.public_view.clone())))
                .collect();
            let keys: Vec<Key> = stored.iter().map(|(key, _)| *key).collect();
            let live = state
                .db
                .run(move |conn| hits::live_versions(conn, &keys))
                .await?;
            records.public(stored, live).await?
        }
        Some(actor) => {
            let keys: Vec<Key> = found.items.iter().map(|m| (kind, m.id)).collect();
            records.at_tiers(actor, &keys).await?
        }
    };
    let mut items = Vec::with_capacity(found.items.len());
    for found in found.items {
        let Some(Shown { view, .. }) = views.remove(&(kind, found.id)) else {
            continue;
        };
        let fits = found.fits();
        let (listing, request) = match kind {
            RecordKind::Listing => (Some(view), None),
            RecordKind::Request => (None, Some(view)),
        };
        items.push(MatchItem {
            kind,
            id: found.id,
            score: found.score,
            fits,
            violations: found.violations,
            explanation: found.explanation,
            listing,
            request,
        });
    }
    Ok(HttpResponse::Ok().json(MatchResults {
        items,
        considered: found.considered,
        limit: limit as i64,
        strict,
        took_ms: started.elapsed().as_millis() as u64,
    }))
}

/// Technology offers that can solve a need, with why.
///
/// Candidates are published listings whose public text resembles the request's public text
/// (title, problem, keywords) or that share a level-2 field of science with it. Each gets a score
/// in [0, 1] from the components in `explanation`: text relevance with the matched terms, field
/// of science, maturity (`trl` against `trl_min`), price against budget, cooperation types,
/// province and freshness. A listing that breaks maturity, budget or cooperation is ranked below
/// every listing that fits and names the constraint in `violations`; `strict=true` leaves it
/// out. Only public facts of both records are compared; each listing is shown at the caller's
/// tiers. The request itself must be visible to the caller.
///
/// Example: `GET /api/v1/requests/12/matches?limit=5&strict=true`
#[utoipa::path(
    operation_id = "list_request_matches",
    tag = "matching",
    params(("id" = i64, Path, description = "Request id"), MatchQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "Matching listings, best first", body = MatchResults),
        (status = 400, description = "Malformed id, unknown code, invalid range or limit", body = ErrorBody),
        (status = 401, description = "Invalid credentials were sent", body = ErrorBody),
        (status = 404, description = "No such request, or not visible to the caller", body = ErrorBody),
        (status = 503, description = "The search index is not available", body = ErrorBody),
    )
)]
#[get("/requests/{id}/matches")]
pub async fn request_matches(
    state: web::Data<AppState>,
    actor: OptionalActor,
    id: web::Path<RequestId>,
    query: crate::query::Query<MatchQuery>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .requests
        .public_view(actor.as_ref(), id.into_inner())
        .await?;
    respond(
        &state,
        &actor,
        Facts::from(&view),
        RecordKind::Request,
        &query,
    )
    .await
}

/// Technology needs an offer can serve, with why.
///
/// The reverse of a request's matches: published requests whose public text resembles the
/// listing's (title, summary, keywords) or that share a level-2 field of science, scored with the
/// same components; a request whose constraints the listing breaks (its `trl_min` above the
/// listing's TRL, a budget under its price, no accepted cooperation type offered) ranks below
/// the rest, or is left out with `strict=true`. The requester of an anonymous request stays
/// hidden. The listing itself must be visible to the caller.
///
/// Example: `GET /api/v1/listings/7/matches?limit=5`
#[utoipa::path(
    operation_id = "list_listing_matches",
    tag = "matching",
    params(("id" = i64, Path, description = "Listing id"), MatchQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "Matching requests, best first", body = MatchResults),
        (status = 400, description = "Malformed id, unknown code, invalid range or limit", body = ErrorBody),
        (status = 401, description = "Invalid credentials were sent", body = ErrorBody),
        (status = 404, description = "No such listing, or not visible to the caller", body = ErrorBody),
        (status = 503, description = "The search index is not available", body = ErrorBody),
    )
)]
#[get("/listings/{id}/matches")]
pub async fn listing_matches(
    state: web::Data<AppState>,
    actor: OptionalActor,
    id: web::Path<ListingId>,
    query: crate::query::Query<MatchQuery>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .listings
        .public_view(actor.as_ref(), id.into_inner())
        .await?;
    respond(
        &state,
        &actor,
        Facts::from(&view),
        RecordKind::Listing,
        &query,
    )
    .await
}
