//! Unlinkability: one credential presented by the real wallet to two relying parties. The
//! two presentations are compared part by part, as two colluding verifiers would: they share
//! no issuer signature, no digest, no disclosure (so no salt), no holder key, no status
//! index and no key binding. What they do share is what the standards put in every copy of
//! one batch and what the citizen chose to show: the issuer (`iss`), the type (`vct`), the
//! `_sd_alg`, the status list's URI, the validity times the issuer set for the batch, and
//! the disclosed values themselves (a name is a name).
mod common;

use std::collections::BTreeSet;

use common::*;
use protocol::credential_types::Lang;
use protocol::jose::b64u_decode;
use serde_json::{json, Value};
use wallet_core::pin::Pin;

/// The parts of an SD-JWT+KB presentation.
struct Parts {
    issuer_jwt: String,
    payload: Value,
    disclosures: Vec<String>,
    kb_jwt: String,
}

fn parts(presentation: &str) -> Parts {
    let pieces: Vec<&str> = presentation.split('~').collect();
    let issuer_jwt = pieces[0].to_owned();
    let payload_part = issuer_jwt.split('.').nth(1).unwrap();
    let payload = serde_json::from_slice(&b64u_decode(payload_part, "payload").unwrap()).unwrap();
    Parts {
        issuer_jwt,
        payload,
        disclosures: pieces[1..pieces.len() - 1]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        kb_jwt: pieces[pieces.len() - 1].to_owned(),
    }
}

/// Every `_sd` digest and array-element `...` digest anywhere in the payload.
fn digests(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("_sd", Value::Array(list)) => {
                        out.extend(list.iter().filter_map(|d| d.as_str().map(str::to_owned)))
                    }
                    ("...", Value::String(d)) => {
                        out.insert(d.clone());
                    }
                    _ => digests(v, out),
                }
            }
        }
        Value::Array(list) => list.iter().for_each(|v| digests(v, out)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn two_relying_parties_cannot_link_two_presentations_of_one_credential() {
    let (issuer, dir) = (TestIssuer::start().await, TempDir::new("unlinkable"));
    let scheme = Scheme::new(&issuer);
    let wallet = open_wallet(&dir, &scheme).init(&Pin::new(PIN)).unwrap();
    let (offer, _, _) = issuer.offer("uittreksel-brp", false).await;
    wallet.accept_offer(&offer, None).await.unwrap();
    let first = TestVerifier::start(&scheme.anchor, &housing_registration(), &issuer).await;
    let second = TestVerifier::start(&scheme.anchor, &housing_registration(), &issuer).await;
    let query = json!({"credentials": [{"id": "brp", "format": "dc+sd-jwt",
        "meta": {"vct_values": ["urn:regie:uittreksel-brp:1"]},
        "claims": [{"path": ["family_name"]}, {"path": ["address"]}]}]});
    let mut shown = Vec::new();
    for verifier in [&first, &second] {
        let link = verifier.request(Some("verklaring-inschrijving"), query.clone(), &[]);
        let pending = wallet.assess_request(&link, Lang::Nl).await.unwrap();
        wallet.approve(&pending).await.unwrap();
        let Some(Outcome::Verified { presentations, .. }) = verifier.outcomes().pop() else {
            panic!("the verifier accepted the presentation");
        };
        shown.push(parts(&presentations[0]));
    }
    let (a, b) = (&shown[0], &shown[1]);

    // The issuer's signature (and so the whole signed JWT) is another one: another copy.
    let signature = |p: &Parts| p.issuer_jwt.rsplit('.').next().unwrap().to_owned();
    assert_ne!(signature(a), signature(b));
    // No digest in common: every copy has its own salts and decoys.
    let (mut da, mut db) = (BTreeSet::new(), BTreeSet::new());
    digests(&a.payload, &mut da);
    digests(&b.payload, &mut db);
    assert!(!da.is_empty());
    assert!(
        da.is_disjoint(&db),
        "shared digests: {:?}",
        da.intersection(&db).collect::<Vec<_>>()
    );
    // The same values disclosed, never the same disclosure (its salt differs).
    assert_eq!(a.disclosures.len(), b.disclosures.len());
    let set_a: BTreeSet<&String> = a.disclosures.iter().collect();
    assert!(b.disclosures.iter().all(|d| !set_a.contains(d)));
    // Another holder key per copy, another status index.
    assert_ne!(a.payload["cnf"], b.payload["cnf"]);
    assert_ne!(
        a.payload["status"]["status_list"]["idx"],
        b.payload["status"]["status_list"]["idx"]
    );
    assert_ne!(a.kb_jwt, b.kb_jwt);

    // What the standards and the batch make common, said plainly.
    for claim in ["iss", "vct", "_sd_alg"] {
        assert_eq!(a.payload[claim], b.payload[claim], "{claim}");
    }
    assert_eq!(
        a.payload["status"]["status_list"]["uri"],
        b.payload["status"]["status_list"]["uri"]
    );
    // Nothing else sits in the payload that could tie the two together.
    let known: BTreeSet<&str> = [
        "iss", "vct", "_sd_alg", "_sd", "cnf", "status", "iat", "exp", "nbf",
    ]
    .into();
    let keys: BTreeSet<&str> = a
        .payload
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert!(keys.is_subset(&known), "payload members: {keys:?}");
}
