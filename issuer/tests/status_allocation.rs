//! Status list positions are handed out densely and durably: across restarts and `kill -9`
//! of the real `regie-issuer serve`, none twice and none beyond the list, and when a list is
//! full the next one (`/status/2`) begins and is served and revocable like the first. (The
//! store-level promises, on both stores, are in `store_contract.rs`.)
use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use protocol::jose::SigningKey;
use protocol::status_list::{Status, UnverifiedStatusListToken};
use regie_issuer::person::FixtureSource;
use regie_issuer::routes::router;
use regie_issuer::service::{Issuer, SystemClock};
use regie_issuer::store::{Store, STATUS_LIST_SIZE};
use serde_json::{json, Value};

const ADMIN: &str = "test-admin-token";
const BSN: &str = "999993653";

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("regie-status-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The real service binary on a free port with `dir` as its data directory.
fn serve(dir: &std::path::Path) -> (Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_regie-issuer"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--public-url", &base, "--data-dir"])
        .arg(dir)
        .env("REGIE_ISSUER_ADMIN_TOKEN", ADMIN)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    (child, base)
}

async fn wait_until_up(http: &reqwest::Client, base: &str) {
    for _ in 0..200 {
        if let Ok(r) = http
            .get(format!("{base}/.well-known/openid-credential-issuer"))
            .send()
            .await
        {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the issuer did not come up");
}

async fn print_extract(http: &reqwest::Client, base: &str) -> reqwest::StatusCode {
    http.post(format!("{base}/api/documents"))
        .bearer_auth(ADMIN)
        .header("accept", "application/json")
        .json(&json!({"bsn": BSN, "kind": "naam-adres"}))
        .send()
        .await
        .unwrap()
        .status()
}

async fn positions_of(http: &reqwest::Client, base: &str) -> Vec<(String, u64)> {
    let list: Value = http
        .get(format!("{base}/api/persons/{BSN}/credentials"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["status_list"].as_str().unwrap().to_owned(),
                c["status_idx"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_issuer_keeps_issuing_after_restarts_and_kill_9() {
    let dir = temp_dir("serve");
    let http = reqwest::Client::new();
    for round in 0..4 {
        let (mut child, base) = serve(&dir);
        wait_until_up(&http, &base).await;
        for _ in 0..2 {
            assert_eq!(print_extract(&http, &base).await, 200, "round {round}");
        }
        // Rounds alternate between a crash and an orderly stop.
        if round % 2 == 0 {
            child.kill().unwrap();
        } else {
            sigterm(&child);
        }
        child.wait().unwrap();
    }
    let (mut child, base) = serve(&dir);
    wait_until_up(&http, &base).await;
    let positions = positions_of(&http, &base).await;
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(positions.len(), 8);
    let unique: HashSet<_> = positions.iter().cloned().collect();
    assert_eq!(unique.len(), 8, "a status index was handed out twice");
    assert!(positions
        .iter()
        .all(|(list, idx)| list == "1" && *idx >= 1 && *idx < STATUS_LIST_SIZE));
    let _ = std::fs::remove_dir_all(&dir);
}

/// SIGTERM through the `kill` command (no libc binding needed for one signal in one test).
fn sigterm(child: &Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
}

#[tokio::test]
async fn a_full_list_rolls_over_to_the_next_which_is_served_and_revocable() {
    let dir = temp_dir("rollover");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let key = SigningKey::generate().with_kid("test-issuer");
    let issuer = Arc::new(Issuer {
        public_url: base.clone(),
        key: key.clone(),
        store: Store::open_with_list_size(&dir.join("db"), 4).unwrap(),
        persons: Arc::new(FixtureSource::embedded().unwrap()),
        admin_token: ADMIN.into(),
        batch_size: 3,
        clock: Arc::new(SystemClock),
    });
    regie_ops::logging::for_tests();
    tokio::spawn(async move { axum::serve(listener, router(issuer)).await.unwrap() });
    let http = reqwest::Client::new();
    for _ in 0..5 {
        assert_eq!(print_extract(&http, &base).await, 200);
    }
    let listed: Value = http
        .get(format!("{base}/api/persons/{BSN}/credentials"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let in_second = listed["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status_list"] == "2")
        .expect("the fourth document is on list 2")
        .clone();
    let idx = in_second["status_idx"].as_u64().unwrap();

    let revoke = http
        .post(format!(
            "{base}/api/credentials/{}/revoke",
            in_second["id"].as_str().unwrap()
        ))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 200);

    let fetch = |list: &'static str| {
        let http = http.clone();
        let url = format!("{base}/status/{list}");
        async move { http.get(url).send().await.unwrap() }
    };
    let second = fetch("2").await;
    assert_eq!(second.status(), 200);
    let token = UnverifiedStatusListToken::parse(&second.text().await.unwrap()).unwrap();
    let verified = token
        .verify(key.public_jwk(), &format!("{base}/status/2"), now())
        .unwrap();
    assert_eq!(verified.list().get(idx).unwrap(), Status::Invalid);
    // List 1 is untouched by a revocation on list 2.
    let first = fetch("1").await;
    let token = UnverifiedStatusListToken::parse(&first.text().await.unwrap()).unwrap();
    let verified = token
        .verify(key.public_jwk(), &format!("{base}/status/1"), now())
        .unwrap();
    assert!((1..4).all(|i| verified.list().get(i).unwrap() == Status::Valid));
    assert_eq!(fetch("3").await.status(), 404, "no list 3 yet");
    let _ = std::fs::remove_dir_all(&dir);
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}
