//! The citizen portal over loopback HTTP, for what a browser test cannot easily send: another
//! citizen's offer or credential, forged form values, an expired login, and the back office's
//! correction API with bad input. Each is refused and changes nothing.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use protocol::jose::SigningKey;
use regie_issuer::person::FixtureSource;
use regie_issuer::routes::router;
use regie_issuer::service::{Clock, Issuer};
use regie_issuer::store::Store;
use serde_json::{json, Value};

const ADMIN: &str = "test-admin-token";
const MOULIN: &str = "999993653";
const POSTMA: &str = "999996320";
const DEN_BRABER: &str = "999994542";

struct TestClock(AtomicU64);

impl Clock for TestClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

struct Server {
    base: String,
    http: reqwest::Client,
    clock: Arc<TestClock>,
    dir: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn start() -> Server {
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "regie-portal-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let clock = Arc::new(TestClock(AtomicU64::new(1_796_083_200)));
    let issuer = Arc::new(Issuer {
        public_url: base.clone(),
        key: SigningKey::generate().with_kid("test-issuer"),
        store: Store::open(&dir.join("db")).unwrap(),
        persons: Arc::new(FixtureSource::embedded().unwrap()),
        admin_token: ADMIN.into(),
        batch_size: 2,
        clock: clock.clone(),
    });
    regie_ops::logging::for_tests();
    tokio::spawn(async move { axum::serve(listener, router(issuer)).await.unwrap() });
    Server {
        base,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        clock,
        dir,
    }
}

impl Server {
    /// Logs in as `bsn`; returns the cookie header value.
    async fn login(&self, bsn: &str) -> String {
        let r = self
            .http
            .post(format!("{}/inloggen", self.base))
            .form(&[("bsn", bsn)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let set = r.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"));
        set.split(';').next().unwrap().to_owned()
    }

    async fn post_form(
        &self,
        cookie: &str,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .header("cookie", cookie)
            .form(form)
            .send()
            .await
            .unwrap()
    }

    async fn get(&self, cookie: &str, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
    }

    async fn credentials_of(&self, bsn: &str) -> Vec<Value> {
        let v: Value = self
            .http
            .get(format!("{}/api/persons/{bsn}/credentials", self.base))
            .bearer_auth(ADMIN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["credentials"].as_array().unwrap().clone()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn one_citizen_cannot_see_or_revoke_anothers() {
    let s = start().await;
    let moulin = s.login(MOULIN).await;
    let postma = s.login(POSTMA).await;
    let r = s
        .post_form(&moulin, "/mijn/aanvragen", &[("kind", "woonhistorie")])
        .await;
    assert_eq!(r.status(), 303);
    let offer_page = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(s.get(&moulin, &offer_page).await.status(), 200);
    // Postma gets neither the page nor its status.
    assert_eq!(s.get(&postma, &offer_page).await.status(), 404);
    assert_eq!(
        s.get(&postma, &format!("{offer_page}/status"))
            .await
            .status(),
        404
    );
    // A printed extract of Moulin's cannot be revoked by Postma.
    let r = s
        .post_form(&moulin, "/mijn/uittreksel", &[("kind", "naam-adres")])
        .await;
    assert_eq!(r.status(), 200);
    let document_id = r.headers()["x-document-id"].to_str().unwrap().to_owned();
    let r = s
        .post_form(&postma, "/mijn/intrekken", &[("group", &document_id)])
        .await;
    assert_eq!(r.status(), 404);
    let r = s
        .post_form(&postma, "/mijn/intrekken", &[("group", "")])
        .await;
    assert_eq!(r.status(), 404);
    assert_eq!(s.credentials_of(MOULIN).await[0]["revoked"], false);
    // Moulin can.
    let r = s
        .post_form(&moulin, "/mijn/intrekken", &[("group", &document_id)])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(s.credentials_of(MOULIN).await[0]["revoked"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_preview_of_a_custodians_extract_lists_the_children() {
    let s = start().await;
    let cookie = s.login(DEN_BRABER).await;
    let r = s
        .post_form(&cookie, "/mijn/aanvragen", &[("kind", "uittreksel-brp")])
        .await;
    assert_eq!(r.status(), 303);
    let page = r.headers()["location"].to_str().unwrap().to_owned();
    let nl = s.get(&cookie, &page).await.text().await.unwrap();
    assert!(nl.contains("Gezag over minderjarigen"), "{nl}");
    assert!(
        nl.contains("Zoey den Braber, geboren 14 november 2018 (BSN 999995807)"),
        "{nl}"
    );
    assert!(
        nl.contains("Alexander den Braber, geboren 29 mei 2009"),
        "{nl}"
    );
    let sep = if page.contains('?') { '&' } else { '?' };
    let en = s
        .get(&cookie, &format!("{page}{sep}lang=en"))
        .await
        .text()
        .await
        .unwrap();
    assert!(en.contains("Custody of minors"), "{en}");
    assert!(
        en.contains("Zoey den Braber, born 14 November 2018"),
        "{en}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_forms_and_expired_logins_are_refused() {
    let s = start().await;
    let cookie = s.login(MOULIN).await;
    for (path, form) in [
        ("/mijn/aanvragen", vec![("kind", "paspoort")]),
        ("/mijn/uittreksel", vec![("kind", "../../etc/passwd")]),
        (
            "/mijn/correctie",
            vec![("attribute", "bsn"), ("explanation", "x")],
        ),
        (
            "/mijn/correctie",
            vec![("attribute", "birthdate"), ("explanation", "")],
        ),
    ] {
        let r = s.post_form(&cookie, path, &form).await;
        assert_eq!(r.status(), 400, "{path} {form:?}");
    }
    let long = "x".repeat(1001);
    let r = s
        .post_form(
            &cookie,
            "/mijn/correctie",
            &[("attribute", "birthdate"), ("explanation", &long)],
        )
        .await;
    assert_eq!(r.status(), 400);
    assert!(s.credentials_of(MOULIN).await.is_empty(), "nothing issued");
    // A made-up cookie is nobody.
    let r = s.get("regie_portaal=made-up", "/mijn").await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/inloggen");
    // Half an hour later the login has expired.
    assert_eq!(s.get(&cookie, "/mijn").await.status(), 200);
    s.clock.0.fetch_add(31 * 60, Ordering::SeqCst);
    assert_eq!(s.get(&cookie, "/mijn").await.status(), 303);
    let r = s
        .post_form(&cookie, "/mijn/aanvragen", &[("kind", "woonhistorie")])
        .await;
    assert_eq!(r.headers()["location"], "/inloggen");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_back_office_answers_correction_requests() {
    let s = start().await;
    let cookie = s.login(MOULIN).await;
    let r = s
        .post_form(
            &cookie,
            "/mijn/correctie",
            &[
                ("attribute", "place_of_birth"),
                ("explanation", "Het is Delft."),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let list: Value = s
        .http
        .get(format!("{}/api/corrections", s.base))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = list["corrections"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(list["corrections"][0]["state"], "ontvangen");
    let update = |id: String, body: Value, token: &'static str| {
        let s = &s;
        async move {
            s.http
                .post(format!("{}/api/corrections/{id}", s.base))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(
        update(id.clone(), json!({"state": "gesloten"}), ADMIN).await,
        400
    );
    assert_eq!(
        update(id.clone(), json!({"state": "afgehandeld"}), "wrong").await,
        401
    );
    assert_eq!(
        update("unknown".into(), json!({"state": "afgehandeld"}), ADMIN).await,
        404
    );
    assert_eq!(
        update(
            id.clone(),
            json!({"state": "afgehandeld", "answer": "Aangepast."}),
            ADMIN
        )
        .await,
        200
    );
    let page = s.get(&cookie, "/mijn").await.text().await.unwrap();
    assert!(
        page.contains("afgehandeld") && page.contains("Aangepast."),
        "the citizen sees it"
    );
}
