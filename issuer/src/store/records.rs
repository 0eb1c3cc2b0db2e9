//! What the issuer keeps, as the store sees it. Offers, tokens and credential copies are
//! the store's own records; consent cases and correction requests belong to other modules,
//! so the store keeps them as their JSON text with the fields it finds them by.
use serde::{Deserialize, Serialize};

use super::STATUS_LIST_ID;

/// A credential offer waiting to be collected.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OfferRecord {
    pub id: String,
    pub bsn: String,
    pub credential_type: String,
    pub tx_code: Option<String>,
    pub expires_at: u64,
    /// Set once the wallet has collected the credentials.
    #[serde(default)]
    pub collected: bool,
    /// The offer JSON, served at `/offers/{id}` for offers by reference.
    #[serde(default)]
    pub offer_json: Option<String>,
}

/// An access token from the token endpoint.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TokenRecord {
    pub offer_id: String,
    pub bsn: String,
    pub credential_type: String,
    pub expires_at: u64,
    /// The grant this token belongs to: the first offer a wallet collected, carried through
    /// every renewal, so a revocation can end that wallet's renewals and no other.
    #[serde(default)]
    pub grant: String,
}

/// What a refresh token may fetch: fresh copies of one credential type for one person.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RefreshRecord {
    pub bsn: String,
    pub credential_type: String,
    pub expires_at: u64,
    /// See [`TokenRecord::grant`].
    #[serde(default)]
    pub grant: String,
}

/// One issued credential copy.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CredentialRecord {
    pub id: String,
    pub offer_id: String,
    pub bsn: String,
    pub credential_type: String,
    pub status_idx: u64,
    /// Which status list holds `status_idx` (records from before lists rolled over: "1").
    #[serde(default = "first_list")]
    pub status_list: String,
    pub issued_at: u64,
    pub expires_at: u64,
    #[serde(default)]
    pub revoked: bool,
    /// See [`TokenRecord::grant`]; empty for printed documents and older records (then the
    /// offer is the grant).
    #[serde(default)]
    pub grant: String,
}

impl CredentialRecord {
    /// The grant that brought this copy: renewals of it end when it is revoked as lost.
    pub fn grant(&self) -> &str {
        if self.grant.is_empty() {
            &self.offer_id
        } else {
            &self.grant
        }
    }
}

fn first_list() -> String {
    STATUS_LIST_ID.to_owned()
}

/// A login begun at the OpenID Connect provider and not yet come back (kept by the digest
/// of its `state`): what finishing it needs, as JSON, and until when it may come back.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LoginAttemptRow {
    pub expires_at: u64,
    pub data: String,
}

/// A citizen logged in at the portal (kept by the digest of the login's cookie).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Login {
    pub bsn: String,
    pub expires_at: u64,
}

/// A consent case as kept: its JSON text and what it is found by.
pub struct CaseRow<'a> {
    pub case_ref: &'a str,
    /// The person the case is about (the applicant, or the child).
    pub subject_bsn: &'a str,
    /// The digest of the share link's token: a copy of the database holds no usable link.
    pub token_key: &'a str,
    pub created_at: u64,
    pub json: &'a str,
}

/// A verifier session of a case, and whether the case still follows it.
pub struct CaseSessionRow<'a> {
    pub session_id: &'a str,
    pub settled: bool,
}

/// A correction request as kept: its JSON text and what it is found by.
pub struct CorrectionRow<'a> {
    pub id: &'a str,
    pub bsn: &'a str,
    pub created_at: u64,
    pub json: &'a str,
}
