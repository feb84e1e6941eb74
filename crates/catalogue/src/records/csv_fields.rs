//! Helpers for the CSV form of records: UTF-8, Excel's byte-order mark tolerated, list fields
//! separated by `;`.

use std::str::FromStr;
use techx_core::FieldError;
use techx_core::error::Validator;

/// A numbered row of an import file (data rows count from 1) with its value or problems.
pub type Row<T> = (usize, Result<T, Vec<FieldError>>);

/// One data row with its header, read by column name.
pub struct CsvRow<'a> {
    pub headers: &'a csv::StringRecord,
    pub record: &'a csv::StringRecord,
}

impl<'a> CsvRow<'a> {
    pub fn get(&self, name: &str) -> Option<&'a str> {
        let index = self.headers.iter().position(|h| h.trim() == name)?;
        self.record.get(index)
    }
}

/// Read a CSV file: check the header against `columns`, then parse each row with
/// `parse_row`. Rows are numbered from 1, not counting the header.
pub fn read<T>(
    text: &str,
    columns: &[&str],
    parse_row: impl Fn(&CsvRow<'_>) -> Result<T, Vec<FieldError>>,
) -> Result<Vec<Row<T>>, FieldError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(strip_bom(text).as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| FieldError::new("file", "format", format!("cannot read the header row: {e}")))?
        .clone();
    for header in &headers {
        if !columns.contains(&header.trim()) {
            return Err(FieldError::new(
                "file",
                "unknown_column",
                format!("unknown column `{header}`"),
            ));
        }
    }
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let parsed = match record {
            Ok(record) => parse_row(&CsvRow {
                headers: &headers,
                record: &record,
            }),
            Err(e) => Err(vec![FieldError::new("row", "format", e.to_string())]),
        };
        rows.push((index + 1, parsed));
    }
    Ok(rows)
}

/// Read JSON Lines: one object per non-blank line, numbered from 1.
pub fn read_jsonl<T: serde::de::DeserializeOwned>(text: &str) -> Vec<Row<T>> {
    strip_bom(text)
        .lines()
        .filter(|line| !line.trim().is_empty())
        .enumerate()
        .map(|(index, line)| {
            let parsed = serde_json::from_str::<T>(line).map_err(|e| {
                vec![FieldError::new(
                    "row",
                    "format",
                    format!("invalid JSON: {e}"),
                )]
            });
            (index + 1, parsed)
        })
        .collect()
}

/// Write rows as JSON Lines.
pub fn write_jsonl<T: serde::Serialize>(rows: &[T]) -> Result<String, serde_json::Error> {
    let mut out = String::new();
    for row in rows {
        out.push_str(&serde_json::to_string(row)?);
        out.push('\n');
    }
    Ok(out)
}

/// Separator of list values inside one CSV cell.
pub const LIST_SEPARATOR: char = ';';

/// Strip a UTF-8 byte-order mark (Excel writes one).
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Characters that make a spreadsheet read a cell as a formula when they start it (OWASP,
/// "CSV injection").
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell a spreadsheet will not run: one that starts like a formula gets a leading
/// apostrophe, which spreadsheets show as text and the import takes off again. Every export
/// writes its cells through this.
pub fn spreadsheet_safe(cell: String) -> String {
    if cell.starts_with(FORMULA_STARTS) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// A cell as written before [`spreadsheet_safe`] protected it.
fn unprotected(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => value,
    }
}

/// Columns an export writes before a record's own: who it is and where it stands.
pub const IDENTITY_COLUMNS: [&str; 6] = [
    "id",
    "code",
    "organization_id",
    "organization_name",
    "status",
    "disclosed_tier",
];

/// Columns an export writes after a record's own.
pub const LIFECYCLE_COLUMNS: [&str; 3] = ["published_at", "valid_until", "updated_at"];

/// The header row of an export: the identity columns, the record's import columns (in their
/// order), the lifecycle columns.
pub fn write_export_header<W: std::io::Write>(
    writer: &mut csv::Writer<W>,
    import_columns: &[&str],
) -> Result<(), csv::Error> {
    let columns = IDENTITY_COLUMNS
        .iter()
        .chain(import_columns)
        .chain(&LIFECYCLE_COLUMNS);
    writer.write_record(columns)
}

/// Write one data row, every cell spreadsheet-safe.
pub fn write_row<W: std::io::Write, const N: usize>(
    writer: &mut csv::Writer<W>,
    cells: [String; N],
) -> Result<(), csv::Error> {
    writer.write_record(cells.map(spreadsheet_safe))
}

/// A text cell: blank is None.
pub fn text(value: Option<&str>) -> Option<String> {
    value
        .map(unprotected)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// A list cell: values separated by `;`, blanks dropped.
pub fn list(value: Option<&str>) -> Vec<String> {
    unprotected(value.unwrap_or_default())
        .split(LIST_SEPARATOR)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A code cell.
pub fn code<T: FromStr>(v: &mut Validator, field: &str, value: Option<&str>) -> Option<T> {
    let value = text(value)?;
    v.check(techx_core::validate::code(field, &value))
}

/// A list of codes.
pub fn codes<T: FromStr>(v: &mut Validator, field: &str, value: Option<&str>) -> Vec<T> {
    list(value)
        .iter()
        .filter_map(|code| v.check(techx_core::validate::code(field, code)))
        .collect()
}

/// An integer cell (spaces and thousands separators `.`/`,` are not allowed: amounts are
/// plain digits).
pub fn integer<T: FromStr>(v: &mut Validator, field: &str, value: Option<&str>) -> Option<T> {
    let value = text(value)?;
    match value.parse() {
        Ok(number) => Some(number),
        Err(_) => {
            v.push(FieldError::new(
                field,
                "format",
                format!("{field} must be a whole number"),
            ));
            None
        }
    }
}

/// A yes/no cell: `true`/`false`, `1`/`0`, `yes`/`no`, `có`/`không`.
pub fn boolean(v: &mut Validator, field: &str, value: Option<&str>) -> Option<bool> {
    let value = text(value)?.to_lowercase();
    match value.as_str() {
        "true" | "1" | "yes" | "có" | "co" => Some(true),
        "false" | "0" | "no" | "không" | "khong" => Some(false),
        _ => {
            v.push(FieldError::new(
                field,
                "format",
                format!("{field} must be true or false"),
            ));
            None
        }
    }
}

/// Join list values into one cell.
pub fn join<T: ToString>(values: &[T]) -> String {
    values
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(&LIST_SEPARATOR.to_string())
}

/// An optional value as a cell.
pub fn cell<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}
