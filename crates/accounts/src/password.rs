//! Password hashing: argon2id with the OWASP parameters (19 MiB, 2 passes, 1 lane). Call only
//! from the blocking pool: each hash takes tens of milliseconds on purpose.

use crate::AccountsError;
use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use std::sync::LazyLock;

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 128;

fn hasher() -> Argon2<'static> {
    // Params::new only fails on out-of-range values; these are argon2's own defaults.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hash a password into a PHC string.
pub fn hash_password(password: &str) -> Result<String, AccountsError> {
    hasher()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|error| AccountsError::Hashing(error.to_string()))
}

/// Check a password against a stored PHC string; a malformed hash never verifies.
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(hash) => hasher().verify_password(password.as_bytes(), &hash).is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the email is unknown, so that a login for a missing account
/// costs the same time as one for an existing account.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    hash_password("techx dummy password for unknown accounts").unwrap_or_default()
});

/// Spend the time of one verification and fail.
pub fn verify_dummy(password: &str) -> bool {
    verify_password(password, &DUMMY_HASH);
    false
}

/// The password policy: 10 to 128 characters, not the email, not one repeated character.
pub fn check_policy(password: &str, email: &str) -> Result<(), techx_core::FieldError> {
    let length = password.chars().count();
    let problem = if !(MIN_LEN..=MAX_LEN).contains(&length) {
        Some((
            "length",
            format!("password must be {MIN_LEN} to {MAX_LEN} characters"),
        ))
    } else if password.trim().eq_ignore_ascii_case(email.trim()) {
        Some(("weak", "password must not be the email address".to_owned()))
    } else if password.chars().all(|c| password.starts_with(c)) {
        Some((
            "weak",
            "password must not repeat a single character".to_owned(),
        ))
    } else {
        None
    };
    match problem {
        Some((code, message)) => Err(techx_core::FieldError::new("password", code, message)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse battery!", &hash));
        assert!(!verify_password("anything", "not a phc string"));
    }

    #[test]
    fn the_policy_refuses_short_repeated_and_email_passwords() {
        assert!(check_policy("short", "a@b.vn").is_err());
        assert!(check_policy("aaaaaaaaaaaa", "a@b.vn").is_err());
        assert!(check_policy("nguyen@hdu.edu.vn", "nguyen@hdu.edu.vn").is_err());
        assert!(check_policy("a sound passphrase", "a@b.vn").is_ok());
    }
}
