//! Custody (`gezag`) as the BRP reports it, in the shape the Haal Centraal BRP API and its
//! fixture files share: one relation per minor, of a type that says who holds custody.
//!
//! Which BSNs hold custody, per type (Haal Centraal `Gezagsrelatie`, API v1 and v2 names):
//! - `TweehoofdigOuderlijkGezag` / `GezamenlijkOuderlijkGezag`: both parents (`ouders`);
//! - `EenhoofdigOuderlijkGezag`: one parent (`ouder`);
//! - `GezamenlijkGezag`: a parent (`ouder`) together with a third person (`derde`, whose
//!   BSN is known only for a `BekendeDerde`);
//! - `Voogdij`: zero to two guardians (`derden`);
//! - `TijdelijkGeenGezag` (custody temporarily with nobody) and `GezagNietTeBepalen` (the
//!   BRP cannot determine it): nobody. These give no one a custody relation: the
//!   municipality has to decide such a case by hand, so Regie never claims one.
//!
//! An unknown type is skipped too: custody is a legal power, and listing someone as
//! custodian on a guess would be worse than leaving them out.

use serde::Deserialize;

use super::{Bsn, Name, PartialDate};

/// Who holds custody of a minor, as the BRP determined it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustodyKind {
    /// Both parents together (`TweehoofdigOuderlijkGezag`, `GezamenlijkOuderlijkGezag`).
    BothParents,
    /// One parent alone (`EenhoofdigOuderlijkGezag`).
    OneParent,
    /// A parent together with someone who is not a parent (`GezamenlijkGezag`).
    ParentAndThirdParty,
    /// One or two guardians (`Voogdij`).
    Guardianship,
}

impl CustodyKind {
    /// The type name the Haal Centraal BRP API (v1) uses.
    pub fn brp_type(self) -> &'static str {
        match self {
            CustodyKind::BothParents => "TweehoofdigOuderlijkGezag",
            CustodyKind::OneParent => "EenhoofdigOuderlijkGezag",
            CustodyKind::ParentAndThirdParty => "GezamenlijkGezag",
            CustodyKind::Guardianship => "Voogdij",
        }
    }

    fn from_brp_type(name: &str) -> Option<CustodyKind> {
        match name {
            "TweehoofdigOuderlijkGezag" | "GezamenlijkOuderlijkGezag" => {
                Some(CustodyKind::BothParents)
            }
            "EenhoofdigOuderlijkGezag" => Some(CustodyKind::OneParent),
            "GezamenlijkGezag" => Some(CustodyKind::ParentAndThirdParty),
            "Voogdij" => Some(CustodyKind::Guardianship),
            _ => None,
        }
    }
}

/// A minor in someone's custody.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ward {
    pub bsn: Bsn,
    pub kind: CustodyKind,
    /// From the minor's own record. `None` when the source has no record of this BSN (a
    /// minor registered elsewhere, or not yet in the source): the BSN is still listed,
    /// because that is what the BRP's custody relation states.
    pub name: Option<Name>,
    /// From the minor's own record; `None` as for `name`.
    pub birth_date: Option<PartialDate>,
}

/// One `gezag` entry as both the API and the fixture files carry it.
#[derive(Deserialize, Debug)]
pub(super) struct RawCustody {
    #[serde(rename = "type")]
    kind: Option<String>,
    minderjarige: Option<BsnRef>,
    #[serde(default)]
    ouders: Vec<BsnRef>,
    ouder: Option<BsnRef>,
    derde: Option<BsnRef>,
    #[serde(default)]
    derden: Vec<BsnRef>,
}

#[derive(Deserialize, Debug)]
struct BsnRef {
    burgerservicenummer: Option<String>,
}

/// A custody relation: the minor, its kind and the custodians with a BSN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Relation {
    pub minor: Bsn,
    pub kind: CustodyKind,
    pub custodians: Vec<Bsn>,
}

impl RawCustody {
    /// The relation this entry states. `record_bsn` is the BSN of the record it came from,
    /// taken as the minor when the entry names none (older mocks leave it out on the minor's
    /// own record). `None` for the types that give nobody custody, unknown types and
    /// invalid BSNs.
    pub(super) fn relation(&self, record_bsn: &str) -> Option<Relation> {
        let kind = CustodyKind::from_brp_type(self.kind.as_deref()?)?;
        let minor = self
            .minderjarige
            .as_ref()
            .and_then(|m| m.burgerservicenummer.as_deref())
            .unwrap_or(record_bsn);
        let minor = Bsn::parse(minor).ok()?;
        let holders: Vec<&BsnRef> = match kind {
            CustodyKind::BothParents => self.ouders.iter().collect(),
            CustodyKind::OneParent => self.ouder.iter().collect(),
            CustodyKind::ParentAndThirdParty => self.ouder.iter().chain(&self.derde).collect(),
            CustodyKind::Guardianship => self.derden.iter().collect(),
        };
        let mut custodians: Vec<Bsn> = Vec::new();
        for bsn in holders
            .into_iter()
            .filter_map(|h| h.burgerservicenummer.as_deref())
            .filter_map(|b| Bsn::parse(b).ok())
        {
            if bsn != minor && !custodians.contains(&bsn) {
                custodians.push(bsn);
            }
        }
        Some(Relation {
            minor,
            kind,
            custodians,
        })
    }
}

/// The custodians of `minor` in `relations`, each once, in the order found.
pub(super) fn custodians_of(minor: &Bsn, relations: &[Relation]) -> Vec<Bsn> {
    let mut found: Vec<Bsn> = Vec::new();
    for bsn in relations
        .iter()
        .filter(|r| &r.minor == minor)
        .flat_map(|r| &r.custodians)
    {
        if !found.contains(bsn) {
            found.push(bsn.clone());
        }
    }
    found
}

/// The minors `holder` has custody of in `relations`, each once, without names yet.
pub(super) fn wards_of(holder: &Bsn, relations: &[Relation]) -> Vec<Ward> {
    let mut wards: Vec<Ward> = Vec::new();
    for r in relations.iter().filter(|r| r.custodians.contains(holder)) {
        if !wards.iter().any(|w| w.bsn == r.minor) {
            wards.push(Ward {
                bsn: r.minor.clone(),
                kind: r.kind,
                name: None,
                birth_date: None,
            });
        }
    }
    wards
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn relation(entry: serde_json::Value, record: &str) -> Option<Relation> {
        serde_json::from_value::<RawCustody>(entry)
            .unwrap()
            .relation(record)
    }

    fn bsns(list: &[Bsn]) -> Vec<&str> {
        list.iter().map(Bsn::as_str).collect()
    }

    const PARENT: &str = "999994542";
    const OTHER: &str = "999993112";
    const MINOR: &str = "999995807";

    #[test]
    fn each_type_names_its_own_custodians() {
        let both = relation(
            json!({"type": "GezamenlijkOuderlijkGezag", "ouders": [{"burgerservicenummer": PARENT},
                {"burgerservicenummer": OTHER}], "minderjarige": {"burgerservicenummer": MINOR}}),
            PARENT,
        )
        .unwrap();
        assert_eq!(both.kind, CustodyKind::BothParents);
        assert_eq!(bsns(&both.custodians), [PARENT, OTHER]);
        let one = relation(
            json!({"type": "EenhoofdigOuderlijkGezag", "ouder": {"burgerservicenummer": PARENT},
                "minderjarige": {"burgerservicenummer": MINOR}}),
            MINOR,
        )
        .unwrap();
        assert_eq!(bsns(&one.custodians), [PARENT]);
        let with_third = relation(
            json!({"type": "GezamenlijkGezag", "ouder": {"burgerservicenummer": PARENT},
                "derde": {"type": "BekendeDerde", "burgerservicenummer": OTHER},
                "minderjarige": {"burgerservicenummer": MINOR}}),
            PARENT,
        )
        .unwrap();
        assert_eq!(bsns(&with_third.custodians), [PARENT, OTHER]);
        let unknown_third = relation(
            json!({"type": "GezamenlijkGezag", "ouder": {"burgerservicenummer": PARENT},
                "derde": {"type": "OnbekendeDerde"}, "minderjarige": {"burgerservicenummer": MINOR}}),
            PARENT,
        )
        .unwrap();
        assert_eq!(bsns(&unknown_third.custodians), [PARENT]);
        let guardians = relation(
            json!({"type": "Voogdij", "derden": [{"burgerservicenummer": OTHER}],
                "minderjarige": {"burgerservicenummer": MINOR}}),
            OTHER,
        )
        .unwrap();
        assert_eq!(guardians.kind, CustodyKind::Guardianship);
        assert_eq!(bsns(&guardians.custodians), [OTHER]);
        // A parent named in a guardianship's `ouders` (not a field of that type) is no
        // guardian.
        let stray = relation(
            json!({"type": "Voogdij", "ouders": [{"burgerservicenummer": PARENT}],
                "minderjarige": {"burgerservicenummer": MINOR}}),
            PARENT,
        )
        .unwrap();
        assert!(stray.custodians.is_empty());
    }

    #[test]
    fn no_custody_undetermined_and_unknown_types_give_nobody_custody() {
        for kind in ["TijdelijkGeenGezag", "GezagNietTeBepalen", "IetsNieuws"] {
            let entry = json!({"type": kind, "ouders": [{"burgerservicenummer": PARENT}],
                "minderjarige": {"burgerservicenummer": MINOR}});
            assert_eq!(relation(entry, PARENT), None, "{kind}");
        }
        assert_eq!(relation(json!({"type": "GezagNietTeBepalen"}), MINOR), None);
    }

    #[test]
    fn holders_and_minors_from_the_relations() {
        let entries = [
            json!({"type": "TweehoofdigOuderlijkGezag", "ouders": [{"burgerservicenummer": PARENT},
                {"burgerservicenummer": OTHER}], "minderjarige": {"burgerservicenummer": MINOR}}),
            // The minor's own record, without `minderjarige`, repeating the same relation.
            json!({"type": "TweehoofdigOuderlijkGezag", "ouders": [{"burgerservicenummer": OTHER},
                {"burgerservicenummer": PARENT}]}),
        ];
        let relations: Vec<Relation> = [
            relation(entries[0].clone(), PARENT),
            relation(entries[1].clone(), MINOR),
        ]
        .into_iter()
        .flatten()
        .collect();
        let minor = Bsn::parse(MINOR).unwrap();
        let parent = Bsn::parse(PARENT).unwrap();
        assert_eq!(bsns(&custodians_of(&minor, &relations)), [PARENT, OTHER]);
        assert!(custodians_of(&parent, &relations).is_empty());
        let wards = wards_of(&parent, &relations);
        assert_eq!(wards.len(), 1, "the same minor once");
        assert_eq!(wards[0].bsn, minor);
        assert!(wards_of(&minor, &relations).is_empty());
    }
}
