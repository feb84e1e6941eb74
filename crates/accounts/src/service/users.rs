//! The user directory and platform roles; the last admin cannot be demoted.

use super::{Accounts, parse_paging, user_view};
use crate::actor::{Actor, Permission};
use crate::dto::*;
use crate::error::AccountsError;
use crate::repo;
use techx_core::codes::PlatformRole;
use techx_core::page::PageParams;
use techx_core::{Page, UserId, clock};
use techx_db::{ChangeOp, record_change};

impl Accounts {
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
                Page::from_rows(&rows, total, paging, user_view)
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
}
