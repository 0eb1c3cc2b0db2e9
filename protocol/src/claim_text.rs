//! Claims as text a person reads: dates in words, an address on one line, a full name.
//! Shared by the verifier's pages and the issuer's printed extract.
use serde_json::{Map, Value};

use crate::credential_types::Lang;

const MONTHS_NL: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `2018-11-14` → "14 november 2018"; `2018-11` → "november 2018"; other text as is.
pub fn date_text(iso: &str, lang: Lang) -> String {
    let months = match lang {
        Lang::Nl => &MONTHS_NL,
        Lang::En => &MONTHS_EN,
    };
    let parts: Vec<&str> = iso.split('-').collect();
    let month = |m: &str| {
        m.parse::<usize>()
            .ok()
            .and_then(|m| m.checked_sub(1))
            .and_then(|i| months.get(i))
    };
    match parts.as_slice() {
        [y, m, d] => match (month(m), d.parse::<u8>()) {
            (Some(name), Ok(day)) => format!("{day} {name} {y}"),
            _ => iso.to_owned(),
        },
        [y, m] => month(m).map_or_else(|| iso.to_owned(), |name| format!("{name} {y}")),
        _ => iso.to_owned(),
    }
}

/// A Unix time as a readable date.
pub fn unix_date_text(unix: u64, lang: Lang) -> String {
    date_text(&crate::dates::iso_date(unix), lang)
}

pub fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A Dutch address object as one line: "Voorbeeldstraat 12 A-bis, 1234 AB Voorbeeldstad";
/// a foreign address as its lines; a location description as is.
pub fn address_line(address: &Map<String, Value>) -> String {
    if let Some(lines) = address
        .get("address_abroad")
        .and_then(|a| a.get("lines"))
        .and_then(Value::as_array)
    {
        let mut parts: Vec<String> = lines.iter().filter_map(|l| text(Some(l))).collect();
        if let Some(country) = text(address.get("address_abroad").and_then(|a| a.get("country"))) {
            parts.push(country);
        }
        return parts.join(", ");
    }
    if let Some(location) = text(address.get("location_description")) {
        return location;
    }
    let mut number = text(address.get("house_number")).unwrap_or_default();
    if let Some(letter) = text(address.get("house_letter")) {
        number.push(' ');
        number.push_str(&letter);
    }
    if let Some(addition) = text(address.get("house_number_addition")) {
        number.push('-');
        number.push_str(&addition);
    }
    let street = [text(address.get("street")).unwrap_or_default(), number]
        .join(" ")
        .trim()
        .to_owned();
    let town = [
        text(address.get("postal_code")).unwrap_or_default(),
        text(address.get("locality")).unwrap_or_default(),
    ]
    .join(" ")
    .trim()
    .to_owned();
    [street, town]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The full name from name claims.
pub fn full_name(claims: &Map<String, Value>) -> String {
    ["given_name", "name_prefix", "family_name"]
        .iter()
        .filter_map(|k| text(claims.get(*k)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One element of a list claim as one line: an address with its period ("… (van 2 november
/// 2013 tot 8 augustus 2015)", "… (sinds …)"), a resident with since when, or a child in
/// custody with date of birth and BSN ("Zoey den Braber, geboren 14 november 2018 (BSN
/// 999995807)"; only what was disclosed).
pub fn list_item_text(item: &Map<String, Value>, lang: Lang) -> String {
    let (from_word, until_word, since_word) = match lang {
        Lang::Nl => ("van", "tot", "sinds"),
        Lang::En => ("from", "until", "since"),
    };
    let since = |date: &str| format!(" ({since_word} {})", date_text(date, lang));
    let main = if item.contains_key("bsn") || item.contains_key("birthdate") {
        person_text(item, lang)
    } else if item.contains_key("given_name") || item.contains_key("family_name") {
        let resident_since = text(item.get("since"))
            .map(|s| since(&s))
            .unwrap_or_default();
        format!("{}{resident_since}", full_name(item))
    } else {
        address_line(item)
    };
    let period = match (text(item.get("date_from")), text(item.get("date_to"))) {
        (Some(from), Some(to)) => format!(
            " ({from_word} {} {until_word} {})",
            date_text(&from, lang),
            date_text(&to, lang)
        ),
        (Some(from), None) => since(&from),
        _ => String::new(),
    };
    format!("{main}{period}")
}

/// A person in a list (a child in custody): name, date of birth and BSN, each only when
/// present, since a holder may disclose any of them alone.
fn person_text(item: &Map<String, Value>, lang: Lang) -> String {
    let born_word = match lang {
        Lang::Nl => "geboren",
        Lang::En => "born",
    };
    let name = full_name(item);
    let born = text(item.get("birthdate")).map(|d| format!("{born_word} {}", date_text(&d, lang)));
    let described = [Some(name).filter(|n| !n.is_empty()), born]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    match text(item.get("bsn")) {
        Some(bsn) if described.is_empty() => format!("BSN {bsn}"),
        Some(bsn) => format!("{described} (BSN {bsn})"),
        None => described,
    }
}

/// The order people read a person's attributes in: identity first, then birth, then where
/// they live; unknown attributes last.
const READING_ORDER: [&str; 20] = [
    "bsn",
    "noble_title",
    "given_name",
    "name_prefix",
    "family_name",
    "birthdate",
    "place_of_birth",
    "country_of_birth",
    "sex",
    "nationalities",
    "age_over_18",
    "address",
    "address_abroad",
    "location_description",
    "address_since",
    "municipality",
    "custody",
    "addresses",
    "residents",
    "since",
];

/// The place of the attribute `key` in the reading order (sort by it).
pub fn reading_rank(key: &str) -> usize {
    READING_ORDER
        .iter()
        .position(|k| *k == key)
        .unwrap_or(READING_ORDER.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dates_read_as_words() {
        assert_eq!(date_text("2018-11-04", Lang::Nl), "4 november 2018");
        assert_eq!(date_text("2018-11", Lang::En), "November 2018");
        assert_eq!(date_text("2018", Lang::Nl), "2018");
        assert_eq!(date_text("2018-13-01", Lang::Nl), "2018-13-01");
    }

    #[test]
    fn list_items_read_with_their_period() {
        let moved = json!({"street": "Vredesplein", "house_number": 7, "postal_code": "3074SN",
            "locality": "Rotterdam", "date_from": "2013-11-02", "date_to": "2015-08-08"});
        assert_eq!(
            list_item_text(moved.as_object().unwrap(), Lang::Nl),
            "Vredesplein 7, 3074SN Rotterdam (van 2 november 2013 tot 8 augustus 2015)"
        );
        let resident =
            json!({"given_name": "Suzanne", "family_name": "Moulin", "since": "2015-08"});
        assert_eq!(
            list_item_text(resident.as_object().unwrap(), Lang::En),
            "Suzanne Moulin (since August 2015)"
        );
    }

    #[test]
    fn children_in_custody_read_with_what_was_disclosed() {
        let zoey = json!({"bsn": "999995807", "given_name": "Zoey", "name_prefix": "den",
            "family_name": "Braber", "birthdate": "2018-11-14"});
        assert_eq!(
            list_item_text(zoey.as_object().unwrap(), Lang::Nl),
            "Zoey den Braber, geboren 14 november 2018 (BSN 999995807)"
        );
        assert_eq!(
            list_item_text(zoey.as_object().unwrap(), Lang::En),
            "Zoey den Braber, born 14 November 2018 (BSN 999995807)"
        );
        let bsn_only = json!({"bsn": "999995807"});
        assert_eq!(
            list_item_text(bsn_only.as_object().unwrap(), Lang::Nl),
            "BSN 999995807"
        );
        let born_only = json!({"birthdate": "2009-05-29"});
        assert_eq!(
            list_item_text(born_only.as_object().unwrap(), Lang::En),
            "born 29 May 2009"
        );
    }

    #[test]
    fn addresses_read_as_one_line() {
        let a = json!({"street": "Voorbeeldstraat", "house_number": 12, "house_letter": "A",
            "house_number_addition": "bis", "postal_code": "1234 AB", "locality": "Stad"});
        assert_eq!(
            address_line(a.as_object().unwrap()),
            "Voorbeeldstraat 12 A-bis, 1234 AB Stad"
        );
        let abroad =
            json!({"address_abroad": {"lines": ["1 Rue X", "Paris"], "country": "Frankrijk"}});
        assert_eq!(
            address_line(abroad.as_object().unwrap()),
            "1 Rue X, Paris, Frankrijk"
        );
    }
}
