//! What a screen shows, ready to render: credentials as cards with labelled rows, history
//! events and the sharing overview as sentences (signed statements in Regie's own words),
//! in the chosen language. The app's
//! front-end only lays these out; every word about the data comes from here.
use protocol::claim_path::ClaimPath;
use protocol::credential_types::Lang;
use serde::Serialize;

use crate::credentials::{CredentialStatus, CredentialSummary};
use crate::display::{label, type_name, value_text};
use crate::history::{Event, EventKind, SharingRecord};
use crate::signed::{self, SignedStatement};
use crate::texts::{event_text, issuer_name, status_line, t};

/// One labelled value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    pub label: String,
    pub value: String,
}

/// A credential as the citizen sees it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CredentialCard {
    pub id: String,
    pub title: String,
    pub issuer: String,
    /// `valid`, `expired` or `revoked`.
    pub status: CredentialStatus,
    pub status_text: String,
    pub copies_left: usize,
    pub copies_total: usize,
    pub rows: Vec<Row>,
}

impl CredentialCard {
    pub fn new(c: &CredentialSummary, lang: Lang) -> CredentialCard {
        let rows = c
            .claims
            .as_object()
            .map(|map| {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by_key(|(name, _)| protocol::claim_text::reading_rank(name));
                entries
                    .into_iter()
                    .map(|(name, value)| Row {
                        label: ClaimPath::keys([name.as_str()])
                            .map(|p| label(&p, lang))
                            .unwrap_or_else(|_| name.clone()),
                        value: value_text(value, lang),
                    })
                    .collect()
            })
            .unwrap_or_default();
        CredentialCard {
            id: c.id.clone(),
            title: type_name(&c.vct, lang),
            issuer: issuer_name(c, lang).to_owned(),
            status: c.status,
            status_text: status_line(c, lang),
            copies_left: c.copies_left,
            copies_total: c.copies_total,
            rows,
        }
    }
}

/// One line of the history.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventLine {
    pub id: u64,
    pub date: String,
    pub text: String,
    /// The consent statements signed, in Regie's words; empty for other events.
    pub statements: Vec<SignedStatement>,
}

impl EventLine {
    pub fn new(e: &Event, lang: Lang) -> EventLine {
        EventLine {
            id: e.id,
            date: protocol::claim_text::unix_date_text(e.at, lang),
            text: event_text(&e.kind, lang),
            statements: event_statements(&e.kind, lang),
        }
    }
}

/// The statements an event signed, in Regie's words.
pub fn event_statements(kind: &EventKind, lang: Lang) -> Vec<SignedStatement> {
    match kind {
        EventKind::StatementSigned { statement, .. } => signed::of_stored(statement, lang),
        _ => Vec::new(),
    }
}

/// Which organisation has which of my data since when.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SharingLine {
    pub party: String,
    pub registration: String,
    pub since: String,
    pub last: String,
    pub times: u32,
    pub attributes: Vec<String>,
    pub purposes: Vec<String>,
    /// The consent statements signed for this party, newest last, in Regie's words.
    pub statements: Vec<SignedStatement>,
}

impl SharingLine {
    pub fn new(r: &SharingRecord, lang: Lang) -> SharingLine {
        SharingLine {
            party: r.party.legal_name.clone(),
            registration: format!("{} {}", t(lang, "KvK", "CoC"), r.party.registration_number),
            since: protocol::claim_text::unix_date_text(r.first_shared, lang),
            last: protocol::claim_text::unix_date_text(r.last_shared, lang),
            times: r.times,
            attributes: r
                .attributes
                .iter()
                .map(|a| match lang {
                    Lang::Nl => a.label_nl.clone(),
                    Lang::En => a.label_en.clone(),
                })
                .collect(),
            purposes: r.purposes.clone(),
            statements: signed::of_entries(&r.statement_entries, lang),
        }
    }
}
