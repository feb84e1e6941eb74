//! Organizations: creation, the directory, changes (with `If-Match`) and verification by a
//! moderator.

use super::{
    ATTEMPTS, Accounts, changed_meanwhile, organization_view, owner_membership,
    parse_organization_form, parse_paging, parse_tax_code, shows_internals, visible_organization,
};
use crate::actor::{Actor, Permission};
use crate::dto::bounds::*;
use crate::dto::*;
use crate::error::AccountsError;
use crate::model::*;
use crate::repo::{self, OrganizationFilter};
use techx_core::codes::Verification;
use techx_core::error::Validator;
use techx_core::validate;
use techx_core::{OrganizationId, Page, clock};
use techx_db::{ChangeOp, record_change};

impl Accounts {
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
                Page::from_rows(&rows, total, paging, |org| {
                    organization_view(org, moderator)
                })
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
}
