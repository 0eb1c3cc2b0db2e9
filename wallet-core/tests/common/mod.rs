//! Real parties on loopback for the wallet's tests: the real issuer service (in-process,
//! behind an optional tampering proxy), a small verifier built from the protocol crate, and
//! a test trust anchor with its trust list.
#![allow(dead_code)]
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use protocol::claim_path::ClaimPath;
use protocol::credential_types::{UITTREKSEL_BRP_VCT, WOONHISTORIE_VCT};
use protocol::dcql::{check_presented, DcqlQuery, PresentedCredential, FORMAT_SD_JWT_VC};
use protocol::jose::{PublicJwk, SigningKey};
use protocol::oid4vp::{sign_request, AuthorizationResponse, RequestContent, RequestLink};
use protocol::sd_jwt::KbExpectation;
use protocol::sd_jwt_vc::verify_presentation;
use protocol::trust::{
    issue_attestation, AllowedCredential, AttestationContent, Localized, Purpose, Registration,
    TrustList, TrustedIssuer, CLIENT_ID_PREFIX,
};
use regie_issuer::person::FixtureSource;
use regie_issuer::routes::router;
use regie_issuer::service::{Clock as IssuerClock, Issuer};
use regie_issuer::store::Store;
use serde_json::{json, Value};
use wallet_core::clock::SystemClock;
use wallet_core::trust::TrustConfig;
use wallet_core::{Wallet, WalletConfig};

pub mod cli;
mod tamper;
pub use tamper::Tamper;
use tamper::{proxy_request, ProxyState};

pub const ADMIN: &str = "test-admin-token";
pub const PIN: &str = "482915";
/// A BRP test person with an address history.
pub const BSN: &str = "999993653";

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

struct RealClock;
impl IssuerClock for RealClock {
    fn now(&self) -> u64 {
        now()
    }
}

/// A directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "regie-wallet-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The real issuer service, reached through a proxy that can tamper with its answers.
pub struct TestIssuer {
    /// The issuer identifier (the proxy's address).
    pub url: String,
    pub key: SigningKey,
    pub http: reqwest::Client,
    tamper: Arc<Mutex<Tamper>>,
    _dir: TempDir,
}

impl TestIssuer {
    pub async fn start() -> TestIssuer {
        let dir = TempDir::new("issuer");
        let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", proxy.local_addr().unwrap());
        let inner = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let inner_url = format!("http://{}", inner.local_addr().unwrap());
        let key = SigningKey::generate().with_kid("test-issuer");
        let issuer = Arc::new(Issuer {
            public_url: url.clone(),
            key: key.clone(),
            store: Store::open(&dir.0.join("db")).unwrap(),
            persons: Arc::new(FixtureSource::embedded().unwrap()),
            admin_token: ADMIN.into(),
            batch_size: 3,
            clock: Arc::new(RealClock),
        });
        regie_ops::logging::for_tests();
        tokio::spawn(async move { axum::serve(inner, router(issuer)).await.unwrap() });
        let tamper = Arc::new(Mutex::new(Tamper::None));
        let state = ProxyState {
            target: inner_url,
            http: reqwest::Client::new(),
            tamper: tamper.clone(),
            key: key.clone(),
        };
        let app = Router::new()
            .fallback(proxy_request)
            .with_state(Arc::new(state));
        tokio::spawn(async move { axum::serve(proxy, app).await.unwrap() });
        TestIssuer {
            url,
            key,
            http: reqwest::Client::new(),
            tamper,
            _dir: dir,
        }
    }

    pub fn set_tamper(&self, t: Tamper) {
        *self.tamper.lock().unwrap() = t;
    }

    /// A new offer for the test person: (offer_uri, offer_uri_by_reference, tx_code).
    pub async fn offer(&self, kind: &str, tx_code: bool) -> (String, String, Option<String>) {
        let r = self
            .http
            .post(format!("{}/api/offers", self.url))
            .bearer_auth(ADMIN)
            .json(&json!({"bsn": BSN, "credential_type": kind, "tx_code": tx_code}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let v: Value = r.json().await.unwrap();
        (
            v["offer_uri"].as_str().unwrap().to_owned(),
            v["offer_uri_by_reference"].as_str().unwrap().to_owned(),
            v["tx_code"].as_str().map(str::to_owned),
        )
    }

    /// The test person moves: the issuer revokes their credentials.
    pub async fn record_move(&self) {
        let r = self
            .http
            .post(format!("{}/api/persons/{BSN}/move", self.url))
            .bearer_auth(ADMIN)
            .json(
                &json!({"street": "Nieuwe Gracht", "house_number": 7, "postal_code": "3512 LA",
                "locality": "Utrecht", "municipality": "Utrecht", "date": "2026-11-01"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
}

/// The scheme's test trust anchor and the wallet's view of it.
pub struct Scheme {
    pub anchor: SigningKey,
    pub trust: TrustConfig,
}

impl Scheme {
    pub fn new(issuer: &TestIssuer) -> Scheme {
        let anchor = SigningKey::generate().with_kid("test-anchor");
        let list = TrustList {
            iss: "test-anchor".into(),
            iat: now() - 60,
            exp: now() + 2 * 365 * 86_400,
            issuers: vec![TrustedIssuer {
                id: issuer.url.clone(),
                name: Localized {
                    nl: "Gemeente Test".into(),
                    en: "Municipality of Test".into(),
                },
                keys: vec![issuer.key.public_jwk().clone()],
                credential_types: vec![UITTREKSEL_BRP_VCT.into(), WOONHISTORIE_VCT.into()],
            }],
        };
        let jwt = list.sign(&anchor).unwrap();
        let anchor_json = anchor.public_jwk().to_json_value().to_string();
        Scheme {
            trust: TrustConfig::from_texts(&anchor_json, &jwt).unwrap(),
            anchor,
        }
    }

    /// The anchor's public JWK and the trust list as files (for the CLI).
    pub fn write_files(&self, issuer: &TestIssuer, dir: &std::path::Path) -> (PathBuf, PathBuf) {
        let anchor = dir.join("anchor.jwk");
        std::fs::write(
            &anchor,
            self.anchor.public_jwk().to_json_value().to_string(),
        )
        .unwrap();
        let list = TrustList {
            iss: "test-anchor".into(),
            iat: now() - 60,
            exp: now() + 2 * 365 * 86_400,
            issuers: vec![TrustedIssuer {
                id: issuer.url.clone(),
                name: Localized {
                    nl: "Gemeente Test".into(),
                    en: "Municipality of Test".into(),
                },
                keys: vec![issuer.key.public_jwk().clone()],
                credential_types: vec![UITTREKSEL_BRP_VCT.into(), WOONHISTORIE_VCT.into()],
            }],
        };
        let path = dir.join("trust-list.jwt");
        std::fs::write(&path, list.sign(&self.anchor).unwrap()).unwrap();
        (anchor, path)
    }
}

/// A wallet in a fresh directory, trusting `scheme`.
pub fn wallet_config(dir: &TempDir, scheme: &Scheme) -> WalletConfig {
    let mut config = WalletConfig::new(dir.0.join("wallet"), scheme.trust.clone());
    config.clock = Arc::new(SystemClock);
    config
}

pub fn open_wallet(dir: &TempDir, scheme: &Scheme) -> Wallet {
    Wallet::open(wallet_config(dir, scheme)).unwrap()
}

fn text(s: &str) -> Localized {
    Localized {
        nl: s.into(),
        en: s.into(),
    }
}

/// A housing corporation allowed name, birth date and address history for "medehuur".
pub fn housing_registration() -> Registration {
    let paths = |ps: &[&[&str]]| -> Vec<ClaimPath> {
        ps.iter()
            .map(|p| ClaimPath::keys(p.iter().copied()).unwrap())
            .collect()
    };
    Registration {
        legal_name: "Woonstichting Test (fictief)".into(),
        registration_number: "99000001".into(),
        city: "Teststad".into(),
        logo: None,
        privacy_policy_url: "https://woonstichting.example/privacy".into(),
        purposes: vec![
            Purpose {
                id: "aanvraag-medehuur".into(),
                name: Localized {
                    nl: "Aanvraag medehuur".into(),
                    en: "Co-tenancy application".into(),
                },
                description: text("Controleren hoe lang u op het adres woont."),
                credentials: vec![AllowedCredential {
                    vct: WOONHISTORIE_VCT.into(),
                    claims: {
                        let mut p = paths(&[&["given_name"], &["family_name"], &["birthdate"]]);
                        p.push(ClaimPath::from_json_value(&json!(["addresses", null])).unwrap());
                        p
                    },
                }],
                retention_days: 365,
                retention: text("Een jaar na het einde van de huur."),
                shares_with_third_parties: false,
                deletion_possible: true,
                statement_types: Vec::new(),
            },
            Purpose {
                id: "verklaring-inschrijving".into(),
                name: text("Toestemming inschrijving"),
                description: text("U geeft toestemming dat iemand zich op uw adres inschrijft."),
                credentials: vec![AllowedCredential {
                    vct: UITTREKSEL_BRP_VCT.into(),
                    claims: paths(&[&["family_name"], &["address"]]),
                }],
                retention_days: 30,
                retention: text("Dertig dagen."),
                shares_with_third_parties: false,
                deletion_possible: true,
                statement_types: vec![protocol::statements::REGISTRATION_AT_ADDRESS.into()],
            },
        ],
    }
}

/// The query of a "medehuur" request: name, birth date, every address.
pub fn housing_query() -> Value {
    json!({"credentials": [{"id": "woon", "format": FORMAT_SD_JWT_VC,
        "meta": {"vct_values": [WOONHISTORIE_VCT]},
        "claims": [{"path": ["given_name"]}, {"path": ["family_name"]},
                   {"path": ["birthdate"]}, {"path": ["addresses", null]}]}]})
}

/// What the verifier saw of one request.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// Verified presentations: per query id the disclosed claims, plus the raw
    /// presentations (to compare across verifiers).
    Verified {
        claims: Value,
        presentations: Vec<String>,
        transaction_data_hashes: Option<Vec<String>>,
    },
    Error(String),
    Rejected(String),
}

struct Session {
    request_jwt: String,
    nonce: String,
    query: DcqlQuery,
    transaction_hashes: Option<Vec<String>>,
}

#[derive(Default)]
struct VerifierState {
    sessions: HashMap<String, Session>,
    outcomes: HashMap<String, Outcome>,
}

/// A small verifier: signs request objects, verifies direct_post responses in full.
pub struct TestVerifier {
    pub url: String,
    pub client_id: String,
    request_key: SigningKey,
    attestation: String,
    issuer_key: PublicJwk,
    issuer_url: String,
    state: Arc<Mutex<VerifierState>>,
}

impl TestVerifier {
    /// A verifier attested by `anchor` with `registration`.
    pub async fn start(
        anchor: &SigningKey,
        registration: &Registration,
        issuer: &TestIssuer,
    ) -> TestVerifier {
        Self::start_with(anchor, registration, issuer, false).await
    }

    /// A verifier whose attestation binds its answers to [`TestVerifier::bound_address`]
    /// (`redirect_uris`); its own per-request addresses are then outside the binding.
    pub async fn start_bound(
        anchor: &SigningKey,
        registration: &Registration,
        issuer: &TestIssuer,
    ) -> TestVerifier {
        Self::start_with(anchor, registration, issuer, true).await
    }

    /// The one answer address a bound verifier's attestation names.
    pub fn bound_address(&self) -> String {
        format!("{}/response/bound", self.url)
    }

    async fn start_with(
        anchor: &SigningKey,
        registration: &Registration,
        issuer: &TestIssuer,
        bound: bool,
    ) -> TestVerifier {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let client_id = format!("verifier-{}.test", listener.local_addr().unwrap().port());
        let request_key = SigningKey::generate();
        let bound_to = [format!("{url}/response/bound")];
        let attestation = issue_attestation(
            &AttestationContent {
                anchor_id: "test-anchor",
                client_id: &client_id,
                request_key: request_key.public_jwk(),
                registration,
                redirect_uris: bound.then_some(&bound_to[..]),
                iat: now() - 60,
                exp: now() + 3600,
            },
            anchor,
        )
        .unwrap();
        let state = Arc::new(Mutex::new(VerifierState::default()));
        let app_state = Arc::new(AppState {
            state: state.clone(),
            client_id: format!("{CLIENT_ID_PREFIX}{client_id}"),
            issuer_key: issuer.key.public_jwk().clone(),
            issuer_url: issuer.url.clone(),
        });
        let app = Router::new()
            .route("/request/{id}", get(serve_request))
            .route("/response/{id}", post(receive_response))
            .with_state(app_state);
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        TestVerifier {
            url,
            client_id,
            request_key,
            attestation,
            issuer_key: issuer.key.public_jwk().clone(),
            issuer_url: issuer.url.clone(),
            state,
        }
    }

    /// A new request; returns the `openid4vp://` link.
    pub fn request(
        &self,
        purpose: Option<&str>,
        query: Value,
        transaction_data: &[Value],
    ) -> String {
        self.request_changed(purpose, query, transaction_data, json!({}))
    }

    /// A new request whose signed claims have `changes` applied (members replaced or
    /// added), as a careless or hostile verifier might sign it.
    pub fn request_changed(
        &self,
        purpose: Option<&str>,
        query: Value,
        transaction_data: &[Value],
        changes: Value,
    ) -> String {
        static N: AtomicU64 = AtomicU64::new(0);
        let id = format!("s{}", N.fetch_add(1, Ordering::SeqCst));
        let nonce = format!("nonce-{id}-{}", now());
        let query = DcqlQuery::parse(query.to_string()).unwrap();
        let response_uri = format!("{}/response/{id}", self.url);
        let jwt = sign_request(
            &RequestContent {
                client_id: &self.client_id,
                response_uri: &response_uri,
                nonce: &nonce,
                state: Some(&id),
                purpose,
                dcql_query: &query,
                transaction_data,
                iat: now(),
                exp: now() + 600,
            },
            &self.attestation,
            &self.request_key,
        )
        .unwrap();
        let jwt = match changes.as_object().filter(|c| !c.is_empty()) {
            None => jwt,
            Some(changes) => {
                let mut claims: serde_json::Map<String, Value> =
                    protocol::jose::UnverifiedJws::parse(&jwt)
                        .unwrap()
                        .claims_unverified()
                        .unwrap();
                claims.extend(changes.clone());
                let mut header = serde_json::Map::new();
                header.insert("jwt".into(), self.attestation.clone().into());
                protocol::jose::sign_json(
                    protocol::oid4vp::REQUEST_OBJECT_TYP,
                    header,
                    &claims,
                    &self.request_key,
                )
                .unwrap()
            }
        };
        let hashes = (!transaction_data.is_empty()).then(|| {
            transaction_data
                .iter()
                .map(|t| {
                    protocol::oid4vp::transaction_data_hash(
                        &protocol::oid4vp::encode_transaction_data(t),
                    )
                })
                .collect()
        });
        self.state.lock().unwrap().sessions.insert(
            id.clone(),
            Session {
                request_jwt: jwt,
                nonce,
                query,
                transaction_hashes: hashes,
            },
        );
        RequestLink {
            client_id: format!("{CLIENT_ID_PREFIX}{}", self.client_id),
            request_uri: format!("{}/request/{id}", self.url),
        }
        .to_uri()
    }

    /// The outcome of the most recent responded session, if any.
    pub fn outcomes(&self) -> Vec<Outcome> {
        let state = self.state.lock().unwrap();
        let mut ids: Vec<&String> = state.outcomes.keys().collect();
        ids.sort_by_key(|id| id[1..].parse::<u64>().unwrap_or(0));
        ids.into_iter()
            .map(|id| state.outcomes[id].clone())
            .collect()
    }
}

struct AppState {
    state: Arc<Mutex<VerifierState>>,
    client_id: String,
    issuer_key: PublicJwk,
    issuer_url: String,
}

async fn serve_request(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> axum::response::Response {
    let state = app.state.lock().unwrap();
    match state.sessions.get(&id) {
        Some(s) => (
            [("content-type", "application/oauth-authz-req+jwt")],
            s.request_jwt.clone(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn receive_response(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    body: Bytes,
) -> axum::response::Response {
    let mut state = app.state.lock().unwrap();
    if state.outcomes.contains_key(&id) {
        return (StatusCode::BAD_REQUEST, "already answered").into_response();
    }
    let Some(session) = state.sessions.get(&id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let outcome = match AuthorizationResponse::from_form(&body) {
        Err(e) => Outcome::Rejected(e.to_string()),
        Ok(AuthorizationResponse::Error { error, .. }) => Outcome::Error(error),
        Ok(AuthorizationResponse::Presentations { vp_token, .. }) => {
            verify_all(&app, session, &vp_token)
        }
    };
    let status = match outcome {
        Outcome::Rejected(_) => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    state.outcomes.insert(id, outcome);
    (status, [("content-type", "application/json")], "{}").into_response()
}

fn verify_all(
    app: &AppState,
    session: &Session,
    vp_token: &serde_json::Map<String, Value>,
) -> Outcome {
    let mut claims = serde_json::Map::new();
    let mut raws = Vec::new();
    let mut verified = Vec::new();
    let mut hashes = None;
    for (query_id, list) in vp_token {
        for p in list.as_array().unwrap() {
            let raw = p.as_str().unwrap();
            let result = verify_presentation(
                raw,
                |iss, _| (iss == app.issuer_url).then(|| app.issuer_key.clone()),
                &KbExpectation {
                    aud: &app.client_id,
                    nonce: &session.nonce,
                    now: now(),
                    max_age: 300,
                    future_skew: 60,
                    transaction_data_hashes: session.transaction_hashes.as_deref(),
                },
                60,
            );
            match result {
                Ok(v) => {
                    hashes = v.key_binding.transaction_data_hashes.clone();
                    claims.insert(query_id.clone(), Value::Object(v.credential.attributes()));
                    raws.push(raw.to_owned());
                    verified.push((query_id.clone(), v));
                }
                Err(e) => return Outcome::Rejected(e.to_string()),
            }
        }
    }
    let values: Vec<Value> = verified
        .iter()
        .map(|(_, v)| Value::Object(v.credential.claims().clone()))
        .collect();
    let presented: Vec<PresentedCredential<'_>> = verified
        .iter()
        .zip(&values)
        .map(|((q, v), c)| PresentedCredential {
            query_id: q,
            format: FORMAT_SD_JWT_VC,
            vct: v.credential.vct(),
            claims: c,
            holder_binding: true,
            disclosable_arrays: v.credential.sd_jwt().disclosable_arrays(),
        })
        .collect();
    if let Err(e) = check_presented(&session.query, &presented) {
        return Outcome::Rejected(e.to_string());
    }
    Outcome::Verified {
        claims: Value::Object(claims),
        presentations: raws,
        transaction_data_hashes: hashes,
    }
}
