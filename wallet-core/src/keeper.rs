//! Which vault and store are current, and the operations that read the PIN or replace them
//! (set-up, unlock, PIN change, reset), one at a time per wallet: a mutex is held from the
//! wrong-PIN count to the end of the key derivation, so parallel unlocks line up, and the
//! data directory's lock does the same between processes.
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Deserialize;

use crate::attempts::{self, LockState};
use crate::crypto::{DataKey, KdfParams};
use crate::datadir::{remove_store, DataDir, LEGACY_STORE};
use crate::error::WalletError;
use crate::files;
use crate::history::{self, EventKind};
use crate::pin::{check_new_pin, Pin};
use crate::rekey;
use crate::store::{Batch, Store, StoreError};
use crate::vault::{self, VaultRecord};

/// The vault record of wallets made before it moved out of sled (kept in the meta tree).
#[derive(Clone, Deserialize)]
struct LegacyRecord {
    kdf: KdfParams,
    salt: Vec<u8>,
    wrapped_key: Vec<u8>,
}

enum Current {
    /// No wallet here.
    Empty,
    /// A wallet: its vault and its open store.
    Open {
        record: VaultRecord,
        store: Arc<Store>,
    },
    /// A wallet with the vault inside sled: moved to a vault file and a new data key at
    /// the first right PIN, since the old wrapped key stays in sled's log.
    Legacy {
        record: LegacyRecord,
        store: Arc<Store>,
    },
    /// A vault that cannot be read or names no store: only a reset helps.
    Damaged,
}

/// A store and the data key that opens it.
pub(crate) type Opened = (Arc<Store>, DataKey);

pub(crate) struct Keeper {
    dir: DataDir,
    current: Mutex<Current>,
}

impl Keeper {
    /// Opens the wallet's directory; returns what had wider modes than owner-only.
    pub(crate) fn open(path: &Path) -> Result<(Keeper, Vec<PathBuf>), WalletError> {
        let (dir, repaired) = DataDir::open(path)?;
        let current = match vault::read(&dir.vault_path()) {
            Ok(Some(record)) => match dir.store_path(&record.store) {
                Ok(p) if p.is_dir() => Current::Open {
                    store: Arc::new(Store::open(&p)?),
                    record,
                },
                _ => Current::Damaged,
            },
            Ok(None) if dir.legacy_path().is_dir() => {
                let store = Store::open(&dir.legacy_path())?;
                match store.meta::<LegacyRecord>("vault")? {
                    Some(record) => Current::Legacy {
                        record,
                        store: Arc::new(store),
                    },
                    None => Current::Empty,
                }
            }
            Ok(None) => Current::Empty,
            Err(_) => Current::Damaged,
        };
        // Stores that no vault names are what an interrupted PIN change, set-up or reset
        // left behind.
        match &current {
            Current::Empty => dir.remove_others(None)?,
            Current::Open { record, .. } => dir.remove_others(Some(&record.store))?,
            Current::Legacy { .. } => dir.remove_others(Some(LEGACY_STORE))?,
            Current::Damaged => {}
        }
        let keeper = Keeper {
            dir,
            current: Mutex::new(current),
        };
        Ok((keeper, repaired))
    }

    fn lock(&self) -> MutexGuard<'_, Current> {
        // A panic elsewhere cannot leave `Current` half-changed: it is replaced whole.
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn is_initialised(&self) -> bool {
        !matches!(*self.lock(), Current::Empty)
    }

    pub(crate) fn lock_state(&self, now: u64) -> Result<LockState, WalletError> {
        match &*self.lock() {
            Current::Open { store, .. } | Current::Legacy { store, .. } => {
                attempts::lock_state(store, now)
            }
            Current::Empty | Current::Damaged => Ok(LockState::default()),
        }
    }

    /// Sets up a new wallet with `pin`.
    pub(crate) fn init(&self, pin: &Pin, kdf: KdfParams) -> Result<Opened, WalletError> {
        check_new_pin(pin)?;
        let mut current = self.lock();
        if !matches!(*current, Current::Empty) {
            return Err(WalletError::AlreadyInitialised);
        }
        self.dir.remove_others(None)?;
        let name = DataDir::new_store_name()?;
        let path = self.dir.store_path(&name)?;
        let made = Store::open(&path)
            .map_err(WalletError::from)
            .and_then(|store| {
                let (key, record) = vault::create(pin, kdf, &name)?;
                files::sync_tree(&path).map_err(StoreError::Io)?;
                vault::write(&self.dir.vault_path(), &record)?;
                Ok((store, key, record))
            });
        let (store, key, record) = made.inspect_err(|_| {
            let _ = remove_store(&path);
        })?;
        let store = Arc::new(store);
        *current = Current::Open {
            record,
            store: store.clone(),
        };
        Ok((store, key))
    }

    /// Opens the data key with `pin`, counting the try first.
    pub(crate) fn unlock(&self, pin: &Pin, now: u64) -> Result<Opened, WalletError> {
        let mut current = self.lock();
        match &*current {
            Current::Empty => Err(WalletError::NotInitialised),
            Current::Damaged => Err(StoreError::Damaged.into()),
            Current::Open { record, store } => {
                let key = vault::unlock(record, store, pin, now)?;
                Ok((store.clone(), key))
            }
            Current::Legacy { record, store } => {
                let key = vault::unlock_wrapped(
                    store,
                    &record.salt,
                    record.kdf,
                    &record.wrapped_key,
                    pin,
                    now,
                )?;
                let (store, key, record) = self.replace(store, &key, pin, record.kdf, None)?;
                *current = Current::Open {
                    record,
                    store: store.clone(),
                };
                drop(current);
                // The legacy store, with the old wrapped key in its log, goes.
                self.remove_unused()?;
                Ok((store, key))
            }
        }
    }

    /// Checks `pin` again for the holder of `store` (approving a request), counting it.
    pub(crate) fn confirm(
        &self,
        store: &Arc<Store>,
        pin: &Pin,
        now: u64,
    ) -> Result<(), WalletError> {
        let current = self.lock();
        match &*current {
            Current::Open { record, store: s } if Arc::ptr_eq(s, store) => {
                vault::unlock(record, s, pin, now).map(drop)
            }
            _ => Err(WalletError::StillOpen),
        }
    }

    /// Replaces the PIN of the holder of `store` and `key`: a new data key, and everything
    /// moved into a new store with the `pin_changed` event, which takes effect with the
    /// vault naming it. The old store is removed once the holder lets go of it
    /// ([`Keeper::remove_unused`]).
    pub(crate) fn change_pin(
        &self,
        (store, key): (&Arc<Store>, &DataKey),
        old: &Pin,
        new: &Pin,
        kdf: KdfParams,
        now: u64,
    ) -> Result<Opened, WalletError> {
        check_new_pin(new)?;
        let mut current = self.lock();
        let Current::Open { record, store: s } = &*current else {
            return Err(WalletError::StillOpen);
        };
        // Another open handle would go on writing to the old store, which is removed.
        if !Arc::ptr_eq(s, store) || Arc::strong_count(s) > 2 {
            return Err(WalletError::StillOpen);
        }
        drop(vault::unlock(record, s, old, now)?);
        let (store, key, record) =
            self.replace(s, key, new, kdf, Some((now, EventKind::PinChanged)))?;
        *current = Current::Open {
            record,
            store: store.clone(),
        };
        Ok((store, key))
    }

    /// Deletes the wallet: the vault first (from then on no PIN opens anything here), then
    /// every store.
    pub(crate) fn reset(&self) -> Result<(), WalletError> {
        let mut current = self.lock();
        if let Current::Open { store, .. } | Current::Legacy { store, .. } = &*current {
            if Arc::strong_count(store) > 1 {
                return Err(WalletError::StillOpen);
            }
        }
        vault::remove(&self.dir.vault_path())?;
        *current = Current::Empty;
        self.dir.remove_others(None)?;
        Ok(())
    }

    /// Removes the stores the current vault does not name.
    pub(crate) fn remove_unused(&self) -> Result<(), WalletError> {
        let current = self.lock();
        if let Current::Open { record, .. } = &*current {
            self.dir.remove_others(Some(&record.store))?;
        }
        Ok(())
    }

    /// Builds a new store under a new data key for `pin` from `from`, with `event` added,
    /// and makes it current by writing the vault: one rename switches PIN, data key, store
    /// and event together. Killed before the rename, the old vault and store stay current
    /// and the next [`Keeper::open`] removes the new store; killed after it, the new ones
    /// are current and the old store is removed. On a failure before the rename, the new
    /// store is removed here and `from` stays current.
    fn replace(
        &self,
        from: &Store,
        old_key: &DataKey,
        pin: &Pin,
        kdf: KdfParams,
        event: Option<(u64, EventKind)>,
    ) -> Result<(Arc<Store>, DataKey, VaultRecord), WalletError> {
        let name = DataDir::new_store_name()?;
        let path = self.dir.store_path(&name)?;
        let built = Store::open(&path)
            .map_err(WalletError::from)
            .and_then(|store| {
                let (key, record) = vault::wrap_new(pin, kdf, &name)?;
                rekey::copy(from, old_key, &store, &key)?;
                // The event goes into the new store before the vault names it: the new
                // PIN and its `pin_changed` take effect together, with the rename.
                if let Some((at, kind)) = event {
                    let mut batch = Batch::new();
                    history::record(&store, &key, &mut batch, at, kind)?;
                    store.apply(batch)?;
                }
                files::sync_tree(&path).map_err(StoreError::Io)?;
                Ok((store, key, record))
            });
        let (store, key, record) = built.inspect_err(|_| {
            let _ = remove_store(&path);
        })?;
        if let Err(e) = vault::write(&self.dir.vault_path(), &record) {
            // Only if the rename did not happen after all is the new store not current.
            let named = vault::read(&self.dir.vault_path());
            if !matches!(named, Ok(Some(r)) if r.store == name) {
                drop(store);
                let _ = remove_store(&path);
                return Err(e);
            }
        }
        Ok((Arc::new(store), key, record))
    }
}
