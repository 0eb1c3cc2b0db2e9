//! `regie-issuer`: the municipality's side of Regie.
pub mod credentials;
pub mod keys;
pub mod openapi;
pub mod person;
pub mod service;
pub mod store;
