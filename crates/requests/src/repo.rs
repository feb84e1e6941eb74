//! Queries of the request tables; each takes a connection so that callers compose them in one
//! transaction.

use crate::model::*;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;
use techx_catalogue::records::Scope;
use techx_catalogue::{
    children_of, common_filters, insert_rows, money_range, record_list, with_codes,
};
use techx_db::schema::{request_codes, request_keywords, requests};
use techx_db::{DbConn, MultiBackend};

/// List names in `request_codes`.
pub const SCI_FIELD: &str = "sci_field";
pub const COOPERATION_TYPE: &str = "cooperation_type";

/// The list-valued parts of a request, as stored codes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Children {
    pub codes: Vec<(&'static str, String)>,
    pub keywords: Vec<String>,
}

/// Children of several requests, by request id.
#[derive(Debug, Default)]
pub struct LoadedChildren {
    pub codes: HashMap<i64, Vec<RequestCode>>,
    pub keywords: HashMap<i64, Vec<RequestKeyword>>,
}

techx_catalogue::record_queries!(requests, Request, RequestFields);

pub fn insert(
    conn: &mut DbConn,
    fields: &RequestFields,
    meta: &NewRequestMeta,
    children: &Children,
) -> QueryResult<Request> {
    let request: Request = diesel::insert_into(requests::table)
        .values((fields, meta))
        .get_result(conn)?;
    insert_children(conn, request.id, children)?;
    Ok(request)
}

fn insert_children(conn: &mut DbConn, id: i64, children: &Children) -> QueryResult<()> {
    let codes = children.codes.iter().map(|(list, code)| RequestCode {
        request_id: id,
        list: (*list).to_owned(),
        code: code.clone(),
    });
    insert_rows!(conn, request_codes, codes)?;
    let keywords = children.keywords.iter().enumerate();
    let keywords = keywords.map(|(position, keyword)| RequestKeyword {
        request_id: id,
        position: position as i32,
        keyword: keyword.clone(),
    });
    insert_rows!(conn, request_keywords, keywords)
}

pub fn replace_children(conn: &mut DbConn, id: i64, children: &Children) -> QueryResult<()> {
    diesel::delete(request_codes::table.filter(request_codes::request_id.eq(id))).execute(conn)?;
    diesel::delete(request_keywords::table.filter(request_keywords::request_id.eq(id)))
        .execute(conn)?;
    insert_children(conn, id, children)
}

pub fn load_children(conn: &mut DbConn, ids: &[i64]) -> QueryResult<LoadedChildren> {
    if ids.is_empty() {
        return Ok(LoadedChildren::default());
    }
    Ok(LoadedChildren {
        codes: children_of!(
            conn,
            request_codes,
            request_id,
            RequestCode,
            ids,
            (list, code)
        )?,
        keywords: children_of!(
            conn,
            request_keywords,
            request_id,
            RequestKeyword,
            ids,
            (position)
        )?,
    })
}

/// Parsed filters of the list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<String>,
    pub kind: Option<String>,
    pub organization_id: Option<i64>,
    /// Any of these sci_field codes.
    pub sci_fields: Vec<String>,
    pub trl_min: Option<i32>,
    pub trl_max: Option<i32>,
    pub budget_min: Option<i64>,
    pub budget_max: Option<i64>,
    pub province_code: Option<String>,
    pub cooperation_type: Option<String>,
    pub updated_since: Option<NaiveDateTime>,
    /// Leave out anonymous requests (an outsider filtering by requester must not find them).
    pub exclude_anonymous: bool,
}

type Boxed<'a> = requests::BoxedQuery<'a, MultiBackend>;

fn filtered<'a>(scope: &'a Scope, filter: &'a Filter, now: NaiveDateTime) -> Boxed<'a> {
    let mut query = requests::table.into_boxed::<MultiBackend>();
    common_filters!(query, requests, scope, filter, now);
    if !filter.sci_fields.is_empty() {
        let codes = filter.sci_fields.clone();
        query = query.filter(with_codes!(
            requests,
            request_codes,
            request_id,
            SCI_FIELD,
            codes
        ));
    }
    if let Some(cooperation) = &filter.cooperation_type {
        let codes = vec![cooperation.clone()];
        query = query.filter(with_codes!(
            requests,
            request_codes,
            request_id,
            COOPERATION_TYPE,
            codes
        ));
    }
    if let Some(trl) = filter.trl_min {
        query = query.filter(requests::trl_min.ge(trl));
    }
    if let Some(trl) = filter.trl_max {
        query = query.filter(requests::trl_min.le(trl));
    }
    money_range!(
        query,
        requests,
        budget_min_vnd,
        budget_max_vnd,
        filter.budget_min,
        filter.budget_max
    );
    if filter.exclude_anonymous {
        query = query.filter(requests::anonymous.eq(false));
    }
    query
}

record_list!(requests, Request, Filter);
