//! The session API for a relying party's back-end (bearer API key per party): create a
//! session with purpose, DCQL query and optional transaction data; get its QR code and
//! same-device link; poll its status; read the verified claims once done.
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use protocol::dcql::{DcqlQuery, FORMAT_SD_JWT_VC};
use protocol::oid4vp::RequestLink;
use protocol::statements::{check_for_purpose, StatementRefusal};
use protocol::trust::{purpose_for, requested_claims, CLIENT_ID_PREFIX};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::registry::RelyingParty;
use crate::service::{error, no_store, random_token, Shared, SESSION_TTL};
use crate::sessions::{Session, SessionError, SessionStatus};

/// Most transaction data entries per session.
const MAX_TRANSACTION_DATA: usize = 8;

#[derive(Deserialize)]
pub struct CreateSession {
    pub relying_party: Option<String>,
    pub purpose: String,
    pub dcql_query: Value,
    #[serde(default)]
    pub transaction_data: Vec<Value>,
}

/// The party whose API key is in the `Authorization` header.
pub fn authenticated<'a>(
    verifier: &'a crate::service::Verifier,
    headers: &HeaderMap,
) -> Result<&'a RelyingParty, Response> {
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match key.and_then(|k| verifier.registry.by_api_key(k.trim())) {
        Some(party) => Ok(party),
        None => Err(error(
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
            "a relying party's API key is required: Authorization: Bearer <key>",
        )),
    }
}

/// `over_asking`, listing what the registration does not allow.
fn over_asking(not_allowed: &[(String, Option<protocol::claim_path::ClaimPath>)]) -> Response {
    let list: Vec<Value> = not_allowed
        .iter()
        .map(|(vct, path)| json!({"vct": vct, "path": path}))
        .collect();
    (
        StatusCode::BAD_REQUEST,
        Json(json!({
            "error": "over_asking",
            "error_description": "the query asks for more than the registration allows for this purpose (or the purpose is not registered)",
            "not_allowed": list,
        })),
    )
        .into_response()
}

fn invalid(description: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

/// `POST /api/sessions`.
pub async fn create_session(
    State(verifier): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let party = match authenticated(&verifier, &headers) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Ok(request) = serde_json::from_slice::<CreateSession>(&body) else {
        return invalid("expected {\"purpose\", \"dcql_query\", \"transaction_data\"?}");
    };
    let session = match start_session(&verifier, party, request, None).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    tracing::debug!(party = %session.party_id, purpose = %session.purpose, "session created");
    regie_ops::metrics().event("session_created", &[("party", &session.party_id)], 1);
    let base = &verifier.public_url;
    let link = link(&verifier, party, &session.request_ref);
    // `session_id` reads the result (with the API key); everything the citizen's side gets
    // (link, request_uri, QR code) carries only the unrelated `request_ref`.
    (
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({
            "session_id": session.id,
            "request_uri": request_uri(&verifier, &session.request_ref),
            "link": link,
            "qr": format!("{base}/request/{}/qr.png", session.request_ref),
            "qr_svg": format!("{base}/request/{}/qr.svg", session.request_ref),
            "status_url": format!("{base}/api/sessions/{}", session.id),
            "expires_at": session.expires_at,
        })),
    )
        .into_response()
}

/// Checks a session request against the party's registration and stores the new session;
/// `viewer_digest` binds it to the browser that started it on a demo page.
pub async fn start_session(
    verifier: &crate::service::Verifier,
    party: &RelyingParty,
    request: CreateSession,
    viewer_digest: Option<String>,
) -> Result<Session, Response> {
    if request
        .relying_party
        .as_deref()
        .is_some_and(|id| id != party.id)
    {
        return Err(error(
            StatusCode::FORBIDDEN,
            "wrong_relying_party",
            "the API key belongs to another relying party",
        ));
    }
    let query = match DcqlQuery::from_json_value(&request.dcql_query) {
        Ok(q) => q,
        Err(e) => return Err(invalid(&format!("dcql_query: {e}"))),
    };
    // Only SD-JWT VC answers can be verified here: a query in another format would be a
    // request nobody can answer correctly, and its claims could not be checked.
    if let Some(q) = query
        .credentials()
        .iter()
        .find(|q| q.format() != FORMAT_SD_JWT_VC)
    {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "unsupported_format",
            &format!(
                "credential query {:?}: format {:?} cannot be verified here; use {FORMAT_SD_JWT_VC}",
                q.id(),
                q.format()
            ),
        ));
    }
    let purpose = match purpose_for(
        &party.registration,
        Some(&request.purpose),
        &requested_claims(&query),
    ) {
        Ok(purpose) => purpose,
        Err(not_allowed) => return Err(over_asking(&not_allowed)),
    };
    if request.transaction_data.len() > MAX_TRANSACTION_DATA {
        return Err(invalid("too many transaction_data entries"));
    }
    let statements = match check_for_purpose(purpose, &request.transaction_data) {
        Ok(statements) => statements,
        Err(refusal @ StatementRefusal::Invalid { .. }) => {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "invalid_transaction_data",
                &refusal.to_string(),
            ))
        }
        Err(refusal @ StatementRefusal::NotRegistered(_)) => {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "over_asking",
                &refusal.to_string(),
            ))
        }
    };
    for statement in &statements {
        if !statement
            .credential_ids
            .iter()
            .all(|id| query.credential(id).is_some())
        {
            return Err(invalid(
                "each transaction_data entry's credential_ids must name queries of dcql_query",
            ));
        }
    }
    let now = verifier.clock.now();
    let session = Session {
        id: random_token(),
        // Also the request's `state` (see `Session::request_ref`): both are in what the link
        // holder already sees (the link, and the request object it fetches), so one value
        // reveals nothing more.
        request_ref: random_token(),
        party_id: party.id.clone(),
        purpose: request.purpose,
        dcql_query: query.to_json_value(),
        transaction_data: request.transaction_data,
        nonce: random_token(),
        created_at: now,
        expires_at: now + SESSION_TTL,
        status: SessionStatus::Pending,
        reason: None,
        claims: None,
        presentations: None,
        answered_at: None,
        request_object: None,
        refused_answers: 0,
        viewer_digest,
    };
    if let Err(e) = verifier.sessions.insert(&session).await {
        return Err(crate::service::storage_error(&e));
    }
    Ok(session)
}

/// Where the wallet fetches a session's request object.
pub fn request_uri(verifier: &crate::service::Verifier, request_ref: &str) -> String {
    format!("{}/request/{request_ref}", verifier.public_url)
}

/// The `openid4vp://` link of the session with the wallet-facing `request_ref`.
pub fn link(
    verifier: &crate::service::Verifier,
    party: &RelyingParty,
    request_ref: &str,
) -> String {
    RequestLink {
        client_id: format!("{CLIENT_ID_PREFIX}{}", party.client_id),
        request_uri: request_uri(verifier, request_ref),
    }
    .to_uri()
}

/// The session as the API shows it.
pub fn session_json(session: &Session, now: u64) -> Value {
    let status = session.status_at(now);
    json!({
        "session_id": session.id,
        "relying_party": session.party_id,
        "purpose": session.purpose,
        "status": status,
        "status_text": status.dutch(),
        "reason": session.reason,
        "refused_answers": session.refused_answers,
        "claims": if status == SessionStatus::Done { session.claims.clone() } else { None },
        "created_at": session.created_at,
        "expires_at": session.expires_at,
    })
}

fn session_error(e: SessionError) -> Response {
    crate::service::storage_error(&e)
}

/// `GET /api/sessions/{id}`: only the party that made it may read it.
pub async fn get_session(
    State(verifier): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let party = match authenticated(&verifier, &headers) {
        Ok(p) => p,
        Err(r) => return r,
    };
    match verifier.sessions.get(&id).await {
        Ok(s) if s.party_id == party.id => no_store(Json(session_json(&s, verifier.clock.now()))),
        Ok(_) => session_error(SessionError::Unknown),
        Err(e) => session_error(e),
    }
}

/// `GET /api/sessions/{id}/statement`: the signed statement file of a finished session that
/// carried transaction data, for the party that made it to keep with its case.
pub async fn get_statement(
    State(verifier): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let party = match authenticated(&verifier, &headers) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let session = match verifier.sessions.get(&id).await {
        Ok(s) if s.party_id == party.id => s,
        Ok(_) => return session_error(SessionError::Unknown),
        Err(e) => return session_error(e),
    };
    if session.status_at(verifier.clock.now()) != SessionStatus::Done {
        return error(
            StatusCode::CONFLICT,
            "not_done",
            "the session has no verified answer",
        );
    }
    match crate::statements::StatementFile::from_session(&session, party) {
        Some(file) => no_store(Json(file)),
        None => error(
            StatusCode::NOT_FOUND,
            "no_statement",
            "the session carried no statement",
        ),
    }
}

fn session_link(
    verifier: &Shared,
    session: Result<Session, SessionError>,
) -> Result<String, Response> {
    let session = session.map_err(session_error)?;
    let party = verifier
        .registry
        .by_id(&session.party_id)
        .ok_or_else(|| session_error(SessionError::Unknown))?;
    Ok(link(verifier, party, &session.request_ref))
}

fn qr_png(link: Result<String, Response>) -> Response {
    match link {
        Ok(link) => match regie_web::qr::png(&link, 6) {
            Some(png) => no_store(([(header::CONTENT_TYPE, "image/png")], png)),
            None => error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "qr",
                "cannot draw the QR code",
            ),
        },
        Err(r) => r,
    }
}

fn qr_svg(link: Result<String, Response>) -> Response {
    match link {
        Ok(link) => match regie_web::qr::svg(&link, "QR-code om te scannen met uw Regie-app")
            .map(|svg| svg.render())
        {
            Some(Ok(svg)) => no_store(([(header::CONTENT_TYPE, "image/svg+xml")], svg)),
            _ => error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "qr",
                "cannot draw the QR code",
            ),
        },
        Err(r) => r,
    }
}

/// `GET /request/{ref}/qr.png`: the link as a QR code. Public: it draws only what the
/// citizen scans anyway.
pub async fn request_qr_png(State(verifier): State<Shared>, Path(r): Path<String>) -> Response {
    qr_png(session_link(
        &verifier,
        verifier.sessions.get_by_ref(&r).await,
    ))
}

/// `GET /request/{ref}/qr.svg`.
pub async fn request_qr_svg(State(verifier): State<Shared>, Path(r): Path<String>) -> Response {
    qr_svg(session_link(
        &verifier,
        verifier.sessions.get_by_ref(&r).await,
    ))
}

/// `GET /api/sessions/{id}/qr.png`, kept for existing back-ends: the same picture by the
/// session id. It shows only the public link, never the result.
pub async fn session_qr_png(State(verifier): State<Shared>, Path(id): Path<String>) -> Response {
    qr_png(session_link(&verifier, verifier.sessions.get(&id).await))
}

/// `GET /api/sessions/{id}/qr.svg`.
pub async fn session_qr_svg(State(verifier): State<Shared>, Path(id): Path<String>) -> Response {
    qr_svg(session_link(&verifier, verifier.sessions.get(&id).await))
}
