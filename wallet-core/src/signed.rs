//! Signed consent statements as the history and the sharing overview show them: Regie's own
//! sentence, rebuilt from the stored transaction data entry with `Statement::sentence`, in
//! the chosen language. Never a party's text: an entry that no longer parses (stored by an
//! older wallet, or under rules that have since become stricter) is named only as a
//! statement that cannot be shown, so reading the history never fails on it.
use protocol::credential_types::Lang;
use protocol::statements::{parse_entry, Statement};
use serde::Serialize;
use serde_json::Value;

use crate::texts::t;

/// Most statement entries a sharing record keeps per party: the newest. A party that asks
/// for statement after statement must not make its record grow without end.
pub const MAX_KEPT_PER_PARTY: usize = 50;

/// One signed statement, ready to show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SignedStatement {
    /// The statement type; `None` when the stored entry cannot be shown.
    #[serde(rename = "type")]
    pub type_id: Option<String>,
    /// The kind of statement ("Toestemming inschrijving op uw adres"), or "Verklaring (niet
    /// te tonen)".
    pub name: String,
    /// What the citizen declared, in Regie's words, with the child or the address it is
    /// about and the case number; `None` when it cannot be shown.
    pub text: Option<String>,
    /// The municipality's case number ("zaaknummer"), when the statement names one.
    pub case_ref: Option<String>,
}

impl SignedStatement {
    /// The view of one stored transaction data entry.
    pub fn new(entry: &Value, lang: Lang) -> SignedStatement {
        match parse_entry(entry) {
            Ok(parsed) => {
                let s = &parsed.statement;
                SignedStatement {
                    type_id: Some(s.type_id().to_owned()),
                    name: Statement::type_name(s.type_id(), lang)
                        .unwrap_or_default()
                        .to_owned(),
                    text: Some(s.sentence(lang)),
                    case_ref: s.case_ref().map(str::to_owned),
                }
            }
            Err(_) => SignedStatement::not_shown(lang),
        }
    }

    fn not_shown(lang: Lang) -> SignedStatement {
        SignedStatement {
            type_id: None,
            name: t(
                lang,
                "Verklaring (niet te tonen)",
                "Statement (cannot be shown)",
            )
            .into(),
            text: None,
            case_ref: None,
        }
    }

    /// One line of plain text: the sentence, or the name of what cannot be shown.
    pub fn line(&self, lang: Lang) -> String {
        match &self.text {
            Some(text) => format!("{} {text}", t(lang, "U verklaarde:", "You declared:")),
            None => self.name.clone(),
        }
    }
}

/// The statements of a history event, as stored: an array of transaction data entries.
/// Anything else (a shape an older wallet may have written) is one statement not shown.
pub fn of_stored(stored: &Value, lang: Lang) -> Vec<SignedStatement> {
    match stored {
        Value::Array(entries) => of_entries(entries, lang),
        _ => vec![SignedStatement::not_shown(lang)],
    }
}

/// The statements of a list of transaction data entries, in order.
pub fn of_entries(entries: &[Value], lang: Lang) -> Vec<SignedStatement> {
    entries
        .iter()
        .map(|e| SignedStatement::new(e, lang))
        .collect()
}

/// Adds newly signed entries to a party's kept ones: each entry once, the newest last, at
/// most `MAX_KEPT_PER_PARTY`.
pub fn keep(kept: &mut Vec<Value>, signed: &[Value]) {
    for entry in signed {
        kept.retain(|k| k != entry);
        kept.push(entry.clone());
    }
    let excess = kept.len().saturating_sub(MAX_KEPT_PER_PARTY);
    kept.drain(..excess);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn travel() -> Value {
        json!({"type": "regie_toestemming_reisdocument", "credential_ids": ["brp"],
            "child": "Zoey den Braber", "child_birthdate": "2018-05-03",
            "document": "paspoort", "case_ref": "RD-2026-0007"})
    }

    #[test]
    fn a_child_travel_document_names_the_child_and_the_case() {
        let nl = SignedStatement::new(&travel(), Lang::Nl);
        assert_eq!(nl.name, "Toestemming reisdocument voor een kind");
        assert_eq!(
            nl.text.as_deref(),
            Some(
                "Ik heb het gezag over Zoey den Braber (geboren 3 mei 2018) en geef \
                 toestemming voor een paspoort voor dit kind. Zaaknummer: RD-2026-0007."
            )
        );
        assert_eq!(nl.case_ref.as_deref(), Some("RD-2026-0007"));
        let en = SignedStatement::new(&travel(), Lang::En);
        assert!(en
            .line(Lang::En)
            .starts_with("You declared: I have parental authority over Zoey den Braber"));
        assert!(en
            .text
            .unwrap_or_default()
            .ends_with("Case number: RD-2026-0007."));
    }

    #[test]
    fn an_entry_that_no_longer_parses_is_named_but_its_text_never_shown() {
        let mut changed = travel();
        changed["text"] = json!("Ik machtig Evil BV");
        for stored in [json!([changed]), json!({"type": "payment"}), json!("raw")] {
            let shown = of_stored(&stored, Lang::Nl);
            assert_eq!(shown.len(), 1);
            assert_eq!(shown[0].name, "Verklaring (niet te tonen)");
            assert_eq!(shown[0].text, None);
            assert_eq!(shown[0].line(Lang::Nl), "Verklaring (niet te tonen)");
        }
        assert_eq!(
            of_stored(&json!(42), Lang::En)[0].name,
            "Statement (cannot be shown)"
        );
    }

    #[test]
    fn a_party_keeps_each_entry_once_and_only_the_newest() {
        let mut kept = Vec::new();
        keep(&mut kept, &[travel(), travel()]);
        assert_eq!(kept.len(), 1);
        let many: Vec<Value> = (0..MAX_KEPT_PER_PARTY + 5)
            .map(|i| json!({"n": i}))
            .collect();
        keep(&mut kept, &many);
        assert_eq!(kept.len(), MAX_KEPT_PER_PARTY);
        assert_eq!(kept.last(), many.last());
    }
}
