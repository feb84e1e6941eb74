//! Queries of the listing tables; each takes a connection so that callers compose them in one
//! transaction.

use crate::model::*;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;
use techx_catalogue::records::{Scope, Sort, SortKey};
use techx_catalogue::{StatusChange, lapsed, live, loaded};
use techx_core::page::Paging;
use techx_db::schema::{listing_codes, listing_ip_assets, listing_keywords, listings};
use techx_db::{DbConn, MultiBackend};

/// List names in `listing_codes`.
pub const SCI_FIELD: &str = "sci_field";
pub const TRANSFER_FORM: &str = "transfer_form";
pub const TRANSFER_METHOD: &str = "transfer_method";
pub const COOPERATION_TYPE: &str = "cooperation_type";

/// The list-valued parts of a listing, as stored codes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Children {
    pub codes: Vec<(&'static str, String)>,
    pub keywords: Vec<String>,
    pub ip_assets: Vec<ListingIpAsset>,
}

/// Children of several listings, by listing id.
#[derive(Debug, Default)]
pub struct LoadedChildren {
    pub codes: HashMap<i64, Vec<ListingCode>>,
    pub keywords: HashMap<i64, Vec<ListingKeyword>>,
    pub ip_assets: HashMap<i64, Vec<ListingIpAsset>>,
}

pub fn insert(
    conn: &mut DbConn,
    fields: &ListingFields,
    meta: &NewListingMeta,
    children: &Children,
) -> QueryResult<Listing> {
    let listing: Listing = diesel::insert_into(listings::table)
        .values((fields, meta))
        .get_result(conn)?;
    insert_children(conn, listing.id, children)?;
    Ok(listing)
}

fn insert_children(conn: &mut DbConn, id: i64, children: &Children) -> QueryResult<()> {
    for (list, code) in &children.codes {
        diesel::insert_into(listing_codes::table)
            .values(ListingCode {
                listing_id: id,
                list: (*list).to_owned(),
                code: code.clone(),
            })
            .execute(conn)?;
    }
    for (position, keyword) in children.keywords.iter().enumerate() {
        diesel::insert_into(listing_keywords::table)
            .values(ListingKeyword {
                listing_id: id,
                position: position as i32,
                keyword: keyword.clone(),
            })
            .execute(conn)?;
    }
    for (position, asset) in children.ip_assets.iter().enumerate() {
        diesel::insert_into(listing_ip_assets::table)
            .values(ListingIpAsset {
                listing_id: id,
                position: position as i32,
                ..asset.clone()
            })
            .execute(conn)?;
    }
    Ok(())
}

pub fn replace_children(conn: &mut DbConn, id: i64, children: &Children) -> QueryResult<()> {
    diesel::delete(listing_codes::table.filter(listing_codes::listing_id.eq(id))).execute(conn)?;
    diesel::delete(listing_keywords::table.filter(listing_keywords::listing_id.eq(id)))
        .execute(conn)?;
    diesel::delete(listing_ip_assets::table.filter(listing_ip_assets::listing_id.eq(id)))
        .execute(conn)?;
    insert_children(conn, id, children)
}

/// Rows of an import still loading are left out of every read.
pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Listing>> {
    listings::table
        .find(id)
        .filter(loaded!(listings))
        .select(Listing::as_select())
        .first(conn)
        .optional()
}

/// The rows of `ids` that exist, in any order.
pub fn find_many(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<Listing>> {
    listings::table
        .filter(listings::id.eq_any(ids))
        .filter(loaded!(listings))
        .select(Listing::as_select())
        .load(conn)
}

/// Ids of published records (as stored; a lapsed one may read `expired`) after `after`, in id
/// order, at most `limit`.
pub fn published_ids_after(conn: &mut DbConn, after: i64, limit: i64) -> QueryResult<Vec<i64>> {
    listings::table
        .filter(listings::status.eq("published"))
        .filter(listings::id.gt(after))
        .order(listings::id.asc())
        .limit(limit)
        .select(listings::id)
        .load(conn)
}

pub fn load_children(conn: &mut DbConn, ids: &[i64]) -> QueryResult<LoadedChildren> {
    let mut loaded = LoadedChildren::default();
    if ids.is_empty() {
        return Ok(loaded);
    }
    let codes: Vec<ListingCode> = listing_codes::table
        .filter(listing_codes::listing_id.eq_any(ids))
        .order((
            listing_codes::listing_id,
            listing_codes::list,
            listing_codes::code,
        ))
        .select(ListingCode::as_select())
        .load(conn)?;
    for code in codes {
        loaded.codes.entry(code.listing_id).or_default().push(code);
    }
    let keywords: Vec<ListingKeyword> = listing_keywords::table
        .filter(listing_keywords::listing_id.eq_any(ids))
        .order((listing_keywords::listing_id, listing_keywords::position))
        .select(ListingKeyword::as_select())
        .load(conn)?;
    for keyword in keywords {
        loaded
            .keywords
            .entry(keyword.listing_id)
            .or_default()
            .push(keyword);
    }
    let assets: Vec<ListingIpAsset> = listing_ip_assets::table
        .filter(listing_ip_assets::listing_id.eq_any(ids))
        .order((listing_ip_assets::listing_id, listing_ip_assets::position))
        .select(ListingIpAsset::as_select())
        .load(conn)?;
    for asset in assets {
        loaded
            .ip_assets
            .entry(asset.listing_id)
            .or_default()
            .push(asset);
    }
    Ok(loaded)
}

/// Store new fields if the row is still at version `current` (compare and set): false, and
/// nothing written, when another change came first.
pub fn update_fields(
    conn: &mut DbConn,
    id: i64,
    fields: &ListingFields,
    current: i32,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        listings::table
            .find(id)
            .filter(listings::version.eq(current)),
    )
    .set((
        fields,
        listings::version.eq(current + 1),
        listings::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// The lifecycle columns a transition writes.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = listings)]
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
        listings::table
            .find(id)
            .filter(listings::version.eq(change.from_version)),
    )
    .set(&columns)
    .execute(conn)?;
    Ok(updated == 1)
}

/// Delete a draft still at version `current`: false, and nothing deleted, otherwise.
pub fn delete(conn: &mut DbConn, id: i64, current: i32) -> QueryResult<bool> {
    let deleted = diesel::delete(
        listings::table
            .find(id)
            .filter(listings::version.eq(current))
            .filter(listings::status.eq("draft")),
    )
    .execute(conn)?;
    Ok(deleted == 1)
}

/// Published listings whose validity has passed, oldest first.
pub fn due_for_expiry(
    conn: &mut DbConn,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<Listing>> {
    listings::table
        .filter(lapsed!(listings, now))
        .order(listings::valid_until.asc())
        .limit(limit)
        .select(Listing::as_select())
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
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    pub province_code: Option<String>,
    pub cooperation_type: Option<String>,
    pub updated_since: Option<NaiveDateTime>,
}

type BoxedListings<'a> = listings::BoxedQuery<'a, MultiBackend>;

fn filtered<'a>(scope: &'a Scope, filter: &'a Filter, now: NaiveDateTime) -> BoxedListings<'a> {
    let mut query = listings::table.into_boxed::<MultiBackend>();
    let live = live!(listings, now);
    // Anonymous callers get the plain `live` condition, which the (status, …) indexes serve.
    // Rows of an import still loading are drafts: only the scopes that see drafts need to
    // leave them out.
    match scope {
        Scope::All => query = query.filter(loaded!(listings)),
        Scope::PublishedAndOwn(orgs) if orgs.is_empty() => query = query.filter(live),
        Scope::PublishedAndOwn(orgs) => {
            query = query.filter(
                live.or(listings::organization_id
                    .eq_any(orgs.clone())
                    .and(loaded!(listings))),
            )
        }
    }
    match filter.status.as_deref() {
        // `published` means live; a publication past its validity reads as `expired`.
        Some("published") => query = query.filter(live),
        Some("expired") => {
            query = query.filter(listings::status.eq("expired").or(lapsed!(listings, now)))
        }
        Some(status) => query = query.filter(listings::status.eq(status.to_owned())),
        None => {}
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(listings::kind.eq(kind.clone()));
    }
    if let Some(org) = filter.organization_id {
        query = query.filter(listings::organization_id.eq(org));
    }
    if !filter.sci_fields.is_empty() {
        // `id IN (subquery)`, not a correlated EXISTS: evaluated once, it is an order of
        // magnitude faster on SQLite (docs/benchmarks.md).
        query = query.filter(
            listings::id.eq_any(
                listing_codes::table
                    .filter(listing_codes::list.eq(SCI_FIELD))
                    .filter(listing_codes::code.eq_any(filter.sci_fields.clone()))
                    .select(listing_codes::listing_id),
            ),
        );
    }
    if let Some(cooperation) = &filter.cooperation_type {
        query = query.filter(
            listings::id.eq_any(
                listing_codes::table
                    .filter(listing_codes::list.eq(COOPERATION_TYPE))
                    .filter(listing_codes::code.eq(cooperation.clone()))
                    .select(listing_codes::listing_id),
            ),
        );
    }
    if let Some(trl) = filter.trl_min {
        query = query.filter(listings::trl.ge(trl));
    }
    if let Some(trl) = filter.trl_max {
        query = query.filter(listings::trl.le(trl));
    }
    // A price range is [min, max]: a missing min means "up to max", a missing max means
    // "from min"; a record with neither has no price and matches no price filter.
    if filter.price_min.is_some() || filter.price_max.is_some() {
        query = query.filter(
            listings::price_min_vnd
                .is_not_null()
                .or(listings::price_max_vnd.is_not_null()),
        );
    }
    if let Some(low) = filter.price_min {
        query = query.filter(
            listings::price_max_vnd
                .ge(low)
                .or(listings::price_max_vnd.is_null()),
        );
    }
    if let Some(high) = filter.price_max {
        query = query.filter(
            listings::price_min_vnd
                .le(high)
                .or(listings::price_min_vnd.is_null()),
        );
    }
    if let Some(province) = &filter.province_code {
        query = query.filter(listings::province_code.eq(province.clone()));
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(listings::updated_at.ge(since));
    }
    query
}

/// A page of listings and the exact total.
pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    filter: &Filter,
    sort: Sort,
    paging: Paging,
    now: NaiveDateTime,
) -> QueryResult<(Vec<Listing>, i64)> {
    let total = filtered(scope, filter, now).count().get_result(conn)?;
    let query = filtered(scope, filter, now);
    let query = match (sort.key, sort.descending) {
        (SortKey::UpdatedAt, false) => {
            query.order((listings::updated_at.asc(), listings::id.asc()))
        }
        (SortKey::UpdatedAt, true) => {
            query.order((listings::updated_at.desc(), listings::id.desc()))
        }
        (SortKey::PublishedAt, false) => {
            query.order((listings::published_at.asc(), listings::id.asc()))
        }
        (SortKey::PublishedAt, true) => {
            query.order((listings::published_at.desc(), listings::id.desc()))
        }
        (SortKey::Title, false) => query.order((listings::title.asc(), listings::id.asc())),
        (SortKey::Title, true) => query.order((listings::title.desc(), listings::id.desc())),
    };
    let rows = query
        .limit(paging.limit)
        .offset(paging.offset)
        .select(Listing::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Ids of up to `limit` rows of import `batch` (still hidden).
pub fn import_rows(conn: &mut DbConn, batch: i64, limit: i64) -> QueryResult<Vec<i64>> {
    listings::table
        .filter(listings::import_id.eq(batch))
        .limit(limit)
        .select(listings::id)
        .load(conn)
}

/// Delete hidden rows of an import that did not finish (their lists go with them).
pub fn delete_import_rows(conn: &mut DbConn, ids: &[i64]) -> QueryResult<usize> {
    diesel::delete(
        listings::table
            .filter(listings::id.eq_any(ids))
            .filter(listings::import_id.is_not_null()),
    )
    .execute(conn)
}

/// Of `ids`, the live publications with their version (a narrow read, for anonymous search).
pub fn live_versions(
    conn: &mut DbConn,
    ids: &[i64],
    now: NaiveDateTime,
) -> QueryResult<Vec<(i64, i32)>> {
    listings::table
        .filter(listings::id.eq_any(ids))
        .filter(live!(listings, now))
        .select((listings::id, listings::version))
        .load(conn)
}
