//! The three parties on loopback for the verifier's tests: the real issuer service, the real
//! verifier service with the fixture relying parties, and a wallet-core wallet; plus a "raw"
//! holder that builds presentations by hand to send what an honest wallet never would.
#![allow(dead_code)]
pub mod load;
pub mod nginx;
pub mod process;
pub mod tmpfs;
pub mod vci_client;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use protocol::claim_path::ClaimPath;
use protocol::credential_types::{UITTREKSEL_BRP_VCT, WOONHISTORIE_VCT};
use protocol::jose::SigningKey;
use protocol::oid4vci::{create_proof, parse_offer_uri, OfferReference, TokenRequest};
use protocol::oid4vp::{verify_request, AuthorizationResponse, RequestLink, VerifiedRequest};
use protocol::sd_jwt::{add_key_binding, SdJwt};
use protocol::trust::{Localized, TrustList, TrustedIssuer};
use regie_issuer::cases::{Cases, PartyConfig, VerifierClient};
use regie_issuer::person::FixtureSource;
use regie_issuer::routes::router_with_cases;
use regie_issuer::service::{Clock as IssuerClock, Issuer};
use regie_verifier::clock::Clock;
use regie_verifier::image_pool::ImagePool;
use regie_verifier::registry::Registry;
use regie_verifier::service::{router, Verifier};
use regie_verifier::sessions::{PgSessions, Sessions, SledSessions};
use regie_verifier::status_cache::StatusCache;
use serde_json::{json, Value};
use wallet_core::pin::Pin;
use wallet_core::trust::TrustConfig;
use wallet_core::{UnlockedWallet, Wallet, WalletConfig};

pub const ADMIN: &str = "test-admin-token";
pub const BSN: &str = "999993653";
pub const HOUSING_KEY: &str = "demo-woonstichting-key";
pub const NOTARY_KEY: &str = "demo-notaris-key";
pub const MUNICIPALITY_KEY: &str = "demo-gemeente-key";

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A clock that is the real time plus an offset the test can move.
#[derive(Default)]
pub struct ShiftClock(AtomicU64);

impl ShiftClock {
    pub fn advance(&self, seconds: u64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for ShiftClock {
    fn now(&self) -> u64 {
        now() + self.0.load(Ordering::SeqCst)
    }
}

/// The issuer follows the same moved clock as the verifier, so that cases expire too.
impl IssuerClock for ShiftClock {
    fn now(&self) -> u64 {
        now() + self.0.load(Ordering::SeqCst)
    }
}

pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "regie-verifier-{tag}-{}-{}",
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

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn demo_anchor() -> SigningKey {
    let text = std::fs::read_to_string(repo_root().join("fixtures/demo/trust-anchor.private.jwk"))
        .unwrap();
    SigningKey::from_private_jwk(&serde_json::from_str(&text).unwrap()).unwrap()
}

/// A trust list signed by the demo anchor with one issuer: `issuer_url` and its key.
pub fn trust_list_for(issuer_url: &str, issuer_key: &SigningKey) -> String {
    TrustList {
        iss: "demo-trust-anchor".into(),
        iat: now() - 60,
        exp: now() + 2 * 365 * 86_400,
        issuers: vec![TrustedIssuer {
            id: issuer_url.to_owned(),
            name: Localized {
                nl: "Gemeente Test".into(),
                en: "Municipality of Test".into(),
            },
            keys: vec![issuer_key.public_jwk().clone()],
            credential_types: vec![UITTREKSEL_BRP_VCT.into(), WOONHISTORIE_VCT.into()],
        }],
    }
    .sign(&demo_anchor())
    .unwrap()
}

/// The demo relying parties copied to `dest`, each attestation signed again by the demo
/// anchor with `redirect_uris`; returns `dest`.
pub fn parties_attested_again(dest: &std::path::Path, redirect_uris: Option<&[String]>) -> PathBuf {
    use protocol::trust::{issue_attestation, AttestationContent, Registration};
    let anchor = demo_anchor();
    let source = repo_root().join("fixtures/relying-parties");
    for entry in std::fs::read_dir(&source).unwrap() {
        let from = entry.unwrap().path();
        if !from.join("party.json").exists() {
            continue;
        }
        let to = dest.join(from.file_name().unwrap());
        std::fs::create_dir_all(&to).unwrap();
        for file in ["party.json", "request-key.jwk"] {
            std::fs::copy(from.join(file), to.join(file)).unwrap();
        }
        let read = |file: &str| -> Value {
            serde_json::from_str(&std::fs::read_to_string(to.join(file)).unwrap()).unwrap()
        };
        let party = read("party.json");
        let registration: Registration =
            serde_json::from_value(party["registration"].clone()).unwrap();
        let key = SigningKey::from_private_jwk(&read("request-key.jwk")).unwrap();
        let jwt = issue_attestation(
            &AttestationContent {
                anchor_id: anchor.kid().unwrap_or("trust-anchor"),
                client_id: party["client_id"].as_str().unwrap(),
                request_key: key.public_jwk(),
                registration: &registration,
                redirect_uris,
                iat: now() - 60,
                exp: now() + 3600,
            },
            &anchor,
        )
        .unwrap();
        std::fs::write(to.join("attestation.jwt"), jwt).unwrap();
    }
    dest.to_owned()
}

/// A verifier serving `public_url` with the demo trust anchor and the parties in `parties`.
fn verifier_instance(
    public_url: &str,
    parties: &std::path::Path,
    sessions: Sessions,
    trust_list_jwt: &str,
    clock: &Arc<ShiftClock>,
    extra_roots: &[reqwest::Certificate],
) -> Arc<Verifier> {
    let anchor = demo_anchor();
    Arc::new(Verifier {
        public_url: public_url.to_owned(),
        registry: Registry::load(parties, anchor.public_jwk(), now()).unwrap(),
        sessions,
        trust_anchor: anchor.public_jwk().clone(),
        trust_list_jwt: trust_list_jwt.to_owned(),
        status: StatusCache::trusting(true, extra_roots),
        clock: clock.clone(),
        // One image at a time, four waiting, as on a two-core machine; a time limit far
        // beyond what the unoptimised test build needs for the tests' images.
        images: ImagePool::new(1, 4, std::time::Duration::from_secs(120)),
    })
}

/// Issuer, verifier and a wallet, all on loopback.
pub struct World {
    pub issuer_url: String,
    pub issuer_key: SigningKey,
    pub verifier_url: String,
    pub verifier: Arc<Verifier>,
    pub clock: Arc<ShiftClock>,
    pub trust_list_jwt: String,
    pub http: reqwest::Client,
    pub dir: TempDir,
    /// The relying parties' directory the verifier loaded.
    parties: PathBuf,
    /// The database the verifier's sessions are in, when not in sled.
    pub database_url: Option<String>,
    /// Where the first issuer and verifier instances listen (their public URLs are
    /// `issuer_url` and `verifier_url`: the same, unless they are behind a load balancer).
    pub issuer_listen: String,
    pub verifier_listen: String,
    /// The extra CA the wallet and the verifier trust (a world behind TLS).
    ca_pem: Option<Vec<u8>>,
}

/// Public HTTPS addresses in front of a world's services, and the CA their certificate is
/// from.
pub struct Front {
    pub issuer_url: String,
    pub verifier_url: String,
    pub ca_pem: Vec<u8>,
}

/// How a world is put together.
#[derive(Default)]
struct Setup {
    bound: bool,
    database_url: Option<String>,
    front: Option<Front>,
}

fn roots_of(ca_pem: Option<&[u8]>) -> Vec<reqwest::Certificate> {
    ca_pem
        .map(|pem| reqwest::Certificate::from_pem_bundle(pem).unwrap())
        .unwrap_or_default()
}

/// The tests' HTTP client, trusting the world's extra CA.
fn client_trusting(ca_pem: Option<&[u8]>) -> reqwest::Client {
    let mut builder = reqwest::Client::builder();
    for root in roots_of(ca_pem) {
        builder = builder.add_root_certificate(root);
    }
    builder.build().unwrap()
}

/// A fresh PostgreSQL database in the test run's throwaway cluster.
pub async fn fresh_database() -> String {
    regie_ops::test_database::fresh().await
}

impl World {
    pub async fn start() -> World {
        Self::start_with(Setup::default()).await
    }

    /// A world behind `front` (a load balancer with TLS), both services on one fresh
    /// PostgreSQL database, so that more instances can be started beside the first.
    pub async fn start_behind(front: Front) -> World {
        Self::start_with(Setup {
            database_url: Some(fresh_database().await),
            front: Some(front),
            ..Setup::default()
        })
        .await
    }

    /// A world whose relying parties are attested again with their answers bound to this
    /// verifier's one answer address (`redirect_uris`), as a real trust anchor would.
    pub async fn start_bound() -> World {
        Self::start_with(Setup {
            bound: true,
            ..Setup::default()
        })
        .await
    }

    /// A world whose verifier keeps its sessions in a fresh PostgreSQL database.
    pub async fn start_on_postgres() -> World {
        Self::start_with(Setup {
            database_url: Some(fresh_database().await),
            ..Setup::default()
        })
        .await
    }

    async fn start_with(setup: Setup) -> World {
        let Setup {
            bound,
            database_url,
            front,
        } = setup;
        let dir = TempDir::new("world");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer_listen = format!("http://{}", listener.local_addr().unwrap());
        let verifier_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let verifier_listen = format!("http://{}", verifier_listener.local_addr().unwrap());
        let (issuer_url, verifier_url, ca_pem) = match front {
            Some(f) => (f.issuer_url, f.verifier_url, Some(f.ca_pem)),
            None => (issuer_listen.clone(), verifier_listen.clone(), None),
        };
        let clock = Arc::new(ShiftClock::default());
        let issuer_key = SigningKey::generate().with_kid("test-issuer");
        // Behind a front, the issuer shares the database too; otherwise it keeps sled.
        let issuer_store = match (&database_url, &ca_pem) {
            (Some(url), Some(_)) => regie_issuer::store::Store::connect(url).await.unwrap(),
            _ => regie_issuer::store::Store::open(&dir.0.join("issuer")).unwrap(),
        };
        let issuer = Arc::new(Issuer {
            public_url: issuer_url.clone(),
            key: issuer_key.clone(),
            store: issuer_store,
            persons: Arc::new(FixtureSource::embedded().unwrap()),
            admin_token: ADMIN.into(),
            batch_size: 3,
            clock: clock.clone(),
        });
        // The municipality's consent cases ask through this verifier as the party `gemeente`.
        let party = PartyConfig::from_file(
            &verifier_url,
            &repo_root().join("fixtures/relying-parties/gemeente/party.json"),
        )
        .unwrap();
        let cases =
            Arc::new(Cases::new(issuer.clone(), VerifierClient::new(party).unwrap()).unwrap());
        regie_ops::logging::for_tests();
        let app = router_with_cases(issuer, Some(cases));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

        let trust_list_jwt = trust_list_for(&issuer_url, &issuer_key);
        let listener = verifier_listener;
        let parties = if bound {
            let address = [format!("{verifier_url}/response")];
            parties_attested_again(&dir.0.join("parties"), Some(&address))
        } else {
            repo_root().join("fixtures/relying-parties")
        };
        let sessions: Sessions = match &database_url {
            Some(url) => Box::new(PgSessions::connect(url).await.unwrap()),
            None => Box::new(SledSessions::open(&dir.0.join("sessions")).unwrap()),
        };
        let roots = roots_of(ca_pem.as_deref());
        let verifier = verifier_instance(
            &verifier_url,
            &parties,
            sessions,
            &trust_list_jwt,
            &clock,
            &roots,
        );
        let app = router(verifier.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        World {
            issuer_url,
            issuer_key,
            verifier_url,
            verifier,
            clock,
            trust_list_jwt,
            http: client_trusting(ca_pem.as_deref()),
            dir,
            parties,
            database_url,
            issuer_listen,
            verifier_listen,
            ca_pem,
        }
    }

    /// Another issuer instance on the same database, public URL and key, as a load balancer
    /// would put beside the first (only for a world behind a front). Returns the address it
    /// listens on.
    pub async fn another_issuer_instance(&self) -> String {
        let url = self
            .database_url
            .as_deref()
            .filter(|_| self.ca_pem.is_some())
            .expect("issuer instances share their state only behind a front");
        let issuer = Arc::new(Issuer {
            public_url: self.issuer_url.clone(),
            key: self.issuer_key.clone(),
            store: regie_issuer::store::Store::connect(url).await.unwrap(),
            persons: Arc::new(FixtureSource::embedded().unwrap()),
            admin_token: ADMIN.into(),
            batch_size: 3,
            clock: self.clock.clone(),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let app = regie_issuer::routes::router(issuer);
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        address
    }

    /// Another verifier instance on the same database and public URL, as a load balancer
    /// would put beside the first: its own process state (pool, status cache), shared
    /// sessions. Returns the address it listens on.
    pub async fn another_instance(&self) -> String {
        self.stoppable_instance().await.0
    }

    /// As [`World::another_instance`], with the task that serves it: aborting the task stops
    /// the instance taking connections, as a stopped process would.
    pub async fn stoppable_instance(&self) -> (String, tokio::task::JoinHandle<()>) {
        let url = self
            .database_url
            .as_deref()
            .expect("instances share sessions only in PostgreSQL");
        let sessions: Sessions = Box::new(PgSessions::connect(url).await.unwrap());
        let verifier = verifier_instance(
            &self.verifier_url,
            &self.parties,
            sessions,
            &self.trust_list_jwt,
            &self.clock,
            &roots_of(self.ca_pem.as_deref()),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let app = router(verifier);
        let task = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (address, task)
    }

    /// A wallet holding a credential of `kind` for the test person.
    pub async fn wallet(&self, kinds: &[&str]) -> UnlockedWallet {
        self.wallet_for(BSN, kinds).await
    }

    /// A wallet holding credentials of `kinds` for the person with `bsn`.
    pub async fn wallet_for(&self, bsn: &str, kinds: &[&str]) -> UnlockedWallet {
        static N: AtomicU64 = AtomicU64::new(0);
        let anchor = demo_anchor();
        let trust = TrustConfig::from_texts(
            &anchor.public_jwk().to_json_value().to_string(),
            &self.trust_list_jwt,
        )
        .unwrap();
        let mut config = WalletConfig::new(
            self.dir
                .0
                .join(format!("wallet-{}", N.fetch_add(1, Ordering::SeqCst))),
            trust,
        );
        config.extra_ca_pem = self.ca_pem.clone();
        let wallet = Wallet::open(config)
            .unwrap()
            .init(&Pin::new("482915"))
            .unwrap();
        for kind in kinds {
            let offer = self.offer_for(bsn, kind).await;
            wallet.accept_offer(&offer, None).await.unwrap();
        }
        wallet
    }

    pub async fn offer(&self, kind: &str) -> String {
        self.offer_for(BSN, kind).await
    }

    pub async fn offer_for(&self, bsn: &str, kind: &str) -> String {
        let r: Value = self
            .http
            .post(format!("{}/api/offers", self.issuer_url))
            .bearer_auth(ADMIN)
            .json(&json!({"bsn": bsn, "credential_type": kind}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        r["offer_uri"].as_str().unwrap().to_owned()
    }

    /// Credentials obtained by hand (protocol crate only): the SD-JWTs and their holder keys.
    pub async fn raw_credentials(&self, kind: &str) -> Vec<(String, SigningKey)> {
        self.raw_credentials_of(BSN, kind).await
    }

    /// Credentials of the person with `bsn`, obtained by hand.
    pub async fn raw_credentials_of(&self, bsn: &str, kind: &str) -> Vec<(String, SigningKey)> {
        let offer = self.offer_for(bsn, kind).await;
        let OfferReference::ByValue(offer) = parse_offer_uri(&offer, true).unwrap() else {
            panic!("by value expected")
        };
        let code = offer.pre_authorized().unwrap().pre_authorized_code.clone();
        let token: Value = self
            .http
            .post(format!("{}/token", self.issuer_url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(
                TokenRequest {
                    pre_authorized_code: code,
                    tx_code: None,
                }
                .to_form(),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let nonce: Value = self
            .http
            .post(format!("{}/nonce", self.issuer_url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let keys: Vec<SigningKey> = (0..3).map(|_| SigningKey::generate()).collect();
        let proofs: Vec<String> = keys
            .iter()
            .map(|k| {
                create_proof(
                    k,
                    &self.issuer_url,
                    nonce["c_nonce"].as_str().unwrap(),
                    now(),
                )
                .unwrap()
            })
            .collect();
        let response: Value = self
            .http
            .post(format!("{}/credential", self.issuer_url))
            .bearer_auth(token["access_token"].as_str().unwrap())
            .json(&json!({"credential_configuration_id": kind, "proofs": {"jwt": proofs}}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        response["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .zip(keys)
            .map(|(c, k)| (c["credential"].as_str().unwrap().to_owned(), k))
            .collect()
    }

    /// Creates a session with `api_key`; returns (status code, body).
    pub async fn create_session(&self, api_key: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}/api/sessions", self.verifier_url))
            .bearer_auth(api_key)
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    pub async fn session(&self, api_key: &str, id: &str) -> (u16, Value) {
        let r = self
            .http
            .get(format!("{}/api/sessions/{id}", self.verifier_url))
            .bearer_auth(api_key)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    /// Posts a raw `direct_post` body to the verifier's one response endpoint (the session
    /// is the one the body's `state` names).
    pub async fn post_response(&self, body: String) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}/response", self.verifier_url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    /// Revokes every credential of the test person at the issuer (a move).
    pub async fn record_move(&self) {
        let r = self
            .http
            .post(format!("{}/api/persons/{BSN}/move", self.issuer_url))
            .bearer_auth(ADMIN)
            .json(
                &json!({"street": "Nieuwe Gracht", "house_number": 7, "postal_code": "3512 LA",
                "locality": "Utrecht", "municipality": "Utrecht", "date": "2026-11-01"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
}

/// A browser without cookies that does not follow redirects, to see what a page sets.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A session started on a demo page, as the browser that started it holds it.
pub struct PageSession {
    /// The session id in the page's URL.
    pub id: String,
    /// `name=value` of the cookie the page set.
    pub cookie: String,
    /// The `Set-Cookie` header as sent.
    pub set_cookie: String,
}

impl World {
    /// Starts a session on the page at `base` (`/notaris`, `/gemeente/verklaring`, …) with
    /// the form fields `form`.
    pub async fn start_on_page(&self, base: &str, form: &[(&str, &str)]) -> PageSession {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let r = browser()
            .post(format!("{}{base}/start", self.verifier_url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{base}/start redirects to the session");
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        let id = location
            .strip_prefix(&format!("{base}/"))
            .unwrap()
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        let set_cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
        let cookie = set_cookie.split(';').next().unwrap().to_owned();
        PageSession {
            id,
            cookie,
            set_cookie,
        }
    }

    /// GETs `path` on the verifier with `cookie` (if any): (status, body).
    pub async fn get_page(&self, path: &str, cookie: Option<&str>) -> (u16, String) {
        let mut request = browser().get(format!("{}{path}", self.verifier_url));
        if let Some(c) = cookie {
            request = request.header("cookie", c);
        }
        let r = request.send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
}

/// The `openid4vp://` link on a session page.
/// The `name=value` of a response's cookie.
pub fn cookie_of(r: &reqwest::Response) -> String {
    r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

pub fn link_on_page(html: &str) -> String {
    let start = html.find("openid4vp://").expect("the page shows the link");
    let end = start + html[start..].find('"').unwrap();
    html[start..end].replace("&amp;", "&")
}

/// The wallet-facing reference in a link or request URI.
pub fn request_ref_in(link_or_uri: &str) -> String {
    let uri = if link_or_uri.starts_with("openid4vp://") {
        protocol::oid4vp::RequestLink::parse(link_or_uri, true)
            .unwrap()
            .request_uri
    } else {
        link_or_uri.to_owned()
    };
    uri.rsplit('/').next().unwrap().to_owned()
}

/// The wallet-facing reference of a session made through the API.
pub fn ref_of(created: &Value) -> String {
    request_ref_in(created["request_uri"].as_str().unwrap())
}

pub fn housing_session() -> Value {
    json!({"relying_party": "woonstichting", "purpose": "aanvraag-medehuur",
        "dcql_query": {"credentials": [{"id": "woon", "format": "dc+sd-jwt",
            "meta": {"vct_values": [WOONHISTORIE_VCT]},
            "claims": [{"path": ["given_name"]}, {"path": ["family_name"]},
                       {"path": ["birthdate"]}, {"path": ["addresses", null]}]}]}})
}

pub fn notary_session() -> Value {
    json!({"purpose": "identificatie-bij-akte",
        "dcql_query": {"credentials": [{"id": "brp", "format": "dc+sd-jwt",
            "meta": {"vct_values": [UITTREKSEL_BRP_VCT]},
            "claims": [{"path": ["given_name"]}, {"path": ["family_name"]}, {"path": ["birthdate"]},
                       {"path": ["place_of_birth"]}, {"path": ["bsn"]}, {"path": ["address"]}]}]}})
}

pub async fn fetch_request(w: &World, link: &str) -> VerifiedRequest {
    let link = RequestLink::parse(link, true).unwrap();
    let jwt = w
        .http
        .get(&link.request_uri)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    verify_request(&jwt, demo_anchor().public_jwk(), now()).unwrap()
}

/// A presentation made by hand: `paths` disclosed, KB-JWT with the given aud and nonce.
pub fn present(
    credential: &(String, SigningKey),
    paths: &[&[&str]],
    aud: &str,
    nonce: &str,
    hashes: Option<Vec<String>>,
) -> String {
    let paths: Vec<ClaimPath> = paths
        .iter()
        .map(|p| {
            ClaimPath::from_json_value(&Value::Array(
                p.iter()
                    .map(|c| if *c == "*" { Value::Null } else { json!(c) })
                    .collect(),
            ))
            .unwrap()
        })
        .collect();
    let presented = SdJwt::parse_held(&credential.0)
        .unwrap()
        .present(&paths)
        .unwrap()
        .serialize();
    add_key_binding(&presented, &credential.1, aud, nonce, now(), hashes).unwrap()
}

pub const HOUSING_PATHS: &[&[&str]] = &[
    &["given_name"],
    &["family_name"],
    &["birthdate"],
    &["addresses", "*"],
];

pub fn form(query_id: &str, presentation: String, state: &str) -> String {
    AuthorizationResponse::presentations(&[(query_id.to_owned(), presentation)], Some(state))
        .to_form()
}

pub fn id_of(created: &Value) -> String {
    created["session_id"].as_str().unwrap().to_owned()
}
