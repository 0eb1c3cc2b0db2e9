//! What the municipality puts in each credential type: a person's BRP data as SD-JWT VC
//! claims, with the disclosure frame that makes every personal attribute selectively
//! disclosable (each address of the history and each resident on its own). The same claims,
//! unframed, are the attributes of the printed documents.

mod custody;

pub use custody::CUSTODY;

use protocol::credential_types::CredentialType;
use protocol::sd_jwt::{ArrayFrame, Node, ObjectFrame};
use serde_json::{json, Map, Value};

use crate::person::{Name, PartialDate, Person, Residence};

/// Claims of a credential and the frame deciding what is selectively disclosable.
#[derive(Clone, Debug)]
pub struct CredentialClaims {
    pub claims: Map<String, Value>,
    pub frame: ObjectFrame,
}

/// Decoy digests per object: enough that the number of `_sd` entries does not reveal
/// whether optional attributes (name prefix, house letter) exist.
const DECOYS: usize = 3;

/// Claims for `kind` about `person`, as of `today`; `residents` are the persons registered
/// at the person's current residence (for the address history).
pub fn claims_for(
    kind: CredentialType,
    person: &Person,
    residents: &[(Name, PartialDate)],
    today: PartialDate,
) -> CredentialClaims {
    match kind {
        CredentialType::UittrekselBrp => brp_extract(person, today),
        CredentialType::Woonhistorie => address_history(person, residents),
    }
}

fn insert_opt(map: &mut Map<String, Value>, key: &str, value: Option<impl Into<Value>>) {
    if let Some(v) = value {
        map.insert(key.into(), v.into());
    }
}

fn name_claims(map: &mut Map<String, Value>, name: &Name) {
    map.insert("given_name".into(), name.given_names.clone().into());
    insert_opt(map, "name_prefix", name.prefix.clone());
    map.insert("family_name".into(), name.family_name.clone().into());
}

/// The residence as a claim: an address object, a location description, or a foreign
/// address; with the claim name it belongs under.
fn residence_claim(residence: &Residence) -> (&'static str, Value) {
    match residence {
        Residence::Address(a) => {
            let mut m = Map::new();
            m.insert("street".into(), a.street.clone().into());
            insert_opt(&mut m, "house_number", a.house_number);
            insert_opt(&mut m, "house_letter", a.house_letter.clone());
            insert_opt(
                &mut m,
                "house_number_addition",
                a.house_number_addition.clone(),
            );
            insert_opt(&mut m, "postal_code", a.postal_code.clone());
            insert_opt(&mut m, "locality", a.locality.clone());
            ("address", Value::Object(m))
        }
        Residence::Location(description) => ("location_description", description.clone().into()),
        Residence::Abroad { country, lines } => (
            "address_abroad",
            json!({"country": country, "lines": lines}),
        ),
    }
}

/// Every member of an object selectively disclosable, plus decoys.
fn all_members(object: &Map<String, Value>) -> ObjectFrame {
    ObjectFrame::sd_members(object.keys().cloned()).with_decoys(DECOYS)
}

fn brp_extract(person: &Person, today: PartialDate) -> CredentialClaims {
    let mut claims = Map::new();
    claims.insert("bsn".into(), person.bsn.as_str().into());
    name_claims(&mut claims, &person.name);
    insert_opt(&mut claims, "noble_title", person.name.noble_title.clone());
    insert_opt(&mut claims, "birthdate", person.birth.date.iso());
    insert_opt(&mut claims, "place_of_birth", person.birth.place.clone());
    insert_opt(
        &mut claims,
        "country_of_birth",
        person.birth.country.clone(),
    );
    claims.insert("sex".into(), person.sex.clone().into());
    claims.insert("nationalities".into(), json!(person.nationalities));
    let mut frame = ObjectFrame::default().with_decoys(DECOYS);
    if let Some(current) = &person.residence {
        let (name, value) = residence_claim(&current.residence);
        if let Value::Object(address) = &value {
            frame = frame.with(name, Node::sd_object(all_members(address)));
        }
        claims.insert(name.into(), value);
        insert_opt(&mut claims, "address_since", current.from.iso());
    }
    insert_opt(&mut claims, "municipality", person.municipality.clone());
    // Only "true" when certain: a birth date with unknown parts counts from its latest
    // possible day.
    let age = person.birth.date.certain_age(today);
    claims.insert("age_over_18".into(), age.is_some_and(|a| a >= 18).into());
    if let Some((value, node)) = custody::custody_claim(person, today) {
        frame = frame.with(CUSTODY, node);
        claims.insert(CUSTODY.into(), value);
    }
    for key in claims.keys() {
        if !frame.members.contains_key(key) {
            let node = if key == "nationalities" {
                Node::sd_array(ArrayFrame::each(Node::sd()))
            } else {
                Node::sd()
            };
            frame.members.insert(key.clone(), node);
        }
    }
    CredentialClaims { claims, frame }
}

fn address_history(person: &Person, residents: &[(Name, PartialDate)]) -> CredentialClaims {
    let addresses: Vec<Value> = person
        .address_history
        .iter()
        .map(|period| {
            let (name, value) = residence_claim(&period.residence);
            // A Dutch address's fields sit in the entry itself; other residences under
            // their own name, so a reader can tell them apart.
            let mut entry = match value {
                Value::Object(address) if name == "address" => address,
                other => {
                    let mut m = Map::new();
                    m.insert(name.into(), other);
                    m
                }
            };
            insert_opt(&mut entry, "date_from", period.from.iso());
            insert_opt(&mut entry, "date_to", period.to.and_then(|t| t.iso()));
            Value::Object(entry)
        })
        .collect();
    let residents: Vec<Value> = residents
        .iter()
        .map(|(name, since)| {
            let mut m = Map::new();
            name_claims(&mut m, name);
            insert_opt(&mut m, "since", since.iso());
            Value::Object(m)
        })
        .collect();
    let mut claims = Map::new();
    name_claims(&mut claims, &person.name);
    insert_opt(&mut claims, "birthdate", person.birth.date.iso());
    insert_opt(&mut claims, "municipality", person.municipality.clone());
    claims.insert("addresses".into(), Value::Array(addresses));
    claims.insert("residents".into(), Value::Array(residents));
    // Each address and each resident can be shown on its own, and within an address each
    // field (a corporation may need the dates but not the street of an earlier home).
    let element =
        |fields: &[&str]| Node::sd_object(ObjectFrame::sd_members(fields.iter().copied()));
    let mut frame = ObjectFrame::default().with_decoys(DECOYS);
    for key in claims.keys() {
        let node = match key.as_str() {
            // The lists themselves are disclosable too: a verifier that asks for neither
            // does not even learn how many addresses or residents there are.
            "addresses" => Node::sd_array(ArrayFrame {
                elements: claims["addresses"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .enumerate()
                    .map(|(i, a)| {
                        let fields: Vec<&str> = a
                            .as_object()
                            .map(|o| o.keys().map(String::as_str).collect())
                            .unwrap_or_default();
                        (i, element(&fields))
                    })
                    .collect(),
                ..Default::default()
            }),
            "residents" => Node::sd_array(ArrayFrame::each(Node::sd())),
            _ => Node::sd(),
        };
        frame.members.insert(key.clone(), node);
    }
    CredentialClaims { claims, frame }
}
