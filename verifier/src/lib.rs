//! The relying parties' service: a housing corporation's or notary's back-end asks for data
//! through a session, the citizen's wallet answers by OpenID4VP, and every presentation is
//! verified in full before the back-end sees a claim. Printed extracts are validated by their
//! signed QR code.
// Handlers return an early `Response` as their error: boxing it would only add noise.
#![allow(clippy::result_large_err)]

pub mod api;
pub mod clock;
pub mod document_api;
pub mod documents;
pub mod health;
pub mod image_pool;
pub mod openapi;
pub mod pages;
pub mod registry;
pub mod service;
pub mod sessions;
pub mod statements;
pub mod status_cache;
pub mod transaction_data;
pub mod verify;
pub mod wallet_endpoints;
