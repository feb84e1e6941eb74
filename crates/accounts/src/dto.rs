//! API shapes of the accounts resources.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use techx_core::codes::{ApiScope, OrgRole, OrgType, PlatformRole, Province, Verification};
use techx_core::{ApiKeyId, OrganizationId, UserId};
use utoipa::{IntoParams, ToSchema};

/// A new account, optionally with the organization it registers.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterForm {
    /// Sign-in email; stored lowercase.
    #[schema(example = "nguyen.van.an@hdu.edu.vn")]
    pub email: String,
    /// The password, as typed (spaces count).
    #[schema(example = "mot cau mat khau dai")]
    pub password: String,
    /// The person's full name.
    #[schema(example = "Nguyễn Văn An")]
    pub full_name: String,
    /// An organization to create with the account; the new user becomes its owner and the
    /// organization waits for verification by a moderator.
    pub organization: Option<OrganizationForm>,
}

/// Email and password.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginForm {
    pub email: String,
    pub password: String,
}

/// A refresh token to rotate or revoke.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshForm {
    /// The refresh token from the last login or refresh.
    pub refresh_token: String,
}

/// Tokens issued by login and refresh.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenPair {
    /// JWT to send as `Authorization: Bearer …`; valid for `expires_in` seconds.
    pub access_token: String,
    /// Opaque token for `POST /api/v1/auth/refresh`; each use returns a new one and retires
    /// the old; presenting a retired one revokes the whole chain.
    pub refresh_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: u64,
}

/// A user account.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: UserId,
    pub email: String,
    pub full_name: String,
    pub platform_role: PlatformRole,
    pub created_at: DateTime<Utc>,
}

/// A user's membership in an organization.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MembershipView {
    pub organization_id: OrganizationId,
    pub organization_name: String,
    pub org_role: OrgRole,
    /// Verification state of the organization.
    pub verification: Verification,
}

/// Who the caller is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeView {
    /// `user` for a signed-in person, `api_key` for an organization's key.
    #[schema(example = "user")]
    pub kind: String,
    /// The signed-in user (absent for an API key).
    pub user: Option<UserView>,
    /// The key in use (absent for a user).
    pub api_key: Option<ApiKeyView>,
    /// Organizations the caller acts for, with roles.
    pub memberships: Vec<MembershipView>,
}

/// A new organization.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationForm {
    /// Official name.
    #[schema(example = "Trường Đại học Hồng Đức")]
    pub name: String,
    pub org_type: OrgType,
    /// Tax code (*mã số thuế*): 10 digits, or 10 digits, a hyphen and 3 digits for a branch.
    #[schema(example = "2800224479")]
    pub tax_code: Option<String>,
    /// Province code; Thanh Hóa when absent.
    pub province_code: Option<Province>,
    /// Postal address.
    pub address: Option<String>,
    /// Website, `http://` or `https://`.
    pub website: Option<String>,
}

/// Changes to an organization: only the fields present change; `null` clears an optional one.
/// Changing the name or tax code of a verified organization sends it back to verification.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPatch {
    pub name: Option<String>,
    pub org_type: Option<OrgType>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub tax_code: Option<Option<String>>,
    pub province_code: Option<Province>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
}

/// An organization.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationView {
    pub id: OrganizationId,
    pub name: String,
    pub org_type: OrgType,
    pub tax_code: Option<String>,
    pub province_code: Province,
    pub address: Option<String>,
    pub website: Option<String>,
    /// `pending` until a moderator verifies or rejects it.
    pub verification: Verification,
    /// The moderator's note on the last decision; shown to the organization and staff only.
    pub verification_note: Option<String>,
    pub verified_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; sent as the `ETag`.
    pub version: i32,
}

/// Filters for the organization list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListOrganizationsQuery {
    /// Only this kind of organization.
    pub org_type: Option<OrgType>,
    /// Only organizations in this province.
    pub province_code: Option<Province>,
    /// `verified` for everyone; moderators may also ask for `pending` or `rejected`.
    pub verification: Option<Verification>,
    /// Words the name must contain (case-insensitive).
    #[param(value_type = Option<techx_core::bounds::parameter::Query>, inline)]
    pub q: Option<String>,
    /// How many items to return (default 20).
    #[param(value_type = Option<techx_core::bounds::parameter::Limit>, inline)]
    pub limit: Option<i64>,
    /// How many items to skip (default 0).
    #[param(value_type = Option<techx_core::bounds::parameter::Offset>, inline)]
    pub offset: Option<i64>,
}

/// A moderator's decision on an organization.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerificationForm {
    /// `verified` or `rejected`.
    pub decision: Verification,
    /// Why (required when rejecting).
    pub note: Option<String>,
}

/// A member of an organization.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberView {
    pub user_id: UserId,
    pub email: String,
    pub full_name: String,
    pub org_role: OrgRole,
    pub created_at: DateTime<Utc>,
}

/// Add an existing user to an organization.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMemberForm {
    /// Email of a registered user.
    pub email: String,
    pub org_role: OrgRole,
}

/// A member's new role.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberRoleForm {
    pub org_role: OrgRole,
}

/// A new API key.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyForm {
    /// What the key is for, e.g. the client that uses it.
    #[schema(example = "cổng thông tin tỉnh")]
    pub name: String,
    /// At least one of `read`, `write`, `broker`.
    pub scopes: Vec<ApiScope>,
}

/// An API key, without its secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiKeyView {
    pub id: ApiKeyId,
    pub organization_id: OrganizationId,
    pub name: String,
    /// The first characters of the key, to recognise it.
    pub prefix: String,
    pub scopes: Vec<ApiScope>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A newly created API key: the secret is shown this once and never again.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub api_key: ApiKeyView,
    /// The key to send as `Authorization: Bearer …`. Store it now: it cannot be shown again.
    pub key: String,
}

/// An admin's change of a user's platform role.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserRoleForm {
    pub platform_role: PlatformRole,
}

/// The bounds of the account forms: the validators check them and the document states them.
pub mod bounds {
    use techx_core::bounds::{Field, common};

    pub const PASSWORD: Field = Field::text(
        "password",
        crate::password::MIN_LEN,
        crate::password::MAX_LEN,
    );
    /// Signing in checks only the longest: a short password is simply wrong.
    pub const SIGN_IN_PASSWORD: Field = Field::text("password", 0, crate::password::MAX_LEN);
    pub const FULL_NAME: Field = Field::text("full_name", 1, 200);
    /// The longest refresh token there can be.
    pub const REFRESH_TOKEN: Field = Field::text("refresh_token", 0, 512);
    pub const ORGANIZATION_NAME: Field = Field::text("name", 2, 300);
    pub const TAX_CODE: Field = Field::text("tax_code", 0, 14);
    pub const ADDRESS: Field = Field::text("address", 0, 500);
    pub const WEBSITE: Field = Field::text("website", 0, 300);
    pub const VERIFICATION_NOTE: Field = Field::text("note", 0, 1000);
    pub const KEY_NAME: Field = Field::text("name", 1, 100);
    pub const KEY_SCOPES: Field = Field::items("scopes", 1, 10);
    pub const EMAIL: Field = common::EMAIL;
}

use bounds::*;
use techx_core::bounds::{Bounded, Field};

impl Bounded for RegisterForm {
    const BOUNDS: &'static [Field] = &[EMAIL, PASSWORD, FULL_NAME];
}

impl Bounded for LoginForm {
    const BOUNDS: &'static [Field] = &[EMAIL, SIGN_IN_PASSWORD];
}

impl Bounded for RefreshForm {
    const BOUNDS: &'static [Field] = &[REFRESH_TOKEN];
}

impl Bounded for OrganizationForm {
    const BOUNDS: &'static [Field] = &[ORGANIZATION_NAME, TAX_CODE, ADDRESS, WEBSITE];
}

impl Bounded for OrganizationPatch {
    const BOUNDS: &'static [Field] = OrganizationForm::BOUNDS;
}

impl Bounded for VerificationForm {
    const BOUNDS: &'static [Field] = &[VERIFICATION_NOTE];
}

impl Bounded for AddMemberForm {
    const BOUNDS: &'static [Field] = &[EMAIL];
}

impl Bounded for ApiKeyForm {
    const BOUNDS: &'static [Field] = &[KEY_NAME, KEY_SCOPES];
}
