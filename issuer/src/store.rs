//! The issuer's state, behind one interface ([`IssuerStore`]) with two stores: sled, embedded
//! (the default and the demo), and PostgreSQL, for several instances on one database.
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{de::DeserializeOwned, Serialize};

mod interface;
mod pg_records;
mod pg_schema;
mod pg_store;
mod records;
mod retention;
mod sled_records;
mod sled_store;

pub use interface::{
    CaseLock, CaseRecords, CredentialStore, IssuerStore, LifeEventRecords, PortalRecords,
};
pub use records::{
    CaseRow, CaseSessionRow, CorrectionRow, CredentialRecord, Login, LoginAttemptRow, OfferRecord,
    RefreshRecord, TokenRecord,
};
pub use retention::OFFER_KEPT_AFTER_EXPIRY;

/// Entries per status list. 1 bit each: valid or revoked.
pub const STATUS_LIST_SIZE: u64 = 131_072;
/// The first status list (its URI ends in `/status/1`); when it is full, `/status/2` follows.
pub const STATUS_LIST_ID: &str = "1";

/// Where a credential's status bit lives: list `list` (1, 2, …), entry `idx`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusSlot {
    pub list: u64,
    pub idx: u64,
}

impl StatusSlot {
    /// The list's id as it appears in its URI.
    pub fn list_id(&self) -> String {
        self.list.to_string()
    }

    /// The slot of dense position `position` (0, 1, …) with `per_list` usable entries per
    /// list (index 0 of each list is never handed out).
    fn at(position: u64, per_list: u64) -> StatusSlot {
        StatusSlot {
            list: position / per_list + 1,
            idx: position % per_list + 1,
        }
    }
}

/// Storage errors. Name no person, and no database URL (it may hold a password).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store could not be opened at start: the message names the directory and the
    /// operating system's reason (full disk, read-only file system, no permission).
    #[error("cannot open the issuer's store in {}: {source}", dir.display())]
    Open { dir: PathBuf, source: sled::Error },
    /// Reading or writing the data directory failed while running (full disk, read-only
    /// file system, I/O error). A request that needed to write is answered 503; sled keeps
    /// refusing writes until the service is restarted, reads go on.
    #[error("the data directory cannot be written: {}", io_cause(.0))]
    Unavailable(std::io::Error),
    #[error("storage: {0}")]
    Sled(sled::Error),
    /// PostgreSQL cannot be reached at start.
    #[error(transparent)]
    Connect(regie_ops::postgres::PgError),
    /// PostgreSQL cannot be reached now (down, restarting, no connection free in time):
    /// answered 503, the request may succeed later.
    #[error("the database cannot be reached: {0}")]
    DatabaseUnavailable(sqlx::Error),
    #[error("database: {0}")]
    Database(sqlx::Error),
    #[error("stored record is corrupt")]
    Corrupt,
    #[error("no status positions left")]
    StatusListFull,
    #[error("unknown credential")]
    UnknownCredential,
    /// A scan run off the request threads ended without an answer (it panicked).
    #[error("a storage scan stopped before it finished")]
    ScanFailed,
}

/// The operating system's reason in words. After its first I/O error sled hands out copies
/// that carry the original only as debug text, so those are named by their kind
/// ("no storage space", "read-only filesystem or storage medium").
fn io_cause(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(_) => e.to_string(),
        None => e.kind().to_string(),
    }
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        match e {
            sled::Error::Io(e) => StoreError::Unavailable(e),
            other => StoreError::Sled(other),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if regie_ops::postgres::is_unavailable(&e) {
            StoreError::DatabaseUnavailable(e)
        } else {
            StoreError::Database(e)
        }
    }
}

impl StoreError {
    /// Whether the cause is the store's medium (a full or read-only data directory, a
    /// database out of reach) rather than the data: the request may succeed later.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StoreError::Unavailable(_)
                | StoreError::Open { .. }
                | StoreError::Connect(_)
                | StoreError::DatabaseUnavailable(_)
        )
    }
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|_| StoreError::Corrupt)
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|_| StoreError::Corrupt)
}

/// The issuer's store, whichever it is; cloned freely (one store behind all clones).
#[derive(Clone)]
pub struct Store(Arc<dyn IssuerStore>);

impl Deref for Store {
    type Target = dyn IssuerStore;

    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

impl Store {
    /// Opens (or creates) the embedded store in `dir`.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        Self::open_with_list_size(dir, STATUS_LIST_SIZE)
    }

    /// As [`Store::open`], with `list_size` entries per status list (tests use small lists to
    /// see them roll over; a deployment keeps one size for the life of its data).
    pub fn open_with_list_size(dir: &Path, list_size: u64) -> Result<Self, StoreError> {
        Ok(Store(Arc::new(sled_store::SledStore::open(
            dir, list_size,
        )?)))
    }

    /// Connects to PostgreSQL at `url` (`postgres://…`) and brings its schema up to date;
    /// several instances starting together migrate it once.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with_list_size(url, STATUS_LIST_SIZE).await
    }

    /// As [`Store::connect`], with `list_size` entries per status list.
    pub async fn connect_with_list_size(url: &str, list_size: u64) -> Result<Self, StoreError> {
        Ok(Store(Arc::new(
            pg_store::PgStore::connect(url, list_size).await?,
        )))
    }
}
