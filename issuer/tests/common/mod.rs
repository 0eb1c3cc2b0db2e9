//! A real issuer on loopback for the OpenID4VCI tests, with a clock the test moves, and the
//! wallet's side of the protocol played with reqwest and the protocol crate.
#![allow(dead_code)]
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use protocol::jose::SigningKey;
use protocol::oid4vci::{create_proof, parse_offer_uri, OfferReference, TokenRequest};
use regie_issuer::person::FixtureSource;
use regie_issuer::service::{router, Clock, Issuer};
use regie_issuer::store::Store;
use serde_json::{json, Value};

pub const ADMIN: &str = "test-admin-token";
pub const START: u64 = 1_795_478_400; // 2026-11-24

pub struct TestClock(pub AtomicU64);

impl Clock for TestClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

pub struct Server {
    pub base: String,
    pub http: reqwest::Client,
    pub clock: Arc<TestClock>,
    _dir: TempDir,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub async fn start() -> Server {
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "regie-vci-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let clock = Arc::new(TestClock(AtomicU64::new(START)));
    let issuer = Arc::new(Issuer {
        public_url: base.clone(),
        key: SigningKey::generate().with_kid("test-issuer"),
        store: Store::open(&dir.join("db")).unwrap(),
        persons: Arc::new(FixtureSource::embedded().unwrap()),
        admin_token: ADMIN.into(),
        batch_size: 3,
        clock: clock.clone(),
    });
    regie_ops::logging::for_tests();
    tokio::spawn(async move { axum::serve(listener, router(issuer)).await.unwrap() });
    Server {
        base,
        http: reqwest::Client::new(),
        clock,
        _dir: TempDir(dir),
    }
}

impl Server {
    pub async fn offer(&self, bsn: &str, kind: &str, tx_code: bool) -> Value {
        let r = self
            .http
            .post(format!("{}/api/offers", self.base))
            .bearer_auth(ADMIN)
            .json(&json!({"bsn": bsn, "credential_type": kind, "tx_code": tx_code}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        r.json().await.unwrap()
    }

    pub async fn token(&self, code: &str, tx_code: Option<&str>) -> (u16, Value) {
        let form = TokenRequest {
            pre_authorized_code: code.into(),
            tx_code: tx_code.map(str::to_owned),
        }
        .to_form();
        let r = self
            .http
            .post(format!("{}/token", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    pub async fn nonce(&self) -> String {
        let r: Value = self
            .http
            .post(format!("{}/nonce", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        r["c_nonce"].as_str().unwrap().to_owned()
    }

    pub async fn credential(&self, token: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}/credential", self.base))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    /// The refresh grant at the token endpoint: (status, body).
    pub async fn refresh(&self, refresh_token: &str) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}/token", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(protocol::oid4vci::TokenGrant::refresh_form(refresh_token))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    pub async fn get_json(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.base))
            .bearer_auth(ADMIN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

pub fn code_of(offer: &Value) -> String {
    let OfferReference::ByValue(offer) =
        parse_offer_uri(offer["offer_uri"].as_str().unwrap(), true).unwrap()
    else {
        panic!("offer by value expected")
    };
    offer.pre_authorized().unwrap().pre_authorized_code.clone()
}

pub fn proofs(s: &Server, keys: &[SigningKey], nonce: &str) -> Vec<String> {
    keys.iter()
        .map(|k| create_proof(k, &s.base, nonce, s.clock.now()).unwrap())
        .collect()
}

/// Collects one copy of `kind` for `bsn`: the credential and the refresh token.
pub async fn collect(s: &Server, bsn: &str, kind: &str) -> String {
    let offer = s.offer(bsn, kind, false).await;
    let (_, token) = s.token(&code_of(&offer), None).await;
    let nonce = s.nonce().await;
    let (status, response) = s
        .credential(
            token["access_token"].as_str().unwrap(),
            json!({"credential_configuration_id": kind,
                   "proofs": {"jwt": proofs(s, &[SigningKey::generate()], &nonce)}}),
        )
        .await;
    assert_eq!(status, 200, "{response}");
    response["credentials"][0]["credential"]
        .as_str()
        .unwrap()
        .to_owned()
}
