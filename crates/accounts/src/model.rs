//! Database rows and inserts of the accounts tables.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use techx_db::schema::{
    api_key_scopes, api_keys, memberships, organizations, refresh_tokens, users,
};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub full_name: String,
    pub password_hash: String,
    pub platform_role: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub email: String,
    pub full_name: String,
    pub password_hash: String,
    pub platform_role: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = organizations)]
pub struct Organization {
    pub id: i64,
    pub name: String,
    pub org_type: String,
    pub tax_code: Option<String>,
    pub province_code: String,
    pub address: Option<String>,
    pub website: Option<String>,
    pub verification: String,
    pub verification_note: Option<String>,
    pub verified_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = organizations)]
pub struct NewOrganization {
    pub name: String,
    pub org_type: String,
    pub tax_code: Option<String>,
    pub province_code: String,
    pub address: Option<String>,
    pub website: Option<String>,
    pub verification: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// Changed columns of an organization; `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = organizations)]
pub struct OrganizationChanges {
    pub name: Option<String>,
    pub org_type: Option<String>,
    pub tax_code: Option<Option<String>>,
    pub province_code: Option<String>,
    pub address: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub verification: Option<String>,
    pub verification_note: Option<Option<String>>,
    pub verified_at: Option<Option<NaiveDateTime>>,
    pub updated_at: Option<NaiveDateTime>,
    pub version: Option<i32>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = memberships)]
pub struct Membership {
    pub user_id: i64,
    pub organization_id: i64,
    pub org_role: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshToken {
    pub id: i64,
    pub user_id: i64,
    pub family_id: String,
    pub token_hash: String,
    pub expires_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct NewRefreshToken {
    pub user_id: i64,
    pub family_id: String,
    pub token_hash: String,
    pub expires_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
pub struct ApiKey {
    pub id: i64,
    pub organization_id: i64,
    pub name: String,
    pub prefix: String,
    pub key_hash: String,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = api_keys)]
pub struct NewApiKey {
    pub organization_id: i64,
    pub name: String,
    pub prefix: String,
    pub key_hash: String,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = api_key_scopes)]
pub struct NewApiKeyScope<'a> {
    pub api_key_id: i64,
    pub scope: &'a str,
}
