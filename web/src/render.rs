//! Showing verified attributes to a clerk: human labels, readable addresses and dates, as a
//! table template (`templates/attributes.html`, each value `templates/value.html`).
use askama::Template;
use protocol::claim_path::ClaimPath;
pub use protocol::claim_text::{address_line, full_name};
use protocol::credential_types::claim_label;
use serde_json::{Map, Value};

use crate::layout::Lang;

/// `2018-11-14` → "14 november 2018" in the page's language.
pub fn date_text(iso: &str, lang: Lang) -> String {
    protocol::claim_text::date_text(iso, lang.protocol())
}

/// A Unix time as a readable date in the page's language.
pub fn unix_date_text(unix: u64, lang: Lang) -> String {
    protocol::claim_text::unix_date_text(unix, lang.protocol())
}

fn label(key: &str, lang: Lang) -> String {
    ClaimPath::keys([key])
        .map(|p| claim_label(&p, lang.protocol()))
        .unwrap_or_else(|_| key.to_owned())
}

/// One value as people read it: a text, labelled parts ("label: value; …") or a list.
enum Cell {
    Text(String),
    Pairs(Vec<(String, ValueCell)>),
    List(Vec<ValueCell>),
}

/// A value's cell, a template of its own so that values can nest.
#[derive(Template)]
#[template(path = "value.html")]
pub struct ValueCell {
    cell: Cell,
}

impl ValueCell {
    fn text(text: impl Into<String>) -> ValueCell {
        ValueCell {
            cell: Cell::Text(text.into()),
        }
    }

    fn of(key: &str, value: &Value, lang: Lang) -> ValueCell {
        match value {
            Value::Bool(b) => ValueCell::text(if *b {
                lang.t("ja", "yes")
            } else {
                lang.t("nee", "no")
            }),
            Value::String(s)
                if matches!(key, "birthdate" | "date_from" | "date_to" | "since")
                    || key.ends_with("_since") =>
            {
                ValueCell::text(date_text(s, lang))
            }
            Value::String(s) => ValueCell::text(s.as_str()),
            Value::Number(n) => ValueCell::text(n.to_string()),
            Value::Object(o) if key == "address" || o.contains_key("street") => {
                ValueCell::text(address_line(o))
            }
            Value::Object(_) if key == "address_abroad" => {
                let mut wrapped = Map::new();
                wrapped.insert(key.to_owned(), value.clone());
                ValueCell::text(address_line(&wrapped))
            }
            Value::Object(o) => ValueCell {
                cell: Cell::Pairs(
                    o.iter()
                        .map(|(k, v)| (label(k, lang), ValueCell::of(k, v, lang)))
                        .collect(),
                ),
            },
            Value::Array(items) => ValueCell {
                cell: Cell::List(
                    items
                        .iter()
                        .map(|item| ValueCell::item(key, item, lang))
                        .collect(),
                ),
            },
            Value::Null => ValueCell::text(""),
        }
    }

    /// One element of a list: an address with its period, a resident with since when.
    fn item(list_key: &str, item: &Value, lang: Lang) -> ValueCell {
        match item {
            Value::Object(o) => {
                ValueCell::text(protocol::claim_text::list_item_text(o, lang.protocol()))
            }
            other => ValueCell::of(list_key, other, lang),
        }
    }
}

struct Row {
    label: String,
    value: ValueCell,
}

/// The attributes as a table of label and value.
#[derive(Template)]
#[template(path = "attributes.html")]
pub struct AttributesTable {
    caption: String,
    rows: Vec<Row>,
}

/// The attributes as a table of label and value, in reading order.
pub fn attributes_table(
    attributes: &Map<String, Value>,
    lang: Lang,
    caption: &str,
) -> AttributesTable {
    let mut ordered: Vec<(&String, &Value)> = attributes.iter().collect();
    ordered.sort_by_key(|(k, _)| protocol::claim_text::reading_rank(k));
    AttributesTable {
        caption: caption.to_owned(),
        rows: ordered
            .into_iter()
            .map(|(k, v)| Row {
                label: label(k, lang),
                value: ValueCell::of(k, v, lang),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_escaped() {
        let attrs = json!({"family_name": "<script>", "nationalities": ["\"><img src=x>"]});
        let html = attributes_table(attrs.as_object().unwrap(), Lang::Nl, "<b>x</b>")
            .render()
            .unwrap();
        assert!(
            html.contains("&lt;script&gt;") && !html.contains("<script>"),
            "{html}"
        );
        assert!(html.contains("&quot;&gt;&lt;img") && !html.contains("<img"));
        assert!(html.contains("&lt;b&gt;x") && !html.contains("<b>"));
    }

    #[test]
    fn nested_values_render_as_before() {
        let attrs = json!({"nationalities": ["NL", "BE"], "custody": [{"bsn": "1"}]});
        let html = attributes_table(attrs.as_object().unwrap(), Lang::Nl, "c")
            .render()
            .unwrap();
        assert!(html.starts_with(r#"<table class="regie-data"><caption class="utrecht-table__caption">c</caption><tbody><tr><th scope="row">"#));
        assert!(html.contains(
            r#"<td><ul class="utrecht-unordered-list"><li>NL</li><li>BE</li></ul></td></tr>"#
        ));
        assert!(html.ends_with("</tbody></table>"));
    }
}
