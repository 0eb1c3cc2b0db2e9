//! The issuer's state on sled: offers (pre-authorized codes), access tokens, nonces, issued
//! credentials and the status list. Single-use values are taken with compare-and-swap
//! removal, so two concurrent redemptions of one code cannot both succeed.

use std::path::Path;

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use protocol::status_list::{Status, StatusList};

/// Entries per status list. 1 bit each: valid or revoked.
pub const STATUS_LIST_SIZE: u64 = 131_072;
/// The one status list this issuer keeps (its URI ends in `/status/1`).
pub const STATUS_LIST_ID: &str = "1";

/// Storage errors. Name no person.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage: {0}")]
    Sled(#[from] sled::Error),
    #[error("stored record is corrupt")]
    Corrupt,
    #[error("status list is full")]
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
}

/// What a refresh token may fetch: fresh copies of one credential type for one person.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RefreshRecord {
    pub bsn: String,
    pub credential_type: String,
    pub expires_at: u64,
}

/// One issued credential copy.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CredentialRecord {
    pub id: String,
    pub offer_id: String,
    pub bsn: String,
    pub credential_type: String,
    pub status_idx: u64,
    pub issued_at: u64,
    pub expires_at: u64,
    #[serde(default)]
    pub revoked: bool,
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
        let db = sled::open(dir)?;
        Ok(Store {
            offers: db.open_tree("offers")?,
            codes: db.open_tree("codes")?,
            tokens: db.open_tree("tokens")?,
            refresh_tokens: db.open_tree("refresh_tokens")?,
            nonces: db.open_tree("nonces")?,
            credentials: db.open_tree("credentials")?,
            status: db.open_tree("status")?,
            db,
        })
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

    /// Marks an offer collected.
    pub fn mark_collected(&self, id: &str) -> Result<(), StoreError> {
        if let Some(mut offer) = self.offer(id)? {
            offer.collected = true;
            self.offers.insert(id.as_bytes(), encode(&offer)?)?;
        }
        Ok(())
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

    /// Makes everything written so far durable.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }

    /// Allocates a fresh status list index.
    pub fn next_status_index(&self) -> Result<u64, StoreError> {
        // sled ids are unique and monotonic; only their order matters to nobody, so reusing
        // them as indices is fine. Index 0 stays unused as a canary.
        let idx = self.db.generate_id()? + 1;
        if idx >= STATUS_LIST_SIZE {
            return Err(StoreError::StatusListFull);
        }
        Ok(idx)
    }

    /// Records an issued credential.
    pub fn put_credential(&self, record: &CredentialRecord) -> Result<(), StoreError> {
        self.credentials
            .insert(record.id.as_bytes(), encode(record)?)?;
        Ok(())
    }

    /// All credential copies issued to `bsn`.
    pub fn credentials_of(&self, bsn: &str) -> Result<Vec<CredentialRecord>, StoreError> {
        let mut out = Vec::new();
        for item in self.credentials.iter() {
            let (_, v) = item?;
            let record: CredentialRecord = decode(&v)?;
            if record.bsn == bsn {
                out.push(record);
            }
        }
        Ok(out)
    }

    /// Revokes a credential copy: marks the record and flips its status bit.
    pub fn revoke(&self, id: &str) -> Result<CredentialRecord, StoreError> {
        let mut record: CredentialRecord = self
            .credentials
            .get(id.as_bytes())?
            .map(|v| decode(&v))
            .transpose()?
            .ok_or(StoreError::UnknownCredential)?;
        record.revoked = true;
        self.credentials.insert(id.as_bytes(), encode(&record)?)?;
        // Atomic read-modify-write, so concurrent revocations cannot undo each other.
        let idx = record.status_idx;
        // Returning `None` from the closure would delete the list, so a value that cannot
        // be read is kept as it is (and reported as corrupt when read).
        self.status.update_and_fetch(STATUS_LIST_ID, |old| {
            let list = match old {
                Some(bytes) => StatusList::from_bytes(1, bytes.to_vec()).ok(),
                None => StatusList::new(1, STATUS_LIST_SIZE).ok(),
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
        Ok(record)
    }

    /// The current status list.
    pub fn status_list(&self) -> Result<StatusList, StoreError> {
        match self.status.get(STATUS_LIST_ID)? {
            Some(bytes) => {
                StatusList::from_bytes(1, bytes.to_vec()).map_err(|_| StoreError::Corrupt)
            }
            None => StatusList::new(1, STATUS_LIST_SIZE).map_err(|_| StoreError::Corrupt),
        }
    }
}
