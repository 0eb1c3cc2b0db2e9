//! Attacks on the verifier the other tests do not send: an answer made for one relying party
//! replayed to another, and a credential from a trusted issuer of a type that issuer may not
//! issue. Listed in SECURITY.md's attack table.
mod common;

use common::*;
use protocol::credential_types::UITTREKSEL_BRP_VCT;
use protocol::sd_jwt::KbExpectation;
use protocol::trust::{Localized, TrustList, TrustedIssuer};
use regie_verifier::verify::{verify_trusted_presentation, PresentationFault};

const HOUSING_AUD: &str = "verifier_attestation:woonstichting-voorbeeld.demo.regie.example";

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_for_one_relying_party_is_refused_by_another() {
    let w = World::start().await;
    let creds = w.raw_credentials("uittreksel-brp").await;
    let (_, housing) = w.create_session(HOUSING_KEY, housing_session()).await;
    let (_, notary) = w.create_session(NOTARY_KEY, notary_session()).await;
    let to_housing = fetch_request(&w, housing["link"].as_str().unwrap()).await;
    let at_notary = fetch_request(&w, notary["link"].as_str().unwrap()).await;
    let paths: &[&[&str]] = &[
        &["given_name"],
        &["family_name"],
        &["birthdate"],
        &["place_of_birth"],
        &["bsn"],
        &["address"],
    ];
    // Made for the housing corporation (its audience and nonce), sent to the notary with the
    // notary's state: the key binding names another party.
    let for_housing = present(
        &creds[0],
        paths,
        HOUSING_AUD,
        &to_housing.request.nonce,
        None,
    );
    let (status, body) = w
        .post_response(form(
            "brp",
            for_housing.clone(),
            at_notary.request.state.as_deref().unwrap(),
        ))
        .await;
    assert_eq!(status, 400, "{body}");
    // The same with the notary's nonce but still the housing corporation's audience.
    let wrong_aud = present(
        &creds[0],
        paths,
        HOUSING_AUD,
        &at_notary.request.nonce,
        None,
    );
    let (status, body) = w
        .post_response(form(
            "brp",
            wrong_aud,
            at_notary.request.state.as_deref().unwrap(),
        ))
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("audience"),
        "{body}"
    );
    let (_, s) = w.session(NOTARY_KEY, &id_of(&notary)).await;
    assert_eq!(s["status"], "retrieved", "{s}");
    assert!(s["claims"].is_null(), "{s}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trusted_issuer_outside_its_credential_types_is_refused() {
    let w = World::start().await;
    let creds = w.raw_credentials("woonhistorie").await;
    let nonce = "n-1";
    let presented = present(&creds[0], HOUSING_PATHS, HOUSING_AUD, nonce, None);
    // A trust list on which this issuer, with this very key, may issue only BRP extracts.
    let anchor = demo_anchor();
    let jwt = TrustList {
        iss: "demo-trust-anchor".into(),
        iat: now() - 60,
        exp: now() + 3600,
        issuers: vec![TrustedIssuer {
            id: w.issuer_url.clone(),
            name: Localized {
                nl: "Gemeente Test".into(),
                en: "Municipality of Test".into(),
            },
            keys: vec![w.issuer_key.public_jwk().clone()],
            credential_types: vec![UITTREKSEL_BRP_VCT.into()],
        }],
    }
    .sign(&anchor)
    .unwrap();
    let narrow = TrustList::verify(&jwt, anchor.public_jwk(), now()).unwrap();
    let expected = KbExpectation {
        aud: HOUSING_AUD,
        nonce,
        now: now(),
        max_age: 300,
        future_skew: 60,
        transaction_data_hashes: None,
    };
    assert!(matches!(
        verify_trusted_presentation(&presented, &narrow, &expected),
        Err(PresentationFault::Untrusted)
    ));
    // With the service's own trust list (both types) the same presentation verifies.
    let full = w.verifier.trust_list().ok().unwrap();
    assert!(verify_trusted_presentation(&presented, &full, &expected).is_ok());
}

/// With every party's answers bound to this verifier's one answer address, the whole chain
/// works: the wallet checks the binding, and answers where the attestation says.
#[tokio::test(flavor = "multi_thread")]
async fn a_party_bound_to_the_answer_address_is_answered() {
    let w = World::start_bound().await;
    let wallet = w.wallet(&["woonhistorie"]).await;
    let (_, created) = w.create_session(HOUSING_KEY, housing_session()).await;
    let pending = wallet
        .assess_request(
            created["link"].as_str().unwrap(),
            protocol::credential_types::Lang::Nl,
        )
        .await
        .unwrap();
    assert_eq!(pending.assessment.verdict.code(), "ok");
    wallet.approve(&pending).await.unwrap();
    let (_, s) = w.session(HOUSING_KEY, &id_of(&created)).await;
    assert_eq!(s["status"], "done", "{s}");
    assert_eq!(s["claims"]["woon"]["family_name"], "Moulin");
}
