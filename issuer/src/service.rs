//! The issuer service's state ([`Issuer`]) and what its endpoints share (errors, the
//! back-office token check), with the metadata, offer and status list endpoints. The token,
//! nonce and credential endpoints are in `vci_endpoints`, the rest of the back-office API in
//! `back_office`, the routes in [`crate::routes`].

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use protocol::credential_types::{CredentialType, Lang};
use protocol::jose::{b64u_encode, random_bytes, SigningKey};
use protocol::oid4vci::{self, CredentialOffer, ErrorResponse, Grants, PreAuthorizedGrant, TxCode};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::person::{Bsn, PartialDate, PersonSource};
use crate::store::{OfferRecord, Store};
use crate::store_failure::store_failure;

/// Largest request body accepted on any endpoint.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// How long an offer's pre-authorized code stays valid.
pub const OFFER_TTL: u64 = 15 * 60;
/// How long an access token and a nonce stay valid.
pub const TOKEN_TTL: u64 = 5 * 60;
/// How long issued credentials are valid.
pub const CREDENTIAL_TTL: u64 = 365 * 86_400;
/// How long a refresh token lets a wallet fetch fresh copies without a new offer.
pub const REFRESH_TTL: u64 = CREDENTIAL_TTL;
/// How long verifiers may cache the status list.
pub const STATUS_TTL: u64 = 300;

/// Where time comes from, so expiry is testable.
pub trait Clock: Send + Sync {
    /// Unix seconds.
    fn now(&self) -> u64;
}

/// The operating system's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }
}

/// Everything the handlers share.
pub struct Issuer {
    /// The issuer identifier: the public base URL, without trailing slash.
    pub public_url: String,
    pub key: SigningKey,
    pub store: Store,
    pub persons: Arc<dyn PersonSource>,
    pub admin_token: String,
    pub batch_size: usize,
    pub clock: Arc<dyn Clock>,
}

pub(crate) type Shared = Arc<Issuer>;

/// The municipality's name on printed extracts (the demo's fictitious one).
pub const DISPLAY_NAME: &str = "Gemeente Voorbeeldstad (demo, fictief)";

pub(crate) fn random_token() -> String {
    b64u_encode(random_bytes::<32>())
}

pub(crate) fn error(status: StatusCode, code: &str, description: &str) -> Response {
    // Descriptions are written for the client and never name a person: the log scan of the
    // test command holds them to that.
    tracing::debug!(status = status.as_u16(), code, description, "refused");
    regie_ops::metrics().refusal(code);
    let body = ErrorResponse {
        error: code.to_owned(),
        error_description: Some(description.to_owned()),
    };
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

pub(crate) fn internal(e: impl std::fmt::Display) -> Response {
    // The cause goes to the log without personal data; the client learns only that it failed.
    tracing::error!("internal error: {e}");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "internal error",
    )
}

pub(crate) fn no_store(body: impl IntoResponse) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], body).into_response()
}

pub(crate) async fn issuer_metadata(State(issuer): State<Shared>) -> Json<Value> {
    let configurations: Vec<(&str, &str, &str)> = CredentialType::ALL
        .iter()
        .map(|t| (t.id(), t.vct(), t.display_name(Lang::Nl)))
        .collect();
    Json(oid4vci::issuer_metadata(
        &issuer.public_url,
        &configurations,
        issuer.batch_size,
    ))
}

pub(crate) async fn authorization_server_metadata(State(issuer): State<Shared>) -> Json<Value> {
    Json(json!({
        "issuer": issuer.public_url,
        "token_endpoint": format!("{}/token", issuer.public_url),
        "grant_types_supported": [oid4vci::PRE_AUTHORIZED_GRANT, oid4vci::REFRESH_GRANT],
        "pre-authorized_grant_anonymous_access_supported": true,
    }))
}

pub(crate) async fn jwt_vc_issuer(State(issuer): State<Shared>) -> Json<Value> {
    Json(json!({
        "issuer": issuer.public_url,
        "jwks": {"keys": [issuer.key.public_jwk().to_json_value()]},
    }))
}

pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// Compares two secrets by their digests, so the time taken says nothing about how many
/// leading bytes matched.
pub(crate) fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    protocol::jose::sha256(given) == protocol::jose::sha256(expected)
}

/// Back-office calls need the admin bearer token: the refusal, when it is missing or wrong.
pub(crate) fn admin_denied(issuer: &Issuer, headers: &HeaderMap) -> Option<Response> {
    (!admin_ok(issuer, headers)).then(|| {
        error(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "a valid back-office token is required",
        )
    })
}

pub(crate) fn invalid_request(description: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

pub(crate) fn admin_ok(issuer: &Issuer, headers: &HeaderMap) -> bool {
    let given = bearer(headers).unwrap_or_default();
    !issuer.admin_token.is_empty() && same_secret(given.as_bytes(), issuer.admin_token.as_bytes())
}

#[derive(Deserialize)]
struct OfferBody {
    bsn: String,
    credential_type: String,
    #[serde(default)]
    tx_code: bool,
}

/// Creates an offer and returns its link. Shared by the back-office API and the portal.
pub async fn make_offer(
    issuer: &Issuer,
    bsn: &Bsn,
    kind: CredentialType,
    with_tx_code: bool,
) -> Result<Value, Response> {
    match issuer.persons.get(bsn).await {
        Ok(Some(_)) => {}
        Ok(None) => {
            return Err(error(
                StatusCode::NOT_FOUND,
                "unknown_person",
                "no person with this BSN",
            ))
        }
        Err(e) => {
            return Err(error(
                StatusCode::BAD_GATEWAY,
                "source_unavailable",
                &e.to_string(),
            ))
        }
    }
    let code = random_token();
    let tx_code = with_tx_code.then(|| {
        let n = u32::from_be_bytes(random_bytes::<4>()) % 1_000_000;
        format!("{n:06}")
    });
    let mut record = OfferRecord {
        id: random_token(),
        bsn: bsn.as_str().to_owned(),
        credential_type: kind.id().to_owned(),
        tx_code: tx_code.clone(),
        expires_at: issuer.clock.now() + OFFER_TTL,
        collected: false,
        offer_json: None,
    };
    let offer = CredentialOffer {
        credential_issuer: issuer.public_url.clone(),
        credential_configuration_ids: vec![kind.id().to_owned()],
        grants: Grants {
            pre_authorized_code: Some(PreAuthorizedGrant {
                pre_authorized_code: code.clone(),
                tx_code: tx_code.as_ref().map(|_| TxCode {
                    input_mode: Some("numeric".into()),
                    length: Some(6),
                    description: Some("De code die u van de gemeente kreeg".into()),
                }),
            }),
        },
    };
    record.offer_json = serde_json::to_string(&offer).ok();
    issuer
        .store
        .put_offer(&record, &code)
        .await
        .map_err(store_failure)?;
    let by_reference = format!("{}/offers/{}", issuer.public_url, record.id);
    Ok(json!({
        "offer_id": record.id,
        "offer_uri": offer.to_uri(),
        "offer_uri_by_reference": CredentialOffer::reference_uri(&by_reference),
        "tx_code": tx_code,
        "expires_at": record.expires_at,
    }))
}

pub(crate) async fn create_offer(
    State(issuer): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Some(denied) = admin_denied(&issuer, &headers) {
        return denied;
    }
    let Ok(body) = serde_json::from_slice::<OfferBody>(&body) else {
        return invalid_request("expected {\"bsn\", \"credential_type\"}");
    };
    let Ok(bsn) = Bsn::parse(&body.bsn) else {
        return invalid_request("not a valid BSN");
    };
    let Some(kind) = CredentialType::from_id(&body.credential_type) else {
        return invalid_request("unknown credential_type");
    };
    match make_offer(&issuer, &bsn, kind, body.tx_code).await {
        Ok(v) => {
            tracing::debug!(
                credential_type = kind.id(),
                tx_code = body.tx_code,
                "offer created"
            );
            regie_ops::metrics().event("offer_created", &[("credential_type", kind.id())], 1);
            (StatusCode::CREATED, Json(v)).into_response()
        }
        Err(r) => r,
    }
}

/// The offer JSON for a `credential_offer_uri`; gone once collected or expired.
pub(crate) async fn offer_by_reference(
    State(issuer): State<Shared>,
    Path(id): Path<String>,
) -> Response {
    match issuer.store.offer(&id).await {
        Ok(Some(offer)) if !offer.collected && offer.expires_at > issuer.clock.now() => {
            match offer.offer_json {
                Some(json) => no_store(([(header::CONTENT_TYPE, "application/json")], json)),
                None => error(StatusCode::NOT_FOUND, "not_found", "unknown offer"),
            }
        }
        Ok(_) => error(
            StatusCode::NOT_FOUND,
            "not_found",
            "unknown, collected or expired offer",
        ),
        Err(e) => store_failure(e),
    }
}

pub(crate) async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::DOCUMENT,
    )
        .into_response()
}

pub(crate) async fn offer_state(
    State(issuer): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    // Back office only, like the rest of `/api`: the portal follows its own offers through
    // `/mijn/aanvraag/{id}/status`, bound to the citizen's login.
    if let Some(denied) = admin_denied(&issuer, &headers) {
        return denied;
    }
    match issuer.store.offer(&id).await {
        Ok(Some(offer)) => no_store(Json(json!({"collected": offer.collected}))),
        Ok(None) => error(StatusCode::NOT_FOUND, "not_found", "unknown offer"),
        Err(e) => store_failure(e),
    }
}

/// The calendar date (UTC) of Unix time `now`.
pub fn today(now: u64) -> PartialDate {
    PartialDate::parse_iso(&protocol::dates::iso_date(now)).unwrap_or(PartialDate::Unknown)
}

pub(crate) async fn status_list(
    State(issuer): State<Shared>,
    Path(list_id): Path<String>,
) -> Response {
    let list = match issuer.store.status_list(&list_id).await {
        Ok(Some(l)) => l,
        Ok(None) => return error(StatusCode::NOT_FOUND, "not_found", "unknown status list"),
        Err(e) => return store_failure(e),
    };
    let now = issuer.clock.now();
    let uri = format!("{}/status/{list_id}", issuer.public_url);
    match list.sign(&uri, now, Some(now + 86_400), Some(STATUS_TTL), &issuer.key) {
        Ok(jwt) => (
            [
                (
                    header::CONTENT_TYPE,
                    "application/statuslist+jwt".to_owned(),
                ),
                (
                    header::CACHE_CONTROL,
                    format!("public, max-age={STATUS_TTL}"),
                ),
            ],
            jwt,
        )
            .into_response(),
        Err(e) => internal(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_the_utc_calendar_date() {
        assert_eq!(today(0), PartialDate::Full(1970, 1, 1));
        assert_eq!(today(951_782_400), PartialDate::Full(2000, 2, 29));
        assert_eq!(today(1_795_478_400), PartialDate::Full(2026, 11, 24));
    }
}
