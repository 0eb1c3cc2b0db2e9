//! What wallets talk to: the signed request object, addressed by the session's wallet-facing
//! `request_ref` (never by its id), and the one `direct_post` response endpoint, which finds
//! the session by the answer's `state` (the same value as `request_ref`). One fixed answer
//! address is what a trust anchor can bind in an attestation's `redirect_uris` (OpenID4VP 1.0
//! §5.9.3), so that even the holder of a party's request key cannot send the answer elsewhere.
//!
//! Whoever holds the link can fetch the request (and with it `state` and the nonce) and
//! post to the response endpoint, so a refused answer must not decide anything: it is
//! counted, and the session stays open for the real wallet until [`MAX_REFUSED_ANSWERS`].
//! Only a verified answer, or an error response with the request's `state` (a denial, as
//! OpenID4VP's `direct_post` allows), closes a session.
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use axum::Json;
use protocol::dcql::DcqlQuery;
use protocol::oid4vp::{sign_request, AuthorizationResponse, RequestContent, REQUEST_OBJECT_TYP};
use serde_json::{json, Value};

use crate::service::{error, no_store, Shared, Verifier};
use crate::sessions::{Session, SessionError, SessionStatus};
use crate::verify::{verify_answer, Expected};

/// Refused answers after which a session fails: enough for a wallet to try again after a
/// mistake, few enough that nobody probes a session for long.
pub const MAX_REFUSED_ANSWERS: u32 = 5;
/// Longest error code from a wallet that is kept as the reason (codes are short ASCII words).
const MAX_ERROR_CODE: usize = 64;

fn closed() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "this request is finished or has expired",
    )
}

fn storage(e: SessionError) -> Response {
    match e {
        SessionError::Unknown => error(StatusCode::NOT_FOUND, "not_found", "no such request"),
        SessionError::Closed => closed(),
        e => crate::service::storage_error(&e),
    }
}

/// `GET /request/{ref}`: the request object, signed now by the party's request key with its
/// attestation in the header. For consent statements the signed object is kept: it is the
/// party's own signature on who asks, why, and what the citizen signs.
pub async fn request_object(State(verifier): State<Shared>, Path(r): Path<String>) -> Response {
    let now = verifier.clock.now();
    let session = match verifier.sessions.get_by_ref(&r).await {
        Ok(s) if s.status_at(now).open() => s,
        Ok(_) => return closed(),
        Err(e) => return storage(e),
    };
    let jwt = match sign(&verifier, &session, now) {
        Ok(jwt) => jwt,
        Err(r) => return r,
    };
    let keep = (!session.transaction_data.is_empty()).then(|| jwt.clone());
    let stored = verifier
        .sessions
        .update_open(&session.id, now, &|s| {
            if s.status == SessionStatus::Pending {
                s.status = SessionStatus::Retrieved;
            }
            if keep.is_some() {
                s.request_object = keep.clone();
            }
        })
        .await;
    match stored {
        Ok(_) => no_store((
            [(
                header::CONTENT_TYPE,
                format!("application/{REQUEST_OBJECT_TYP}"),
            )],
            jwt,
        )),
        Err(e) => storage(e),
    }
}

/// The one address every answer goes to, under the verifier's public URL.
pub fn response_uri(public_url: &str) -> String {
    format!("{public_url}/response")
}

fn sign(verifier: &Verifier, session: &Session, now: u64) -> Result<String, Response> {
    let party = verifier
        .registry
        .by_id(&session.party_id)
        .ok_or_else(|| storage(SessionError::Unknown))?;
    let query = DcqlQuery::from_json_value(&session.dcql_query)
        .map_err(|_| storage(SessionError::Damaged))?;
    let response_uri = response_uri(&verifier.public_url);
    sign_request(
        &RequestContent {
            client_id: &party.client_id,
            response_uri: &response_uri,
            nonce: &session.nonce,
            state: Some(&session.request_ref),
            purpose: Some(&session.purpose),
            dcql_query: &query,
            transaction_data: &session.transaction_data,
            iat: now,
            exp: session.expires_at,
        },
        &party.attestation,
        &party.request_key,
    )
    .map_err(|e| error(StatusCode::INTERNAL_SERVER_ERROR, "signing", &e.to_string()))
}

/// What an answer to a session comes to.
enum Judgement {
    /// Verified claims, and the presentations when they sign transaction data.
    Verified {
        claims: Value,
        evidence: Option<Value>,
    },
    /// An error response with the request's `state`: the wallet's last word.
    Ended {
        status: SessionStatus,
        reason: Option<String>,
    },
    /// Refused; the session stays open. The reason names the rule, not the data.
    Refused(String),
}

/// `POST /response` (`direct_post`): finds the session by the answer's `state` and verifies
/// the answer; a verified answer or the wallet's error response closes the session, anything
/// refused leaves it open. A body that is no response, or names no open session, changes
/// nothing.
pub async fn response(State(verifier): State<Shared>, body: Bytes) -> Response {
    let now = verifier.clock.now();
    let answer = match AuthorizationResponse::from_form(&body) {
        Ok(a) => a,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                &format!("malformed response: {e}"),
            )
        }
    };
    let (AuthorizationResponse::Error { state, .. }
    | AuthorizationResponse::Presentations { state, .. }) = &answer;
    let Some(state) = state.as_deref().filter(|s| !s.is_empty()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the response names no request (state)",
        );
    };
    let session = match verifier.sessions.get_by_ref(state).await {
        Ok(s) if s.status_at(now).open() => s,
        Ok(_) => return closed(),
        Err(e) => return storage(e),
    };
    let judgement = match judge(&verifier, &session, &answer, now).await {
        Ok(j) => j,
        Err(r) => return r,
    };
    match judgement {
        Judgement::Verified { claims, evidence } => {
            let stored = verifier
                .sessions
                .update_open(&session.id, now, &|s| {
                    s.status = SessionStatus::Done;
                    s.claims = Some(claims.clone());
                    s.presentations = evidence.clone();
                    s.answered_at = Some(now);
                    s.reason = None;
                })
                .await;
            tracing::debug!(party = %session.party_id, "session answered");
            finished(&session.party_id, SessionStatus::Done);
            match stored {
                Ok(_) => no_store(Json(json!({}))),
                Err(e) => storage(e),
            }
        }
        Judgement::Ended { status, reason } => {
            tracing::debug!(party = %session.party_id, ?status, "session ended by the wallet");
            finished(&session.party_id, status);
            let stored = verifier
                .sessions
                .update_open(&session.id, now, &|s| {
                    s.status = status;
                    s.reason = reason.clone();
                })
                .await;
            match stored {
                Ok(_) => no_store(Json(json!({}))),
                Err(e) => storage(e),
            }
        }
        Judgement::Refused(reason) => refuse(&verifier, &session.id, now, &reason).await,
    }
}

fn finished(party: &str, status: SessionStatus) {
    regie_ops::metrics().event(
        "session_finished",
        &[("party", party), ("outcome", status.code())],
        1,
    );
}

/// Counts a refused answer; the last one allowed fails the session.
async fn refuse(verifier: &Verifier, id: &str, now: u64, reason: &str) -> Response {
    tracing::debug!(reason, "answer refused");
    let stored = verifier
        .sessions
        .update_open(id, now, &|s| {
            s.refused_answers = s.refused_answers.saturating_add(1);
            if s.refused_answers >= MAX_REFUSED_ANSWERS {
                s.status = SessionStatus::Failed;
                s.reason = Some(format!("too many refused answers; the last: {reason}"));
            } else {
                s.reason = Some(reason.to_owned());
            }
        })
        .await;
    match stored {
        Ok(s) if s.status == SessionStatus::Failed => error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &format!("{reason}; too many refused answers, this request is now closed"),
        ),
        Ok(_) => error(StatusCode::BAD_REQUEST, "invalid_request", reason),
        Err(e) => storage(e),
    }
}

/// Judges an answer against the session it names by `state`, changing nothing. (`state` is
/// in the request object, which anyone with the link can fetch: finding the session by it
/// does not prove the real wallet; the presentations must.)
async fn judge(
    verifier: &Verifier,
    session: &Session,
    answer: &AuthorizationResponse,
    now: u64,
) -> Result<Judgement, Response> {
    let vp_token = match answer {
        AuthorizationResponse::Error { error: code, .. } => return Ok(ended_by_wallet(code)),
        AuthorizationResponse::Presentations { vp_token, .. } => vp_token,
    };
    let party = verifier
        .registry
        .by_id(&session.party_id)
        .ok_or_else(|| storage(SessionError::Unknown))?;
    let purpose = party
        .registration
        .purpose(&session.purpose)
        .ok_or_else(|| storage(SessionError::Damaged))?;
    let query = DcqlQuery::from_json_value(&session.dcql_query)
        .map_err(|_| storage(SessionError::Damaged))?;
    let trust = verifier.trust_list()?;
    let expected = Expected {
        session,
        party,
        purpose,
        query: &query,
        trust: &trust,
        status: &verifier.status,
        now,
    };
    Ok(match verify_answer(vp_token, &expected).await {
        Ok(claims) => Judgement::Verified {
            claims,
            evidence: (!session.transaction_data.is_empty())
                .then(|| Value::Object(vp_token.clone())),
        },
        Err(e) => Judgement::Refused(e.to_string()),
    })
}

/// The wallet's error response: `access_denied` is the citizen's "no"; any other code
/// ends the session as failed. Only a short code of plain characters is kept as the reason,
/// as the text is the sender's.
fn ended_by_wallet(code: &str) -> Judgement {
    if code == "access_denied" {
        return Judgement::Ended {
            status: SessionStatus::Denied,
            reason: None,
        };
    }
    let plain = code.len() <= MAX_ERROR_CODE
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    Judgement::Ended {
        status: SessionStatus::Failed,
        reason: Some(if plain {
            format!("the wallet reported {code}")
        } else {
            "the wallet reported an error".to_owned()
        }),
    }
}
