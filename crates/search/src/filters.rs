//! The filters of search and matching, parsed once from what a caller sends into the index's
//! [`Filters`]: comma-separated code lists checked against their code lists (unknown codes and
//! over-long lists named under the parameter), numbers checked against their bounds. The API's
//! search and matching handlers both parse through here.

use crate::facets::Facet;
use crate::index::Filters;
use std::str::FromStr;
use techx_core::bounds::{Field, common, parameter};
use techx_core::codes::{CooperationType, IpType, OrgType, Province, SciField, TransferForm};
use techx_core::error::FieldError;

/// Longest comma-separated list of codes one filter takes, in characters (the schema says so).
const MAX_CODE_LIST: usize = parameter::CODE_LIST.max();
/// Longest list of provinces, in characters (every province code fits).
const MAX_PROVINCE_LIST: usize = parameter::PROVINCE_LIST.max();
/// Longest `facets` list, in characters.
const MAX_FACET_LIST: usize = parameter::FACET_LIST.max();

fn codes<T: FromStr + PartialEq>(
    field: &str,
    raw: &Option<String>,
    errors: &mut Vec<FieldError>,
) -> Vec<T> {
    let Some(raw) = raw else {
        return Vec::new();
    };
    let max = if field == "province_code" {
        MAX_PROVINCE_LIST
    } else {
        MAX_CODE_LIST
    };
    if raw.chars().count() > max {
        errors.push(FieldError::new(
            field,
            "length",
            format!("{field} must be at most {max} characters"),
        ));
        return Vec::new();
    }
    let mut out = Vec::new();
    for code in raw.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        match T::from_str(code) {
            Ok(value) => {
                if !out.contains(&value) {
                    out.push(value);
                }
            }
            Err(_) => errors.push(FieldError::new(
                field,
                "unknown_code",
                format!("{field}: unknown code `{code}`"),
            )),
        }
    }
    out
}

/// A filter's number checked against its bound, under the filter's name.
fn check_range(
    field: &str,
    value: Option<i64>,
    bound: Field,
    errors: &mut Vec<FieldError>,
) -> Option<i64> {
    if let Err(error) = bound.check_whole_as(field, value) {
        errors.push(error);
    }
    value
}

/// The code-list filters shared by search and matching, as given in a query string.
pub struct FilterParams<'a> {
    pub sci_field: &'a Option<String>,
    pub trl_min: Option<i32>,
    pub trl_max: Option<i32>,
    pub province_code: &'a Option<String>,
    pub org_type: &'a Option<String>,
    pub ip_type: &'a Option<String>,
    pub cooperation_type: &'a Option<String>,
    pub transfer_form: &'a Option<String>,
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
}

/// Index filters from query parameters; each problem is added to `errors`.
pub fn parse(params: FilterParams<'_>, errors: &mut Vec<FieldError>) -> Filters {
    let filters = Filters {
        kind: None,
        sci_fields: codes::<SciField>("sci_field", params.sci_field, errors),
        trl_min: check_range(
            "trl_min",
            params.trl_min.map(i64::from),
            common::TRL,
            errors,
        ),
        trl_max: check_range(
            "trl_max",
            params.trl_max.map(i64::from),
            common::TRL,
            errors,
        ),
        provinces: codes::<Province>("province_code", params.province_code, errors),
        org_types: codes::<OrgType>("org_type", params.org_type, errors),
        ip_types: codes::<IpType>("ip_type", params.ip_type, errors),
        cooperation_types: codes::<CooperationType>(
            "cooperation_type",
            params.cooperation_type,
            errors,
        ),
        transfer_forms: codes::<TransferForm>("transfer_form", params.transfer_form, errors),
        price_min: check_range("price_min", params.price_min, common::MONEY, errors),
        price_max: check_range("price_max", params.price_max, common::MONEY, errors),
    };
    // Each bound is checked on its own: an inverted range is a filter that matches nothing.
    filters
}

/// The facets a search counts, from a comma-separated list (each once, in the order given).
pub fn facets(raw: Option<&str>, errors: &mut Vec<FieldError>) -> Vec<Facet> {
    let mut list = raw.unwrap_or_default();
    if list.chars().count() > MAX_FACET_LIST {
        errors.push(FieldError::new(
            "facets",
            "length",
            format!("facets must be at most {MAX_FACET_LIST} characters"),
        ));
        list = "";
    }
    let mut facets = Vec::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        match Facet::parse(name) {
            Some(facet) if !facets.contains(&facet) => facets.push(facet),
            Some(_) => {}
            None => errors.push(FieldError::new(
                "facets",
                "unknown_code",
                format!("facets: unknown facet `{name}`"),
            )),
        }
    }
    facets
}
