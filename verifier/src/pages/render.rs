//! Showing verified attributes to a clerk: human labels, readable addresses and dates.
use protocol::claim_path::ClaimPath;
use protocol::credential_types::claim_label;
use serde_json::{Map, Value};

use super::layout::{esc, Lang};

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
    date_text(&protocol::dates::iso_date(unix), lang)
}

fn label(key: &str, lang: Lang) -> String {
    ClaimPath::keys([key])
        .map(|p| claim_label(&p, lang.protocol()))
        .unwrap_or_else(|_| key.to_owned())
}

fn text(value: Option<&Value>) -> Option<String> {
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

fn value_html(key: &str, value: &Value, lang: Lang) -> String {
    match value {
        Value::Bool(b) => esc(if *b {
            lang.t("ja", "yes")
        } else {
            lang.t("nee", "no")
        }),
        Value::String(s)
            if matches!(key, "birthdate" | "date_from" | "date_to" | "since")
                || key.ends_with("_since") =>
        {
            esc(&date_text(s, lang))
        }
        Value::String(s) => esc(s),
        Value::Number(n) => esc(&n.to_string()),
        Value::Object(o) if key == "address" || o.contains_key("street") => esc(&address_line(o)),
        Value::Object(_) if key == "address_abroad" => {
            let mut wrapped = Map::new();
            wrapped.insert(key.to_owned(), value.clone());
            esc(&address_line(&wrapped))
        }
        Value::Object(o) => o
            .iter()
            .map(|(k, v)| format!("{}: {}", esc(&label(k, lang)), value_html(k, v, lang)))
            .collect::<Vec<_>>()
            .join("; "),
        Value::Array(items) => {
            let list: String = items
                .iter()
                .map(|item| format!("<li>{}</li>", item_html(key, item, lang)))
                .collect();
            format!(r#"<ul class="utrecht-unordered-list">{list}</ul>"#)
        }
        Value::Null => String::new(),
    }
}

/// One element of a list: an address with its period, a resident with since when.
fn item_html(list_key: &str, item: &Value, lang: Lang) -> String {
    let Value::Object(o) = item else {
        return value_html(list_key, item, lang);
    };
    let period = match (text(o.get("date_from")), text(o.get("date_to"))) {
        (Some(from), Some(to)) => format!(
            " ({} {} {} {})",
            lang.t("van", "from"),
            date_text(&from, lang),
            lang.t("tot", "until"),
            date_text(&to, lang)
        ),
        (Some(from), None) => format!(" ({} {})", lang.t("sinds", "since"), date_text(&from, lang)),
        _ => String::new(),
    };
    let main = if o.contains_key("given_name") || o.contains_key("family_name") {
        let since = text(o.get("since"))
            .map(|s| format!(" ({} {})", lang.t("sinds", "since"), date_text(&s, lang)))
            .unwrap_or_default();
        format!("{}{since}", full_name(o))
    } else {
        address_line(o)
    };
    esc(&format!("{main}{period}"))
}

/// The attributes as a table of label and value.
pub fn attributes_table(attributes: &Map<String, Value>, lang: Lang, caption: &str) -> String {
    let rows: String = attributes
        .iter()
        .map(|(k, v)| {
            format!(
                r#"<tr><th scope="row">{}</th><td>{}</td></tr>"#,
                esc(&label(k, lang)),
                value_html(k, v, lang)
            )
        })
        .collect();
    format!(
        r#"<table class="regie-data"><caption class="utrecht-table__caption">{}</caption><tbody>{rows}</tbody></table>"#,
        esc(caption)
    )
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

    #[test]
    fn values_are_escaped() {
        let attrs = json!({"family_name": "<script>"});
        let html = attributes_table(attrs.as_object().unwrap(), Lang::Nl, "x");
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
    }
}
