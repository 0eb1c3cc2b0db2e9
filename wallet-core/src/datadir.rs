//! The wallet's directory: `vault.json` (the wrapped data key and which store it opens),
//! one `store-<random>` sled database per data key, and `lock`, held by the one process that
//! has the wallet open. Everything is owner-only; a store no vault names (left by a PIN
//! change or reset that was interrupted) is removed when the wallet is opened.
use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::Duration;

use fs2::FileExt;

use crate::crypto::fill_random;
use crate::files::{self, TEMP_SUFFIX};
use crate::store::StoreError;

const LOCK_FILE: &str = "lock";
const VAULT_FILE: &str = "vault.json";
const STORE_PREFIX: &str = "store-";
/// The single store of wallets made before the vault moved out of sled.
pub(crate) const LEGACY_STORE: &str = "wallet.db";

/// How long to wait for another process (or a wallet closed a moment ago) to let go.
const LOCK_TRIES: u32 = 100;
const LOCK_PAUSE: Duration = Duration::from_millis(100);

/// The open, locked data directory.
pub(crate) struct DataDir {
    path: PathBuf,
    /// Held while open: the wrong-PIN counter and the vault are read and written by one
    /// process at a time.
    _lock: File,
}

impl DataDir {
    /// Opens (creating) the directory, repairs wider modes of what the wallet keeps there
    /// (returned, for a warning), and takes the lock.
    pub(crate) fn open(path: &Path) -> Result<(DataDir, Vec<PathBuf>), StoreError> {
        files::create_private_dir(path)?;
        let mut repaired = Vec::new();
        if files::repair_mode(path)? {
            repaired.push(path.to_path_buf());
        }
        for entry in fs::read_dir(path)? {
            let entry = entry?.path();
            if is_ours(&entry) {
                repaired.extend(files::repair_modes(&entry)?);
            }
        }
        let lock = lock_file(&path.join(LOCK_FILE))?;
        Ok((
            DataDir {
                path: path.to_path_buf(),
                _lock: lock,
            },
            repaired,
        ))
    }

    pub(crate) fn vault_path(&self) -> PathBuf {
        self.path.join(VAULT_FILE)
    }

    pub(crate) fn legacy_path(&self) -> PathBuf {
        self.path.join(LEGACY_STORE)
    }

    /// A name for a new store, never used before.
    pub(crate) fn new_store_name() -> Result<String, StoreError> {
        let mut random = [0u8; 8];
        fill_random(&mut random)?;
        Ok(format!("{STORE_PREFIX}{}", files::hex(&random)))
    }

    /// Where the store `name` lives; a name from the vault file that is not one of ours
    /// (a path, say) is refused.
    pub(crate) fn store_path(&self, name: &str) -> Result<PathBuf, StoreError> {
        let ok = name
            .strip_prefix(STORE_PREFIX)
            .is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()));
        if !ok {
            return Err(StoreError::Damaged);
        }
        Ok(self.path.join(name))
    }

    /// Removes every store except `keep`, the legacy store unless kept, and left-over
    /// temporary files.
    pub(crate) fn remove_others(&self, keep: Option<&str>) -> Result<(), StoreError> {
        for entry in fs::read_dir(&self.path)? {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if keep == Some(name.as_ref()) {
                continue;
            }
            if name.starts_with(STORE_PREFIX) || name == LEGACY_STORE {
                remove_store(&entry.path())?;
            } else if name.starts_with(VAULT_FILE) && name.ends_with(TEMP_SUFFIX) {
                fs::remove_file(entry.path())?;
            }
        }
        files::sync_dir(&self.path)?;
        Ok(())
    }
}

/// Whether an entry of the directory is the wallet's (the directory may be shared, e.g.
/// with the app's other data: nothing else is touched).
fn is_ours(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    name == LOCK_FILE
        || name.starts_with(VAULT_FILE)
        || name.starts_with(STORE_PREFIX)
        || name == LEGACY_STORE
}

fn lock_file(path: &Path) -> Result<File, StoreError> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, files::FILE_MODE);
    let file = options.open(path)?;
    for _ in 0..LOCK_TRIES {
        if file.try_lock_exclusive().is_ok() {
            return Ok(file);
        }
        std::thread::sleep(LOCK_PAUSE);
    }
    Err(StoreError::InUse)
}

/// Removes a store's directory once sled has let go of it: its background flusher may
/// still be closing a database dropped a moment ago, and would write into the directory.
pub(crate) fn remove_store(path: &Path) -> Result<(), StoreError> {
    if let Ok(db) = File::open(path.join("db")) {
        for _ in 0..LOCK_TRIES {
            if db.try_lock_exclusive().is_ok() {
                break;
            }
            std::thread::sleep(LOCK_PAUSE);
        }
    }
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}
