//! `regie-issuer`: the municipality's side of Regie.
pub mod person;
