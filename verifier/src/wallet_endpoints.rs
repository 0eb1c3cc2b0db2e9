//! What wallets and document scanners talk to: the signed request object, the
//! `direct_post` response endpoint, and document verification.
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use protocol::dcql::DcqlQuery;
use protocol::oid4vp::{sign_request, AuthorizationResponse, RequestContent, REQUEST_OBJECT_TYP};
use serde_json::{json, Value};

use crate::documents;
use crate::service::{error, no_store, Shared};
use crate::sessions::{SessionError, SessionStatus};
use crate::verify::{verify_answer, Expected};

fn closed() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "this request is finished or has expired",
    )
}

/// `GET /request/{id}`: the request object, signed now by the party's request key with its
/// attestation in the header.
pub async fn request_object(State(verifier): State<Shared>, Path(id): Path<String>) -> Response {
    let now = verifier.clock.now();
    let session = match verifier.sessions.update_open(&id, now, |s| {
        if s.status == SessionStatus::Pending {
            s.status = SessionStatus::Retrieved;
        }
    }) {
        Ok(s) => s,
        Err(SessionError::Unknown) => {
            return error(StatusCode::NOT_FOUND, "not_found", "no such request")
        }
        Err(SessionError::Closed) => return closed(),
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, "storage", &e.to_string()),
    };
    let Some(party) = verifier.registry.by_id(&session.party_id) else {
        return error(StatusCode::NOT_FOUND, "not_found", "no such request");
    };
    let Ok(query) = DcqlQuery::from_json_value(&session.dcql_query) else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "storage",
            "stored query damaged",
        );
    };
    let response_uri = format!("{}/response/{}", verifier.public_url, session.id);
    let signed = sign_request(
        &RequestContent {
            client_id: &party.client_id,
            response_uri: &response_uri,
            nonce: &session.nonce,
            state: Some(&session.state),
            purpose: Some(&session.purpose),
            dcql_query: &query,
            transaction_data: &session.transaction_data,
            iat: now,
            exp: session.expires_at,
        },
        &party.attestation,
        &party.request_key,
    );
    match signed {
        Ok(jwt) => no_store((
            [(
                header::CONTENT_TYPE,
                format!("application/{REQUEST_OBJECT_TYP}"),
            )],
            jwt,
        )),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "signing", &e.to_string()),
    }
}

/// `POST /response/{id}` (`direct_post`): verifies the answer and closes the session.
pub async fn response(
    State(verifier): State<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let now = verifier.clock.now();
    let session = match verifier.sessions.get(&id) {
        Ok(s) => s,
        Err(SessionError::Unknown) => {
            return error(StatusCode::NOT_FOUND, "not_found", "no such request")
        }
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, "storage", &e.to_string()),
    };
    if !session.status_at(now).open() {
        return closed();
    }
    let fail = |reason: String| {
        let stored = verifier.sessions.update_open(&id, now, |s| {
            s.status = SessionStatus::Failed;
            s.reason = Some(reason.clone());
        });
        match stored {
            Ok(_) => error(StatusCode::BAD_REQUEST, "invalid_request", &reason),
            Err(_) => closed(),
        }
    };
    let answer = match AuthorizationResponse::from_form(&body) {
        Ok(a) => a,
        Err(e) => return fail(format!("malformed response: {e}")),
    };
    let (state, vp_token) = match &answer {
        AuthorizationResponse::Error {
            error: code, state, ..
        } => {
            if state.as_deref() != Some(session.state.as_str()) {
                return fail("the response belongs to another request (state)".into());
            }
            let (status, reason) = if code == "access_denied" {
                (SessionStatus::Denied, None)
            } else {
                (
                    SessionStatus::Failed,
                    Some(format!("the wallet reported {code}")),
                )
            };
            let stored = verifier.sessions.update_open(&id, now, |s| {
                s.status = status;
                s.reason = reason.clone();
            });
            return match stored {
                Ok(_) => no_store(Json(json!({}))),
                Err(_) => closed(),
            };
        }
        AuthorizationResponse::Presentations { state, vp_token } => (state, vp_token),
    };
    if state.as_deref() != Some(session.state.as_str()) {
        return fail("the response belongs to another request (state)".into());
    }
    let Some(party) = verifier.registry.by_id(&session.party_id) else {
        return fail("unknown relying party".into());
    };
    let Some(purpose) = party.registration.purpose(&session.purpose) else {
        return fail("unknown purpose".into());
    };
    let Ok(query) = DcqlQuery::from_json_value(&session.dcql_query) else {
        return fail("stored query damaged".into());
    };
    let trust = match verifier.trust_list() {
        Ok(t) => t,
        Err(r) => return r,
    };
    let expected = Expected {
        session: &session,
        party,
        purpose,
        query: &query,
        trust: &trust,
        status: &verifier.status,
        now,
    };
    match verify_answer(vp_token, &expected).await {
        Ok(claims) => {
            let evidence =
                (!session.transaction_data.is_empty()).then(|| Value::Object(vp_token.clone()));
            let stored = verifier.sessions.update_open(&id, now, |s| {
                s.status = SessionStatus::Done;
                s.claims = Some(claims.clone());
                s.presentations = evidence.clone();
                s.answered_at = Some(now);
                s.reason = None;
            });
            match stored {
                Ok(_) => no_store(Json(json!({}))),
                Err(_) => closed(),
            }
        }
        Err(e) => fail(e.to_string()),
    }
}

/// `POST /api/documents/verify`: a document's QR text (`{"qr_text": "RG1:…"}` or plain
/// text) or a photo or scan (`image/png`, `image/jpeg`) → verdict, issuer and attributes.
pub async fn verify_document(
    State(verifier): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let text = if content_type.starts_with("image/") {
        match documents::qr_text_in_image(&body) {
            Ok(text) => text,
            Err(regie_qr_image::ImageError::TooLarge) => {
                return error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    "the image is too large",
                )
            }
            Err(e) => {
                return (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Json(json!({"verdict": "onleesbaar", "message": e.to_string()})),
                )
                    .into_response()
            }
        }
    } else if content_type.starts_with("application/json") {
        match serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v.get("qr_text").and_then(Value::as_str).map(str::to_owned))
        {
            Some(t) => t,
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "expected {\"qr_text\": \"RG1:...\"}",
                )
            }
        }
    } else {
        String::from_utf8_lossy(&body).into_owned()
    };
    let trust = match verifier.trust_list() {
        Ok(t) => t,
        Err(r) => return r,
    };
    let validation =
        documents::validate(&text, &trust, &verifier.status, verifier.clock.now()).await;
    no_store(Json(validation))
}
