//! Sign-up, sign-in, token rotation, sign-out and `/me`.

use crate::auth::{CurrentActor, client_address};
use crate::error::{ApiError, ErrorBody};
use crate::http::created;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use techx_accounts::dto::{LoginForm, MeView, RefreshForm, RegisterForm, TokenPair};

/// Register an account, optionally with its organization.
///
/// The new user has the platform role `member`; a registered organization starts `pending`
/// until a moderator verifies it. Sign in with `POST /api/v1/auth/login` afterwards. After 5
/// failed attempts for one email (or 20 from one address) within a minute, further attempts
/// get 429 with `Retry-After`.
#[utoipa::path(
    operation_id = "register_account",
    tag = "auth",
    request_body = RegisterForm,
    responses(
        (status = 201, description = "Account created", body = MeView, headers(("Location" = String, description = "/api/v1/me"))),
        (status = 400, description = "Invalid input, with one entry per field", body = ErrorBody),
        (status = 409, description = "An account with this email already exists", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 429, description = "Too many failed registrations from this address or for this email", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
#[post("/auth/register")]
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Json<RegisterForm>,
) -> Result<HttpResponse, ApiError> {
    let address = client_address(&req, &state.trusted_proxies);
    let me = state.accounts.register(form.into_inner(), address).await?;
    Ok(created("/api/v1/me".into(), &me))
}

/// Sign in with email and password.
///
/// Returns a 15-minute access token and a refresh token. After 5 failed attempts for one email
/// (or 20 from one address) within a minute, further attempts get 429 with `Retry-After`.
#[utoipa::path(
    operation_id = "create_token",
    tag = "auth",
    request_body = LoginForm,
    responses(
        (status = 200, description = "Signed in", body = TokenPair),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Wrong email or password", body = ErrorBody),
        (status = 429, description = "Too many failed attempts", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Json<LoginForm>,
) -> Result<HttpResponse, ApiError> {
    let address = client_address(&req, &state.trusted_proxies);
    let tokens = state.accounts.login(form.into_inner(), address).await?;
    Ok(HttpResponse::Ok().json(tokens))
}

/// Exchange a refresh token for new tokens.
///
/// The presented refresh token is retired. Presenting a retired token again is treated as
/// theft: every token of its chain is revoked and the answer is 401.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshForm,
    responses(
        (status = 200, description = "New tokens", body = TokenPair),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Unknown, expired, revoked or reused refresh token", body = ErrorBody),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh_token(
    state: web::Data<AppState>,
    form: web::Json<RefreshForm>,
) -> Result<HttpResponse, ApiError> {
    let tokens = state.accounts.refresh(form.into_inner()).await?;
    Ok(HttpResponse::Ok().json(tokens))
}

/// Sign out: revoke the refresh token and its chain.
///
/// Idempotent. Access tokens already issued stay valid until they expire (15 minutes).
#[utoipa::path(
    operation_id = "revoke_token",
    tag = "auth",
    request_body = RefreshForm,
    responses(
        (status = 204, description = "Signed out"),
        (status = 400, description = "Malformed body", body = ErrorBody),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    form: web::Json<RefreshForm>,
) -> Result<HttpResponse, ApiError> {
    state.accounts.logout(form.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Who am I.
///
/// The signed-in user (or the API key and its organization), with memberships, organization roles
/// and the platform role.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = MeView),
        (status = 401, description = "Missing, invalid or expired credentials", body = ErrorBody),
    )
)]
#[get("/me")]
pub async fn get_me(
    state: web::Data<AppState>,
    actor: CurrentActor,
) -> Result<HttpResponse, ApiError> {
    let me = state.accounts.me(&actor.0).await?;
    Ok(HttpResponse::Ok().json(me))
}
