//! The OpenID4VP client: fetch and verify the request object and the verifier attestation,
//! assess it with the consent engine, then answer by `direct_post`: presentations with a
//! key binding JWT on approval, `access_denied` on denial.
use protocol::credential_types::Lang;
use protocol::oid4vp::{
    self, verify_request, AuthorizationResponse, RequestLink, VerifiedRequest, REQUEST_OBJECT_TYP,
};
use protocol::sd_jwt::{add_key_binding, SdJwt};
use serde::Serialize;

use crate::consent::{self, Assessment, Plan, Verdict};
use crate::credentials::{self, put_record};
use crate::error::WalletError;
use crate::history::{self, DenyReason, EventKind, SharedAttribute};
use crate::store::Batch;
use crate::wallet::UnlockedWallet;

const VERIFIER: &str = "the relying party";
/// Most credentials of one type considered for a request: the newest usable ones.
const CANDIDATES_PER_TYPE: usize = 16;

/// A request that was fetched and assessed, waiting for the citizen's answer.
pub struct PendingRequest {
    pub assessment: Assessment,
    verified: Option<VerifiedRequest>,
    plan: Option<Plan>,
}

/// What happened after answering.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Answered {
    /// Where the relying party wants the citizen to go next, if anywhere.
    pub redirect_uri: Option<String>,
    /// Whether the relying party was told (false for an unverified party: nothing is sent).
    pub notified: bool,
}

/// Fetches, verifies and assesses the request behind a QR code or link.
pub async fn fetch_request(
    wallet: &UnlockedWallet,
    uri: &str,
    lang: Lang,
) -> Result<PendingRequest, WalletError> {
    let loopback = wallet.config().allow_http_loopback;
    let link = RequestLink::parse(uri.trim(), loopback)
        .map_err(|e| WalletError::Request(e.to_string()))?;
    let reply = wallet
        .http()
        .get(
            VERIFIER,
            &link.request_uri,
            &format!("application/{REQUEST_OBJECT_TYP}"),
            oid4vp::MAX_MESSAGE_LEN,
        )
        .await?;
    if !reply.ok() {
        return Err(WalletError::Remote {
            what: VERIFIER,
            reason: reply.error_text(),
        });
    }
    let jwt = String::from_utf8(reply.body)
        .map_err(|_| WalletError::Request("the request object is not text".into()))?;
    assess_request_object(wallet, &link, &jwt, lang)
}

/// Everything after fetching: verifies the request object and its attestation, and assesses
/// it against the registration and the held credentials. No network.
pub fn assess_request_object(
    wallet: &UnlockedWallet,
    link: &RequestLink,
    jwt: &str,
    lang: Lang,
) -> Result<PendingRequest, WalletError> {
    let now = wallet.now();
    let loopback = wallet.config().allow_http_loopback;
    let blocked = |reason: String| PendingRequest {
        assessment: consent::unknown_party(reason),
        verified: None,
        plan: None,
    };
    let verified = match verify_request(jwt.trim(), wallet.config().trust.anchor(), now) {
        Ok(v) => v,
        Err(e) => return Ok(blocked(e.to_string())),
    };
    if verified.request.client_id != link.client_id {
        return Ok(blocked(
            "the link and the request name different parties".into(),
        ));
    }
    if !protocol::is_fetchable_url(&verified.request.response_uri, loopback) {
        return Ok(blocked("the answer address is not https".into()));
    }
    let trust = wallet.config().trust.trust_list(now)?;
    let mut held = Vec::new();
    let mut vcts: Vec<&String> = verified
        .request
        .dcql_query
        .credentials()
        .iter()
        .flat_map(|q| q.meta().vct_values().unwrap_or_default())
        .collect();
    vcts.sort();
    vcts.dedup();
    for vct in vcts {
        held.extend(credentials::usable_of_type(
            wallet.store(),
            wallet.key(),
            vct,
            CANDIDATES_PER_TYPE,
        )?);
    }
    let shared = history::sharing_with(
        wallet.store(),
        wallet.key(),
        verified.attestation.client_id(),
    )?;
    let (assessment, plan) = consent::assess(&verified, &held, &trust, shared.as_ref(), lang);
    Ok(PendingRequest {
        assessment,
        verified: Some(verified),
        plan,
    })
}

/// The error for wanting to approve a request that may not be answered.
pub fn blocked_error(pending: &PendingRequest) -> WalletError {
    match &pending.assessment.verdict {
        Verdict::Missing { .. } => WalletError::MissingCredential,
        Verdict::OverAsking { .. } => WalletError::RequestBlocked(
            "it asks for more than this organisation is registered for".into(),
        ),
        Verdict::UnknownParty { reason } => WalletError::RequestBlocked(format!(
            "the organisation could not be verified ({reason})"
        )),
        Verdict::UnsupportedStatement { reason } => WalletError::RequestBlocked(format!(
            "it asks you to sign a statement this wallet cannot show ({reason})"
        )),
        Verdict::Ok => WalletError::Request("nothing to share".into()),
    }
}

/// Shares what the assessment lists. Only for an `ok` verdict.
pub async fn approve(
    wallet: &UnlockedWallet,
    pending: &PendingRequest,
) -> Result<Answered, WalletError> {
    let (verified, plan) = match (
        &pending.assessment.verdict,
        &pending.verified,
        &pending.plan,
    ) {
        (Verdict::Ok, Some(v), Some(p)) => (v, p),
        _ => return Err(blocked_error(pending)),
    };
    let now = wallet.now();
    let (store, key) = (wallet.store(), wallet.key());
    let request = &verified.request;
    let mut batch = Batch::new();
    let mut by_query = Vec::new();
    for item in &plan.items {
        let mut record = credentials::get_record(store, key, &item.credential_id)?;
        if !record.summary.usable() {
            return Err(WalletError::UnknownCredential);
        }
        let index = record.next_copy().ok_or(WalletError::UnknownCredential)?;
        record.summary.presentations += 1;
        let copy = &mut record.copies[index];
        copy.presented += 1;
        let presented = SdJwt::parse_held(&copy.sd_jwt)
            .and_then(|sd| sd.present(&item.disclose))
            .map_err(|e| WalletError::Request(format!("cannot build the presentation: {e}")))?;
        let hashes = transaction_data_hashes(verified, &item.query_id);
        let with_kb = add_key_binding(
            &presented.serialize(),
            &copy.holder_key.signing_key()?,
            &request.client_id,
            &request.nonce,
            now,
            hashes,
        )
        .map_err(|e| WalletError::Request(format!("cannot sign the presentation: {e}")))?;
        record.recount();
        put_record(&mut batch, key, &record)?;
        by_query.push((item.query_id.clone(), with_kb));
    }
    // The copies count as used before anything is sent: a crash after sending must not
    // let the same copy go to a second verifier.
    store.apply(batch)?;

    let body = AuthorizationResponse::presentations(&by_query, request.state.as_deref()).to_form();
    let reply = wallet
        .http()
        .post_form(VERIFIER, &request.response_uri, body, None, 64 * 1024)
        .await?;
    if !reply.ok() {
        return Err(WalletError::Remote {
            what: VERIFIER,
            reason: reply.error_text(),
        });
    }
    let redirect_uri = serde_json::from_slice::<serde_json::Value>(&reply.body)
        .ok()
        .and_then(|v| {
            v.get("redirect_uri")
                .and_then(|r| r.as_str())
                .map(str::to_owned)
        });

    let party = consent::party_of(verified);
    let purpose = pending
        .assessment
        .purpose
        .as_ref()
        .map(|p| p.id.clone())
        .unwrap_or_default();
    let attributes: Vec<SharedAttribute> = pending
        .assessment
        .attributes
        .iter()
        .map(|a| SharedAttribute {
            vct: a.vct.clone(),
            path: a.path.to_string(),
            label_nl: crate::display::label(&a.path, Lang::Nl),
            label_en: crate::display::label(&a.path, Lang::En),
        })
        .collect();
    let kind = if verified.transaction_data.is_empty() {
        EventKind::Shared {
            party: party.clone(),
            purpose: purpose.clone(),
            attributes: attributes.clone(),
        }
    } else {
        EventKind::StatementSigned {
            party: party.clone(),
            purpose: purpose.clone(),
            statement: serde_json::Value::Array(verified.transaction_data.clone()),
            attributes: attributes.clone(),
        }
    };
    let mut batch = Batch::new();
    history::record(store, key, &mut batch, now, kind)?;
    let share = history::Share {
        party: &party,
        purpose: &purpose,
        attributes: &attributes,
        statements: &verified.transaction_data,
    };
    history::record_sharing(store, key, &mut batch, now, &share)?;
    store.apply(batch)?;
    // Running low: fetch fresh copies now, while online. Best effort: the share already
    // happened, and the next presentation can still use the last copy.
    for item in &plan.items {
        if let Ok(summary) = credentials::get_summary(store, key, &item.credential_id) {
            if summary.copies_left <= credentials::LOW_COPIES {
                let _ = crate::issuance::renew(wallet, &item.credential_id).await;
            }
        }
    }
    Ok(Answered {
        redirect_uri,
        notified: true,
    })
}

/// The hashes of the transaction data entries that name this credential query.
fn transaction_data_hashes(verified: &VerifiedRequest, query_id: &str) -> Option<Vec<String>> {
    let encoded = verified.request.transaction_data.as_ref()?;
    let hashes: Vec<String> = encoded
        .iter()
        .zip(&verified.transaction_data)
        .filter(|(_, decoded)| {
            decoded
                .get("credential_ids")
                .and_then(|ids| ids.as_array())
                .is_some_and(|ids| ids.iter().any(|id| id.as_str() == Some(query_id)))
        })
        .map(|(e, _)| oid4vp::transaction_data_hash(e))
        .collect();
    (!hashes.is_empty()).then_some(hashes)
}

/// Says no. A verified party is told: `access_denied`, or `invalid_transaction_data` when it
/// asked to sign a statement the wallet cannot show (OpenID4VP 1.0 §8.5); an unverified one
/// is not contacted.
/// The denial is logged without any values.
pub async fn deny(
    wallet: &UnlockedWallet,
    pending: &PendingRequest,
) -> Result<Answered, WalletError> {
    let now = wallet.now();
    let reason = match pending.assessment.verdict {
        Verdict::OverAsking { .. } => DenyReason::OverAsking,
        Verdict::UnknownParty { .. } => DenyReason::UnknownParty,
        Verdict::UnsupportedStatement { .. } => DenyReason::UnsupportedStatement,
        _ => DenyReason::Citizen,
    };
    let mut notified = false;
    let mut failure = None;
    if let Some(verified) = &pending.verified {
        let state = verified.request.state.as_deref();
        let response = match &pending.assessment.verdict {
            Verdict::UnsupportedStatement { .. } => AuthorizationResponse::Error {
                error: "invalid_transaction_data".into(),
                description: Some(
                    "a transaction data entry is not a statement this wallet supports".into(),
                ),
                state: state.map(str::to_owned),
            },
            _ => AuthorizationResponse::access_denied(state),
        };
        let body = response.to_form();
        match wallet
            .http()
            .post_form(
                VERIFIER,
                &verified.request.response_uri,
                body,
                None,
                64 * 1024,
            )
            .await
        {
            Ok(reply) if reply.ok() => notified = true,
            Ok(reply) => {
                failure = Some(WalletError::Remote {
                    what: VERIFIER,
                    reason: reply.error_text(),
                })
            }
            Err(e) => failure = Some(e),
        }
    }
    let mut batch = Batch::new();
    history::record(
        wallet.store(),
        wallet.key(),
        &mut batch,
        now,
        EventKind::Denied {
            party: pending.verified.as_ref().map(consent::party_of),
            purpose: pending.assessment.purpose.as_ref().map(|p| p.id.clone()),
            reason,
        },
    )?;
    wallet.store().apply(batch)?;
    match failure {
        Some(e) => Err(e),
        None => Ok(Answered {
            redirect_uri: None,
            notified,
        }),
    }
}
