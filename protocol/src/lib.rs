//! Regie's wire formats, shared by issuer, wallet and verifier.
//!
//! Pure: no network, no files, no clock reads. Time is passed in by the caller (Unix
//! seconds) so that expiry and freshness are testable; randomness comes from the operating
//! system's CSPRNG through `ring` unless a caller injects it (tests reproducing published
//! examples).
pub mod claim_path;
pub mod claim_text;
pub mod credential_types;
pub mod dates;
pub mod dcql;
pub mod document;
pub mod jose;
pub mod json;
pub mod numeric_date;
pub mod oid4vci;
pub mod oid4vp;
pub mod sd_jwt;
pub mod sd_jwt_vc;
pub mod statements;
pub mod status_list;
pub mod trust;
pub mod url_policy;
pub mod wipe;

pub use url_policy::{check_fetchable_url, is_fetchable_url};
