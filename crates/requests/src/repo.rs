//! Queries of the request tables; each takes a connection so that callers compose them in one
//! transaction.

use crate::model::*;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;
use techx_catalogue::records::{Scope, Sort, SortKey};
use techx_catalogue::{StatusChange, lapsed, live, loaded};
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

/// Rows of an import still loading are left out of every read.
pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Request>> {
    requests::table
        .find(id)
        .filter(loaded!(requests))
        .select(Request::as_select())
        .first(conn)
        .optional()
}

/// The rows of `ids` that exist, in any order.
pub fn find_many(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<Request>> {
    requests::table
        .filter(requests::id.eq_any(ids))
        .filter(loaded!(requests))
        .select(Request::as_select())
        .load(conn)
}

/// Ids of published records (as stored; a lapsed one may read `expired`) after `after`, in id
/// order, at most `limit`.
pub fn published_ids_after(conn: &mut DbConn, after: i64, limit: i64) -> QueryResult<Vec<i64>> {
    requests::table
        .filter(requests::status.eq("published"))
        .filter(requests::id.gt(after))
        .order(requests::id.asc())
        .limit(limit)
        .select(requests::id)
        .load(conn)
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

/// Store new fields if the row is still at version `current` (compare and set): false, and
/// nothing written, when another change came first.
pub fn update_fields(
    conn: &mut DbConn,
    id: i64,
    fields: &RequestFields,
    current: i32,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        requests::table
            .find(id)
            .filter(requests::version.eq(current)),
    )
    .set((
        fields,
        requests::version.eq(current + 1),
        requests::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// The lifecycle columns a transition writes.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = requests)]
struct StatusColumns {
    status: String,
    valid_until: Option<Option<NaiveDateTime>>,
    last_confirmed_at: Option<Option<NaiveDateTime>>,
    published_at: Option<Option<NaiveDateTime>>,
    updated_at: NaiveDateTime,
    version: i32,
}

/// Write a lifecycle change if the row is still at the version it was planned from (compare
/// and set): false, and nothing written, when another change came first.
pub fn set_status(conn: &mut DbConn, id: i64, change: &StatusChange) -> QueryResult<bool> {
    let columns = StatusColumns {
        status: change.status.as_str().to_owned(),
        valid_until: change.valid_until.map(Some),
        last_confirmed_at: change.last_confirmed_at.map(Some),
        published_at: change.published_at.map(Some),
        updated_at: change.updated_at,
        version: change.from_version + 1,
    };
    let updated = diesel::update(
        requests::table
            .find(id)
            .filter(requests::version.eq(change.from_version)),
    )
    .set(&columns)
    .execute(conn)?;
    Ok(updated == 1)
}

/// Delete a draft still at version `current`: false, and nothing deleted, otherwise.
pub fn delete(conn: &mut DbConn, id: i64, current: i32) -> QueryResult<bool> {
    let deleted = diesel::delete(
        requests::table
            .find(id)
            .filter(requests::version.eq(current))
            .filter(requests::status.eq("draft")),
    )
    .execute(conn)?;
    Ok(deleted == 1)
}

/// Published requests whose validity has passed, oldest first.
pub fn due_for_expiry(
    conn: &mut DbConn,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<Request>> {
    requests::table
        .filter(lapsed!(requests, now))
        .order(requests::valid_until.asc())
        .limit(limit)
        .select(Request::as_select())
        .load(conn)
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

/// Ids of up to `limit` rows of import `batch` (still hidden).
pub fn import_rows(conn: &mut DbConn, batch: i64, limit: i64) -> QueryResult<Vec<i64>> {
    requests::table
        .filter(requests::import_id.eq(batch))
        .limit(limit)
        .select(requests::id)
        .load(conn)
}

/// Delete hidden rows of an import that did not finish (their lists go with them).
pub fn delete_import_rows(conn: &mut DbConn, ids: &[i64]) -> QueryResult<usize> {
    diesel::delete(
        requests::table
            .filter(requests::id.eq_any(ids))
            .filter(requests::import_id.is_not_null()),
    )
    .execute(conn)
}

/// Of `ids`, the live publications with their version (a narrow read, for anonymous search).
pub fn live_versions(
    conn: &mut DbConn,
    ids: &[i64],
    now: NaiveDateTime,
) -> QueryResult<Vec<(i64, i32)>> {
    requests::table
        .filter(requests::id.eq_any(ids))
        .filter(live!(requests, now))
        .select((requests::id, requests::version))
        .load(conn)
}
