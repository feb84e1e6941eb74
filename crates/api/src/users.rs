//! User administration (admins).

use crate::auth::{CurrentActor, Writer};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use actix_web::{HttpResponse, get, patch, web};
use techx_accounts::dto::{UserRoleForm, UserView};
use techx_core::{Page, PageParams, UserId};

/// List user accounts (admins).
///
/// Every user account with its platform role, oldest first. Paged like every list.
#[utoipa::path(
    tag = "users",
    params(PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of users", body = Page<UserView>),
        (status = 400, description = "Invalid paging", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    actor: CurrentActor,
    params: crate::query::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = state
        .accounts
        .list_users(&actor.0, params.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Set a user's platform role (admins).
///
/// Sets `member`, `broker`, `moderator` or `admin`. The last admin cannot be demoted (409).
#[utoipa::path(
    tag = "users",
    params(("id" = i64, Path, description = "User id")),
    request_body = UserRoleForm,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Changed", body = UserView),
        (status = 400, description = "Invalid role", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "This is the last admin", body = ErrorBody),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    actor: Writer,
    id: web::Path<UserId>,
    form: web::Json<UserRoleForm>,
) -> Result<HttpResponse, ApiError> {
    let user = state
        .accounts
        .set_platform_role(&actor.0, id.into_inner(), form.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(user))
}
