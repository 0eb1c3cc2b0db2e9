//! The wrong-PIN counter, in the plaintext meta tree of the store. A try is counted with one
//! compare-and-swap (from the count that was read to that count plus one) made durable
//! *before* the PIN is tried, so neither a killed process nor a parallel try gets a guess
//! for free; a right PIN clears it. A date is written only when there is a wait to enforce,
//! so a right PIN leaves nothing that says when the wallet was opened.
use serde::{Deserialize, Serialize};

use crate::error::WalletError;
use crate::pin::wait_after;
use crate::store::{Store, StoreError};

const ATTEMPTS: &str = "attempts";

/// Wrong PINs in a row and until when the next try must wait (0: no wait).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempts {
    pub failures: u32,
    pub locked_until: u64,
}

/// Whether a PIN may be tried now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LockState {
    pub failures: u32,
    /// Seconds to wait before the next try (0: may try now).
    pub wait_secs: u64,
    /// Too many wrong PINs: only a reset helps.
    pub blocked: bool,
}

/// A try that was counted: what to swap back when the PIN turns out right.
pub(crate) struct Counted {
    pub failures: u32,
    written: Vec<u8>,
}

fn read(store: &Store) -> Result<(Option<Vec<u8>>, Attempts), WalletError> {
    let raw = store.meta_raw(ATTEMPTS)?;
    let attempts = match &raw {
        None => Attempts::default(),
        Some(bytes) => serde_json::from_slice(bytes).map_err(|_| StoreError::Damaged)?,
    };
    Ok((raw, attempts))
}

/// The lock state at `now`.
pub fn lock_state(store: &Store, now: u64) -> Result<LockState, WalletError> {
    let (_, attempts) = read(store)?;
    Ok(LockState {
        failures: attempts.failures,
        wait_secs: attempts.locked_until.saturating_sub(now),
        blocked: wait_after(attempts.failures).is_none(),
    })
}

/// Counts one try at `now`, or says why no PIN may be tried now.
pub(crate) fn count_try(store: &Store, now: u64) -> Result<Counted, WalletError> {
    loop {
        let (raw, attempts) = read(store)?;
        if wait_after(attempts.failures).is_none() {
            return Err(WalletError::Blocked);
        }
        if attempts.locked_until > now {
            return Err(WalletError::LockedOut {
                wait_secs: attempts.locked_until - now,
            });
        }
        let failures = attempts.failures + 1;
        let wait = wait_after(failures).unwrap_or(0);
        let counted = Attempts {
            failures,
            locked_until: if wait > 0 { now + wait } else { 0 },
        };
        let written = serde_json::to_vec(&counted).map_err(|_| StoreError::Damaged)?;
        if store.swap_meta(ATTEMPTS, raw.as_deref(), &written)? {
            return Ok(Counted { failures, written });
        }
        // Another try was counted between the read and the swap: judge again on its count.
    }
}

/// Clears the count after a right PIN, unless another try was counted meanwhile.
pub(crate) fn clear(store: &Store, counted: &Counted) -> Result<(), WalletError> {
    let cleared = serde_json::to_vec(&Attempts::default()).map_err(|_| StoreError::Damaged)?;
    store.swap_meta(ATTEMPTS, Some(&counted.written), &cleared)?;
    Ok(())
}
