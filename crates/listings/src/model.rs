//! Rows of the listing tables.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use techx_db::schema::{listing_codes, listing_ip_assets, listing_keywords, listings};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = listings)]
pub struct Listing {
    pub id: i64,
    pub organization_id: i64,
    pub kind: String,
    pub lang: String,
    pub title: String,
    pub summary: String,
    pub details: Option<String>,
    pub confidential_details: Option<String>,
    pub title_en: Option<String>,
    pub summary_en: Option<String>,
    pub trl: Option<i32>,
    pub pricing_model: String,
    pub price_min_vnd: Option<i64>,
    pub price_max_vnd: Option<i64>,
    pub funding_origin: Option<String>,
    pub research_task_code: Option<String>,
    pub tech_category: String,
    pub province_code: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub status: String,
    pub valid_until: Option<NaiveDateTime>,
    pub last_confirmed_at: Option<NaiveDateTime>,
    pub published_at: Option<NaiveDateTime>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    /// The import batch still loading this row (left out of every read), or None.
    pub import_id: Option<i64>,
}

/// The columns a form sets, for inserts and updates alike.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = listings, treat_none_as_null = true)]
pub struct ListingFields {
    pub kind: String,
    pub lang: String,
    pub title: String,
    pub summary: String,
    pub details: Option<String>,
    pub confidential_details: Option<String>,
    pub title_en: Option<String>,
    pub summary_en: Option<String>,
    pub trl: Option<i32>,
    pub pricing_model: String,
    pub price_min_vnd: Option<i64>,
    pub price_max_vnd: Option<i64>,
    pub funding_origin: Option<String>,
    pub research_task_code: Option<String>,
    pub tech_category: String,
    pub province_code: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
}

/// Columns set only on insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = listings)]
pub struct NewListingMeta {
    pub organization_id: i64,
    pub status: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    pub import_id: Option<i64>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = listing_codes)]
pub struct ListingCode {
    pub listing_id: i64,
    pub list: String,
    pub code: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = listing_keywords)]
pub struct ListingKeyword {
    pub listing_id: i64,
    pub position: i32,
    pub keyword: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = listing_ip_assets)]
pub struct ListingIpAsset {
    pub listing_id: i64,
    pub position: i32,
    pub ip_type: String,
    pub legal_status: String,
    pub number: Option<String>,
    pub jurisdiction: Option<String>,
    pub expires_on: Option<String>,
}

impl techx_catalogue::records::RecordMeta for Listing {
    fn id(&self) -> i64 {
        self.id
    }
    fn organization_id(&self) -> techx_core::OrganizationId {
        techx_core::OrganizationId(self.organization_id)
    }
    fn status(&self) -> &str {
        &self.status
    }
    fn valid_until(&self) -> Option<NaiveDateTime> {
        self.valid_until
    }
    fn version(&self) -> i32 {
        self.version
    }
}
