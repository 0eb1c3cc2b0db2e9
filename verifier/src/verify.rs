//! Verifying a wallet's answer in full: for every presentation the issuer's signature and
//! place on the trust list, the SD-JWT and SD-JWT VC rules, the key binding JWT (audience,
//! nonce, freshness, `sd_hash`, transaction data hashes), expiry and the status list; then
//! that the presentations answer the session's DCQL query, and that nothing was disclosed
//! beyond what the relying party is registered for.
use protocol::claim_path::ClaimPath;
use protocol::dcql::{check_presented, DcqlQuery, PresentedCredential, FORMAT_SD_JWT_VC};
use protocol::sd_jwt::KbExpectation;
use protocol::sd_jwt_vc::{verify_presentation, VerifiedPresentation};
use protocol::status_list::Status;
use protocol::trust::{Purpose, VerifiedTrustList, CLOCK_SKEW};
use serde_json::{Map, Value};

use crate::registry::RelyingParty;
use crate::sessions::Session;
use crate::status_cache::StatusCache;
use crate::transaction_data::{TransactionData, Unanswered};

/// How old a key binding JWT may be.
pub const KB_MAX_AGE: u64 = 300;
/// Most presentations in one answer.
pub const MAX_PRESENTATIONS: usize = 16;

/// Why an answer is refused. The texts name the rule, never the data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("too many presentations")]
    TooMany,
    #[error("presentation for credential query {query:?} does not verify: {reason}")]
    Presentation { query: String, reason: String },
    #[error("issuer is not on the trust list for this credential type")]
    UntrustedIssuer,
    #[error("the credential has been revoked")]
    Revoked,
    #[error("the credential's status cannot be checked: {0}")]
    StatusUnknown(String),
    #[error("the answer does not fit the request: {0}")]
    QueryNotAnswered(String),
    #[error("more was disclosed than the relying party is registered for")]
    BeyondRegistration,
    #[error("the answer does not sign every statement: {0}")]
    Unanswered(#[from] Unanswered),
}

/// Why one presentation is refused before its status and query are looked at.
pub enum PresentationFault {
    /// Signature, SD-JWT rules or key binding: the reason.
    Invalid(String),
    /// The issuer may not issue this credential type.
    Untrusted,
}

/// Verifies one presentation against the trust list and the key binding expected of it:
/// shared by live answers and by consent statements checked later.
pub fn verify_trusted_presentation(
    raw: &str,
    trust: &VerifiedTrustList,
    expected: &KbExpectation<'_>,
) -> Result<VerifiedPresentation, PresentationFault> {
    let presentation = verify_presentation(
        raw,
        |iss, kid| trust.issuer_key(iss, kid).cloned(),
        expected,
        CLOCK_SKEW,
    )
    .map_err(|e| PresentationFault::Invalid(e.to_string()))?;
    let credential = &presentation.credential;
    if !trust.may_issue(credential.issuer(), credential.vct()) {
        return Err(PresentationFault::Untrusted);
    }
    Ok(presentation)
}

/// What an answer is checked against.
pub struct Expected<'a> {
    pub session: &'a Session,
    pub party: &'a RelyingParty,
    pub purpose: &'a Purpose,
    pub query: &'a DcqlQuery,
    pub trust: &'a VerifiedTrustList,
    pub status: &'a StatusCache,
    pub now: u64,
}

/// Verifies `vp_token`; returns the disclosed attributes per credential query id (an array
/// when the query allows several).
pub async fn verify_answer(
    vp_token: &Map<String, Value>,
    expected: &Expected<'_>,
) -> Result<Value, VerifyError> {
    let Expected {
        session,
        party,
        purpose,
        query,
        trust,
        status,
        now,
    } = *expected;
    let total: usize = vp_token
        .values()
        .map(|v| v.as_array().map_or(0, Vec::len))
        .sum();
    if total > MAX_PRESENTATIONS {
        return Err(VerifyError::TooMany);
    }
    let aud = party.prefixed_client_id();
    let transaction_data = TransactionData::from_values(&session.transaction_data);
    // Before any presentation is looked at: a statement nobody signed is never accepted.
    transaction_data.check_answered(vp_token)?;
    let mut verified: Vec<(String, VerifiedPresentation)> = Vec::new();
    for (query_id, list) in vp_token {
        let hashes = transaction_data.hashes_for(query_id);
        for raw in list
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            let expected = KbExpectation {
                aud: &aud,
                nonce: &session.nonce,
                now,
                max_age: KB_MAX_AGE,
                future_skew: CLOCK_SKEW,
                transaction_data_hashes: hashes.as_deref(),
            };
            let presentation = verify_trusted_presentation(raw, trust, &expected).map_err(
                |fault| match fault {
                    PresentationFault::Invalid(reason) => VerifyError::Presentation {
                        query: query_id.clone(),
                        reason,
                    },
                    PresentationFault::Untrusted => VerifyError::UntrustedIssuer,
                },
            )?;
            let credential = &presentation.credential;
            if let Some(reference) = credential.status() {
                match status
                    .status(credential.issuer(), reference, trust, now)
                    .await
                {
                    Ok(Status::Valid) => {}
                    Ok(_) => return Err(VerifyError::Revoked),
                    Err(e) => return Err(VerifyError::StatusUnknown(e.to_string())),
                }
            }
            within_registration(&presentation, purpose)?;
            verified.push((query_id.clone(), presentation));
        }
    }
    // The verified claims as they are, not a copy: DCQL only reads them.
    let presented: Vec<PresentedCredential<'_>> = verified
        .iter()
        .map(|(query_id, p)| PresentedCredential {
            query_id,
            format: FORMAT_SD_JWT_VC,
            vct: p.credential.vct(),
            claims: p.credential.sd_jwt().claims_value(),
            holder_binding: true,
            disclosable_arrays: p.credential.sd_jwt().disclosable_arrays(),
        })
        .collect();
    check_presented(query, &presented).map_err(|e| VerifyError::QueryNotAnswered(e.to_string()))?;

    let mut out = Map::new();
    // The answer takes the verified attributes out of the presentations, which are done
    // with: every check above has run.
    for (query_id, p) in verified {
        let attributes = Value::Object(p.credential.into_attributes());
        let multiple = query.credential(&query_id).is_some_and(|q| q.multiple());
        if multiple {
            let entry = out
                .entry(query_id)
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = entry {
                list.push(attributes);
            }
        } else {
            out.insert(query_id, attributes);
        }
    }
    Ok(Value::Object(out))
}

/// Every disclosed claim must lie within a claim the purpose allows for the credential's
/// type: a wallet that discloses more than asked does not get it stored here.
fn within_registration(p: &VerifiedPresentation, purpose: &Purpose) -> Result<(), VerifyError> {
    let vct = p.credential.vct();
    let allowed: Vec<&ClaimPath> = purpose
        .credentials
        .iter()
        .filter(|c| c.vct == vct)
        .flat_map(|c| c.claims.iter())
        .collect();
    if allowed.is_empty() {
        return Err(VerifyError::BeyondRegistration);
    }
    for path in p.credential.sd_jwt().disclosed_paths() {
        // Array elements sit under their array: allowed when the array or the element is,
        // or when the element holds an allowed claim (`custody/2` for `custody/null/bsn`).
        if !allowed
            .iter()
            .any(|a| path.is_within(a) || a.is_within(path) || path.leads_to(a))
        {
            return Err(VerifyError::BeyondRegistration);
        }
    }
    Ok(())
}
