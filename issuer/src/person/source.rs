//! Where persons come from. The fixture file is the embedded default; the Haal Centraal BRP
//! API client (planned) is the real one. Both sit behind [`PersonSource`].

use std::path::Path;
use std::sync::RwLock;

use super::gba::{parse_fixtures, GbaError};
use super::{Address, AddressPeriod, Bsn, Name, PartialDate, Person, Residence};

const EMBEDDED_PERSONEN: &str = include_str!("../../../fixtures/brp/personen.json");
const EMBEDDED_HISTORIE: &str = include_str!("../../../fixtures/brp/verblijfplaatshistorie.json");

/// Errors from a person source. Never names the person concerned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("person source data is invalid: {0}")]
    BadData(#[from] GbaError),
    #[error("person source file cannot be read: {0}")]
    Io(String),
    #[error("no person with this BSN")]
    NotFound,
    #[error("the move date is before the start of the current address")]
    MoveBeforeCurrent,
    #[error("this person source cannot do that")]
    Unsupported,
    #[error("the BRP service is unavailable: {0}")]
    Unavailable(String),
    #[error("the BRP service gave an invalid answer: {0}")]
    BadResponse(String),
}

/// One line of the test-login picker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonSummary {
    pub bsn: Bsn,
    pub name: String,
    pub residence: Option<String>,
}

/// A source of BRP persons.
#[async_trait::async_trait]
pub trait PersonSource: Send + Sync {
    /// The person with `bsn`, if registered.
    async fn get(&self, bsn: &Bsn) -> Result<Option<Person>, SourceError>;
    /// Everyone, for the test login.
    async fn list(&self) -> Result<Vec<PersonSummary>, SourceError>;
    /// Who is registered at `residence` now, with the date each came to live there.
    async fn residents_at(
        &self,
        residence: &Residence,
    ) -> Result<Vec<(Name, PartialDate)>, SourceError>;
    /// The BSNs of everyone registered at the same dwelling as `residence` now.
    async fn bsns_at(&self, residence: &Residence) -> Result<Vec<Bsn>, SourceError>;
    /// The dwellings with this postal code and house number that have someone registered,
    /// each with its municipality. A real deployment looks addresses up in the BAG, which
    /// also knows empty dwellings; the BRP only knows addresses where someone lives.
    async fn find_addresses(
        &self,
        postal_code: &str,
        house_number: u32,
    ) -> Result<Vec<(Address, String)>, SourceError>;
    /// A life event: `bsn` moved to `address` in `municipality` on `date`.
    async fn record_move(
        &self,
        bsn: &Bsn,
        address: Address,
        municipality: &str,
        date: PartialDate,
    ) -> Result<Person, SourceError>;
}

/// Persons from the fixture files, kept in memory; moves change the in-memory copy only.
pub struct FixtureSource {
    people: RwLock<Vec<Person>>,
}

impl FixtureSource {
    /// The fixtures compiled into the binary.
    pub fn embedded() -> Result<Self, SourceError> {
        Self::from_json(EMBEDDED_PERSONEN, EMBEDDED_HISTORIE)
    }

    /// Fixtures from a directory holding `personen.json` and `verblijfplaatshistorie.json`.
    pub fn from_dir(dir: &Path) -> Result<Self, SourceError> {
        let read = |name: &str| {
            std::fs::read_to_string(dir.join(name))
                .map_err(|e| SourceError::Io(format!("{name}: {e}")))
        };
        Self::from_json(
            &read("personen.json")?,
            &read("verblijfplaatshistorie.json")?,
        )
    }

    /// Fixtures from the two JSON texts.
    pub fn from_json(personen: &str, historie: &str) -> Result<Self, SourceError> {
        Ok(FixtureSource {
            people: RwLock::new(parse_fixtures(personen, historie)?),
        })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<Person>> {
        // A panic while holding the lock cannot leave a half-written person (writes replace
        // whole fields), so a poisoned lock is still safe to read.
        self.people.read().unwrap_or_else(|p| p.into_inner())
    }
}

/// "1014 aw" and "1014AW" name the same postal code.
pub fn normal_postal_code(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

fn same_place(a: &Residence, b: &Residence) -> bool {
    match (a, b) {
        (Residence::Address(x), Residence::Address(y)) => x.same_dwelling(y),
        (x, y) => x == y,
    }
}

#[async_trait::async_trait]
impl PersonSource for FixtureSource {
    async fn get(&self, bsn: &Bsn) -> Result<Option<Person>, SourceError> {
        Ok(self.read().iter().find(|p| &p.bsn == bsn).cloned())
    }

    async fn list(&self) -> Result<Vec<PersonSummary>, SourceError> {
        Ok(self
            .read()
            .iter()
            .map(|p| PersonSummary {
                bsn: p.bsn.clone(),
                name: match &p.name.noble_title {
                    Some(title) => format!("{title} {}", p.name.full()),
                    None => p.name.full(),
                },
                residence: p.residence.as_ref().map(|r| r.residence.describe()),
            })
            .collect())
    }

    async fn residents_at(
        &self,
        residence: &Residence,
    ) -> Result<Vec<(Name, PartialDate)>, SourceError> {
        let mut residents: Vec<(Name, PartialDate)> = self
            .read()
            .iter()
            .filter_map(|p| p.residence.as_ref().map(|r| (p, r)))
            .filter(|(_, r)| same_place(&r.residence, residence))
            .map(|(p, r)| (p.name.clone(), r.from))
            .collect();
        residents.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.full().cmp(&b.0.full())));
        Ok(residents)
    }

    async fn bsns_at(&self, residence: &Residence) -> Result<Vec<Bsn>, SourceError> {
        Ok(self
            .read()
            .iter()
            .filter(|p| {
                p.residence
                    .as_ref()
                    .is_some_and(|r| same_place(&r.residence, residence))
            })
            .map(|p| p.bsn.clone())
            .collect())
    }

    async fn find_addresses(
        &self,
        postal_code: &str,
        house_number: u32,
    ) -> Result<Vec<(Address, String)>, SourceError> {
        let wanted = normal_postal_code(postal_code);
        let mut found: Vec<(Address, String)> = Vec::new();
        for person in self.read().iter() {
            let Some(Residence::Address(a)) = person.residence.as_ref().map(|r| &r.residence)
            else {
                continue;
            };
            let same_code = a
                .postal_code
                .as_deref()
                .is_some_and(|pc| normal_postal_code(pc) == wanted);
            if same_code
                && a.house_number == Some(house_number)
                && !found.iter().any(|(f, _)| f.same_dwelling(a))
            {
                let municipality = person.municipality.clone().unwrap_or_default();
                found.push((a.clone(), municipality));
            }
        }
        found.sort_by_key(|(a, _)| a.street_line());
        Ok(found)
    }

    async fn record_move(
        &self,
        bsn: &Bsn,
        address: Address,
        municipality: &str,
        date: PartialDate,
    ) -> Result<Person, SourceError> {
        let mut people = self.people.write().unwrap_or_else(|p| p.into_inner());
        let person = people
            .iter_mut()
            .find(|p| &p.bsn == bsn)
            .ok_or(SourceError::NotFound)?;
        if person.residence.as_ref().is_some_and(|r| date <= r.from) {
            return Err(SourceError::MoveBeforeCurrent);
        }
        if let Some(last) = person.address_history.last_mut() {
            if last.to.is_none() {
                last.to = Some(date);
            }
        }
        let period = AddressPeriod {
            residence: Residence::Address(address),
            from: date,
            to: None,
        };
        person.address_history.push(period.clone());
        person.residence = Some(period);
        person.municipality = Some(municipality.to_owned());
        Ok(person.clone())
    }
}
