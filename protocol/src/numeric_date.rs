//! JWT NumericDate (RFC 7519 §2): seconds since the Unix epoch, which the RFC allows to be
//! fractional ("a JSON numeric value"). Other implementations send `1800000000.5`; reading
//! such a value as an integer would reject a valid token, and rounding it would move the
//! boundary, so dates are kept exactly (whole seconds plus nanoseconds) and compared as
//! numbers. Arithmetic saturates, so no claim value can overflow a check.

use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};

/// A point in time as a JWT carries it. Ordered as the number it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NumericDate {
    secs: u64,
    /// Fraction of a second in nanoseconds, always below 1e9.
    nanos: u32,
}

/// Why a JSON value is not a NumericDate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a NumericDate: expected a non-negative JSON number")]
pub struct NotANumericDate;

impl NumericDate {
    /// A whole number of seconds.
    pub const fn from_secs(secs: u64) -> Self {
        NumericDate { secs, nanos: 0 }
    }

    /// Reads a JSON number. Negative values (before 1970) are refused: no token of ours can
    /// have been issued then, and refusing keeps every date comparable with a `u64` clock.
    /// Values beyond `u64` seconds saturate to the largest date (a date that never comes).
    pub fn from_number(number: &Number) -> Result<Self, NotANumericDate> {
        if let Some(secs) = number.as_u64() {
            return Ok(Self::from_secs(secs));
        }
        let value = number.as_f64().ok_or(NotANumericDate)?;
        // serde_json numbers are always finite; the check costs nothing and keeps NaN out.
        if !value.is_finite() || value < 0.0 {
            return Err(NotANumericDate);
        }
        // 2^64 as f64; `as` saturates, but the fraction of a saturated value is meaningless.
        if value >= 18_446_744_073_709_551_616.0 {
            return Ok(Self::from_secs(u64::MAX));
        }
        let whole = value.trunc();
        // Both conversions are in range: whole < 2^64, fraction in [0, 1).
        let nanos = ((value - whole) * 1e9) as u32;
        Ok(NumericDate {
            secs: whole as u64,
            nanos: nanos.min(999_999_999),
        })
    }

    /// Reads a JSON value; anything but a non-negative number is refused.
    pub fn from_json(value: &Value) -> Result<Self, NotANumericDate> {
        match value {
            Value::Number(n) => Self::from_number(n),
            _ => Err(NotANumericDate),
        }
    }

    /// Whole seconds, the fraction dropped (for display and storage).
    pub fn secs(self) -> u64 {
        self.secs
    }

    /// Whether the fraction is zero.
    pub fn is_whole(self) -> bool {
        self.nanos == 0
    }

    /// This date moved `secs` later, saturating.
    pub fn plus_secs(self, secs: u64) -> Self {
        NumericDate {
            secs: self.secs.saturating_add(secs),
            ..self
        }
    }

    /// Whether this date lies after `now + skew`: an `iat` or `nbf` in the future.
    pub fn is_after(self, now: u64, skew: u64) -> bool {
        self > Self::from_secs(now.saturating_add(skew))
    }

    /// Whether this date lies before `now - age`: an `iat` too old.
    pub fn is_before(self, now: u64, age: u64) -> bool {
        self < Self::from_secs(now.saturating_sub(age))
    }

    /// Whether an `exp` of this date has passed at `now`, allowing `skew` (RFC 7519 §4.1.4:
    /// the current time must be before `exp`).
    pub fn has_passed(self, now: u64, skew: u64) -> bool {
        self.plus_secs(skew) <= Self::from_secs(now)
    }

    /// Seconds from `earlier` to `self` (zero if `earlier` is later), fractions included as
    /// a partial second rounded up, so a lifetime bound cannot be passed by a fraction.
    pub fn secs_since(self, earlier: NumericDate) -> u64 {
        if self <= earlier {
            return 0;
        }
        let whole = self.secs - earlier.secs;
        // A smaller fraction in `self` makes the span `whole - 1` plus a partial second.
        if self.nanos > earlier.nanos {
            whole.saturating_add(1)
        } else {
            whole
        }
    }
}

impl From<u64> for NumericDate {
    fn from(secs: u64) -> Self {
        Self::from_secs(secs)
    }
}

impl std::fmt::Display for NumericDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_whole() {
            write!(f, "{}", self.secs)
        } else {
            write!(f, "{}.{:09}", self.secs, self.nanos)
        }
    }
}

impl Serialize for NumericDate {
    /// An integer when whole (what every party expects), otherwise the nearest JSON number.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.is_whole() {
            serializer.serialize_u64(self.secs)
        } else {
            serializer.serialize_f64(self.secs as f64 + f64::from(self.nanos) / 1e9)
        }
    }
}

impl<'de> Deserialize<'de> for NumericDate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let number = Number::deserialize(deserializer)?;
        NumericDate::from_number(&number).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn date(v: Value) -> Result<NumericDate, NotANumericDate> {
        NumericDate::from_json(&v)
    }

    #[test]
    fn integers_and_fractions_are_read_exactly_enough() {
        assert_eq!(date(json!(1000)).unwrap(), NumericDate::from_secs(1000));
        let half = date(json!(1000.5)).unwrap();
        assert_eq!(half.secs(), 1000);
        assert!(!half.is_whole());
        assert!(half > NumericDate::from_secs(1000));
        assert!(half < NumericDate::from_secs(1001));
        assert_eq!(half.to_string(), "1000.500000000");
    }

    #[test]
    fn negative_and_non_numbers_are_refused() {
        for bad in [
            json!(-1),
            json!(-0.5),
            json!("1000"),
            json!(null),
            json!([1]),
        ] {
            assert_eq!(date(bad.clone()), Err(NotANumericDate), "{bad}");
        }
    }

    #[test]
    fn huge_values_saturate_instead_of_overflowing() {
        let far = date(json!(1e300)).unwrap();
        assert_eq!(far, NumericDate::from_secs(u64::MAX));
        assert!(!far.has_passed(u64::MAX - 1, u64::MAX));
        assert!(far.is_after(u64::MAX - 1, 0));
        assert_eq!(far.plus_secs(10), far);
        assert!(!NumericDate::from_secs(0).is_before(0, u64::MAX));
    }

    #[test]
    fn comparisons_are_exact_at_the_boundaries() {
        let now = 1_800_000_000;
        assert!(date(json!(1_800_000_060.25)).unwrap().is_after(now, 60));
        assert!(!date(json!(1_800_000_059.75)).unwrap().is_after(now, 60));
        assert!(!date(json!(1_800_000_000.5)).unwrap().has_passed(now, 0));
        assert!(date(json!(1_799_999_999.5)).unwrap().has_passed(now, 0));
        assert!(date(json!(1_799_999_699.5)).unwrap().is_before(now, 300));
        assert!(!date(json!(1_799_999_700.0)).unwrap().is_before(now, 300));
    }

    #[test]
    fn spans_round_fractions_up() {
        let a = date(json!(100.75)).unwrap();
        let b = date(json!(200.25)).unwrap();
        assert_eq!(b.secs_since(a), 100);
        assert_eq!(date(json!(200.8)).unwrap().secs_since(a), 101);
        assert_eq!(a.secs_since(b), 0);
        assert_eq!(NumericDate::from_secs(5).secs_since(3.into()), 2);
    }

    #[test]
    fn serde_round_trips() {
        let whole: NumericDate = serde_json::from_value(json!(42)).unwrap();
        assert_eq!(serde_json::to_value(whole).unwrap(), json!(42));
        let frac: NumericDate = serde_json::from_value(json!(42.5)).unwrap();
        assert_eq!(serde_json::to_value(frac).unwrap(), json!(42.5));
        assert!(serde_json::from_value::<NumericDate>(json!(-3)).is_err());
    }
}
