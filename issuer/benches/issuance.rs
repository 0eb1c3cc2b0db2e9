//! Issuance speed: in-process (claims + SD-JWT VC signing) and over loopback HTTP (the full
//! OpenID4VCI flow: offer, token, nonce, credential), against one raw ES256 signature with
//! `ring`'s own key pair, measured interleaved in the same run. Target in-process: at most
//! 1.5× the raw signature.
//!
//! Run: `cargo bench -p regie-issuer --bench issuance`
/// The allocator `regie-issuer` runs with (src/main.rs), so that these figures are the service's.
#[global_allocator]
static ALLOCATOR: regie_ops::allocator::ServiceAllocator = regie_ops::allocator::ServiceAllocator;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use protocol::credential_types::CredentialType;
use protocol::jose::SigningKey;
use protocol::oid4vci::{create_proof, parse_offer_uri, OfferReference, TokenRequest};
use protocol::sd_jwt::RandomSalts;
use protocol::sd_jwt_vc::{self, VcEnvelope};
use regie_issuer::credentials::claims_for;
use regie_issuer::person::{Bsn, FixtureSource, PersonSource};
use regie_issuer::routes::router;
use regie_issuer::service::{today, Issuer, SystemClock};
use regie_issuer::store::Store;
use serde_json::{json, Value};

const HTTP_FLOWS: usize = 300;
const CONCURRENCY: usize = 4;

fn per_second(count: usize, start: Instant) -> f64 {
    count as f64 / start.elapsed().as_secs_f64()
}

async fn in_process() {
    let source = FixtureSource::embedded().expect("fixtures");
    let bsn = Bsn::parse("999994542").expect("bsn");
    let person = source.get(&bsn).await.expect("source").expect("person");
    let residents = source
        .residents_at(&person.residence.as_ref().expect("residence").residence)
        .await
        .expect("residents");
    let key = SigningKey::generate().with_kid("bench");
    let holder = SigningKey::generate();
    let now = 1_795_478_400;
    // The baseline is `ring`'s own key pair (what `SigningKey` signs with), so any cost the
    // wrapper adds shows in the ratio.
    let raw_pair = ring::signature::EcdsaKeyPair::from_private_key_and_public_key(
        &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        &key.to_bytes()[..],
        &key.public_jwk().sec1_uncompressed()[..],
        &ring::rand::SystemRandom::new(),
    )
    .expect("ring key pair");
    let rng = ring::rand::SystemRandom::new();
    for kind in CredentialType::ALL {
        let mut disclosures = 0;
        let mut sign = || {
            black_box(
                raw_pair
                    .sign(
                        &rng,
                        black_box(b"a message the length of a typical JWT header"),
                    )
                    .expect("ring signs"),
            );
        };
        let mut issue = || {
            let claims = claims_for(kind, &person, &residents, today(now));
            let envelope = VcEnvelope {
                iss: "https://gemeente.example",
                vct: kind.vct(),
                iat: now,
                exp: now + 1000,
                nbf: None,
                holder_key: holder.public_jwk(),
                status: None,
            };
            let sd = sd_jwt_vc::issue(
                &envelope,
                claims.claims,
                &claims.frame,
                &key,
                &mut RandomSalts,
            )
            .expect("issue");
            disclosures = sd.disclosures().len();
            black_box(sd);
        };
        let [sign_ns, issue_ns] = medians_interleaved([&mut sign, &mut issue], 40, 50);
        println!(
            "in-process {:<15} {disclosures:>2} disclosures: {:>7.0} credentials/s per core \
             (raw ring ES256 signatures: {:.0}/s; ratio {:.2}×, target ≤ 1.5×)",
            kind.id(),
            1e9 / issue_ns,
            1e9 / sign_ns,
            issue_ns / sign_ns
        );
    }
}

/// Median nanoseconds per call of each closure, from `rounds` rounds of `batch` calls with
/// the closures' rounds interleaved, so that frequency changes and the other core's load hit
/// baseline and issuance alike.
fn medians_interleaved<const N: usize>(
    mut fs: [&mut dyn FnMut(); N],
    rounds: usize,
    batch: usize,
) -> [f64; N] {
    let mut samples: [Vec<f64>; N] = std::array::from_fn(|_| Vec::with_capacity(rounds));
    for _ in 0..rounds {
        for (f, s) in fs.iter_mut().zip(samples.iter_mut()) {
            let start = Instant::now();
            for _ in 0..batch {
                f();
            }
            s.push(start.elapsed().as_nanos() as f64 / batch as f64);
        }
    }
    samples.map(|mut s| {
        s.sort_by(f64::total_cmp);
        s[s.len() / 2]
    })
}

async fn over_http() {
    let dir = std::env::temp_dir().join(format!("regie-bench-{}", std::process::id()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let issuer = Arc::new(Issuer {
        public_url: base.clone(),
        key: SigningKey::generate().with_kid("bench"),
        store: Store::open(&dir).expect("store"),
        persons: Arc::new(FixtureSource::embedded().expect("fixtures")),
        admin_token: "bench".into(),
        batch_size: 1,
        clock: Arc::new(SystemClock),
    });
    tokio::spawn(async move { axum::serve(listener, router(issuer)).await });
    let http = reqwest::Client::new();
    let flow = |http: reqwest::Client, base: String| async move {
        let offer: Value = http
            .post(format!("{base}/api/offers"))
            .bearer_auth("bench")
            .json(&json!({"bsn": "999994542", "credential_type": "uittreksel-brp"}))
            .send()
            .await?
            .json()
            .await?;
        let Ok(OfferReference::ByValue(offer)) =
            parse_offer_uri(offer["offer_uri"].as_str().unwrap_or(""), true)
        else {
            panic!("bad offer");
        };
        let code = offer
            .pre_authorized()
            .expect("grant")
            .pre_authorized_code
            .clone();
        let form = TokenRequest {
            pre_authorized_code: code,
            tx_code: None,
        }
        .to_form();
        let token: Value = http
            .post(format!("{base}/token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await?
            .json()
            .await?;
        let nonce: Value = http
            .post(format!("{base}/nonce"))
            .send()
            .await?
            .json()
            .await?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let proof = create_proof(
            &SigningKey::generate(),
            &base,
            nonce["c_nonce"].as_str().unwrap_or(""),
            now,
        )
        .expect("proof");
        let response: Value = http
            .post(format!("{base}/credential"))
            .bearer_auth(token["access_token"].as_str().unwrap_or(""))
            .json(&json!({"credential_configuration_id": "uittreksel-brp", "proofs": {"jwt": [proof]}}))
            .send()
            .await?
            .json()
            .await?;
        assert!(
            response["credentials"][0]["credential"].is_string(),
            "{response}"
        );
        Ok::<(), reqwest::Error>(())
    };
    let start = Instant::now();
    let semaphore = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut tasks = Vec::new();
    for _ in 0..HTTP_FLOWS {
        let permit = semaphore.clone().acquire_owned().await.expect("semaphore");
        let (http, base) = (http.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let result = flow(http, base).await;
            drop(permit);
            result
        }));
    }
    let mut failed = 0;
    for task in tasks {
        if !matches!(task.await, Ok(Ok(()))) {
            failed += 1;
        }
    }
    println!(
        "over loopback HTTP, {HTTP_FLOWS} full flows (offer, token, nonce, credential), {CONCURRENCY} at a time, \
         client and server sharing the machine: {:.0} credentials/s, {failed} failed",
        per_second(HTTP_FLOWS - failed, start)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("issuance: run with `cargo bench -p regie-issuer --bench issuance`");
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        in_process().await;
        over_http().await;
    });
}
