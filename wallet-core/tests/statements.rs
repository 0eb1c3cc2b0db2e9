//! Consent statements (transaction data) in the wallet: what the citizen reads is Regie's
//! own sentence for a statement type it knows, and the hash signed is that of the entry the
//! screen was built from; a type it does not know is refused and the party is told
//! `invalid_transaction_data`; a known type the purpose is not registered for is blocked as
//! over-asking. The relying party here misbehaves on purpose: its attestation is valid.
mod common;

use common::*;
use protocol::credential_types::Lang;
use protocol::oid4vp::{encode_transaction_data, transaction_data_hash};
use serde_json::{json, Value};
use wallet_core::consent::Verdict;
use wallet_core::history::{DenyReason, EventKind};
use wallet_core::pin::Pin;
use wallet_core::UnlockedWallet;

async fn wallet_with_extract(
    dir: &TempDir,
    issuer: &TestIssuer,
    scheme: &Scheme,
) -> UnlockedWallet {
    let wallet = open_wallet(dir, scheme).init(&Pin::new(PIN)).unwrap();
    let (offer, _, _) = issuer.offer("uittreksel-brp", false).await;
    wallet.accept_offer(&offer, None).await.unwrap();
    wallet
}

fn brp_query() -> Value {
    json!({"credentials": [{"id": "brp", "format": "dc+sd-jwt",
        "meta": {"vct_values": ["urn:regie:uittreksel-brp:1"]},
        "claims": [{"path": ["family_name"]}, {"path": ["address"]}]}]})
}

fn registration_statement() -> Value {
    json!({"type": "regie_toestemming_inschrijving", "credential_ids": ["brp"],
        "address": "Boterdiep 31, 3077AW Rotterdam", "new_resident": "J. Test",
        "date": "2027-01-15"})
}

#[tokio::test(flavor = "multi_thread")]
async fn the_citizen_reads_regies_sentence_and_signs_that_very_entry() {
    let (issuer, dir) = (TestIssuer::start().await, TempDir::new("statements-ok"));
    let scheme = Scheme::new(&issuer);
    let wallet = wallet_with_extract(&dir, &issuer, &scheme).await;
    let verifier = TestVerifier::start(&scheme.anchor, &housing_registration(), &issuer).await;
    let statement = registration_statement();
    let link = verifier.request(
        Some("verklaring-inschrijving"),
        brp_query(),
        std::slice::from_ref(&statement),
    );
    let pending = wallet.assess_request(&link, Lang::Nl).await.unwrap();
    assert_eq!(pending.assessment.verdict, Verdict::Ok);
    let shown = &pending.assessment.statements[0];
    assert_eq!(shown.name, "Toestemming inschrijving op uw adres");
    assert_eq!(
        shown.text,
        "Ik woon op Boterdiep 31, 3077AW Rotterdam en geef toestemming dat J. Test zich vanaf \
         15 januari 2027 op mijn adres inschrijft."
    );
    let english = wallet.assess_request(&link, Lang::En).await.unwrap();
    assert!(english.assessment.statements[0]
        .text
        .starts_with("I live at Boterdiep 31, 3077AW Rotterdam and consent to J. Test"));
    wallet.approve(&pending).await.unwrap();
    match &verifier.outcomes()[0] {
        Outcome::Verified {
            transaction_data_hashes,
            ..
        } => assert_eq!(
            transaction_data_hashes.as_deref(),
            Some(&[transaction_data_hash(&encode_transaction_data(&statement))][..]),
            "the hash of exactly the entry the screen was built from"
        ),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        &wallet.history(None, 1).unwrap()[0].kind,
        EventKind::StatementSigned { .. }
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_statement_regie_does_not_know_is_refused_and_the_party_told() {
    let (issuer, dir) = (
        TestIssuer::start().await,
        TempDir::new("statements-unknown"),
    );
    let scheme = Scheme::new(&issuer);
    let wallet = wallet_with_extract(&dir, &issuer, &scheme).await;
    let verifier = TestVerifier::start(&scheme.anchor, &housing_registration(), &issuer).await;
    let payment = json!({"type": "payment", "credential_ids": ["brp"], "payee": "Evil BV",
        "amount": "5000 EUR", "text": "Ik machtig Evil BV tot een betaling van 5000 euro"});
    let mut known_with_text = registration_statement();
    known_with_text["text"] = json!("Ik machtig Evil BV tot een betaling van 5000 euro");
    for entry in [payment, known_with_text] {
        // Under a purpose registered for statements, and one that is not: refused either way.
        for purpose in ["verklaring-inschrijving", "aanvraag-medehuur"] {
            let link = verifier.request(Some(purpose), brp_query(), std::slice::from_ref(&entry));
            let pending = wallet.assess_request(&link, Lang::Nl).await.unwrap();
            assert_eq!(
                pending.assessment.verdict.code(),
                "unsupported_statement",
                "{entry}"
            );
            assert!(
                pending.assessment.statements.is_empty(),
                "nothing of it is shown"
            );
            assert!(wallet.approve(&pending).await.is_err(), "never signed");
        }
    }
    assert!(
        verifier.outcomes().is_empty(),
        "nothing was sent while assessing"
    );
    // Declining tells the party why, as OpenID4VP 1.0 asks.
    let link = verifier.request(
        Some("verklaring-inschrijving"),
        brp_query(),
        &[json!({"type": "payment", "credential_ids": ["brp"]})],
    );
    let pending = wallet.assess_request(&link, Lang::Nl).await.unwrap();
    let answered = wallet.deny(&pending).await.unwrap();
    assert!(answered.notified);
    assert!(matches!(
        &verifier.outcomes()[..],
        [Outcome::Error(e)] if e == "invalid_transaction_data"
    ));
    assert!(matches!(
        &wallet.history(None, 1).unwrap()[0].kind,
        EventKind::Denied {
            reason: DenyReason::UnsupportedStatement,
            ..
        }
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_known_statement_for_a_purpose_not_registered_for_it_is_over_asking() {
    let (issuer, dir) = (
        TestIssuer::start().await,
        TempDir::new("statements-unregistered"),
    );
    let scheme = Scheme::new(&issuer);
    let wallet = wallet_with_extract(&dir, &issuer, &scheme).await;
    let verifier = TestVerifier::start(&scheme.anchor, &housing_registration(), &issuer).await;
    // "aanvraag-medehuur" asks only for names and addresses and has no statement types.
    let query = json!({"credentials": [{"id": "brp", "format": "dc+sd-jwt",
        "meta": {"vct_values": ["urn:regie:woonhistorie:1"]},
        "claims": [{"path": ["family_name"]}]}]});
    let link = verifier.request(
        Some("aanvraag-medehuur"),
        query,
        &[registration_statement()],
    );
    let pending = wallet.assess_request(&link, Lang::Nl).await.unwrap();
    match &pending.assessment.verdict {
        Verdict::OverAsking { not_allowed } => {
            assert_eq!(
                not_allowed[0].label,
                "Verklaring: Toestemming inschrijving op uw adres"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(wallet.approve(&pending).await.is_err());
    assert!(verifier.outcomes().is_empty());
}
