//! `regie-issuer`: the municipality's side of Regie.
pub mod cases;
pub mod credentials;
pub mod documents;
pub mod health;
pub mod keys;
pub mod life_events;
pub mod openapi;
pub mod pdf;
pub mod person;
pub mod portal;
pub mod service;
pub mod store;
