//! Listings in bulk: CSV (UTF-8, Excel's BOM tolerated, list fields separated by `;`) and JSON
//! Lines, read for import and written for export.

use crate::dto::{IpAsset, ListingForm, ListingView};
use techx_catalogue::records::csv_fields::{self as cells, CsvRow, cell, join};
use techx_core::FieldError;
use techx_core::error::Validator;

/// Columns of an import file (a header row names them; order is free, unknown columns are
/// refused). List cells hold values separated by `;`; `ip_assets` holds entries separated by
/// `;`, each `ip_type|legal_status|number|jurisdiction|expires_on`.
pub const IMPORT_COLUMNS: &[&str] = &[
    "kind",
    "lang",
    "title",
    "summary",
    "details",
    "confidential_details",
    "title_en",
    "summary_en",
    "keywords",
    "sci_fields",
    "trl",
    "ip_assets",
    "transfer_forms",
    "transfer_methods",
    "cooperation_types",
    "pricing_model",
    "price_min_vnd",
    "price_max_vnd",
    "funding_origin",
    "research_task_code",
    "tech_category",
    "province_code",
    "contact_name",
    "contact_email",
    "contact_phone",
];

/// A parsed row: its number (data rows count from 1) and the form or its problems.
pub type ParsedRow = (usize, Result<ListingForm, Vec<FieldError>>);

/// Read a CSV file into forms. A file-level problem (no header, unknown column) is an error.
pub fn read_csv(text: &str) -> Result<Vec<ParsedRow>, FieldError> {
    cells::read(text, IMPORT_COLUMNS, form_from_cells)
}

fn form_from_cells(row: &CsvRow<'_>) -> Result<ListingForm, Vec<FieldError>> {
    let get = |name: &str| row.get(name);
    let mut v = Validator::new();
    let mut ip_assets = Vec::new();
    for (index, entry) in cells::list(get("ip_assets")).iter().enumerate() {
        let parts: Vec<&str> = entry.split('|').map(str::trim).collect();
        let field = format!("ip_assets[{index}]");
        let ip_type = cells::code(&mut v, &format!("{field}.ip_type"), parts.first().copied());
        let legal_status = cells::code(
            &mut v,
            &format!("{field}.legal_status"),
            parts.get(1).copied(),
        );
        let expires_on = parts.get(4).filter(|d| !d.is_empty()).and_then(|d| {
            v.check(d.parse().map_err(|_| {
                FieldError::new(
                    format!("{field}.expires_on"),
                    "format",
                    "expires_on must be YYYY-MM-DD",
                )
            }))
        });
        match (ip_type, legal_status) {
            (Some(ip_type), Some(legal_status)) => ip_assets.push(IpAsset {
                ip_type,
                legal_status,
                number: cells::text(parts.get(2).copied()),
                jurisdiction: cells::text(parts.get(3).copied()),
                expires_on,
            }),
            _ => v.push(FieldError::new(
                field,
                "format",
                "an IP asset needs ip_type|legal_status",
            )),
        }
    }
    let form = ListingForm {
        organization_id: None,
        kind: cells::code(&mut v, "kind", get("kind")),
        lang: cells::code(&mut v, "lang", get("lang")),
        title: cells::text(get("title")).unwrap_or_default(),
        summary: cells::text(get("summary")).unwrap_or_default(),
        details: cells::text(get("details")),
        confidential_details: cells::text(get("confidential_details")),
        title_en: cells::text(get("title_en")),
        summary_en: cells::text(get("summary_en")),
        keywords: cells::list(get("keywords")),
        sci_fields: cells::codes(&mut v, "sci_fields", get("sci_fields")),
        trl: cells::integer(&mut v, "trl", get("trl")),
        ip_assets,
        transfer_forms: cells::codes(&mut v, "transfer_forms", get("transfer_forms")),
        transfer_methods: cells::codes(&mut v, "transfer_methods", get("transfer_methods")),
        cooperation_types: cells::codes(&mut v, "cooperation_types", get("cooperation_types")),
        pricing_model: cells::code(&mut v, "pricing_model", get("pricing_model")),
        price_min_vnd: cells::integer(&mut v, "price_min_vnd", get("price_min_vnd")),
        price_max_vnd: cells::integer(&mut v, "price_max_vnd", get("price_max_vnd")),
        funding_origin: cells::code(&mut v, "funding_origin", get("funding_origin")),
        research_task_code: cells::text(get("research_task_code")),
        tech_category: cells::code(&mut v, "tech_category", get("tech_category")),
        province_code: cells::code(&mut v, "province_code", get("province_code")),
        contact_name: cells::text(get("contact_name")),
        contact_email: cells::text(get("contact_email")),
        contact_phone: cells::text(get("contact_phone")),
    };
    v.finish()?;
    Ok(form)
}

/// Read JSON Lines: one listing form per non-blank line.
pub fn read_jsonl(text: &str) -> Vec<ParsedRow> {
    cells::read_jsonl(text)
}

/// Write views as CSV; fields outside the caller's tiers were never in the views.
pub fn write_csv(views: &[ListingView]) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    cells::write_export_header(&mut writer, IMPORT_COLUMNS)?;
    for l in views {
        let contact = l.contact.clone();
        let ip_assets: Vec<String> = l
            .ip_assets
            .iter()
            .map(|a| {
                format!(
                    "{}|{}|{}|{}|{}",
                    a.ip_type,
                    a.legal_status,
                    cell(&a.number),
                    cell(&a.jurisdiction),
                    cell(&a.expires_on)
                )
            })
            .collect();
        cells::write_row(
            &mut writer,
            [
                l.id.to_string(),
                l.code.clone(),
                l.organization_id.to_string(),
                l.organization_name.clone(),
                l.status.to_string(),
                l.disclosed_tier.clone(),
                l.kind.to_string(),
                l.lang.to_string(),
                l.title.clone(),
                l.summary.clone(),
                cell(&l.details),
                cell(&l.confidential_details),
                cell(&l.title_en),
                cell(&l.summary_en),
                join(&l.keywords),
                join(&l.sci_fields),
                cell(&l.trl),
                join(&ip_assets),
                join(&l.transfer_forms),
                join(&l.transfer_methods),
                join(&l.cooperation_types),
                l.pricing_model.to_string(),
                cell(&l.price_min_vnd),
                cell(&l.price_max_vnd),
                cell(&l.funding_origin),
                cell(&l.research_task_code),
                l.tech_category.to_string(),
                l.province_code.to_string(),
                contact.as_ref().map(|c| cell(&c.name)).unwrap_or_default(),
                contact.as_ref().map(|c| cell(&c.email)).unwrap_or_default(),
                contact.as_ref().map(|c| cell(&c.phone)).unwrap_or_default(),
                l.published_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                l.valid_until.map(|t| t.to_rfc3339()).unwrap_or_default(),
                l.updated_at.to_rfc3339(),
            ],
        )?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Write views as JSON Lines.
pub fn write_jsonl(views: &[ListingView]) -> Result<String, serde_json::Error> {
    cells::write_jsonl(views)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_starts_with_its_header_row() {
        let csv = write_csv(&[]).unwrap();
        assert_eq!(
            csv.trim_end(),
            "id,code,organization_id,organization_name,status,disclosed_tier,kind,lang,title,summary,details,confidential_details,title_en,summary_en,keywords,sci_fields,trl,ip_assets,transfer_forms,transfer_methods,cooperation_types,pricing_model,price_min_vnd,price_max_vnd,funding_origin,research_task_code,tech_category,province_code,contact_name,contact_email,contact_phone,published_at,valid_until,updated_at"
        );
    }

    #[test]
    fn a_csv_with_a_bom_and_lists_reads_into_forms() {
        let text = "\u{feff}kind,title,summary,sci_fields,keywords,trl,ip_assets\n\
            technology,Máy sấy lúa,Máy sấy lúa dùng nhiệt từ trấu cho hợp tác xã.,2.3;4.1,sấy; lúa ,6,utility_solution|granted|2-0001234|VN|2031-05-01\n";
        let rows = read_csv(text).unwrap();
        assert_eq!(rows.len(), 1);
        let form = rows[0].1.as_ref().unwrap();
        assert_eq!(form.sci_fields.len(), 2);
        assert_eq!(form.keywords, vec!["sấy".to_owned(), "lúa".to_owned()]);
        assert_eq!(form.trl, Some(6));
        assert_eq!(form.ip_assets[0].number.as_deref(), Some("2-0001234"));
        assert_eq!(
            form.ip_assets[0].expires_on.unwrap().to_string(),
            "2031-05-01"
        );
    }

    #[test]
    fn bad_cells_are_reported_with_their_field() {
        let text = "kind,title,summary,trl,sci_fields\nspaceship,T,S,seven,9.9\n";
        let rows = read_csv(text).unwrap();
        let errors = rows[0].1.as_ref().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["kind", "sci_fields", "trl"]);
    }

    #[test]
    fn an_unknown_column_refuses_the_file() {
        let error = read_csv("title,colour\nx,y\n").unwrap_err();
        assert_eq!(error.code, "unknown_column");
    }

    #[test]
    fn json_lines_skip_blank_lines_and_number_rows() {
        let rows = read_jsonl("{\"title\":\"a\",\"summary\":\"b\"}\n\n{not json}\n");
        assert_eq!(rows.len(), 2);
        assert!(rows[0].1.is_ok());
        assert_eq!(rows[1].0, 2);
        assert!(rows[1].1.is_err());
    }
}
