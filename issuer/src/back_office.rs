//! The back-office API of the municipality's own systems (bearer token): a person's issued
//! copies, a move recorded in the BRP, printed extracts, revocation.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use protocol::credential_types::Lang;
use serde::Deserialize;
use serde_json::json;

use crate::person::{Bsn, PartialDate};
use crate::service::{
    admin_denied, error, internal, invalid_request, no_store, Issuer, Shared, DISPLAY_NAME,
};
use crate::store_failure::store_failure;

pub(crate) async fn list_credentials(
    State(issuer): State<Shared>,
    headers: HeaderMap,
    Path(bsn): Path<String>,
) -> Response {
    if let Some(denied) = admin_denied(&issuer, &headers) {
        return denied;
    }
    match issuer.store.credentials_of(&bsn).await {
        Ok(list) => no_store(Json(json!({"credentials": list}))),
        Err(e) => store_failure(e),
    }
}

#[derive(Deserialize)]
struct MoveBody {
    street: String,
    house_number: u32,
    #[serde(default)]
    house_letter: Option<String>,
    #[serde(default)]
    house_number_addition: Option<String>,
    postal_code: String,
    locality: String,
    municipality: String,
    /// ISO date the person lives at the new address.
    date: String,
}

/// A life event: the person moved. Updates the person source and revokes every credential
/// that carries the old address (both types do), so the wallet shows them as outdated.
pub(crate) async fn record_move(
    State(issuer): State<Shared>,
    headers: HeaderMap,
    Path(bsn): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if let Some(denied) = admin_denied(&issuer, &headers) {
        return denied;
    }
    let Ok(bsn) = Bsn::parse(&bsn) else {
        return invalid_request("not a valid BSN");
    };
    let Ok(body) = serde_json::from_slice::<MoveBody>(&body) else {
        return invalid_request("expected the new address and date");
    };
    let Ok(date) = PartialDate::parse_iso(&body.date) else {
        return invalid_request("date must be yyyy-mm-dd");
    };
    let address = crate::person::Address {
        street: body.street,
        house_number: Some(body.house_number),
        house_letter: body.house_letter,
        house_number_addition: body.house_number_addition,
        postal_code: Some(body.postal_code),
        locality: Some(body.locality),
    };
    use crate::life_events::MoveError;
    use crate::person::SourceError;
    let revoked =
        match crate::life_events::record_move(&issuer, &bsn, address, &body.municipality, date)
            .await
        {
            Ok(n) => n,
            Err(MoveError::Source(SourceError::NotFound)) => {
                return error(
                    StatusCode::NOT_FOUND,
                    "unknown_person",
                    "no person with this BSN",
                )
            }
            Err(MoveError::Source(SourceError::Unsupported)) => {
                return error(
                    StatusCode::CONFLICT,
                    "read_only_source",
                    "the person source cannot record moves",
                )
            }
            Err(MoveError::Source(e)) => {
                return error(StatusCode::BAD_REQUEST, "invalid_request", &e.to_string())
            }
            Err(MoveError::Store(e)) => return store_failure(e),
        };
    no_store(Json(json!({"revoked": revoked})))
}

#[derive(Deserialize)]
struct DocumentBody {
    bsn: String,
    kind: String,
    #[serde(default)]
    lang: Option<String>,
}

/// `POST /api/documents {"bsn", "kind", "lang"?}`: signs a printable extract; the PDF, or
/// with `Accept: application/json` its identifier and QR text.
pub(crate) async fn create_document(
    State(issuer): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Some(denied) = admin_denied(&issuer, &headers) {
        return denied;
    }
    let Ok(body) = serde_json::from_slice::<DocumentBody>(&body) else {
        return invalid_request("expected {\"bsn\", \"kind\"}");
    };
    let Ok(bsn) = Bsn::parse(&body.bsn) else {
        return invalid_request("not a valid BSN");
    };
    let Some(kind) = protocol::document::DocumentKind::from_id(&body.kind) else {
        return invalid_request("kind must be uittreksel-brp, woonhistorie or naam-adres");
    };
    let lang = Lang::from_code(body.lang.as_deref().unwrap_or("nl"));
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    document_response(&issuer, &bsn, kind, lang, wants_json).await
}

/// Issues a document and answers with its PDF or its JSON summary.
pub(crate) async fn document_response(
    issuer: &Issuer,
    bsn: &Bsn,
    kind: protocol::document::DocumentKind,
    lang: Lang,
    json_summary: bool,
) -> Response {
    use crate::documents::{issue_document, DocumentIssueError};
    let document = match issue_document(issuer, bsn, kind).await {
        Ok((d, _)) => d,
        Err(DocumentIssueError::UnknownPerson) => {
            return error(
                StatusCode::NOT_FOUND,
                "unknown_person",
                "no person with this BSN",
            )
        }
        Err(DocumentIssueError::Source(e)) => {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "source_unavailable",
                &e.to_string(),
            )
        }
        Err(e) => return internal(e),
    };
    if json_summary {
        return no_store(Json(json!({
            "document_id": document.record.id,
            "kind": kind.id(),
            "qr_text": document.qr_text,
            "issued_at": document.content.iat,
            "expires_at": document.content.exp,
        })));
    }
    match crate::pdf::render(&document, DISPLAY_NAME, lang) {
        Ok(pdf) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (header::CACHE_CONTROL, "no-store".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}.pdf\"", kind.id()),
                ),
                (
                    header::HeaderName::from_static("x-document-id"),
                    document.record.id.clone(),
                ),
            ],
            pdf,
        )
            .into_response(),
        Err(e) => internal(e),
    }
}

pub(crate) async fn revoke(
    State(issuer): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    // Read and ignored, so that the body limit applies here too.
    _body: axum::body::Bytes,
) -> Response {
    if let Some(denied) = admin_denied(&issuer, &headers) {
        return denied;
    }
    // The back office revokes for a lost or stolen device (a change of data is a life
    // event, which revokes on its own and keeps renewal working).
    match issuer.store.revoke_and_end_renewal(&id).await {
        Ok(record) => no_store(Json(json!({"id": record.id, "revoked": true}))),
        Err(crate::store::StoreError::UnknownCredential) => {
            error(StatusCode::NOT_FOUND, "not_found", "unknown credential")
        }
        Err(e) => store_failure(e),
    }
}
