//! The techx JSON REST API: actix-web handlers, the one error body, the actor extractor,
//! middleware (request ids, metrics, logs) and the OpenAPI document.

mod accounts_auth;
pub mod alerts;
pub mod auth;
mod brokerage;
pub mod contract;
pub mod error;
mod http;
mod hygiene;
mod idempotency;
mod listings;
mod matching;
mod methods;
pub mod metrics;
mod ops;
mod organizations;
mod query;
mod requests;
mod search;
pub mod state;
mod taxonomies;
mod transfer;
mod users;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{DefaultHeaders, ErrorHandlers, Next, from_fn};
use actix_web::{App, HttpMessage, HttpResponse, web};
use std::time::Instant;
use tracing_actix_web::{RequestId, TracingLogger};
use utoipa::openapi::OpenApi as OpenApiDocument;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_swagger_ui::SwaggerUi;

pub use error::{ApiError, ErrorBody};
pub use metrics::Metrics;
pub use state::AppState;

/// Largest JSON body accepted: 1 MiB (docs/api.md).
pub const JSON_LIMIT: usize = 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "techx API",
        description = "The JSON REST API of techx, the technology exchange (Sàn giao dịch công nghệ) \
of Thanh Hóa province: technology offers and needs, search, matching and brokerage.\n\n\
Every error answers with the same body: `{\"code\", \"message\", \"details\"?}`. Codes: \
`invalid_input` 400, `unauthenticated` 401, `forbidden` 403, `not_found` 404, \
`method_not_allowed` 405 (with `Allow`), `conflict` 409, \
`precondition_failed` 412, `payload_too_large` 413, `rate_limited` 429, `unavailable` 503, \
`internal` 500. A record the caller may not see answers 404.\n\n\
Authenticate with `Authorization: Bearer <token>`, where the token is an access token from \
`POST /api/v1/auth/login` or an organization's API key. Lists take `limit` (1-100, default 20) \
and `offset` and answer `{\"items\", \"total\", \"limit\", \"offset\"}` with an exact total.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
        contact(name = "The techx exchange operator (the interactive docs: /docs)"),
    ),
    modifiers(&BearerSecurity),
    tags(
        (name = "auth", description = "Registration, sign-in, tokens"),
        (name = "organizations", description = "Organizations, verification and members"),
        (name = "api-keys", description = "Organization API keys for API clients"),
        (name = "users", description = "User administration"),
        (name = "taxonomies", description = "Code lists with Vietnamese and English labels"),
        (name = "listings", description = "Technology offers (supply)"),
        (name = "requests", description = "Technology needs (demand)"),
        (name = "search", description = "Full-text search over published offers and needs"),
        (name = "matching", description = "Explained matches between offers and needs"),
        (name = "brokerage", description = "Saved matches and their answers, inquiries and their threads, access requests, engagements, contracts and outcomes"),
        (name = "alerts", description = "Saved searches and requests marked for alerts, and the alerts raised"),
        (name = "operations", description = "Health, readiness and metrics"),
    ),
    components(schemas(
        ErrorBody,
        techx_core::ErrorCode,
        techx_core::FieldError,
        search::SearchSort,
        techx_brokerage::dto::Mailbox,
        techx_core::RecordKind,
        techx_core::codes::MatchStatus,
        techx_core::codes::InquiryStatus,
        techx_core::codes::AccessRequestStatus,
        techx_core::codes::EngagementStage,
        techx_core::codes::OutcomeKind
    ))
)]
struct ApiDoc;

struct BearerSecurity;

impl Modify for BearerSecurity {
    fn modify(&self, openapi: &mut OpenApiDocument) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT access token or techx API key (txk_…)")
                    .description(Some(
                        "An access token from POST /api/v1/auth/login, or an organization's API key",
                    ))
                    .build(),
            ),
        );
    }
}

/// Every route, registered through utoipa-actix-web so that each lands in the OpenAPI document.
fn routes(cfg: &mut ServiceConfig) {
    cfg.service(ops::healthz)
        .service(ops::readyz)
        .service(ops::metrics)
        .service(utoipa_actix_web::scope("/api/v1").configure(|api| {
            // The document itself is not an operation of the document.
            api.route("/openapi.json", web::get().to(serve_openapi));
            api.service(accounts_auth::register)
                .service(accounts_auth::login)
                .service(accounts_auth::refresh_token)
                .service(accounts_auth::logout)
                .service(accounts_auth::get_me)
                .service(organizations::list_organizations)
                .service(organizations::create_organization)
                .service(organizations::get_organization)
                .service(organizations::update_organization)
                .service(organizations::verify_organization)
                .service(organizations::list_members)
                .service(organizations::add_member)
                .service(organizations::update_member)
                .service(organizations::remove_member)
                .service(organizations::create_api_key)
                .service(organizations::list_api_keys)
                .service(organizations::revoke_api_key)
                .service(users::list_users)
                .service(users::update_user)
                .service(search::suggest)
                .service(search::search)
                .service(taxonomies::list_taxonomies)
                .service(taxonomies::get_taxonomy)
                // Fixed paths before `{id}` paths: actix matches in registration order.
                .service(listings::list_listings)
                .service(listings::create_listing)
                .service(listings::import_listings)
                .service(listings::export_listings)
                .service(listings::get_listing)
                .service(listings::update_listing)
                .service(listings::delete_listing)
                .service(listings::transition_listing)
                .service(listings::list_listing_history)
                .service(matching::listing_matches)
                .service(requests::list_requests)
                .service(requests::create_request)
                .service(requests::import_requests)
                .service(requests::export_requests)
                .service(requests::get_request)
                .service(requests::update_request)
                .service(requests::delete_request)
                .service(requests::transition_request)
                .service(requests::list_request_history)
                .service(brokerage::create_match)
                .service(brokerage::list_matches)
                .service(brokerage::get_match)
                .service(brokerage::introduce_match)
                .service(brokerage::answer_match)
                .service(brokerage::create_inquiry)
                .service(brokerage::list_inquiries)
                .service(brokerage::get_inquiry)
                .service(brokerage::reply_inquiry)
                .service(brokerage::close_inquiry)
                .service(brokerage::request_access)
                .service(brokerage::list_access_requests)
                .service(brokerage::get_access_request)
                .service(brokerage::grant_access)
                .service(brokerage::refuse_access)
                .service(brokerage::listing_access)
                .service(brokerage::request_access_report)
                .service(brokerage::create_engagement)
                .service(brokerage::list_engagements)
                .service(brokerage::get_engagement)
                .service(brokerage::update_engagement)
                .service(brokerage::change_stage)
                .service(brokerage::add_engagement_note)
                .service(brokerage::listing_contracts)
                .service(brokerage::create_outcome)
                .service(brokerage::list_outcomes)
                .service(alerts::subscribe)
                .service(alerts::subscriptions)
                .service(alerts::unsubscribe)
                .service(alerts::list_alerts)
                .service(matching::request_matches);
        }));
}

/// The OpenAPI document the code describes (what `techx openapi` prints).
pub fn openapi() -> serde_json::Value {
    let (_, document) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes)
        .split_for_parts();
    contract::finish(&document)
}

/// The whole application, as served and as driven by the tests.
pub fn build_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, document) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .app_data(web::Data::new(state))
        .app_data(
            web::JsonConfig::default()
                .limit(JSON_LIMIT)
                .error_handler(error::json_error),
        )
        .app_data(web::PathConfig::default().error_handler(error::path_error))
        .app_data(web::PayloadConfig::new(JSON_LIMIT))
        .configure(routes)
        .split_for_parts();
    // The document depends on the code alone: finished once per process (the tests build many
    // apps).
    static SPEC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let spec = SpecJson(
        SPEC.get_or_init(|| contract::finish(&document).to_string())
            .clone(),
    );
    let routes = methods::Routes::of(&document);
    app.app_data(web::Data::new(spec))
        .app_data(web::Data::new(routes))
        .service(
            SwaggerUi::new("/docs/{_:.*}")
                .config(utoipa_swagger_ui::Config::from("/api/v1/openapi.json")),
        )
        .route(
            "/docs",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header((header::LOCATION, "/docs/"))
                    .finish()
            }),
        )
        .default_service(web::to(methods::unrouted))
        .wrap(from_fn(auth::authenticate))
        .wrap(from_fn(methods::check_method))
        .wrap(
            DefaultHeaders::new()
                .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                .add((header::X_FRAME_OPTIONS, "DENY"))
                .add((header::REFERRER_POLICY, "no-referrer")),
        )
        .wrap(from_fn(hygiene::refuse_control_characters))
        .wrap(ErrorHandlers::new().default_handler(error::rewrite_error_body))
        .wrap(from_fn(observe))
        .wrap(TracingLogger::default())
}

/// The OpenAPI document, rendered once at start-up.
struct SpecJson(String);

async fn serve_openapi(spec: web::Data<SpecJson>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(spec.0.clone())
}

/// Records metrics by route pattern and status, and returns the request id in `x-request-id`.
async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let metrics = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.metrics.clone());
    let request_id: Option<String> = req.extensions().get::<RequestId>().map(|id| id.to_string());
    let method = req.method().to_string();
    let mut res = next.call(req).await?;
    if let Some(metrics) = metrics {
        let route = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_owned());
        metrics.observe(&method, &route, res.status().as_u16(), started.elapsed());
    }
    if let Some(value) = request_id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        res.headers_mut()
            .insert(header::HeaderName::from_static("x-request-id"), value);
    }
    Ok(res)
}
