//! Reads the "GBA variant" JSON of the Haal Centraal BRP mocks (the fixture files) into
//! [`Person`]s. Old records are messy: corrections repeat a period with the same start date,
//! end dates sit in the field for foreign addresses, localities are often missing. This
//! module turns that into one clean, ordered history per person; where the two files
//! disagree, the person record is the current truth.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use super::custody::{custodians_of, wards_of, RawCustody, Relation};
use super::{Address, AddressPeriod, Birth, Bsn, Name, PartialDate, Person, Residence};

/// Why a fixture file could not be read. Names no person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GbaError {
    #[error("fixture file is not valid JSON of the expected shape: {0}")]
    Json(String),
    #[error("a person record has an invalid BSN")]
    Bsn,
    #[error("a person record has an invalid {0} date")]
    Date(&'static str),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Code {
    code: Option<String>,
    omschrijving: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GbaPerson {
    burgerservicenummer: String,
    geslacht: Option<Code>,
    naam: GbaName,
    #[serde(default)]
    nationaliteiten: Vec<GbaNationality>,
    geboorte: Option<GbaBirth>,
    verblijfplaats: Option<GbaResidence>,
    gemeente_van_inschrijving: Option<Code>,
    immigratie: Option<GbaImmigration>,
    #[serde(default)]
    gezag: Vec<RawCustody>,
    #[serde(default)]
    partners: Vec<GbaRelative>,
    geheimhouding_persoonsgegevens: Option<serde_json::Value>,
    persoon_in_onderzoek: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GbaName {
    #[serde(default)]
    voornamen: String,
    voorvoegsel: Option<String>,
    #[serde(default)]
    geslachtsnaam: String,
    adellijke_titel_predicaat: Option<Code>,
}

#[derive(Deserialize)]
struct GbaRelative {
    naam: Option<GbaName>,
}

#[derive(Deserialize)]
struct GbaNationality {
    nationaliteit: Option<Code>,
}

#[derive(Deserialize)]
struct GbaBirth {
    datum: Option<String>,
    plaats: Option<Code>,
    land: Option<Code>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GbaImmigration {
    land_vanwaar_ingeschreven: Option<Code>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct GbaResidence {
    straat: Option<String>,
    naam_openbare_ruimte: Option<String>,
    huisnummer: Option<String>,
    huisletter: Option<String>,
    huisnummertoevoeging: Option<String>,
    postcode: Option<String>,
    woonplaats: Option<String>,
    locatiebeschrijving: Option<String>,
    land: Option<Code>,
    regel1: Option<String>,
    regel2: Option<String>,
    regel3: Option<String>,
    datum_aanvang_adreshouding: Option<String>,
    datum_aanvang_adres_buitenland: Option<String>,
    datum_einde_adreshouding: Option<String>,
    datum_einde_adres_buitenland: Option<String>,
}

#[derive(Deserialize)]
struct GbaHistoryEntry {
    verblijfplaats: GbaResidence,
}

/// Parses both fixture files into persons, in the order of the person file.
pub(crate) fn parse_fixtures(personen: &str, historie: &str) -> Result<Vec<Person>, GbaError> {
    let people: Vec<GbaPerson> =
        serde_json::from_str(personen).map_err(|e| GbaError::Json(e.to_string()))?;
    let history: HashMap<String, Vec<GbaHistoryEntry>> =
        serde_json::from_str(historie).map_err(|e| GbaError::Json(e.to_string()))?;
    let countries = country_names(&people);
    let custody = custody_relations(&people);
    let mut persons = people
        .into_iter()
        .map(|p| {
            let entries = history
                .get(&p.burgerservicenummer)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            to_person(p, entries, &countries, &custody)
        })
        .collect::<Result<Vec<_>, _>>()?;
    name_wards(&mut persons);
    Ok(persons)
}

/// Every custody relation in the file. A relation may be stated on the minor's record, on
/// each custodian's, or on both; together they are what the BRP knows.
fn custody_relations(people: &[GbaPerson]) -> Vec<Relation> {
    let mut relations: Vec<Relation> = Vec::new();
    for p in people {
        for relation in p
            .gezag
            .iter()
            .filter_map(|g| g.relation(&p.burgerservicenummer))
        {
            if !relations.contains(&relation) {
                relations.push(relation);
            }
        }
    }
    relations
}

/// Fills in each ward's name and birth date from the ward's own record. A ward without a
/// record in the file keeps only the BSN.
fn name_wards(persons: &mut [Person]) {
    let records: HashMap<Bsn, (Name, PartialDate)> = persons
        .iter()
        .map(|p| (p.bsn.clone(), (p.name.clone(), p.birth.date)))
        .collect();
    for ward in persons.iter_mut().flat_map(|p| p.custody.iter_mut()) {
        if let Some((name, born)) = records.get(&ward.bsn) {
            ward.name = Some(name.clone());
            ward.birth_date = Some(*born);
        }
    }
}

/// Country codes to names, learnt from the descriptions the records carry themselves.
fn country_names(people: &[GbaPerson]) -> HashMap<String, String> {
    let mut names = HashMap::new();
    let codes = people.iter().flat_map(|p| {
        [
            p.geboorte.as_ref().and_then(|g| g.land.as_ref()),
            p.immigratie
                .as_ref()
                .and_then(|i| i.land_vanwaar_ingeschreven.as_ref()),
        ]
    });
    for code in codes.flatten() {
        if let (Some(c), Some(name)) = (&code.code, &code.omschrijving) {
            names.insert(c.clone(), name.clone());
        }
    }
    names
}

fn optional_date(
    text: &Option<String>,
    what: &'static str,
) -> Result<Option<PartialDate>, GbaError> {
    text.as_deref()
        .map(|t| PartialDate::parse_brp(t).map_err(|_| GbaError::Date(what)))
        .transpose()
}

fn non_empty(text: &Option<String>) -> Option<String> {
    text.as_ref()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

fn residence(r: &GbaResidence, countries: &HashMap<String, String>) -> Option<Residence> {
    if let Some(street) = non_empty(&r.straat).or_else(|| non_empty(&r.naam_openbare_ruimte)) {
        return Some(Residence::Address(Address {
            street,
            house_number: r.huisnummer.as_deref().and_then(|n| n.trim().parse().ok()),
            house_letter: non_empty(&r.huisletter),
            house_number_addition: non_empty(&r.huisnummertoevoeging),
            postal_code: non_empty(&r.postcode),
            locality: non_empty(&r.woonplaats),
        }));
    }
    if let Some(description) = non_empty(&r.locatiebeschrijving) {
        return Some(Residence::Location(description));
    }
    let code = r.land.as_ref()?;
    let country = non_empty(&code.omschrijving)
        .or_else(|| code.code.as_ref().and_then(|c| countries.get(c).cloned()))
        .unwrap_or_else(|| "onbekend land".into());
    let lines = [&r.regel1, &r.regel2, &r.regel3]
        .into_iter()
        .filter_map(non_empty)
        .collect();
    Some(Residence::Abroad { country, lines })
}

fn to_person(
    p: GbaPerson,
    history: &[GbaHistoryEntry],
    countries: &HashMap<String, String>,
    custody: &[Relation],
) -> Result<Person, GbaError> {
    let bsn = Bsn::parse(&p.burgerservicenummer).map_err(|_| GbaError::Bsn)?;
    let current = match &p.verblijfplaats {
        Some(v) => match (
            residence(v, countries),
            optional_date(&v.datum_aanvang_adreshouding, "address")?,
        ) {
            (Some(r), from) => Some(AddressPeriod {
                residence: r,
                from: from.unwrap_or(PartialDate::Unknown),
                to: None,
            }),
            (None, _) => None,
        },
        None => None,
    };
    let address_history = build_history(history, current.as_ref(), countries)?;
    let birth = p.geboorte.as_ref();
    Ok(Person {
        custodians: custodians_of(&bsn, custody),
        custody: wards_of(&bsn, custody),
        bsn,
        name: name(&p.naam),
        partner_names: p
            .partners
            .iter()
            .filter_map(|r| r.naam.as_ref().map(name))
            .collect(),
        sex: p
            .geslacht
            .and_then(|g| g.omschrijving)
            .unwrap_or_else(|| "onbekend".into()),
        birth: Birth {
            date: optional_date(&birth.and_then(|b| b.datum.clone()), "birth")?
                .unwrap_or(PartialDate::Unknown),
            place: birth
                .and_then(|b| b.plaats.as_ref())
                .and_then(|c| non_empty(&c.omschrijving)),
            country: birth
                .and_then(|b| b.land.as_ref())
                .and_then(|c| non_empty(&c.omschrijving)),
        },
        nationalities: p
            .nationaliteiten
            .iter()
            .filter_map(|n| {
                n.nationaliteit
                    .as_ref()
                    .and_then(|c| non_empty(&c.omschrijving))
            })
            .collect(),
        residence: current,
        municipality: p.gemeente_van_inschrijving.and_then(|g| g.omschrijving),
        address_history,
        secrecy: p
            .geheimhouding_persoonsgegevens
            .is_some_and(|v| v.as_u64().unwrap_or(0) > 0 || v.as_str().is_some_and(|s| s != "0")),
        under_investigation: p.persoon_in_onderzoek.is_some_and(|v| !v.is_null()),
    })
}

fn name(n: &GbaName) -> Name {
    Name {
        given_names: n.voornamen.trim().to_owned(),
        prefix: non_empty(&n.voorvoegsel),
        family_name: n.geslachtsnaam.trim().to_owned(),
        noble_title: n
            .adellijke_titel_predicaat
            .as_ref()
            .and_then(|t| non_empty(&t.omschrijving)),
    }
}

/// One period per start date (corrections merged), oldest first, each ending where the next
/// begins unless it recorded its own end; the current residence comes from the person record.
fn build_history(
    entries: &[GbaHistoryEntry],
    current: Option<&AddressPeriod>,
    countries: &HashMap<String, String>,
) -> Result<Vec<AddressPeriod>, GbaError> {
    let mut by_start: BTreeMap<PartialDate, (Residence, Option<PartialDate>)> = BTreeMap::new();
    for entry in entries {
        let v = &entry.verblijfplaats;
        let Some(residence) = residence(v, countries) else {
            continue;
        };
        let start = optional_date(&v.datum_aanvang_adreshouding, "address")?
            .or(optional_date(&v.datum_aanvang_adres_buitenland, "address")?)
            .unwrap_or(PartialDate::Unknown);
        let end = optional_date(&v.datum_einde_adreshouding, "address")?
            .or(optional_date(&v.datum_einde_adres_buitenland, "address")?)
            // A period ending the day it began is a correction artefact, not an end.
            .filter(|end| *end > start);
        match by_start.get_mut(&start) {
            // The first record of a start date is the most complete one in these files.
            Some((_, existing_end)) => *existing_end = existing_end.or(end),
            None => {
                by_start.insert(start, (residence, end));
            }
        }
    }
    if let Some(current) = current {
        // The person record is the current truth: it replaces a history record of the same
        // start, and history records starting later contradict it and are dropped.
        by_start.retain(|start, _| *start < current.from);
        by_start.insert(current.from, (current.residence.clone(), None));
    }
    let starts: Vec<PartialDate> = by_start.keys().copied().collect();
    let mut periods: Vec<AddressPeriod> = by_start
        .into_iter()
        .enumerate()
        .map(|(i, (from, (residence, end)))| AddressPeriod {
            residence,
            from,
            to: end.or_else(|| starts.get(i + 1).copied()),
        })
        .collect();
    // Only the last period may be open, and only when it is the current residence.
    if let (Some(last), Some(current)) = (periods.last_mut(), current) {
        if last.from == current.from {
            last.to = None;
        }
    }
    Ok(periods)
}
