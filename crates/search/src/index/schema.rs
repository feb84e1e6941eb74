//! The index schema: every field and how it is analysed, resolved once.

use crate::facets::Facet;
use crate::query::TextFields;
use tantivy::schema::{FAST, INDEXED, STORED, STRING, Schema};

/// The fields, resolved once.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// `listing:12`: the unique key used to replace a document.
    pub key: tantivy::schema::Field,
    /// `listing` or `request`.
    pub kind: tantivy::schema::Field,
    pub id: tantivy::schema::Field,
    /// The title as written, for suggestions.
    pub display_title: tantivy::schema::Field,
    pub title: TextFields,
    pub summary: TextFields,
    pub terms: TextFields,
    pub registered: TextFields,
    pub sci_field: tantivy::schema::Field,
    pub trl_code: tantivy::schema::Field,
    pub province: tantivy::schema::Field,
    pub org_type: tantivy::schema::Field,
    pub ip_type: tantivy::schema::Field,
    pub cooperation_type: tantivy::schema::Field,
    pub transfer_form: tantivy::schema::Field,
    /// TRL of a listing, `trl_min` of a request.
    pub trl: tantivy::schema::Field,
    /// Lower end of the price (listing) or budget (request) range; 0 when only a maximum is set.
    pub price_low: tantivy::schema::Field,
    /// Upper end; `i64::MAX` when only a minimum is set. Absent when there is no price at all.
    pub price_high: tantivy::schema::Field,
    pub sort_price_asc: tantivy::schema::Field,
    pub sort_price_desc: tantivy::schema::Field,
    pub published: tantivy::schema::Field,
    /// `kind␟folded keyword␟keyword as written`, scanned by prefix for suggestions.
    pub keyword: tantivy::schema::Field,
    /// The record as an anonymous reader sees it (public tier), JSON: anonymous searches are
    /// answered from the index alone.
    pub public_view: tantivy::schema::Field,
    /// End of the publication, microseconds: a lapsed record stops matching at once.
    pub valid_until: tantivy::schema::Field,
}

pub(super) fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let key = builder.add_text_field("key", STRING | STORED);
    let kind = builder.add_text_field("kind", STRING | STORED | FAST);
    let id = builder.add_i64_field("id", INDEXED | STORED | FAST);
    let display_title = builder.add_text_field("display_title", STORED);
    let title = TextFields::add(&mut builder, "title");
    let summary = TextFields::add(&mut builder, "summary");
    let terms = TextFields::add(&mut builder, "terms");
    let registered = TextFields::add(&mut builder, "registered");
    let mut code = |facet: Facet| builder.add_text_field(facet.field(), STRING | FAST);
    let sci_field = code(Facet::SciField);
    let trl_code = code(Facet::Trl);
    let province = code(Facet::Province);
    let org_type = code(Facet::OrgType);
    let ip_type = code(Facet::IpType);
    let cooperation_type = code(Facet::CooperationType);
    let transfer_form = code(Facet::TransferForm);
    let trl = builder.add_i64_field("trl", INDEXED | FAST);
    let price_low = builder.add_i64_field("price_low", INDEXED | FAST);
    let price_high = builder.add_i64_field("price_high", INDEXED | FAST);
    let sort_price_asc = builder.add_i64_field("sort_price_asc", FAST);
    let sort_price_desc = builder.add_i64_field("sort_price_desc", FAST);
    let published = builder.add_i64_field("published", FAST);
    let keyword = builder.add_text_field("keyword", STRING);
    let public_view = builder.add_text_field("public_view", STORED);
    let valid_until = builder.add_i64_field("valid_until", FAST);
    (
        builder.build(),
        Fields {
            key,
            kind,
            id,
            display_title,
            title,
            summary,
            terms,
            registered,
            sci_field,
            trl_code,
            province,
            org_type,
            ip_type,
            cooperation_type,
            transfer_form,
            trl,
            price_low,
            price_high,
            sort_price_asc,
            sort_price_desc,
            published,
            keyword,
            public_view,
            valid_until,
        },
    )
}
