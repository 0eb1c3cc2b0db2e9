//! The PIN-protected data key. Its record (Argon2id parameters, salt, the wrapped key and
//! the name of the store it opens) is a small file outside sled, replaced as a whole with
//! an atomic rename: sled is log-structured and keeps old versions of what it stores, so a
//! wrapped key kept there would still be on disk after a PIN change or reset. A new PIN
//! comes with a new data key and a new store, so nothing on disk opens with an old PIN.
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::attempts::{self, Counted};
use crate::crypto::{derive_kek, fill_random, DataKey, KdfParams};
use crate::error::WalletError;
use crate::files;
use crate::pin::{check_new_pin, Pin};
use crate::store::{Store, StoreError};

pub use crate::attempts::{lock_state, Attempts, LockState};

/// What opening the data key needs, stored in plaintext.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct VaultRecord {
    pub version: u32,
    pub kdf: KdfParams,
    pub salt: Vec<u8>,
    pub wrapped_key: Vec<u8>,
    /// The store this data key opens (`store-<hex>` in the data directory).
    pub store: String,
}

/// Reads the vault file; `None` when there is none.
pub(crate) fn read(path: &Path) -> Result<Option<VaultRecord>, WalletError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|_| StoreError::Damaged.into()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::Io(e).into()),
    }
}

/// Replaces the vault file with `record`, atomically and durably: the moment a new PIN (and
/// the store made for it) takes effect.
pub(crate) fn write(path: &Path, record: &VaultRecord) -> Result<(), WalletError> {
    let bytes = serde_json::to_vec(record).map_err(|_| StoreError::Damaged)?;
    files::write_private(path, &bytes).map_err(StoreError::Io)?;
    Ok(())
}

/// Removes the vault file: from then on no PIN opens anything left in the directory.
pub(crate) fn remove(path: &Path) -> Result<(), WalletError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(StoreError::Io(e).into()),
        _ => {
            if let Some(dir) = path.parent() {
                files::sync_dir(dir).map_err(StoreError::Io)?;
            }
            Ok(())
        }
    }
}

/// A new data key under a new `pin`, for the store named `store`.
pub(crate) fn create(
    pin: &Pin,
    kdf: KdfParams,
    store: &str,
) -> Result<(DataKey, VaultRecord), WalletError> {
    check_new_pin(pin)?;
    wrap_new(pin, kdf, store)
}

/// A new data key under `pin` (already checked), for the store named `store`.
pub(crate) fn wrap_new(
    pin: &Pin,
    kdf: KdfParams,
    store: &str,
) -> Result<(DataKey, VaultRecord), WalletError> {
    let mut salt = vec![0u8; 16];
    fill_random(&mut salt)?;
    let kek = derive_kek(pin, &salt, kdf)?;
    let (key, wrapped_key) = DataKey::generate_wrapped(&kek)?;
    let record = VaultRecord {
        version: 2,
        kdf,
        salt,
        wrapped_key,
        store: store.to_owned(),
    };
    Ok((key, record))
}

/// Opens the data key with `pin`.
///
/// The try is counted and made durable *before* the PIN is tried, and only cleared after
/// a right PIN: killing the process during the (slow) key derivation, or trying many PINs
/// at once, cannot be used to try PINs without them counting.
pub(crate) fn unlock(
    record: &VaultRecord,
    store: &Store,
    pin: &Pin,
    now: u64,
) -> Result<DataKey, WalletError> {
    unlock_wrapped(
        store,
        &record.salt,
        record.kdf,
        &record.wrapped_key,
        pin,
        now,
    )
}

/// [`unlock`] for any record shape (the legacy one too): the counter is in `store`.
pub(crate) fn unlock_wrapped(
    store: &Store,
    salt: &[u8],
    kdf: KdfParams,
    wrapped: &[u8],
    pin: &Pin,
    now: u64,
) -> Result<DataKey, WalletError> {
    let counted: Counted = attempts::count_try(store, now)?;
    let kek = derive_kek(pin, salt, kdf)?;
    match DataKey::unwrap(wrapped, &kek) {
        Ok(key) => {
            attempts::clear(store, &counted)?;
            Ok(key)
        }
        Err(_) => match crate::pin::wait_after(counted.failures) {
            None => Err(WalletError::Blocked),
            Some(wait_secs) => Err(WalletError::WrongPin {
                failures: counted.failures,
                wait_secs,
            }),
        },
    }
}
