//! Citizen service numbers (BSN): nine digits passing the eleven test.

use std::fmt;

/// A BSN that passed the eleven test.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bsn(String);

/// Not a valid BSN. Carries no digits, so it can be logged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid citizen service number (BSN)")]
pub struct BsnError;

impl Bsn {
    /// Validates nine digits with the eleven test: 9·d1 + 8·d2 + … + 2·d8 − d9 ≡ 0 (mod 11).
    pub fn parse(text: &str) -> Result<Bsn, BsnError> {
        let digits: Vec<u32> = text
            .chars()
            .map(|c| c.to_digit(10))
            .collect::<Option<_>>()
            .ok_or(BsnError)?;
        if digits.len() != 9 {
            return Err(BsnError);
        }
        let sum: i64 = digits
            .iter()
            .zip([9i64, 8, 7, 6, 5, 4, 3, 2, -1])
            .map(|(d, w)| i64::from(*d) * w)
            .sum();
        if sum % 11 != 0 || sum == 0 {
            return Err(BsnError);
        }
        Ok(Bsn(text.to_owned()))
    }

    /// The nine digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Bsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eleven_test() {
        for good in ["999993653", "999994542", "999990019"] {
            assert!(Bsn::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "999993654",
            "12345678",
            "1234567890",
            "99999365a",
            "",
            "000000000",
        ] {
            assert_eq!(Bsn::parse(bad), Err(BsnError), "{bad}");
        }
    }
}
