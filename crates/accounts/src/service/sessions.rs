//! Sessions: registration, signing in, token refresh and sign-out, and resolving a bearer
//! token or an API key into the [`Actor`] a request acts as.

use super::{
    Accounts, api_key_view, check_token_length, insert_new_user, issue_tokens, owner_membership,
    parse_new_user, parse_organization_form, parse_scopes, stored, user_view,
};
use crate::actor::{Actor, ActorMembership, Principal};
use crate::dto::bounds::*;
use crate::dto::*;
use crate::error::AccountsError;
use crate::model::*;
use crate::password;
use crate::repo;
use crate::tokens::{self, API_KEY_PREFIX};
use techx_core::codes::{ApiScope, OrgRole, PlatformRole, Verification};
use techx_core::error::Validator;
use techx_core::validate::Email;
use techx_core::{ApiKeyId, OrganizationId, UserId, clock};
use techx_db::{ChangeOp, record_change};

impl Accounts {
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
}
