//! DCQL, the Digital Credentials Query Language (OpenID4VP 1.0 §6), for `dc+sd-jwt`
//! credentials (Appendix B.3).
//!
//! - [`DcqlQuery::parse`] reads a query from outside (a request object, the verifier's API),
//!   enforces the validity rules of §6 and bounded sizes, and yields a query that serializes
//!   back to the same JSON (minus unknown properties, which §6 says to ignore).
//! - [`match_credentials`] (wallet) finds which held credentials answer each credential
//!   query, which claims to disclose, and whether the credential sets can be satisfied.
//! - [`check_presented`] (verifier) checks that the disclosed claims of a response answer
//!   the query; the verifier must not rely on the wallet for that (§14, "Security Checks
//!   on the Returned Credentials and Presentations").
//!
//! Interpretation choices (where §6 leaves room) are documented on the functions.

mod query;
mod selection;
mod verifier;
mod wallet;

pub use query::{
    ClaimValue, ClaimsQuery, CredentialMeta, CredentialQuery, CredentialSetQuery, DcqlQuery,
    TrustedAuthoritiesQuery,
};
pub use verifier::{check_presented, PresentedCredential, ResponseError};
pub use wallet::{
    match_credentials, Candidate, CredentialSetMatch, DcqlMatch, HeldCredential, QueryMatch,
};

use crate::claim_path::ClaimPathError;

/// Credential format identifier of IETF SD-JWT VC (OpenID4VP 1.0 Appendix B.3.1).
pub const FORMAT_SD_JWT_VC: &str = "dc+sd-jwt";

/// Largest serialized query accepted by [`DcqlQuery::parse`]. Real queries are a few
/// hundred bytes; 16 KiB leaves room for many credential queries while bounding the work
/// a hostile request can cause.
pub const MAX_QUERY_BYTES: usize = 16 * 1024;
/// Most credential queries in one DCQL query.
pub const MAX_CREDENTIAL_QUERIES: usize = 32;
/// Most claims queries in one credential query.
pub const MAX_CLAIMS_PER_QUERY: usize = 64;
/// Most claim sets in one credential query.
pub const MAX_CLAIM_SETS: usize = 32;
/// Most credential set queries in one DCQL query.
pub const MAX_CREDENTIAL_SETS: usize = 16;
/// Most options in one credential set query.
pub const MAX_OPTIONS_PER_SET: usize = 32;
/// Most entries in one claims query's `values`.
pub const MAX_VALUES: usize = 32;
/// Longest credential query or claim identifier.
pub const MAX_ID_LEN: usize = 128;

/// Which bounded collection was too large.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    CredentialQueries,
    Claims,
    ClaimSets,
    ClaimSetMembers,
    CredentialSets,
    Options,
    OptionMembers,
    Values,
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (what, max) = match self {
            Limit::CredentialQueries => ("credential queries", MAX_CREDENTIAL_QUERIES),
            Limit::Claims => ("claims in a credential query", MAX_CLAIMS_PER_QUERY),
            Limit::ClaimSets => ("claim sets in a credential query", MAX_CLAIM_SETS),
            Limit::ClaimSetMembers => ("claim ids in a claim set", MAX_CLAIMS_PER_QUERY),
            Limit::CredentialSets => ("credential sets", MAX_CREDENTIAL_SETS),
            Limit::Options => ("options in a credential set", MAX_OPTIONS_PER_SET),
            Limit::OptionMembers => ("credential ids in an option", MAX_CREDENTIAL_QUERIES),
            Limit::Values => ("values in a claims query", MAX_VALUES),
        };
        write!(f, "more than {max} {what}")
    }
}

/// Why a DCQL query was rejected. Variants carrying a `String` name the offending
/// credential query id (or, for set references, the unknown id).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DcqlError {
    #[error("DCQL query larger than {MAX_QUERY_BYTES} bytes")]
    TooLarge,
    #[error("DCQL query is not well-formed: {0}")]
    Malformed(String),
    #[error("DCQL query has {0}")]
    TooMany(Limit),
    #[error("`credentials` must be a non-empty array")]
    NoCredentialQueries,
    #[error("credential query id {0:?} is not a non-empty string of alphanumerics, '_' and '-'")]
    InvalidCredentialQueryId(String),
    #[error("credential query id {0:?} is used more than once")]
    DuplicateCredentialQueryId(String),
    #[error("credential query {0:?}: `claims` must not be empty")]
    EmptyClaims(String),
    #[error("credential query {query:?}: claim id {claim:?} is not a non-empty string of alphanumerics, '_' and '-'")]
    InvalidClaimId { query: String, claim: String },
    #[error("credential query {query:?}: claim id {claim:?} is used more than once")]
    DuplicateClaimId { query: String, claim: String },
    #[error("credential query {0:?}: every claim needs an id when `claim_sets` is present")]
    MissingClaimId(String),
    #[error("credential query {query:?}: invalid claims path: {source}")]
    InvalidClaimPath {
        query: String,
        source: ClaimPathError,
    },
    #[error("credential query {0:?}: `values` must be a non-empty array")]
    EmptyValues(String),
    #[error("credential query {0:?}: `values` entries must be strings, integers or booleans")]
    InvalidValue(String),
    #[error("credential query {0:?}: `claim_sets` requires `claims`")]
    ClaimSetsWithoutClaims(String),
    #[error("credential query {0:?}: `claim_sets` must be a non-empty array")]
    EmptyClaimSets(String),
    #[error("credential query {query:?}: claim set refers to unknown claim id {claim:?}")]
    UnknownClaimId { query: String, claim: String },
    #[error("credential query {0:?}: format dc+sd-jwt requires `meta.vct_values`")]
    MissingVctValues(String),
    #[error(
        "credential query {0:?}: `meta.vct_values` must be a non-empty array of non-empty strings"
    )]
    InvalidVctValues(String),
    /// Appendix B.2.3 (`mso_mdoc`: `doctype_value`, a string) and B.1.1 (`jwt_vc_json`,
    /// `ldp_vc`: `type_values`, a non-empty array of non-empty arrays of strings).
    #[error("credential query {0:?}: `meta` does not have the form its format requires")]
    InvalidMeta(String),
    #[error("credential query {0:?}: `trusted_authorities` must be a non-empty array of objects with non-empty `values`")]
    InvalidTrustedAuthorities(String),
    #[error("`credential_sets` must be a non-empty array")]
    EmptyCredentialSets,
    #[error("credential set {0}: `options` must be a non-empty array")]
    EmptyOptions(usize),
    #[error("credential set {0}: every option must be a non-empty array")]
    EmptyOption(usize),
    #[error("credential set refers to unknown credential query id {0:?}")]
    UnknownCredentialQueryId(String),
}
