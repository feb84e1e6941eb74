//! Tokens: short-lived JWT access tokens (HS256 only: `alg: none` and every other algorithm are
//! refused), opaque refresh tokens and API keys, both stored as SHA-256 hashes.

use crate::AccountsError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::Duration;
use techx_core::UserId;

/// Lifetime of an access token.
pub const ACCESS_TTL: Duration = Duration::from_secs(15 * 60);
/// Lifetime of a refresh token (each use rotates it).
pub const REFRESH_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
/// Issuer claim of our access tokens.
pub const ISSUER: &str = "techx";
/// Prefix that tells an API key from a JWT in an `Authorization` header.
pub const API_KEY_PREFIX: &str = "txk_";
const REFRESH_PREFIX: &str = "txr_";

/// Claims of an access token.
#[derive(Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The user id, as a string.
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    /// Always `access`: keeps other token kinds signed with the same key from being accepted.
    pub typ: String,
}

/// Signs and checks access tokens.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl TokenKeys {
    pub fn new(secret: &[u8]) -> Result<Self, AccountsError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss"]);
        validation.leeway = 5;
        let key_error =
            |error: jsonwebtoken::errors::Error| AccountsError::Signing(error.to_string());
        Ok(TokenKeys {
            encoding: EncodingKey::from_secret(secret).map_err(key_error)?,
            decoding: DecodingKey::from_secret(secret).map_err(key_error)?,
            validation,
        })
    }

    /// A signed access token for `user` and its lifetime in seconds.
    pub fn issue_access(&self, user: UserId) -> Result<(String, u64), AccountsError> {
        let now = chrono::Utc::now().timestamp();
        let claims = AccessClaims {
            sub: user.0.to_string(),
            iat: now,
            exp: now + ACCESS_TTL.as_secs() as i64,
            iss: ISSUER.to_owned(),
            typ: "access".to_owned(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|error| AccountsError::Signing(error.to_string()))?;
        Ok((token, ACCESS_TTL.as_secs()))
    }

    /// The user an access token speaks for; expired, tampered or foreign tokens are refused.
    pub fn verify_access(&self, token: &str) -> Result<UserId, AccountsError> {
        let refused = AccountsError::Unauthenticated("the access token is invalid or expired");
        let data = jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .map_err(|_| refused)?;
        if data.claims.typ != "access" {
            return Err(AccountsError::Unauthenticated(
                "the access token is invalid or expired",
            ));
        }
        data.claims
            .sub
            .parse::<i64>()
            .map(UserId)
            .map_err(|_| AccountsError::Unauthenticated("the access token is invalid or expired"))
    }
}

fn random_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// A new opaque refresh token.
pub fn new_refresh_token() -> String {
    random_secret(REFRESH_PREFIX)
}

/// A new API key.
pub fn new_api_key() -> String {
    random_secret(API_KEY_PREFIX)
}

/// The stored form of a refresh token or API key. The secrets carry 256 random bits, so a fast
/// hash is enough: there is nothing to brute-force.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_access_token_round_trips() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef").unwrap();
        let (token, ttl) = keys.issue_access(UserId(42)).unwrap();
        assert_eq!(ttl, 900);
        assert_eq!(keys.verify_access(&token).unwrap(), UserId(42));
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let ours = TokenKeys::new(b"0123456789abcdef0123456789abcdef").unwrap();
        let theirs = TokenKeys::new(b"fedcba9876543210fedcba9876543210").unwrap();
        let (token, _) = theirs.issue_access(UserId(1)).unwrap();
        assert!(ours.verify_access(&token).is_err());
    }

    #[test]
    fn secrets_are_random_and_hashes_stable() {
        assert_ne!(new_api_key(), new_api_key());
        assert!(new_api_key().starts_with(API_KEY_PREFIX));
        assert_eq!(hash_secret("x"), hash_secret("x"));
        assert_eq!(hash_secret("x").len(), 64);
    }
}
