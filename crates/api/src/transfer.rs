//! Shared plumbing of imports (multipart uploads) and exports (file responses).

use crate::error::ApiError;
use actix_multipart::Multipart;
use actix_web::HttpResponse;
use actix_web::http::header;
use futures_util::StreamExt;
use serde::Deserialize;
use techx_accounts::Actor;
use techx_catalogue::records::{ExportFormat, RecordError, owner_of_new};
use techx_core::{ErrorCode, FieldError, OrganizationId};
use utoipa::ToSchema;

/// Largest import file.
pub const IMPORT_LIMIT: usize = 10 * 1024 * 1024;

/// The multipart form of an import.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct ImportUpload {
    /// The file: CSV with a header row, or JSON Lines.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// `csv` or `jsonl`; guessed from the file name when absent.
    pub format: Option<ExportFormat>,
    /// The organization the records belong to; may be left out when the caller edits for one.
    pub organization_id: Option<i64>,
}

/// `?format=` of an export.
#[derive(Debug, Deserialize)]
pub struct FormatQuery {
    pub format: Option<ExportFormat>,
}

/// A read upload.
pub struct Upload {
    pub text: String,
    pub format: ExportFormat,
    pub organization_id: Option<OrganizationId>,
}

fn invalid(field: &str, code: &str, message: impl Into<String>) -> ApiError {
    ApiError {
        details: vec![FieldError::new(field, code, message)],
        ..ApiError::invalid("the upload is not valid")
    }
}

async fn read_field(field: &mut actix_multipart::Field, limit: usize) -> Result<Vec<u8>, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|e| ApiError::invalid(format!("cannot read the upload: {e}")))?;
        if bytes.len() + chunk.len() > limit {
            return Err(ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("the file is larger than {} MiB", limit / (1024 * 1024)),
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Read the `file`, `format` and `organization_id` parts of an import.
pub async fn read_upload(mut payload: Multipart) -> Result<Upload, ApiError> {
    let mut file: Option<(Vec<u8>, Option<String>)> = None;
    let mut format: Option<String> = None;
    let mut organization: Option<String> = None;
    while let Some(field) = payload.next().await {
        let mut field =
            field.map_err(|e| ApiError::invalid(format!("invalid multipart body: {e}")))?;
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" => {
                let filename = field
                    .content_disposition()
                    .and_then(|d| d.get_filename())
                    .map(str::to_owned);
                file = Some((read_field(&mut field, IMPORT_LIMIT).await?, filename));
            }
            "format" => {
                format = Some(
                    String::from_utf8_lossy(&read_field(&mut field, 64).await?)
                        .trim()
                        .to_owned(),
                )
            }
            "organization_id" => {
                organization = Some(
                    String::from_utf8_lossy(&read_field(&mut field, 64).await?)
                        .trim()
                        .to_owned(),
                )
            }
            other => {
                return Err(invalid(
                    other,
                    "unknown_field",
                    format!("unknown form field `{other}`"),
                ));
            }
        }
    }
    let (bytes, filename) =
        file.ok_or_else(|| invalid("file", "required", "the form needs a `file` part"))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| invalid("file", "encoding", "the file must be UTF-8"))?;
    let format = match format.as_deref().filter(|f| !f.is_empty()) {
        Some("csv") => ExportFormat::Csv,
        Some("jsonl") => ExportFormat::Jsonl,
        Some(other) => {
            return Err(invalid(
                "format",
                "unknown_code",
                format!("format must be csv or jsonl, not `{other}`"),
            ));
        }
        None => match filename.as_deref() {
            Some(name) if name.ends_with(".jsonl") || name.ends_with(".ndjson") => {
                ExportFormat::Jsonl
            }
            _ => ExportFormat::Csv,
        },
    };
    let organization_id = match organization.as_deref().filter(|o| !o.is_empty()) {
        Some(id) => Some(OrganizationId(id.parse().map_err(|_| {
            invalid(
                "organization_id",
                "format",
                "organization_id must be a number",
            )
        })?)),
        None => None,
    };
    Ok(Upload {
        text,
        format,
        organization_id,
    })
}

/// The organization an import writes to.
pub fn owner_for_import(
    actor: &Actor,
    named: Option<OrganizationId>,
) -> Result<OrganizationId, ApiError> {
    owner_of_new(actor, named).map_err(ApiError::from)
}

/// A file-level problem of an import (missing header, unknown column).
pub fn file_error(error: FieldError) -> ApiError {
    ApiError::from(RecordError::Invalid(vec![error]))
}

/// A failure to write an export (never expected: it writes to memory).
pub fn write_error(error: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("export failed: {error}"))
}

/// The export as a download.
pub fn file_response(name: &str, format: ExportFormat, body: String) -> HttpResponse {
    let (content_type, extension) = match format {
        ExportFormat::Csv => ("text/csv; charset=utf-8", "csv"),
        ExportFormat::Jsonl => ("application/x-ndjson", "jsonl"),
    };
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.{extension}\""),
        ))
        .body(body)
}
