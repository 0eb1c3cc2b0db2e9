//! The real person source: the Haal Centraal BRP Personen API (v2 JSON) and the
//! verblijfplaatshistorie API, over HTTP(S). Read-only: the BRP is the source of truth and
//! Regie never writes to it.
//!
//! Requests (POST, JSON):
//! - `{base}/personen` with `{"type": "RaadpleegMetBurgerservicenummer",
//!   "burgerservicenummer": [bsn], "fields": [...]}` → `{"personen": [...]}`;
//! - `{base}/personen` with `{"type": "ZoekMetPostcodeEnHuisnummer", "postcode", "huisnummer",
//!   "huisletter"?, "huisnummertoevoeging"?, "fields"}` for the residents of an address;
//! - `{base}/personen` with `{"type": "RaadpleegMetBurgerservicenummer",
//!   "burgerservicenummer": [minors...], "fields": [names, birth date]}` for the names of
//!   the minors in the person's custody (`gezag` names them by BSN only);
//! - `{base}/verblijfplaatshistorie` with `{"type": "RaadpleegMetPeriode",
//!   "burgerservicenummer", "datumVan", "datumTot"}` → `{"verblijfplaatsen": [...]}`.
//!
//! Dates come as `{"type": "Datum", "datum": "2015-08-08"}`, `{"type": "JaarMaandDatum",
//! "jaar", "maand"}`, `{"type": "JaarDatum", "jaar"}` or `{"type": "DatumOnbekend"}`.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};
use zeroize::Zeroizing;

use super::custody::{custodians_of, wards_of, RawCustody, Relation};
use super::source::{PersonSource, PersonSummary, SourceError};
use super::{Address, AddressPeriod, Birth, Bsn, Name, PartialDate, Person, Residence};

/// Largest response body accepted from the BRP.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

const FIELDS: &[&str] = &[
    "burgerservicenummer",
    "naam",
    "geslacht",
    "geboorte",
    "nationaliteiten",
    "verblijfplaats",
    "gemeenteVanInschrijving",
    "gezag",
    "partners",
    "geheimhoudingPersoonsgegevens",
];

/// What Regie needs of a minor in someone's custody: names and date of birth, nothing more.
const WARD_FIELDS: &[&str] = &[
    "burgerservicenummer",
    "naam.voornamen",
    "naam.voorvoegsel",
    "naam.geslachtsnaam",
    "geboorte.datum",
];

/// Most BSNs one `RaadpleegMetBurgerservicenummer` request may name.
const MAX_BSNS_PER_REQUEST: usize = 20;

/// Client for the Haal Centraal BRP APIs.
pub struct HaalCentraalSource {
    client: reqwest::Client,
    base_url: String,
    api_key: Option<Zeroizing<String>>,
}

impl HaalCentraalSource {
    /// A client for the API at `base_url` (without trailing slash), with an optional API key
    /// sent as `X-API-KEY`.
    pub fn new(
        base_url: &str,
        api_key: Option<String>,
        timeout: Duration,
    ) -> Result<Self, SourceError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| SourceError::Unavailable(e.to_string()))?;
        Ok(HaalCentraalSource {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key: api_key.map(Zeroizing::new),
        })
    }

    async fn post(&self, path: &str, body: Value) -> Result<Option<Value>, SourceError> {
        let mut request = self
            .client
            .post(format!("{}/{path}", self.base_url))
            .json(&body);
        if let Some(key) = &self.api_key {
            request = request.header("X-API-KEY", key.as_str());
        }
        // Errors name the endpoint, never the person asked about.
        let mut response = request
            .send()
            .await
            .map_err(|e| SourceError::Unavailable(format!("{path}: {}", e.without_url())))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(SourceError::Unavailable(format!("{path}: HTTP {status}")));
        }
        if !status.is_success() {
            return Err(SourceError::BadResponse(format!("{path}: HTTP {status}")));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| SourceError::Unavailable(format!("{path}: {}", e.without_url())))?
        {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(SourceError::BadResponse(format!(
                    "{path}: response too large"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body)
            .map(Some)
            .map_err(|_| SourceError::BadResponse(format!("{path}: not JSON")))
    }

    async fn persons(&self, query: Value) -> Result<Vec<V2Person>, SourceError> {
        let Some(answer) = self.post("personen", query).await? else {
            return Ok(Vec::new());
        };
        let answer: PersonsAnswer = serde_json::from_value(answer)
            .map_err(|_| SourceError::BadResponse("personen: unexpected shape".into()))?;
        Ok(answer.personen)
    }

    async fn history(&self, bsn: &Bsn) -> Result<Vec<V2Residence>, SourceError> {
        let query = json!({
            "type": "RaadpleegMetPeriode",
            "burgerservicenummer": bsn.as_str(),
            "datumVan": "1900-01-01",
            "datumTot": "2999-12-31",
        });
        let Some(answer) = self.post("verblijfplaatshistorie", query).await? else {
            return Ok(Vec::new());
        };
        let answer: HistoryAnswer = serde_json::from_value(answer).map_err(|_| {
            SourceError::BadResponse("verblijfplaatshistorie: unexpected shape".into())
        })?;
        Ok(answer.verblijfplaatsen)
    }

    /// The persons the BRP finds at `address`'s postal code and house number (letter and
    /// addition included when given); callers still compare the dwelling.
    async fn at_address(&self, address: &Address) -> Result<Vec<Person>, SourceError> {
        let (Some(postcode), Some(number)) = (&address.postal_code, address.house_number) else {
            return Ok(Vec::new());
        };
        let mut query = json!({
            "type": "ZoekMetPostcodeEnHuisnummer",
            "postcode": postcode,
            "huisnummer": number,
            "fields": FIELDS,
        });
        if let Some(letter) = &address.house_letter {
            query["huisletter"] = letter.clone().into();
        }
        if let Some(addition) = &address.house_number_addition {
            query["huisnummertoevoeging"] = addition.clone().into();
        }
        self.persons(query)
            .await?
            .into_iter()
            .map(|found| to_person(found, Vec::new()))
            .collect()
    }

    /// Fills in the names and birth dates of `person`'s wards from their own records. A
    /// ward the BRP does not return keeps only the BSN the custody relation gave.
    async fn name_wards(&self, person: &mut Person) -> Result<(), SourceError> {
        let bsns: Vec<String> = person
            .custody
            .iter()
            .map(|w| w.bsn.as_str().to_owned())
            .collect();
        for chunk in bsns.chunks(MAX_BSNS_PER_REQUEST) {
            let query = json!({
                "type": "RaadpleegMetBurgerservicenummer",
                "burgerservicenummer": chunk,
                "fields": WARD_FIELDS,
            });
            for found in self.persons(query).await? {
                let Some(ward) = person
                    .custody
                    .iter_mut()
                    .find(|w| w.bsn.as_str() == found.burgerservicenummer)
                else {
                    continue;
                };
                ward.name = found.naam.as_ref().map(name);
                ward.birth_date = Some(
                    found
                        .geboorte
                        .as_ref()
                        .and_then(|b| b.datum.as_ref())
                        .map(date)
                        .transpose()?
                        .unwrap_or(PartialDate::Unknown),
                );
            }
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl PersonSource for HaalCentraalSource {
    async fn get(&self, bsn: &Bsn) -> Result<Option<Person>, SourceError> {
        let query = json!({
            "type": "RaadpleegMetBurgerservicenummer",
            "burgerservicenummer": [bsn.as_str()],
            "fields": FIELDS,
        });
        let Some(found) = self.persons(query).await?.into_iter().next() else {
            return Ok(None);
        };
        if found.burgerservicenummer != bsn.as_str() {
            return Err(SourceError::BadResponse(
                "personen: another person than asked".into(),
            ));
        }
        let history = self.history(bsn).await?;
        let mut person = to_person(found, history)?;
        self.name_wards(&mut person).await?;
        Ok(Some(person))
    }

    async fn list(&self) -> Result<Vec<PersonSummary>, SourceError> {
        // The BRP cannot be listed; the test login works with the fixture source only.
        Err(SourceError::Unsupported)
    }

    async fn residents_at(
        &self,
        residence: &Residence,
    ) -> Result<Vec<(Name, PartialDate)>, SourceError> {
        let Residence::Address(address) = residence else {
            return Ok(Vec::new());
        };
        let mut residents = Vec::new();
        for person in self.at_address(address).await? {
            if let Some(current) = person.residence.filter(|r| match &r.residence {
                Residence::Address(a) => a.same_dwelling(address),
                _ => false,
            }) {
                residents.push((person.name, current.from));
            }
        }
        residents.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.full().cmp(&b.0.full())));
        Ok(residents)
    }

    async fn bsns_at(&self, residence: &Residence) -> Result<Vec<Bsn>, SourceError> {
        let Residence::Address(address) = residence else {
            return Ok(Vec::new());
        };
        let mut bsns = Vec::new();
        for person in self.at_address(address).await? {
            if matches!(person.residence.as_ref().map(|r| &r.residence),
                Some(Residence::Address(a)) if a.same_dwelling(address))
            {
                bsns.push(person.bsn);
            }
        }
        Ok(bsns)
    }

    async fn find_addresses(
        &self,
        postal_code: &str,
        house_number: u32,
    ) -> Result<Vec<(Address, String)>, SourceError> {
        let query = json!({
            "type": "ZoekMetPostcodeEnHuisnummer",
            "postcode": super::source::normal_postal_code(postal_code),
            "huisnummer": house_number,
            "fields": FIELDS,
        });
        let mut found: Vec<(Address, String)> = Vec::new();
        for raw in self.persons(query).await? {
            let person = to_person(raw, Vec::new())?;
            if let Some(Residence::Address(a)) = person.residence.map(|r| r.residence) {
                if !found.iter().any(|(f, _)| f.same_dwelling(&a)) {
                    found.push((a, person.municipality.unwrap_or_default()));
                }
            }
        }
        found.sort_by_key(|(a, _)| a.street_line());
        Ok(found)
    }

    async fn record_move(
        &self,
        _: &Bsn,
        _: Address,
        _: &str,
        _: PartialDate,
    ) -> Result<Person, SourceError> {
        Err(SourceError::Unsupported)
    }
}

#[derive(Deserialize)]
struct PersonsAnswer {
    #[serde(default)]
    personen: Vec<V2Person>,
}

#[derive(Deserialize)]
struct HistoryAnswer {
    #[serde(default)]
    verblijfplaatsen: Vec<V2Residence>,
}

#[derive(Deserialize)]
struct V2Code {
    omschrijving: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V2Person {
    burgerservicenummer: String,
    naam: Option<V2Name>,
    geslacht: Option<V2Code>,
    geboorte: Option<V2Birth>,
    #[serde(default)]
    nationaliteiten: Vec<V2Nationality>,
    verblijfplaats: Option<V2Residence>,
    gemeente_van_inschrijving: Option<V2Code>,
    #[serde(default)]
    gezag: Vec<RawCustody>,
    #[serde(default)]
    partners: Vec<V2Partner>,
    #[serde(default)]
    geheimhouding_persoonsgegevens: Option<bool>,
    /// Everything else, searched for `inOnderzoek` markers.
    #[serde(flatten)]
    rest: serde_json::Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V2Name {
    voornamen: Option<String>,
    voorvoegsel: Option<String>,
    geslachtsnaam: Option<String>,
    adellijke_titel_predicaat: Option<V2Code>,
    #[serde(flatten)]
    rest: serde_json::Map<String, Value>,
}

#[derive(Deserialize)]
struct V2Partner {
    naam: Option<V2Name>,
}

#[derive(Deserialize)]
struct V2Nationality {
    nationaliteit: Option<V2Code>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V2Birth {
    datum: Option<Value>,
    plaats: Option<V2Code>,
    land: Option<V2Code>,
    #[serde(flatten)]
    rest: serde_json::Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V2Residence {
    #[serde(rename = "type")]
    kind: Option<String>,
    verblijfadres: Option<V2Address>,
    datum_van: Option<Value>,
    datum_tot: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V2Address {
    officiele_straatnaam: Option<String>,
    korte_straatnaam: Option<String>,
    huisnummer: Option<u32>,
    huisletter: Option<String>,
    huisnummertoevoeging: Option<String>,
    postcode: Option<String>,
    woonplaats: Option<String>,
    locatiebeschrijving: Option<String>,
    land: Option<V2Code>,
    regel1: Option<String>,
    regel2: Option<String>,
    regel3: Option<String>,
}

fn bad(what: &str) -> SourceError {
    SourceError::BadResponse(format!("personen: invalid {what}"))
}

/// A v2 date object.
fn date(value: &Value) -> Result<PartialDate, SourceError> {
    let number = |key: &str| value.get(key).and_then(Value::as_u64);
    match value.get("type").and_then(Value::as_str) {
        Some("Datum") => value
            .get("datum")
            .and_then(Value::as_str)
            .and_then(|d| PartialDate::parse_iso(d).ok())
            .ok_or_else(|| bad("date")),
        Some("JaarMaandDatum") => match (number("jaar"), number("maand")) {
            (Some(y), Some(m)) => {
                PartialDate::parse_iso(&format!("{y:04}-{m:02}")).map_err(|_| bad("date"))
            }
            _ => Err(bad("date")),
        },
        Some("JaarDatum") => number("jaar")
            .and_then(|y| PartialDate::parse_iso(&format!("{y:04}")).ok())
            .ok_or_else(|| bad("date")),
        Some("DatumOnbekend") => Ok(PartialDate::Unknown),
        _ => Err(bad("date")),
    }
}

fn text(value: &Option<String>) -> Option<String> {
    value
        .as_ref()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

fn residence(r: &V2Residence) -> Option<Residence> {
    let a = r.verblijfadres.as_ref()?;
    match r.kind.as_deref() {
        Some("VerblijfplaatsBuitenland") => Some(Residence::Abroad {
            country: a
                .land
                .as_ref()
                .and_then(|l| text(&l.omschrijving))
                .unwrap_or_else(|| "onbekend land".into()),
            lines: [&a.regel1, &a.regel2, &a.regel3]
                .into_iter()
                .filter_map(text)
                .collect(),
        }),
        Some("Locatie") => text(&a.locatiebeschrijving).map(Residence::Location),
        _ => Some(Residence::Address(Address {
            street: text(&a.korte_straatnaam).or_else(|| text(&a.officiele_straatnaam))?,
            house_number: a.huisnummer,
            house_letter: text(&a.huisletter),
            house_number_addition: text(&a.huisnummertoevoeging),
            postal_code: text(&a.postcode),
            locality: text(&a.woonplaats),
        })),
    }
}

fn period(r: &V2Residence) -> Result<Option<AddressPeriod>, SourceError> {
    let Some(residence) = residence(r) else {
        return Ok(None);
    };
    Ok(Some(AddressPeriod {
        residence,
        from: r
            .datum_van
            .as_ref()
            .map(date)
            .transpose()?
            .unwrap_or(PartialDate::Unknown),
        to: r.datum_tot.as_ref().map(date).transpose()?,
    }))
}

fn name(n: &V2Name) -> Name {
    Name {
        given_names: text(&n.voornamen).unwrap_or_default(),
        prefix: text(&n.voorvoegsel),
        family_name: text(&n.geslachtsnaam).unwrap_or_default(),
        noble_title: n
            .adellijke_titel_predicaat
            .as_ref()
            .and_then(|t| text(&t.omschrijving)),
    }
}

fn mentions_investigation(map: &serde_json::Map<String, Value>) -> bool {
    fn walk(value: &Value) -> bool {
        match value {
            Value::Object(m) => m.contains_key("inOnderzoek") || m.values().any(walk),
            Value::Array(items) => items.iter().any(walk),
            _ => false,
        }
    }
    map.contains_key("inOnderzoek") || map.values().any(walk)
}

fn to_person(p: V2Person, history: Vec<V2Residence>) -> Result<Person, SourceError> {
    let bsn = Bsn::parse(&p.burgerservicenummer).map_err(|_| bad("BSN"))?;
    let current = p
        .verblijfplaats
        .as_ref()
        .map(period)
        .transpose()?
        .flatten()
        .map(|mut c| {
            c.to = None;
            c
        });
    let mut address_history: Vec<AddressPeriod> = history
        .iter()
        .map(period)
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .collect();
    address_history.sort_by_key(|p| p.from);
    if let Some(current) = &current {
        // As with the fixtures: the person record is the current truth; history that starts
        // with or after it is replaced by it.
        address_history.retain(|p| p.from < current.from);
        if let Some(previous) = address_history.last_mut() {
            previous.to = previous.to.or(Some(current.from));
        }
        address_history.push(current.clone());
    }
    let under_investigation = mentions_investigation(&p.rest)
        || p.naam
            .as_ref()
            .is_some_and(|n| mentions_investigation(&n.rest))
        || p.geboorte
            .as_ref()
            .is_some_and(|g| mentions_investigation(&g.rest));
    let birth = p.geboorte.as_ref();
    // A person's `gezag` holds the relations they are part of: as the minor (who has
    // custody of them) and as a custodian (whom they have custody of).
    let relations: Vec<Relation> = p
        .gezag
        .iter()
        .filter_map(|g| g.relation(bsn.as_str()))
        .collect();
    Ok(Person {
        custodians: custodians_of(&bsn, &relations),
        custody: wards_of(&bsn, &relations),
        name: p.naam.as_ref().map(name).unwrap_or_default(),
        partner_names: p
            .partners
            .iter()
            .filter_map(|r| r.naam.as_ref().map(name))
            .collect(),
        sex: p
            .geslacht
            .and_then(|g| text(&g.omschrijving))
            .unwrap_or_else(|| "onbekend".into()),
        birth: Birth {
            date: birth
                .and_then(|b| b.datum.as_ref())
                .map(date)
                .transpose()?
                .unwrap_or(PartialDate::Unknown),
            place: birth
                .and_then(|b| b.plaats.as_ref())
                .and_then(|c| text(&c.omschrijving)),
            country: birth
                .and_then(|b| b.land.as_ref())
                .and_then(|c| text(&c.omschrijving)),
        },
        nationalities: p
            .nationaliteiten
            .iter()
            .filter_map(|n| n.nationaliteit.as_ref().and_then(|c| text(&c.omschrijving)))
            .collect(),
        residence: current,
        municipality: p
            .gemeente_van_inschrijving
            .and_then(|g| text(&g.omschrijving)),
        address_history,
        secrecy: p.geheimhouding_persoonsgegevens.unwrap_or(false),
        under_investigation,
        bsn,
    })
}
