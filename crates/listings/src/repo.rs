//! Queries of the listing tables; each takes a connection so that callers compose them in one
//! transaction.

use crate::model::*;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;
use techx_catalogue::records::Scope;
use techx_catalogue::{common_filters, money_range, record_list, with_codes};
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

type Boxed<'a> = listings::BoxedQuery<'a, MultiBackend>;

fn filtered<'a>(scope: &'a Scope, filter: &'a Filter, now: NaiveDateTime) -> Boxed<'a> {
    let mut query = listings::table.into_boxed::<MultiBackend>();
    common_filters!(query, listings, scope, filter, now);
    if !filter.sci_fields.is_empty() {
        let codes = filter.sci_fields.clone();
        query = query.filter(with_codes!(
            listings,
            listing_codes,
            listing_id,
            SCI_FIELD,
            codes
        ));
    }
    if let Some(cooperation) = &filter.cooperation_type {
        let codes = vec![cooperation.clone()];
        query = query.filter(with_codes!(
            listings,
            listing_codes,
            listing_id,
            COOPERATION_TYPE,
            codes
        ));
    }
    if let Some(trl) = filter.trl_min {
        query = query.filter(listings::trl.ge(trl));
    }
    if let Some(trl) = filter.trl_max {
        query = query.filter(listings::trl.le(trl));
    }
    money_range!(
        query,
        listings,
        price_min_vnd,
        price_max_vnd,
        filter.price_min,
        filter.price_max
    );
    query
}

record_list!(listings, Listing, Filter);
