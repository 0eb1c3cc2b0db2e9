//! Dates as the BRP records them: `yyyymmdd`, where `00` marks an unknown month or day and
//! `00000000` an unknown date.

use std::fmt;

use protocol::dates::days_in_month;

/// A date whose month, day or whole value may be unknown. Ordered chronologically, an
/// unknown part sorting before every known value of that part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PartialDate {
    Unknown,
    Year(u16),
    YearMonth(u16, u8),
    Full(u16, u8, u8),
}

/// A BRP date string that is not `yyyymmdd`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a BRP date (yyyymmdd with 00 for unknown parts)")]
pub struct DateError;

impl PartialDate {
    /// Parses `yyyymmdd` with `00` for unknown parts.
    pub fn parse_brp(text: &str) -> Result<Self, DateError> {
        if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DateError);
        }
        let number =
            |range: std::ops::Range<usize>| text[range].parse::<u16>().map_err(|_| DateError);
        let (year, month, day) = (number(0..4)?, number(4..6)?, number(6..8)?);
        match (year, month, day) {
            (0, 0, 0) => Ok(PartialDate::Unknown),
            (0, _, _) => Err(DateError),
            (y, 0, 0) => Ok(PartialDate::Year(y)),
            (_, 0, _) => Err(DateError),
            (y, m, 0) if m <= 12 => Ok(PartialDate::YearMonth(y, m as u8)),
            (y, m, d)
                if m <= 12 && d >= 1 && d <= u16::from(days_in_month(y, m as u8).unwrap_or(0)) =>
            {
                Ok(PartialDate::Full(y, m as u8, d as u8))
            }
            _ => Err(DateError),
        }
    }

    /// Parses ISO forms `yyyy-mm-dd`, `yyyy-mm` and `yyyy`.
    pub fn parse_iso(text: &str) -> Result<Self, DateError> {
        let digits: String = text.split('-').collect();
        match (text.len(), digits.len()) {
            (10, 8) => Self::parse_brp(&digits),
            (7, 6) => Self::parse_brp(&format!("{digits}00")),
            (4, 4) => Self::parse_brp(&format!("{digits}0000")),
            _ => Err(DateError),
        }
    }

    /// `2018-11-14`, `2018-11`, `2018`, or `None` when unknown: the form credentials carry.
    pub fn iso(&self) -> Option<String> {
        match *self {
            PartialDate::Unknown => None,
            PartialDate::Year(y) => Some(format!("{y:04}")),
            PartialDate::YearMonth(y, m) => Some(format!("{y:04}-{m:02}")),
            PartialDate::Full(y, m, d) => Some(format!("{y:04}-{m:02}-{d:02}")),
        }
    }

    /// Dutch long form: `14 november 2018`, `november 2018`, `2018`, `onbekend`.
    pub fn dutch(&self) -> String {
        match *self {
            PartialDate::Unknown => "onbekend".into(),
            known => protocol::claim_text::date_text(
                &known.iso().unwrap_or_default(),
                protocol::credential_types::Lang::Nl,
            ),
        }
    }

    /// Whole years from this date to `on` (both full dates); `None` when not computable.
    /// The last day this date can be: a birth date with unknown parts counts from it, so
    /// that an age computed from it is certain ("18" means at least 18).
    pub fn latest_possible(self) -> Option<PartialDate> {
        match self {
            PartialDate::Full(..) => Some(self),
            PartialDate::YearMonth(y, m) => {
                let last_day = protocol::dates::days_in_month(y, m).unwrap_or(28);
                Some(PartialDate::Full(y, m, last_day))
            }
            PartialDate::Year(y) => Some(PartialDate::Full(y, 12, 31)),
            PartialDate::Unknown => None,
        }
    }

    /// Whole years someone born on this date is certainly at least on `today` (counting
    /// from the latest possible day); `None` when the date is unknown.
    pub fn certain_age(self, today: PartialDate) -> Option<u16> {
        self.latest_possible()?.years_until(today)
    }

    pub fn years_until(&self, on: PartialDate) -> Option<u16> {
        match (*self, on) {
            (PartialDate::Full(y1, m1, d1), PartialDate::Full(y2, m2, d2))
                if (y2, m2, d2) >= (y1, m1, d1) =>
            {
                Some(y2 - y1 - u16::from((m2, d2) < (m1, d1)))
            }
            _ => None,
        }
    }
}

impl PartialDate {
    fn sort_key(&self) -> (u16, u8, u8) {
        match *self {
            PartialDate::Unknown => (0, 0, 0),
            PartialDate::Year(y) => (y, 0, 0),
            PartialDate::YearMonth(y, m) => (y, m, 0),
            PartialDate::Full(y, m, d) => (y, m, d),
        }
    }
}

impl Ord for PartialDate {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for PartialDate {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.dutch())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_full_and_partial_dates() {
        assert_eq!(
            PartialDate::parse_brp("20181114"),
            Ok(PartialDate::Full(2018, 11, 14))
        );
        assert_eq!(
            PartialDate::parse_brp("20181100"),
            Ok(PartialDate::YearMonth(2018, 11))
        );
        assert_eq!(
            PartialDate::parse_brp("20180000"),
            Ok(PartialDate::Year(2018))
        );
        assert_eq!(PartialDate::parse_brp("00000000"), Ok(PartialDate::Unknown));
        assert_eq!(
            PartialDate::parse_brp("20000229"),
            Ok(PartialDate::Full(2000, 2, 29))
        );
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "2018111",
            "201811145",
            "2018-11-",
            "20181314",
            "20190229",
            "20180014",
            "00001114",
            "2O181114",
        ] {
            assert_eq!(PartialDate::parse_brp(bad), Err(DateError), "{bad}");
        }
    }

    #[test]
    fn formats_dutch_and_iso() {
        let full = PartialDate::Full(2018, 11, 14);
        assert_eq!(full.dutch(), "14 november 2018");
        assert_eq!(full.iso().as_deref(), Some("2018-11-14"));
        assert_eq!(PartialDate::YearMonth(2018, 3).dutch(), "maart 2018");
        assert_eq!(
            PartialDate::YearMonth(2018, 3).iso().as_deref(),
            Some("2018-03")
        );
        assert_eq!(PartialDate::Year(2018).dutch(), "2018");
        assert_eq!(PartialDate::Unknown.dutch(), "onbekend");
        assert_eq!(PartialDate::Unknown.iso(), None);
        for text in ["2018-11-14", "2018-11", "2018"] {
            assert_eq!(
                PartialDate::parse_iso(text).unwrap().iso().as_deref(),
                Some(text)
            );
        }
    }

    #[test]
    fn orders_unknown_parts_first() {
        let mut dates = vec![
            PartialDate::Full(2018, 11, 14),
            PartialDate::Year(2018),
            PartialDate::Unknown,
            PartialDate::YearMonth(2018, 11),
            PartialDate::Full(2017, 1, 1),
        ];
        dates.sort();
        assert_eq!(
            dates,
            vec![
                PartialDate::Unknown,
                PartialDate::Full(2017, 1, 1),
                PartialDate::Year(2018),
                PartialDate::YearMonth(2018, 11),
                PartialDate::Full(2018, 11, 14),
            ]
        );
    }

    #[test]
    fn counts_whole_years() {
        let born = PartialDate::Full(2009, 5, 29);
        assert_eq!(born.years_until(PartialDate::Full(2027, 5, 28)), Some(17));
        assert_eq!(born.years_until(PartialDate::Full(2027, 5, 29)), Some(18));
        assert_eq!(
            PartialDate::Year(2009).years_until(PartialDate::Full(2027, 5, 29)),
            None
        );
    }
}
