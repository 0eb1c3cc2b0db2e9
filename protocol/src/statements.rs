//! Consent statements: the OpenID4VP `transaction_data` types Regie knows, each with a fixed
//! set of fields, and the sentence a citizen reads for it, in Dutch and English, written by
//! Regie and never by the relying party. What the citizen sees is built from exactly the
//! fields that are signed: an entry with a field this module does not know is refused
//! (OpenID4VP 1.0 §8.4: unknown types, unknown fields, missing or invalid fields are
//! `invalid_transaction_data`), so nothing can be signed that the screen does not show.
use serde_json::{Map, Value};

use crate::claim_text::date_text;
use crate::credential_types::Lang;
use crate::trust::Purpose;

/// A main occupant consents to someone registering at their address.
pub const REGISTRATION_AT_ADDRESS: &str = "regie_toestemming_inschrijving";
/// A custodian consents to a travel document for a minor.
pub const CHILD_TRAVEL_DOCUMENT: &str = "regie_toestemming_reisdocument";
/// Every type this module knows.
pub const KNOWN_TYPES: [&str; 2] = [REGISTRATION_AT_ADDRESS, CHILD_TRAVEL_DOCUMENT];

/// Longest text field (names, addresses, case references), in characters.
pub const MAX_FIELD_CHARS: usize = 200;

/// Why a transaction data entry is not a statement Regie can show.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    #[error("a transaction data entry must be a JSON object")]
    NotAnObject,
    #[error("a transaction data entry needs a type")]
    MissingType,
    #[error("unknown statement type {0:?}")]
    UnknownType(String),
    #[error("a statement must name the credential queries that sign it (credential_ids)")]
    NoCredentialIds,
    #[error("statement field {0:?} is not part of its type")]
    UnknownField(String),
    #[error("statement field {0:?} is missing")]
    MissingField(&'static str),
    #[error("statement field {0:?} is not valid")]
    InvalidField(&'static str),
}

/// Which travel document a child's statement is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TravelDocument {
    Passport,
    IdentityCard,
}

impl TravelDocument {
    pub fn id(self) -> &'static str {
        match self {
            TravelDocument::Passport => "paspoort",
            TravelDocument::IdentityCard => "identiteitskaart",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        match id {
            "paspoort" => Some(TravelDocument::Passport),
            "identiteitskaart" => Some(TravelDocument::IdentityCard),
            _ => None,
        }
    }

    fn words(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (TravelDocument::Passport, Lang::Nl) => "een paspoort",
            (TravelDocument::Passport, Lang::En) => "a passport",
            (TravelDocument::IdentityCard, Lang::Nl) => "een identiteitskaart",
            (TravelDocument::IdentityCard, Lang::En) => "an identity card",
        }
    }
}

/// A statement of a known type with its fields checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Statement {
    /// "I live at `address` and consent that `new_resident` registers there from `date`."
    RegistrationAtAddress {
        address: String,
        new_resident: String,
        /// `yyyy-mm-dd`.
        date: String,
        case_ref: Option<String>,
    },
    /// "I have custody of `child` and consent to `document` for this child."
    ChildTravelDocument {
        child: String,
        /// `yyyy-mm-dd`, when known.
        child_birthdate: Option<String>,
        document: TravelDocument,
        case_ref: Option<String>,
    },
}

/// A transaction data entry read as a statement, with the queries that sign it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementEntry {
    pub statement: Statement,
    pub credential_ids: Vec<String>,
}

/// Why a request's statements may not be signed for its purpose.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StatementRefusal {
    /// Not a statement Regie can show: `invalid_transaction_data`.
    #[error("statement {index}: {error}")]
    Invalid { index: usize, error: StatementError },
    /// A known type the purpose is not registered for: over-asking.
    #[error("the purpose is not registered for statements of type {0:?}")]
    NotRegistered(String),
}

impl Statement {
    /// The `type` of its transaction data entry.
    pub fn type_id(&self) -> &'static str {
        match self {
            Statement::RegistrationAtAddress { .. } => REGISTRATION_AT_ADDRESS,
            Statement::ChildTravelDocument { .. } => CHILD_TRAVEL_DOCUMENT,
        }
    }

    /// The case at the municipality this statement belongs to, if it names one.
    pub fn case_ref(&self) -> Option<&str> {
        match self {
            Statement::RegistrationAtAddress { case_ref, .. }
            | Statement::ChildTravelDocument { case_ref, .. } => case_ref.as_deref(),
        }
    }

    /// The sentence the citizen signs, built from Regie's own words and the fields.
    pub fn sentence(&self, lang: Lang) -> String {
        let mut text = match (self, lang) {
            (
                Statement::RegistrationAtAddress {
                    address,
                    new_resident,
                    date,
                    ..
                },
                Lang::Nl,
            ) => format!(
                "Ik woon op {address} en geef toestemming dat {new_resident} zich vanaf {} op mijn adres inschrijft.",
                date_text(date, lang)
            ),
            (
                Statement::RegistrationAtAddress {
                    address,
                    new_resident,
                    date,
                    ..
                },
                Lang::En,
            ) => format!(
                "I live at {address} and consent to {new_resident} registering at my address from {}.",
                date_text(date, lang)
            ),
            (
                Statement::ChildTravelDocument {
                    child,
                    child_birthdate,
                    document,
                    ..
                },
                _,
            ) => {
                let born = child_birthdate
                    .as_deref()
                    .map(|d| match lang {
                        Lang::Nl => format!(" (geboren {})", date_text(d, lang)),
                        Lang::En => format!(" (born {})", date_text(d, lang)),
                    })
                    .unwrap_or_default();
                match lang {
                    Lang::Nl => format!(
                        "Ik heb het gezag over {child}{born} en geef toestemming voor {} voor dit kind.",
                        document.words(lang)
                    ),
                    Lang::En => format!(
                        "I have parental authority over {child}{born} and consent to {} for this child.",
                        document.words(lang)
                    ),
                }
            }
        };
        if let Some(case) = self.case_ref() {
            text.push_str(&match lang {
                Lang::Nl => format!(" Zaaknummer: {case}."),
                Lang::En => format!(" Case number: {case}."),
            });
        }
        text
    }

    /// The short name of the statement's type, for lists and refusals.
    pub fn type_name(type_id: &str, lang: Lang) -> Option<&'static str> {
        match (type_id, lang) {
            (REGISTRATION_AT_ADDRESS, Lang::Nl) => Some("Toestemming inschrijving op uw adres"),
            (REGISTRATION_AT_ADDRESS, Lang::En) => Some("Consent to registration at your address"),
            (CHILD_TRAVEL_DOCUMENT, Lang::Nl) => Some("Toestemming reisdocument voor een kind"),
            (CHILD_TRAVEL_DOCUMENT, Lang::En) => Some("Consent to a child's travel document"),
            _ => None,
        }
    }

    /// The transaction data entry for this statement, signed by the queries `credential_ids`.
    pub fn to_entry(&self, credential_ids: &[&str]) -> Value {
        let mut entry = Map::new();
        entry.insert("type".into(), self.type_id().into());
        entry.insert("credential_ids".into(), credential_ids.to_vec().into());
        let mut put = |name: &str, value: &str| {
            entry.insert(name.into(), value.into());
        };
        match self {
            Statement::RegistrationAtAddress {
                address,
                new_resident,
                date,
                ..
            } => {
                put("address", address);
                put("new_resident", new_resident);
                put("date", date);
            }
            Statement::ChildTravelDocument {
                child,
                child_birthdate,
                document,
                ..
            } => {
                put("child", child);
                if let Some(d) = child_birthdate {
                    put("child_birthdate", d);
                }
                put("document", document.id());
            }
        }
        if let Some(case) = self.case_ref() {
            put("case_ref", case);
        }
        Value::Object(entry)
    }
}

/// Reads one transaction data entry as a statement of a known type; anything else is refused.
pub fn parse_entry(entry: &Value) -> Result<StatementEntry, StatementError> {
    let object = entry.as_object().ok_or(StatementError::NotAnObject)?;
    let type_id = object
        .get("type")
        .and_then(Value::as_str)
        .ok_or(StatementError::MissingType)?;
    let credential_ids = object
        .get("credential_ids")
        .and_then(Value::as_array)
        .filter(|ids| !ids.is_empty())
        .and_then(|ids| {
            ids.iter()
                .map(|id| id.as_str().filter(|s| !s.is_empty()).map(str::to_owned))
                .collect::<Option<Vec<String>>>()
        })
        .ok_or(StatementError::NoCredentialIds)?;
    let fields: &[&str] = match type_id {
        REGISTRATION_AT_ADDRESS => &["address", "new_resident", "date", "case_ref"],
        CHILD_TRAVEL_DOCUMENT => &["child", "child_birthdate", "document", "case_ref"],
        other => return Err(StatementError::UnknownType(other.to_owned())),
    };
    check_hash_algorithms(object)?;
    for name in object.keys() {
        let standard = matches!(
            name.as_str(),
            "type" | "credential_ids" | "transaction_data_hashes_alg"
        );
        if !standard && !fields.contains(&name.as_str()) {
            return Err(StatementError::UnknownField(name.clone()));
        }
    }
    let case_ref = optional_text(object, "case_ref")?;
    let statement = match type_id {
        REGISTRATION_AT_ADDRESS => Statement::RegistrationAtAddress {
            address: required_text(object, "address")?,
            new_resident: required_text(object, "new_resident")?,
            date: required_date(object, "date")?,
            case_ref,
        },
        _ => Statement::ChildTravelDocument {
            child: required_text(object, "child")?,
            child_birthdate: match object.get("child_birthdate") {
                None => None,
                Some(_) => Some(required_date(object, "child_birthdate")?),
            },
            document: object
                .get("document")
                .ok_or(StatementError::MissingField("document"))?
                .as_str()
                .and_then(TravelDocument::from_id)
                .ok_or(StatementError::InvalidField("document"))?,
            case_ref,
        },
    };
    Ok(StatementEntry {
        statement,
        credential_ids,
    })
}

/// Checks every entry of a request against the purpose it is asked under: each must be a
/// statement Regie knows, of a type the purpose is registered for.
pub fn check_for_purpose(
    purpose: &Purpose,
    entries: &[Value],
) -> Result<Vec<StatementEntry>, StatementRefusal> {
    let parsed = entries
        .iter()
        .enumerate()
        .map(|(index, e)| {
            parse_entry(e).map_err(|error| StatementRefusal::Invalid { index, error })
        })
        .collect::<Result<Vec<_>, _>>()?;
    for entry in &parsed {
        let type_id = entry.statement.type_id();
        if !purpose.statement_types.iter().any(|t| t == type_id) {
            return Err(StatementRefusal::NotRegistered(type_id.to_owned()));
        }
    }
    Ok(parsed)
}

/// `transaction_data_hashes_alg`, when given, must offer `sha-256`: the only one Regie uses.
fn check_hash_algorithms(object: &Map<String, Value>) -> Result<(), StatementError> {
    const FIELD: &str = "transaction_data_hashes_alg";
    match object.get(FIELD) {
        None => Ok(()),
        Some(Value::Array(algs)) if algs.iter().any(|a| a == "sha-256") => Ok(()),
        Some(_) => Err(StatementError::InvalidField(FIELD)),
    }
}

/// A short line of text: no control or direction-changing characters (which could make the
/// sentence read differently from what is signed), not empty, not too long.
fn clean_text(text: &str) -> bool {
    let trimmed = text.trim();
    !trimmed.is_empty()
        && trimmed.len() == text.len()
        && text.chars().count() <= MAX_FIELD_CHARS
        && !text.chars().any(|c| {
            c.is_control()
                || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
        })
}

fn required_text(
    object: &Map<String, Value>,
    name: &'static str,
) -> Result<String, StatementError> {
    let value = object.get(name).ok_or(StatementError::MissingField(name))?;
    match value.as_str() {
        Some(text) if clean_text(text) => Ok(text.to_owned()),
        _ => Err(StatementError::InvalidField(name)),
    }
}

fn optional_text(
    object: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<String>, StatementError> {
    match object.get(name) {
        None => Ok(None),
        Some(_) => required_text(object, name).map(Some),
    }
}

/// A calendar date `yyyy-mm-dd` that exists.
fn required_date(
    object: &Map<String, Value>,
    name: &'static str,
) -> Result<String, StatementError> {
    let text = required_text(object, name)?;
    if crate::dates::is_calendar_date(&text) {
        Ok(text)
    } else {
        Err(StatementError::InvalidField(name))
    }
}

#[cfg(test)]
mod tests;
