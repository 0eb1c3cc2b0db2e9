//! An attestation may bind a party's answers to this verifier's one answer address
//! (`redirect_uris`); one that names another address is refused at start, with the file
//! named: not discovered later by every wallet refusing the party's requests.
mod common;

use common::*;
use protocol::jose::SigningKey;
use protocol::trust::{issue_attestation, AttestationContent, Registration};
use regie_verifier::registry::Registry;

/// The housing corporation's directory, its attestation signed again with `redirect_uris`.
fn party_bound_to(dir: &TempDir, redirect_uris: Option<&[String]>) -> std::path::PathBuf {
    let source = repo_root().join("fixtures/relying-parties/woonstichting");
    let parties = dir.0.join("parties");
    let party = parties.join("woonstichting");
    std::fs::create_dir_all(&party).unwrap();
    for file in ["party.json", "request-key.jwk", "attestation.jwt"] {
        std::fs::copy(source.join(file), party.join(file)).unwrap();
    }
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(party.join("party.json")).unwrap()).unwrap();
    let registration: Registration = serde_json::from_value(file["registration"].clone()).unwrap();
    let key: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(party.join("request-key.jwk")).unwrap())
            .unwrap();
    let key = SigningKey::from_private_jwk(&key).unwrap();
    let anchor = demo_anchor();
    let jwt = issue_attestation(
        &AttestationContent {
            anchor_id: anchor.kid().unwrap_or("trust-anchor"),
            client_id: file["client_id"].as_str().unwrap(),
            request_key: key.public_jwk(),
            registration: &registration,
            redirect_uris,
            iat: now() - 60,
            exp: now() + 3600,
        },
        &anchor,
    )
    .unwrap();
    std::fs::write(party.join("attestation.jwt"), jwt).unwrap();
    parties
}

#[test]
fn an_attestation_binding_another_answer_address_is_refused_at_start() {
    let dir = TempDir::new("registry");
    let anchor = demo_anchor();
    let here = "https://verifier.gemeente.example/response";
    // Without a binding: loads, whatever the address.
    let plain = party_bound_to(&dir, None);
    let registry = Registry::load(&plain, anchor.public_jwk(), now()).unwrap();
    assert_eq!(registry.parties().len(), 1);
    registry.check_answer_address(here).unwrap();

    let bound = [here.to_owned()];
    let parties = party_bound_to(&dir, Some(&bound));
    let registry = Registry::load(&parties, anchor.public_jwk(), now()).unwrap();
    assert_eq!(
        registry.parties()[0].redirect_uris.as_deref(),
        Some(&bound[..])
    );
    registry.check_answer_address(here).unwrap();
    let refused = registry
        .check_answer_address("https://other-verifier.example/response")
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("woonstichting") && refused.contains("other-verifier.example/response"),
        "{refused}"
    );
}
