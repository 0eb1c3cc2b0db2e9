//! Signed consent statements ("toestemmingsverklaringen"): when a session carried
//! transaction data, the wallet's presentations are the citizen's signature on it. They are
//! kept and handed out as a file that anyone holding it can have re-verified later, as of
//! the moment of signing: the relying party's signed request object (its attestation by the
//! trust anchor, its signature by the attested key) binds who asked, for which purpose, with
//! which nonce and statements; the issuer's signature binds the credential; the citizen's key
//! binding binds the nonce, the audience and the hash of every statement shown.
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use protocol::credential_types::Lang;
use protocol::jose::PublicJwk;
use protocol::oid4vp::verify_request;
use protocol::sd_jwt::KbExpectation;
use protocol::statements::parse_entry;
use protocol::trust::{VerifiedTrustList, CLOCK_SKEW};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::registry::RelyingParty;
use crate::service::{no_store, Shared};
use crate::sessions::Session;
use crate::transaction_data::{TransactionData, Unanswered};
use crate::verify::{
    verify_trusted_presentation, PresentationFault, KB_MAX_AGE, MAX_PRESENTATIONS,
};

/// The file's `type`.
pub const FILE_TYPE: &str = "regie-toestemmingsverklaring";
/// Version 2 carries the signed request object; version 1 files bound neither purpose nor
/// party and are no longer accepted.
pub const FILE_VERSION: u32 = 2;

/// A consent statement as a file. `client_id`, `purpose`, `nonce` and `transaction_data`
/// repeat what `request` says, for people reading the file; they must match it.
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
    /// The signed request object the wallet answered.
    #[serde(default)]
    pub request: String,
}

impl StatementFile {
    /// The file for a finished session that carried transaction data.
    pub fn from_session(session: &Session, party: &RelyingParty) -> Option<StatementFile> {
        let vp_token = session.presentations.as_ref()?.as_object()?.clone();
        Some(StatementFile {
            file_type: FILE_TYPE.into(),
            version: FILE_VERSION,
            client_id: party.prefixed_client_id(),
            purpose: session.purpose.clone(),
            nonce: session.nonce.clone(),
            signed_at: session.answered_at?,
            transaction_data: session.transaction_data.clone(),
            vp_token,
            request: session.request_object.clone()?,
        })
    }
}

/// Why a statement file does not verify. The texts name the rule, never the data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    #[error("this is not a Regie consent statement file (of version 2)")]
    NotAStatement,
    #[error("the relying party's signed request does not verify: {0}")]
    Request(String),
    #[error("the file's {0} differs from the signed request")]
    NotAsSigned(&'static str),
    #[error("the purpose is not in the relying party's registration")]
    UnknownPurpose,
    #[error("the statement carries no statement text bound to a presentation")]
    NoStatement,
    #[error("a presentation answers no query of the signed request")]
    UnknownQuery,
    #[error(transparent)]
    Unanswered(#[from] Unanswered),
    #[error("the statement's time of signing is in the future")]
    FutureDate,
    #[error("too many presentations")]
    TooMany,
    #[error("a presentation does not verify: {0}")]
    Presentation(String),
    #[error("issuer is not on the trust list for this credential type")]
    UntrustedIssuer,
    #[error("a statement is not of a type Regie knows: {0}")]
    UnknownStatement(protocol::statements::StatementError),
}

/// One signed statement, in Regie's own words (as the citizen's wallet showed it).
#[derive(Clone, Debug, Serialize)]
pub struct SignedStatement {
    #[serde(rename = "type")]
    pub type_id: String,
    /// The sentence in Dutch, …
    pub text: String,
    /// … and in English.
    pub text_en: String,
    /// The signed transaction data entry itself.
    pub entry: Value,
}

/// What a verified statement says.
#[derive(Clone, Debug, Serialize)]
pub struct VerifiedStatement {
    pub relying_party: String,
    /// The party's client identifier as it signed the request (prefix included), so that a
    /// back-end can tell its own statements from another party's.
    pub client_id: String,
    pub purpose: String,
    pub signed_at: u64,
    /// The statements, each as its sentence and its signed entry.
    pub statements: Vec<SignedStatement>,
    /// The signer's disclosed attributes.
    pub signer: Map<String, Value>,
    pub issuer_name: Option<String>,
}

/// Re-verifies a statement file as of its moment of signing; `now` only bounds that moment.
/// `anchor` is the trust anchor that attests relying parties.
pub fn verify_statement(
    file: &StatementFile,
    anchor: &PublicJwk,
    trust: &VerifiedTrustList,
    now: u64,
) -> Result<VerifiedStatement, StatementError> {
    if file.file_type != FILE_TYPE || file.version != FILE_VERSION {
        return Err(StatementError::NotAStatement);
    }
    if file.signed_at > now + CLOCK_SKEW {
        return Err(StatementError::FutureDate);
    }
    // Who asked, why and what: only as the party signed it, with an attestation that was
    // valid then.
    let request = verify_request(&file.request, anchor, file.signed_at)
        .map_err(|e| StatementError::Request(e.to_string()))?;
    let signed = &request.request;
    if signed.client_id != file.client_id {
        return Err(StatementError::NotAsSigned("client_id"));
    }
    if signed.nonce != file.nonce {
        return Err(StatementError::NotAsSigned("nonce"));
    }
    if signed.purpose.as_deref() != Some(file.purpose.as_str()) {
        return Err(StatementError::NotAsSigned("purpose"));
    }
    let transaction_data = TransactionData::from_request(&request);
    if transaction_data.values() != file.transaction_data {
        return Err(StatementError::NotAsSigned("transaction_data"));
    }
    if transaction_data.is_empty() {
        return Err(StatementError::NoStatement);
    }
    let registration = request.attestation.registration();
    let purpose = registration
        .purpose(&file.purpose)
        .ok_or(StatementError::UnknownPurpose)?;
    let mut total = 0;
    for list in file.vp_token.values() {
        let list = list.as_array().ok_or(StatementError::NotAStatement)?;
        total += list.len();
    }
    if total > MAX_PRESENTATIONS {
        return Err(StatementError::TooMany);
    }
    transaction_data.check_answered(&file.vp_token)?;
    let mut signer = Map::new();
    let mut issuer_name = None;
    for (query_id, list) in &file.vp_token {
        if signed.dcql_query.credential(query_id).is_none() {
            return Err(StatementError::UnknownQuery);
        }
        let hashes = transaction_data.hashes_for(query_id);
        for raw in list.as_array().into_iter().flatten() {
            let raw = raw.as_str().ok_or(StatementError::NotAStatement)?;
            let expected = KbExpectation {
                aud: &signed.client_id,
                nonce: &signed.nonce,
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
    if signer.is_empty() {
        return Err(StatementError::NoStatement);
    }
    let statements = file
        .transaction_data
        .iter()
        .map(|entry| {
            let parsed = parse_entry(entry).map_err(StatementError::UnknownStatement)?;
            Ok(SignedStatement {
                type_id: parsed.statement.type_id().to_owned(),
                text: parsed.statement.sentence(Lang::Nl),
                text_en: parsed.statement.sentence(Lang::En),
                entry: entry.clone(),
            })
        })
        .collect::<Result<Vec<_>, StatementError>>()?;
    Ok(VerifiedStatement {
        relying_party: registration.legal_name.clone(),
        client_id: signed.client_id.clone(),
        purpose: purpose.name.nl.clone(),
        signed_at: file.signed_at,
        statements,
        signer,
        issuer_name,
    })
}

/// Parses and verifies a statement file's bytes with the service's trust anchor and trust list.
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
        &verifier.trust_anchor,
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
