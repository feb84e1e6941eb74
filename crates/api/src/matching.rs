//! Explained matches: the offers that can solve a need, the needs an offer can serve.

use crate::auth::OptionalActor;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use std::time::Instant;
use techx_catalogue::records::RecordError;
use techx_core::ErrorCode;
use techx_core::bounds::Field;
use techx_core::{ListingId, RecordRef, RequestId};
use techx_matching::service::{self, MatchItem, Options};
use techx_search::filters::{self, FilterParams};
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
    /// cooperation). Default false: they stay, their score lowered by a factor (0.8) per
    /// constraint broken.
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

/// Matches, best first (a candidate that breaks a hard constraint has its score lowered, not
/// moved last). Not a page: the best `limit` of the candidates considered, with no offset and
/// no total.
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

/// The matching options of the query string, or every problem found.
fn parse(query: &MatchQuery) -> Result<Options, ApiError> {
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
    RecordError::invalid_if_any(errors)?;
    Ok(Options {
        filters,
        limit: limit as usize,
        strict: query.strict.unwrap_or(false),
    })
}

/// The matches of `source` for the caller, answered.
async fn respond(
    state: &AppState,
    actor: &OptionalActor,
    source: RecordRef,
    query: &MatchQuery,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let options = parse(query)?;
    let (limit, strict) = (options.limit as i64, options.strict);
    let searcher = state
        .searcher()
        .ok_or_else(|| ApiError::new(ErrorCode::Unavailable, "matching is not available"))?;
    let found = service::matches(&searcher, actor.as_ref(), source, options).await?;
    Ok(HttpResponse::Ok().json(MatchResults {
        items: found.items,
        considered: found.considered,
        limit,
        strict,
        took_ms: started.elapsed().as_millis() as u64,
    }))
}

/// Technology offers that can solve a need, with why.
///
/// Candidates are published listings whose public text resembles the request's public text
/// (title, problem, keywords) or that share a level-2 field of science with it (and, where the
/// server has the optional multilingual model, that are near it by meaning in another
/// language). Each gets a score
/// in [0, 1] from the components in `explanation`: text relevance with the matched terms, field
/// of science, maturity (`trl` against `trl_min`), price against budget, cooperation types,
/// province and freshness. A listing that breaks maturity, budget or cooperation names the
/// constraint in `violations` and has its score multiplied by 0.8 for each one (a listing that
/// solves the need but is one TRL short still ranks above a fitting one on another subject);
/// `strict=true` leaves it out. Only public facts of both records are compared; each listing is shown at the caller's
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
    respond(&state, &actor, id.into_inner().into(), &query).await
}

/// Technology needs an offer can serve, with why.
///
/// The reverse of a request's matches: published requests whose public text resembles the
/// listing's (title, summary, keywords) or that share a level-2 field of science (or, with the
/// optional multilingual model, that are near it by meaning in another language), scored with
/// the same components; a request whose constraints the listing breaks (its `trl_min` above the
/// listing's TRL, a budget under its price, no accepted cooperation type offered) has its score
/// multiplied by 0.8 for each constraint broken, or is left out with `strict=true`. The requester of an anonymous request stays
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
    respond(&state, &actor, id.into_inner().into(), &query).await
}
