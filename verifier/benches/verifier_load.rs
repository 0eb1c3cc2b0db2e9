//! The verifier under load and its verification cost, measured in one run:
//!
//! 1. Verification speed on one core: the verifier's full check of one answer (issuer
//!    signature and trust, SD-JWT rules, key binding, status list from the cache, the DCQL
//!    query and the registration) against the raw cost of the two ES256 signature checks it
//!    contains, measured interleaved in the same run.
//! 2. A bounded loopback load: the real issuer and verifier services on loopback HTTP,
//!    `REGIE_LOAD_SESSIONS` (default 1,000) sessions, `REGIE_LOAD_CONCURRENCY` (default 50)
//!    at a time, each created by the housing corporation's back-end, its signed request
//!    fetched and verified, answered with a presentation of one of several test persons'
//!    credentials (built exactly as wallet-core builds them), and read back; every result
//!    is checked against the person who answered, so a lost or mixed-up answer counts.
//!
//! The session steps are `tests/common/load.rs`, shared with the soak and the kill tests.
//!
//! 3. The same load through nginx with TLS over two issuer and two verifier instances on one
//!    PostgreSQL database, in the same run.
//!
//! Run: `eval "$(scripts/pg-cluster.sh start /tmp/regie-pg)"; cargo bench -p regie-verifier --bench verifier_load`
/// The allocator `regie-verifier` runs with (src/main.rs), so that these figures are the service's.
#[global_allocator]
static ALLOCATOR: regie_ops::allocator::ServiceAllocator = regie_ops::allocator::ServiceAllocator;

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::load::{one_session, presentation, Latencies, PERSONS};
use common::*;
use protocol::dcql::DcqlQuery;
use protocol::jose::{b64u_decode, PublicJwk, SigningKey};
use regie_verifier::sessions::{Session, SessionStatus};
use regie_verifier::verify::{verify_answer, Expected};
use serde_json::{json, Map};
use tokio::sync::Semaphore;

/// Median nanoseconds per call of each function, measured in interleaved rounds so that
/// both see the same machine state.
fn measure_interleaved(fns: &mut [&mut dyn FnMut()], rounds: usize, per_round: usize) -> Vec<f64> {
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); fns.len()];
    for _ in 0..rounds {
        for (i, f) in fns.iter_mut().enumerate() {
            let start = Instant::now();
            for _ in 0..per_round {
                f();
            }
            samples[i].push(start.elapsed().as_nanos() as f64 / per_round as f64);
        }
    }
    samples
        .into_iter()
        .map(|mut s| {
            s.sort_by(f64::total_cmp);
            s[s.len() / 2]
        })
        .collect()
}

fn raw_signatures(presentation: &str) -> [(Vec<u8>, Vec<u8>); 2] {
    let issuer_jwt = presentation.split('~').next().expect("issuer jwt");
    let kb_jwt = presentation.rsplit('~').next().expect("kb jwt");
    [issuer_jwt, kb_jwt].map(|jwt| {
        let (input, sig) = jwt.rsplit_once('.').expect("jws");
        (
            input.as_bytes().to_vec(),
            b64u_decode(sig, "sig").expect("sig"),
        )
    })
}

fn bench_verification(w: &World, credential: &(String, SigningKey)) {
    let party = w.verifier.registry.by_id("woonstichting").expect("party");
    let aud = party.prefixed_client_id();
    let nonce = "bench-nonce";
    let body = housing_session();
    let session = Session {
        id: "bench".into(),
        request_ref: "bench-ref".into(),
        party_id: party.id.clone(),
        purpose: "aanvraag-medehuur".into(),
        dcql_query: body["dcql_query"].clone(),
        transaction_data: Vec::new(),
        nonce: nonce.into(),
        created_at: now(),
        expires_at: now() + 600,
        status: SessionStatus::Pending,
        reason: None,
        claims: None,
        presentations: None,
        answered_at: None,
        request_object: None,
        refused_answers: 0,
        viewer_digest: None,
    };
    let query = DcqlQuery::from_json_value(&session.dcql_query).expect("query");
    let purpose = party
        .registration
        .purpose("aanvraag-medehuur")
        .expect("purpose");
    let Ok(trust) = w.verifier.trust_list() else {
        panic!("the trust list does not verify")
    };
    let presented = presentation(credential, &aud, nonce);
    let mut vp_token = Map::new();
    vp_token.insert("woon".into(), json!([presented]));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let now = now();
    let mut full = || {
        let expected = Expected {
            session: &session,
            party,
            purpose,
            query: &query,
            trust: &trust,
            status: &w.verifier.status,
            now,
        };
        black_box(
            runtime
                .block_on(verify_answer(black_box(&vp_token), &expected))
                .expect("verifies"),
        );
    };
    // The first call fetches the status list over loopback; later ones use the cache, as a
    // busy verifier does within the list's ttl.
    full();
    let [(issuer_input, issuer_sig), (kb_input, kb_sig)] = raw_signatures(&presented);
    let issuer_key: PublicJwk = trust
        .issuer_key(&w.issuer_url, Some("test-issuer"))
        .expect("issuer key")
        .clone();
    let holder_key = credential.1.public_jwk().clone();
    let mut raw = || {
        issuer_key
            .verify_es256(black_box(&issuer_input), &issuer_sig)
            .expect("issuer signature");
        holder_key
            .verify_es256(black_box(&kb_input), &kb_sig)
            .expect("key binding signature");
    };
    // The protocol's verification of the presentation alone, to show what the verifier adds
    // (trust list, status, DCQL, registration, building the answer).
    let kb = protocol::sd_jwt::KbExpectation {
        aud: &aud,
        nonce,
        now,
        max_age: 300,
        future_skew: 60,
        transaction_data_hashes: None,
    };
    let mut protocol_only = || {
        black_box(
            protocol::sd_jwt_vc::verify_presentation(
                black_box(&presented),
                |_, _| Some(issuer_key.clone()),
                &kb,
                60,
            )
            .expect("verifies"),
        );
    };
    let medians = measure_interleaved(&mut [&mut raw, &mut protocol_only, &mut full], 40, 50);
    let (raw_ns, protocol_ns, full_ns) = (medians[0], medians[1], medians[2]);
    let disclosures = presented.matches('~').count().saturating_sub(1);
    println!("answer verification, one core (address history, 4 claims incl. every address)");
    println!(
        "  baseline: 2 raw ES256 verifications   {:>9.1} µs  ({:.0}/s per core)",
        raw_ns / 1000.0,
        1e9 / raw_ns
    );
    println!(
        "  protocol verify_presentation alone    {:>9.1} µs  ({:.3}×; {disclosures} disclosures, {} bytes)",
        protocol_ns / 1000.0,
        protocol_ns / raw_ns,
        presented.len()
    );
    println!(
        "  verifier's full check of one answer   {:>9.1} µs  ({:.0}/s per core)",
        full_ns / 1000.0,
        1e9 / full_ns
    );
    println!(
        "  ratio full / baseline                 {:>9.3}×",
        full_ns / raw_ns
    );
}

#[derive(Default, Debug)]
struct Outcome {
    ok: usize,
    lost: usize,
    wrong: usize,
}

/// The load against `w` through clients made by `client`; `what` says where it runs.
async fn load(
    what: &str,
    w: Arc<World>,
    pool: Arc<Vec<((String, SigningKey), &'static str)>>,
    client: reqwest::ClientBuilder,
) {
    let sessions: usize = std::env::var("REGIE_LOAD_SESSIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let concurrency: usize = std::env::var("REGIE_LOAD_CONCURRENCY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let http = client
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    let permits = Arc::new(Semaphore::new(concurrency));
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(sessions);
    for i in 0..sessions {
        let permit = permits.clone().acquire_owned().await.expect("semaphore");
        let (w, http, pool) = (w.clone(), http.clone(), pool.clone());
        tasks.push(tokio::spawn(async move {
            let (credential, family_name) = &pool[i % pool.len()];
            let t = Instant::now();
            let result = one_session(&http, &w.verifier_url, credential, family_name).await;
            drop(permit);
            (result, t.elapsed())
        }));
    }
    let mut outcome = Outcome::default();
    let mut latencies = Latencies::default();
    let mut first_error = None;
    for task in tasks {
        match task.await {
            Ok((Ok(true), t)) => {
                outcome.ok += 1;
                latencies.push(t);
            }
            Ok((Ok(false), _)) => outcome.wrong += 1,
            Ok((Err(e), _)) => {
                outcome.lost += 1;
                first_error.get_or_insert(e);
            }
            Err(e) => {
                outcome.lost += 1;
                first_error.get_or_insert(e.to_string());
            }
        }
    }
    let elapsed = start.elapsed();
    let mut pct = |p: f64| latencies.percentile_ms(p);
    println!(
        "{what}: {sessions} sessions, {concurrency} at a time, services and wallets in one process on {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "  verified and correct {}, lost {}, wrong {}",
        outcome.ok, outcome.lost, outcome.wrong
    );
    println!(
        "  {:.1} s in all: {:.0} sessions/s (create + request + answer + read back)",
        elapsed.as_secs_f64(),
        sessions as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  per session: median {:.1} ms, p95 {:.1} ms, p99 {:.1} ms",
        pct(0.5),
        pct(0.95),
        pct(0.99)
    );
    if let Some(e) = first_error {
        println!("  first failure: {e}");
    }
    assert_eq!(
        (outcome.lost, outcome.wrong),
        (0, 0),
        "every session verified and right"
    );
}

async fn pool_of(w: &World) -> Arc<Vec<((String, SigningKey), &'static str)>> {
    let mut pool = Vec::new();
    for (bsn, family_name) in PERSONS {
        for credential in w.raw_credentials_of(bsn, "woonhistorie").await {
            pool.push((credential, family_name));
        }
    }
    Arc::new(pool)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (world, pool) = runtime.block_on(async {
        let w = World::start().await;
        let pool = pool_of(&w).await;
        (Arc::new(w), pool)
    });
    bench_verification(&world, &pool[0].0);
    println!();
    runtime.block_on(load(
        "one instance each on sled, plain HTTP on loopback",
        world,
        pool,
        reqwest::Client::builder(),
    ));
    println!();
    // The same load as a municipality runs it, in the same run: nginx with TLS in front of
    // two issuer and two verifier instances on one PostgreSQL database (needs the throwaway
    // cluster: `eval "$(scripts/pg-cluster.sh start /tmp/regie-pg)"`).
    runtime.block_on(async {
        let front = nginx::Behind::start().await;
        let pool = pool_of(&front.world).await;
        load(
            "two instances each on PostgreSQL behind nginx with TLS",
            front.world.clone(),
            pool,
            front.client(),
        )
        .await;
    });
}
