//! The real `regie-verifier serve` on a full disk and a read-only file system (issue 14,
//! faults), on a small tmpfs mounted as its data directory (root only, as CI runs; the
//! tests say so and stop early elsewhere).
//!
//! At start: the process exits non-zero with a message that names the directory and the
//! cause. While running: writes (new sessions, fetching a request, an answer) are refused
//! with 503 and a JSON error, reads go on, and an answer the disk refused is not shown as
//! done; after space returns and a restart everything acknowledged is there, nothing that
//! was refused is, and the refused answer can be given again.
mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::load::{create_session, post_answer, prepare_answer, read_session};
use common::process::{free_port, Service, PROCESS_ADMIN};
use common::tmpfs::Tmpfs;
use common::vci_client::collect;
use common::*;
use protocol::jose::SigningKey;
use regie_issuer::person::FixtureSource;
use regie_issuer::routes::router;
use regie_issuer::service::{Issuer, SystemClock};
use serde_json::Value;

fn verifier_binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_regie-verifier"))
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

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

fn trust_list_file(dir: &Path, issuer_url: &str, key: &SigningKey) -> std::path::PathBuf {
    let path = dir.join("trust-list.jwt");
    std::fs::write(&path, trust_list_for(issuer_url, key)).unwrap();
    path
}

#[test]
fn a_full_or_read_only_data_directory_stops_the_start_with_a_clear_message() {
    let dir = TempDir::new("storage-start");
    let key = SigningKey::generate().with_kid("test-issuer");
    let trust_list = trust_list_file(&dir.0, "http://127.0.0.1:1", &key);

    let full = dir.0.join("full");
    let Some(mount) = tmpfs(&full, 256) else {
        return;
    };
    mount.fill().unwrap();
    let mut service = Service::verifier(verifier_binary(), &repo_root(), &full, &trust_list, 1);
    let (code, log) = service.run_to_exit(Duration::from_secs(30)).unwrap();
    assert_eq!(code, 1, "{log}");
    assert!(log.contains(&full.display().to_string()), "{log}");
    assert!(log.contains("No space left on device"), "{log}");

    // A store written before, on a file system that is read-only now.
    let read_only = dir.0.join("ro");
    let mount = tmpfs(&read_only, 4096).unwrap();
    let port = free_port();
    let mut service = Service::verifier(
        verifier_binary(),
        &repo_root(),
        &read_only,
        &trust_list,
        port,
    );
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

async fn start_issuer(dir: &Path) -> (String, SigningKey) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let key = SigningKey::generate().with_kid("test-issuer");
    let issuer = Arc::new(Issuer {
        public_url: url.clone(),
        key: key.clone(),
        store: regie_issuer::store::Store::open(&dir.join("issuer")).unwrap(),
        persons: Arc::new(FixtureSource::embedded().unwrap()),
        admin_token: PROCESS_ADMIN.into(),
        batch_size: 3,
        clock: Arc::new(SystemClock),
    });
    tokio::spawn(async move { axum::serve(listener, router(issuer)).await.unwrap() });
    (url, key)
}

/// A request's status and JSON body.
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_while_running_refuses_writes_keeps_reads_and_loses_nothing_acknowledged() {
    let dir = TempDir::new("storage-full");
    let data = dir.0.join("data");
    let Some(mount) = tmpfs(&data, 2048) else {
        return;
    };
    let http = reqwest::Client::new();
    let (issuer_url, key) = start_issuer(&dir.0).await;
    let got = collect(
        &http,
        &issuer_url,
        PROCESS_ADMIN,
        "999993653",
        "woonhistorie",
        3,
    )
    .await
    .unwrap();
    let credential = (got.credentials[0].0.clone(), got.credentials[0].1.clone());
    let trust_list = trust_list_file(&dir.0, &issuer_url, &key);
    let mut verifier = Service::verifier(
        verifier_binary(),
        &repo_root(),
        &data,
        &trust_list,
        free_port(),
    );
    verifier.start(Duration::from_secs(30)).await.unwrap();
    let url = verifier.url.clone();

    // Before the disk fills: two answered sessions, one whose request the wallet has
    // fetched (its answer comes while the disk is full), one not yet scanned.
    let mut done = Vec::new();
    for _ in 0..2 {
        let (id, link) = create_session(&http, &url).await.unwrap();
        let answer = prepare_answer(&http, &link, &credential).await.unwrap();
        assert_eq!(post_answer(&http, &answer).await.unwrap(), 200);
        done.push(id);
    }
    let (waiting_id, link) = create_session(&http, &url).await.unwrap();
    let late_answer = prepare_answer(&http, &link, &credential).await.unwrap();
    let (_, unscanned_link) = create_session(&http, &url).await.unwrap();

    mount.fill().unwrap();
    // The answer is the first write on the full disk: sled takes it in memory, the disk
    // refuses it. The wallet hears 503, and the party does not see it as done.
    let (status, body) = call(
        http.post(&late_answer.response_uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(late_answer.form.clone()),
    )
    .await;
    assert_unavailable((status, body), "an answer on a full disk");
    let waiting = read_session(&http, &url, &waiting_id).await.unwrap();
    assert_eq!(
        waiting["status"], "retrieved",
        "a refused answer is not shown"
    );
    // Every other write is refused the same way.
    assert_unavailable(
        call(
            http.post(format!("{url}/api/sessions"))
                .bearer_auth(HOUSING_KEY)
                .json(&housing_session()),
        )
        .await,
        "a new session",
    );
    let unscanned = protocol::oid4vp::RequestLink::parse(&unscanned_link, true).unwrap();
    assert_unavailable(
        call(http.get(&unscanned.request_uri)).await,
        "fetching a request",
    );
    // Reads go on.
    for id in &done {
        let session = read_session(&http, &url, id).await.unwrap();
        assert_eq!(session["status"], "done");
        assert_eq!(session["claims"]["woon"]["family_name"], "Moulin");
    }
    let (status, _) = call(http.get(format!("{url}/api/openapi.json"))).await;
    assert_eq!(status, 200);
    // Readiness says so, for an orchestrator to restart the instance once there is room.
    let (status, body) = call(http.get(format!("{url}/health/ready"))).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (503, Some("unavailable"))
    );
    assert!(
        verifier.log().contains("No space left on device")
            || verifier.log().contains("no storage space")
    );

    // Space returns; sled accepts writes again after a restart.
    mount.unfill().unwrap();
    verifier.kill();
    verifier.start(Duration::from_secs(30)).await.unwrap();
    assert_eq!(call(http.get(format!("{url}/health/ready"))).await.0, 200);
    for id in &done {
        assert_eq!(
            read_session(&http, &url, id).await.unwrap()["status"],
            "done"
        );
    }
    let waiting = read_session(&http, &url, &waiting_id).await.unwrap();
    assert_eq!(waiting["status"], "retrieved", "nothing half-written");
    // The wallet tries again, and now it goes through.
    assert_eq!(post_answer(&http, &late_answer).await.unwrap(), 200);
    let waiting = read_session(&http, &url, &waiting_id).await.unwrap();
    assert_eq!(waiting["status"], "done");
    create_session(&http, &url).await.unwrap();
    verifier.kill();
}
