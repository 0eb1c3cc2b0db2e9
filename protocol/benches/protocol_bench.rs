//! Speed of the protocol hot paths, as ratios against a baseline measured in the same run.
//!
//! Run: `cargo bench -p protocol --bench protocol_bench`
//!
//! - Verifying one presentation (issuer signature, KB-JWT, 10 SD claims of which 5
//!   disclosed, VC rules, DCQL check) against the raw cost of the two ES256 verifications it
//!   needs. Target: at most 1.25×.
//! - Issuing one SD-JWT VC with 15 disclosures against one raw ES256 signature with `ring`'s
//!   own key pair (what [`SigningKey`] signs with). Target: at most 1.5×.
use std::hint::black_box;
use std::time::Instant;

use protocol::claim_path::ClaimPath;
use protocol::dcql::{check_presented, DcqlQuery, PresentedCredential};
use protocol::jose::{b64u_decode, PublicJwk, SigningKey};
use protocol::sd_jwt::{add_key_binding, KbExpectation, ObjectFrame, RandomSalts};
use protocol::sd_jwt_vc::{self, VcEnvelope};
use protocol::status_list::StatusReference;
use serde_json::{json, Map, Value};

const NOW: u64 = 1_800_000_000;
const ISS: &str = "https://gemeente.example/regie";
const VCT: &str = "urn:regie:uittreksel-brp:1";
const AUD: &str = "verifier_attestation:woningcorporatie.example";
const NONCE: &str = "bench-nonce-0123456789";

/// Median nanoseconds per call of `f`, from `rounds` rounds of `batch` calls, with the
/// rounds of several closures interleaved so that frequency changes hit all alike.
fn measure_interleaved(fs: &mut [&mut dyn FnMut()], rounds: usize, batch: usize) -> Vec<f64> {
    let mut samples: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); fs.len()];
    for _ in 0..rounds {
        for (f, s) in fs.iter_mut().zip(samples.iter_mut()) {
            let start = Instant::now();
            for _ in 0..batch {
                f();
            }
            s.push(start.elapsed().as_nanos() as f64 / batch as f64);
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

/// BRP-like attributes in a fixed order, the first `n` of them.
fn attributes(n: usize) -> Map<String, Value> {
    let all: [(&str, Value); 16] = [
        ("given_name", json!("Gerrit")),
        ("family_name", json!("Braber")),
        ("birthdate", json!("1971-04-22")),
        ("street", json!("Schakelstraat")),
        ("postal_code", json!("1014AW")),
        ("bsn", json!("999994542")),
        ("name_prefix", json!("den")),
        ("place_of_birth", json!("Amsterdam")),
        ("sex", json!("man")),
        ("locality", json!("Amsterdam")),
        ("nationalities", json!(["Nederlandse"])),
        ("municipality", json!("Amsterdam")),
        ("address_since", json!("1997-03-02")),
        ("age_over_18", json!(true)),
        ("house_number", json!(14)),
        ("house_number_addition", json!("H")),
    ];
    all.into_iter()
        .take(n)
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

fn issue(issuer: &SigningKey, holder: &PublicJwk, n: usize) -> protocol::sd_jwt::SdJwt {
    let attrs = attributes(n);
    let frame = ObjectFrame::sd_members(attrs.keys().cloned());
    let envelope = VcEnvelope {
        iss: ISS,
        vct: VCT,
        iat: NOW - 60,
        exp: NOW + 86_400,
        nbf: None,
        holder_key: holder,
        status: Some(StatusReference {
            idx: 4711,
            uri: format!("{ISS}/status/1"),
        }),
    };
    sd_jwt_vc::issue(&envelope, attrs, &frame, issuer, &mut RandomSalts).expect("issue")
}

/// The two signing inputs and signatures inside a presentation, for the baseline.
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

fn bench_verify() {
    let issuer = SigningKey::generate().with_kid("bench");
    let holder = SigningKey::generate();
    let credential = issue(&issuer, holder.public_jwk(), 10);
    let wanted = [
        "given_name",
        "family_name",
        "birthdate",
        "street",
        "postal_code",
    ];
    let paths: Vec<ClaimPath> = wanted
        .iter()
        .map(|k| ClaimPath::keys([*k]).expect("path"))
        .collect();
    let shown = credential.present(&paths).expect("present");
    let presentation =
        add_key_binding(&shown.serialize(), &holder, AUD, NONCE, NOW, None).expect("kb");
    let query = DcqlQuery::parse(
        json!({"credentials": [{
            "id": "brp", "format": "dc+sd-jwt", "meta": {"vct_values": [VCT]},
            "claims": wanted.iter().map(|k| json!({"path": [k]})).collect::<Vec<_>>()
        }]})
        .to_string(),
    )
    .expect("query");
    let issuer_public = issuer.public_jwk().clone();
    let holder_public = holder.public_jwk().clone();
    let expectation = KbExpectation {
        aud: AUD,
        nonce: NONCE,
        now: NOW,
        max_age: 300,
        future_skew: 60,
        transaction_data_hashes: None,
    };

    let mut full = || {
        let verified = sd_jwt_vc::verify_presentation(
            black_box(&presentation),
            |iss, kid| (iss == ISS && kid == Some("bench")).then(|| issuer_public.clone()),
            &expectation,
            60,
        )
        .expect("verify");
        let credential = &verified.credential;
        let presented = [PresentedCredential {
            query_id: "brp",
            format: "dc+sd-jwt",
            vct: credential.vct(),
            claims: credential.sd_jwt().claims_value(),
            holder_binding: true,
            disclosable_arrays: credential.sd_jwt().disclosable_arrays(),
        }];
        black_box(check_presented(&query, &presented).expect("answers query"));
    };
    full(); // fail fast before measuring
    let [(issuer_input, issuer_sig), (kb_input, kb_sig)] = raw_signatures(&presentation);
    let mut raw = || {
        issuer_public
            .verify_es256(black_box(&issuer_input), &issuer_sig)
            .expect("issuer sig");
        holder_public
            .verify_es256(black_box(&kb_input), &kb_sig)
            .expect("kb sig");
    };
    let medians = measure_interleaved(&mut [&mut raw, &mut full], 60, 100);
    let (raw_ns, full_ns) = (medians[0], medians[1]);
    println!("presentation verification (10 SD claims, 5 disclosed, KB-JWT, DCQL check)");
    println!(
        "  baseline: 2 raw ES256 verifications   {:>9.1} µs  ({:.0}/s per core)",
        raw_ns / 1000.0,
        1e9 / raw_ns
    );
    println!(
        "  full verification                     {:>9.1} µs  ({:.0}/s per core)",
        full_ns / 1000.0,
        1e9 / full_ns
    );
    println!(
        "  ratio full / baseline                 {:>9.3}×  (target ≤ 1.25×)",
        full_ns / raw_ns
    );
    println!(
        "  presentation size                     {:>9} bytes",
        presentation.len()
    );
}

fn bench_issue() {
    let issuer = SigningKey::generate().with_kid("bench");
    let holder = SigningKey::generate();
    let mut one = || {
        black_box(issue(&issuer, holder.public_jwk(), 15));
    };
    // The baseline is `ring` itself, not `SigningKey::sign_es256`, so that any cost the
    // wrapper adds shows in the ratio.
    let raw_pair = ring::signature::EcdsaKeyPair::from_private_key_and_public_key(
        &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        &issuer.to_bytes()[..],
        &issuer.public_jwk().sec1_uncompressed()[..],
        &ring::rand::SystemRandom::new(),
    )
    .expect("ring key pair");
    let rng = ring::rand::SystemRandom::new();
    let mut sign_only = || {
        black_box(
            raw_pair
                .sign(&rng, black_box(b"baseline message of a typical JWT length"))
                .expect("ring signs"),
        );
    };
    let medians = measure_interleaved(&mut [&mut sign_only, &mut one], 30, 50);
    let disclosures = issue(&issuer, holder.public_jwk(), 15).disclosures().len();
    println!("issuance of one SD-JWT VC ({disclosures} disclosures)");
    println!(
        "  baseline: 1 raw ES256 signature (ring){:>9.1} µs  ({:.0}/s per core)",
        medians[0] / 1000.0,
        1e9 / medians[0]
    );
    println!(
        "  full issuance                         {:>9.1} µs  ({:.0} credentials/s per core)",
        medians[1] / 1000.0,
        1e9 / medians[1]
    );
    println!(
        "  ratio full / baseline                 {:>9.3}×  (target ≤ 1.5×)",
        medians[1] / medians[0]
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing and expects quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    if quick {
        println!("protocol_bench: run with `cargo bench -p protocol --bench protocol_bench`");
        return;
    }
    let start = Instant::now();
    bench_verify();
    bench_issue();
    println!("(measured in {:.1} s)", start.elapsed().as_secs_f64());
}
