//! Logging in at the portal through a real OpenID Connect provider (npm's oidc-provider, run
//! by node from tests/oidc/provider.mjs) with accounts for BRP test persons and a clerk. A
//! reqwest client with a cookie store plays the browser. Also what must not log anyone in:
//! a wrong password, a cancelled login, an answer replayed or carried to another browser, an
//! account without a BSN or with one the BRP does not know, a citizen at the clerk's desk, the
//! test login while a provider is configured, and a provider that is down.
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use protocol::jose::SigningKey;
use regie_issuer::oidc::{OidcConfig, OidcLogin};
use regie_issuer::person::FixtureSource;
use regie_issuer::routes::router_with;
use regie_issuer::service::{Issuer, SystemClock};
use regie_issuer::store::Store;
use serde_json::json;
use zeroize::Zeroizing;

const MOULIN: &str = "999993653";
const SECRET: &str = "portaal-client-secret-for-tests";
const PASSWORD: &str = "juist-wachtwoord";

/// The provider, stopped when dropped.
struct Provider {
    child: Child,
    url: String,
    _dir: tempdir::Dir,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

mod tempdir {
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
    pub fn new(name: &str) -> Dir {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "regie-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_provider(redirect_uri: &str, claims_in_id_token: bool) -> Provider {
    let dir = tempdir::new("oidc");
    let port = free_port();
    let account = |login: &str, claims: serde_json::Value| json!({ "login": login, "password": PASSWORD, "claims": claims });
    let config = json!({
        "port": port,
        "claimsInIdToken": claims_in_id_token,
        "clients": [{
            "client_id": "regie-portaal",
            "client_secret": SECRET,
            "redirect_uris": [redirect_uri],
            "response_types": ["code"],
            "grant_types": ["authorization_code"],
        }],
        "accounts": [
            account("moulin", json!({ "bsn": MOULIN, "name": "Suzanne Moulin" })),
            account("zonder-bsn", json!({ "name": "Iemand" })),
            account("onbekend", json!({ "bsn": "111222333" })),
            account("balie", json!({ "roles": ["balie"] })),
        ],
    });
    let file = dir.0.join("provider.json");
    std::fs::write(&file, config.to_string()).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/oidc/provider.mjs");
    let mut child = Command::new("node")
        .arg(script)
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node is installed (the README's test command installs it)");
    // The provider prints `ready URL` once it listens.
    let stdout = child.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).map(|_| line)
    })
    .await
    .unwrap()
    .unwrap();
    let url = line
        .trim()
        .strip_prefix("ready ")
        .unwrap_or_else(|| panic!("the provider did not start: {line:?}"))
        .to_owned();
    Provider {
        child,
        url,
        _dir: dir,
    }
}

struct Portal {
    base: String,
    provider: Provider,
    _dir: tempdir::Dir,
}

/// The issuer with its portal logging in through a fresh provider.
async fn start() -> Portal {
    start_configured(false, SECRET).await
}

/// The issuer with a fresh provider that puts the claims in the ID token when
/// `claims_in_id_token` (else only at userinfo), the portal using `secret` as client secret.
async fn start_configured(claims_in_id_token: bool, secret: &str) -> Portal {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let provider = start_provider(&format!("{base}/inloggen/terug"), claims_in_id_token).await;
    start_with(listener, base, provider, secret).await
}

async fn start_with(
    listener: tokio::net::TcpListener,
    base: String,
    provider: Provider,
    secret: &str,
) -> Portal {
    let dir = tempdir::new("oidc-portal");
    let issuer = Arc::new(Issuer {
        public_url: base.clone(),
        key: SigningKey::generate().with_kid("test-issuer"),
        store: Store::open(&dir.0.join("db")).unwrap(),
        persons: Arc::new(FixtureSource::embedded().unwrap()),
        admin_token: "test-admin-token".into(),
        batch_size: 2,
        clock: Arc::new(SystemClock),
    });
    let oidc = OidcLogin::new(
        OidcConfig {
            issuer: provider.url.clone(),
            client_id: "regie-portaal".into(),
            client_secret: Zeroizing::new(secret.into()),
            scopes: vec!["bsn".into(), "roles".into()],
            bsn_claim: "bsn".into(),
            role_claim: "roles".into(),
            clerk_role: "balie".into(),
            redirect_url: format!("{base}/inloggen/terug"),
        },
        &[],
    )
    .unwrap();
    regie_ops::logging::for_tests();
    let app = router_with(issuer, None, Some(Arc::new(oidc)));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Portal {
        base,
        provider,
        _dir: dir,
    }
}

/// A browser: cookies kept, redirects followed.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap()
}

/// What a page said: its status, final address and text.
struct Page {
    status: u16,
    url: String,
    text: String,
    refresh: Option<String>,
}

/// What `browser` sees at `url`.
async fn open(browser: &reqwest::Client, url: impl reqwest::IntoUrl) -> Page {
    read(browser.get(url).send().await.unwrap()).await
}

async fn read(response: reqwest::Response) -> Page {
    Page {
        status: response.status().as_u16(),
        url: response.url().to_string(),
        refresh: response
            .headers()
            .get("refresh")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        text: response.text().await.unwrap(),
    }
}

/// Opens `start` (the portal's or the desk's login) and arrives at the provider's login page;
/// returns the form's address.
async fn to_login_form(browser: &reqwest::Client, start: &str) -> String {
    let page = open(browser, start).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("Testinlogdienst"), "{}", page.text);
    let action = page
        .text
        .split("action=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .replace("&amp;", "&");
    let origin = page.url.split("/interaction/").next().unwrap().to_owned();
    format!("{origin}{action}")
}

async fn submit(browser: &reqwest::Client, form: &str, login: &str, password: &str) -> Page {
    read(
        browser
            .post(form)
            .form(&[("login", login), ("password", password)])
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// Logs in as `login` through the provider; the page the portal answered with.
async fn log_in(portal: &Portal, browser: &reqwest::Client, start: &str, login: &str) -> Page {
    let form = to_login_form(browser, &format!("{}{start}", portal.base)).await;
    submit(browser, &form, login, PASSWORD).await
}

#[tokio::test]
async fn a_citizen_logs_in_through_the_provider_and_sees_their_own_data() {
    let portal = start().await;
    let home = read(reqwest::get(&portal.base).await.unwrap()).await;
    assert!(home.text.contains("Inloggen met DigiD<"), "{}", home.text);
    assert!(!home.text.contains("(test)"), "no test login is offered");

    let browser = browser();
    let page = log_in(&portal, &browser, "/inloggen", "moulin").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page
        .url
        .starts_with(&format!("{}/inloggen/terug?", portal.base)));
    assert_eq!(page.refresh.as_deref(), Some("0; url=/mijn"));
    assert!(page.text.contains("U bent ingelogd"));
    let mine = open(&browser, format!("{}/mijn", portal.base)).await;
    assert_eq!(mine.status, 200);
    assert!(mine.url.ends_with("/mijn"), "still logged in: {}", mine.url);
    assert!(mine.text.contains("Moulin"), "{}", mine.text);

    // The same answer again (a reload, or a copy in the history) logs nobody in.
    let again = open(&browser, &page.url).await;
    assert_eq!(again.status, 400);
    assert!(again.text.contains("onbekend of verlopen"));
}

#[tokio::test]
async fn an_answer_carried_to_another_browser_logs_nobody_in_there() {
    let portal = start().await;
    // Someone logs in as themself but stops before their browser opens the provider's
    // answer, and sends that address (with their code) to someone else.
    let sender = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::custom(|attempt| {
            if attempt.url().path() == "/inloggen/terug" {
                attempt.stop()
            } else {
                attempt.follow()
            }
        }))
        .build()
        .unwrap();
    let form = to_login_form(&sender, &format!("{}/inloggen", portal.base)).await;
    let stopped = sender
        .post(&form)
        .form(&[("login", "moulin"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.status().as_u16(), 303);
    let answer = stopped.headers()["location"].to_str().unwrap().to_owned();
    assert!(answer.starts_with(&format!("{}/inloggen/terug?", portal.base)));

    let receiver = browser();
    let there = open(&receiver, &answer).await;
    assert_eq!(there.status, 400, "{}", there.text);
    let mine = open(&receiver, format!("{}/mijn", portal.base)).await;
    assert!(
        !mine.url.ends_with("/mijn"),
        "the receiver is not logged in"
    );

    // The refusal used nothing up: the browser that began the login still finishes it.
    let own = open(&sender, &answer).await;
    assert_eq!(own.status, 200, "{}", own.text);
}

#[tokio::test]
async fn wrong_passwords_cancelled_logins_and_unusable_accounts_log_nobody_in() {
    let portal = start().await;
    let browser = browser();
    let form = to_login_form(&browser, &format!("{}/inloggen", portal.base)).await;
    let wrong = submit(&browser, &form, "moulin", "fout").await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.text.contains("klopt niet"));

    // Cancelled at the provider: back at the portal with a clear message.
    let abort = form.replace("/login?lang=nl", "/abort");
    let cancelled = read(browser.post(&abort).send().await.unwrap()).await;
    assert_eq!(cancelled.status, 401, "{}", cancelled.text);
    assert!(cancelled.url.starts_with(&portal.base));
    assert!(cancelled.text.contains("afgebroken"));

    for (login, says) in [
        ("zonder-bsn", "geen geldig burgerservicenummer"),
        ("onbekend", "niet in de BRP"),
    ] {
        let b = self::browser();
        let page = log_in(&portal, &b, "/inloggen", login).await;
        assert_eq!(page.status, 403, "{login}: {}", page.text);
        assert!(page.text.contains(says), "{login}: {}", page.text);
        let mine = open(&b, format!("{}/mijn", portal.base)).await;
        assert!(!mine.url.ends_with("/mijn"), "{login} is not logged in");
    }

    // The test login is off while a provider is configured.
    let test_login = read(
        browser
            .post(format!("{}/inloggen", portal.base))
            .form(&[("bsn", MOULIN)])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(test_login.status, 403);
    assert!(test_login.text.contains("test-inlog staat uit"));
}

#[tokio::test]
async fn clerks_log_in_with_their_role_and_citizens_cannot_use_the_desk() {
    // This provider puts the claims in the ID token itself (the others only at userinfo).
    let portal = start_configured(true, SECRET).await;
    let clerk = browser();
    let desk = open(&clerk, format!("{}/balie", portal.base)).await;
    assert!(desk.text.contains("Inloggen met uw account"));
    assert!(!desk.text.contains("Back-office-sleutel"), "no key form");
    let page = log_in(&portal, &clerk, "/balie/inloggen", "balie").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.refresh.as_deref(), Some("0; url=/balie"));
    // Past the login: this portal has no consent cases, so the desk says that.
    let desk = open(&clerk, format!("{}/balie", portal.base)).await;
    assert!(
        !desk.text.contains("Inloggen met uw account"),
        "{}",
        desk.text
    );
    assert!(desk.text.contains("nog niet ingesteld"), "{}", desk.text);

    let citizen = browser();
    let page = log_in(&portal, &citizen, "/balie/inloggen", "moulin").await;
    assert_eq!(page.status, 403);
    assert!(page.text.contains("mag niet bij de balie"));
    let desk = open(&citizen, format!("{}/balie", portal.base)).await;
    assert!(
        desk.text.contains("Inloggen met uw account"),
        "still the login"
    );

    // The back-office key no longer opens the desk's pages.
    let key = read(
        citizen
            .post(format!("{}/balie/inloggen", portal.base))
            .form(&[("token", "test-admin-token")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(key.status, 403);
}

#[tokio::test]
async fn a_wrong_client_secret_or_a_provider_that_is_down_gives_a_clear_page() {
    let portal = start_configured(false, "not-the-secret").await;
    let browser = browser();
    let page = log_in(&portal, &browser, "/inloggen", "moulin").await;
    assert_eq!(page.status, 502, "{}", page.text);
    assert!(page.text.contains("Inloggen is niet gelukt"));

    let mut portal = portal;
    let _ = portal.provider.child.kill();
    let _ = portal.provider.child.wait();
    // The discovery document is cached; a fresh portal must read it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let down = Provider {
        child: Command::new("true").spawn().unwrap(),
        url: portal.provider.url.clone(),
        _dir: tempdir::new("oidc-down"),
    };
    let portal = start_with(listener, base, down, SECRET).await;
    let page = open(&browser, format!("{}/inloggen", portal.base)).await;
    assert_eq!(page.status, 503);
    assert!(page.text.contains("inlogdienst is niet bereikbaar"));
}
