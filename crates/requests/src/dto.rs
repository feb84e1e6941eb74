//! API shapes of requests.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use techx_core::OrganizationId;
use techx_core::codes::{
    CooperationType, IpExpectation, Lang, Province, RecordStatus, RequestKind, RequestOrigin,
    SciField,
};
use utoipa::{IntoParams, ToSchema};

pub use techx_accounts::records::{ContactView, ExportFormat, ImportReport};

/// A new technology need. It starts as a `draft` of the organization.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestForm {
    /// The requester; may be left out when the caller edits for exactly one organization.
    pub organization_id: Option<OrganizationId>,
    /// Required.
    #[schema(value_type = RequestKind, required = true)]
    pub kind: Option<RequestKind>,
    /// Language of the text fields (default `vi`).
    pub lang: Option<Lang>,
    /// Public: 5 to 300 characters.
    #[serde(default)]
    #[schema(
        example = "Cần công nghệ xử lý nước thải chăn nuôi lợn quy mô 2.000 con",
        required = true,
        min_length = 5,
        max_length = 300
    )]
    pub title: String,
    /// Public: the current situation, the pain and a measurable target; 20 to 5000 characters.
    #[serde(default)]
    #[schema(required = true, min_length = 20, max_length = 5000)]
    pub problem: String,
    /// Registered tier: technical specifications, constraints, standards (at most 20000).
    #[schema(max_length = 20000)]
    pub requirements: Option<String>,
    /// Confidential tier (at most 20000).
    #[schema(max_length = 20000)]
    pub confidential_details: Option<String>,
    /// At most 20 keywords of at most 60 characters.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub keywords: Vec<String>,
    /// 1 to 10 fields of science and technology.
    #[serde(default)]
    #[schema(required = true, min_items = 1, max_items = 10)]
    pub sci_fields: Vec<SciField>,
    /// The least mature technology the requester can accept (TRL 1-9).
    #[schema(minimum = 1, maximum = 9)]
    pub trl_min: Option<i32>,
    /// VND, not negative, at most `budget_max_vnd`.
    #[schema(minimum = 0)]
    pub budget_min_vnd: Option<i64>,
    #[schema(minimum = 0)]
    pub budget_max_vnd: Option<i64>,
    /// Date by which a solution is wanted.
    pub deadline: Option<NaiveDate>,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub accepted_cooperation_types: Vec<CooperationType>,
    /// Default `any`.
    pub ip_expectation: Option<IpExpectation>,
    /// When true, the requester is hidden from everyone but its members, brokers and moderators.
    #[serde(default)]
    pub anonymous: bool,
    /// Default `self_posted`.
    pub origin: Option<RequestOrigin>,
    /// Where the need is; default Thanh Hóa.
    pub province_code: Option<Province>,
    /// Registered tier: the contact person (hidden with the requester when anonymous).
    #[schema(max_length = 200)]
    pub contact_name: Option<String>,
    #[schema(max_length = 254)]
    pub contact_email: Option<String>,
    #[schema(max_length = 30)]
    pub contact_phone: Option<String>,
}

/// Changes to a request: only the fields present change; `null` clears an optional field.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestPatch {
    pub kind: Option<RequestKind>,
    pub lang: Option<Lang>,
    #[schema(min_length = 5, max_length = 300)]
    pub title: Option<String>,
    #[schema(min_length = 20, max_length = 5000)]
    pub problem: Option<String>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<String>, max_length = 20000)]
    pub requirements: Option<Option<String>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<String>, max_length = 20000)]
    pub confidential_details: Option<Option<String>>,
    #[schema(max_items = 20)]
    pub keywords: Option<Vec<String>>,
    #[schema(min_items = 1, max_items = 10)]
    pub sci_fields: Option<Vec<SciField>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 9)]
    pub trl_min: Option<Option<i32>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub budget_min_vnd: Option<Option<i64>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub budget_max_vnd: Option<Option<i64>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub deadline: Option<Option<NaiveDate>>,
    #[schema(max_items = 20)]
    pub accepted_cooperation_types: Option<Vec<CooperationType>>,
    pub ip_expectation: Option<IpExpectation>,
    pub anonymous: Option<bool>,
    pub origin: Option<RequestOrigin>,
    pub province_code: Option<Province>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub contact_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<String>, max_length = 254)]
    pub contact_email: Option<Option<String>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<String>, max_length = 30)]
    pub contact_phone: Option<Option<String>>,
}

/// A technology need, carrying only the tiers the caller may see.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestView {
    pub id: i64,
    /// Human-readable code, e.g. `TX-R-2026-000045`.
    pub code: String,
    /// The requester; null when the request is anonymous and the caller is not its member,
    /// a broker or a moderator.
    pub organization_id: Option<OrganizationId>,
    pub organization_name: Option<String>,
    pub anonymous: bool,
    pub kind: RequestKind,
    pub lang: Lang,
    pub title: String,
    pub problem: String,
    pub keywords: Vec<String>,
    pub sci_fields: Vec<SciField>,
    /// The least mature technology the requester can accept (TRL 1-9).
    #[schema(minimum = 1, maximum = 9)]
    pub trl_min: Option<i32>,
    pub budget_min_vnd: Option<i64>,
    pub budget_max_vnd: Option<i64>,
    pub deadline: Option<NaiveDate>,
    pub accepted_cooperation_types: Vec<CooperationType>,
    pub ip_expectation: IpExpectation,
    pub origin: RequestOrigin,
    pub province_code: Province,
    /// As readers see it: a publication whose `valid_until` has passed reads `expired`.
    pub status: RecordStatus,
    pub valid_until: Option<DateTime<Utc>>,
    pub last_confirmed_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; sent as the `ETag`.
    pub version: i32,
    /// The tier this response discloses: `public`, `registered` or `confidential`.
    pub disclosed_tier: String,
    /// Registered tier; absent when not disclosed to the caller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requirements: Option<String>,
    /// Registered tier; absent when not disclosed, and for anonymous requests to outsiders.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactView>,
    /// Confidential tier; absent when not disclosed to the caller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidential_details: Option<String>,
}

/// Filters, sort and paging of the request list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListRequestsQuery {
    /// Only this status. Outsiders see published records only; owners also their own in any
    /// status; staff everything.
    pub status: Option<RecordStatus>,
    /// Only requests of this kind.
    pub kind: Option<RequestKind>,
    /// Only this organization's requests (anonymous ones only for those who may see the
    /// requester).
    pub organization_id: Option<i64>,
    /// A field of science and technology; a level-1 code includes its sub-fields.
    pub sci_field: Option<SciField>,
    /// Requests whose `trl_min` is at least this.
    #[param(minimum = 1, maximum = 9)]
    pub trl_min: Option<i32>,
    /// Requests whose `trl_min` is at most this.
    #[param(minimum = 1, maximum = 9)]
    pub trl_max: Option<i32>,
    /// Requests whose budget reaches at least this (VND): the same filter as a listing's
    /// price and search's `price_min`.
    #[param(minimum = 0)]
    pub price_min: Option<i64>,
    /// Requests whose budget starts at most at this (VND).
    #[param(minimum = 0)]
    pub price_max: Option<i64>,
    /// Only requests located in this province.
    pub province_code: Option<Province>,
    /// Requests that accept this cooperation type.
    pub cooperation_type: Option<CooperationType>,
    /// Only requests changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// `updated_at` (default `-updated_at`), `published_at` or `title`; `-` for descending.
    #[param(max_length = 20)]
    pub sort: Option<String>,
    /// How many items to return, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// How many items to skip, 0 to 10,000 (default 0).
    #[param(minimum = 0, maximum = 10000)]
    pub offset: Option<i64>,
}

/// Filters and sort of an export: those of the list, without paging (an export holds every
/// match the caller may see, up to 50,000).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportRequestsQuery {
    /// Only this status. Outsiders see published records only; owners also their own in any
    /// status; staff everything.
    pub status: Option<RecordStatus>,
    /// Only requests of this kind.
    pub kind: Option<RequestKind>,
    /// Only this organization's requests (anonymous ones only for those who may see the
    /// requester).
    pub organization_id: Option<i64>,
    /// A field of science and technology; a level-1 code includes its sub-fields.
    pub sci_field: Option<SciField>,
    /// Requests whose `trl_min` is at least this.
    #[param(minimum = 1, maximum = 9)]
    pub trl_min: Option<i32>,
    /// Requests whose `trl_min` is at most this.
    #[param(minimum = 1, maximum = 9)]
    pub trl_max: Option<i32>,
    /// Requests whose budget reaches at least this (VND): the same filter as a listing's
    /// price and search's `price_min`.
    #[param(minimum = 0)]
    pub price_min: Option<i64>,
    /// Requests whose budget starts at most at this (VND).
    #[param(minimum = 0)]
    pub price_max: Option<i64>,
    /// Only requests located in this province.
    pub province_code: Option<Province>,
    /// Requests that accept this cooperation type.
    pub cooperation_type: Option<CooperationType>,
    /// Only requests changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// `updated_at` (default `-updated_at`), `published_at` or `title`; `-` for descending.
    #[param(max_length = 20)]
    pub sort: Option<String>,
}

impl From<ExportRequestsQuery> for ListRequestsQuery {
    fn from(query: ExportRequestsQuery) -> Self {
        ListRequestsQuery {
            status: query.status,
            kind: query.kind,
            organization_id: query.organization_id,
            sci_field: query.sci_field,
            trl_min: query.trl_min,
            trl_max: query.trl_max,
            price_min: query.price_min,
            price_max: query.price_max,
            province_code: query.province_code,
            cooperation_type: query.cooperation_type,
            updated_since: query.updated_since,
            sort: query.sort,
            limit: None,
            offset: None,
        }
    }
}
