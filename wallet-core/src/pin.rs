//! PIN rules and the lock-out schedule for wrong PINs.
use zeroize::Zeroizing;

/// A PIN as typed; wiped from memory when dropped.
pub struct Pin(Zeroizing<String>);

impl Pin {
    /// Wraps a PIN someone typed (whitespace around it is ignored).
    pub fn new(text: &str) -> Pin {
        Pin(Zeroizing::new(text.trim().to_owned()))
    }

    /// Whether two typed PINs are the same (confirming a new PIN).
    pub fn same_as(&self, other: &Pin) -> bool {
        self.0 == other.0
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// Why a new PIN is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PinRuleError {
    #[error("the PIN must be exactly six digits")]
    NotSixDigits,
    #[error("the PIN may not be six times the same digit")]
    AllSame,
    #[error("the PIN may not be a run such as 123456 or 654321")]
    Run,
}

/// Checks a new PIN against the rules: six digits, not all the same, not an ascending or
/// descending run. Only new PINs are checked; an existing PIN is simply tried.
pub fn check_new_pin(pin: &Pin) -> Result<(), PinRuleError> {
    // Read in place: a copy (even of the differences between digits) would stay in freed
    // memory after the PIN itself is wiped.
    let digits = pin.as_bytes();
    if digits.len() != 6 || !digits.iter().all(u8::is_ascii_digit) {
        return Err(PinRuleError::NotSixDigits);
    }
    if digits.iter().all(|d| *d == digits[0]) {
        return Err(PinRuleError::AllSame);
    }
    let step = |w: &[u8]| i16::from(w[1]) - i16::from(w[0]);
    if digits.windows(2).all(|w| step(w) == 1) || digits.windows(2).all(|w| step(w) == -1) {
        return Err(PinRuleError::Run);
    }
    Ok(())
}

/// Wrong PINs allowed before the first waiting time.
pub const FREE_ATTEMPTS: u32 = 3;

/// Wrong PINs after which the wallet is blocked for good and must be reset.
pub const MAX_ATTEMPTS: u32 = 10;

/// What follows `failures` wrong PINs in a row: `Some(seconds to wait)` before the next
/// try (0 for none), or `None` when the wallet is blocked. The waits grow so that guessing
/// a million PINs is out of reach, while a citizen who mistypes a few times is not
/// punished.
pub fn wait_after(failures: u32) -> Option<u64> {
    const WAITS: [u64; 6] = [60, 5 * 60, 15 * 60, 3600, 4 * 3600, 24 * 3600];
    if failures >= MAX_ATTEMPTS {
        return None;
    }
    if failures <= FREE_ATTEMPTS {
        return Some(0);
    }
    let step = (failures - FREE_ATTEMPTS - 1) as usize;
    Some(WAITS[step.min(WAITS.len() - 1)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_rules() {
        assert_eq!(check_new_pin(&Pin::new("482915")), Ok(()));
        assert_eq!(check_new_pin(&Pin::new(" 482915\n")), Ok(()));
        assert_eq!(
            check_new_pin(&Pin::new("12345")),
            Err(PinRuleError::NotSixDigits)
        );
        assert_eq!(
            check_new_pin(&Pin::new("12a456")),
            Err(PinRuleError::NotSixDigits)
        );
        assert_eq!(
            check_new_pin(&Pin::new("٤٨٢٩١٥")),
            Err(PinRuleError::NotSixDigits)
        );
        assert_eq!(
            check_new_pin(&Pin::new("777777")),
            Err(PinRuleError::AllSame)
        );
        assert_eq!(check_new_pin(&Pin::new("123456")), Err(PinRuleError::Run));
        assert_eq!(check_new_pin(&Pin::new("987654")), Err(PinRuleError::Run));
        assert_eq!(check_new_pin(&Pin::new("123457")), Ok(()));
    }

    #[test]
    fn waits_grow_then_block() {
        assert_eq!(wait_after(1), Some(0));
        assert_eq!(wait_after(3), Some(0));
        assert_eq!(wait_after(4), Some(60));
        assert_eq!(wait_after(5), Some(300));
        assert_eq!(wait_after(9), Some(24 * 3600));
        assert_eq!(wait_after(10), None);
    }
}
