//! Calendar dates from Unix time, for texts and date comparisons (UTC).

/// A Unix time as a calendar date (UTC), `yyyy-mm-dd`.
pub fn iso_date(unix: u64) -> String {
    // Howard Hinnant's days-to-civil algorithm.
    let days = (unix / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Days in `month` (1–12) of `year` (proleptic Gregorian); `None` for another month.
pub fn days_in_month(year: u16, month: u8) -> Option<u8> {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => Some(31),
        4 | 6 | 9 | 11 => Some(30),
        2 if leap => Some(29),
        2 => Some(28),
        _ => None,
    }
}

/// Whether `text` is exactly `yyyy-mm-dd` and names a day that exists.
pub fn is_calendar_date(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |range: std::ops::Range<usize>| {
        text.get(range)
            .filter(|part| part.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|part| part.parse::<u16>().ok())
    };
    match (digits(0..4), digits(5..7), digits(8..10)) {
        (Some(year), Some(month), Some(day)) => u8::try_from(month)
            .ok()
            .and_then(|m| days_in_month(year, m))
            .is_some_and(|days| (1..=u16::from(days)).contains(&day)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{is_calendar_date, iso_date};

    #[test]
    fn calendar_dates_exist() {
        for good in ["2027-01-15", "2024-02-29", "2000-02-29", "2026-12-31"] {
            assert!(is_calendar_date(good), "{good}");
        }
        for bad in [
            "2027-02-29",
            "1900-02-29",
            "2027-13-01",
            "2027-00-10",
            "2027-01-00",
            "2027-04-31",
            "15-01-2027",
            "2027-1-15",
            "2027-01-15 ",
            "+027-01-15",
            "2027/01/15",
        ] {
            assert!(!is_calendar_date(bad), "{bad}");
        }
    }

    #[test]
    fn civil_dates() {
        assert_eq!(iso_date(0), "1970-01-01");
        assert_eq!(iso_date(951_782_400), "2000-02-29");
        assert_eq!(iso_date(1_796_083_199), "2026-11-30");
    }
}
