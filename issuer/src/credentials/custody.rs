//! The `custody` claim of the BRP extract: the minors the holder has custody of, one
//! selectively disclosable element per minor, so a custodian can show one child without
//! the others (a verifier asks for `["custody", null, "bsn"]` with that child's BSN as
//! DCQL `values`).
//!
//! Shape: `[{"bsn", "given_name", "name_prefix"?, "family_name", "birthdate"?}, ...]`,
//! oldest child first. A minor the person source has no record of is listed by BSN alone.

use protocol::sd_jwt::{ArrayFrame, Node, ObjectFrame};
use serde_json::{Map, Value};

use super::{insert_opt, name_claims, DECOYS};
use crate::person::{PartialDate, Person, Ward};

/// The claim name.
pub const CUSTODY: &str = "custody";

/// The list is padded with decoy elements up to this length, so that a verifier shown one
/// child does not learn how many children the holder has custody of (up to this many).
const PADDED_LENGTH: usize = 6;

/// Age at which custody ends (Burgerlijk Wetboek 1:233: a minor is under 18).
const MAJORITY: u16 = 18;

/// The `custody` claim and its frame, or `None` when the person has custody of nobody (no
/// claim at all: the absence of the claim is what a verifier would learn from an empty
/// list as well, and absence keeps credentials of most people unchanged).
pub(super) fn custody_claim(person: &Person, today: PartialDate) -> Option<(Value, Node)> {
    let mut wards: Vec<&Ward> = person
        .custody
        .iter()
        .filter(|w| still_minor(w, today))
        .collect();
    if wards.is_empty() {
        return None;
    }
    wards.sort_by(|a, b| {
        a.birth_date
            .cmp(&b.birth_date)
            .then_with(|| a.bsn.cmp(&b.bsn))
    });
    let elements: Vec<Map<String, Value>> = wards.into_iter().map(element).collect();
    // Each child on its own, and within a child each attribute on its own (a verifier
    // that needs only the BSN gets only the BSN); decoys hide whether a prefix exists.
    let frame = ArrayFrame {
        elements: elements
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let members = ObjectFrame::sd_members(e.keys().cloned()).with_decoys(DECOYS);
                (i, Node::sd_object(members))
            })
            .collect(),
        decoys: PADDED_LENGTH.saturating_sub(elements.len()),
        ..Default::default()
    };
    let value = Value::Array(elements.into_iter().map(Value::Object).collect());
    Some((value, Node::sd_array(frame)))
}

/// The BRP only reports custody of minors, but a stored or cached record (the fixture set
/// is fixed) can outlive a child's 18th birthday: custody ended then, so the child is left
/// out once certainly of age. A birth date with unknown parts counts from its latest
/// possible day; an unknown one keeps the child, as the BRP stated the relation.
fn still_minor(ward: &Ward, today: PartialDate) -> bool {
    let age = ward.birth_date.and_then(|born| born.certain_age(today));
    age.is_none_or(|years| years < MAJORITY)
}

fn element(ward: &Ward) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("bsn".into(), ward.bsn.as_str().into());
    if let Some(name) = &ward.name {
        name_claims(&mut m, name);
    }
    insert_opt(&mut m, "birthdate", ward.birth_date.and_then(|d| d.iso()));
    m
}
