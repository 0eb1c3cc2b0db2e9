//! A wallet holding 10,000 credentials and 100,000 history events: unlock, the first page
//! of credentials and of history, and request → consent assessment without network, each
//! printed with a ratio against a baseline measured in the same run.
//!
//! Run: `cargo bench -p wallet-core --bench wallet_bench`
//! (`WALLET_BENCH_CREDENTIALS` and `WALLET_BENCH_EVENTS` change the sizes.)
//!
//! Targets: a page under 10 ms, an assessment under 20 ms, unlock 0.3–0.5 s.
#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Instant;

use common::*;
use protocol::credential_types::Lang;
use protocol::jose::SigningKey;
use wallet_core::crypto::{derive_kek, DataKey, DEFAULT_KDF};
use wallet_core::pin::Pin;

fn median_ms(rounds: usize, mut f: impl FnMut()) -> f64 {
    let mut samples: Vec<f64> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let credentials = env_usize("WALLET_BENCH_CREDENTIALS", 10_000);
    let events = env_usize("WALLET_BENCH_EVENTS", 100_000);
    let issuer = TestIssuer::start().await;
    let scheme = Scheme::new(&issuer);
    let dir = TempDir::new("bench");
    let wallet = open_wallet(&dir, &scheme);
    let unlocked = wallet.init(&Pin::new(PIN)).expect("init");
    let (offer, _, _) = issuer.offer("woonhistorie", false).await;
    let template = unlocked.accept_offer(&offer, None).await.expect("offer")[0]
        .id
        .clone();
    let fill = Instant::now();
    unlocked
        .bulk_fill(&template, credentials - 1, events)
        .expect("fill");
    println!(
        "filled: {credentials} credentials (3 copies each), {events} history events in {:.1} s",
        fill.elapsed().as_secs_f64()
    );
    let db_bytes: u64 = walk(&dir.0);
    println!(
        "store on disk: {:.0} MiB",
        db_bytes as f64 / (1 << 20) as f64
    );

    // Unlock vs. the bare Argon2id derivation it is built on.
    let salt = [7u8; 16];
    let kdf = median_ms(5, || {
        black_box(derive_kek(&Pin::new(PIN), &salt, DEFAULT_KDF).expect("kdf"));
    });
    let unlock = median_ms(5, || {
        black_box(wallet.unlock(&Pin::new(PIN)).expect("unlock"));
    });
    println!(
        "unlock:              {unlock:8.1} ms   (Argon2id alone {kdf:.1} ms: {:.2}x; m={} MiB, t={}, p={})",
        unlock / kdf,
        DEFAULT_KDF.memory_kib / 1024,
        DEFAULT_KDF.iterations,
        DEFAULT_KDF.parallelism
    );

    // Pages vs. decrypting the same number of values of the same size with the raw AEAD.
    let page = unlocked.credentials(None, 20).expect("page");
    let summary_bytes = serde_json::to_vec(&page[0]).expect("json").len();
    let raw_key = DataKey::generate().expect("key");
    let sealed: Vec<Vec<u8>> = (0..20)
        .map(|_| {
            raw_key
                .seal(b"c", &vec![b'x'; summary_bytes])
                .expect("seal")
        })
        .collect();
    let aead = median_ms(200, || {
        for s in &sealed {
            black_box(raw_key.open(b"c", s).expect("open"));
        }
    });
    let cred_page = median_ms(200, || {
        black_box(unlocked.credentials(None, 20).expect("page"));
    });
    let hist_page = median_ms(200, || {
        black_box(unlocked.history(None, 20).expect("history"));
    });
    println!(
        "credentials page 20: {cred_page:8.3} ms   ({:.1}x the raw AES-GCM opens of 20 summaries, {aead:.3} ms; target < 10 ms)",
        cred_page / aead
    );
    println!(
        "history page 20:     {hist_page:8.3} ms   ({:.1}x; target < 10 ms)",
        hist_page / aead
    );

    // Request → assessment without network vs. the two ES256 verifications it needs
    // (verifier attestation, request object).
    let verifier = TestVerifier::start(&scheme.anchor, &housing_registration(), &issuer).await;
    let link = verifier.request(Some("aanvraag-medehuur"), housing_query(), &[]);
    let parsed = protocol::oid4vp::RequestLink::parse(&link, true).expect("link");
    let jwt = reqwest::get(&parsed.request_uri)
        .await
        .expect("fetch")
        .text()
        .await
        .expect("text");
    let signer = SigningKey::generate();
    let message = b"bench message of about the size of a request object header.payload";
    let signature = signer.sign_es256(message);
    let raw = median_ms(200, || {
        for _ in 0..2 {
            signer
                .public_jwk()
                .verify_es256(black_box(message), &signature)
                .expect("verify");
        }
    });
    let assess = median_ms(100, || {
        let pending = unlocked
            .assess_request_object(&link, &jwt, Lang::Nl)
            .expect("assess");
        assert_eq!(pending.assessment.verdict.code(), "ok");
        black_box(pending);
    });
    println!(
        "request → assessment:{assess:8.3} ms   ({:.1}x the two raw ES256 verifications, {raw:.3} ms; target < 20 ms)",
        assess / raw
    );
}

fn walk(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        walk(&p)
                    } else {
                        e.metadata().map(|m| m.len()).unwrap_or(0)
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}
