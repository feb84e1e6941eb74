//! Queries of the listing tables; each takes a connection so that callers compose them in one
//! transaction.

use crate::model::*;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;
use techx_catalogue::records::{Scope, Sort, SortKey};
use techx_catalogue::{lapsed, live, loaded};
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

techx_catalogue::record_queries!(listings, Listing, ListingFields);

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
