//! Guessing is slowed down at the load balancer: the rate-limited locations of
//! `deploy/nginx.conf`, taken verbatim and run in Debian's nginx in front of the real issuer
//! and verifier, answer a client's guesses beyond the burst with 429 before they reach a
//! service. (Inside the services a guess cannot succeed anyway: codes, session references
//! and tokens are 256-bit and single-use, a `tx_code` is spent on its first wrong try, and a
//! session fails after 5 refused answers.)
mod common;

use std::path::Path;

use common::process::free_port;
use common::*;

/// The example site's `limit_req_zone` line and its rate-limited locations, in file order
/// (the issuer's, then the verifier's).
fn limited_parts_of_the_example() -> (String, Vec<String>) {
    let text = std::fs::read_to_string(repo_root().join("deploy/nginx.conf")).unwrap();
    let zone = text
        .lines()
        .find(|l| l.starts_with("limit_req_zone"))
        .expect("the example defines a limit zone")
        .to_owned();
    let mut locations = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_start().starts_with("location ~") {
            let end = (i..lines.len())
                .find(|&j| lines[j].trim() == "}")
                .expect("the location block ends");
            let block = lines[i..=end].join("\n");
            if block.contains("limit_req ") {
                locations.push(block);
            }
            i = end;
        }
        i += 1;
    }
    (zone, locations)
}

/// Starts nginx with one server per service, each holding the example's limited location
/// with its upstream pointed at the test's service. Returns nginx and the two front URLs.
async fn nginx_in_front(
    dir: &Path,
    issuer: &str,
    verifier: &str,
) -> (nginx::Nginx, String, String) {
    let (zone, locations) = limited_parts_of_the_example();
    assert_eq!(locations.len(), 2, "one limited location per service");
    let issuer_location = locations[0].replace("http://127.0.0.1:8701", issuer);
    let verifier_location = locations[1].replace("http://127.0.0.1:8702", verifier);
    assert!(issuer_location.contains(issuer) && verifier_location.contains(verifier));
    let (issuer_port, verifier_port) = (free_port(), free_port());
    let servers = format!(
        "  {zone}\n  \
         server {{\n    listen 127.0.0.1:{issuer_port};\n{issuer_location}\n  }}\n  \
         server {{\n    listen 127.0.0.1:{verifier_port};\n{verifier_location}\n  }}"
    );
    let nginx = nginx::start(dir, &servers, &[issuer_port, verifier_port]).await;
    (
        nginx,
        format!("http://127.0.0.1:{issuer_port}"),
        format!("http://127.0.0.1:{verifier_port}"),
    )
}

/// The example's rate: requests per second a client may go on at after its burst.
const RATE: f64 = 10.0;

/// Sends `n` requests as fast as one client can; returns their status codes and how many
/// nginx may let through at most in the time they took (`allowance` plus the rate's refill:
/// on a loaded machine the burst takes longer and more may pass).
async fn burst(
    n: usize,
    allowance: usize,
    send: impl Fn(usize) -> reqwest::RequestBuilder,
) -> (Vec<u16>, usize) {
    let started = std::time::Instant::now();
    let mut codes = Vec::with_capacity(n);
    for i in 0..n {
        codes.push(send(i).send().await.unwrap().status().as_u16());
    }
    let refill = (started.elapsed().as_secs_f64() * RATE).ceil() as usize;
    (codes, allowance + refill + 2)
}

fn count(codes: &[u16], code: u16) -> usize {
    codes.iter().filter(|&&c| c == code).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn guesses_beyond_the_burst_are_refused_by_the_load_balancer() {
    let w = World::start().await;
    let dir = TempDir::new("nginx");
    let (_nginx, issuer, verifier) = nginx_in_front(&dir.0, &w.issuer_url, &w.verifier_url).await;
    let http = reqwest::Client::new();

    // Guessed session references at the answer endpoint: the verifier refuses the first
    // ones itself (no such session); past the burst of 50 nginx answers 429.
    let (codes, most) = burst(200, 50, |i| {
        http.post(format!("{verifier}/response"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("state=guess-{i}&error=access_denied"))
    })
    .await;
    let reached = codes.len() - count(&codes, 429);
    assert!(
        (50..=most).contains(&reached),
        "the burst, and no more, reaches the verifier ({most} at most): {codes:?}"
    );
    assert!(
        codes.iter().all(|&c| c == 429 || c == 400 || c == 404),
        "{codes:?}"
    );

    // A second later the client may go on at the configured rate, and no faster.
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    let (codes, most) = burst(60, 10, |i| {
        http.get(format!("{verifier}/request/guess-again-{i}"))
    })
    .await;
    let reached = codes.len() - count(&codes, 429);
    assert!((5..=most).contains(&reached), "{most} at most: {codes:?}");

    // Guessed pre-authorized codes at the issuer's token endpoint: the same, with its burst
    // of 20 (the zone is per client across both services, so first let it refill).
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    let (codes, most) = burst(100, 20, |i| {
        http.post(format!("{issuer}/token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Apre-authorized_code&pre-authorized_code=guess-{i}"
            ))
    })
    .await;
    let reached = codes.len() - count(&codes, 429);
    assert!((20..=most).contains(&reached), "{most} at most: {codes:?}");
    assert!(
        codes.iter().all(|&c| c == 429 || c == 400),
        "every guess that reached the issuer is refused: {codes:?}"
    );
}
