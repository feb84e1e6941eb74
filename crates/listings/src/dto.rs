//! API shapes of listings.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use techx_core::codes::{
    CooperationType, FundingOrigin, IpType, Lang, LegalStatus, ListingKind, PricingModel, Province,
    RecordStatus, SciField, TechCategory, TransferForm, TransferMethod,
};
use techx_core::{ListingId, OrganizationId};
use utoipa::{IntoParams, ToSchema};

pub use techx_catalogue::records::{ContactView, ExportFormat, ImportReport};

/// An intellectual-property asset behind a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IpAsset {
    pub ip_type: IpType,
    pub legal_status: LegalStatus,
    /// Application or grant number, e.g. `1-2023-01234`.
    pub number: Option<String>,
    /// Where it is protected, e.g. `VN`.
    pub jurisdiction: Option<String>,
    /// When protection ends.
    pub expires_on: Option<NaiveDate>,
}

/// A new technology offer. It starts as a `draft` of the organization.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingForm {
    /// The owner; may be left out when the caller edits for exactly one organization.
    pub organization_id: Option<OrganizationId>,
    /// Required.
    #[schema(value_type = ListingKind, required = true)]
    pub kind: Option<ListingKind>,
    /// Language of the text fields (default `vi`).
    pub lang: Option<Lang>,
    /// Public.
    #[schema(example = "Chế phẩm vi sinh xử lý nước thải chăn nuôi lợn")]
    pub title: String,
    /// Public: the non-confidential description (problem, solution, advantages, applications).
    pub summary: String,
    /// Registered tier: seen by signed-in members of verified organizations.
    pub details: Option<String>,
    /// Confidential tier: the owner, brokers, moderators and granted organizations.
    pub confidential_details: Option<String>,
    /// English title for foreign partners.
    pub title_en: Option<String>,
    /// English summary.
    pub summary_en: Option<String>,
    /// Keywords (each bounded in length).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Fields of science and technology.
    #[serde(default)]
    #[schema(required = true)]
    pub sci_fields: Vec<SciField>,
    /// Technology readiness level, or null when not applicable.
    pub trl: Option<i32>,
    #[serde(default)]
    pub ip_assets: Vec<IpAsset>,
    #[serde(default)]
    pub transfer_forms: Vec<TransferForm>,
    #[serde(default)]
    pub transfer_methods: Vec<TransferMethod>,
    #[serde(default)]
    pub cooperation_types: Vec<CooperationType>,
    /// Default `negotiable`.
    pub pricing_model: Option<PricingModel>,
    /// VND, not negative, at most `price_max_vnd`.
    pub price_min_vnd: Option<i64>,
    pub price_max_vnd: Option<i64>,
    pub funding_origin: Option<FundingOrigin>,
    /// Code of the state research task (*mã nhiệm vụ*) that produced it.
    pub research_task_code: Option<String>,
    /// Default `normal`; `prohibited` can never be published.
    pub tech_category: Option<TechCategory>,
    /// Where the technology is; default Thanh Hóa.
    pub province_code: Option<Province>,
    /// Registered tier: the contact person.
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
}

/// Changes to a listing: only the fields present change; `null` clears an optional field.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingPatch {
    pub kind: Option<ListingKind>,
    pub lang: Option<Lang>,
    pub title: Option<String>,
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub details: Option<Option<String>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub confidential_details: Option<Option<String>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub title_en: Option<Option<String>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub summary_en: Option<Option<String>>,
    pub keywords: Option<Vec<String>>,
    pub sci_fields: Option<Vec<SciField>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<i32>)]
    pub trl: Option<Option<i32>>,
    pub ip_assets: Option<Vec<IpAsset>>,
    pub transfer_forms: Option<Vec<TransferForm>>,
    pub transfer_methods: Option<Vec<TransferMethod>>,
    pub cooperation_types: Option<Vec<CooperationType>>,
    pub pricing_model: Option<PricingModel>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<i64>)]
    pub price_min_vnd: Option<Option<i64>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<i64>)]
    pub price_max_vnd: Option<Option<i64>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<FundingOrigin>)]
    pub funding_origin: Option<Option<FundingOrigin>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub research_task_code: Option<Option<String>>,
    pub tech_category: Option<TechCategory>,
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

/// A technology offer, carrying only the tiers the caller may see.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListingView {
    #[schema(value_type = i64)]
    pub id: ListingId,
    /// Human-readable code, e.g. `TX-L-2026-000123`.
    pub code: String,
    pub organization_id: OrganizationId,
    pub organization_name: String,
    pub kind: ListingKind,
    pub lang: Lang,
    pub title: String,
    pub summary: String,
    pub title_en: Option<String>,
    pub summary_en: Option<String>,
    pub keywords: Vec<String>,
    pub sci_fields: Vec<SciField>,
    /// Technology readiness level, or null when not applicable.
    pub trl: Option<i32>,
    pub ip_assets: Vec<IpAsset>,
    pub transfer_forms: Vec<TransferForm>,
    pub transfer_methods: Vec<TransferMethod>,
    pub cooperation_types: Vec<CooperationType>,
    pub pricing_model: PricingModel,
    pub price_min_vnd: Option<i64>,
    pub price_max_vnd: Option<i64>,
    pub funding_origin: Option<FundingOrigin>,
    pub research_task_code: Option<String>,
    pub tech_category: TechCategory,
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
    #[schema(example = "public")]
    pub disclosed_tier: String,
    /// Registered tier; absent when not disclosed to the caller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Registered tier; absent when not disclosed to the caller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactView>,
    /// Confidential tier; absent when not disclosed to the caller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidential_details: Option<String>,
}

/// Filters, sort and paging of the listing list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListListingsQuery {
    /// Only this status. Outsiders see published records only; owners also their own in any
    /// status; staff everything.
    pub status: Option<RecordStatus>,
    /// Only listings of this kind.
    pub kind: Option<ListingKind>,
    /// Only this organization's listings.
    pub organization_id: Option<i64>,
    /// A field of science and technology; a level-1 code includes its sub-fields.
    pub sci_field: Option<SciField>,
    /// Least TRL.
    #[param(value_type = Option<techx_core::bounds::parameter::Trl>, inline)]
    pub trl_min: Option<i32>,
    /// Greatest TRL.
    #[param(value_type = Option<techx_core::bounds::parameter::Trl>, inline)]
    pub trl_max: Option<i32>,
    /// Listings whose price range reaches at least this (VND).
    #[param(value_type = Option<techx_core::bounds::parameter::Money>, inline)]
    pub price_min: Option<i64>,
    /// Listings whose price range starts at most at this (VND).
    #[param(value_type = Option<techx_core::bounds::parameter::Money>, inline)]
    pub price_max: Option<i64>,
    /// Only listings located in this province.
    pub province_code: Option<Province>,
    /// Listings that offer this cooperation type.
    pub cooperation_type: Option<CooperationType>,
    /// Only listings changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// `updated_at` (default, newest first as `-updated_at`), `published_at` or `title`;
    /// prefix `-` for descending.
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
pub struct ExportListingsQuery {
    /// Only this status. Outsiders see published records only; owners also their own in any
    /// status; staff everything.
    pub status: Option<RecordStatus>,
    /// Only listings of this kind.
    pub kind: Option<ListingKind>,
    /// Only this organization's listings.
    pub organization_id: Option<i64>,
    /// A field of science and technology; a level-1 code includes its sub-fields.
    pub sci_field: Option<SciField>,
    /// Least TRL.
    #[param(value_type = Option<techx_core::bounds::parameter::Trl>, inline)]
    pub trl_min: Option<i32>,
    /// Greatest TRL.
    #[param(value_type = Option<techx_core::bounds::parameter::Trl>, inline)]
    pub trl_max: Option<i32>,
    /// Listings whose price range reaches at least this (VND).
    #[param(value_type = Option<techx_core::bounds::parameter::Money>, inline)]
    pub price_min: Option<i64>,
    /// Listings whose price range starts at most at this (VND).
    #[param(value_type = Option<techx_core::bounds::parameter::Money>, inline)]
    pub price_max: Option<i64>,
    /// Only listings located in this province.
    pub province_code: Option<Province>,
    /// Listings that offer this cooperation type.
    pub cooperation_type: Option<CooperationType>,
    /// Only listings changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// `updated_at` (default, newest first as `-updated_at`), `published_at` or `title`;
    /// prefix `-` for descending.
    #[param(value_type = Option<techx_core::bounds::parameter::Sort>, inline)]
    pub sort: Option<String>,
}

impl From<ExportListingsQuery> for ListListingsQuery {
    fn from(query: ExportListingsQuery) -> Self {
        ListListingsQuery {
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

/// The bounds of a listing's fields: the validators check them and the document states them.
pub mod bounds {
    use techx_core::bounds::{Field, common};

    pub const TITLE: Field = Field::text("title", 5, 300);
    pub const SUMMARY: Field = Field::text("summary", 20, 5000);
    pub const DETAILS: Field = Field::text("details", 0, 20_000);
    pub const CONFIDENTIAL_DETAILS: Field = DETAILS.named("confidential_details");
    pub const TITLE_EN: Field = TITLE.named("title_en").optional();
    pub const SUMMARY_EN: Field = SUMMARY.named("summary_en").optional();
    pub const RESEARCH_TASK_CODE: Field = Field::text("research_task_code", 0, 100);
    pub const IP_ASSETS: Field = common::CODES.named("ip_assets");
    pub const IP_NUMBER: Field = Field::text("number", 0, 100);
    pub const IP_JURISDICTION: Field = Field::text("jurisdiction", 0, 100);
    pub const PRICE_MIN: Field = common::MONEY.named("price_min_vnd");
    pub const PRICE_MAX: Field = common::MONEY.named("price_max_vnd");
}

use bounds::*;
use techx_core::bounds::{Bounded, Field, common};

impl Bounded for IpAsset {
    const BOUNDS: &'static [Field] = &[IP_NUMBER, IP_JURISDICTION];
}

impl Bounded for ListingForm {
    const BOUNDS: &'static [Field] = &[
        TITLE,
        SUMMARY,
        DETAILS,
        CONFIDENTIAL_DETAILS,
        TITLE_EN,
        SUMMARY_EN,
        common::KEYWORDS,
        common::SCI_FIELDS,
        common::TRL,
        IP_ASSETS,
        common::CODES.named("transfer_forms"),
        common::CODES.named("transfer_methods"),
        common::CODES.named("cooperation_types"),
        PRICE_MIN,
        PRICE_MAX,
        RESEARCH_TASK_CODE,
        common::CONTACT_NAME,
        common::CONTACT_EMAIL,
        common::CONTACT_PHONE,
    ];
}

impl Bounded for ListingPatch {
    const BOUNDS: &'static [Field] = ListingForm::BOUNDS;
}

impl Bounded for ListingView {
    const BOUNDS: &'static [Field] = &[common::TRL];
}
