//! The wallet's words for people, Dutch and English: a credential's status, an event of
//! the history, and the building blocks the CLI and the app both show.
use protocol::credential_types::Lang;

use crate::credentials::{CredentialStatus, CredentialSummary};
use crate::display::type_name;
use crate::history::{DenyReason, EventKind, SharedAttribute};

/// Dutch or English.
pub fn t(lang: Lang, nl: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Nl => nl,
        Lang::En => en,
    }
}

pub fn yes_no(b: bool, l: Lang) -> &'static str {
    match (b, l) {
        (true, Lang::Nl) => "ja",
        (false, Lang::Nl) => "nee",
        (true, Lang::En) => "yes",
        (false, Lang::En) => "no",
    }
}

pub fn issuer_name(c: &CredentialSummary, l: Lang) -> &str {
    match l {
        Lang::Nl => &c.issuer_name_nl,
        Lang::En => &c.issuer_name_en,
    }
}

pub fn status_line(c: &CredentialSummary, l: Lang) -> String {
    let until = c
        .expires_at
        .map(|at| protocol::claim_text::unix_date_text(at, l))
        .unwrap_or_default();
    match c.status {
        CredentialStatus::Valid => format!(
            "{} {until} · {} {} {} {}",
            t(l, "Geldig tot", "Valid until"),
            c.copies_left,
            t(l, "van", "of"),
            c.copies_total,
            t(l, "kopieën ongebruikt", "copies unused")
        ),
        CredentialStatus::Expired => format!(
            "{} {until}. {} {}",
            t(l, "Verlopen op", "Expired on"),
            t(l, "Vraag nieuwe gegevens aan bij", "Request new data from"),
            issuer_name(c, l)
        ),
        CredentialStatus::Revoked => format!(
            "{} {}",
            t(
                l,
                "Verouderd: ingetrokken door de uitgever. Vraag nieuwe gegevens aan bij",
                "Outdated: revoked by the issuer. Request new data from"
            ),
            issuer_name(c, l)
        ),
    }
}

pub fn event_text(kind: &EventKind, l: Lang) -> String {
    match kind {
        EventKind::Issued {
            vct,
            issuer_name,
            copies,
            ..
        } => format!(
            "{} {} {} {issuer_name} ({copies} {})",
            t(l, "Ontvangen:", "Received:"),
            type_name(vct, l),
            t(l, "van", "from"),
            t(l, "kopieën", "copies")
        ),
        EventKind::Renewed { vct, copies, .. } => format!(
            "{} {} ({copies} {})",
            t(l, "Vernieuwd:", "Renewed:"),
            type_name(vct, l),
            t(l, "nieuwe kopieën", "new copies")
        ),
        EventKind::Shared {
            party, attributes, ..
        } => format!(
            "{} {}: {}",
            t(l, "Gedeeld met", "Shared with"),
            party.legal_name,
            labels(attributes, l)
        ),
        EventKind::StatementSigned {
            party, attributes, ..
        } => format!(
            "{} {}: {}",
            t(l, "Verklaring ondertekend voor", "Statement signed for"),
            party.legal_name,
            labels(attributes, l)
        ),
        EventKind::Denied { party, reason, .. } => {
            let who = party.as_ref().map(|p| p.legal_name.as_str()).unwrap_or(t(
                l,
                "onbekende organisatie",
                "unknown organisation",
            ));
            let why = match reason {
                DenyReason::Citizen => t(l, "door u", "by you"),
                DenyReason::OverAsking => t(l, "vroeg te veel", "asked too much"),
                DenyReason::UnknownParty => t(l, "niet te controleren", "could not be verified"),
                DenyReason::UnsupportedStatement => t(
                    l,
                    "onbekende verklaring om te ondertekenen",
                    "unknown statement to sign",
                ),
            };
            format!("{} {who} ({why})", t(l, "Geweigerd:", "Declined:"))
        }
        EventKind::Revoked { vct, .. } => format!(
            "{} {}",
            t(l, "Ingetrokken door de uitgever:", "Revoked by the issuer:"),
            type_name(vct, l)
        ),
        EventKind::Expired { vct, .. } => {
            format!("{} {}", t(l, "Verlopen:", "Expired:"), type_name(vct, l))
        }
        EventKind::PinChanged => t(l, "Pincode veranderd", "PIN changed").into(),
        EventKind::BackupMade { credentials } => format!(
            "{} ({credentials} {})",
            t(l, "Back-up gemaakt", "Backup made"),
            t(l, "gegevensbewijzen", "credentials")
        ),
        EventKind::Restored {
            restored,
            not_restored,
            ..
        } => {
            let mut text = format!(
                "{}: {restored} {}",
                t(l, "Hersteld uit een back-up", "Restored from a backup"),
                t(
                    l,
                    "gegevensbewijzen opnieuw ontvangen",
                    "credentials received again"
                )
            );
            if *not_restored > 0 {
                text.push_str(&format!(
                    ", {not_restored} {}",
                    t(
                        l,
                        "niet (vraag die opnieuw aan)",
                        "not (request those again)"
                    )
                ));
            }
            text
        }
    }
}

pub fn labels(attributes: &[SharedAttribute], l: Lang) -> String {
    attributes
        .iter()
        .map(|a| {
            if l == Lang::Nl {
                a.label_nl.clone()
            } else {
                a.label_en.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}
