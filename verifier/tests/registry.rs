//! An attestation may bind a party's answers to this verifier's one answer address
//! (`redirect_uris`); one that names another address is refused at start, with the file
//! named: not discovered later by every wallet refusing the party's requests.
mod common;

use common::*;
use regie_verifier::registry::Registry;

#[test]
fn an_attestation_binding_another_answer_address_is_refused_at_start() {
    let dir = TempDir::new("registry");
    let anchor = demo_anchor();
    let here = "https://verifier.gemeente.example/response";
    // Without a binding: loads, whatever the address.
    let plain = parties_attested_again(&dir.0.join("plain"), None);
    let registry = Registry::load(&plain, anchor.public_jwk(), now()).unwrap();
    assert_eq!(registry.parties().len(), 3);
    registry.check_answer_address(here).unwrap();

    let bound = [here.to_owned()];
    let parties = parties_attested_again(&dir.0.join("bound"), Some(&bound));
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
        refused.contains("attestation.jwt") && refused.contains("other-verifier.example/response"),
        "{refused}"
    );
}
