//! A real issuer on loopback for the OpenID4VCI tests, with a clock the test moves, and the
//! wallet's side of the protocol played with reqwest and the protocol crate.
#![allow(dead_code)]
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use protocol::jose::SigningKey;
use protocol::oid4vci::{create_proof, parse_offer_uri, OfferReference, TokenRequest};
use regie_issuer::person::FixtureSource;
use regie_issuer::routes::router;
use regie_issuer::service::{Clock, Issuer};
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
    /// Where this instance listens.
    pub base: String,
    /// The issuer identifier: `base`, or the one URL that several instances share.
    pub public_url: String,
    pub http: reqwest::Client,
    pub clock: Arc<TestClock>,
    _dir: Option<TempDir>,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub async fn start() -> Server {
    let dir = temp_dir("vci");
    let store = Store::open(&dir.0.join("db")).unwrap();
    start_on(store, Arc::new(TestClock(AtomicU64::new(START))), Some(dir)).await
}

/// `n` issuer instances on one fresh PostgreSQL database, each on its own port, with one
/// clock and one signing key: one service behind a load balancer.
pub async fn start_instances_on_postgres(n: usize) -> Vec<Server> {
    let url = regie_ops::test_database::fresh().await;
    let clock = Arc::new(TestClock(AtomicU64::new(START)));
    let key = SigningKey::generate().with_kid("test-issuer");
    let mut servers = Vec::new();
    for _ in 0..n {
        let store = Store::connect(&url).await.unwrap();
        let public = Some(SHARED_PUBLIC_URL.to_owned());
        servers.push(start_with(store, clock.clone(), key.clone(), public).await);
    }
    servers
}

/// The public URL of instances behind one load balancer.
pub const SHARED_PUBLIC_URL: &str = "https://gemeente.test";

fn temp_dir(name: &str) -> TempDir {
    static N: AtomicU64 = AtomicU64::new(0);
    TempDir(std::env::temp_dir().join(format!(
        "regie-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )))
}

async fn start_on(store: Store, clock: Arc<TestClock>, dir: Option<TempDir>) -> Server {
    let key = SigningKey::generate().with_kid("test-issuer");
    let mut server = start_with(store, clock, key, None).await;
    server._dir = dir;
    server
}

async fn start_with(
    store: Store,
    clock: Arc<TestClock>,
    key: SigningKey,
    public_url: Option<String>,
) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let public_url = public_url.unwrap_or_else(|| base.clone());
    let issuer = Arc::new(Issuer {
        public_url: public_url.clone(),
        key,
        store,
        persons: Arc::new(FixtureSource::embedded().unwrap()),
        admin_token: ADMIN.into(),
        batch_size: 3,
        clock: clock.clone(),
    });
    regie_ops::logging::for_tests();
    tokio::spawn(async move { axum::serve(listener, router(issuer)).await.unwrap() });
    Server {
        base,
        public_url,
        http: reqwest::Client::new(),
        clock,
        _dir: None,
    }
}

/// A store to run a test on: the embedded one in a fresh directory, or PostgreSQL in a
/// fresh database. [`TestStore::open`] opens it again, as a restarted instance would (an
/// embedded store must be closed first; PostgreSQL may be open in several at once).
pub struct TestStore {
    pub name: &'static str,
    dir: TempDir,
    url: Option<String>,
}

impl TestStore {
    /// The embedded store and PostgreSQL.
    pub async fn both() -> [TestStore; 2] {
        [
            TestStore {
                name: "sled",
                dir: temp_dir("store"),
                url: None,
            },
            TestStore {
                name: "postgres",
                dir: temp_dir("store"),
                url: Some(regie_ops::test_database::fresh().await),
            },
        ]
    }

    pub async fn open(&self) -> Store {
        self.open_with_list_size(regie_issuer::store::STATUS_LIST_SIZE)
            .await
    }

    pub async fn open_with_list_size(&self, list_size: u64) -> Store {
        match &self.url {
            Some(url) => Store::connect_with_list_size(url, list_size).await.unwrap(),
            None => Store::open_with_list_size(&self.dir.0.join("db"), list_size).unwrap(),
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.url.is_some()
    }
}

impl Server {
    /// An issuer started elsewhere (a process), listening at `base`, known as `public_url`.
    /// Its clock is the system's.
    pub fn remote(base: &str, public_url: &str) -> Server {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        Server {
            base: base.to_owned(),
            public_url: public_url.to_owned(),
            http: reqwest::Client::new(),
            clock: Arc::new(TestClock(AtomicU64::new(now))),
            _dir: None,
        }
    }

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
        .map(|k| create_proof(k, &s.public_url, nonce, s.clock.now()).unwrap())
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
