//! The issuer's state on sled: offers (pre-authorized codes), access tokens, nonces, issued
//! credentials and the status list. Single-use values are taken with compare-and-swap
//! removal, so two concurrent redemptions of one code cannot both succeed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use protocol::status_list::{Status, StatusList};
use sled::Transactional;

use crate::not_durable::{Durable, NotDurable};

mod retention;
pub use retention::OFFER_KEPT_AFTER_EXPIRY;

/// Entries per status list. 1 bit each: valid or revoked.
pub const STATUS_LIST_SIZE: u64 = 131_072;
/// The first status list (its URI ends in `/status/1`); when it is full, `/status/2` follows.
pub const STATUS_LIST_ID: &str = "1";
/// The key of the next status position to hand out, in the `status_alloc` tree.
const NEXT_POSITION: &[u8] = b"next";

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
}

/// Storage errors. Name no person.
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
    #[error("stored record is corrupt")]
    Corrupt,
    #[error("no status positions left")]
    StatusListFull,
    #[error("unknown credential")]
    UnknownCredential,
}

/// A credential offer waiting to be collected.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OfferRecord {
    pub id: String,
    pub bsn: String,
    pub credential_type: String,
    pub tx_code: Option<String>,
    pub expires_at: u64,
    /// Set once the wallet has collected the credentials.
    #[serde(default)]
    pub collected: bool,
    /// The offer JSON, served at `/offers/{id}` for offers by reference.
    #[serde(default)]
    pub offer_json: Option<String>,
}

/// An access token from the token endpoint.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TokenRecord {
    pub offer_id: String,
    pub bsn: String,
    pub credential_type: String,
    pub expires_at: u64,
    /// The grant this token belongs to: the first offer a wallet collected, carried through
    /// every renewal, so a revocation can end that wallet's renewals and no other.
    #[serde(default)]
    pub grant: String,
}

/// What a refresh token may fetch: fresh copies of one credential type for one person.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RefreshRecord {
    pub bsn: String,
    pub credential_type: String,
    pub expires_at: u64,
    /// See [`TokenRecord::grant`].
    #[serde(default)]
    pub grant: String,
}

/// One issued credential copy.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CredentialRecord {
    pub id: String,
    pub offer_id: String,
    pub bsn: String,
    pub credential_type: String,
    pub status_idx: u64,
    /// Which status list holds `status_idx` (records from before lists rolled over: "1").
    #[serde(default = "first_list")]
    pub status_list: String,
    pub issued_at: u64,
    pub expires_at: u64,
    #[serde(default)]
    pub revoked: bool,
    /// See [`TokenRecord::grant`]; empty for printed documents and older records (then the
    /// offer is the grant).
    #[serde(default)]
    pub grant: String,
}

impl CredentialRecord {
    /// The grant that brought this copy: renewals of it end when it is revoked as lost.
    pub fn grant(&self) -> &str {
        if self.grant.is_empty() {
            &self.offer_id
        } else {
            &self.grant
        }
    }
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

impl StoreError {
    /// Whether the cause is the data directory (full, read-only, failing) rather than the
    /// data: the request may succeed once space or write access returns.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_) | StoreError::Open { .. })
    }
}

fn first_list() -> String {
    STATUS_LIST_ID.to_owned()
}

/// The issuer's database.
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    offers: sled::Tree,
    codes: sled::Tree,
    tokens: sled::Tree,
    refresh_tokens: sled::Tree,
    nonces: sled::Tree,
    credentials: sled::Tree,
    status: sled::Tree,
    status_alloc: sled::Tree,
    ended_grants: sled::Tree,
    list_size: u64,
    /// Values a failed flush left in memory only; reads return what is on disk instead.
    not_durable: Arc<NotDurable>,
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|_| StoreError::Corrupt)
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|_| StoreError::Corrupt)
}

impl Store {
    /// Opens (or creates) the database in `dir`.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        Self::open_with_list_size(dir, STATUS_LIST_SIZE)
    }

    /// As [`Store::open`], with `list_size` entries per status list (tests use small lists to
    /// see them roll over; a deployment keeps one size for the life of its data).
    pub fn open_with_list_size(dir: &Path, list_size: u64) -> Result<Self, StoreError> {
        // Whatever fails while opening is reported with the directory, so the operator
        // sees which one is full or read-only.
        Self::open_in(dir, list_size).map_err(|e| match e {
            StoreError::Unavailable(io) => StoreError::Open {
                dir: dir.to_owned(),
                source: sled::Error::Io(io),
            },
            StoreError::Sled(source) => StoreError::Open {
                dir: dir.to_owned(),
                source,
            },
            other => other,
        })
    }

    fn open_in(dir: &Path, list_size: u64) -> Result<Self, StoreError> {
        let db = regie_ops::sled_db::open(dir)?;
        let store = Store {
            offers: db.open_tree("offers")?,
            codes: db.open_tree("codes")?,
            tokens: db.open_tree("tokens")?,
            refresh_tokens: db.open_tree("refresh_tokens")?,
            nonces: db.open_tree("nonces")?,
            credentials: db.open_tree("credentials")?,
            status: db.open_tree("status")?,
            status_alloc: db.open_tree("status_alloc")?,
            ended_grants: db.open_tree("ended_grants")?,
            list_size: list_size.max(2),
            not_durable: Arc::default(),
            db,
        };
        store.start_counter_after_existing()?;
        Ok(store)
    }

    /// A database written before the counter existed took its indexes from sled's id
    /// generator: continue after the highest one recorded, so none is handed out twice.
    fn start_counter_after_existing(&self) -> Result<(), StoreError> {
        if self.status_alloc.get(NEXT_POSITION)?.is_some() {
            return Ok(());
        }
        let mut next = 0u64;
        for item in self.credentials.iter() {
            let (_, v) = item?;
            let record: CredentialRecord = decode(&v)?;
            let list: u64 = record
                .status_list
                .parse()
                .map_err(|_| StoreError::Corrupt)?;
            let position = list
                .checked_sub(1)
                .and_then(|l| l.checked_mul(self.list_size - 1))
                .and_then(|p| p.checked_add(record.status_idx))
                .ok_or(StoreError::Corrupt)?;
            next = next.max(position);
        }
        let _ = self.status_alloc.compare_and_swap(
            NEXT_POSITION,
            None as Option<&[u8]>,
            Some(&next.to_be_bytes()[..]),
        )?;
        self.db.flush()?;
        Ok(())
    }

    /// Stores an offer and its pre-authorized code.
    pub fn put_offer(&self, offer: &OfferRecord, code: &str) -> Result<(), StoreError> {
        self.offers.insert(offer.id.as_bytes(), encode(offer)?)?;
        self.codes.insert(code.as_bytes(), offer.id.as_bytes())?;
        self.db.flush()?;
        Ok(())
    }

    /// An offer by id.
    pub fn offer(&self, id: &str) -> Result<Option<OfferRecord>, StoreError> {
        if let Durable::Version(v) = self.not_durable.read("offers", id.as_bytes()) {
            return v.map(|v| decode(&v)).transpose();
        }
        self.offers.get(id)?.map(|v| decode(&v)).transpose()
    }

    /// Takes a pre-authorized code: it works once.
    pub fn take_code(&self, code: &str) -> Result<Option<OfferRecord>, StoreError> {
        let Some(offer_id) = self.codes.remove(code.as_bytes())? else {
            return Ok(None);
        };
        let id = String::from_utf8(offer_id.to_vec()).map_err(|_| StoreError::Corrupt)?;
        self.offer(&id)
    }

    /// Stores an access token.
    pub fn put_token(&self, token: &str, record: &TokenRecord) -> Result<(), StoreError> {
        self.tokens.insert(token.as_bytes(), encode(record)?)?;
        Ok(())
    }

    /// Takes an access token: one credential request per token.
    pub fn take_token(&self, token: &str) -> Result<Option<TokenRecord>, StoreError> {
        self.tokens
            .remove(token.as_bytes())?
            .map(|v| decode(&v))
            .transpose()
    }

    /// Stores a refresh token.
    pub fn put_refresh_token(&self, token: &str, record: &RefreshRecord) -> Result<(), StoreError> {
        self.refresh_tokens
            .insert(token.as_bytes(), encode(record)?)?;
        self.db.flush()?;
        Ok(())
    }

    /// Takes a refresh token: each is used once and replaced by a new one (rotation), so a
    /// copied token stops working as soon as either party uses it.
    pub fn take_refresh_token(&self, token: &str) -> Result<Option<RefreshRecord>, StoreError> {
        self.refresh_tokens
            .remove(token.as_bytes())?
            .map(|v| decode(&v))
            .transpose()
    }

    /// Stores a nonce valid until `expires_at`.
    pub fn put_nonce(&self, nonce: &str, expires_at: u64) -> Result<(), StoreError> {
        self.nonces
            .insert(nonce.as_bytes(), &expires_at.to_be_bytes())?;
        Ok(())
    }

    /// Takes a nonce; returns its expiry if it existed.
    pub fn take_nonce(&self, nonce: &str) -> Result<Option<u64>, StoreError> {
        Ok(self.nonces.remove(nonce.as_bytes())?.and_then(|v| {
            let bytes: [u8; 8] = v.as_ref().try_into().ok()?;
            Some(u64::from_be_bytes(bytes))
        }))
    }

    /// Another named tree in the same database (the portal keeps its own).
    pub fn tree(&self, name: &str) -> Result<sled::Tree, StoreError> {
        Ok(self.db.open_tree(name)?)
    }

    /// A new identifier, increasing (with gaps) across restarts: keys that keep order.
    pub fn generate_id(&self) -> Result<u64, StoreError> {
        Ok(self.db.generate_id()?)
    }

    /// Makes everything written so far durable.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }

    /// Hands out `count` fresh status positions, densely: one atomic increment of a counter,
    /// made durable before any is used, so neither a restart nor a crash can hand one out
    /// twice (a crash may leave a few unused, which is harmless). When a list is full the
    /// next one begins. Index 0 of every list stays unused as a canary.
    pub fn allocate_status_slots(&self, count: u64) -> Result<Vec<StatusSlot>, StoreError> {
        let per_list = self.list_size - 1;
        let mut overflow = false;
        let after = self.status_alloc.update_and_fetch(NEXT_POSITION, |old| {
            // sled may run this more than once under contention: decide afresh each time.
            overflow = false;
            let current = old
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_be_bytes)
                .unwrap_or(0);
            match current.checked_add(count) {
                Some(next) if next / per_list < u64::from(u32::MAX) => {
                    Some(next.to_be_bytes().to_vec())
                }
                _ => {
                    overflow = true;
                    old.map(<[u8]>::to_vec)
                }
            }
        })?;
        if overflow {
            return Err(StoreError::StatusListFull);
        }
        self.db.flush()?;
        let end = after
            .and_then(|b| <[u8; 8]>::try_from(b.as_ref()).ok())
            .map(u64::from_be_bytes)
            .ok_or(StoreError::Corrupt)?;
        Ok((end - count..end)
            .map(|position| StatusSlot {
                list: position / per_list + 1,
                idx: position % per_list + 1,
            })
            .collect())
    }

    /// One fresh status position.
    pub fn allocate_status_slot(&self) -> Result<StatusSlot, StoreError> {
        self.allocate_status_slots(1)?
            .pop()
            .ok_or(StoreError::Corrupt)
    }

    /// The highest list id in use (at least 1): lists up to it are served.
    pub fn current_list(&self) -> Result<u64, StoreError> {
        let next = self
            .status_alloc
            .get(NEXT_POSITION)?
            .and_then(|b| <[u8; 8]>::try_from(b.as_ref()).ok())
            .map(u64::from_be_bytes)
            .unwrap_or(0);
        Ok(next.saturating_sub(1) / (self.list_size - 1) + 1)
    }

    /// Records an issued credential.
    pub fn put_credential(&self, record: &CredentialRecord) -> Result<(), StoreError> {
        self.credentials
            .insert(record.id.as_bytes(), encode(record)?)?;
        Ok(())
    }

    /// Records the copies of one credential response and marks their offer collected, all
    /// or nothing (one transaction), and durably before the wallet gets them: a copy that
    /// left without its record could not be revoked. When the disk refuses them, none is
    /// listed afterwards (see [`NotDurable`]).
    pub fn record_issued(
        &self,
        records: &[CredentialRecord],
        offer_id: &str,
    ) -> Result<(), StoreError> {
        use sled::transaction::{ConflictableTransactionError, TransactionError};
        let encoded = records
            .iter()
            .map(|r| Ok((r.id.as_bytes(), encode(r)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let old_offer = self.offers.get(offer_id.as_bytes())?;
        let written = (&self.credentials, &self.offers)
            .transaction(|(credentials, offers)| {
                for (id, bytes) in &encoded {
                    credentials.insert(*id, bytes.as_slice())?;
                }
                if let Some(bytes) = offers.get(offer_id.as_bytes())? {
                    let mut offer: OfferRecord =
                        decode(&bytes).map_err(ConflictableTransactionError::Abort)?;
                    offer.collected = true;
                    let bytes = encode(&offer).map_err(ConflictableTransactionError::Abort)?;
                    offers.insert(offer_id.as_bytes(), bytes)?;
                }
                Ok(())
            })
            .map_err(|e| match e {
                TransactionError::Abort(e) => e,
                TransactionError::Storage(e) => StoreError::from(e),
            })
            .and_then(|()| self.flush());
        if written.is_err() {
            for (id, _) in &encoded {
                self.not_durable.record("credentials", id, None);
            }
            self.not_durable
                .record("offers", offer_id.as_bytes(), old_offer.as_deref());
        }
        written
    }

    /// All credential copies issued to `bsn`.
    pub fn credentials_of(&self, bsn: &str) -> Result<Vec<CredentialRecord>, StoreError> {
        let mut out = Vec::new();
        for item in self.credentials.iter() {
            let (k, v) = item?;
            let record: CredentialRecord = match self.not_durable.read("credentials", &k) {
                Durable::Live => decode(&v)?,
                Durable::Version(Some(v)) => decode(&v)?,
                Durable::Version(None) => continue,
            };
            if record.bsn == bsn {
                out.push(record);
            }
        }
        Ok(out)
    }

    /// Revokes a credential copy: marks the record and flips its status bit.
    pub fn revoke(&self, id: &str) -> Result<CredentialRecord, StoreError> {
        let old_record = self.credentials.get(id.as_bytes())?;
        let mut record: CredentialRecord = old_record
            .as_ref()
            .map(|v| decode(v))
            .transpose()?
            .ok_or(StoreError::UnknownCredential)?;
        record.revoked = true;
        let list_key = record.status_list.clone();
        let mut old_list = None;
        let written = self.write_revocation(id, &record, &mut old_list);
        if written.is_err() {
            // Until a restart, the list and the record are served as the disk has them: a
            // revocation answered 503 is not shown, so it cannot be shown and then undone.
            self.not_durable
                .record("credentials", id.as_bytes(), old_record.as_deref());
            self.not_durable
                .record("status", list_key.as_bytes(), old_list.as_deref());
        }
        written?;
        regie_ops::metrics().event(
            "credential_revoked",
            &[("credential_type", &record.credential_type)],
            1,
        );
        Ok(record)
    }

    /// The writes of a revocation: the record, the status bit, then a flush. `old_list`
    /// gets the list as it was just before this revocation's bit (with every revocation that
    /// came before it), for when the flush fails.
    fn write_revocation(
        &self,
        id: &str,
        record: &CredentialRecord,
        old_list: &mut Option<sled::IVec>,
    ) -> Result<(), StoreError> {
        self.credentials.insert(id.as_bytes(), encode(record)?)?;
        // Atomic read-modify-write, so concurrent revocations cannot undo each other.
        let idx = record.status_idx;
        let size = self.list_size;
        // Returning `None` from the closure would delete the list, so a value that cannot
        // be read is kept as it is (and reported as corrupt when read).
        *old_list = self
            .status
            .fetch_and_update(record.status_list.as_bytes(), |old| {
                let list = match old {
                    Some(bytes) => StatusList::from_bytes(1, bytes.to_vec()).ok(),
                    None => StatusList::new(1, size).ok(),
                };
                match list {
                    Some(mut list) if idx < list.len() => {
                        let _ = list.set(idx, Status::Invalid);
                        Some(list.as_bytes().to_vec())
                    }
                    _ => old.map(<[u8]>::to_vec),
                }
            })?;
        self.db.flush()?;
        Ok(())
    }

    /// Revokes a copy because the wallet that holds it is lost, stolen or no longer trusted
    /// (the citizen's or the back office's revocation): besides the status bit, the grant
    /// that brought it can no longer be renewed, so its refresh tokens stop working. A
    /// revocation because the data changed (a move) uses [`Store::revoke`] and keeps renewal.
    pub fn revoke_and_end_renewal(&self, id: &str) -> Result<CredentialRecord, StoreError> {
        let record = self.revoke(id)?;
        let grant = record.grant();
        if !grant.is_empty() {
            self.ended_grants.insert(grant.as_bytes(), &[])?;
            self.db.flush()?;
        }
        Ok(record)
    }

    /// Whether renewals of `grant` were ended by a revocation.
    pub fn grant_ended(&self, grant: &str) -> Result<bool, StoreError> {
        Ok(self.ended_grants.contains_key(grant.as_bytes())?)
    }

    /// Status list `list_id`, or `None` when no list of that id has been started.
    pub fn status_list(&self, list_id: &str) -> Result<Option<StatusList>, StoreError> {
        // Only canonical ids ("2", not "02" or "+2") name a list, so each has one URI.
        let Ok(list) = list_id.parse::<u64>() else {
            return Ok(None);
        };
        if list == 0 || list.to_string() != list_id || list > self.current_list()? {
            return Ok(None);
        }
        let stored = match self.not_durable.read("status", list_id.as_bytes()) {
            Durable::Live => self.status.get(list_id)?.map(|b| b.to_vec()),
            Durable::Version(v) => v,
        };
        match stored {
            Some(bytes) => StatusList::from_bytes(1, bytes)
                .map(Some)
                .map_err(|_| StoreError::Corrupt),
            None => StatusList::new(1, self.list_size)
                .map(Some)
                .map_err(|_| StoreError::Corrupt),
        }
    }
}
