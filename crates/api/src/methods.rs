//! HTTP methods as a client expects them: `HEAD` wherever `GET` is (the same headers, no body),
//! and `405 Method Not Allowed` with an `Allow` header for a known path asked with another
//! method. The known paths and their methods are read from the OpenAPI document, so a new
//! operation is covered the day it is added.

use crate::error::ApiError;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};
use techx_core::ErrorCode;
use utoipa::openapi::OpenApi as OpenApiDocument;

/// Before routing: answer `HEAD` as `GET` (the HTTP layer knows the request was `HEAD` from the
/// wire and sends the headers without the body), and refuse a method the path does not take
/// with `405` and `Allow`, before any extractor could answer for another route that happens to
/// match (`DELETE /listings/export` is not `DELETE /listings/{id}`).
pub async fn check_method(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    let refusal = req
        .app_data::<web::Data<Routes>>()
        .and_then(|routes| not_allowed(req.method(), req.path(), &routes.allowed(req.path())));
    match refusal {
        Some(response) => Ok(req.into_response(response).map_into_right_body()),
        None => Ok(next.call(req).await?.map_into_left_body()),
    }
}

/// Every path of the API with the methods it answers, from the OpenAPI document.
pub struct Routes {
    paths: Vec<(ResourceDef, bool, Vec<Method>)>,
}

impl Routes {
    /// The routes of `document`, plus the document itself (served, not an operation).
    pub fn of(document: &OpenApiDocument) -> Routes {
        let mut paths: Vec<(ResourceDef, bool, Vec<Method>)> = document
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods = Vec::new();
                let operations = [
                    (&item.get, Method::GET),
                    (&item.post, Method::POST),
                    (&item.put, Method::PUT),
                    (&item.patch, Method::PATCH),
                    (&item.delete, Method::DELETE),
                ];
                for (operation, method) in operations {
                    if operation.is_some() {
                        methods.push(method);
                    }
                }
                if methods.contains(&Method::GET) {
                    methods.insert(1, Method::HEAD);
                }
                (ResourceDef::new(path.as_str()), path.contains('{'), methods)
            })
            .collect();
        paths.push((
            ResourceDef::new("/api/v1/openapi.json"),
            false,
            vec![Method::GET, Method::HEAD],
        ));
        Routes { paths }
    }

    /// The methods `path` answers; empty when no route has this path. A fixed path
    /// (`/listings/export`) wins over a template that also matches it (`/listings/{id}`).
    pub fn allowed(&self, path: &str) -> Vec<Method> {
        let matching: Vec<&(ResourceDef, bool, Vec<Method>)> = self
            .paths
            .iter()
            .filter(|(def, _, _)| def.is_match(path))
            .collect();
        let fixed: Vec<_> = matching.iter().filter(|(_, t, _)| !t).collect();
        let chosen: Vec<_> = if fixed.is_empty() {
            matching.iter().collect()
        } else {
            fixed
        };
        let mut methods: Vec<Method> = Vec::new();
        for (_, _, each) in chosen {
            for method in each {
                if !methods.contains(method) {
                    methods.push(method.clone());
                }
            }
        }
        methods
    }
}

/// `405` with `Allow` when `path` is known but not with `method`; None otherwise.
fn not_allowed(method: &Method, path: &str, allowed: &[Method]) -> Option<HttpResponse> {
    if allowed.is_empty() || allowed.contains(method) {
        return None;
    }
    let allow = allowed
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    let error = ApiError::new(
        ErrorCode::MethodNotAllowed,
        format!("{method} is not allowed on {path}; allowed: {allow}"),
    );
    let mut response = actix_web::ResponseError::error_response(&error);
    if let Ok(value) = header::HeaderValue::from_str(&allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    Some(response)
}

/// What no route answered: a path the API does not have.
pub async fn unrouted() -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(ErrorCode::NotFound, "no such resource"))
}
