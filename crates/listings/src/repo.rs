//! Queries of the listing tables; each takes a connection so that callers compose them in one
//! transaction.

use crate::model::*;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;
use techx_catalogue::records::Scope;
use techx_catalogue::{
    children_of, common_filters, insert_rows, money_range, record_list, with_codes,
};
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
    let codes = children.codes.iter().map(|(list, code)| ListingCode {
        listing_id: id,
        list: (*list).to_owned(),
        code: code.clone(),
    });
    insert_rows!(conn, listing_codes, codes)?;
    let keywords = children.keywords.iter().enumerate();
    let keywords = keywords.map(|(position, keyword)| ListingKeyword {
        listing_id: id,
        position: position as i32,
        keyword: keyword.clone(),
    });
    insert_rows!(conn, listing_keywords, keywords)?;
    let assets = children.ip_assets.iter().enumerate();
    let assets = assets.map(|(position, asset)| ListingIpAsset {
        listing_id: id,
        position: position as i32,
        ..asset.clone()
    });
    insert_rows!(conn, listing_ip_assets, assets)
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
    if ids.is_empty() {
        return Ok(LoadedChildren::default());
    }
    Ok(LoadedChildren {
        codes: children_of!(
            conn,
            listing_codes,
            listing_id,
            ListingCode,
            ids,
            (list, code)
        )?,
        keywords: children_of!(
            conn,
            listing_keywords,
            listing_id,
            ListingKeyword,
            ids,
            (position)
        )?,
        ip_assets: children_of!(
            conn,
            listing_ip_assets,
            listing_id,
            ListingIpAsset,
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
