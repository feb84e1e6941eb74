//! The rules of accounts: validation, permissions, token rotation, last-owner and last-admin
//! protection. Every change writes its rows and one change-log row in one transaction.

use crate::actor::{Actor, ActorMembership, Permission, Principal};
use crate::dto::bounds::*;
use crate::dto::*;
use crate::error::AccountsError;
use crate::model::*;
use crate::password;
use crate::ratelimit::{LoginLimiter, LoginLimits};
use crate::repo::{self, OrganizationFilter};
use crate::tokens::{self, API_KEY_PREFIX, REFRESH_TTL, TokenKeys};
use std::str::FromStr;
use std::sync::Arc;
use techx_core::codes::{ApiScope, OrgRole, PlatformRole, Province, Verification};
use techx_core::error::Validator;
use techx_core::page::{PageParams, Paging};
use techx_core::validate::{self, Email};
use techx_core::{ApiKeyId, FieldError, OrganizationId, Page, UserId, clock};
use techx_db::{ChangeOp, Db, DbConn, record_change};

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

    /// Create an account (platform role `member`), and the organization it registers, if any,
    /// with the new user as its owner.
    ///
    /// Failed attempts are throttled per email and per client address like logins (429 with
    /// `Retry-After`).
    pub async fn register(
        &self,
        form: RegisterForm,
        client_address: Option<String>,
    ) -> Result<MeView, AccountsError> {
        let email = form.email.trim().to_lowercase();
        self.register_limiter
            .check(&email, client_address.as_deref())
            .map_err(|retry_after_secs| AccountsError::RateLimited { retry_after_secs })?;
        let outcome = self.register_unthrottled(form).await;
        if let Err(AccountsError::Invalid(_) | AccountsError::Conflict(_)) = &outcome {
            self.register_limiter
                .record_failure(&email, client_address.as_deref());
        }
        outcome
    }

    async fn register_unthrottled(&self, form: RegisterForm) -> Result<MeView, AccountsError> {
        let mut validator = Validator::new();
        let new_user = parse_new_user(&mut validator, &form.email, &form.full_name, &form.password);
        let organization = form
            .organization
            .map(|org| parse_organization_form(&mut validator, "organization.", org));
        validator.finish().map_err(AccountsError::Invalid)?;
        let new_user = self
            .hash_new_user(new_user, form.password, PlatformRole::Member)
            .await?;
        let organization = organization.flatten();
        let user = self
            .db
            .write(move |conn| {
                let user = insert_new_user(conn, &new_user)?;
                record_change(conn, "user", user.id, ChangeOp::Create, Some(user.id))?;
                if let Some(org) = organization {
                    let org = repo::insert_organization(conn, &org)?;
                    repo::insert_membership(conn, &owner_membership(user.id, org.id))?;
                    record_change(
                        conn,
                        "organization",
                        org.id,
                        ChangeOp::Create,
                        Some(user.id),
                    )?;
                }
                Ok::<_, AccountsError>(user)
            })
            .await?;
        tracing::info!(user.id = user.id, "account registered");
        self.me_of_user(UserId(user.id)).await
    }

    /// Bootstrap an admin from the command line (`techx admin create`).
    pub async fn create_admin(
        &self,
        email: &str,
        full_name: &str,
        password: String,
    ) -> Result<UserView, AccountsError> {
        let mut validator = Validator::new();
        let new_user = parse_new_user(&mut validator, email, full_name, &password);
        validator.finish().map_err(AccountsError::Invalid)?;
        let new_user = self
            .hash_new_user(new_user, password, PlatformRole::Admin)
            .await?;
        let user = self
            .db
            .write(move |conn| {
                let user = insert_new_user(conn, &new_user)?;
                record_change(conn, "user", user.id, ChangeOp::Create, None)?;
                Ok::<_, AccountsError>(user)
            })
            .await?;
        user_view(&user)
    }

    /// Hash the password (on the blocking pool) of a validated new user.
    async fn hash_new_user(
        &self,
        parsed: Option<(Email, String)>,
        password: String,
        role: PlatformRole,
    ) -> Result<NewUser, AccountsError> {
        let (email, full_name) = parsed
            .ok_or_else(|| AccountsError::invalid("email", "required", "email is required"))?;
        let password_hash = techx_db::blocking(move || password::hash_password(&password)).await?;
        let now = clock::now();
        Ok(NewUser {
            email: email.into_inner(),
            full_name,
            password_hash,
            platform_role: role.as_str().to_owned(),
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }

    /// Check an email and password and issue tokens. Failures are throttled per email and per
    /// client address; an unknown email costs the same time as a wrong password.
    pub async fn login(
        &self,
        form: LoginForm,
        client_address: Option<String>,
    ) -> Result<TokenPair, AccountsError> {
        // Refused before any lookup, naming the field that is too long.
        for (field, value, longest) in [
            ("email", &form.email, EMAIL.max()),
            ("password", &form.password, SIGN_IN_PASSWORD.max()),
        ] {
            if value.chars().count() > longest {
                return Err(AccountsError::invalid(
                    field,
                    "length",
                    format!("{field} must be at most {longest} characters"),
                ));
            }
        }
        let email = form.email.trim().to_lowercase();
        self.limiter
            .check(&email, client_address.as_deref())
            .map_err(|retry_after_secs| AccountsError::RateLimited { retry_after_secs })?;
        let lookup = email.clone();
        let user = self
            .db
            .run(move |conn| repo::find_user_by_email(conn, &lookup).map_err(AccountsError::from))
            .await?;
        let password = form.password;
        let stored_hash = user.as_ref().map(|u| u.password_hash.clone());
        let verified = techx_db::blocking(move || {
            Ok::<_, AccountsError>(match stored_hash {
                Some(hash) => password::verify_password(&password, &hash),
                None => password::verify_dummy(&password),
            })
        })
        .await?;
        let Some(user) = user.filter(|_| verified) else {
            self.limiter
                .record_failure(&email, client_address.as_deref());
            tracing::info!("login refused");
            return Err(AccountsError::BadCredentials);
        };
        self.limiter.record_success(&email);
        let keys = self.keys.clone();
        self.db
            .write(move |conn| issue_tokens(conn, &keys, user.id, None))
            .await
    }

    /// Rotate a refresh token. A token used twice means it was stolen or replayed: its whole
    /// family is revoked and the caller must sign in again.
    pub async fn refresh(&self, form: RefreshForm) -> Result<TokenPair, AccountsError> {
        check_token_length(&form)?;
        enum Outcome {
            Issued(TokenPair),
            Refused,
            Reused,
        }
        let token_hash = tokens::hash_secret(form.refresh_token.trim());
        let keys = self.keys.clone();
        let outcome = self
            .db
            .write(move |conn| {
                let Some(token) = repo::find_refresh_token(conn, &token_hash)? else {
                    return Ok(Outcome::Refused);
                };
                let now = clock::now();
                if token.revoked_at.is_some() {
                    return Ok(Outcome::Refused);
                }
                if token.used_at.is_some() || !repo::claim_refresh_token(conn, token.id, now)? {
                    // Commit the revocation: this closure returns Ok so the transaction stands.
                    repo::revoke_refresh_family(conn, &token.family_id, now)?;
                    return Ok(Outcome::Reused);
                }
                if token.expires_at <= now {
                    return Ok(Outcome::Refused);
                }
                let pair = issue_tokens(conn, &keys, token.user_id, Some(token.family_id))?;
                Ok::<_, AccountsError>(Outcome::Issued(pair))
            })
            .await?;
        match outcome {
            Outcome::Issued(pair) => Ok(pair),
            Outcome::Refused => Err(AccountsError::Unauthenticated(
                "the refresh token is invalid, expired or revoked",
            )),
            Outcome::Reused => {
                tracing::warn!("refresh token reused: its family is revoked");
                Err(AccountsError::Unauthenticated(
                    "the refresh token was already used; every session of its chain is revoked",
                ))
            }
        }
    }

    /// Revoke the refresh token's family. Idempotent: an unknown token is not an error.
    pub async fn logout(&self, form: RefreshForm) -> Result<(), AccountsError> {
        check_token_length(&form)?;
        let token_hash = tokens::hash_secret(form.refresh_token.trim());
        self.db
            .write(move |conn| {
                if let Some(token) = repo::find_refresh_token(conn, &token_hash)? {
                    repo::revoke_refresh_family(conn, &token.family_id, clock::now())?;
                }
                Ok::<_, AccountsError>(())
            })
            .await
    }

    /// Resolve a bearer token (an access JWT or an API key) to the actor it speaks for.
    pub async fn authenticate(&self, bearer: &str) -> Result<Actor, AccountsError> {
        if bearer.starts_with(API_KEY_PREFIX) {
            return self.authenticate_api_key(bearer).await;
        }
        let user_id = self.keys.verify_access(bearer)?;
        self.actor_of_user(user_id).await
    }

    /// The actor a user acts as now, with its current roles and memberships (what a token of
    /// theirs would resolve to): background work done on a user's behalf sees what they see.
    pub async fn actor_of_user(&self, user_id: UserId) -> Result<Actor, AccountsError> {
        self.db
            .run(move |conn| {
                let user = repo::find_user(conn, user_id.0)?.ok_or(
                    AccountsError::Unauthenticated("the account no longer exists"),
                )?;
                let memberships = repo::memberships_of(conn, user.id)?
                    .into_iter()
                    .map(|(membership, _, verification)| {
                        Ok(ActorMembership {
                            organization_id: OrganizationId(membership.organization_id),
                            org_role: stored(&membership.org_role)?,
                            verified: verification == Verification::Verified.as_str(),
                        })
                    })
                    .collect::<Result<Vec<_>, AccountsError>>()?;
                Ok(Actor {
                    principal: Principal::User(user_id),
                    platform_role: stored(&user.platform_role)?,
                    memberships,
                })
            })
            .await
    }

    async fn authenticate_api_key(&self, key: &str) -> Result<Actor, AccountsError> {
        let key_hash = tokens::hash_secret(key);
        let (actor, needs_touch) = self
            .db
            .run(move |conn| {
                let key = repo::find_api_key_by_hash(conn, &key_hash)?
                    .filter(|key| key.revoked_at.is_none())
                    .ok_or(AccountsError::Unauthenticated(
                        "the API key is invalid or revoked",
                    ))?;
                let org = repo::find_organization(conn, key.organization_id)?.ok_or(
                    AccountsError::Unauthenticated("the API key is invalid or revoked"),
                )?;
                let scopes = parse_scopes(&repo::api_key_scopes(conn, &[key.id])?, key.id)?;
                // A key acts for its organization: `write` edits like an editor, else it reads.
                let org_role = if scopes.contains(&ApiScope::Write) {
                    OrgRole::Editor
                } else {
                    OrgRole::Viewer
                };
                let now = clock::now();
                let needs_touch = key
                    .last_used_at
                    .is_none_or(|at| now.signed_duration_since(at).num_seconds() >= 60);
                let actor = Actor {
                    principal: Principal::ApiKey {
                        id: ApiKeyId(key.id),
                        organization_id: OrganizationId(org.id),
                        scopes,
                    },
                    platform_role: PlatformRole::Member,
                    memberships: vec![ActorMembership {
                        organization_id: OrganizationId(org.id),
                        org_role,
                        verified: org.verification == Verification::Verified.as_str(),
                    }],
                };
                Ok::<_, AccountsError>((actor, needs_touch))
            })
            .await?;
        if needs_touch && let Principal::ApiKey { id, .. } = actor.principal {
            // Recorded at most once a minute per key, so reads do not turn into writes.
            self.db
                .write(move |conn| {
                    repo::touch_api_key(conn, id.0, clock::now()).map_err(AccountsError::from)
                })
                .await?;
        }
        Ok(actor)
    }

    /// The caller's identity and memberships.
    pub async fn me(&self, actor: &Actor) -> Result<MeView, AccountsError> {
        match &actor.principal {
            Principal::User(id) => self.me_of_user(*id).await,
            Principal::System => Err(AccountsError::Forbidden("the system actor has no profile")),
            Principal::ApiKey {
                id,
                organization_id,
                scopes,
            } => {
                let (id, org_id, scopes) = (*id, *organization_id, scopes.clone());
                let role = actor.org_role(org_id).unwrap_or(OrgRole::Viewer);
                self.db
                    .run(move |conn| {
                        let key = repo::find_api_key(conn, id.0)?
                            .ok_or(AccountsError::NotFound("api key"))?;
                        let org = repo::find_organization(conn, org_id.0)?
                            .ok_or(AccountsError::NotFound("organization"))?;
                        Ok(MeView {
                            kind: "api_key".into(),
                            user: None,
                            api_key: Some(api_key_view(&key, scopes)),
                            memberships: vec![MembershipView {
                                organization_id: org_id,
                                organization_name: org.name,
                                org_role: role,
                                verification: stored(&org.verification)?,
                            }],
                        })
                    })
                    .await
            }
        }
    }

    async fn me_of_user(&self, id: UserId) -> Result<MeView, AccountsError> {
        self.db
            .run(move |conn| {
                let user = repo::find_user(conn, id.0)?.ok_or(AccountsError::NotFound("user"))?;
                let memberships = repo::memberships_of(conn, id.0)?
                    .into_iter()
                    .map(|(membership, name, verification)| {
                        Ok(MembershipView {
                            organization_id: OrganizationId(membership.organization_id),
                            organization_name: name,
                            org_role: stored(&membership.org_role)?,
                            verification: stored(&verification)?,
                        })
                    })
                    .collect::<Result<Vec<_>, AccountsError>>()?;
                Ok(MeView {
                    kind: "user".into(),
                    user: Some(user_view(&user)?),
                    api_key: None,
                    memberships,
                })
            })
            .await
    }

    // ----- organizations ------------------------------------------------------------------

    /// Create an organization; the caller becomes its owner; it waits for verification.
    pub async fn create_organization(
        &self,
        actor: &Actor,
        form: OrganizationForm,
    ) -> Result<OrganizationView, AccountsError> {
        actor.require(Permission::ActAsUser)?;
        let user_id = actor.user_id().map(|id| id.0).unwrap_or_default();
        let mut validator = Validator::new();
        let org = parse_organization_form(&mut validator, "", form);
        validator.finish().map_err(AccountsError::Invalid)?;
        let org = org.ok_or(AccountsError::invalid(
            "name",
            "required",
            "name is required",
        ))?;
        self.db
            .write(move |conn| {
                let org = repo::insert_organization(conn, &org)?;
                repo::insert_membership(conn, &owner_membership(user_id, org.id))?;
                record_change(
                    conn,
                    "organization",
                    org.id,
                    ChangeOp::Create,
                    Some(user_id),
                )?;
                organization_view(&org, true)
            })
            .await
    }

    /// One organization, if the caller may see it.
    pub async fn get_organization(
        &self,
        actor: Option<&Actor>,
        id: OrganizationId,
    ) -> Result<OrganizationView, AccountsError> {
        let actor = actor.cloned();
        self.db
            .run(move |conn| {
                let org = visible_organization(conn, actor.as_ref(), id)?;
                organization_view(&org, shows_internals(actor.as_ref(), id))
            })
            .await
    }

    /// Verified organizations for everyone; moderators may list pending or rejected ones.
    pub async fn list_organizations(
        &self,
        actor: Option<&Actor>,
        query: ListOrganizationsQuery,
    ) -> Result<Page<OrganizationView>, AccountsError> {
        let paging = parse_paging(query.limit, query.offset)?;
        if query.q.as_ref().is_some_and(|q| q.chars().count() > 200) {
            return Err(AccountsError::invalid(
                "q",
                "length",
                "q must be at most 200 characters",
            ));
        }
        let verification = query.verification.unwrap_or(Verification::Verified);
        let moderator = actor.is_some_and(|a| a.can(Permission::ModerateOrganizations));
        if verification != Verification::Verified && !moderator {
            return Err(AccountsError::Forbidden(
                "only moderators may list organizations that are not verified",
            ));
        }
        let filter = OrganizationFilter {
            org_type: query.org_type.map(|t| t.as_str().to_owned()),
            province_code: query.province_code.map(|p| p.as_str().to_owned()),
            verification: verification.as_str().to_owned(),
            name_words: query
                .q
                .unwrap_or_default()
                .to_lowercase()
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
        };
        self.db
            .run(move |conn| {
                let (rows, total) = repo::list_organizations(conn, &filter, paging)?;
                let items = rows
                    .iter()
                    .map(|org| organization_view(org, moderator))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Page::new(items, total, paging))
            })
            .await
    }

    /// Change an organization's profile (owners and admins). `expected_version` comes from
    /// `If-Match`: a stale one is refused and nothing changes.
    pub async fn update_organization(
        &self,
        actor: &Actor,
        id: OrganizationId,
        patch: OrganizationPatch,
        expected_version: Option<i32>,
    ) -> Result<OrganizationView, AccountsError> {
        let mut validator = Validator::new();
        let name = patch
            .name
            .as_deref()
            .and_then(|n| validator.check(ORGANIZATION_NAME.required_text(n)));
        let tax_code = patch
            .tax_code
            .as_ref()
            .and_then(|t| validator.check(parse_tax_code("tax_code", t.as_deref())));
        let address = patch
            .address
            .as_ref()
            .and_then(|a| validator.check(ADDRESS.optional_text(a.as_deref())));
        let website = patch.website.as_ref().and_then(|w| {
            validator.check(validate::optional_url(
                "website",
                w.as_deref(),
                WEBSITE.max(),
            ))
        });
        validator.finish().map_err(AccountsError::Invalid)?;

        let actor = actor.clone();
        let user_id = actor.user_id().map(|u| u.0);
        self.db
            .write(move |conn| {
                for _ in 0..ATTEMPTS {
                    let current = visible_organization(conn, Some(&actor), id)?;
                    actor.require(Permission::ManageOrganization(id))?;
                    if expected_version.is_some_and(|v| v != current.version) {
                        return Err(AccountsError::StaleVersion {
                            current: current.version,
                        });
                    }
                    let identity_changed = name.as_ref().is_some_and(|n| *n != current.name)
                        || tax_code.as_ref().is_some_and(|t| *t != current.tax_code);
                    let reverify = identity_changed
                        && current.verification == Verification::Verified.as_str()
                        && !actor.is_moderator();
                    let changes = OrganizationChanges {
                        name: name.clone(),
                        org_type: patch.org_type.map(|t| t.as_str().to_owned()),
                        tax_code: tax_code.clone(),
                        province_code: patch.province_code.map(|p| p.as_str().to_owned()),
                        address: address.clone(),
                        website: website.clone(),
                        verification: reverify.then(|| Verification::Pending.as_str().to_owned()),
                        verification_note: reverify.then_some(None),
                        verified_at: reverify.then_some(None),
                        updated_at: Some(clock::now()),
                        version: Some(current.version + 1),
                    };
                    let Some(org) =
                        repo::update_organization(conn, id.0, current.version, &changes)?
                    else {
                        continue;
                    };
                    record_change(conn, "organization", org.id, ChangeOp::Update, user_id)?;
                    return organization_view(&org, true);
                }
                Err(changed_meanwhile())
            })
            .await
    }

    /// A moderator verifies or rejects an organization.
    pub async fn verify_organization(
        &self,
        actor: &Actor,
        id: OrganizationId,
        form: VerificationForm,
    ) -> Result<OrganizationView, AccountsError> {
        actor.require(Permission::ModerateOrganizations)?;
        let note = VERIFICATION_NOTE
            .optional_text(form.note.as_deref())
            .map_err(|e| AccountsError::Invalid(vec![e]))?;
        match form.decision {
            Verification::Pending => {
                return Err(AccountsError::invalid(
                    "decision",
                    "unknown_code",
                    "decision must be verified or rejected",
                ));
            }
            Verification::Rejected if note.is_none() => {
                return Err(AccountsError::invalid(
                    "note",
                    "required",
                    "a rejection needs a note",
                ));
            }
            _ => {}
        }
        let user_id = actor.user_id().map(|u| u.0);
        self.db
            .write(move |conn| {
                for _ in 0..ATTEMPTS {
                    let current = repo::find_organization(conn, id.0)?
                        .ok_or(AccountsError::NotFound("organization"))?;
                    let now = clock::now();
                    let verified = form.decision == Verification::Verified;
                    let changes = OrganizationChanges {
                        verification: Some(form.decision.as_str().to_owned()),
                        verification_note: Some(note.clone()),
                        verified_at: Some(verified.then_some(now)),
                        updated_at: Some(now),
                        version: Some(current.version + 1),
                        ..OrganizationChanges::default()
                    };
                    let Some(org) =
                        repo::update_organization(conn, id.0, current.version, &changes)?
                    else {
                        continue;
                    };
                    record_change(conn, "organization", org.id, ChangeOp::Update, user_id)?;
                    tracing::info!(
                        organization.id = org.id,
                        decision = form.decision.as_str(),
                        "organization verification decided"
                    );
                    return organization_view(&org, true);
                }
                Err(changed_meanwhile())
            })
            .await
    }

    // ----- members ------------------------------------------------------------------------

    pub async fn list_members(
        &self,
        actor: &Actor,
        id: OrganizationId,
        paging: Paging,
    ) -> Result<Page<MemberView>, AccountsError> {
        let actor = actor.clone();
        self.db
            .run(move |conn| {
                visible_organization(conn, Some(&actor), id)?;
                actor.require(Permission::ViewOrganizationMembers(id))?;
                let (members, total) = repo::members_of(conn, id.0, paging)?;
                let items = members
                    .iter()
                    .map(|(membership, user)| member_view(membership, user))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Page::new(items, total, paging))
            })
            .await
    }

    /// An owner adds a registered user to the organization.
    pub async fn add_member(
        &self,
        actor: &Actor,
        id: OrganizationId,
        form: AddMemberForm,
    ) -> Result<MemberView, AccountsError> {
        let email =
            Email::parse("email", &form.email).map_err(|e| AccountsError::Invalid(vec![e]))?;
        let actor = actor.clone();
        self.db
            .write(move |conn| {
                visible_organization(conn, Some(&actor), id)?;
                actor.require(Permission::ManageOrganization(id))?;
                repo::lock_organization(conn, id.0)?;
                let user = repo::find_user_by_email(conn, email.as_str())?
                    .ok_or(AccountsError::NotFound("user with this email"))?;
                if repo::find_membership(conn, id.0, user.id)?.is_some() {
                    return Err(AccountsError::Conflict(
                        "this user is already a member".into(),
                    ));
                }
                let membership = Membership {
                    user_id: user.id,
                    organization_id: id.0,
                    org_role: form.org_role.as_str().to_owned(),
                    created_at: clock::now(),
                };
                repo::insert_membership(conn, &membership)?;
                record_change(
                    conn,
                    "organization",
                    id.0,
                    ChangeOp::Update,
                    actor.user_id().map(|u| u.0),
                )?;
                member_view(&membership, &user)
            })
            .await
    }

    /// An owner changes a member's role; the last owner cannot step down.
    pub async fn change_member_role(
        &self,
        actor: &Actor,
        id: OrganizationId,
        member: UserId,
        form: MemberRoleForm,
    ) -> Result<MemberView, AccountsError> {
        let actor = actor.clone();
        self.db
            .write(move |conn| {
                visible_organization(conn, Some(&actor), id)?;
                actor.require(Permission::ManageOrganization(id))?;
                repo::lock_organization(conn, id.0)?;
                let mut membership = repo::find_membership(conn, id.0, member.0)?
                    .ok_or(AccountsError::NotFound("member"))?;
                let was_owner = membership.org_role == OrgRole::Owner.as_str();
                if was_owner
                    && form.org_role != OrgRole::Owner
                    && repo::count_owners(conn, id.0)? <= 1
                {
                    return Err(AccountsError::Conflict(
                        "the last owner cannot be demoted: make another member owner first".into(),
                    ));
                }
                repo::set_membership_role(conn, id.0, member.0, form.org_role.as_str())?;
                membership.org_role = form.org_role.as_str().to_owned();
                record_change(
                    conn,
                    "organization",
                    id.0,
                    ChangeOp::Update,
                    actor.user_id().map(|u| u.0),
                )?;
                let user =
                    repo::find_user(conn, member.0)?.ok_or(AccountsError::NotFound("member"))?;
                member_view(&membership, &user)
            })
            .await
    }

    /// An owner removes a member, or a member leaves; the last owner cannot be removed.
    pub async fn remove_member(
        &self,
        actor: &Actor,
        id: OrganizationId,
        member: UserId,
    ) -> Result<(), AccountsError> {
        let actor = actor.clone();
        self.db
            .write(move |conn| {
                visible_organization(conn, Some(&actor), id)?;
                if actor.user_id() != Some(member) {
                    actor.require(Permission::ManageOrganization(id))?;
                }
                repo::lock_organization(conn, id.0)?;
                let membership = repo::find_membership(conn, id.0, member.0)?
                    .ok_or(AccountsError::NotFound("member"))?;
                if membership.org_role == OrgRole::Owner.as_str()
                    && repo::count_owners(conn, id.0)? <= 1
                {
                    return Err(AccountsError::Conflict(
                        "the last owner cannot be removed: make another member owner first".into(),
                    ));
                }
                repo::delete_membership(conn, id.0, member.0)?;
                record_change(
                    conn,
                    "organization",
                    id.0,
                    ChangeOp::Update,
                    actor.user_id().map(|u| u.0),
                )?;
                Ok(())
            })
            .await
    }

    // ----- users --------------------------------------------------------------------------

    pub async fn list_users(
        &self,
        actor: &Actor,
        params: PageParams,
    ) -> Result<Page<UserView>, AccountsError> {
        actor.require(Permission::ManageUsers)?;
        let paging = parse_paging(params.limit, params.offset)?;
        self.db
            .run(move |conn| {
                let (rows, total) = repo::list_users(conn, paging)?;
                let items = rows.iter().map(user_view).collect::<Result<Vec<_>, _>>()?;
                Ok(Page::new(items, total, paging))
            })
            .await
    }

    /// An admin sets a user's platform role; the last admin cannot be demoted.
    pub async fn set_platform_role(
        &self,
        actor: &Actor,
        id: UserId,
        form: UserRoleForm,
    ) -> Result<UserView, AccountsError> {
        actor.require(Permission::ManageUsers)?;
        let actor_id = actor.user_id().map(|u| u.0);
        self.db
            .write(move |conn| {
                repo::lock_admins(conn)?;
                let user = repo::find_user(conn, id.0)?.ok_or(AccountsError::NotFound("user"))?;
                let admin = PlatformRole::Admin.as_str();
                if user.platform_role == admin
                    && form.platform_role != PlatformRole::Admin
                    && repo::count_users_with_role(conn, admin)? <= 1
                {
                    return Err(AccountsError::Conflict(
                        "the last admin cannot be demoted".into(),
                    ));
                }
                let user =
                    repo::set_platform_role(conn, id.0, form.platform_role.as_str(), clock::now())?;
                record_change(conn, "user", user.id, ChangeOp::Update, actor_id)?;
                user_view(&user)
            })
            .await
    }

    // ----- API keys -----------------------------------------------------------------------

    /// Create an API key for an organization; its secret is returned this once.
    pub async fn create_api_key(
        &self,
        actor: &Actor,
        id: OrganizationId,
        form: ApiKeyForm,
    ) -> Result<CreatedApiKey, AccountsError> {
        let mut validator = Validator::new();
        let name = validator.check(KEY_NAME.required_text(&form.name));
        if form.scopes.len() > KEY_SCOPES.max() {
            validator.push(FieldError::new(
                "scopes",
                "too_many",
                format!("at most {} scopes (there are three)", KEY_SCOPES.max()),
            ));
        }
        let mut scopes = form.scopes;
        scopes.sort();
        scopes.dedup();
        if scopes.is_empty() {
            validator.push(FieldError::new(
                "scopes",
                "required",
                "at least one scope is required",
            ));
        }
        validator.finish().map_err(AccountsError::Invalid)?;
        let name = name.unwrap_or_default();
        let actor = actor.clone();
        let secret = tokens::new_api_key();
        let new_key = NewApiKey {
            organization_id: id.0,
            name,
            prefix: secret.chars().take(12).collect(),
            key_hash: tokens::hash_secret(&secret),
            created_by: actor.user_id().map(|u| u.0).unwrap_or_default(),
            created_at: clock::now(),
        };
        self.db
            .write(move |conn| {
                visible_organization(conn, Some(&actor), id)?;
                actor.require(Permission::ManageApiKeys(id))?;
                let scope_codes: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
                let key = repo::insert_api_key(conn, &new_key, &scope_codes)?;
                record_change(
                    conn,
                    "api_key",
                    key.id,
                    ChangeOp::Create,
                    Some(new_key.created_by),
                )?;
                tracing::info!(
                    api_key.id = key.id,
                    organization.id = id.0,
                    "api key created"
                );
                Ok(CreatedApiKey {
                    api_key: api_key_view(&key, scopes),
                    key: secret,
                })
            })
            .await
    }

    pub async fn list_api_keys(
        &self,
        actor: &Actor,
        id: OrganizationId,
        paging: Paging,
    ) -> Result<Page<ApiKeyView>, AccountsError> {
        let actor = actor.clone();
        self.db
            .run(move |conn| {
                visible_organization(conn, Some(&actor), id)?;
                actor.require(Permission::ManageApiKeys(id))?;
                let (keys, total) = repo::list_api_keys(conn, id.0, paging)?;
                let ids: Vec<i64> = keys.iter().map(|k| k.id).collect();
                let scopes = repo::api_key_scopes(conn, &ids)?;
                let items = keys
                    .iter()
                    .map(|key| Ok(api_key_view(key, parse_scopes(&scopes, key.id)?)))
                    .collect::<Result<Vec<_>, AccountsError>>()?;
                Ok(Page::new(items, total, paging))
            })
            .await
    }

    /// Revoke a key; it stops authenticating at once. Revoking twice is harmless.
    pub async fn revoke_api_key(
        &self,
        actor: &Actor,
        id: OrganizationId,
        key_id: ApiKeyId,
    ) -> Result<(), AccountsError> {
        let actor = actor.clone();
        self.db
            .write(move |conn| {
                visible_organization(conn, Some(&actor), id)?;
                actor.require(Permission::ManageApiKeys(id))?;
                let key = repo::find_api_key(conn, key_id.0)?
                    .filter(|key| key.organization_id == id.0)
                    .ok_or(AccountsError::NotFound("api key"))?;
                if key.revoked_at.is_none() {
                    repo::revoke_api_key(conn, key.id, clock::now())?;
                    record_change(
                        conn,
                        "api_key",
                        key.id,
                        ChangeOp::Update,
                        actor.user_id().map(|u| u.0),
                    )?;
                }
                Ok(())
            })
            .await
    }
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
