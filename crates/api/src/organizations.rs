//! Organizations, their members and their API keys.

use crate::auth::{CurrentActor, OptionalActor, Writer};
use crate::error::{ApiError, ErrorBody};
use crate::http::{created, if_match, ok_with_etag};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use techx_accounts::dto::{
    AddMemberForm, ApiKeyForm, ApiKeyView, CreatedApiKey, ListOrganizationsQuery, MemberRoleForm,
    MemberView, OrganizationForm, OrganizationPatch, OrganizationView, VerificationForm,
};
use techx_core::page::PageParams;
use techx_core::{ApiKeyId, OrganizationId, Page, UserId};

/// List organizations.
///
/// Verified organizations are public. Moderators may ask for `verification=pending` or
/// `rejected` to work through the verification queue.
#[utoipa::path(
    tag = "organizations",
    params(ListOrganizationsQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "A page of organizations", body = Page<OrganizationView>),
        (status = 400, description = "Invalid filter or paging", body = ErrorBody),
        (status = 401, description = "Invalid credentials were sent", body = ErrorBody),
        (status = 403, description = "Only moderators may list unverified organizations", body = ErrorBody),
    )
)]
#[get("/organizations")]
pub async fn list_organizations(
    state: web::Data<AppState>,
    actor: OptionalActor,
    query: crate::query::Query<ListOrganizationsQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = state
        .accounts
        .list_organizations(actor.as_ref(), query.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Create an organization.
///
/// The caller becomes its owner. It starts `pending` verification until a moderator verifies or
/// rejects it (`POST /api/v1/organizations/{id}/verification`).
#[utoipa::path(
    tag = "organizations",
    request_body = OrganizationForm,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = OrganizationView,
            headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Invalid input, with one entry per field", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "API keys cannot create organizations", body = ErrorBody),
    )
)]
#[post("/organizations")]
pub async fn create_organization(
    state: web::Data<AppState>,
    actor: Writer,
    form: web::Json<OrganizationForm>,
) -> Result<HttpResponse, ApiError> {
    let org = state
        .accounts
        .create_organization(&actor.0, form.into_inner())
        .await?;
    let mut response = created(format!("/api/v1/organizations/{}", org.id), &org);
    response.headers_mut().insert(
        actix_web::http::header::ETAG,
        actix_web::http::header::HeaderValue::from_str(&crate::http::etag(org.version))
            .map_err(|_| ApiError::invalid("bad version"))?,
    );
    Ok(response)
}

/// Get an organization.
///
/// Verified organizations are public; others are visible to their members and to the
/// exchange's staff only (404 for everyone else).
#[utoipa::path(
    tag = "organizations",
    params(("id" = i64, Path, description = "Organization id")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The organization", body = OrganizationView, headers(("ETag" = String))),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "Invalid credentials were sent", body = ErrorBody),
        (status = 404, description = "No such organization, or not visible to the caller", body = ErrorBody),
    )
)]
#[get("/organizations/{id}")]
pub async fn get_organization(
    state: web::Data<AppState>,
    actor: OptionalActor,
    id: web::Path<OrganizationId>,
) -> Result<HttpResponse, ApiError> {
    let org = state
        .accounts
        .get_organization(actor.as_ref(), id.into_inner())
        .await?;
    Ok(ok_with_etag(&org, org.version))
}

/// Update an organization's profile (owners and admins).
///
/// Send `If-Match` with the ETag you read to avoid overwriting someone else's change. Changing
/// the name or tax code of a verified organization sends it back to `pending` verification.
#[utoipa::path(
    tag = "organizations",
    params(
        ("id" = i64, Path, description = "Organization id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being changed"),
    ),
    request_body = OrganizationPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = OrganizationView, headers(("ETag" = String))),
        (status = 400, description = "Invalid input, with one entry per field", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an owner of this organization", body = ErrorBody),
        (status = 404, description = "No such organization", body = ErrorBody),
        (status = 412, description = "The organization changed since it was read", body = ErrorBody),
    )
)]
#[patch("/organizations/{id}")]
pub async fn update_organization(
    state: web::Data<AppState>,
    actor: Writer,
    req: HttpRequest,
    id: web::Path<OrganizationId>,
    patch: web::Json<OrganizationPatch>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let org = state
        .accounts
        .update_organization(&actor.0, id.into_inner(), patch.into_inner(), expected)
        .await?;
    state.settle_search().await;
    Ok(ok_with_etag(&org, org.version))
}

/// Verify or reject an organization (moderators).
///
/// Moderators decide a `pending` organization: `verified`, or `rejected` with a note saying why.
#[utoipa::path(
    tag = "organizations",
    params(("id" = i64, Path, description = "Organization id")),
    request_body = VerificationForm,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Decision recorded", body = OrganizationView),
        (status = 400, description = "Invalid decision, or a rejection without a note", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a moderator", body = ErrorBody),
        (status = 404, description = "No such organization", body = ErrorBody),
    )
)]
#[post("/organizations/{id}/verification")]
pub async fn verify_organization(
    state: web::Data<AppState>,
    actor: Writer,
    id: web::Path<OrganizationId>,
    form: web::Json<VerificationForm>,
) -> Result<HttpResponse, ApiError> {
    let org = state
        .accounts
        .verify_organization(&actor.0, id.into_inner(), form.into_inner())
        .await?;
    Ok(ok_with_etag(&org, org.version))
}

/// List an organization's members.
///
/// The organization's members with their roles, by user id, to its members and the exchange's
/// staff. Paged like every list.
#[utoipa::path(
    tag = "organizations",
    params(("id" = i64, Path, description = "Organization id"), PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of members, by user id", body = Page<MemberView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a member", body = ErrorBody),
        (status = 404, description = "No such organization", body = ErrorBody),
    )
)]
#[get("/organizations/{id}/members")]
pub async fn list_members(
    state: web::Data<AppState>,
    actor: CurrentActor,
    id: web::Path<OrganizationId>,
    page: crate::query::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = crate::brokerage::paging(page.into_inner())?;
    let members = state
        .accounts
        .list_members(&actor.0, id.into_inner(), paging)
        .await?;
    Ok(HttpResponse::Ok().json(members))
}

/// Add a member (owners).
///
/// Adds a registered user, named by email, with a role (`owner`, `editor` or `viewer`). A user who
/// is already a member answers 409.
#[utoipa::path(
    tag = "organizations",
    params(("id" = i64, Path, description = "Organization id")),
    request_body = AddMemberForm,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Added", body = MemberView),
        (status = 400, description = "Invalid input", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an owner", body = ErrorBody),
        (status = 404, description = "No such organization or no user with this email", body = ErrorBody),
        (status = 409, description = "Already a member", body = ErrorBody),
    )
)]
#[post("/organizations/{id}/members")]
pub async fn add_member(
    state: web::Data<AppState>,
    actor: Writer,
    id: web::Path<OrganizationId>,
    form: web::Json<AddMemberForm>,
) -> Result<HttpResponse, ApiError> {
    let org_id = id.into_inner();
    let member = state
        .accounts
        .add_member(&actor.0, org_id, form.into_inner())
        .await?;
    Ok(created(
        format!("/api/v1/organizations/{org_id}/members/{}", member.user_id),
        &member,
    ))
}

/// Change a member's role (owners).
///
/// Sets a member's organization role. The last owner cannot be demoted (409).
#[utoipa::path(
    tag = "organizations",
    params(
        ("id" = i64, Path, description = "Organization id"),
        ("user_id" = i64, Path, description = "Member's user id"),
    ),
    request_body = MemberRoleForm,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Changed", body = MemberView),
        (status = 400, description = "Invalid input", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an owner", body = ErrorBody),
        (status = 404, description = "No such organization or member", body = ErrorBody),
        (status = 409, description = "This is the last owner", body = ErrorBody),
    )
)]
#[patch("/organizations/{id}/members/{user_id}")]
pub async fn update_member(
    state: web::Data<AppState>,
    actor: Writer,
    path: web::Path<(OrganizationId, UserId)>,
    form: web::Json<MemberRoleForm>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, user_id) = path.into_inner();
    let member = state
        .accounts
        .change_member_role(&actor.0, org_id, user_id, form.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(member))
}

/// Remove a member, or leave.
///
/// Owners remove a member; a member may remove themselves. The last owner cannot be removed (409).
#[utoipa::path(
    tag = "organizations",
    params(
        ("id" = i64, Path, description = "Organization id"),
        ("user_id" = i64, Path, description = "Member's user id"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an owner", body = ErrorBody),
        (status = 404, description = "No such organization or member", body = ErrorBody),
        (status = 409, description = "This is the last owner", body = ErrorBody),
    )
)]
#[delete("/organizations/{id}/members/{user_id}")]
pub async fn remove_member(
    state: web::Data<AppState>,
    actor: Writer,
    path: web::Path<(OrganizationId, UserId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, user_id) = path.into_inner();
    state
        .accounts
        .remove_member(&actor.0, org_id, user_id)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Create an API key for the organization (owners, signed in as a user).
///
/// The response holds the key itself, shown this once; only its hash is stored.
#[utoipa::path(
    tag = "api-keys",
    params(("id" = i64, Path, description = "Organization id")),
    request_body = ApiKeyForm,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created; `key` is shown only now", body = CreatedApiKey),
        (status = 400, description = "Invalid input", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an owner, or called with an API key", body = ErrorBody),
        (status = 404, description = "No such organization", body = ErrorBody),
    )
)]
#[post("/organizations/{id}/api-keys")]
pub async fn create_api_key(
    state: web::Data<AppState>,
    actor: Writer,
    id: web::Path<OrganizationId>,
    form: web::Json<ApiKeyForm>,
) -> Result<HttpResponse, ApiError> {
    let org_id = id.into_inner();
    let key = state
        .accounts
        .create_api_key(&actor.0, org_id, form.into_inner())
        .await?;
    Ok(created(
        format!("/api/v1/organizations/{org_id}/api-keys/{}", key.api_key.id),
        &key,
    ))
}

/// List an organization's API keys (owners).
///
/// Every key of the organization, revoked ones included, oldest first, without their secrets: the
/// secret is shown once, when the key is created.
#[utoipa::path(
    tag = "api-keys",
    params(("id" = i64, Path, description = "Organization id"), PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of keys, oldest first, without their secrets", body = Page<ApiKeyView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an owner", body = ErrorBody),
        (status = 404, description = "No such organization", body = ErrorBody),
    )
)]
#[get("/organizations/{id}/api-keys")]
pub async fn list_api_keys(
    state: web::Data<AppState>,
    actor: CurrentActor,
    id: web::Path<OrganizationId>,
    page: crate::query::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = crate::brokerage::paging(page.into_inner())?;
    let keys = state
        .accounts
        .list_api_keys(&actor.0, id.into_inner(), paging)
        .await?;
    Ok(HttpResponse::Ok().json(keys))
}

/// Revoke an API key (owners).
///
/// The key stops authenticating at once. Revoking a revoked key is harmless.
#[utoipa::path(
    tag = "api-keys",
    params(
        ("id" = i64, Path, description = "Organization id"),
        ("key_id" = i64, Path, description = "API key id"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an owner", body = ErrorBody),
        (status = 404, description = "No such organization or key", body = ErrorBody),
    )
)]
#[delete("/organizations/{id}/api-keys/{key_id}")]
pub async fn revoke_api_key(
    state: web::Data<AppState>,
    actor: Writer,
    path: web::Path<(OrganizationId, ApiKeyId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, key_id) = path.into_inner();
    state
        .accounts
        .revoke_api_key(&actor.0, org_id, key_id)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
