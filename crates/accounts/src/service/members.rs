//! Members of an organization and their roles; the last owner cannot be removed or demoted.

use super::{Accounts, member_view, visible_organization};
use crate::actor::{Actor, Permission};
use crate::dto::*;
use crate::error::AccountsError;
use crate::model::*;
use crate::repo;
use techx_core::codes::OrgRole;
use techx_core::page::Paging;
use techx_core::validate::Email;
use techx_core::{OrganizationId, Page, UserId, clock};
use techx_db::{ChangeOp, DbConn, record_change};

impl Accounts {
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
                Page::from_rows(&members, total, paging, |(membership, user)| {
                    member_view(membership, user)
                })
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
                members_changed(conn, &actor, id)?;
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
                members_changed(conn, &actor, id)?;
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
                members_changed(conn, &actor, id)?;
                Ok(())
            })
            .await
    }

    // ----- users --------------------------------------------------------------------------
}

/// The change-log row of a change to `id`'s members (the organization is what changed).
fn members_changed(
    conn: &mut DbConn,
    actor: &Actor,
    id: OrganizationId,
) -> Result<(), AccountsError> {
    record_change(
        conn,
        "organization",
        id.0,
        ChangeOp::Update,
        actor.user_id().map(|u| u.0),
    )?;
    Ok(())
}
