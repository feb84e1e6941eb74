//! The code lists, with Vietnamese and English labels. They change only with a release, so
//! they are rendered once and served with an ETag.

use crate::error::{ApiError, ErrorBody};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::LazyLock;
use techx_core::ErrorCode;
use techx_core::codes::{CodeLabel, taxonomies};
use techx_core::page::Page;

struct Rendered {
    body: String,
    etag: String,
}

fn render(value: &impl serde::Serialize) -> Rendered {
    let body = serde_json::to_string(value).unwrap_or_default();
    let mut hasher = DefaultHasher::new();
    body.hash(&mut hasher);
    Rendered {
        etag: format!("\"{:016x}\"", hasher.finish()),
        body,
    }
}

static ALL: LazyLock<Rendered> = LazyLock::new(|| {
    let lists: BTreeMap<&str, Vec<CodeLabel>> = taxonomies().into_iter().collect();
    render(&lists)
});

/// Each list is one page holding every code (`limit` is the whole list).
static EACH: LazyLock<BTreeMap<&'static str, Rendered>> = LazyLock::new(|| {
    taxonomies()
        .into_iter()
        .map(|(name, labels)| {
            let total = labels.len() as i64;
            let page = Page {
                items: labels,
                total,
                limit: total,
                offset: 0,
            };
            (name, render(&page))
        })
        .collect()
});

fn respond(req: &HttpRequest, rendered: &Rendered) -> HttpResponse {
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|t| t.trim() == rendered.etag || t.trim() == "*")
        });
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, rendered.etag.clone()))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"));
    if fresh {
        response.finish()
    } else {
        response
            .content_type("application/json")
            .body(rendered.body.clone())
    }
}

/// Every code list, by name, with Vietnamese and English labels.
///
/// Cacheable: send `If-None-Match` with the ETag to get 304 when nothing changed.
#[utoipa::path(
    tag = "taxonomies",
    responses(
        (status = 200, description = "Code lists by name", body = BTreeMap<String, Vec<CodeLabel>>, headers(("ETag" = String))),
        (status = 304, description = "Not modified since the ETag in If-None-Match"),
    )
)]
#[get("/taxonomies")]
pub async fn list_taxonomies(req: HttpRequest) -> HttpResponse {
    respond(&req, &ALL)
}

/// Get one code list.
///
/// Every code of the list with its Vietnamese and English labels, in one page (`limit` is the whole
/// list). Cacheable: send `If-None-Match` with the ETag to get 304.
#[utoipa::path(
    tag = "taxonomies",
    params(("name" = String, Path, description = "Code list name, e.g. `sci_field`, `province`, `cooperation_type`")),
    responses(
        (status = 200, description = "The codes with labels, all in one page", body = Page<CodeLabel>, headers(("ETag" = String))),
        (status = 304, description = "Not modified since the ETag in If-None-Match"),
        (status = 404, description = "No code list of that name", body = ErrorBody),
    )
)]
#[get("/taxonomies/{name}")]
pub async fn get_taxonomy(
    req: HttpRequest,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let rendered = EACH.get(name.as_str()).ok_or_else(|| {
        ApiError::new(ErrorCode::NotFound, format!("no code list named `{name}`"))
    })?;
    Ok(respond(&req, rendered))
}
