//! `regie-issuer`: the municipality's side of Regie.
mod back_office;
pub mod cases;
pub mod credentials;
pub mod documents;
pub mod health;
pub mod keys;
pub mod life_events;
pub mod not_durable;
pub mod oidc;
pub mod openapi;
pub mod pdf;
pub mod person;
pub mod portal;
pub mod routes;
pub mod service;
pub mod store;
pub mod store_failure;
mod vci_endpoints;
