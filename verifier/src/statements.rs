//! Signed consent statements ("toestemmingsverklaringen"): when a session carried
//! transaction data, the wallet's presentations are the citizen's signature on it. They are
//! kept and handed out as a file that anyone holding it can have re-verified later: the
//! issuer's signature on the credential, the citizen's key binding over the statement's
//! hash, the audience and nonce of the original request, all as of the moment of signing.
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use protocol::sd_jwt::KbExpectation;
use protocol::trust::{VerifiedTrustList, CLOCK_SKEW};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::registry::{Registry, RelyingParty};
use crate::service::{no_store, Shared};
use crate::sessions::Session;
use crate::verify::{
    expected_hashes, verify_trusted_presentation, PresentationFault, KB_MAX_AGE, MAX_PRESENTATIONS,
};

/// The file's `type`.
pub const FILE_TYPE: &str = "regie-toestemmingsverklaring";

/// A consent statement as a file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StatementFile {
    #[serde(rename = "type")]
    pub file_type: String,
    pub version: u32,
    /// The relying party's client identifier, prefix included (the key binding's `aud`).
    pub client_id: String,
    pub purpose: String,
    pub nonce: String,
    /// When the verifier received and verified the answer.
    pub signed_at: u64,
    pub transaction_data: Vec<Value>,
    pub vp_token: Map<String, Value>,
}

impl StatementFile {
    /// The file for a finished session that carried transaction data.
    pub fn from_session(session: &Session, party: &RelyingParty) -> Option<StatementFile> {
        let vp_token = session.presentations.as_ref()?.as_object()?.clone();
        Some(StatementFile {
            file_type: FILE_TYPE.into(),
            version: 1,
            client_id: party.prefixed_client_id(),
            purpose: session.purpose.clone(),
            nonce: session.nonce.clone(),
            signed_at: session.answered_at?,
            transaction_data: session.transaction_data.clone(),
            vp_token,
        })
    }
}

/// Why a statement file does not verify. The texts name the rule, never the data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    #[error("this is not a Regie consent statement file")]
    NotAStatement,
    #[error("the statement is for a relying party this verifier does not know")]
    UnknownParty,
    #[error("the statement carries no statement text bound to a presentation")]
    NoStatement,
    #[error("the statement's time of signing is in the future")]
    FutureDate,
    #[error("too many presentations")]
    TooMany,
    #[error("a presentation does not verify: {0}")]
    Presentation(String),
    #[error("issuer is not on the trust list for this credential type")]
    UntrustedIssuer,
}

/// What a verified statement says.
#[derive(Clone, Debug, Serialize)]
pub struct VerifiedStatement {
    pub relying_party: String,
    pub purpose: String,
    pub signed_at: u64,
    /// The statements' texts (or the whole entry when it has no `text`).
    pub statements: Vec<Value>,
    /// The signer's disclosed attributes.
    pub signer: Map<String, Value>,
    pub issuer_name: Option<String>,
}

/// Re-verifies a statement file as of its moment of signing; `now` only bounds that moment.
pub fn verify_statement(
    file: &StatementFile,
    registry: &Registry,
    trust: &VerifiedTrustList,
    now: u64,
) -> Result<VerifiedStatement, StatementError> {
    if file.file_type != FILE_TYPE || file.version != 1 {
        return Err(StatementError::NotAStatement);
    }
    let party = registry
        .parties()
        .iter()
        .find(|p| p.prefixed_client_id() == file.client_id)
        .ok_or(StatementError::UnknownParty)?;
    if file.signed_at > now + CLOCK_SKEW {
        return Err(StatementError::FutureDate);
    }
    let total: usize = file
        .vp_token
        .values()
        .map(|v| v.as_array().map_or(0, Vec::len))
        .sum();
    if total > MAX_PRESENTATIONS {
        return Err(StatementError::TooMany);
    }
    let mut signer = Map::new();
    let mut issuer_name = None;
    let mut bound = false;
    for (query_id, list) in &file.vp_token {
        let hashes = expected_hashes(&file.transaction_data, query_id);
        bound |= hashes.is_some();
        for raw in list
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            let expected = KbExpectation {
                aud: &file.client_id,
                nonce: &file.nonce,
                now: file.signed_at,
                max_age: KB_MAX_AGE,
                future_skew: CLOCK_SKEW,
                transaction_data_hashes: hashes.as_deref(),
            };
            let presentation = verify_trusted_presentation(raw, trust, &expected).map_err(
                |fault| match fault {
                    PresentationFault::Invalid(reason) => StatementError::Presentation(reason),
                    PresentationFault::Untrusted => StatementError::UntrustedIssuer,
                },
            )?;
            let credential = &presentation.credential;
            issuer_name = trust.issuer(credential.issuer()).map(|i| i.name.nl.clone());
            signer.extend(credential.attributes());
        }
    }
    if !bound || signer.is_empty() {
        return Err(StatementError::NoStatement);
    }
    Ok(VerifiedStatement {
        relying_party: party.registration.legal_name.clone(),
        purpose: party
            .registration
            .purpose(&file.purpose)
            .map(|p| p.name.nl.clone())
            .unwrap_or_else(|| file.purpose.clone()),
        signed_at: file.signed_at,
        statements: file
            .transaction_data
            .iter()
            .map(|t| t.get("text").cloned().unwrap_or_else(|| t.clone()))
            .collect(),
        signer,
        issuer_name,
    })
}

/// Parses and verifies a statement file's bytes with the service's registry and trust list.
pub fn check_bytes(
    verifier: &crate::service::Verifier,
    body: &[u8],
) -> Result<Result<VerifiedStatement, StatementError>, Response> {
    let trust = verifier.trust_list()?;
    let Ok(file) = serde_json::from_slice::<StatementFile>(body) else {
        return Ok(Err(StatementError::NotAStatement));
    };
    Ok(verify_statement(
        &file,
        &verifier.registry,
        &trust,
        verifier.clock.now(),
    ))
}

/// `POST /api/statements/verify`: a statement file → `{"valid": true, ...}` or
/// `{"valid": false, "error"}` with status 422.
pub async fn verify_handler(State(verifier): State<Shared>, body: Bytes) -> Response {
    match check_bytes(&verifier, &body) {
        Err(r) => r,
        Ok(Ok(statement)) => {
            let mut out = json!({"valid": true});
            if let (Value::Object(o), Ok(Value::Object(s))) =
                (&mut out, serde_json::to_value(&statement))
            {
                o.extend(s);
            }
            no_store(Json(out))
        }
        Ok(Err(e)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            no_store(Json(json!({"valid": false, "error": e.to_string()}))),
        )
            .into_response(),
    }
}
