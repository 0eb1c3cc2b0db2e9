//! When the municipality accepts a consent, and when a case may start: the rules of the two
//! processes, as pure functions of the case, the verified statement and the BRP today.
use serde_json::{Map, Value};

use super::model::{Case, CaseKind, CaseState, PersonRef};
use crate::person::{Bsn, PartialDate, Person};

/// Majority: a main occupant must be an adult.
pub const ADULT_AGE: u16 = 18;
/// Up to and including this age a child's identity card needs the custodians' consent.
pub const ID_CARD_CONSENT_UNTIL: u16 = 11;
/// Up to and including this age a child's passport needs the custodians' consent.
pub const PASSPORT_CONSENT_UNTIL: u16 = 17;

/// Why a consent was not accepted, or a case not started. Codes are stable for the API;
/// texts are for people and never name anyone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the statement does not verify")]
    NotVerified,
    #[error("the statement was made for another organisation")]
    OtherParty,
    #[error("the statement belongs to another case")]
    OtherCase,
    #[error("the statement differs from the case's")]
    ChangedStatement,
    #[error("the signer's BSN was not shown")]
    NoBsn,
    #[error("the signer is not registered in the BRP")]
    UnknownSigner,
    #[error("the signer is not registered at this address")]
    NotAtAddress,
    #[error("the signer is a minor")]
    Minor,
    #[error("the signer has no custody of this child")]
    NotCustodian,
    #[error("the signer already consented")]
    AlreadyConsented,
    #[error("the signer was recorded at the desk")]
    AtTheDesk,
    #[error("the case has expired")]
    Expired,
    #[error("the case is closed")]
    Closed,
    #[error("no consent is needed for this child's document")]
    NoConsentNeeded,
    #[error("the child is not a minor with custodians in the BRP")]
    NoCustodians,
    #[error("the BRP has no such person")]
    UnknownPerson,
    #[error("the applicant already lives at this address")]
    AlreadyThere,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NotVerified => "not_verified",
            Refusal::OtherParty => "other_party",
            Refusal::OtherCase => "other_case",
            Refusal::ChangedStatement => "changed_statement",
            Refusal::NoBsn => "no_bsn",
            Refusal::UnknownSigner => "unknown_signer",
            Refusal::NotAtAddress => "not_at_address",
            Refusal::Minor => "minor",
            Refusal::NotCustodian => "not_custodian",
            Refusal::AlreadyConsented => "already_consented",
            Refusal::AtTheDesk => "at_the_desk",
            Refusal::Expired => "expired",
            Refusal::Closed => "closed",
            Refusal::NoConsentNeeded => "no_consent_needed",
            Refusal::NoCustodians => "no_custodians",
            Refusal::UnknownPerson => "unknown_person",
            Refusal::AlreadyThere => "already_there",
        }
    }

    pub fn from_code(code: &str) -> Option<Refusal> {
        ALL.iter().copied().find(|r| r.code() == code)
    }

    /// Plain Dutch (B1).
    pub fn dutch(self) -> &'static str {
        match self {
            Refusal::NotVerified => "De verklaring is niet echt of is veranderd.",
            Refusal::OtherParty => "De verklaring is voor een andere organisatie gemaakt.",
            Refusal::OtherCase => "De verklaring hoort bij een andere aanvraag.",
            Refusal::ChangedStatement => "De tekst van de verklaring is anders dan die van deze aanvraag.",
            Refusal::NoBsn => "Het burgerservicenummer werd niet gedeeld.",
            Refusal::UnknownSigner => "Wie de verklaring gaf, staat niet in de BRP.",
            Refusal::NotAtAddress => "Wie de verklaring gaf, woont volgens de BRP niet op dit adres.",
            Refusal::Minor => "Wie de verklaring gaf, is jonger dan 18 jaar. Alleen een volwassen bewoner mag toestemming geven.",
            Refusal::NotCustodian => "Wie de verklaring gaf, heeft volgens de BRP geen gezag over dit kind.",
            Refusal::AlreadyConsented => "Deze persoon heeft al toestemming gegeven.",
            Refusal::AtTheDesk => "Deze ouder is al aan de balie geweest en hoeft niet nog eens toestemming te geven.",
            Refusal::Expired => "De aanvraag is verlopen.",
            Refusal::Closed => "De aanvraag is al afgerond of geweigerd.",
            Refusal::NoConsentNeeded => "Voor dit reisdocument is geen toestemming nodig: het kind is daar oud genoeg voor.",
            Refusal::NoCustodians => "Volgens de BRP is dit geen minderjarig kind met gezaghouders. Neem dit met de hand in behandeling.",
            Refusal::UnknownPerson => "Deze persoon staat niet in de BRP.",
            Refusal::AlreadyThere => "U woont volgens de BRP al op dit adres.",
        }
    }

    pub fn english(self) -> &'static str {
        match self {
            Refusal::NotVerified => "The statement is not genuine or was changed.",
            Refusal::OtherParty => "The statement was made for another organisation.",
            Refusal::OtherCase => "The statement belongs to another application.",
            Refusal::ChangedStatement => "The statement's text differs from this application's.",
            Refusal::NoBsn => "The citizen service number was not shared.",
            Refusal::UnknownSigner => "Whoever gave the statement is not in the BRP.",
            Refusal::NotAtAddress => {
                "According to the BRP, whoever gave the statement does not live at this address."
            }
            Refusal::Minor => {
                "Whoever gave the statement is under 18. Only an adult resident may consent."
            }
            Refusal::NotCustodian => {
                "According to the BRP, whoever gave the statement has no custody of this child."
            }
            Refusal::AlreadyConsented => "This person has already consented.",
            Refusal::AtTheDesk => "This parent was at the desk and need not consent again.",
            Refusal::Expired => "The application has expired.",
            Refusal::Closed => "The application is already complete or was declined.",
            Refusal::NoConsentNeeded => {
                "No consent is needed for this travel document: the child is old enough."
            }
            Refusal::NoCustodians => {
                "According to the BRP this is not a minor with custodians. Handle it by hand."
            }
            Refusal::UnknownPerson => "This person is not in the BRP.",
            Refusal::AlreadyThere => "According to the BRP you already live at this address.",
        }
    }

    pub fn text(self, lang: regie_web::Lang) -> &'static str {
        lang.t(self.dutch(), self.english())
    }
}

const ALL: [Refusal; 17] = [
    Refusal::NotVerified,
    Refusal::OtherParty,
    Refusal::OtherCase,
    Refusal::ChangedStatement,
    Refusal::NoBsn,
    Refusal::UnknownSigner,
    Refusal::NotAtAddress,
    Refusal::Minor,
    Refusal::NotCustodian,
    Refusal::AlreadyConsented,
    Refusal::AtTheDesk,
    Refusal::Expired,
    Refusal::Closed,
    Refusal::NoConsentNeeded,
    Refusal::NoCustodians,
    Refusal::UnknownPerson,
    Refusal::AlreadyThere,
];

/// What the verifier confirmed about a statement file.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedConsent {
    /// The party that asked, prefix included.
    pub client_id: String,
    /// The signed transaction data entries.
    pub entries: Vec<Value>,
    /// What the signer disclosed.
    pub signer: Map<String, Value>,
}

impl VerifiedConsent {
    pub fn signer_bsn(&self) -> Option<Bsn> {
        self.signer
            .get("bsn")
            .and_then(Value::as_str)
            .and_then(|b| Bsn::parse(b).ok())
    }
}

/// What the BRP says today about whoever signed.
pub struct BrpFacts<'a> {
    pub signer: Option<&'a Person>,
    /// For a move: who is registered at the new address now.
    pub registered_at_address: &'a [Bsn],
    /// For a travel document: the child's custodians now.
    pub custodians_of_child: &'a [Bsn],
}

/// Whether the case is open for a consent now.
pub fn open(case: &Case, now: u64) -> Result<(), Refusal> {
    match case.state(now) {
        CaseState::Waiting => Ok(()),
        CaseState::Expired => Err(Refusal::Expired),
        CaseState::Declined | CaseState::Complete => Err(Refusal::Closed),
    }
}

/// The statement's own checks, before anyone is looked up: for this party, this case, this
/// exact statement.
pub fn statement_is_the_cases(
    case: &Case,
    consent: &VerifiedConsent,
    client_id: &str,
) -> Result<(), Refusal> {
    if consent.client_id != client_id {
        return Err(Refusal::OtherParty);
    }
    let [entry] = consent.entries.as_slice() else {
        return Err(Refusal::ChangedStatement);
    };
    if entry.get("case_ref").and_then(Value::as_str) != Some(case.case_ref.as_str()) {
        return Err(Refusal::OtherCase);
    }
    if *entry != case.statement_entry() {
        return Err(Refusal::ChangedStatement);
    }
    Ok(())
}

/// Who consented, if the BRP today lets them consent to this case.
pub fn accept(
    case: &Case,
    consent: &VerifiedConsent,
    brp: &BrpFacts<'_>,
    today: PartialDate,
) -> Result<PersonRef, Refusal> {
    let bsn = consent.signer_bsn().ok_or(Refusal::NoBsn)?;
    let signer = brp.signer.ok_or(Refusal::UnknownSigner)?;
    if signer.bsn != bsn {
        return Err(Refusal::UnknownSigner);
    }
    let by = PersonRef {
        bsn: bsn.as_str().to_owned(),
        name: signer.name.full(),
    };
    if case.consents.iter().any(|c| c.by.bsn == by.bsn) {
        return Err(Refusal::AlreadyConsented);
    }
    match &case.kind {
        CaseKind::Move { applicant, .. } => {
            if !brp.registered_at_address.contains(&bsn) || applicant.bsn == by.bsn {
                return Err(Refusal::NotAtAddress);
            }
            let adult = signer
                .birth
                .date
                .certain_age(today)
                .is_some_and(|a| a >= ADULT_AGE);
            if !adult {
                return Err(Refusal::Minor);
            }
        }
        CaseKind::TravelDocument { at_desk, .. } => {
            if !brp.custodians_of_child.contains(&bsn) {
                return Err(Refusal::NotCustodian);
            }
            if at_desk.as_deref() == Some(by.bsn.as_str()) {
                return Err(Refusal::AtTheDesk);
            }
        }
    }
    Ok(by)
}

/// Whether a child of `birthdate` needs consent for `document` on `today`: up to and
/// including 11 for an identity card, 17 for a passport. A birth date with unknown parts
/// counts as the youngest it can be, so consent is asked when in doubt.
pub fn needs_consent(
    birthdate: PartialDate,
    document: protocol::statements::TravelDocument,
    today: PartialDate,
) -> bool {
    use protocol::statements::TravelDocument;
    let limit = match document {
        TravelDocument::IdentityCard => ID_CARD_CONSENT_UNTIL,
        TravelDocument::Passport => PASSPORT_CONSENT_UNTIL,
    };
    birthdate.certain_age(today).is_none_or(|age| age <= limit)
}

#[cfg(test)]
mod tests;
