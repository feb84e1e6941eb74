//! Queries of the accounts tables. Each takes a connection so callers compose them inside one
//! transaction.

use crate::model::*;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use techx_core::page::Paging;
use techx_db::DbConn;
use techx_db::schema::{
    api_key_scopes, api_keys, memberships, organizations, refresh_tokens, users,
};

pub fn find_user(conn: &mut DbConn, id: i64) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn find_user_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn insert_user(conn: &mut DbConn, user: &NewUser) -> QueryResult<User> {
    diesel::insert_into(users::table)
        .values(user)
        .get_result::<User>(conn)
}

pub fn set_platform_role(
    conn: &mut DbConn,
    id: i64,
    role: &str,
    now: NaiveDateTime,
) -> QueryResult<User> {
    diesel::update(users::table.find(id))
        .set((
            users::platform_role.eq(role),
            users::updated_at.eq(now),
            users::version.eq(users::version + 1),
        ))
        .get_result::<User>(conn)
}

pub fn count_users(conn: &mut DbConn) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

pub fn count_users_with_role(conn: &mut DbConn, role: &str) -> QueryResult<i64> {
    users::table
        .filter(users::platform_role.eq(role))
        .count()
        .get_result(conn)
}

pub fn list_users(conn: &mut DbConn, paging: Paging) -> QueryResult<(Vec<User>, i64)> {
    let total = users::table.count().get_result(conn)?;
    let rows = users::table
        .order(users::id.asc())
        .limit(paging.limit)
        .offset(paging.offset)
        .select(User::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// A user's memberships with each organization's name and verification state.
pub fn memberships_of(
    conn: &mut DbConn,
    user_id: i64,
) -> QueryResult<Vec<(Membership, String, String)>> {
    memberships::table
        .inner_join(organizations::table)
        .filter(memberships::user_id.eq(user_id))
        .order(memberships::organization_id.asc())
        .select((
            Membership::as_select(),
            organizations::name,
            organizations::verification,
        ))
        .load(conn)
}

pub fn insert_organization(conn: &mut DbConn, org: &NewOrganization) -> QueryResult<Organization> {
    diesel::insert_into(organizations::table)
        .values(org)
        .get_result::<Organization>(conn)
}

pub fn find_organization(conn: &mut DbConn, id: i64) -> QueryResult<Option<Organization>> {
    organizations::table
        .find(id)
        .select(Organization::as_select())
        .first(conn)
        .optional()
}

/// Write changes if the organization is still at version `current` (compare and set): None,
/// and nothing written, when another change came first.
pub fn update_organization(
    conn: &mut DbConn,
    id: i64,
    current: i32,
    changes: &OrganizationChanges,
) -> QueryResult<Option<Organization>> {
    diesel::update(
        organizations::table
            .find(id)
            .filter(organizations::version.eq(current)),
    )
    .set(changes)
    .get_result::<Organization>(conn)
    .optional()
}

/// Lock an organization's row until the transaction ends, so that changes to its members
/// (the last owner stays) are made one after the other.
pub fn lock_organization(conn: &mut DbConn, id: i64) -> QueryResult<usize> {
    diesel::update(organizations::table.find(id))
        .set(organizations::updated_at.eq(organizations::updated_at))
        .execute(conn)
}

/// Lock the rows of every admin until the transaction ends, so that demotions are made one
/// after the other (the last admin stays).
pub fn lock_admins(conn: &mut DbConn) -> QueryResult<usize> {
    diesel::update(users::table.filter(users::platform_role.eq("admin")))
        .set(users::platform_role.eq(users::platform_role))
        .execute(conn)
}

/// Filters of the organization list, already parsed.
#[derive(Debug, Default)]
pub struct OrganizationFilter {
    pub org_type: Option<String>,
    pub province_code: Option<String>,
    pub verification: String,
    /// Lowercase words that must all appear in the name.
    pub name_words: Vec<String>,
}

pub fn list_organizations(
    conn: &mut DbConn,
    filter: &OrganizationFilter,
    paging: Paging,
) -> QueryResult<(Vec<Organization>, i64)> {
    let query = || {
        let mut query = organizations::table
            .filter(organizations::verification.eq(filter.verification.clone()))
            .into_boxed();
        if let Some(org_type) = &filter.org_type {
            query = query.filter(organizations::org_type.eq(org_type.clone()));
        }
        if let Some(province) = &filter.province_code {
            query = query.filter(organizations::province_code.eq(province.clone()));
        }
        query
    };
    // Name words are matched in Rust: the combined backend has no portable case-insensitive
    // LIKE for Vietnamese text, and organizations number in the thousands, not millions.
    if filter.name_words.is_empty() {
        let total = query().count().get_result(conn)?;
        let rows = query()
            .order((organizations::name.asc(), organizations::id.asc()))
            .limit(paging.limit)
            .offset(paging.offset)
            .select(Organization::as_select())
            .load(conn)?;
        return Ok((rows, total));
    }
    let all: Vec<Organization> = query()
        .order((organizations::name.asc(), organizations::id.asc()))
        .select(Organization::as_select())
        .load(conn)?;
    let matching: Vec<Organization> = all
        .into_iter()
        .filter(|org| {
            let name = org.name.to_lowercase();
            filter
                .name_words
                .iter()
                .all(|word| name.contains(word.as_str()))
        })
        .collect();
    let total = matching.len() as i64;
    let rows = matching
        .into_iter()
        .skip(paging.offset as usize)
        .take(paging.limit as usize)
        .collect();
    Ok((rows, total))
}

pub fn find_membership(
    conn: &mut DbConn,
    organization_id: i64,
    user_id: i64,
) -> QueryResult<Option<Membership>> {
    memberships::table
        .find((user_id, organization_id))
        .select(Membership::as_select())
        .first(conn)
        .optional()
}

pub fn insert_membership(conn: &mut DbConn, membership: &Membership) -> QueryResult<usize> {
    diesel::insert_into(memberships::table)
        .values(membership)
        .execute(conn)
}

pub fn set_membership_role(
    conn: &mut DbConn,
    organization_id: i64,
    user_id: i64,
    role: &str,
) -> QueryResult<usize> {
    diesel::update(memberships::table.find((user_id, organization_id)))
        .set(memberships::org_role.eq(role))
        .execute(conn)
}

pub fn delete_membership(
    conn: &mut DbConn,
    organization_id: i64,
    user_id: i64,
) -> QueryResult<usize> {
    diesel::delete(memberships::table.find((user_id, organization_id))).execute(conn)
}

pub fn count_owners(conn: &mut DbConn, organization_id: i64) -> QueryResult<i64> {
    memberships::table
        .filter(memberships::organization_id.eq(organization_id))
        .filter(memberships::org_role.eq("owner"))
        .count()
        .get_result(conn)
}

/// One page of an organization's members, by user id, and how many there are in all.
pub fn members_of(
    conn: &mut DbConn,
    organization_id: i64,
    paging: Paging,
) -> QueryResult<(Vec<(Membership, User)>, i64)> {
    let total = memberships::table
        .filter(memberships::organization_id.eq(organization_id))
        .count()
        .get_result(conn)?;
    let items = memberships::table
        .inner_join(users::table)
        .filter(memberships::organization_id.eq(organization_id))
        .order(users::id.asc())
        .limit(paging.limit)
        .offset(paging.offset)
        .select((Membership::as_select(), User::as_select()))
        .load(conn)?;
    Ok((items, total))
}

pub fn insert_refresh_token(conn: &mut DbConn, token: &NewRefreshToken) -> QueryResult<usize> {
    diesel::insert_into(refresh_tokens::table)
        .values(token)
        .execute(conn)
}

pub fn find_refresh_token(
    conn: &mut DbConn,
    token_hash: &str,
) -> QueryResult<Option<RefreshToken>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select(RefreshToken::as_select())
        .first(conn)
        .optional()
}

/// Mark a refresh token used; false when it was already used (a concurrent or replayed use).
pub fn claim_refresh_token(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    let claimed = diesel::update(
        refresh_tokens::table
            .find(id)
            .filter(refresh_tokens::used_at.is_null())
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(now))
    .execute(conn)?;
    Ok(claimed == 1)
}

pub fn revoke_refresh_family(
    conn: &mut DbConn,
    family_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)
}

pub fn insert_api_key(conn: &mut DbConn, key: &NewApiKey, scopes: &[&str]) -> QueryResult<ApiKey> {
    let row: ApiKey = diesel::insert_into(api_keys::table)
        .values(key)
        .get_result::<ApiKey>(conn)?;
    for scope in scopes {
        diesel::insert_into(api_key_scopes::table)
            .values(NewApiKeyScope {
                api_key_id: row.id,
                scope,
            })
            .execute(conn)?;
    }
    Ok(row)
}

pub fn api_key_scopes(conn: &mut DbConn, key_ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    api_key_scopes::table
        .filter(api_key_scopes::api_key_id.eq_any(key_ids))
        .order((
            api_key_scopes::api_key_id.asc(),
            api_key_scopes::scope.asc(),
        ))
        .select((api_key_scopes::api_key_id, api_key_scopes::scope))
        .load(conn)
}

/// One page of an organization's API keys, oldest first, and how many there are in all.
pub fn list_api_keys(
    conn: &mut DbConn,
    organization_id: i64,
    paging: Paging,
) -> QueryResult<(Vec<ApiKey>, i64)> {
    let total = api_keys::table
        .filter(api_keys::organization_id.eq(organization_id))
        .count()
        .get_result(conn)?;
    let items = api_keys::table
        .filter(api_keys::organization_id.eq(organization_id))
        .order(api_keys::id.asc())
        .limit(paging.limit)
        .offset(paging.offset)
        .select(ApiKey::as_select())
        .load(conn)?;
    Ok((items, total))
}

pub fn find_api_key(conn: &mut DbConn, id: i64) -> QueryResult<Option<ApiKey>> {
    api_keys::table
        .find(id)
        .select(ApiKey::as_select())
        .first(conn)
        .optional()
}

pub fn find_api_key_by_hash(conn: &mut DbConn, key_hash: &str) -> QueryResult<Option<ApiKey>> {
    api_keys::table
        .filter(api_keys::key_hash.eq(key_hash))
        .select(ApiKey::as_select())
        .first(conn)
        .optional()
}

pub fn revoke_api_key(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<ApiKey> {
    diesel::update(api_keys::table.find(id))
        .set(api_keys::revoked_at.eq(now))
        .get_result::<ApiKey>(conn)
}

pub fn touch_api_key(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(api_keys::table.find(id))
        .set(api_keys::last_used_at.eq(now))
        .execute(conn)
}
