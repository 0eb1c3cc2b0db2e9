//! Regie's credential types and the human labels of their claims.
//!
//! Claim names are English in the wire format (as the Haal Centraal BRP API's concepts,
//! translated); what a person sees is Dutch by default and English on request. Issuer,
//! wallet and verifier share this vocabulary so a consent screen, a verifier page and a
//! printed extract call the same attribute by the same name.

use crate::claim_path::{ClaimPath, PathComponent};

/// Verifiable credential type of the BRP extract.
pub const UITTREKSEL_BRP_VCT: &str = "urn:regie:uittreksel-brp:1";
/// Verifiable credential type of the address history.
pub const WOONHISTORIE_VCT: &str = "urn:regie:woonhistorie:1";

/// Display language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Nl,
    En,
}

impl Lang {
    /// `nl` or `en`; anything else is Dutch, the default.
    pub fn from_code(code: &str) -> Lang {
        if code.eq_ignore_ascii_case("en") || code.to_ascii_lowercase().starts_with("en-") {
            Lang::En
        } else {
            Lang::Nl
        }
    }

    /// The BCP 47 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }
}

/// The credential types the municipality issues.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CredentialType {
    /// BRP extract: identity and current address.
    UittrekselBrp,
    /// Address history and the residents at the current address.
    Woonhistorie,
}

impl CredentialType {
    /// Every type, in display order.
    pub const ALL: [CredentialType; 2] =
        [CredentialType::UittrekselBrp, CredentialType::Woonhistorie];

    /// The `vct` value.
    pub fn vct(self) -> &'static str {
        match self {
            CredentialType::UittrekselBrp => UITTREKSEL_BRP_VCT,
            CredentialType::Woonhistorie => WOONHISTORIE_VCT,
        }
    }

    /// The short identifier used in APIs and OpenID4VCI configuration ids.
    pub fn id(self) -> &'static str {
        match self {
            CredentialType::UittrekselBrp => "uittreksel-brp",
            CredentialType::Woonhistorie => "woonhistorie",
        }
    }

    /// Looks a type up by `vct`.
    pub fn from_vct(vct: &str) -> Option<CredentialType> {
        Self::ALL.into_iter().find(|t| t.vct() == vct)
    }

    /// Looks a type up by its short identifier.
    pub fn from_id(id: &str) -> Option<CredentialType> {
        Self::ALL.into_iter().find(|t| t.id() == id)
    }

    /// The name a person sees.
    pub fn display_name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (CredentialType::UittrekselBrp, Lang::Nl) => "Uittreksel BRP",
            (CredentialType::UittrekselBrp, Lang::En) => "Personal records extract (BRP)",
            (CredentialType::Woonhistorie, Lang::Nl) => "Woonhistorie",
            (CredentialType::Woonhistorie, Lang::En) => "Address history",
        }
    }
}

/// Human labels of claim names, by the last key of a path (`["address","street"]` → street).
const LABELS: &[(&str, &str, &str)] = &[
    (
        "bsn",
        "Burgerservicenummer (BSN)",
        "Citizen service number (BSN)",
    ),
    ("given_name", "Voornamen", "Given names"),
    ("name_prefix", "Voorvoegsel", "Name prefix"),
    ("family_name", "Achternaam", "Surname"),
    (
        "noble_title",
        "Adellijke titel of predicaat",
        "Title of nobility",
    ),
    ("birthdate", "Geboortedatum", "Date of birth"),
    ("place_of_birth", "Geboorteplaats", "Place of birth"),
    ("country_of_birth", "Geboorteland", "Country of birth"),
    ("sex", "Geslacht", "Sex"),
    ("nationalities", "Nationaliteit", "Nationality"),
    ("address", "Adres", "Address"),
    ("street", "Straat", "Street"),
    ("house_number", "Huisnummer", "House number"),
    ("house_letter", "Huisletter", "House letter"),
    (
        "house_number_addition",
        "Toevoeging",
        "House number addition",
    ),
    ("postal_code", "Postcode", "Postal code"),
    ("locality", "Woonplaats", "Town"),
    ("location_description", "Locatie", "Location"),
    ("country", "Land", "Country"),
    (
        "address_abroad",
        "Adres in het buitenland",
        "Address abroad",
    ),
    ("lines", "Adresregels", "Address lines"),
    (
        "municipality",
        "Gemeente van inschrijving",
        "Municipality of registration",
    ),
    (
        "address_since",
        "Woont op dit adres sinds",
        "Living at this address since",
    ),
    ("age_over_18", "18 jaar of ouder", "Aged 18 or over"),
    ("addresses", "Adressen", "Addresses"),
    ("date_from", "Vanaf", "From"),
    ("date_to", "Tot", "Until"),
    (
        "residents",
        "Bewoners op het huidige adres",
        "Residents at the current address",
    ),
    ("since", "Sinds", "Since"),
    ("custody", "Gezag over minderjarigen", "Custody of minors"),
];

/// Claims whose elements are persons other than the holder: a label inside them says whose
/// attribute it is, so a child's BSN never reads as the holder's own.
const PERSON_LISTS: &[(&str, &str, &str)] = &[("custody", "kind onder gezag", "child in custody")];

/// The label a person sees for a claim path: the label of its last named component, or the
/// path itself when the claim is not in Regie's vocabulary.
pub fn claim_label(path: &ClaimPath, lang: Lang) -> String {
    if let Some(label) = person_list_label(path, lang) {
        return label;
    }
    let last_key = path.components().iter().rev().find_map(|c| match c {
        PathComponent::Key(k) => Some(k.as_str()),
        _ => None,
    });
    last_key
        .and_then(|key| LABELS.iter().find(|(name, _, _)| *name == key))
        .map(|(_, nl, en)| match lang {
            Lang::Nl => (*nl).to_owned(),
            Lang::En => (*en).to_owned(),
        })
        .unwrap_or_else(|| path.to_string())
}

/// The label of a path into one of [`PERSON_LISTS`]: `["custody", 0]` → "Kind onder
/// gezag"; `["custody", null, "bsn"]` → "Burgerservicenummer (BSN) van kind onder gezag".
fn person_list_label(path: &ClaimPath, lang: Lang) -> Option<String> {
    let [PathComponent::Key(list), element, rest @ ..] = path.components() else {
        return None;
    };
    if !matches!(
        element,
        PathComponent::Index(_) | PathComponent::AllElements
    ) {
        return None;
    }
    let (_, nl, en) = PERSON_LISTS
        .iter()
        .find(|(name, _, _)| *name == list.as_str())?;
    let whose = match lang {
        Lang::Nl => *nl,
        Lang::En => *en,
    };
    let inner = match rest {
        [] => None,
        [PathComponent::Key(key)] => Some(key),
        _ => return None,
    };
    Some(match inner {
        None => capitalised(whose),
        Some(key) => {
            let attribute = ClaimPath::keys([key.as_str()])
                .map(|p| claim_label(&p, lang))
                .unwrap_or_else(|_| key.clone());
            match lang {
                Lang::Nl => format!("{attribute} van {whose}"),
                Lang::En => format!("{attribute} of {whose}"),
            }
        }
    })
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_round_trip_by_vct_and_id() {
        for t in CredentialType::ALL {
            assert_eq!(CredentialType::from_vct(t.vct()), Some(t));
            assert_eq!(CredentialType::from_id(t.id()), Some(t));
        }
        assert_eq!(CredentialType::from_vct("urn:other"), None);
    }

    #[test]
    fn labels_follow_the_last_key() {
        let path = ClaimPath::keys(["address", "postal_code"]).unwrap();
        assert_eq!(claim_label(&path, Lang::Nl), "Postcode");
        assert_eq!(claim_label(&path, Lang::En), "Postal code");
        let unknown = ClaimPath::keys(["shoe_size"]).unwrap();
        assert_eq!(claim_label(&unknown, Lang::Nl), r#"["shoe_size"]"#);
    }

    #[test]
    fn labels_inside_the_custody_list_say_whose_attribute_it_is() {
        let path = |v: serde_json::Value| ClaimPath::from_json_value(&v).unwrap();
        let bsn = path(serde_json::json!(["custody", null, "bsn"]));
        assert_eq!(
            claim_label(&bsn, Lang::Nl),
            "Burgerservicenummer (BSN) van kind onder gezag"
        );
        assert_eq!(
            claim_label(&bsn, Lang::En),
            "Citizen service number (BSN) of child in custody"
        );
        let child = path(serde_json::json!(["custody", 1]));
        assert_eq!(claim_label(&child, Lang::Nl), "Kind onder gezag");
        assert_eq!(claim_label(&child, Lang::En), "Child in custody");
        let list = path(serde_json::json!(["custody"]));
        assert_eq!(claim_label(&list, Lang::Nl), "Gezag over minderjarigen");
        assert_eq!(claim_label(&list, Lang::En), "Custody of minors");
        // The holder's own attributes keep their plain labels.
        let own = path(serde_json::json!(["birthdate"]));
        assert_eq!(claim_label(&own, Lang::Nl), "Geboortedatum");
    }

    #[test]
    fn language_codes() {
        assert_eq!(Lang::from_code("en-GB"), Lang::En);
        assert_eq!(Lang::from_code("nl"), Lang::Nl);
        assert_eq!(Lang::from_code("fr"), Lang::Nl);
    }
}
