//! Requests in bulk: CSV (UTF-8, Excel's BOM tolerated, list fields separated by `;`) and JSON
//! Lines, read for import and written for export.

use crate::dto::{RequestForm, RequestView};
use techx_catalogue::records::csv_fields::{self as cells, CsvRow, cell, join};
use techx_core::FieldError;
use techx_core::error::Validator;

/// Columns of an import file (a header row names them; order is free, unknown columns are
/// refused).
pub const IMPORT_COLUMNS: &[&str] = &[
    "kind",
    "lang",
    "title",
    "problem",
    "requirements",
    "confidential_details",
    "keywords",
    "sci_fields",
    "trl_min",
    "budget_min_vnd",
    "budget_max_vnd",
    "deadline",
    "accepted_cooperation_types",
    "ip_expectation",
    "anonymous",
    "origin",
    "province_code",
    "contact_name",
    "contact_email",
    "contact_phone",
];

/// A parsed row: its number (data rows count from 1) and the form or its problems.
pub type ParsedRow = (usize, Result<RequestForm, Vec<FieldError>>);

/// Read a CSV file into forms. A file-level problem (no header, unknown column) is an error.
pub fn read_csv(text: &str) -> Result<Vec<ParsedRow>, FieldError> {
    cells::read(text, IMPORT_COLUMNS, form_from_cells)
}

fn form_from_cells(row: &CsvRow<'_>) -> Result<RequestForm, Vec<FieldError>> {
    let get = |name: &str| row.get(name);
    let mut v = Validator::new();
    let deadline = cells::text(get("deadline")).and_then(|d| {
        v.check(
            d.parse()
                .map_err(|_| FieldError::new("deadline", "format", "deadline must be YYYY-MM-DD")),
        )
    });
    let form = RequestForm {
        organization_id: None,
        kind: cells::code(&mut v, "kind", get("kind")),
        lang: cells::code(&mut v, "lang", get("lang")),
        title: cells::text(get("title")).unwrap_or_default(),
        problem: cells::text(get("problem")).unwrap_or_default(),
        requirements: cells::text(get("requirements")),
        confidential_details: cells::text(get("confidential_details")),
        keywords: cells::list(get("keywords")),
        sci_fields: cells::codes(&mut v, "sci_fields", get("sci_fields")),
        trl_min: cells::integer(&mut v, "trl_min", get("trl_min")),
        budget_min_vnd: cells::integer(&mut v, "budget_min_vnd", get("budget_min_vnd")),
        budget_max_vnd: cells::integer(&mut v, "budget_max_vnd", get("budget_max_vnd")),
        deadline,
        accepted_cooperation_types: cells::codes(
            &mut v,
            "accepted_cooperation_types",
            get("accepted_cooperation_types"),
        ),
        ip_expectation: cells::code(&mut v, "ip_expectation", get("ip_expectation")),
        anonymous: cells::boolean(&mut v, "anonymous", get("anonymous")).unwrap_or(false),
        origin: cells::code(&mut v, "origin", get("origin")),
        province_code: cells::code(&mut v, "province_code", get("province_code")),
        contact_name: cells::text(get("contact_name")),
        contact_email: cells::text(get("contact_email")),
        contact_phone: cells::text(get("contact_phone")),
    };
    v.finish()?;
    Ok(form)
}

/// Read JSON Lines: one request form per non-blank line.
pub fn read_jsonl(text: &str) -> Vec<ParsedRow> {
    cells::read_jsonl(text)
}

/// Write views as CSV; fields outside the caller's tiers were never in the views.
pub fn write_csv(views: &[RequestView]) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    cells::write_export_header(&mut writer, IMPORT_COLUMNS)?;
    for r in views {
        let contact = r.contact.clone();
        cells::write_row(
            &mut writer,
            [
                r.id.to_string(),
                r.code.clone(),
                cell(&r.organization_id),
                cell(&r.organization_name),
                r.status.to_string(),
                r.disclosed_tier.clone(),
                r.kind.to_string(),
                r.lang.to_string(),
                r.title.clone(),
                r.problem.clone(),
                cell(&r.requirements),
                cell(&r.confidential_details),
                join(&r.keywords),
                join(&r.sci_fields),
                cell(&r.trl_min),
                cell(&r.budget_min_vnd),
                cell(&r.budget_max_vnd),
                cell(&r.deadline),
                join(&r.accepted_cooperation_types),
                r.ip_expectation.to_string(),
                r.anonymous.to_string(),
                r.origin.to_string(),
                r.province_code.to_string(),
                contact.as_ref().map(|c| cell(&c.name)).unwrap_or_default(),
                contact.as_ref().map(|c| cell(&c.email)).unwrap_or_default(),
                contact.as_ref().map(|c| cell(&c.phone)).unwrap_or_default(),
                r.published_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                r.valid_until.map(|t| t.to_rfc3339()).unwrap_or_default(),
                r.updated_at.to_rfc3339(),
            ],
        )?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Write views as JSON Lines.
pub fn write_jsonl(views: &[RequestView]) -> Result<String, serde_json::Error> {
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
            "id,code,organization_id,organization_name,status,disclosed_tier,kind,lang,title,problem,requirements,confidential_details,keywords,sci_fields,trl_min,budget_min_vnd,budget_max_vnd,deadline,accepted_cooperation_types,ip_expectation,anonymous,origin,province_code,contact_name,contact_email,contact_phone,published_at,valid_until,updated_at"
        );
    }

    #[test]
    fn a_request_row_reads_dates_booleans_and_lists() {
        let text = "kind,title,problem,sci_fields,deadline,anonymous,accepted_cooperation_types\n\
            technology_acquisition,Cần máy sấy,Hợp tác xã cần sấy 5 tấn lúa mỗi mẻ.,4.1,2027-06-30,có,license;technical_services\n";
        let rows = read_csv(text).unwrap();
        let form = rows[0].1.as_ref().unwrap();
        assert!(form.anonymous);
        assert_eq!(form.deadline.unwrap().to_string(), "2027-06-30");
        assert_eq!(form.accepted_cooperation_types.len(), 2);
    }

    #[test]
    fn a_bad_date_and_a_bad_boolean_are_field_errors() {
        let text = "title,problem,deadline,anonymous\nT,P,30/06/2027,maybe\n";
        let rows = read_csv(text).unwrap();
        let errors = rows[0].1.as_ref().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["deadline", "anonymous"]);
    }
}
