//! API shapes of listings.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use techx_core::OrganizationId;
use techx_core::codes::{
    CooperationType, FundingOrigin, IpType, Lang, LegalStatus, ListingKind, PricingModel, Province,
    RecordStatus, SciField, TechCategory, TransferForm, TransferMethod,
};
use utoipa::{IntoParams, ToSchema};

pub use techx_accounts::records::{ContactView, ExportFormat, ImportReport};

/// An intellectual-property asset behind a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IpAsset {
    pub ip_type: IpType,
    pub legal_status: LegalStatus,
    /// Application or grant number, e.g. `1-2023-01234`.
    #[schema(max_length = 100)]
    pub number: Option<String>,
    /// Where it is protected, e.g. `VN`.
    #[schema(max_length = 100)]
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
    /// Public: 5 to 300 characters.
    #[schema(
        example = "Chế phẩm vi sinh xử lý nước thải chăn nuôi lợn",
        min_length = 5,
        max_length = 300
    )]
    pub title: String,
    /// Public: the non-confidential description (problem, solution, advantages, applications);
    /// 20 to 5000 characters.
    #[schema(min_length = 20, max_length = 5000)]
    pub summary: String,
    /// Registered tier: seen by signed-in members of verified organizations (at most 20000).
    #[schema(max_length = 20000)]
    pub details: Option<String>,
    /// Confidential tier: the owner, brokers, moderators and granted organizations (at most
    /// 20000).
    #[schema(max_length = 20000)]
    pub confidential_details: Option<String>,
    /// English title for foreign partners.
    #[schema(max_length = 300)]
    pub title_en: Option<String>,
    /// English summary.
    #[schema(max_length = 5000)]
    pub summary_en: Option<String>,
    /// At most 20 keywords of at most 60 characters.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub keywords: Vec<String>,
    /// 1 to 10 fields of science and technology.
    #[serde(default)]
    #[schema(required = true, min_items = 1, max_items = 10)]
    pub sci_fields: Vec<SciField>,
    /// Technology readiness level 1-9, or null when not applicable.
    #[schema(minimum = 1, maximum = 9)]
    pub trl: Option<i32>,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub ip_assets: Vec<IpAsset>,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub transfer_forms: Vec<TransferForm>,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub transfer_methods: Vec<TransferMethod>,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub cooperation_types: Vec<CooperationType>,
    /// Default `negotiable`.
    pub pricing_model: Option<PricingModel>,
    /// VND, not negative, at most `price_max_vnd`.
    #[schema(minimum = 0)]
    pub price_min_vnd: Option<i64>,
    #[schema(minimum = 0)]
    pub price_max_vnd: Option<i64>,
    pub funding_origin: Option<FundingOrigin>,
    /// Code of the state research task (*mã nhiệm vụ*) that produced it.
    #[schema(max_length = 100)]
    pub research_task_code: Option<String>,
    /// Default `normal`; `prohibited` can never be published.
    pub tech_category: Option<TechCategory>,
    /// Where the technology is; default Thanh Hóa.
    pub province_code: Option<Province>,
    /// Registered tier: the contact person.
    #[schema(max_length = 200)]
    pub contact_name: Option<String>,
    #[schema(max_length = 254)]
    pub contact_email: Option<String>,
    #[schema(max_length = 30)]
    pub contact_phone: Option<String>,
}

/// Changes to a listing: only the fields present change; `null` clears an optional field.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingPatch {
    pub kind: Option<ListingKind>,
    pub lang: Option<Lang>,
    #[schema(min_length = 5, max_length = 300)]
    pub title: Option<String>,
    #[schema(min_length = 20, max_length = 5000)]
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<String>, max_length = 20000)]
    pub details: Option<Option<String>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<String>, max_length = 20000)]
    pub confidential_details: Option<Option<String>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub title_en: Option<Option<String>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<String>, max_length = 5000)]
    pub summary_en: Option<Option<String>>,
    #[schema(max_items = 20)]
    pub keywords: Option<Vec<String>>,
    #[schema(min_items = 1, max_items = 10)]
    pub sci_fields: Option<Vec<SciField>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 9)]
    pub trl: Option<Option<i32>>,
    #[schema(max_items = 20)]
    pub ip_assets: Option<Vec<IpAsset>>,
    #[schema(max_items = 20)]
    pub transfer_forms: Option<Vec<TransferForm>>,
    #[schema(max_items = 20)]
    pub transfer_methods: Option<Vec<TransferMethod>>,
    #[schema(max_items = 20)]
    pub cooperation_types: Option<Vec<CooperationType>>,
    pub pricing_model: Option<PricingModel>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub price_min_vnd: Option<Option<i64>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub price_max_vnd: Option<Option<i64>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<FundingOrigin>)]
    pub funding_origin: Option<Option<FundingOrigin>>,
    #[serde(default, deserialize_with = "techx_core::validate::double_option")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub research_task_code: Option<Option<String>>,
    pub tech_category: Option<TechCategory>,
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

/// A technology offer, carrying only the tiers the caller may see.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListingView {
    pub id: i64,
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
    /// Technology readiness level 1-9, or null when not applicable.
    #[schema(minimum = 1, maximum = 9)]
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
    #[param(minimum = 1, maximum = 9)]
    pub trl_min: Option<i32>,
    /// Greatest TRL.
    #[param(minimum = 1, maximum = 9)]
    pub trl_max: Option<i32>,
    /// Listings whose price range reaches at least this (VND).
    #[param(minimum = 0)]
    pub price_min: Option<i64>,
    /// Listings whose price range starts at most at this (VND).
    #[param(minimum = 0)]
    pub price_max: Option<i64>,
    /// Only listings located in this province.
    pub province_code: Option<Province>,
    /// Listings that offer this cooperation type.
    pub cooperation_type: Option<CooperationType>,
    /// Only listings changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// `updated_at` (default, newest first as `-updated_at`), `published_at` or `title`;
    /// prefix `-` for descending.
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
    #[param(minimum = 1, maximum = 9)]
    pub trl_min: Option<i32>,
    /// Greatest TRL.
    #[param(minimum = 1, maximum = 9)]
    pub trl_max: Option<i32>,
    /// Listings whose price range reaches at least this (VND).
    #[param(minimum = 0)]
    pub price_min: Option<i64>,
    /// Listings whose price range starts at most at this (VND).
    #[param(minimum = 0)]
    pub price_max: Option<i64>,
    /// Only listings located in this province.
    pub province_code: Option<Province>,
    /// Listings that offer this cooperation type.
    pub cooperation_type: Option<CooperationType>,
    /// Only listings changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// `updated_at` (default, newest first as `-updated_at`), `published_at` or `title`;
    /// prefix `-` for descending.
    #[param(max_length = 20)]
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
