//! API shapes of requests.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use techx_core::codes::{
    CooperationType, IpExpectation, Lang, Province, RecordStatus, RequestKind, RequestOrigin,
    SciField,
};
use techx_core::{OrganizationId, RequestId};
use utoipa::{IntoParams, ToSchema};

pub use techx_catalogue::records::{ContactView, ExportFormat, ImportReport};

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
    /// Public.
    #[serde(default)]
    #[schema(
        example = "Cần công nghệ xử lý nước thải chăn nuôi lợn quy mô 2.000 con",
        required = true
    )]
    pub title: String,
    /// Public: the current situation, the pain and a measurable target.
    #[serde(default)]
    #[schema(required = true)]
    pub problem: String,
    /// Registered tier: technical specifications, constraints, standards.
    pub requirements: Option<String>,
    /// Confidential tier.
    pub confidential_details: Option<String>,
    /// Keywords (each bounded in length).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Fields of science and technology.
    #[serde(default)]
    #[schema(required = true)]
    pub sci_fields: Vec<SciField>,
    /// The least mature technology the requester can accept (TRL).
    pub trl_min: Option<i32>,
    /// VND, not negative, at most `budget_max_vnd`.
    pub budget_min_vnd: Option<i64>,
    pub budget_max_vnd: Option<i64>,
    /// Date by which a solution is wanted.
    pub deadline: Option<NaiveDate>,
    #[serde(default)]
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
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
}

/// Changes to a request: only the fields present change; `null` clears an optional field.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestPatch {
    pub kind: Option<RequestKind>,
    pub lang: Option<Lang>,
    pub title: Option<String>,
    pub problem: Option<String>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub requirements: Option<Option<String>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub confidential_details: Option<Option<String>>,
    pub keywords: Option<Vec<String>>,
    pub sci_fields: Option<Vec<SciField>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<i32>)]
    pub trl_min: Option<Option<i32>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<i64>)]
    pub budget_min_vnd: Option<Option<i64>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<i64>)]
    pub budget_max_vnd: Option<Option<i64>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub deadline: Option<Option<NaiveDate>>,
    pub accepted_cooperation_types: Option<Vec<CooperationType>>,
    pub ip_expectation: Option<IpExpectation>,
    pub anonymous: Option<bool>,
    pub origin: Option<RequestOrigin>,
    pub province_code: Option<Province>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub contact_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub contact_email: Option<Option<String>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub contact_phone: Option<Option<String>>,
}

/// A technology need, carrying only the tiers the caller may see.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestView {
    #[schema(value_type = i64)]
    pub id: RequestId,
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
    /// The least mature technology the requester can accept (TRL).
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
    #[param(value_type = Option<techx_core::bounds::parameter::Trl>, inline)]
    pub trl_min: Option<i32>,
    /// Requests whose `trl_min` is at most this.
    #[param(value_type = Option<techx_core::bounds::parameter::Trl>, inline)]
    pub trl_max: Option<i32>,
    /// Requests whose budget reaches at least this (VND): the same filter as a listing's
    /// price and search's `price_min`.
    #[param(value_type = Option<techx_core::bounds::parameter::Money>, inline)]
    pub price_min: Option<i64>,
    /// Requests whose budget starts at most at this (VND).
    #[param(value_type = Option<techx_core::bounds::parameter::Money>, inline)]
    pub price_max: Option<i64>,
    /// Only requests located in this province.
    pub province_code: Option<Province>,
    /// Requests that accept this cooperation type.
    pub cooperation_type: Option<CooperationType>,
    /// Only requests changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// `updated_at` (default `-updated_at`), `published_at` or `title`; `-` for descending.
    #[param(value_type = Option<techx_core::bounds::parameter::Sort>, inline)]
    pub sort: Option<String>,
    /// How many items to return (default 20).
    #[param(value_type = Option<techx_core::bounds::parameter::Limit>, inline)]
    pub limit: Option<i64>,
    /// How many items to skip (default 0).
    #[param(value_type = Option<techx_core::bounds::parameter::Offset>, inline)]
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
    #[param(value_type = Option<techx_core::bounds::parameter::Trl>, inline)]
    pub trl_min: Option<i32>,
    /// Requests whose `trl_min` is at most this.
    #[param(value_type = Option<techx_core::bounds::parameter::Trl>, inline)]
    pub trl_max: Option<i32>,
    /// Requests whose budget reaches at least this (VND): the same filter as a listing's
    /// price and search's `price_min`.
    #[param(value_type = Option<techx_core::bounds::parameter::Money>, inline)]
    pub price_min: Option<i64>,
    /// Requests whose budget starts at most at this (VND).
    #[param(value_type = Option<techx_core::bounds::parameter::Money>, inline)]
    pub price_max: Option<i64>,
    /// Only requests located in this province.
    pub province_code: Option<Province>,
    /// Requests that accept this cooperation type.
    pub cooperation_type: Option<CooperationType>,
    /// Only requests changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// `updated_at` (default `-updated_at`), `published_at` or `title`; `-` for descending.
    #[param(value_type = Option<techx_core::bounds::parameter::Sort>, inline)]
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

/// The bounds of a request's fields: the validators check them and the document states them.
pub mod bounds {
    use techx_core::bounds::{Field, common};

    pub const TITLE: Field = Field::text("title", 5, 300);
    pub const PROBLEM: Field = Field::text("problem", 20, 5000);
    pub const REQUIREMENTS: Field = Field::text("requirements", 0, 20_000);
    pub const CONFIDENTIAL_DETAILS: Field = REQUIREMENTS.named("confidential_details");
    pub const BUDGET_MIN: Field = common::MONEY.named("budget_min_vnd");
    pub const BUDGET_MAX: Field = common::MONEY.named("budget_max_vnd");
}

use bounds::*;
use techx_core::bounds::{Bounded, Field, common};

impl Bounded for RequestForm {
    const BOUNDS: &'static [Field] = &[
        TITLE,
        PROBLEM,
        REQUIREMENTS,
        CONFIDENTIAL_DETAILS,
        common::KEYWORDS,
        common::SCI_FIELDS,
        common::TRL.named("trl_min"),
        BUDGET_MIN,
        BUDGET_MAX,
        common::CODES.named("accepted_cooperation_types"),
        common::CONTACT_NAME,
        common::CONTACT_EMAIL,
        common::CONTACT_PHONE,
    ];
}

impl Bounded for RequestPatch {
    const BOUNDS: &'static [Field] = RequestForm::BOUNDS;
}

impl Bounded for RequestView {
    const BOUNDS: &'static [Field] = &[common::TRL.named("trl_min")];
}
