//! Queries of the request tables; each takes a connection so that callers compose them in one
//! transaction.

use crate::model::*;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;
use techx_catalogue::records::Scope;
use techx_catalogue::{common_filters, money_range, record_list, with_codes};
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
    for (list, code) in &children.codes {
        diesel::insert_into(request_codes::table)
            .values(RequestCode {
                request_id: id,
                list: (*list).to_owned(),
                code: code.clone(),
            })
            .execute(conn)?;
    }
    for (position, keyword) in children.keywords.iter().enumerate() {
        diesel::insert_into(request_keywords::table)
            .values(RequestKeyword {
                request_id: id,
                position: position as i32,
                keyword: keyword.clone(),
            })
            .execute(conn)?;
    }
    Ok(())
}

pub fn replace_children(conn: &mut DbConn, id: i64, children: &Children) -> QueryResult<()> {
    diesel::delete(request_codes::table.filter(request_codes::request_id.eq(id))).execute(conn)?;
    diesel::delete(request_keywords::table.filter(request_keywords::request_id.eq(id)))
        .execute(conn)?;
    insert_children(conn, id, children)
}

pub fn load_children(conn: &mut DbConn, ids: &[i64]) -> QueryResult<LoadedChildren> {
    let mut loaded = LoadedChildren::default();
    if ids.is_empty() {
        return Ok(loaded);
    }
    let codes: Vec<RequestCode> = request_codes::table
        .filter(request_codes::request_id.eq_any(ids))
        .order((
            request_codes::request_id,
            request_codes::list,
            request_codes::code,
        ))
        .select(RequestCode::as_select())
        .load(conn)?;
    for code in codes {
        loaded.codes.entry(code.request_id).or_default().push(code);
    }
    let keywords: Vec<RequestKeyword> = request_keywords::table
        .filter(request_keywords::request_id.eq_any(ids))
        .order((request_keywords::request_id, request_keywords::position))
        .select(RequestKeyword::as_select())
        .load(conn)?;
    for keyword in keywords {
        loaded
            .keywords
            .entry(keyword.request_id)
            .or_default()
            .push(keyword);
    }
    Ok(loaded)
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
