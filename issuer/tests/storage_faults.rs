//! The real `regie-issuer serve` on a full disk and a read-only file system (issue 14,
//! faults), on a small tmpfs mounted as its data directory (root only, as CI runs; the
//! tests say so and stop early elsewhere).
//!
//! At start: the process exits non-zero with a message that names the directory and the
//! cause. While running: every request that must write (offer, token, nonce, credential,
//! revocation) is refused with 503 and a JSON error, reads (metadata, status list, the
//! back office's list) go on, and a revocation the disk refused is not served; after space
//! returns and a restart everything acknowledged is there, nothing refused is (no credential
//! record without a credential, no revoked bit), and the refused requests can be made again.
#[path = "../../verifier/tests/common/process.rs"]
mod process;
#[path = "../../verifier/tests/common/tmpfs.rs"]
mod tmpfs;
#[path = "../../verifier/tests/common/vci_client.rs"]
mod vci_client;

use std::path::{Path, PathBuf};
use std::time::Duration;

use process::{free_port, Service, PROCESS_ADMIN};
use protocol::jose::SigningKey;
use protocol::status_list::{Status, UnverifiedStatusListToken, VerifiedStatusList};
use serde_json::Value;
use tmpfs::Tmpfs;
use vci_client::{collect, credential_request, nonce, offer, token_form, token_request, Spent};

const BSN: &str = "999993653";

fn issuer_binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_regie-issuer"))
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("regie-issuer-storage-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

/// The mount, or `None` (with the reason printed) where the machine does not allow it.
fn tmpfs(dir: &Path, kib: u64) -> Option<Tmpfs> {
    match Tmpfs::mount(dir, kib) {
        Ok(m) => Some(m),
        Err(e) if !is_root() => {
            eprintln!("skipped: mounting a tmpfs needs root ({e})");
            None
        }
        Err(e) => panic!("cannot mount a tmpfs as root: {e}"),
    }
}

/// A key file outside the data directory: the faults are the store's.
fn key_file(dir: &Path) -> (PathBuf, SigningKey) {
    let key = SigningKey::generate().with_kid("test-issuer");
    let path = dir.join("issuer-key.jwk");
    std::fs::write(&path, key.to_private_jwk().as_bytes()).unwrap();
    (path, key)
}

#[test]
fn a_full_or_read_only_data_directory_stops_the_start_with_a_clear_message() {
    let dir = TempDir::new("start");
    let (key, _) = key_file(&dir.0);
    let full = dir.0.join("full");
    let Some(mount) = tmpfs(&full, 256) else {
        return;
    };
    mount.fill().unwrap();
    let mut service = Service::issuer(issuer_binary(), &full, &key, 1);
    let (code, log) = service.run_to_exit(Duration::from_secs(30)).unwrap();
    assert_eq!(code, 1, "{log}");
    assert!(log.contains(&full.display().to_string()), "{log}");
    assert!(log.contains("No space left on device"), "{log}");

    // A store written before, on a file system that is read-only now.
    let read_only = dir.0.join("ro");
    let mount = tmpfs(&read_only, 4096).unwrap();
    let mut service = Service::issuer(issuer_binary(), &read_only, &key, free_port());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime
        .block_on(service.start(Duration::from_secs(30)))
        .unwrap();
    service.kill();
    mount.remount_ro().unwrap();
    let (code, log) = service.run_to_exit(Duration::from_secs(30)).unwrap();
    assert_eq!(code, 1, "{log}");
    assert!(log.contains(&read_only.display().to_string()), "{log}");
    assert!(log.contains("Read-only file system"), "{log}");
}

async fn call(request: reqwest::RequestBuilder) -> (u16, Value) {
    let r = request.send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

fn assert_unavailable((status, body): (u16, Value), what: &str) {
    assert_eq!(status, 503, "{what}: {body}");
    assert_eq!(body["error"], "storage_unavailable", "{what}");
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.contains("disk full or read-only")),
        "{what}: {body}"
    );
}

async fn status_list(http: &reqwest::Client, base: &str, key: &SigningKey) -> VerifiedStatusList {
    let uri = format!("{base}/status/1");
    let text = http.get(&uri).send().await.unwrap().text().await.unwrap();
    UnverifiedStatusListToken::parse(&text)
        .and_then(|t| t.verify(key.public_jwk(), &uri, now()))
        .unwrap()
}

/// The back office's list of the person's credential records.
async fn records(http: &reqwest::Client, base: &str) -> Vec<Value> {
    let (status, body) = call(
        http.get(format!("{base}/api/persons/{BSN}/credentials"))
            .bearer_auth(PROCESS_ADMIN),
    )
    .await;
    assert_eq!(status, 200);
    body["credentials"].as_array().unwrap().clone()
}

fn revoke(http: &reqwest::Client, base: &str, record: &Value) -> reqwest::RequestBuilder {
    http.post(format!(
        "{base}/api/credentials/{}/revoke",
        record["id"].as_str().unwrap()
    ))
    .bearer_auth(PROCESS_ADMIN)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_while_running_refuses_writes_keeps_reads_and_loses_nothing_acknowledged() {
    let dir = TempDir::new("running");
    let (key_path, key) = key_file(&dir.0);
    let data = dir.0.join("data");
    let Some(mount) = tmpfs(&data, 2048) else {
        return;
    };
    let mut issuer = Service::issuer(issuer_binary(), &data, &key_path, free_port());
    issuer.start(Duration::from_secs(30)).await.unwrap();
    let base = issuer.url.clone();
    let http = reqwest::Client::new();

    // Before the disk fills: six credentials, one of them revoked; an offer not yet
    // collected; a wallet halfway (token and nonce in hand).
    for _ in 0..2 {
        collect(&http, &base, PROCESS_ADMIN, BSN, "woonhistorie", 3)
            .await
            .unwrap();
    }
    let before = records(&http, &base).await;
    assert_eq!(before.len(), 6);
    assert_eq!(call(revoke(&http, &base, &before[0])).await.0, 200);
    let (_, unspent_code) = offer(&http, &base, PROCESS_ADMIN, BSN, "woonhistorie")
        .await
        .unwrap();
    let (_, halfway_code) = offer(&http, &base, PROCESS_ADMIN, BSN, "woonhistorie")
        .await
        .unwrap();
    let (_, token) = token_request(&http, &base, token_form(&Spent::Code(halfway_code)))
        .await
        .unwrap();
    let access = token["access_token"].as_str().unwrap().to_owned();
    let halfway_nonce = nonce(&http, &base).await.unwrap();

    mount.fill().unwrap();
    // The revocation is the first write on the full disk: sled takes it in memory, the
    // disk refuses it. The back office hears 503, and the list does not show it.
    assert_unavailable(call(revoke(&http, &base, &before[1])).await, "a revocation");
    let served = status_list(&http, &base, &key).await;
    let idx = |r: &Value| r["status_idx"].as_u64().unwrap();
    assert_eq!(served.status_at(idx(&before[0])), Ok(Status::Invalid));
    assert_eq!(
        served.status_at(idx(&before[1])),
        Ok(Status::Valid),
        "a refused revocation is not served"
    );
    // Every other write is refused the same way.
    let (status, body, _) =
        credential_request(&http, &base, &access, "woonhistorie", &halfway_nonce, 2)
            .await
            .unwrap();
    assert_unavailable((status, body), "a credential");
    assert_unavailable(
        call(
            http.post(format!("{base}/api/offers"))
                .bearer_auth(PROCESS_ADMIN)
                .json(&serde_json::json!({"bsn": BSN, "credential_type": "woonhistorie"})),
        )
        .await,
        "an offer",
    );
    assert_unavailable(call(http.post(format!("{base}/nonce"))).await, "a nonce");
    let (status, body) =
        token_request(&http, &base, token_form(&Spent::Code(unspent_code.clone())))
            .await
            .unwrap();
    assert_unavailable((status, body), "a token");
    // Reads go on.
    let listed = records(&http, &base).await;
    assert_eq!(listed.len(), 6, "no record of a refused credential");
    assert!(listed
        .iter()
        .all(|r| r["revoked"] == (r["id"] == before[0]["id"])));
    let (status, _) = call(http.get(format!("{base}/.well-known/openid-credential-issuer"))).await;
    assert_eq!(status, 200);
    // Readiness says so, for an orchestrator to restart the instance once there is room.
    let (status, body) = call(http.get(format!("{base}/health/ready"))).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (503, Some("unavailable"))
    );
    let log = issuer.log();
    assert!(
        log.contains("storage unavailable") && log.contains("no storage space"),
        "{log}"
    );

    // Space returns; sled accepts writes again after a restart.
    mount.unfill().unwrap();
    issuer.kill();
    issuer.start(Duration::from_secs(30)).await.unwrap();
    assert_eq!(call(http.get(format!("{base}/health/ready"))).await.0, 200);
    let after = records(&http, &base).await;
    assert_eq!(after.len(), 6, "nothing half-written");
    let served = status_list(&http, &base, &key).await;
    assert_eq!(served.status_at(idx(&before[0])), Ok(Status::Invalid));
    assert_eq!(served.status_at(idx(&before[1])), Ok(Status::Valid));
    // What was refused can be done now: the revocation, the halfway wallet's credential
    // (its token and nonce were not spent by the refused request), the unspent code.
    assert_eq!(call(revoke(&http, &base, &before[1])).await.0, 200);
    assert_eq!(
        status_list(&http, &base, &key)
            .await
            .status_at(idx(&before[1])),
        Ok(Status::Invalid)
    );
    let (status, body, _) =
        credential_request(&http, &base, &access, "woonhistorie", &halfway_nonce, 2)
            .await
            .unwrap();
    assert_eq!(status, 200, "{body}");
    let (status, _) = token_request(&http, &base, token_form(&Spent::Code(unspent_code)))
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert_eq!(records(&http, &base).await.len(), 8);
    issuer.kill();
}
