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
use wallet_core::history::{DenyReason, Event, EventKind, Party, SharingRecord};
use wallet_core::pin::Pin;
use wallet_core::views::{EventLine, SharingLine};
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

#[tokio::test(flavor = "multi_thread")]
async fn history_and_sharing_show_the_signed_statement_in_regies_words() {
    let (issuer, dir) = (
        TestIssuer::start().await,
        TempDir::new("statements-history"),
    );
    let scheme = Scheme::new(&issuer);
    let wallet = wallet_with_extract(&dir, &issuer, &scheme).await;
    let verifier = TestVerifier::start(&scheme.anchor, &housing_registration(), &issuer).await;
    let mut statement = registration_statement();
    statement["case_ref"] = json!("VH-2026-0042");
    let link = verifier.request(
        Some("verklaring-inschrijving"),
        brp_query(),
        std::slice::from_ref(&statement),
    );
    let pending = wallet.assess_request(&link, Lang::Nl).await.unwrap();
    wallet.approve(&pending).await.unwrap();

    let dutch = "Ik woon op Boterdiep 31, 3077AW Rotterdam en geef toestemming dat J. Test zich \
                 vanaf 15 januari 2027 op mijn adres inschrijft. Zaaknummer: VH-2026-0042.";
    let english = "I live at Boterdiep 31, 3077AW Rotterdam and consent to J. Test registering \
                   at my address from 15 January 2027. Case number: VH-2026-0042.";
    let event = &wallet.history(None, 1).unwrap()[0];
    let record = &wallet.sharing_overview().unwrap()[0];
    for (lang, sentence, name) in [
        (Lang::Nl, dutch, "Toestemming inschrijving op uw adres"),
        (Lang::En, english, "Consent to registration at your address"),
    ] {
        let line = EventLine::new(event, lang);
        assert_eq!(line.statements.len(), 1, "{line:?}");
        assert_eq!(line.statements[0].text.as_deref(), Some(sentence));
        assert_eq!(line.statements[0].name, name);
        assert_eq!(line.statements[0].case_ref.as_deref(), Some("VH-2026-0042"));
        let shared = SharingLine::new(record, lang);
        assert_eq!(shared.party, "Woonstichting Test (fictief)");
        assert_eq!(
            shared.statements, line.statements,
            "the sharing overview says the same"
        );
    }

    // A second share without a statement keeps the statement in the overview, once.
    let plain = verifier.request(Some("aanvraag-medehuur"), housing_query(), &[]);
    let (offer, _, _) = issuer.offer("woonhistorie", false).await;
    wallet.accept_offer(&offer, None).await.unwrap();
    let pending = wallet.assess_request(&plain, Lang::Nl).await.unwrap();
    wallet.approve(&pending).await.unwrap();
    let record = &wallet.sharing_overview().unwrap()[0];
    assert_eq!(record.times, 2);
    let shared = SharingLine::new(record, Lang::Nl);
    assert_eq!(shared.statements.len(), 1);
    assert_eq!(shared.statements[0].text.as_deref(), Some(dutch));
    let latest = EventLine::new(&wallet.history(None, 1).unwrap()[0], Lang::Nl);
    assert!(latest.statements.is_empty(), "a plain share signed nothing");
}

/// What an older wallet may have stored: an entry the rules of today refuse, and a sharing
/// record from before statements were kept. Shown, never failing, never with its text.
#[test]
fn a_stored_statement_that_no_longer_parses_is_shown_as_such() {
    let mut changed = registration_statement();
    changed["text"] = json!("Ik machtig Evil BV tot een betaling van 5000 euro");
    let party = Party {
        client_id: "woonstichting.example".into(),
        legal_name: "Woonstichting Test (fictief)".into(),
        registration_number: "99000001".into(),
    };
    let event = Event {
        id: 7,
        at: 1_800_000_000,
        kind: EventKind::StatementSigned {
            party: party.clone(),
            purpose: "verklaring-inschrijving".into(),
            statement: json!([changed, registration_statement()]),
            attributes: Vec::new(),
        },
    };
    let line = EventLine::new(&event, Lang::Nl);
    assert_eq!(line.statements[0].name, "Verklaring (niet te tonen)");
    assert_eq!(line.statements[0].text, None);
    assert!(line.statements[1]
        .text
        .as_deref()
        .is_some_and(|t| t.starts_with("Ik woon op Boterdiep 31")));
    let shown = serde_json::to_string(&line).unwrap();
    assert!(!shown.contains("Evil"), "the party's text is never shown");

    let older: SharingRecord = serde_json::from_value(json!({
        "party": party, "first_shared": 1, "last_shared": 2, "times": 1,
        "purposes": ["verklaring-inschrijving"], "attributes": []
    }))
    .unwrap();
    assert!(SharingLine::new(&older, Lang::En).statements.is_empty());
}
