//! The housing corporation's question, answered from a verified address history: since when
//! does the applicant live at their current address, and is that longer than two years?
use serde_json::{Map, Value};

/// How long the co-tenancy rules want someone at the address.
pub const YEARS_REQUIRED: i32 = 2;

#[derive(Debug, PartialEq, Eq)]
pub enum HousingAnswer {
    /// Living at the current address since `date` (as in the credential).
    Since { date: String, long_enough: bool },
    /// No current address with a known start in the history.
    Unknown,
}

/// The latest day a partial ISO date can stand for, as comparable text: `2018-11` →
/// `2018-11-31`, `2018` → `2018-12-31`. Counting from the latest possible day never says
/// "long enough" when it might not be.
fn latest_day(date: &str) -> Option<String> {
    let ok = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = date.split('-').collect();
    match parts.as_slice() {
        [y, m, d] if ok(y, 4) && ok(m, 2) && ok(d, 2) => Some(date.to_owned()),
        [y, m] if ok(y, 4) && ok(m, 2) => Some(format!("{y}-{m}-31")),
        [y] if ok(y, 4) => Some(format!("{y}-12-31")),
        _ => None,
    }
}

/// `today` (`yyyy-mm-dd`) minus `years`, as comparable text.
fn years_before(today: &str, years: i32) -> Option<String> {
    let year: i32 = today.get(0..4)?.parse().ok()?;
    Some(format!("{:04}{}", year - years, today.get(4..)?))
}

/// The answer for a history with `addresses` (each with `date_from`, and `date_to` once left).
pub fn housing_answer(history: &Map<String, Value>, today: &str) -> HousingAnswer {
    let current = history
        .get("addresses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .filter(|a| a.get("date_to").is_none())
        .filter_map(|a| a.get("date_from").and_then(Value::as_str))
        .filter_map(|d| Some((latest_day(d)?, d)))
        .max();
    match (current, years_before(today, YEARS_REQUIRED)) {
        (Some((latest, date)), Some(cutoff)) => HousingAnswer::Since {
            date: date.to_owned(),
            long_enough: latest <= cutoff,
        },
        _ => HousingAnswer::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(addresses: Value) -> HousingAnswer {
        let history = json!({ "addresses": addresses });
        housing_answer(history.as_object().unwrap(), "2026-12-01")
    }

    #[test]
    fn counts_from_the_current_address() {
        assert_eq!(
            answer(json!([{"date_from": "2001-05-01", "date_to": "2018-11-14"},
                          {"date_from": "2018-11-14"}])),
            HousingAnswer::Since {
                date: "2018-11-14".into(),
                long_enough: true
            }
        );
        assert_eq!(
            answer(json!([{"date_from": "2025-01-01"}])),
            HousingAnswer::Since {
                date: "2025-01-01".into(),
                long_enough: false
            }
        );
    }

    #[test]
    fn exactly_two_years_is_enough_and_partial_dates_count_from_their_end() {
        assert_eq!(
            answer(json!([{"date_from": "2024-12-01"}])),
            HousingAnswer::Since {
                date: "2024-12-01".into(),
                long_enough: true
            }
        );
        assert_eq!(
            answer(json!([{"date_from": "2024-12"}])),
            HousingAnswer::Since {
                date: "2024-12".into(),
                long_enough: false
            }
        );
        assert_eq!(
            answer(json!([{"date_from": "2024"}])),
            HousingAnswer::Since {
                date: "2024".into(),
                long_enough: false
            }
        );
    }

    #[test]
    fn no_current_address_is_unknown() {
        assert_eq!(
            answer(json!([{"date_from": "2001", "date_to": "2002"}])),
            HousingAnswer::Unknown
        );
        assert_eq!(
            answer(json!([{"date_from": "garbage"}])),
            HousingAnswer::Unknown
        );
        assert_eq!(answer(json!(null)), HousingAnswer::Unknown);
    }
}
