//! Several issuer instances on one PostgreSQL database serve one issuer: a code, access
//! token, nonce or refresh token taken through one is refused through every other; copies
//! collected through different instances at once never share a status position; a
//! revocation through one is in the status list every instance serves.
use std::collections::HashSet;

use protocol::jose::{PublicJwk, SigningKey};
use protocol::status_list::{Status, UnverifiedStatusListToken};
use serde_json::{json, Value};

mod common;
use common::*;

const BSN: &str = "999993653";

fn body(kind: &str, s: &Server, holders: &[SigningKey], nonce: &str) -> Value {
    json!({"credential_configuration_id": kind, "proofs": {"jwt": proofs(s, holders, nonce)}})
}

#[tokio::test]
async fn single_use_values_work_once_across_instances() {
    let servers = start_instances_on_postgres(2).await;
    let (a, b) = (&servers[0], &servers[1]);
    let offer = a.offer(BSN, "woonhistorie", false).await;
    let code = code_of(&offer);
    let (status, token) = b.token(&code, None).await;
    assert_eq!(status, 200, "{token}");
    let (status, again) = a.token(&code, None).await;
    assert_eq!(
        (status, again["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // A nonce from one instance, the access token from the other, the request at either.
    let access = token["access_token"].as_str().unwrap();
    let nonce = a.nonce().await;
    let holder = [SigningKey::generate()];
    let (status, response) = b
        .credential(access, body("woonhistorie", b, &holder, &nonce))
        .await;
    assert_eq!(status, 200, "{response}");
    let (status, err) = a
        .credential(access, body("woonhistorie", a, &holder, &nonce))
        .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (401, Some("invalid_token"))
    );

    // The spent nonce, with a fresh token, through the other instance.
    let (_, token) = a
        .token(&code_of(&a.offer(BSN, "woonhistorie", false).await), None)
        .await;
    let (status, err) = a
        .credential(
            token["access_token"].as_str().unwrap(),
            body("woonhistorie", a, &holder, &nonce),
        )
        .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("invalid_nonce"))
    );

    // A refresh token is rotated through one instance; the old one is dead at both.
    let refresh = response_refresh(&token);
    let (status, renewed) = b.refresh(&refresh).await;
    assert_eq!(status, 200, "{renewed}");
    for s in [a, b] {
        let (status, err) = s.refresh(&refresh).await;
        assert_eq!(
            (status, err["error"].as_str()),
            (400, Some("invalid_grant"))
        );
    }
}

fn response_refresh(token: &Value) -> String {
    token["refresh_token"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn copies_through_instances_never_share_a_position_and_revocations_reach_all() {
    let servers = std::sync::Arc::new(start_instances_on_postgres(2).await);
    // 8 wallets at once, alternating instances, 3 copies each.
    let mut tasks = Vec::new();
    for k in 0..8 {
        let servers = servers.clone();
        tasks.push(tokio::spawn(async move {
            let s = &servers[k % 2];
            let offer = s.offer(BSN, "uittreksel-brp", false).await;
            let (_, token) = servers[(k + 1) % 2].token(&code_of(&offer), None).await;
            let nonce = s.nonce().await;
            let holders: Vec<_> = (0..3).map(|_| SigningKey::generate()).collect();
            let (status, response) = s
                .credential(
                    token["access_token"].as_str().unwrap(),
                    body("uittreksel-brp", s, &holders, &nonce),
                )
                .await;
            assert_eq!(status, 200, "{response}");
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let (a, b) = (&servers[0], &servers[1]);
    let listed = b.get_json(&format!("/api/persons/{BSN}/credentials")).await;
    let copies = listed["credentials"].as_array().unwrap();
    assert_eq!(copies.len(), 24);
    let positions: HashSet<(String, u64)> = copies
        .iter()
        .map(|c| {
            (
                c["status_list"].as_str().unwrap().to_owned(),
                c["status_idx"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        positions.len(),
        24,
        "a status position was handed out twice"
    );

    // Revoke two copies, one through each instance.
    for (s, copy) in [(a, &copies[0]), (b, &copies[5])] {
        let r = s
            .http
            .post(format!(
                "{}/api/credentials/{}/revoke",
                s.base,
                copy["id"].as_str().unwrap()
            ))
            .bearer_auth(ADMIN)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let jwks = a.get_json("/.well-known/jwt-vc-issuer").await;
    let issuer_key = PublicJwk::from_json_value(&jwks["jwks"]["keys"][0]).unwrap();
    let uri = format!("{SHARED_PUBLIC_URL}/status/1");
    for s in [a, b] {
        let text = s
            .http
            .get(format!("{}/status/1", s.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let list = UnverifiedStatusListToken::parse(&text)
            .unwrap()
            .verify(&issuer_key, &uri, START)
            .unwrap();
        for (k, copy) in copies.iter().enumerate() {
            let expected = if k == 0 || k == 5 {
                Status::Invalid
            } else {
                Status::Valid
            };
            let idx = copy["status_idx"].as_u64().unwrap();
            assert_eq!(
                list.status_at(idx).unwrap(),
                expected,
                "{} copy {k}",
                s.base
            );
        }
    }
}

/// `regie-issuer serve` on `database_url`, behind the shared public URL, with the signing
/// key in `dir` (every instance signs with the same key; the state is in the database).
fn serve(database_url: &str, dir: &std::path::Path) -> (std::process::Child, Server) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_regie-issuer"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args([
            "--public-url",
            SHARED_PUBLIC_URL,
            "--database-url",
            database_url,
        ])
        .arg("--data-dir")
        .arg(dir)
        .env("REGIE_ISSUER_ADMIN_TOKEN", ADMIN)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let server = Server::remote(&format!("http://127.0.0.1:{port}"), SHARED_PUBLIC_URL);
    (child, server)
}

async fn wait_until_ready(s: &Server) {
    for _ in 0..200 {
        if let Ok(r) = s.http.get(format!("{}/health/ready", s.base)).send().await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the issuer at {} did not become ready", s.base);
}

/// Real processes: an offer made through one instance, which is then killed (`kill -9`) in
/// the middle of the citizen's collection; the other instance goes on with the code, and
/// the restarted first instance serves the credential request.
#[tokio::test]
async fn an_instance_killed_in_the_middle_of_a_collection_loses_nothing() {
    let url = regie_ops::test_database::fresh().await;
    let dir = std::env::temp_dir().join(format!("regie-instances-{}", std::process::id()));
    // The first start makes the key; the others read it.
    let (mut first, a) = serve(&url, &dir);
    wait_until_ready(&a).await;
    let (mut second, b) = serve(&url, &dir);
    wait_until_ready(&b).await;
    let offer = a.offer(BSN, "woonhistorie", false).await;
    first.kill().unwrap();
    first.wait().unwrap();
    let (status, token) = b.token(&code_of(&offer), None).await;
    assert_eq!(status, 200, "{token}");
    let nonce = b.nonce().await;

    let (mut first, a) = serve(&url, &dir);
    wait_until_ready(&a).await;
    let holder = [SigningKey::generate()];
    let (status, response) = a
        .credential(
            token["access_token"].as_str().unwrap(),
            body("woonhistorie", &a, &holder, &nonce),
        )
        .await;
    assert_eq!(status, 200, "{response}");
    let state = b
        .get_json(&format!(
            "/api/offers/{}",
            offer["offer_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(state["collected"], true);
    // Signed with the one key both instances have: the issuer's published key verifies it.
    let jwks = b.get_json("/.well-known/jwt-vc-issuer").await;
    let issuer_key = PublicJwk::from_json_value(&jwks["jwks"]["keys"][0]).unwrap();
    let jwt = response["credentials"][0]["credential"].as_str().unwrap();
    let issuer_jwt = jwt.split('~').next().unwrap();
    let parsed = protocol::jose::UnverifiedJws::parse(issuer_jwt).unwrap();
    assert!(
        parsed.verify(&issuer_key).is_ok(),
        "signed with the shared key"
    );
    for child in [&mut first, &mut second] {
        child.kill().unwrap();
        child.wait().unwrap();
    }
    let _ = std::fs::remove_dir_all(&dir);
}
