use serde_json::json;

use super::*;
use crate::trust::{Localized, Purpose};

fn registration() -> Statement {
    Statement::RegistrationAtAddress {
        address: "Boterdiep 31, 3077AW Rotterdam".into(),
        new_resident: "Jan Voorbeeld".into(),
        date: "2027-01-15".into(),
        case_ref: Some("VH-2026-0042".into()),
    }
}

fn purpose(types: &[&str]) -> Purpose {
    let text = || Localized {
        nl: "x".into(),
        en: "x".into(),
    };
    Purpose {
        id: "p".into(),
        name: text(),
        description: text(),
        credentials: Vec::new(),
        retention_days: 1,
        retention: text(),
        shares_with_third_parties: false,
        deletion_possible: false,
        statement_types: types.iter().map(|t| (*t).to_owned()).collect(),
    }
}

#[test]
fn entries_round_trip_and_read_as_regies_own_sentences() {
    let entry = registration().to_entry(&["brp"]);
    let parsed = parse_entry(&entry).unwrap();
    assert_eq!(parsed.statement, registration());
    assert_eq!(parsed.credential_ids, ["brp"]);
    assert_eq!(
        parsed.statement.sentence(Lang::Nl),
        "Ik woon op Boterdiep 31, 3077AW Rotterdam en geef toestemming dat Jan Voorbeeld zich \
         vanaf 15 januari 2027 op mijn adres inschrijft. Zaaknummer: VH-2026-0042."
    );
    assert_eq!(
        parsed.statement.sentence(Lang::En),
        "I live at Boterdiep 31, 3077AW Rotterdam and consent to Jan Voorbeeld registering at \
         my address from 15 January 2027. Case number: VH-2026-0042."
    );

    let child = Statement::ChildTravelDocument {
        child: "Zoey den Braber".into(),
        child_birthdate: Some("2018-11-14".into()),
        document: TravelDocument::IdentityCard,
        case_ref: None,
    };
    let parsed = parse_entry(&child.to_entry(&["brp"])).unwrap();
    assert_eq!(parsed.statement, child);
    assert_eq!(
        child.sentence(Lang::Nl),
        "Ik heb het gezag over Zoey den Braber (geboren 14 november 2018) en geef toestemming \
         voor een identiteitskaart voor dit kind."
    );
    assert!(child.sentence(Lang::En).contains("an identity card"));
}

#[test]
fn what_regie_cannot_show_is_refused() {
    let base = registration().to_entry(&["brp"]);
    let with = |name: &str, value: Value| {
        let mut e = base.clone();
        e[name] = value;
        e
    };
    let without = |name: &str| {
        let mut e = base.clone();
        e.as_object_mut().unwrap().remove(name);
        e
    };
    let payment = json!({"type": "payment", "credential_ids": ["q"], "payee": "Evil BV",
        "amount": "5000 EUR", "text": "Ik machtig Evil BV tot een betaling van 5000 euro"});
    let cases: Vec<(Value, StatementError)> = vec![
        (payment, StatementError::UnknownType("payment".into())),
        (json!("text"), StatementError::NotAnObject),
        (without("type"), StatementError::MissingType),
        // A text of the relying party's own is never shown as what is signed.
        (
            with("text", json!("Ik geef alles weg")),
            StatementError::UnknownField("text".into()),
        ),
        (
            without("new_resident"),
            StatementError::MissingField("new_resident"),
        ),
        (
            with("date", json!("2027-02-30")),
            StatementError::InvalidField("date"),
        ),
        (
            with("date", json!("15-01-2027")),
            StatementError::InvalidField("date"),
        ),
        (
            with("date", json!(20270115)),
            StatementError::InvalidField("date"),
        ),
        (
            with("new_resident", json!("Jan \u{202E}rebrab")),
            StatementError::InvalidField("new_resident"),
        ),
        (
            with("new_resident", json!("Jan\nVoorbeeld")),
            StatementError::InvalidField("new_resident"),
        ),
        (
            with("address", json!(" ")),
            StatementError::InvalidField("address"),
        ),
        (
            with("address", json!("x".repeat(MAX_FIELD_CHARS + 1))),
            StatementError::InvalidField("address"),
        ),
        (
            with("credential_ids", json!([])),
            StatementError::NoCredentialIds,
        ),
        (
            with("credential_ids", json!([1])),
            StatementError::NoCredentialIds,
        ),
        (
            with("transaction_data_hashes_alg", json!(["sha-512"])),
            StatementError::InvalidField("transaction_data_hashes_alg"),
        ),
    ];
    for (entry, expected) in cases {
        assert_eq!(parse_entry(&entry), Err(expected), "{entry}");
    }
    assert!(parse_entry(&with("transaction_data_hashes_alg", json!(["sha-256"]))).is_ok());
    let mut child = Statement::ChildTravelDocument {
        child: "Zoey".into(),
        child_birthdate: None,
        document: TravelDocument::Passport,
        case_ref: None,
    }
    .to_entry(&["brp"]);
    child["document"] = json!("rijbewijs");
    assert_eq!(
        parse_entry(&child),
        Err(StatementError::InvalidField("document"))
    );
}

#[test]
fn only_types_the_purpose_is_registered_for_may_be_asked() {
    let entries = [registration().to_entry(&["brp"])];
    assert!(check_for_purpose(&purpose(&[REGISTRATION_AT_ADDRESS]), &entries).is_ok());
    assert_eq!(
        check_for_purpose(&purpose(&[CHILD_TRAVEL_DOCUMENT]), &entries),
        Err(StatementRefusal::NotRegistered(
            REGISTRATION_AT_ADDRESS.into()
        ))
    );
    assert_eq!(
        check_for_purpose(&purpose(&[]), &entries),
        Err(StatementRefusal::NotRegistered(
            REGISTRATION_AT_ADDRESS.into()
        ))
    );
    let unknown = [json!({"type": "payment", "credential_ids": ["q"]})];
    assert!(matches!(
        check_for_purpose(&purpose(&KNOWN_TYPES), &unknown),
        Err(StatementRefusal::Invalid { index: 0, .. })
    ));
    assert!(check_for_purpose(&purpose(&[]), &[]).unwrap().is_empty());
}
