//! API keys of an organization: created once (the secret is shown only then), listed, revoked.

use super::{Accounts, api_key_view, parse_scopes, visible_organization};
use crate::actor::{Actor, Permission};
use crate::dto::bounds::*;
use crate::dto::*;
use crate::error::AccountsError;
use crate::model::*;
use crate::repo;
use crate::tokens;
use techx_core::error::Validator;
use techx_core::page::Paging;
use techx_core::{ApiKeyId, FieldError, OrganizationId, Page, clock};
use techx_db::{ChangeOp, record_change};

impl Accounts {
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
                Page::from_rows(&keys, total, paging, |key| {
                    Ok::<_, AccountsError>(api_key_view(key, parse_scopes(&scopes, key.id)?))
                })
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
