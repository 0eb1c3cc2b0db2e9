//! The rules on the official BRP test persons: the den Braber household (Gerrit and Wilma,
//! custodians of Zoey, 2018, and Alexander, 2009, all at Schakelstraat 14 H, Amsterdam)
//! and Auke Postma, who lives elsewhere.
use protocol::statements::TravelDocument;
use serde_json::json;

use super::*;
use crate::cases::model::{Consent, NewAddress, StartedBy};
use crate::person::{FixtureSource, PersonSource, Residence};

const GERRIT: &str = "999994542";
const WILMA: &str = "999993112";
const ZOEY: &str = "999995807";
const ALEXANDER: &str = "999995832";
const AUKE: &str = "999996320";
const SUZANNE: &str = "999993653";
const CLIENT: &str = "verifier_attestation:gemeente-voorbeeld.demo.regie.example";

fn on(iso: &str) -> PartialDate {
    PartialDate::parse_iso(iso).unwrap()
}

async fn person(bsn: &str) -> Person {
    FixtureSource::embedded()
        .unwrap()
        .get(&Bsn::parse(bsn).unwrap())
        .await
        .unwrap()
        .unwrap()
}

fn pref(bsn: &str, name: &str) -> PersonRef {
    PersonRef {
        bsn: bsn.into(),
        name: name.into(),
    }
}

async fn move_case() -> Case {
    let gerrit = person(GERRIT).await;
    let Some(Residence::Address(address)) = gerrit.residence.map(|r| r.residence) else {
        panic!("Gerrit has an address");
    };
    Case {
        case_ref: "VH-TEST22".into(),
        share_token: "t".into(),
        kind: CaseKind::Move {
            applicant: pref(SUZANNE, "Suzanne Moulin"),
            to: NewAddress {
                address,
                municipality: "Amsterdam".into(),
            },
            date: "2026-12-15".into(),
        },
        created_at: 0,
        expires_at: 100,
        consents: Vec::new(),
        refused: Vec::new(),
        declined_at: None,
        completed_at: None,
        sessions: Vec::new(),
    }
}

fn travel_case(at_desk: Option<&str>) -> Case {
    Case {
        case_ref: "RD-TEST22".into(),
        share_token: "t".into(),
        kind: CaseKind::TravelDocument {
            child: pref(ZOEY, "Zoey den Braber"),
            child_birthdate: Some("2018-11-14".into()),
            document: "paspoort".into(),
            custodians: vec![
                pref(GERRIT, "Gerrit den Braber"),
                pref(WILMA, "Wilma van Zon"),
            ],
            at_desk: at_desk.map(str::to_owned),
            started_by: StartedBy::Clerk,
        },
        created_at: 0,
        expires_at: 100,
        consents: Vec::new(),
        refused: Vec::new(),
        declined_at: None,
        completed_at: None,
        sessions: Vec::new(),
    }
}

fn signed_by(case: &Case, bsn: Option<&str>) -> VerifiedConsent {
    let mut signer = Map::new();
    if let Some(bsn) = bsn {
        signer.insert("bsn".into(), bsn.into());
    }
    VerifiedConsent {
        client_id: CLIENT.into(),
        entries: vec![case.statement_entry()],
        signer,
    }
}

fn bsns(list: &[&str]) -> Vec<Bsn> {
    list.iter().map(|b| Bsn::parse(b).unwrap()).collect()
}

#[test]
fn consent_is_needed_up_to_11_for_an_identity_card_and_17_for_a_passport() {
    let today = on("2026-12-02");
    // Zoey is 8, Alexander 17.
    assert!(needs_consent(
        on("2018-11-14"),
        TravelDocument::IdentityCard,
        today
    ));
    assert!(needs_consent(
        on("2018-11-14"),
        TravelDocument::Passport,
        today
    ));
    assert!(!needs_consent(
        on("2009-05-29"),
        TravelDocument::IdentityCard,
        today
    ));
    assert!(needs_consent(
        on("2009-05-29"),
        TravelDocument::Passport,
        today
    ));
    assert!(!needs_consent(
        on("2009-05-29"),
        TravelDocument::Passport,
        on("2027-05-29")
    ));
    // The twelfth birthday ends it for an identity card, not the day before.
    assert!(needs_consent(
        on("2014-12-03"),
        TravelDocument::IdentityCard,
        today
    ));
    assert!(!needs_consent(
        on("2014-12-02"),
        TravelDocument::IdentityCard,
        today
    ));
    // In doubt (day unknown: could be born on the 30th), consent is asked.
    assert!(needs_consent(
        PartialDate::YearMonth(2014, 12),
        TravelDocument::IdentityCard,
        on("2026-12-15")
    ));
    assert!(needs_consent(
        PartialDate::Unknown,
        TravelDocument::Passport,
        today
    ));
}

#[tokio::test]
async fn an_adult_registered_at_the_address_may_consent_to_a_move() {
    let case = move_case().await;
    let registered = bsns(&[WILMA, GERRIT, ZOEY, ALEXANDER]);
    let today = on("2026-12-02");
    let check = |signer: Option<&Person>, bsn: Option<&str>| {
        let facts = BrpFacts {
            signer,
            registered_at_address: &registered,
            custodians_of_child: &[],
        };
        accept(&case, &signed_by(&case, bsn), &facts, today)
    };
    let gerrit = person(GERRIT).await;
    assert_eq!(check(Some(&gerrit), Some(GERRIT)).unwrap().bsn, GERRIT);
    let zoey = person(ZOEY).await;
    assert_eq!(check(Some(&zoey), Some(ZOEY)), Err(Refusal::Minor));
    let alexander = person(ALEXANDER).await;
    assert_eq!(
        check(Some(&alexander), Some(ALEXANDER)),
        Err(Refusal::Minor)
    );
    let auke = person(AUKE).await;
    assert_eq!(check(Some(&auke), Some(AUKE)), Err(Refusal::NotAtAddress));
    assert_eq!(check(Some(&gerrit), None), Err(Refusal::NoBsn));
    assert_eq!(check(None, Some(GERRIT)), Err(Refusal::UnknownSigner));
    // A record that is not the signer's own.
    assert_eq!(
        check(Some(&auke), Some(GERRIT)),
        Err(Refusal::UnknownSigner)
    );
}

#[tokio::test]
async fn the_applicant_cannot_consent_to_their_own_move_nor_anyone_twice() {
    let mut case = move_case().await;
    let suzanne = person(SUZANNE).await;
    let registered = bsns(&[SUZANNE, GERRIT]);
    let facts = BrpFacts {
        signer: Some(&suzanne),
        registered_at_address: &registered,
        custodians_of_child: &[],
    };
    let today = on("2026-12-02");
    assert_eq!(
        accept(&case, &signed_by(&case, Some(SUZANNE)), &facts, today),
        Err(Refusal::NotAtAddress)
    );
    let gerrit = person(GERRIT).await;
    case.consents.push(Consent {
        by: pref(GERRIT, "Gerrit den Braber"),
        at: 1,
        statement: json!({}),
    });
    let facts = BrpFacts {
        signer: Some(&gerrit),
        ..facts
    };
    assert_eq!(
        accept(&case, &signed_by(&case, Some(GERRIT)), &facts, today),
        Err(Refusal::AlreadyConsented)
    );
}

#[tokio::test]
async fn only_a_custodian_not_at_the_desk_consents_to_a_travel_document() {
    let case = travel_case(Some(GERRIT));
    let custodians = bsns(&[GERRIT, WILMA]);
    let today = on("2026-12-02");
    for (bsn, expected) in [
        (WILMA, Ok(WILMA)),
        (GERRIT, Err(Refusal::AtTheDesk)),
        (AUKE, Err(Refusal::NotCustodian)),
        (ALEXANDER, Err(Refusal::NotCustodian)),
    ] {
        let signer = person(bsn).await;
        let facts = BrpFacts {
            signer: Some(&signer),
            registered_at_address: &[],
            custodians_of_child: &custodians,
        };
        let got = accept(&case, &signed_by(&case, Some(bsn)), &facts, today);
        assert_eq!(got.map(|p| p.bsn), expected.map(str::to_owned), "{bsn}");
    }
}

#[tokio::test]
async fn a_statement_must_be_this_cases_own_for_this_party() {
    let case = travel_case(None);
    let good = signed_by(&case, Some(WILMA));
    assert_eq!(statement_is_the_cases(&case, &good, CLIENT), Ok(()));
    assert_eq!(
        statement_is_the_cases(&case, &good, "verifier_attestation:other.example"),
        Err(Refusal::OtherParty)
    );
    let other = Case {
        case_ref: "RD-OTHER2".into(),
        ..travel_case(None)
    };
    assert_eq!(
        statement_is_the_cases(&case, &signed_by(&other, Some(WILMA)), CLIENT),
        Err(Refusal::OtherCase)
    );
    let mut changed = good.clone();
    changed.entries[0]["document"] = json!("identiteitskaart");
    assert_eq!(
        statement_is_the_cases(&case, &changed, CLIENT),
        Err(Refusal::ChangedStatement)
    );
    let mut two = good.clone();
    two.entries.push(case.statement_entry());
    assert_eq!(
        statement_is_the_cases(&case, &two, CLIENT),
        Err(Refusal::ChangedStatement)
    );
    let move_case = move_case().await;
    assert_eq!(
        statement_is_the_cases(&case, &signed_by(&move_case, Some(WILMA)), CLIENT),
        Err(Refusal::OtherCase)
    );
}

#[test]
fn a_case_takes_consents_only_while_waiting() {
    let mut case = travel_case(None);
    assert_eq!(open(&case, 99), Ok(()));
    assert_eq!(open(&case, 100), Err(Refusal::Expired));
    case.declined_at = Some(5);
    assert_eq!(open(&case, 6), Err(Refusal::Closed));
    let mut done = travel_case(Some(GERRIT));
    done.completed_at = Some(5);
    assert_eq!(open(&done, 6), Err(Refusal::Closed));
}

#[test]
fn every_refusal_has_a_code_that_reads_back_and_texts_in_both_languages() {
    for r in ALL {
        assert_eq!(Refusal::from_code(r.code()), Some(r));
        assert!(!r.dutch().is_empty() && !r.english().is_empty());
        assert_ne!(r.dutch(), r.english());
    }
    assert_eq!(Refusal::from_code("nonsense"), None);
}
