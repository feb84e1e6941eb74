//! The actor extractors: a bearer token (an access JWT or an API key) becomes the
//! [`Actor`] a handler acts for.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use std::future::Future;
use std::pin::Pin;
use techx_accounts::Actor;
use techx_core::ErrorCode;

/// A signed-in caller; requests without valid credentials are refused with 401.
#[derive(Debug, Clone)]
pub struct CurrentActor(pub Actor);

/// A caller who may be anonymous. Credentials that are present but invalid are still refused
/// with 401: a client with a broken token should know, not silently see less.
#[derive(Debug, Clone)]
pub struct OptionalActor(pub Option<Actor>);

impl OptionalActor {
    pub fn as_ref(&self) -> Option<&Actor> {
        self.0.as_ref()
    }
}

fn bearer_token(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let unauthenticated = || {
        ApiError::new(
            ErrorCode::Unauthenticated,
            "the Authorization header must be `Bearer <token>`",
        )
    };
    let value = value.to_str().map_err(|_| unauthenticated())?;
    let (scheme, token) = value.trim().split_once(' ').ok_or_else(unauthenticated)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(unauthenticated());
    }
    Ok(Some(token.trim().to_owned()))
}

async fn resolve(req: HttpRequest) -> Result<Option<Actor>, ApiError> {
    let Some(token) = bearer_token(&req)? else {
        return Ok(None);
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "internal error"))?;
    Ok(Some(state.accounts.authenticate(&token).await?))
}

impl FromRequest for CurrentActor {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            resolve(req).await?.map(CurrentActor).ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Unauthenticated,
                    "sign in first: send `Authorization: Bearer <token>`",
                )
            })
        })
    }
}

impl FromRequest for OptionalActor {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { resolve(req).await.map(OptionalActor) })
    }
}

/// The client's address for rate limiting: the socket peer, or the first hop of the
/// `Forwarded`/`X-Forwarded-For` headers when the server is told it sits behind a proxy.
pub fn client_address(req: &HttpRequest, trust_proxy: bool) -> Option<String> {
    if trust_proxy && let Some(address) = req.connection_info().realip_remote_addr() {
        return Some(address.to_owned());
    }
    req.peer_addr().map(|address| address.ip().to_string())
}
