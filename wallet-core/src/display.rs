//! Claims as a person reads them: labels in Dutch or English and values as text.
use protocol::claim_path::ClaimPath;
use protocol::credential_types::{claim_label, CredentialType, Lang};
use serde_json::{Map, Value};

/// The name of a credential type.
pub fn type_name(vct: &str, lang: Lang) -> String {
    CredentialType::from_vct(vct)
        .map(|t| t.display_name(lang).to_owned())
        .unwrap_or_else(|| vct.to_owned())
}

/// The label of a claim path.
pub fn label(path: &ClaimPath, lang: Lang) -> String {
    claim_label(path, lang)
}

/// A value as one line of text: addresses as "Straat 1 A, 1234 AB Plaats", lists joined,
/// booleans as ja/nee.
pub fn value_text(value: &Value, lang: Lang) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => match (b, lang) {
            (true, Lang::Nl) => "ja".into(),
            (false, Lang::Nl) => "nee".into(),
            (true, Lang::En) => "yes".into(),
            (false, Lang::En) => "no".into(),
        },
        Value::Number(n) => n.to_string(),
        // Dates (`2018-11-14`, `2018-11`) read as words; other text as it is.
        Value::String(s) if is_iso_date(s) => protocol::claim_text::date_text(s, lang),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|v| value_text(v, lang))
            .collect::<Vec<_>>()
            .join("; "),
        Value::Object(map) => object_text(map, lang),
    }
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    match b.len() {
        10 => digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10),
        7 => digits(0..4) && b[4] == b'-' && digits(5..7),
        _ => false,
    }
}

fn object_text(map: &Map<String, Value>, lang: Lang) -> String {
    // A child in custody (`custody` elements carry a BSN and a birth date), read as the
    // verifier's pages and the printed extract read it.
    if map.contains_key("bsn") || map.contains_key("birthdate") {
        return protocol::claim_text::list_item_text(map, lang);
    }
    let s = |k: &str| map.get(k).and_then(Value::as_str).unwrap_or("");
    let mut parts = Vec::new();
    if map.contains_key("street") || map.contains_key("postal_code") {
        let number = [
            map.get("house_number")
                .map(|v| value_text(v, lang))
                .unwrap_or_default(),
            s("house_letter").to_owned(),
            s("house_number_addition").to_owned(),
        ]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
        let line1 = [s("street"), number.as_str()]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let line2 = [s("postal_code"), s("locality")]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        parts.extend([line1, line2].into_iter().filter(|p| !p.is_empty()));
    } else if map.contains_key("family_name") {
        let name = [s("given_name"), s("name_prefix"), s("family_name")]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        parts.push(name);
    }
    let period = match (map.get("date_from"), map.get("date_to"), map.get("since")) {
        (Some(from), Some(to), _) => Some(format!(
            "{} {} {} {}",
            if lang == Lang::Nl { "van" } else { "from" },
            value_text(from, lang),
            if lang == Lang::Nl { "tot" } else { "until" },
            value_text(to, lang)
        )),
        (Some(from), None, _) | (None, None, Some(from)) => Some(format!(
            "{} {}",
            if lang == Lang::Nl { "sinds" } else { "since" },
            value_text(from, lang)
        )),
        _ => None,
    };
    parts.extend(period);
    if parts.is_empty() {
        // Not a shape we know: show every member with its label.
        return map
            .iter()
            .map(|(k, v)| {
                let path = ClaimPath::keys([k.as_str()]).map(|p| label(&p, lang));
                format!(
                    "{}: {}",
                    path.unwrap_or_else(|_| k.clone()),
                    value_text(v, lang)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
    }
    parts.join(", ")
}

/// A Unix time as a calendar date (UTC), `yyyy-mm-dd`.
pub fn date(unix: u64) -> String {
    protocol::dates::iso_date(unix)
}

#[cfg(test)]
mod tests {
    #[test]
    fn iso_dates_read_as_words() {
        use serde_json::json;
        assert_eq!(
            super::value_text(&json!("2018-11-04"), Lang::Nl),
            "4 november 2018"
        );
        assert_eq!(
            super::value_text(&json!("2018-11"), Lang::En),
            "November 2018"
        );
        assert_eq!(
            super::value_text(&json!("999993653"), Lang::Nl),
            "999993653"
        );
        assert_eq!(super::value_text(&json!("3077AW"), Lang::Nl), "3077AW");
    }

    #[test]
    fn dates() {
        assert_eq!(super::date(0), "1970-01-01");
        assert_eq!(super::date(951_782_400), "2000-02-29");
        assert_eq!(super::date(1_795_478_400), "2026-11-24");
    }

    use super::*;
    use serde_json::json;

    #[test]
    fn addresses_and_periods_read_naturally() {
        let a = json!({"street": "Dorpsstraat", "house_number": 12, "house_letter": "A",
            "postal_code": "1234 AB", "locality": "Voorbeeld", "date_from": "2019-03-01"});
        assert_eq!(
            value_text(&a, Lang::Nl),
            "Dorpsstraat 12 A, 1234 AB Voorbeeld, sinds 1 maart 2019"
        );
        let r = json!({"given_name": "Jan", "name_prefix": "de", "family_name": "Vries", "since": "2020-01-01"});
        assert_eq!(
            value_text(&r, Lang::En),
            "Jan de Vries, since 1 January 2020"
        );
        let children = json!([
            {"bsn": "999995832", "given_name": "Alexander", "name_prefix": "den",
             "family_name": "Braber", "birthdate": "2009-05-29"},
            {"bsn": "999995807"}
        ]);
        assert_eq!(
            value_text(&children, Lang::Nl),
            "Alexander den Braber, geboren 29 mei 2009 (BSN 999995832); BSN 999995807"
        );
        assert_eq!(value_text(&json!(true), Lang::Nl), "ja");
        assert_eq!(value_text(&json!(["NL", "BE"]), Lang::Nl), "NL; BE");
    }
}
