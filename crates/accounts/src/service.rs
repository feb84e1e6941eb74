//! The rules of accounts: validation, permissions, token rotation, last-owner and last-admin
//! protection. Every change writes its rows and one change-log row in one transaction.
//!
//! The service and the helpers its parts share live here; each part of the service is a module:
//! `sessions` (registration, sign-in, tokens, the actor of a request), `organizations`,
//! `members`, `users` and `api_keys`.

use crate::actor::Actor;
use crate::dto::bounds::*;
use crate::dto::*;
use crate::error::AccountsError;
use crate::model::*;
use crate::password;
use crate::ratelimit::{LoginLimiter, LoginLimits};
use crate::repo;
use crate::tokens::{self, REFRESH_TTL, TokenKeys};
use std::str::FromStr;
use std::sync::Arc;
use techx_core::codes::{ApiScope, OrgRole, Province, Verification};
use techx_core::error::Validator;
use techx_core::page::{PageParams, Paging};
use techx_core::validate::{self, Email};
use techx_core::{ApiKeyId, FieldError, OrganizationId, UserId, clock};
use techx_db::{Db, DbConn};

mod api_keys;
mod members;
mod organizations;
mod sessions;
mod users;

/// Settings of the accounts service.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccountsSettings {
    pub login_limits: LoginLimits,
    /// Failed registrations (an email already taken, invalid input) allowed per email and per
    /// client address: registration cannot be used to test which emails have accounts.
    pub register_limits: LoginLimits,
}

/// The accounts service: cheap to clone, shared by every worker.
#[derive(Clone)]
pub struct Accounts {
    db: Db,
    keys: Arc<TokenKeys>,
    limiter: Arc<LoginLimiter>,
    register_limiter: Arc<LoginLimiter>,
}

/// A stored code that must parse; a failure means the database holds something we never wrote.
fn stored<T: FromStr>(value: &str) -> Result<T, AccountsError> {
    value
        .parse()
        .map_err(|_| AccountsError::Corrupt(format!("unexpected code `{value}`")))
}

fn user_view(user: &User) -> Result<UserView, AccountsError> {
    Ok(UserView {
        id: UserId(user.id),
        email: user.email.clone(),
        full_name: user.full_name.clone(),
        platform_role: stored(&user.platform_role)?,
        created_at: clock::to_utc(user.created_at),
    })
}

fn organization_view(
    org: &Organization,
    show_note: bool,
) -> Result<OrganizationView, AccountsError> {
    Ok(OrganizationView {
        id: OrganizationId(org.id),
        name: org.name.clone(),
        org_type: stored(&org.org_type)?,
        tax_code: org.tax_code.clone(),
        province_code: stored(&org.province_code)?,
        address: org.address.clone(),
        website: org.website.clone(),
        verification: stored(&org.verification)?,
        verification_note: org.verification_note.clone().filter(|_| show_note),
        verified_at: org.verified_at.map(clock::to_utc),
        created_at: clock::to_utc(org.created_at),
        updated_at: clock::to_utc(org.updated_at),
        version: org.version,
    })
}

fn api_key_view(key: &ApiKey, scopes: Vec<ApiScope>) -> ApiKeyView {
    ApiKeyView {
        id: ApiKeyId(key.id),
        organization_id: OrganizationId(key.organization_id),
        name: key.name.clone(),
        prefix: key.prefix.clone(),
        scopes,
        created_at: clock::to_utc(key.created_at),
        last_used_at: key.last_used_at.map(clock::to_utc),
        revoked_at: key.revoked_at.map(clock::to_utc),
    }
}

fn parse_scopes(rows: &[(i64, String)], key_id: i64) -> Result<Vec<ApiScope>, AccountsError> {
    rows.iter()
        .filter(|(id, _)| *id == key_id)
        .map(|(_, scope)| stored(scope))
        .collect()
}

/// A tax code (*mã số thuế*): 10 digits, or 10 digits, `-` and 3 digits for a branch.
fn parse_tax_code(field: &str, value: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(code) = validate::optional_text(field, value, TAX_CODE.max())? else {
        return Ok(None);
    };
    let (main, branch) = match code.split_once('-') {
        Some((main, branch)) => (main, Some(branch)),
        None => (code.as_str(), None),
    };
    let digits = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_digit());
    if digits(main, 10) && branch.is_none_or(|b| digits(b, 3)) {
        Ok(Some(code))
    } else {
        Err(FieldError::new(
            field,
            "format",
            format!("{field} must be 10 digits, or 10 digits, a hyphen and 3 digits"),
        ))
    }
}

fn parse_organization_form(
    validator: &mut Validator,
    prefix: &str,
    form: OrganizationForm,
) -> Option<NewOrganization> {
    let field = |name: &str| format!("{prefix}{name}");
    let name = validator.check(validate::required_text(
        &field("name"),
        &form.name,
        ORGANIZATION_NAME.min(),
        ORGANIZATION_NAME.max(),
    ));
    let tax_code = validator.check(parse_tax_code(&field("tax_code"), form.tax_code.as_deref()));
    let address = validator.check(validate::optional_text(
        &field("address"),
        form.address.as_deref(),
        ADDRESS.max(),
    ));
    let website = validator.check(validate::optional_url(
        &field("website"),
        form.website.as_deref(),
        WEBSITE.max(),
    ));
    let now = clock::now();
    Some(NewOrganization {
        name: name?,
        org_type: form.org_type.as_str().to_owned(),
        tax_code: tax_code?,
        province_code: form
            .province_code
            .unwrap_or(Province::DEFAULT)
            .as_str()
            .to_owned(),
        address: address?,
        website: website?,
        verification: Verification::Pending.as_str().to_owned(),
        created_at: now,
        updated_at: now,
        version: 1,
    })
}

/// The longest refresh token there can be.
pub const MAX_REFRESH_TOKEN: usize = REFRESH_TOKEN.max();

fn check_token_length(form: &RefreshForm) -> Result<(), AccountsError> {
    if form.refresh_token.chars().count() > MAX_REFRESH_TOKEN {
        return Err(AccountsError::invalid(
            "refresh_token",
            "length",
            format!("refresh_token must be at most {MAX_REFRESH_TOKEN} characters"),
        ));
    }
    Ok(())
}

/// How many times a write re-reads an organization that another write changed under it.
const ATTEMPTS: usize = 8;

fn changed_meanwhile() -> AccountsError {
    AccountsError::Conflict(
        "the organization is being changed by others at this moment; read it again and retry"
            .to_owned(),
    )
}

fn parse_paging(limit: Option<i64>, offset: Option<i64>) -> Result<Paging, AccountsError> {
    PageParams { limit, offset }
        .parse()
        .map_err(|error| AccountsError::Invalid(vec![error]))
}

/// Whether `actor` may see `org` at all: verified organizations are public; others only to
/// their members and the exchange's staff.
fn can_see_organization(actor: Option<&Actor>, org: &Organization) -> bool {
    org.verification == Verification::Verified.as_str()
        || actor.is_some_and(|a| a.is_staff() || a.org_role(OrganizationId(org.id)).is_some())
}

/// Load an organization the actor may see, else `NotFound` (never `Forbidden`, so that the
/// existence of an unverified organization does not leak).
fn visible_organization(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    id: OrganizationId,
) -> Result<Organization, AccountsError> {
    repo::find_organization(conn, id.0)?
        .filter(|org| can_see_organization(actor, org))
        .ok_or(AccountsError::NotFound("organization"))
}

impl Accounts {
    pub fn new(
        db: Db,
        jwt_secret: &[u8],
        settings: AccountsSettings,
    ) -> Result<Self, AccountsError> {
        Ok(Accounts {
            db,
            keys: Arc::new(TokenKeys::new(jwt_secret)?),
            limiter: Arc::new(LoginLimiter::new(settings.login_limits)),
            register_limiter: Arc::new(LoginLimiter::new(settings.register_limits)),
        })
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Whether no account exists yet (a fresh database).
    pub async fn is_empty(&self) -> Result<bool, AccountsError> {
        self.db.run(|conn| Ok(repo::count_users(conn)? == 0)).await
    }

    // ----- registration and sign-in -------------------------------------------------------
}

/// Email, full name and password policy of a new account.
fn parse_new_user(
    validator: &mut Validator,
    email: &str,
    full_name: &str,
    password: &str,
) -> Option<(Email, String)> {
    let email = validator.check(Email::parse("email", email));
    let full_name = validator.check(FULL_NAME.required_text(full_name));
    let email_text = email
        .as_ref()
        .map(|e| e.as_str().to_owned())
        .unwrap_or_default();
    validator.check(password::check_policy(password, &email_text));
    Some((email?, full_name?))
}

/// Insert a user whose email is not taken yet.
fn insert_new_user(conn: &mut DbConn, new_user: &NewUser) -> Result<User, AccountsError> {
    if repo::find_user_by_email(conn, &new_user.email)?.is_some() {
        return Err(AccountsError::Conflict(
            "an account with this email already exists".into(),
        ));
    }
    Ok(repo::insert_user(conn, new_user)?)
}

fn owner_membership(user_id: i64, organization_id: i64) -> Membership {
    Membership {
        user_id,
        organization_id,
        org_role: OrgRole::Owner.as_str().to_owned(),
        created_at: clock::now(),
    }
}

fn member_view(membership: &Membership, user: &User) -> Result<MemberView, AccountsError> {
    Ok(MemberView {
        user_id: UserId(user.id),
        email: user.email.clone(),
        full_name: user.full_name.clone(),
        org_role: stored(&membership.org_role)?,
        created_at: clock::to_utc(membership.created_at),
    })
}

/// Members and staff see the moderator's note on an organization.
fn shows_internals(actor: Option<&Actor>, id: OrganizationId) -> bool {
    actor.is_some_and(|a| a.is_staff() || a.org_role(id).is_some())
}

/// Issue an access token and a new refresh token (in `family`, or a new family).
fn issue_tokens(
    conn: &mut DbConn,
    keys: &TokenKeys,
    user_id: i64,
    family: Option<String>,
) -> Result<TokenPair, AccountsError> {
    let (access_token, expires_in) = keys.issue_access(UserId(user_id))?;
    let refresh_token = tokens::new_refresh_token();
    let now = clock::now();
    let ttl = chrono::Duration::from_std(REFRESH_TTL).unwrap_or(chrono::Duration::days(30));
    repo::insert_refresh_token(
        conn,
        &NewRefreshToken {
            user_id,
            family_id: family.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            token_hash: tokens::hash_secret(&refresh_token),
            expires_at: now + ttl,
            created_at: now,
        },
    )?;
    Ok(TokenPair {
        access_token,
        refresh_token,
        token_type: "Bearer".into(),
        expires_in,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tax_codes_are_ten_digits_with_an_optional_branch() {
        assert_eq!(
            parse_tax_code("t", Some("2800224479")).unwrap().as_deref(),
            Some("2800224479")
        );
        assert!(
            parse_tax_code("t", Some("2800224479-001"))
                .unwrap()
                .is_some()
        );
        assert!(parse_tax_code("t", None).unwrap().is_none());
        for bad in ["123", "28002244790", "2800224479-01", "28OO224479"] {
            assert!(parse_tax_code("t", Some(bad)).is_err(), "{bad}");
        }
    }
}
