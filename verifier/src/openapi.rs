//! The OpenAPI 3.1 document of the session and document API.
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The document, as committed in `verifier/openapi.json`.
pub const DOCUMENT: &str = include_str!("../openapi.json");

pub async fn serve() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT).into_response()
}
