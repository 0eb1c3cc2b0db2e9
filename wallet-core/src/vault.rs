//! The PIN-protected data key: creating it, unlocking it with the wrong-PIN counter and
//! lock-out persisted before every try, and re-wrapping it for a new PIN.
use serde::{Deserialize, Serialize};

use crate::crypto::{derive_kek, fill_random, DataKey, KdfParams};
use crate::error::WalletError;
use crate::pin::{check_new_pin, wait_after, Pin};
use crate::store::{Batch, Store};

const VAULT: &str = "vault";
const ATTEMPTS: &str = "attempts";

/// What opening the data key needs, stored in plaintext.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct VaultRecord {
    version: u32,
    kdf: KdfParams,
    salt: Vec<u8>,
    wrapped_key: Vec<u8>,
}

/// Wrong PINs in a row and until when the next try must wait.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempts {
    pub failures: u32,
    pub locked_until: u64,
}

/// Whether a PIN may be tried now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LockState {
    pub failures: u32,
    /// Seconds to wait before the next try (0: may try now).
    pub wait_secs: u64,
    /// Too many wrong PINs: only a reset helps.
    pub blocked: bool,
}

/// Whether the store holds a wallet.
pub fn exists(store: &Store) -> Result<bool, WalletError> {
    Ok(store.meta::<VaultRecord>(VAULT)?.is_some())
}

/// Creates the data key for a new wallet and the batch that stores it under `pin`.
pub fn create(pin: &Pin, kdf: KdfParams) -> Result<(DataKey, Batch), WalletError> {
    check_new_pin(pin)?;
    let key = DataKey::generate()?;
    let batch = wrap_batch(&key, pin, kdf)?;
    Ok((key, batch))
}

fn wrap_batch(key: &DataKey, pin: &Pin, kdf: KdfParams) -> Result<Batch, WalletError> {
    let mut salt = vec![0u8; 16];
    fill_random(&mut salt)?;
    let kek = derive_kek(pin, &salt, kdf)?;
    let record = VaultRecord {
        version: 1,
        kdf,
        salt,
        wrapped_key: key.wrap(&kek)?,
    };
    let mut batch = Batch::new();
    batch.put_meta(VAULT, &record)?;
    batch.put_meta(ATTEMPTS, &Attempts::default())?;
    Ok(batch)
}

/// The lock state at `now`.
pub fn lock_state(store: &Store, now: u64) -> Result<LockState, WalletError> {
    let attempts: Attempts = store.meta(ATTEMPTS)?.unwrap_or_default();
    Ok(LockState {
        failures: attempts.failures,
        wait_secs: attempts.locked_until.saturating_sub(now),
        blocked: wait_after(attempts.failures).is_none(),
    })
}

/// Opens the data key with `pin`.
///
/// The failure is counted and made durable *before* the PIN is tried, and only cleared
/// after a right PIN: killing the process during the (slow) key derivation cannot be used
/// to try PINs without them counting.
pub fn unlock(store: &Store, pin: &Pin, now: u64) -> Result<DataKey, WalletError> {
    let record: VaultRecord = store.meta(VAULT)?.ok_or(WalletError::NotInitialised)?;
    let attempts: Attempts = store.meta(ATTEMPTS)?.unwrap_or_default();
    if wait_after(attempts.failures).is_none() {
        return Err(WalletError::Blocked);
    }
    if attempts.locked_until > now {
        return Err(WalletError::LockedOut {
            wait_secs: attempts.locked_until - now,
        });
    }
    let failures = attempts.failures + 1;
    let counted = Attempts {
        failures,
        locked_until: now + wait_after(failures).unwrap_or(0),
    };
    let mut batch = Batch::new();
    batch.put_meta(ATTEMPTS, &counted)?;
    store.apply(batch)?;

    let kek = derive_kek(pin, &record.salt, record.kdf)?;
    match DataKey::unwrap(&record.wrapped_key, &kek) {
        Ok(key) => {
            let mut batch = Batch::new();
            batch.put_meta(ATTEMPTS, &Attempts::default())?;
            store.apply(batch)?;
            Ok(key)
        }
        Err(_) => match wait_after(failures) {
            None => Err(WalletError::Blocked),
            Some(wait_secs) => Err(WalletError::WrongPin {
                failures,
                wait_secs,
            }),
        },
    }
}

/// Re-wraps the data key under `new_pin` after checking `old_pin`.
pub fn change_pin(
    store: &Store,
    old_pin: &Pin,
    new_pin: &Pin,
    kdf: KdfParams,
    now: u64,
) -> Result<(), WalletError> {
    check_new_pin(new_pin)?;
    let key = unlock(store, old_pin, now)?;
    store.apply(wrap_batch(&key, new_pin, kdf)?)?;
    Ok(())
}
