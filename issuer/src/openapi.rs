//! The OpenAPI 3.1 description of the issuer's HTTP interface (`issuer/openapi.json`).

/// The document, served at `/api/openapi.json`.
pub const DOCUMENT: &str = include_str!("../openapi.json");
