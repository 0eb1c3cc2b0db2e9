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
pub mod numeric_date;
pub mod oid4vci;
pub mod oid4vp;
pub mod sd_jwt;
pub mod sd_jwt_vc;
pub mod statements;
pub mod status_list;
pub mod trust;

/// Whether a URL a wallet is told to fetch (offer or request URI) is acceptable: https, or
/// plain http to this machine's loopback when `allow_http_loopback` is set (tests, local demo).
pub fn is_fetchable_url(url: &str, allow_http_loopback: bool) -> bool {
    const LOOPBACK: [&str; 4] = [
        "http://127.0.0.1:",
        "http://127.0.0.1/",
        "http://localhost:",
        "http://localhost/",
    ];
    url.starts_with("https://")
        || (allow_http_loopback && LOOPBACK.iter().any(|p| url.starts_with(p)))
}
