//! Showing verified attributes to a clerk: human labels, readable addresses and dates.
use protocol::claim_path::ClaimPath;
pub use protocol::claim_text::{address_line, full_name};
use protocol::credential_types::claim_label;
use serde_json::{Map, Value};

/// `2018-11-14` → "14 november 2018" in the page's language.
pub fn date_text(iso: &str, lang: Lang) -> String {
    protocol::claim_text::date_text(iso, lang.protocol())
}

/// A Unix time as a readable date in the page's language.
pub fn unix_date_text(unix: u64, lang: Lang) -> String {
    protocol::claim_text::unix_date_text(unix, lang.protocol())
}

use crate::layout::{esc, Lang};

fn label(key: &str, lang: Lang) -> String {
    ClaimPath::keys([key])
        .map(|p| claim_label(&p, lang.protocol()))
        .unwrap_or_else(|_| key.to_owned())
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
    match item {
        Value::Object(o) => esc(&protocol::claim_text::list_item_text(o, lang.protocol())),
        other => value_html(list_key, other, lang),
    }
}

/// The attributes as a table of label and value.
pub fn attributes_table(attributes: &Map<String, Value>, lang: Lang, caption: &str) -> String {
    let mut ordered: Vec<(&String, &Value)> = attributes.iter().collect();
    ordered.sort_by_key(|(k, _)| protocol::claim_text::reading_rank(k));
    let rows: String = ordered
        .into_iter()
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
    fn values_are_escaped() {
        let attrs = json!({"family_name": "<script>"});
        let html = attributes_table(attrs.as_object().unwrap(), Lang::Nl, "x");
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
    }
}
