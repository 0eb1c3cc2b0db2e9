//! Persons from the BRP: the model the issuer builds credentials and documents from, and the
//! sources it reads them from.

mod bsn;
mod custody;
mod date;
mod gba;
mod haal_centraal;
mod source;

pub use bsn::{Bsn, BsnError};
pub use custody::{CustodyKind, Ward};
pub use date::{DateError, PartialDate};
pub use haal_centraal::{HaalCentraalSource, MAX_RESPONSE_BYTES};
pub use source::{normal_postal_code, FixtureSource, PersonSource, PersonSummary, SourceError};

/// A person as registered in the BRP.
#[derive(Clone, Debug, PartialEq)]
pub struct Person {
    pub bsn: Bsn,
    pub name: Name,
    /// Names of (former) partners, which name usage may combine with the person's own.
    pub partner_names: Vec<Name>,
    /// As registered: "man", "vrouw" or "onbekend".
    pub sex: String,
    pub birth: Birth,
    /// Nationalities by description, e.g. "Nederlandse".
    pub nationalities: Vec<String>,
    /// The current residence and since when.
    pub residence: Option<AddressPeriod>,
    /// Municipality of registration.
    pub municipality: Option<String>,
    /// All residences, oldest first, the current one last.
    pub address_history: Vec<AddressPeriod>,
    /// BSNs of the custodians, for a minor under custody.
    pub custodians: Vec<Bsn>,
    /// The minors this person has custody of (`gezag`), with their names and birth dates
    /// from their own records.
    pub custody: Vec<Ward>,
    /// `geheimhoudingPersoonsgegevens`: the municipality gives no data to third parties on its
    /// own initiative. The person may still receive and share their own data.
    pub secrecy: bool,
    /// Some of the person's data is being investigated (`inOnderzoek`).
    pub under_investigation: bool,
}

/// A name as the BRP records it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Name {
    pub given_names: String,
    pub prefix: Option<String>,
    pub family_name: String,
    /// Title or predicate of nobility, e.g. "graaf", "jonkvrouw".
    pub noble_title: Option<String>,
}

impl Name {
    /// "den Braber" / "Moulin".
    pub fn surname(&self) -> String {
        match &self.prefix {
            Some(prefix) => format!("{prefix} {}", self.family_name),
            None => self.family_name.clone(),
        }
    }

    /// "Gerrit den Braber".
    pub fn full(&self) -> String {
        if self.given_names.is_empty() {
            self.surname()
        } else {
            format!("{} {}", self.given_names, self.surname())
        }
    }
}

/// Birth details.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Birth {
    pub date: PartialDate,
    pub place: Option<String>,
    pub country: Option<String>,
}

/// Where someone lives or lived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Residence {
    /// A Dutch address.
    Address(Address),
    /// A place without an address, e.g. a houseboat.
    Location(String),
    /// An address abroad.
    Abroad { country: String, lines: Vec<String> },
}

/// A Dutch address.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Address {
    pub street: String,
    pub house_number: Option<u32>,
    pub house_letter: Option<String>,
    pub house_number_addition: Option<String>,
    pub postal_code: Option<String>,
    pub locality: Option<String>,
}

impl Address {
    /// "Schakelstraat 14 H" / "St. Jacobsstraat 400 A".
    pub fn street_line(&self) -> String {
        let mut line = self.street.clone();
        if let Some(n) = self.house_number {
            line.push_str(&format!(" {n}"));
        }
        if let Some(l) = &self.house_letter {
            line.push_str(l);
        }
        if let Some(a) = &self.house_number_addition {
            line.push_str(&format!(" {a}"));
        }
        line
    }

    /// Whether two records name the same dwelling (localities may be missing on older ones).
    pub fn same_dwelling(&self, other: &Address) -> bool {
        self.street == other.street
            && self.house_number == other.house_number
            && self.house_letter == other.house_letter
            && self.house_number_addition == other.house_number_addition
    }
}

impl Residence {
    /// One line for display.
    pub fn describe(&self) -> String {
        match self {
            Residence::Address(a) => match (&a.postal_code, &a.locality) {
                (Some(pc), Some(loc)) => format!("{}, {pc} {loc}", a.street_line()),
                (None, Some(loc)) => format!("{}, {loc}", a.street_line()),
                (Some(pc), None) => format!("{}, {pc}", a.street_line()),
                (None, None) => a.street_line(),
            },
            Residence::Location(description) => description.clone(),
            Residence::Abroad { country, lines } if lines.is_empty() => country.clone(),
            Residence::Abroad { country, lines } => format!("{}, {country}", lines.join(", ")),
        }
    }
}

/// A residence with the dates it began and ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressPeriod {
    pub residence: Residence,
    pub from: PartialDate,
    /// `None` while the person still lives there.
    pub to: Option<PartialDate>,
}
