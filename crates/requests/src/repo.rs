//! Queries of the request tables; each takes a connection so that callers compose them in one
//! transaction.

use crate::model::*;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;
use techx_catalogue::records::{Scope, Sort, SortKey};
use techx_catalogue::{lapsed, live, loaded};
use techx_core::page::Paging;
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

type BoxedRequests<'a> = requests::BoxedQuery<'a, MultiBackend>;

fn filtered<'a>(scope: &'a Scope, filter: &'a Filter, now: NaiveDateTime) -> BoxedRequests<'a> {
    let mut query = requests::table.into_boxed::<MultiBackend>();
    let live = live!(requests, now);
    // Anonymous callers get the plain `live` condition, which the (status, …) indexes serve.
    // Rows of an import still loading are drafts: only the scopes that see drafts need to
    // leave them out.
    match scope {
        Scope::All => query = query.filter(loaded!(requests)),
        Scope::PublishedAndOwn(orgs) if orgs.is_empty() => query = query.filter(live),
        Scope::PublishedAndOwn(orgs) => {
            query = query.filter(
                live.or(requests::organization_id
                    .eq_any(orgs.clone())
                    .and(loaded!(requests))),
            )
        }
    }
    match filter.status.as_deref() {
        // `published` means live; a publication past its validity reads as `expired`.
        Some("published") => query = query.filter(live),
        Some("expired") => {
            query = query.filter(requests::status.eq("expired").or(lapsed!(requests, now)))
        }
        Some(status) => query = query.filter(requests::status.eq(status.to_owned())),
        None => {}
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(requests::kind.eq(kind.clone()));
    }
    if let Some(org) = filter.organization_id {
        query = query.filter(requests::organization_id.eq(org));
    }
    if !filter.sci_fields.is_empty() {
        // `id IN (subquery)`, not a correlated EXISTS: evaluated once, it is an order of
        // magnitude faster on SQLite (docs/benchmarks.md).
        query = query.filter(
            requests::id.eq_any(
                request_codes::table
                    .filter(request_codes::list.eq(SCI_FIELD))
                    .filter(request_codes::code.eq_any(filter.sci_fields.clone()))
                    .select(request_codes::request_id),
            ),
        );
    }
    if let Some(cooperation) = &filter.cooperation_type {
        query = query.filter(
            requests::id.eq_any(
                request_codes::table
                    .filter(request_codes::list.eq(COOPERATION_TYPE))
                    .filter(request_codes::code.eq(cooperation.clone()))
                    .select(request_codes::request_id),
            ),
        );
    }
    if let Some(trl) = filter.trl_min {
        query = query.filter(requests::trl_min.ge(trl));
    }
    if let Some(trl) = filter.trl_max {
        query = query.filter(requests::trl_min.le(trl));
    }
    // A budget range is [min, max]: a missing min means "up to max", a missing max means
    // "from min"; a record with neither has no budget and matches no budget filter.
    if filter.budget_min.is_some() || filter.budget_max.is_some() {
        query = query.filter(
            requests::budget_min_vnd
                .is_not_null()
                .or(requests::budget_max_vnd.is_not_null()),
        );
    }
    if let Some(low) = filter.budget_min {
        query = query.filter(
            requests::budget_max_vnd
                .ge(low)
                .or(requests::budget_max_vnd.is_null()),
        );
    }
    if let Some(high) = filter.budget_max {
        query = query.filter(
            requests::budget_min_vnd
                .le(high)
                .or(requests::budget_min_vnd.is_null()),
        );
    }
    if let Some(province) = &filter.province_code {
        query = query.filter(requests::province_code.eq(province.clone()));
    }
    if filter.exclude_anonymous {
        query = query.filter(requests::anonymous.eq(false));
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(requests::updated_at.ge(since));
    }
    query
}

/// A page of requests and the exact total.
pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    filter: &Filter,
    sort: Sort,
    paging: Paging,
    now: NaiveDateTime,
) -> QueryResult<(Vec<Request>, i64)> {
    let total = filtered(scope, filter, now).count().get_result(conn)?;
    let query = filtered(scope, filter, now);
    let query = match (sort.key, sort.descending) {
        (SortKey::UpdatedAt, false) => {
            query.order((requests::updated_at.asc(), requests::id.asc()))
        }
        (SortKey::UpdatedAt, true) => {
            query.order((requests::updated_at.desc(), requests::id.desc()))
        }
        (SortKey::PublishedAt, false) => {
            query.order((requests::published_at.asc(), requests::id.asc()))
        }
        (SortKey::PublishedAt, true) => {
            query.order((requests::published_at.desc(), requests::id.desc()))
        }
        (SortKey::Title, false) => query.order((requests::title.asc(), requests::id.asc())),
        (SortKey::Title, true) => query.order((requests::title.desc(), requests::id.desc())),
    };
    let rows = query
        .limit(paging.limit)
        .offset(paging.offset)
        .select(Request::as_select())
        .load(conn)?;
    Ok((rows, total))
}
