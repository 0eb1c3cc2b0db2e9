//! A consent case as the municipality keeps it: what it is about, who must consent, the
//! consents given (each with its signed statement file), the attempts it refused, and the
//! state the applicant and the clerk see.
use protocol::statements::{Statement, TravelDocument};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::person::Address;

/// How long a case waits for its consents.
pub const CASE_TTL: u64 = 14 * 86_400;
/// The credential query of every case request; the statement names it as its signer.
pub const QUERY_ID: &str = "brp";

/// Someone a case is about, by BSN with the name the BRP has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRef {
    pub bsn: String,
    pub name: String,
}

/// The new address of a move, with its municipality.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAddress {
    pub address: Address,
    pub municipality: String,
}

impl NewAddress {
    /// "Schakelstraat 14 H, 1014AW Amsterdam".
    pub fn line(&self) -> String {
        crate::person::Residence::Address(self.address.clone()).describe()
    }
}

/// Who started a travel document case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum StartedBy {
    /// A clerk at the desk.
    Clerk,
    /// A custodian in the portal, ahead of the desk visit.
    Custodian { bsn: String },
}

/// What a case is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CaseKind {
    /// `applicant` moves in at `to` from `date`; one adult registered there must consent.
    Move {
        applicant: PersonRef,
        to: NewAddress,
        /// `yyyy-mm-dd`.
        date: String,
    },
    /// A travel document for `child`; every custodian not at the desk must consent.
    TravelDocument {
        child: PersonRef,
        child_birthdate: Option<String>,
        /// `paspoort` or `identiteitskaart`.
        document: String,
        custodians: Vec<PersonRef>,
        /// The custodian the clerk saw at the desk, once recorded.
        at_desk: Option<String>,
        started_by: StartedBy,
    },
}

impl CaseKind {
    /// `move` or `travel_document`: for logs and metrics, which never name the people.
    pub fn code(&self) -> &'static str {
        match self {
            CaseKind::Move { .. } => "move",
            CaseKind::TravelDocument { .. } => "travel_document",
        }
    }
}

/// A consent given, with the statement file that proves it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Consent {
    pub by: PersonRef,
    /// Unix seconds, when the verifier received the signed answer.
    pub at: u64,
    /// The signed statement file (`regie-toestemmingsverklaring`), as the verifier gave it.
    pub statement: Value,
}

/// An answer the municipality did not accept, and why (a [`super::rules::Refusal`] code).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedAttempt {
    pub at: u64,
    pub reason: String,
}

/// A presentation session at the verifier that asks for this case's consent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSession {
    pub session_id: String,
    /// The `openid4vp://` link (and QR code) the wallet answers.
    pub link: String,
    pub expires_at: u64,
    /// Whether its outcome was taken into the case.
    pub settled: bool,
}

/// The state everyone sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// Waiting for a consent (or, for a travel document, for the desk visit).
    Waiting,
    /// Someone declined in their wallet; nothing happens.
    Declined,
    /// Not completed in time.
    Expired,
    /// Every consent is in; for a move, the move is recorded.
    Complete,
}

impl CaseState {
    pub fn code(self) -> &'static str {
        match self {
            CaseState::Waiting => "waiting",
            CaseState::Declined => "declined",
            CaseState::Expired => "expired",
            CaseState::Complete => "complete",
        }
    }
}

/// A consent case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// The case reference people read and statements carry, e.g. `VH-7K3M9Q`.
    pub case_ref: String,
    /// The secret in the link the applicant or the clerk hands to whoever must consent.
    pub share_token: String,
    pub kind: CaseKind,
    pub created_at: u64,
    pub expires_at: u64,
    #[serde(default)]
    pub consents: Vec<Consent>,
    #[serde(default)]
    pub refused: Vec<RefusedAttempt>,
    #[serde(default)]
    pub declined_at: Option<u64>,
    #[serde(default)]
    pub completed_at: Option<u64>,
    #[serde(default)]
    pub sessions: Vec<CaseSession>,
}

impl Case {
    pub fn state(&self, now: u64) -> CaseState {
        if self.completed_at.is_some() {
            CaseState::Complete
        } else if self.declined_at.is_some() {
            CaseState::Declined
        } else if now >= self.expires_at {
            CaseState::Expired
        } else {
            CaseState::Waiting
        }
    }

    /// The verifier purpose the case's requests use.
    pub fn purpose(&self) -> &'static str {
        match self.kind {
            CaseKind::Move { .. } => "toestemming-inschrijving",
            CaseKind::TravelDocument { .. } => "toestemming-reisdocument-minderjarige",
        }
    }

    /// The statement the consenting person signs, exactly as the case states it.
    pub fn statement(&self) -> Statement {
        match &self.kind {
            CaseKind::Move {
                applicant,
                to,
                date,
                ..
            } => Statement::RegistrationAtAddress {
                address: to.line(),
                new_resident: applicant.name.clone(),
                date: date.clone(),
                case_ref: Some(self.case_ref.clone()),
            },
            CaseKind::TravelDocument {
                child,
                child_birthdate,
                document,
                ..
            } => Statement::ChildTravelDocument {
                child: child.name.clone(),
                child_birthdate: child_birthdate.clone(),
                document: TravelDocument::from_id(document).unwrap_or(TravelDocument::Passport),
                case_ref: Some(self.case_ref.clone()),
            },
        }
    }

    /// The transaction data entry the case's requests carry.
    pub fn statement_entry(&self) -> Value {
        self.statement().to_entry(&[QUERY_ID])
    }

    /// The custodians who still have to consent digitally (travel document), or, for a
    /// move without consent yet, nobody in particular (any adult resident): empty.
    pub fn custodians_awaited(&self) -> Vec<&PersonRef> {
        let CaseKind::TravelDocument {
            custodians,
            at_desk,
            ..
        } = &self.kind
        else {
            return Vec::new();
        };
        custodians
            .iter()
            .filter(|c| at_desk.as_deref() != Some(c.bsn.as_str()))
            .filter(|c| !self.consents.iter().any(|k| k.by.bsn == c.bsn))
            .collect()
    }

    /// Whether everything the case needs is in: a move needs one consent; a travel document
    /// needs the desk visit and every other custodian's consent.
    pub fn is_satisfied(&self) -> bool {
        match &self.kind {
            CaseKind::Move { .. } => !self.consents.is_empty(),
            CaseKind::TravelDocument { at_desk, .. } => {
                at_desk.is_some() && self.custodians_awaited().is_empty()
            }
        }
    }

    /// Who the case is about, for lists: the applicant or the child.
    pub fn subject(&self) -> &PersonRef {
        match &self.kind {
            CaseKind::Move { applicant, .. } => applicant,
            CaseKind::TravelDocument { child, .. } => child,
        }
    }
}
