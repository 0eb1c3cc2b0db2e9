//! The issuer's HTTP service: OpenID4VCI endpoints (metadata, token, nonce, credential),
//! the status list, and the back-office API (create offers, revoke credentials).

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use protocol::credential_types::{CredentialType, Lang};
use protocol::jose::{b64u_encode, random_bytes, SigningKey};
use protocol::oid4vci::{
    self, CredentialError, CredentialOffer, CredentialRequest, CredentialResponse, ErrorResponse,
    Grants, IssuedCredential, NonceResponse, PreAuthorizedGrant, ProofExpectation, TokenError,
    TokenGrant, TokenResponse, TxCode,
};
use protocol::sd_jwt::RandomSalts;
use protocol::sd_jwt_vc::{self, VcEnvelope};
use protocol::status_list::StatusReference;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::credentials::claims_for;
use crate::person::{Bsn, PartialDate, PersonSource};
use crate::store::{CredentialRecord, OfferRecord, RefreshRecord, Store, TokenRecord};
use crate::store_failure::{store_failure, DurableOnDrop};

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

/// The router with every endpoint: the protocol endpoints, the back-office API and the
/// citizen portal, without consent cases.
pub fn router(issuer: Shared) -> Router {
    router_with_cases(issuer, None)
}

/// The router with consent cases, asked for through the verifier as the party `cases`
/// holds; their open sessions are followed in the background.
pub fn router_with_cases(issuer: Shared, cases: Option<Arc<crate::cases::Cases>>) -> Router {
    if let (Some(cases), Ok(runtime)) = (&cases, tokio::runtime::Handle::try_current()) {
        let cases = Arc::downgrade(cases);
        runtime.spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
            loop {
                tick.tick().await;
                // Ends with the service: the task holds the cases only while it works.
                let Some(cases) = cases.upgrade() else { break };
                cases.follow_open_sessions().await;
            }
        });
    }
    // A store that cannot open the portal's trees answers the portal's pages with an error
    // rather than stopping the protocol endpoints.
    let portal = crate::portal::router(issuer.clone(), cases).unwrap_or_else(|e| {
        let reason = e.to_string();
        Router::new().fallback(move || {
            let reason = reason.clone();
            async move { internal(reason) }
        })
    });
    Router::new()
        .route(
            "/.well-known/openid-credential-issuer",
            get(issuer_metadata),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(authorization_server_metadata),
        )
        .route("/.well-known/jwt-vc-issuer", get(jwt_vc_issuer))
        .route("/token", post(token))
        .route("/nonce", post(nonce))
        .route("/credential", post(credential))
        .route("/status/{list_id}", get(status_list))
        .route("/offers/{id}", get(offer_by_reference))
        .route("/api/openapi.json", get(openapi))
        .route("/health/live", get(crate::health::live))
        .route("/health/ready", get(crate::health::ready))
        .route("/metrics", get(crate::health::metrics))
        .route("/api/offers", post(create_offer))
        .route("/api/offers/{id}", get(offer_state))
        .route("/api/credentials/{id}/revoke", post(revoke))
        .route("/api/persons/{bsn}/credentials", get(list_credentials))
        .route("/api/persons/{bsn}/move", post(record_move))
        .route("/api/documents", post(create_document))
        .with_state(issuer)
        .merge(portal)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(regie_ops::log_requests))
}

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

async fn issuer_metadata(State(issuer): State<Shared>) -> Json<Value> {
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

async fn authorization_server_metadata(State(issuer): State<Shared>) -> Json<Value> {
    Json(json!({
        "issuer": issuer.public_url,
        "token_endpoint": format!("{}/token", issuer.public_url),
        "grant_types_supported": [oid4vci::PRE_AUTHORIZED_GRANT, oid4vci::REFRESH_GRANT],
        "pre-authorized_grant_anonymous_access_supported": true,
    }))
}

async fn jwt_vc_issuer(State(issuer): State<Shared>) -> Json<Value> {
    Json(json!({
        "issuer": issuer.public_url,
        "jwks": {"keys": [issuer.key.public_jwk().to_json_value()]},
    }))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
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

fn admin_ok(issuer: &Issuer, headers: &HeaderMap) -> bool {
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

async fn create_offer(
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
async fn offer_by_reference(State(issuer): State<Shared>, Path(id): Path<String>) -> Response {
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

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::DOCUMENT,
    )
        .into_response()
}

async fn offer_state(
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

async fn token(State(issuer): State<Shared>, body: axum::body::Bytes) -> Response {
    let _durable = DurableOnDrop(&issuer.store);
    let token_error =
        |e: TokenError, description: &str| error(StatusCode::BAD_REQUEST, e.code(), description);
    let now = issuer.clock.now();
    let (offer_id, bsn, credential_type, grant) = match TokenGrant::from_form(&body) {
        Err(e) => return token_error(e, "malformed token request"),
        Ok(TokenGrant::PreAuthorized(request)) => {
            let offer = match issuer.store.take_code(&request.pre_authorized_code).await {
                Ok(Some(o)) => o,
                Ok(None) => {
                    return token_error(TokenError::InvalidGrant, "unknown or already used code")
                }
                Err(e) => return store_failure(e),
            };
            if offer.expires_at <= now {
                return token_error(TokenError::InvalidGrant, "the code has expired");
            }
            if let Some(expected) = &offer.tx_code {
                let given = request.tx_code.as_deref().unwrap_or_default();
                if !same_secret(given.as_bytes(), expected.as_bytes()) {
                    // The code is spent: a wrong tx_code cannot be retried by guessing.
                    return token_error(TokenError::InvalidGrant, "wrong transaction code");
                }
            }
            let grant = offer.id.clone();
            (offer.id, offer.bsn, offer.credential_type, grant)
        }
        Ok(TokenGrant::Refresh { refresh_token }) => {
            let taken = match issuer.store.take_refresh_token(&refresh_token).await {
                // A revocation as lost or stolen ended this grant: no fresh copies for it.
                Ok(Some(r)) => match issuer.store.grant_ended(&r.grant).await {
                    Ok(true) => Ok(None),
                    Ok(false) => Ok(Some(r)),
                    Err(e) => Err(e),
                },
                other => other,
            };
            match taken {
                Ok(Some(r)) if r.expires_at > now => (
                    format!("refresh-{}", random_token()),
                    r.bsn,
                    r.credential_type,
                    r.grant,
                ),
                Ok(_) => {
                    return token_error(
                        TokenError::InvalidGrant,
                        "unknown, used or expired refresh token",
                    )
                }
                Err(e) => return store_failure(e),
            }
        }
    };
    let access_token = random_token();
    let refresh_token = random_token();
    let record = TokenRecord {
        offer_id,
        bsn: bsn.clone(),
        credential_type: credential_type.clone(),
        expires_at: now + TOKEN_TTL,
        grant: grant.clone(),
    };
    let refresh = RefreshRecord {
        bsn,
        credential_type,
        expires_at: now + REFRESH_TTL,
        grant,
    };
    let stored = match issuer.store.put_token(&access_token, &record).await {
        Ok(()) => {
            issuer
                .store
                .put_refresh_token(&refresh_token, &refresh)
                .await
        }
        Err(e) => Err(e),
    };
    if let Err(e) = stored {
        return store_failure(e);
    }
    no_store(Json(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: TOKEN_TTL,
        refresh_token: Some(refresh_token),
    }))
}

/// The body is read (and ignored) so that the body limit applies here too.
async fn nonce(State(issuer): State<Shared>, _body: axum::body::Bytes) -> Response {
    let c_nonce = random_token();
    match issuer
        .store
        .put_nonce(&c_nonce, issuer.clock.now() + TOKEN_TTL)
        .await
    {
        Ok(()) => no_store(Json(NonceResponse { c_nonce })),
        Err(e) => store_failure(e),
    }
}

fn credential_error(e: CredentialError, description: &str) -> Response {
    error(StatusCode::BAD_REQUEST, e.code(), description)
}

async fn credential(
    State(issuer): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let Some(access_token) = bearer(&headers) else {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "access token required",
        );
    };
    let request = match CredentialRequest::from_json(&body) {
        Ok(r) => r,
        Err(e) => return credential_error(e, "malformed credential request"),
    };
    let now = issuer.clock.now();
    let _durable = DurableOnDrop(&issuer.store);
    let token = match issuer.store.take_token(access_token).await {
        Ok(Some(t)) if t.expires_at > now => t,
        Ok(_) => {
            return error(
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                "unknown, used or expired access token",
            )
        }
        Err(e) => return store_failure(e),
    };
    if request.credential_configuration_id != token.credential_type {
        return credential_error(
            CredentialError::UnknownCredentialConfiguration,
            "this token is for another credential configuration",
        );
    }
    // Every proof must carry the same fresh nonce; it is spent here.
    let nonce = protocol::jose::UnverifiedJws::parse(&request.proofs.jwt[0])
        .ok()
        .and_then(|j| j.claims_unverified::<Value>().ok())
        .and_then(|c| c.get("nonce").and_then(Value::as_str).map(str::to_owned));
    let Some(nonce) = nonce else {
        return credential_error(CredentialError::InvalidNonce, "proof has no nonce");
    };
    match issuer.store.take_nonce(&nonce).await {
        Ok(Some(expires)) if expires > now => {}
        Ok(_) => {
            return credential_error(
                CredentialError::InvalidNonce,
                "unknown, used or expired nonce",
            )
        }
        Err(e) => return store_failure(e),
    }
    let expectation = ProofExpectation {
        credential_issuer: &issuer.public_url,
        nonce: &nonce,
        now,
        max_age: TOKEN_TTL,
        future_skew: 60,
    };
    let holder_keys =
        match oid4vci::verify_proofs(&request.proofs.jwt, issuer.batch_size, &expectation) {
            Ok(keys) => keys,
            Err(e) => return credential_error(CredentialError::InvalidProof, &e.to_string()),
        };
    let (Ok(bsn), Some(kind)) = (
        Bsn::parse(&token.bsn),
        CredentialType::from_id(&token.credential_type),
    ) else {
        return internal("token record is corrupt");
    };
    let person = match issuer.persons.get(&bsn).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            return credential_error(
                CredentialError::CredentialRequestDenied,
                "person no longer registered",
            )
        }
        Err(e) => {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "source_unavailable",
                &e.to_string(),
            )
        }
    };
    let residents = crate::documents::residents_of(&issuer, &person).await;
    let today = today(now);
    let claims = claims_for(kind, &person, &residents, today);
    let mut issued = Vec::with_capacity(holder_keys.len());
    let mut records = Vec::with_capacity(holder_keys.len());
    let slots = match issuer
        .store
        .allocate_status_slots(holder_keys.len() as u64)
        .await
    {
        Ok(slots) => slots,
        Err(e) => return store_failure(e),
    };
    for (holder_key, slot) in holder_keys.iter().zip(slots) {
        let envelope = VcEnvelope {
            iss: &issuer.public_url,
            vct: kind.vct(),
            iat: now,
            exp: now + CREDENTIAL_TTL,
            nbf: None,
            holder_key,
            status: Some(StatusReference {
                idx: slot.idx,
                uri: format!("{}/status/{}", issuer.public_url, slot.list),
            }),
        };
        let sd = match sd_jwt_vc::issue(
            &envelope,
            claims.claims.clone(),
            &claims.frame,
            &issuer.key,
            &mut RandomSalts,
        ) {
            Ok(sd) => sd,
            Err(e) => return internal(e),
        };
        let record = CredentialRecord {
            id: random_token(),
            offer_id: token.offer_id.clone(),
            bsn: token.bsn.clone(),
            credential_type: kind.id().to_owned(),
            status_idx: slot.idx,
            status_list: slot.list_id(),
            issued_at: now,
            expires_at: now + CREDENTIAL_TTL,
            revoked: false,
            grant: token.grant.clone(),
        };
        records.push(record);
        issued.push(IssuedCredential {
            credential: sd.serialize(),
        });
    }
    // The records must outlive a crash: a copy that left without one could not be revoked.
    // All of them with the offer's "collected", or none.
    if let Err(e) = issuer.store.record_issued(&records, &token.offer_id).await {
        return store_failure(e);
    }
    regie_ops::metrics().event(
        "credential_issued",
        &[("credential_type", kind.id())],
        issued.len() as u64,
    );
    no_store(Json(CredentialResponse {
        credentials: issued,
        notification_id: None,
    }))
}

/// The calendar date (UTC) of Unix time `now`.
pub fn today(now: u64) -> PartialDate {
    PartialDate::parse_iso(&protocol::dates::iso_date(now)).unwrap_or(PartialDate::Unknown)
}

async fn status_list(State(issuer): State<Shared>, Path(list_id): Path<String>) -> Response {
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

async fn list_credentials(
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
async fn record_move(
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
async fn create_document(
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

async fn revoke(
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
