//! The back-office API of consent cases (bearer back-office token): read a case or the
//! cases about a person, and hand in a signed statement file.
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::SharedPortal;
use crate::cases::{Case, CaseError};
use crate::service::{admin_denied, error, internal, no_store};

/// A case as the API shows it: everything but the share link's secret.
pub fn case_json(case: &Case, now: u64) -> Value {
    let mut value = serde_json::to_value(case).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.remove("share_token");
        map.insert("state".into(), case.state(now).code().into());
    }
    value
}

fn case_error(e: CaseError) -> Response {
    match e {
        CaseError::Refused(r) => error(StatusCode::CONFLICT, r.code(), &r.to_string()),
        CaseError::NotFound => error(StatusCode::NOT_FOUND, "not_found", "no such case"),
        CaseError::BadInput(what) => error(StatusCode::BAD_REQUEST, "invalid_request", what),
        CaseError::Verifier(e) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "verifier_unavailable",
            &e.to_string(),
        ),
        other => internal(other),
    }
}

#[derive(Deserialize)]
pub struct CasesQuery {
    bsn: Option<String>,
}

/// `GET /api/cases?bsn=…`: the cases about a person (applicant or child), or all.
pub async fn list(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Query(q): Query<CasesQuery>,
) -> Response {
    if let Some(denied) = admin_denied(&portal.issuer, &headers) {
        return denied;
    }
    let Some(cases) = portal.cases.as_ref() else {
        return case_error(CaseError::NotFound);
    };
    let found = match q.bsn.as_deref() {
        Some(bsn) => cases.store.about(bsn).await,
        None => cases.store.all().await,
    };
    let now = portal.issuer.clock.now();
    match found {
        Ok(list) => no_store(Json(json!({
            "cases": list.iter().map(|c| case_json(c, now)).collect::<Vec<_>>()
        }))),
        Err(e) => internal(e),
    }
}

/// `GET /api/cases/{ref}`.
pub async fn get(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Path(case_ref): Path<String>,
) -> Response {
    if let Some(denied) = admin_denied(&portal.issuer, &headers) {
        return denied;
    }
    let Some(cases) = portal.cases.as_ref() else {
        return case_error(CaseError::NotFound);
    };
    match cases.refresh(&case_ref).await {
        Ok(case) => no_store(Json(case_json(&case, portal.issuer.clock.now()))),
        Err(e) => case_error(e),
    }
}

/// `POST /api/cases/{ref}/statements`: a signed statement file, accepted on the same terms
/// as a consent given through the case's own request.
pub async fn submit(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Path(case_ref): Path<String>,
    body: Bytes,
) -> Response {
    if let Some(denied) = admin_denied(&portal.issuer, &headers) {
        return denied;
    }
    let Some(cases) = portal.cases.as_ref() else {
        return case_error(CaseError::NotFound);
    };
    let Ok(file) = serde_json::from_slice::<Value>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "expected a statement file (JSON)",
        );
    };
    match cases.submit_statement(&case_ref, file).await {
        Ok(case) => no_store(Json(case_json(&case, portal.issuer.clock.now()))),
        Err(e) => case_error(e),
    }
}
