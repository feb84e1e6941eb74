//! Who is calling, decided once per request, and what the caller's credentials allow.
//!
//! The [`authenticate`] middleware resolves the bearer token (an access JWT or an API key) into
//! an [`Actor`] before routing, and refuses every request that would change something (any
//! method but `GET`, `HEAD` and `OPTIONS`) made with an API key that lacks the `write` scope: a
//! read-only key can never write, whatever a handler forgets. Handlers then say in their
//! signature what they need: [`CurrentActor`] or [`OptionalActor`] to read, [`Writer`] to
//! change. A handler of a changing route that asks for a reader fails loudly in every test that
//! calls it, so no such route can be written without declaring that it writes.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use std::future::{Ready, ready};
use std::net::IpAddr;
use techx_accounts::Actor;
use techx_core::ErrorCode;
use techx_core::codes::ApiScope;

/// The outcome of reading a request's credentials.
#[derive(Debug, Clone)]
enum Credentials {
    /// No `Authorization` header.
    None,
    Valid(Actor),
    /// Credentials were sent but are invalid: the code and message of the refusal.
    Refused(ErrorCode, String),
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

async fn resolve(req: &HttpRequest) -> Result<Option<Actor>, ApiError> {
    let Some(token) = bearer_token(req)? else {
        return Ok(None);
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("the application state is not installed"))?;
    Ok(Some(state.accounts.authenticate(&token).await?))
}

/// Whether a method can change something.
fn changes(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Refused unless the actor may write: an API key needs the `write` scope; people always may
/// (what they may change is the services' to decide).
fn require_write_scope(actor: &Actor) -> Result<(), ApiError> {
    if actor.has_scope(ApiScope::Write) {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::Forbidden,
            "this API key is read-only: changes need a key with the `write` scope",
        ))
    }
}

/// The middleware: resolve the credentials once, and refuse a write by a read-only key.
pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let credentials = match resolve(req.request()).await {
        Ok(None) => Credentials::None,
        Ok(Some(actor)) => Credentials::Valid(actor),
        Err(error) => Credentials::Refused(error.code, error.message),
    };
    if let Credentials::Valid(actor) = &credentials
        && changes(req.method())
        && let Err(error) = require_write_scope(actor)
    {
        let response = actix_web::ResponseError::error_response(&error);
        return Ok(req.into_response(response).map_into_right_body());
    }
    let personal = !matches!(credentials, Credentials::None);
    req.extensions_mut().insert(credentials);
    let mut res = next.call(req).await?;
    // What a signed-in caller reads is theirs: no shared cache may keep it.
    if personal && !res.headers().contains_key(header::CACHE_CONTROL) {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("private, no-store"),
        );
    }
    Ok(res.map_into_left_body())
}

/// The credentials the middleware resolved.
fn credentials(req: &HttpRequest) -> Result<Option<Actor>, ApiError> {
    match req.extensions().get::<Credentials>() {
        Some(Credentials::None) => Ok(None),
        Some(Credentials::Valid(actor)) => Ok(Some(actor.clone())),
        Some(Credentials::Refused(code, message)) => Err(ApiError::new(*code, message.clone())),
        None => Err(ApiError::internal(
            "the authenticate middleware is not installed",
        )),
    }
}

fn signed_in(actor: Option<Actor>) -> Result<Actor, ApiError> {
    actor.ok_or_else(|| {
        ApiError::new(
            ErrorCode::Unauthenticated,
            "sign in first: send `Authorization: Bearer <token>`",
        )
    })
}

/// A reader must not stand behind a route that changes data: such a route takes [`Writer`].
fn reading_only(req: &HttpRequest) -> Result<(), ApiError> {
    if changes(req.method()) {
        return Err(ApiError::internal(format!(
            "{} {}: a route that changes data must take `Writer`, not a reader",
            req.method(),
            req.path()
        )));
    }
    Ok(())
}

/// A signed-in caller of a reading route; requests without valid credentials are refused with
/// 401.
#[derive(Debug, Clone)]
pub struct CurrentActor(pub Actor);

/// A caller of a reading route who may be anonymous. Credentials that are present but invalid
/// are still refused with 401: a client with a broken token should know, not silently see less.
#[derive(Debug, Clone)]
pub struct OptionalActor(pub Option<Actor>);

/// A signed-in caller of a route that changes something, with the right to write (a person, or
/// an API key with the `write` scope).
#[derive(Debug, Clone)]
pub struct Writer(pub Actor);

impl OptionalActor {
    pub fn as_ref(&self) -> Option<&Actor> {
        self.0.as_ref()
    }
}

impl FromRequest for CurrentActor {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            reading_only(req)
                .and_then(|()| credentials(req))
                .and_then(signed_in)
                .map(CurrentActor),
        )
    }
}

impl FromRequest for OptionalActor {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            reading_only(req)
                .and_then(|()| credentials(req))
                .map(OptionalActor),
        )
    }
}

impl FromRequest for Writer {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(credentials(req).and_then(signed_in).and_then(|actor| {
            require_write_scope(&actor)?;
            Ok(Writer(actor))
        }))
    }
}

/// Which peers are reverse proxies whose `X-Forwarded-For` / `Forwarded` headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<ipnet::IpNet>);

impl TrustedProxies {
    /// Trust no proxy: the client is the socket peer.
    pub fn none() -> TrustedProxies {
        TrustedProxies(Vec::new())
    }

    /// Parse addresses and networks (`10.0.0.1`, `10.0.0.0/8`, `::1`), comma-separated.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        let mut networks = Vec::new();
        for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let network = match item.parse::<ipnet::IpNet>() {
                Ok(network) => network,
                Err(_) => item
                    .parse::<IpAddr>()
                    .map(ipnet::IpNet::from)
                    .map_err(|_| format!("`{item}` is not an IP address or network"))?,
            };
            networks.push(network);
        }
        Ok(TrustedProxies(networks))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(&address))
    }

    /// The client behind a chain of hops, nearest last: walking from the socket peer outwards,
    /// the first address that is not a trusted proxy. Entries a client wrote itself (the left of
    /// the chain) are reached only through trusted proxies, so a client cannot choose its
    /// address; an unparseable entry stops the walk at the last trusted hop's view.
    pub fn client(&self, peer: IpAddr, forwarded: &[String]) -> IpAddr {
        let mut client = peer;
        if !self.trusts(peer) {
            return client;
        }
        for hop in forwarded.iter().rev() {
            let Some(address) = parse_hop(hop) else {
                return client;
            };
            client = address;
            if !self.trusts(address) {
                return client;
            }
        }
        client
    }
}

/// One hop of `X-Forwarded-For` (`203.0.113.7`, `[2001:db8::1]:443`) or of `Forwarded`'s
/// `for=` (`for="[2001:db8::1]:443"`, `for=203.0.113.7`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim().trim_matches('"');
    if let Ok(address) = hop.parse::<IpAddr>() {
        return Some(address);
    }
    if let Ok(socket) = hop.parse::<std::net::SocketAddr>() {
        return Some(socket.ip());
    }
    let inner = hop.strip_prefix('[')?.split(']').next()?;
    inner.parse().ok()
}

/// The hops a request names, nearest last: `X-Forwarded-For` when present, else the `for=`
/// parameters of `Forwarded`.
fn forwarded_hops(req: &HttpRequest) -> Vec<String> {
    let headers = req.headers();
    let xff: Vec<String> = headers
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|hop| hop.trim().to_owned())
        .filter(|hop| !hop.is_empty())
        .collect();
    if !xff.is_empty() {
        return xff;
    }
    headers
        .get_all(header::FORWARDED)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (name, value) = pair.split_once('=')?;
                name.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| value.trim().to_owned())
            })
        })
        .collect()
}

/// The client's address for rate limiting: the socket peer, or, when the peer is a trusted
/// proxy, the nearest address the trusted proxies did not add themselves.
pub fn client_address(req: &HttpRequest, proxies: &TrustedProxies) -> Option<String> {
    let peer = req.peer_addr()?.ip();
    let client = if proxies.is_empty() {
        peer
    } else {
        proxies.client(peer, &forwarded_hops(req))
    };
    Some(client.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn hops(list: &[&str]) -> Vec<String> {
        list.iter().map(|h| (*h).to_owned()).collect()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client_whatever_the_headers_say() {
        let proxies = TrustedProxies::none();
        assert_eq!(
            proxies.client(ip("10.0.0.1"), &hops(&["1.2.3.4"])),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn the_client_is_the_rightmost_hop_that_is_not_a_trusted_proxy() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        // A client wrote a random leftmost entry; the proxy appended the real address.
        let chain = hops(&["6.6.6.6", "203.0.113.7", "10.0.0.2"]);
        assert_eq!(proxies.client(ip("10.0.0.1"), &chain), ip("203.0.113.7"));
        // A peer that is not a trusted proxy is the client: its headers are not believed.
        assert_eq!(
            proxies.client(ip("198.51.100.9"), &chain),
            ip("198.51.100.9")
        );
        // Only trusted hops: the leftmost one is as far as anyone can tell.
        assert_eq!(
            proxies.client(ip("10.0.0.1"), &hops(&["10.0.0.3"])),
            ip("10.0.0.3")
        );
    }

    #[test]
    fn hops_parse_with_ports_and_brackets() {
        assert_eq!(parse_hop("\"[2001:db8::1]:443\""), Some(ip("2001:db8::1")));
        assert_eq!(parse_hop("203.0.113.7:8080"), Some(ip("203.0.113.7")));
        assert_eq!(parse_hop("unknown"), None);
        assert!(TrustedProxies::parse("10.0.0.1, ::1, 192.168.0.0/16").is_ok());
        assert!(TrustedProxies::parse("not-an-ip").is_err());
    }
}
