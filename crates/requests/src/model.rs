//! Rows of the request tables.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use techx_db::schema::{request_codes, request_keywords, requests};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = requests)]
pub struct Request {
    pub id: i64,
    pub organization_id: i64,
    pub kind: String,
    pub lang: String,
    pub title: String,
    pub problem: String,
    pub requirements: Option<String>,
    pub confidential_details: Option<String>,
    pub trl_min: Option<i32>,
    pub budget_min_vnd: Option<i64>,
    pub budget_max_vnd: Option<i64>,
    pub deadline: Option<String>,
    pub ip_expectation: String,
    pub anonymous: bool,
    pub origin: String,
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
#[diesel(table_name = requests, treat_none_as_null = true)]
pub struct RequestFields {
    pub kind: String,
    pub lang: String,
    pub title: String,
    pub problem: String,
    pub requirements: Option<String>,
    pub confidential_details: Option<String>,
    pub trl_min: Option<i32>,
    pub budget_min_vnd: Option<i64>,
    pub budget_max_vnd: Option<i64>,
    pub deadline: Option<String>,
    pub ip_expectation: String,
    pub anonymous: bool,
    pub origin: String,
    pub province_code: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
}

/// Columns set only on insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = requests)]
pub struct NewRequestMeta {
    pub organization_id: i64,
    pub status: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    pub import_id: Option<i64>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = request_codes)]
pub struct RequestCode {
    pub request_id: i64,
    pub list: String,
    pub code: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = request_keywords)]
pub struct RequestKeyword {
    pub request_id: i64,
    pub position: i32,
    pub keyword: String,
}

impl techx_catalogue::records::RecordMeta for Request {
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
