//! What `regie-wallet` prints: plain Dutch or English text, or JSON for scripts.
use std::path::Path;

use protocol::credential_types::Lang;
use serde::Serialize;
use serde_json::{json, Value};
use wallet_core::consent::{Assessment, Verdict};
use wallet_core::credentials::CredentialSummary;
use wallet_core::display::{date, type_name, value_text};
use wallet_core::history::{Event, SharingRecord};
use wallet_core::presentation::Answered;
use wallet_core::signed::{self, SignedStatement};
use wallet_core::status::StatusReport;
use wallet_core::texts::{event_text, issuer_name, labels, status_line, t, yes_no};
use wallet_core::vault::LockState;
use wallet_core::views::event_statements;

pub fn error_word(lang: Lang) -> &'static str {
    t(lang, "fout", "error")
}
pub fn pin_prompt(lang: Lang) -> &'static str {
    t(lang, "Pincode: ", "PIN: ")
}
pub fn confirm_prompt(lang: Lang) -> &'static str {
    t(lang, "Pincode om te delen: ", "PIN to share: ")
}
pub fn new_pin_prompt(lang: Lang) -> &'static str {
    t(lang, "Nieuwe pincode (6 cijfers): ", "New PIN (6 digits): ")
}
pub fn repeat_pin_prompt(lang: Lang) -> &'static str {
    t(lang, "Herhaal de pincode: ", "Repeat the PIN: ")
}
pub fn initialised(lang: Lang) -> String {
    t(lang, "Uw wallet is klaar.", "Your wallet is ready.").into()
}
pub fn reset_done(lang: Lang) -> String {
    t(lang, "Uw wallet is gewist.", "Your wallet was deleted.").into()
}
pub fn pin_changed(lang: Lang) -> String {
    t(lang, "Uw pincode is veranderd.", "Your PIN was changed.").into()
}
pub fn exported(lang: Lang, path: &Path) -> String {
    format!(
        "{} {}",
        t(lang, "Alles staat in", "Everything was written to"),
        path.display()
    )
}

pub fn recovery_code_prompt(lang: Lang) -> &'static str {
    t(lang, "Herstelcode: ", "Recovery code: ")
}

/// The warning for a file or directory of the wallet that others could read.
pub fn mode_repaired(lang: Lang, path: &Path) -> String {
    format!(
        "{}: {} {}",
        t(lang, "Waarschuwing", "Warning"),
        path.display(),
        t(
            lang,
            "was leesbaar voor anderen en is nu alleen voor u leesbaar",
            "was readable by others and is now readable by you only"
        )
    )
}

/// Prints results as text or JSON.
pub struct Output {
    json: bool,
    lang: Lang,
}

impl Output {
    pub fn new(json: bool, lang: Lang) -> Output {
        Output { json, lang }
    }

    fn emit<T: Serialize>(&self, value: &T, text: impl FnOnce() -> String) {
        if self.json {
            println!("{}", serde_json::to_string(value).unwrap_or_default());
        } else {
            println!("{}", text());
        }
    }

    /// The recovery code is shown here and nowhere else: it is not stored.
    pub fn backup_made(&self, path: &Path, backup: &wallet_core::backup::Backup) {
        let l = self.lang;
        let code = backup.code.display();
        self.emit(
            &json!({
                "file": path.display().to_string(),
                "credentials": backup.credentials,
                "recovery_code": code.as_str(),
            }),
            || {
                format!(
                    "{} {} ({} {}).\n{}\n\n    {}\n\n{}",
                    t(l, "Back-up geschreven naar", "Backup written to"),
                    path.display(),
                    backup.credentials,
                    t(l, "gegevensbewijzen", "credentials"),
                    t(l, "Uw herstelcode:", "Your recovery code:"),
                    code.as_str(),
                    t(
                        l,
                        "Schrijf deze code op en bewaar hem apart van het bestand. U ziet hem maar één keer: zonder de code is de back-up niet te openen.",
                        "Write this code down and keep it apart from the file. It is shown only once: without it the backup cannot be opened."
                    )
                )
            },
        );
    }

    pub fn restored(&self, report: &wallet_core::backup::RestoreReport) {
        let l = self.lang;
        self.emit(report, || {
            let mut lines = vec![format!(
                "{}: {} {}, {} {}.",
                t(l, "Hersteld", "Restored"),
                report.restored.len(),
                t(
                    l,
                    "gegevensbewijzen opnieuw ontvangen",
                    "credentials received again"
                ),
                report.history_events,
                t(l, "gebeurtenissen in de geschiedenis", "history events")
            )];
            for c in &report.restored {
                lines.push(format!("  {} (id {})", type_name(&c.vct, l), c.id));
            }
            for n in &report.not_restored {
                lines.push(format!(
                    "  {} {}: {} ({})",
                    t(l, "Niet hersteld", "Not restored"),
                    type_name(&n.vct, l),
                    t(l, "vraag dit opnieuw aan", "request it again"),
                    n.reason
                ));
            }
            lines.join("\n")
        });
    }

    pub fn done(&self, message: String) {
        self.emit(&json!({"ok": true, "message": message}), || message.clone());
    }

    pub fn lock_state(&self, state: &LockState) {
        let l = self.lang;
        self.emit(state, || {
            if state.blocked {
                t(
                    l,
                    "Geblokkeerd: te vaak een verkeerde pincode. Wis de wallet (reset).",
                    "Blocked: too many wrong PINs. Reset the wallet.",
                )
                .into()
            } else if state.wait_secs > 0 {
                format!("{} {} s", t(l, "Wacht nog", "Wait"), state.wait_secs)
            } else {
                format!(
                    "{} ({} {})",
                    t(l, "U kunt uw pincode invoeren", "You can enter your PIN"),
                    state.failures,
                    t(l, "keer fout", "wrong")
                )
            }
        });
    }

    pub fn accepted(&self, stored: &[CredentialSummary]) {
        let l = self.lang;
        self.emit(&json!({"credentials": stored}), || {
            stored
                .iter()
                .map(|c| {
                    format!(
                        "{}: {} ({} {}, id {})",
                        t(l, "Ontvangen", "Received"),
                        type_name(&c.vct, l),
                        t(l, "van", "from"),
                        issuer_name(c, l),
                        c.id
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        });
    }

    pub fn list(&self, page: &[CredentialSummary], total: usize, report: Option<&StatusReport>) {
        let l = self.lang;
        self.emit(
            &json!({"total": total, "credentials": page, "status": report}),
            || {
                if page.is_empty() {
                    return t(
                        l,
                        "Er staan nog geen gegevens in uw wallet.",
                        "Your wallet is empty.",
                    )
                    .into();
                }
                let mut lines = vec![format!(
                    "{} {total}",
                    t(l, "Gegevens in uw wallet:", "Credentials in your wallet:")
                )];
                for c in page {
                    lines.push(format!("\n{}  (id {})", type_name(&c.vct, l), c.id));
                    lines.push(format!(
                        "  {} {}",
                        t(l, "Uitgever:", "Issuer:"),
                        issuer_name(c, l)
                    ));
                    lines.push(format!("  {}", status_line(c, l)));
                }
                lines.join("\n")
            },
        );
    }

    pub fn show(&self, c: &CredentialSummary) {
        let l = self.lang;
        self.emit(c, || {
            let mut lines = vec![
                format!("{}  (id {})", type_name(&c.vct, l), c.id),
                format!("{} {}", t(l, "Uitgever:", "Issuer:"), issuer_name(c, l)),
                status_line(c, l),
                String::new(),
            ];
            if let Some(map) = c.claims.as_object() {
                for (name, value) in map {
                    let label = protocol::claim_path::ClaimPath::keys([name.as_str()])
                        .map(|p| wallet_core::display::label(&p, l))
                        .unwrap_or_else(|_| name.clone());
                    lines.push(format!("{label}: {}", value_text(value, l)));
                }
            }
            lines.join("\n")
        });
    }

    pub fn refreshed(&self, report: &StatusReport) {
        let l = self.lang;
        self.emit(report, || {
            format!(
                "{} {}; {} {}; {} {}; {} {}",
                t(l, "Gecontroleerd:", "Checked:"),
                report.checked,
                t(l, "ingetrokken:", "revoked:"),
                report.revoked.len(),
                t(l, "verlopen:", "expired:"),
                report.expired.len(),
                t(l, "niet bereikbaar:", "unreachable:"),
                report.unreachable
            )
        });
    }

    pub fn assessment(&self, a: &Assessment) {
        if self.json {
            println!("{}", json!({"assessment": a}));
            return;
        }
        let l = self.lang;
        let mut lines = Vec::new();
        match &a.party {
            Some(p) => {
                lines.push(format!(
                    "{} {} ({} {}, {})",
                    t(l, "Wie vraagt:", "Who asks:"),
                    p.legal_name,
                    t(l, "KvK", "Chamber of Commerce no."),
                    p.registration_number,
                    p.city
                ));
                lines.push(
                    t(
                        l,
                        "  Gecontroleerd door de beheerder van het stelsel.",
                        "  Verified by the scheme's trust anchor.",
                    )
                    .into(),
                );
            }
            None => lines.push(
                t(
                    l,
                    "Wie vraagt: onbekend (niet te controleren)",
                    "Who asks: unknown (cannot be verified)",
                )
                .into(),
            ),
        }
        if let Some(p) = &a.purpose {
            lines.push(format!(
                "{} {} — {}",
                t(l, "Waarom:", "Why:"),
                p.name,
                p.description
            ));
            lines.push(format!("{} {}", t(l, "Bewaren:", "Kept:"), p.retention));
            lines.push(format!(
                "{} {}",
                t(l, "Delen met anderen:", "Shared with others:"),
                yes_no(p.shares_with_third_parties, l)
            ));
        }
        if !a.attributes.is_empty() {
            lines.push(t(l, "Wat u deelt:", "What you share:").into());
            for attr in &a.attributes {
                lines.push(format!("  - {}: {}", attr.label, attr.value));
            }
        }
        for s in &a.statements {
            lines.push(format!(
                "{} {}",
                t(l, "U verklaart:", "You declare:"),
                s.text
            ));
        }
        if let Some(before) = &a.shared_before {
            lines.push(format!(
                "{} {} ({}x)",
                t(
                    l,
                    "U deelde eerder met deze organisatie, sinds",
                    "You shared with this organisation before, since"
                ),
                date(before.first_shared),
                before.times
            ));
        }
        if a.linkable {
            lines.push(
                t(
                    l,
                    "Let op: u heeft geen ongebruikte kopie meer; vraag uw gegevens opnieuw aan.",
                    "Note: no unused copy is left; request your credential again.",
                )
                .into(),
            );
        }
        lines.push(match &a.verdict {
            Verdict::Ok => t(
                l,
                "Oordeel: in orde — de vraag past bij de registratie.",
                "Verdict: ok — the request fits the registration.",
            )
            .into(),
            Verdict::OverAsking { not_allowed } => format!(
                "{} {}",
                t(
                    l,
                    "Oordeel: GEBLOKKEERD — vraagt meer dan toegestaan:",
                    "Verdict: BLOCKED — asks for more than allowed:"
                ),
                not_allowed
                    .iter()
                    .map(|n| n.label.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Verdict::UnknownParty { reason } => format!(
                "{} ({reason})",
                t(
                    l,
                    "Oordeel: GEBLOKKEERD — onbekende organisatie",
                    "Verdict: BLOCKED — unknown organisation"
                )
            ),
            Verdict::UnsupportedStatement { reason } => format!(
                "{} ({reason})",
                t(
                    l,
                    "Oordeel: GEBLOKKEERD — u zou een verklaring ondertekenen die deze app niet kent en dus niet kan laten zien",
                    "Verdict: BLOCKED — you would sign a statement this app does not know and so cannot show you"
                )
            ),
            Verdict::Missing { types } => format!(
                "{} {}",
                t(
                    l,
                    "Oordeel: u heeft deze gegevens nog niet:",
                    "Verdict: you do not have:"
                ),
                types
                    .iter()
                    .map(|m| {
                        let at = m
                            .where_to_get
                            .iter()
                            .map(|(_, n)| n.as_str())
                            .collect::<Vec<_>>()
                            .join(", ");
                        if at.is_empty() {
                            m.name.clone()
                        } else {
                            format!(
                                "{} ({} {at})",
                                m.name,
                                t(l, "aan te vragen bij", "available from")
                            )
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
        println!("{}", lines.join("\n"));
    }

    pub fn answered(&self, answered: &Answered, shared: bool) {
        let l = self.lang;
        self.emit(
            &json!({"shared": shared, "notified": answered.notified,
            "redirect_uri": answered.redirect_uri}),
            || {
                if shared {
                    t(l, "Gedeeld.", "Shared.").into()
                } else if answered.notified {
                    t(
                        l,
                        "Geweigerd; de organisatie heeft dat gehoord.",
                        "Declined; the organisation was told.",
                    )
                    .into()
                } else {
                    t(
                        l,
                        "Geweigerd; er is niets verstuurd.",
                        "Declined; nothing was sent.",
                    )
                    .into()
                }
            },
        );
    }

    pub fn history(&self, events: &[Event]) {
        let l = self.lang;
        let with_sentences: Vec<Value> = events
            .iter()
            .map(|e| with_statements(e, &event_statements(&e.kind, l)))
            .collect();
        self.emit(&json!({"events": with_sentences}), || {
            if events.is_empty() {
                return t(l, "Nog niets gebeurd.", "Nothing happened yet.").into();
            }
            let mut lines = Vec::new();
            for e in events {
                lines.push(format!(
                    "{}  #{}  {}",
                    date(e.at),
                    e.id,
                    event_text(&e.kind, l)
                ));
                for s in event_statements(&e.kind, l) {
                    lines.push(format!("    {}", s.line(l)));
                }
            }
            lines.join("\n")
        });
    }

    pub fn sharing(&self, records: &[SharingRecord]) {
        let l = self.lang;
        let with_sentences: Vec<Value> = records
            .iter()
            .map(|r| with_statements(r, &signed::of_entries(&r.statement_entries, l)))
            .collect();
        self.emit(&json!({"sharing": with_sentences}), || {
            if records.is_empty() {
                return t(
                    l,
                    "U heeft nog met niemand gegevens gedeeld.",
                    "You have not shared data with anyone yet.",
                )
                .into();
            }
            let mut lines = Vec::new();
            for r in records {
                lines.push(format!(
                    "{} ({} {}): {} — {} {}",
                    r.party.legal_name,
                    t(l, "KvK", "CoC"),
                    r.party.registration_number,
                    labels(&r.attributes, l),
                    t(l, "sinds", "since"),
                    date(r.first_shared)
                ));
                for s in signed::of_entries(&r.statement_entries, l) {
                    lines.push(format!("    {}", s.line(l)));
                }
            }
            lines.join("\n")
        });
    }
}

/// `value` as stored, with Regie's sentences for its statements under `statements`, so a
/// script reads the same words as the screen.
fn with_statements<T: Serialize>(value: &T, statements: &[SignedStatement]) -> Value {
    let mut json = serde_json::to_value(value).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut json {
        map.insert("statements".into(), json!(statements));
    }
    json
}
