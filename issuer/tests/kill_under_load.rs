//! `kill -9` of the real `regie-issuer serve` while several wallets collect and renew
//! credentials at once and the back office revokes some, then a restart on the same data
//! directory (issue 14, faults). After it: every credential a wallet received has its record
//! and a valid, readable status bit, and revoking it works; no status position was handed
//! out twice; the served status list did not go back (`iat` and every revoked bit at least
//! what was served before the kill); and no pre-authorized code, access token, nonce or
//! refresh token spent before the kill is accepted again.
//!
//! The wallets are raw OpenID4VCI clients (protocol crate) rather than wallet-core, so that
//! each keeps every single-use value it spent; the process helpers are shared with the
//! verifier's fault tests and the soak.
#[path = "../../verifier/tests/common/process.rs"]
mod process;
#[path = "../../verifier/tests/common/vci_client.rs"]
mod vci_client;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use process::{free_port, Service, PROCESS_ADMIN};
use protocol::jose::SigningKey;
use protocol::status_list::{Status, UnverifiedStatusListToken, VerifiedStatusList};
use serde_json::Value;
use vci_client::{
    collect, collect_with, credential_request, nonce, offer, token_form, token_request, Collected,
    Spent, StatusPosition,
};

const WALLETS: usize = 6;
/// Collections acknowledged before the kill.
const COLLECTED_BEFORE_KILL: usize = 30;
const PERSONS: [&str; 3] = ["999993653", "999993112", "999994542"];

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The served status list `uri`, verified with the issuer's key.
async fn status_list(
    http: &reqwest::Client,
    uri: &str,
    key: &SigningKey,
) -> Result<VerifiedStatusList, String> {
    let r = http.get(uri).send().await.map_err(|e| e.to_string())?;
    if !r.status().is_success() {
        return Err(format!("status list: {}", r.status()));
    }
    let text = r.text().await.map_err(|e| e.to_string())?;
    UnverifiedStatusListToken::parse(&text)
        .and_then(|t| t.verify(key.public_jwk(), uri, now()))
        .map_err(|e| e.to_string())
}

/// Every credential record of the test persons, by status position.
async fn records(http: &reqwest::Client, base: &str) -> HashMap<StatusPosition, Value> {
    let mut out = HashMap::new();
    for bsn in PERSONS {
        let list: Value = http
            .get(format!("{base}/api/persons/{bsn}/credentials"))
            .bearer_auth(PROCESS_ADMIN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for c in list["credentials"].as_array().unwrap() {
            let position = StatusPosition {
                uri: format!("{base}/status/{}", c["status_list"].as_str().unwrap()),
                idx: c["status_idx"].as_u64().unwrap(),
            };
            assert!(
                out.insert(position.clone(), c.clone()).is_none(),
                "status position {position:?} handed out twice"
            );
        }
    }
    out
}

async fn revoke(http: &reqwest::Client, base: &str, id: &str) -> Result<u16, String> {
    http.post(format!("{base}/api/credentials/{id}/revoke"))
        .bearer_auth(PROCESS_ADMIN)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .map_err(|e| e.to_string())
}

/// What the load saw before the kill.
#[derive(Default)]
struct Seen {
    collected: Vec<Collected>,
    /// Positions whose revocation was acknowledged.
    revoked: HashSet<StatusPosition>,
    /// Positions whose revocation was sent (a response cut off by the kill may or may not
    /// have been applied), and the grants (offer ids) such a revocation ends.
    revoking: HashSet<StatusPosition>,
    ended_grants: HashSet<String>,
    /// The last status list served: its `iat` and revoked positions.
    served: Option<(u64, Vec<u64>)>,
}

/// Kills the issuer the moment the `at`-th collection is acknowledged, from the wallet that
/// received it: the kill lands right after a response, before that wallet's next request
/// (which would flush the store anyway), where a missing flush would lose data.
struct Killer {
    issuer: Mutex<Service>,
    at: usize,
}

impl Killer {
    fn acknowledged(&self, seen: &Mutex<Seen>, collected: Collected) {
        let mut seen = seen.lock().unwrap();
        seen.collected.push(collected);
        if seen.collected.len() >= self.at && !seen.revoked.is_empty() {
            self.issuer.lock().unwrap().kill();
        }
    }
}

/// One wallet: collects from a new offer, renews with the refresh token it got, again and
/// again, until the issuer is gone.
async fn wallet(
    n: usize,
    http: reqwest::Client,
    base: String,
    seen: Arc<Mutex<Seen>>,
    killer: Arc<Killer>,
) {
    let kind = ["woonhistorie", "uittreksel-brp"][n % 2];
    let bsn = PERSONS[n % PERSONS.len()];
    loop {
        let Ok(first) = collect(&http, &base, PROCESS_ADMIN, bsn, kind, 3).await else {
            return;
        };
        let refresh = Spent::Refresh(first.refresh_token.clone());
        let offer_id = first.offer_id.clone();
        killer.acknowledged(&seen, first);
        let Ok(renewed) = collect_with(&http, &base, &offer_id, refresh, kind, 2).await else {
            return;
        };
        killer.acknowledged(&seen, renewed);
    }
}

/// The back office: revokes a recently received credential now and then, and follows the
/// served status list.
async fn back_office(
    http: reqwest::Client,
    base: String,
    key: SigningKey,
    seen: Arc<Mutex<Seen>>,
    stop: Arc<AtomicBool>,
) {
    let list_uri = format!("{base}/status/1");
    while !stop.load(Ordering::SeqCst) {
        let target = seen
            .lock()
            .unwrap()
            .collected
            .last()
            .and_then(|c| Some((c.credentials.first()?.2.clone(), c.offer_id.clone())));
        if let Some((position, grant)) = target {
            let all = http
                .get(format!("{base}/api/persons/{}/credentials", PERSONS[0]))
                .bearer_auth(PROCESS_ADMIN)
                .send()
                .await;
            let Ok(all) = all else { return };
            let Ok(all) = all.json::<Value>().await else {
                return;
            };
            let id = all["credentials"].as_array().and_then(|list| {
                list.iter()
                    .find(|c| c["status_idx"].as_u64() == Some(position.idx))
                    .and_then(|c| c["id"].as_str().map(str::to_owned))
            });
            if let Some(id) = id {
                {
                    let mut seen = seen.lock().unwrap();
                    seen.revoking.insert(position.clone());
                    seen.ended_grants.insert(grant);
                }
                match revoke(&http, &base, &id).await {
                    Ok(200) => {
                        seen.lock().unwrap().revoked.insert(position);
                    }
                    _ => return,
                }
            }
        }
        match status_list(&http, &list_uri, &key).await {
            Ok(list) => {
                let revoked = (0..list.list().len())
                    .filter(|&i| list.status_at(i) == Ok(Status::Invalid))
                    .collect();
                seen.lock().unwrap().served = Some((list.issued_at(), revoked));
            }
            Err(_) => return,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issued_credentials_and_spent_secrets_survive_kill_9_under_load() {
    let dir =
        TempDir(std::env::temp_dir().join(format!("regie-issuer-kill-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&dir.0);
    std::fs::create_dir_all(&dir.0).unwrap();
    let key = SigningKey::generate().with_kid("test-issuer");
    let key_file = dir.0.join("issuer-key.jwk");
    std::fs::write(&key_file, key.to_private_jwk().as_bytes()).unwrap();
    let mut issuer = Service::issuer(
        std::path::Path::new(env!("CARGO_BIN_EXE_regie-issuer")),
        &dir.0.join("data"),
        &key_file,
        free_port(),
    );
    issuer.start(Duration::from_secs(30)).await.unwrap();
    let base = issuer.url.clone();
    let killer = Arc::new(Killer {
        issuer: Mutex::new(issuer),
        at: COLLECTED_BEFORE_KILL,
    });
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();

    let seen = Arc::new(Mutex::new(Seen::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let wallets: Vec<_> = (0..WALLETS)
        .map(|n| {
            tokio::spawn(wallet(
                n,
                http.clone(),
                base.clone(),
                seen.clone(),
                killer.clone(),
            ))
        })
        .collect();
    let office = tokio::spawn(back_office(
        http.clone(),
        base.clone(),
        key.clone(),
        seen.clone(),
        stop.clone(),
    ));
    // The wallets end when the issuer is gone; the kill comes from the wallet that sees
    // the `at`-th acknowledged collection (after a revocation), not after a fixed time.
    let waited = tokio::time::timeout(Duration::from_secs(40), async {
        for w in wallets {
            w.await.unwrap();
        }
    })
    .await;
    assert!(
        waited.is_ok(),
        "the load did not reach the kill:\n{}",
        killer.issuer.lock().unwrap().log()
    );
    stop.store(true, Ordering::SeqCst);
    office.await.unwrap();
    let mut issuer = Arc::try_unwrap(killer)
        .ok()
        .expect("the wallets are done")
        .issuer
        .into_inner()
        .unwrap();
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    issuer.start(Duration::from_secs(30)).await.unwrap();

    // Every received credential has its record, on a position of its own.
    let records = records(&http, &base).await;
    let received: Vec<&StatusPosition> = seen
        .collected
        .iter()
        .flat_map(|c| c.credentials.iter().map(|(_, _, p)| p))
        .collect();
    let unique: HashSet<_> = received.iter().collect();
    assert_eq!(
        unique.len(),
        received.len(),
        "a position was received twice"
    );
    for position in &received {
        assert!(
            records.contains_key(position),
            "credential at {position:?} was received but has no record after the kill"
        );
    }

    // The served list did not go back, and every received bit reads as it should.
    let list_uri = format!("{base}/status/1");
    let after = status_list(&http, &list_uri, &key).await.unwrap();
    let (iat_before, revoked_before) = seen.served.clone().expect("a list was served");
    assert!(after.issued_at() >= iat_before, "iat went back");
    for idx in &revoked_before {
        assert_eq!(
            after.status_at(*idx),
            Ok(Status::Invalid),
            "bit {idx} went back"
        );
    }
    for position in &received {
        assert_eq!(position.uri, list_uri);
        let status = after.status_at(position.idx);
        if seen.revoked.contains(position) {
            assert_eq!(
                status,
                Ok(Status::Invalid),
                "{position:?} revoked before the kill"
            );
        } else if !seen.revoking.contains(position) {
            assert_eq!(status, Ok(Status::Valid), "{position:?} never revoked");
        }
    }

    // Revocation works on what was received before the kill.
    let to_revoke: Vec<&&StatusPosition> = received
        .iter()
        .filter(|p| !seen.revoking.contains(**p))
        .take(5)
        .collect();
    for position in &to_revoke {
        let id = records[**position]["id"].as_str().unwrap();
        assert_eq!(revoke(&http, &base, id).await, Ok(200));
    }
    let revoked_now = status_list(&http, &list_uri, &key).await.unwrap();
    for position in &to_revoke {
        assert_eq!(revoked_now.status_at(position.idx), Ok(Status::Invalid));
    }

    // Nothing spent before the kill works again: codes and refresh tokens at the token
    // endpoint, access tokens at the credential endpoint, nonces in a proof.
    for c in &seen.collected {
        let (status, body) = token_request(&http, &base, token_form(&c.grant))
            .await
            .unwrap();
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        let kind = records
            .values()
            .find(|r| r["offer_id"] == c.offer_id.as_str())
            .and_then(|r| r["credential_type"].as_str())
            .unwrap_or("woonhistorie");
        let fresh = nonce(&http, &base).await.unwrap();
        let (status, _, _) = credential_request(&http, &base, &c.access_token, kind, &fresh, 1)
            .await
            .unwrap();
        assert_eq!(status, 401, "an access token spent before the kill");
    }
    for c in seen.collected.iter().take(5) {
        let (_, code) = offer(&http, &base, PROCESS_ADMIN, PERSONS[0], "woonhistorie")
            .await
            .unwrap();
        let (status, token) = token_request(&http, &base, token_form(&Spent::Code(code)))
            .await
            .unwrap();
        assert_eq!(status, 200);
        let access = token["access_token"].as_str().unwrap();
        let (status, body, _) =
            credential_request(&http, &base, access, "woonhistorie", &c.nonce, 1)
                .await
                .unwrap();
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_nonce")),
            "a nonce spent before the kill"
        );
    }
    // An unspent refresh token from before the kill still renews (it was made durable
    // before the wallet had it). A renewal's own refresh token is one the wallets never
    // spend; a first collection's may have been spent by a renewal cut off by the kill. A
    // revocation by the back office ends its grant's renewals, so those do not count.
    let unspent = seen
        .collected
        .iter()
        .rev()
        .find(|c| matches!(c.grant, Spent::Refresh(_)) && !seen.ended_grants.contains(&c.offer_id))
        .expect("a renewal before the kill");
    let (status, body) = token_request(
        &http,
        &base,
        token_form(&Spent::Refresh(unspent.refresh_token.clone())),
    )
    .await
    .unwrap();
    assert_eq!(status, 200, "an unspent refresh token is refused: {body}");
    println!(
        "{} collections ({} credentials) and {} revocations acknowledged before the kill",
        seen.collected.len(),
        received.len(),
        seen.revoked.len()
    );
    issuer.kill();
}
