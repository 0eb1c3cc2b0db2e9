//! The issuer's state on sled: offers (pre-authorized codes), access tokens, nonces, issued
//! credentials and the status list. Single-use values are taken with compare-and-swap
//! removal, so two concurrent redemptions of one code cannot both succeed.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use protocol::status_list::{Status, StatusList};
use sled::Transactional;

use super::interface::CredentialStore;
use super::records::{CredentialRecord, OfferRecord, RefreshRecord, TokenRecord};
use super::{decode, encode, StatusSlot, StoreError};
use crate::not_durable::{Durable, NotDurable};

/// The key of the next status position to hand out, in the `status_alloc` tree.
const NEXT_POSITION: &[u8] = b"next";

/// The issuer's store on sled. Cloning it is cheap (sled's handles are shared).
#[derive(Clone)]
pub struct SledStore {
    pub(super) db: sled::Db,
    pub(super) offers: sled::Tree,
    pub(super) codes: sled::Tree,
    pub(super) tokens: sled::Tree,
    pub(super) refresh_tokens: sled::Tree,
    pub(super) nonces: sled::Tree,
    credentials: sled::Tree,
    status: sled::Tree,
    status_alloc: sled::Tree,
    ended_grants: sled::Tree,
    pub(super) cases: sled::Tree,
    pub(super) cases_by_subject: sled::Tree,
    pub(super) cases_by_token: sled::Tree,
    pub(super) cases_open_sessions: sled::Tree,
    pub(super) logins: sled::Tree,
    pub(super) clerk_logins: sled::Tree,
    pub(super) login_attempts: sled::Tree,
    pub(super) corrections: sled::Tree,
    pub(super) life_events: sled::Tree,
    list_size: u64,
    /// Values a failed flush left in memory only; reads return what is on disk instead.
    not_durable: Arc<NotDurable>,
    /// One change of a case at a time (sled's files belong to one process).
    pub(super) case_changes: Arc<tokio::sync::Mutex<()>>,
}

/// Runs a blocking scan of the trees on tokio's blocking pool, so that requests served on
/// the same threads do not wait for it.
pub(super) async fn off_request_threads<T: Send + 'static>(
    scan: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(scan)
        .await
        .map_err(|_| StoreError::ScanFailed)?
}

/// A big-endian `u64` as sled keeps expiries and counters.
pub(super) fn be_u64(bytes: &[u8]) -> Option<u64> {
    <[u8; 8]>::try_from(bytes).ok().map(u64::from_be_bytes)
}

impl SledStore {
    /// Opens (or creates) the database in `dir` with `list_size` entries per status list.
    pub fn open(dir: &Path, list_size: u64) -> Result<Self, StoreError> {
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
        let store = SledStore {
            offers: db.open_tree("offers")?,
            codes: db.open_tree("codes")?,
            tokens: db.open_tree("tokens")?,
            refresh_tokens: db.open_tree("refresh_tokens")?,
            nonces: db.open_tree("nonces")?,
            credentials: db.open_tree("credentials")?,
            status: db.open_tree("status")?,
            status_alloc: db.open_tree("status_alloc")?,
            ended_grants: db.open_tree("ended_grants")?,
            cases: db.open_tree("cases")?,
            cases_by_subject: db.open_tree("cases_by_subject")?,
            cases_by_token: db.open_tree("cases_by_token")?,
            cases_open_sessions: db.open_tree("cases_open_sessions")?,
            logins: db.open_tree("portal_logins")?,
            clerk_logins: db.open_tree("clerk_logins")?,
            login_attempts: db.open_tree("portal_login_attempts")?,
            corrections: db.open_tree("corrections")?,
            life_events: db.open_tree("life_events")?,
            list_size: list_size.max(2),
            not_durable: Arc::default(),
            case_changes: Arc::default(),
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

    /// Makes everything written so far durable.
    pub(super) fn flush_db(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }

    fn offer_now(&self, id: &str) -> Result<Option<OfferRecord>, StoreError> {
        if let Durable::Version(v) = self.not_durable.read("offers", id.as_bytes()) {
            return v.map(|v| decode(&v)).transpose();
        }
        self.offers.get(id)?.map(|v| decode(&v)).transpose()
    }

    fn credentials_of_now(&self, bsn: &str) -> Result<Vec<CredentialRecord>, StoreError> {
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

    fn current_list_now(&self) -> Result<u64, StoreError> {
        let next = self
            .status_alloc
            .get(NEXT_POSITION)?
            .and_then(|b| be_u64(&b))
            .unwrap_or(0);
        Ok(next.saturating_sub(1) / (self.list_size - 1) + 1)
    }

    /// The writes of a revocation: the record, the status bit, then a flush. `old_list`
    /// gets the list as it was just before this revocation's bit (with every revocation that
    /// came before it), for when the flush fails.
    fn write_revocation_now(
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
}

#[async_trait]
impl CredentialStore for SledStore {
    async fn put_offer(&self, offer: &OfferRecord, code: &str) -> Result<(), StoreError> {
        self.offers.insert(offer.id.as_bytes(), encode(offer)?)?;
        self.codes.insert(code.as_bytes(), offer.id.as_bytes())?;
        self.flush_db()
    }

    async fn offer(&self, id: &str) -> Result<Option<OfferRecord>, StoreError> {
        self.offer_now(id)
    }

    async fn take_code(&self, code: &str) -> Result<Option<OfferRecord>, StoreError> {
        let Some(offer_id) = self.codes.remove(code.as_bytes())? else {
            return Ok(None);
        };
        let id = String::from_utf8(offer_id.to_vec()).map_err(|_| StoreError::Corrupt)?;
        self.offer_now(&id)
    }

    async fn put_token(&self, token: &str, record: &TokenRecord) -> Result<(), StoreError> {
        self.tokens.insert(token.as_bytes(), encode(record)?)?;
        Ok(())
    }

    async fn take_token(&self, token: &str) -> Result<Option<TokenRecord>, StoreError> {
        self.tokens
            .remove(token.as_bytes())?
            .map(|v| decode(&v))
            .transpose()
    }

    async fn put_refresh_token(
        &self,
        token: &str,
        record: &RefreshRecord,
    ) -> Result<(), StoreError> {
        self.refresh_tokens
            .insert(token.as_bytes(), encode(record)?)?;
        self.flush_db()
    }

    async fn take_refresh_token(&self, token: &str) -> Result<Option<RefreshRecord>, StoreError> {
        self.refresh_tokens
            .remove(token.as_bytes())?
            .map(|v| decode(&v))
            .transpose()
    }

    async fn put_nonce(&self, nonce: &str, expires_at: u64) -> Result<(), StoreError> {
        self.nonces
            .insert(nonce.as_bytes(), &expires_at.to_be_bytes())?;
        Ok(())
    }

    async fn take_nonce(&self, nonce: &str) -> Result<Option<u64>, StoreError> {
        Ok(self
            .nonces
            .remove(nonce.as_bytes())?
            .and_then(|v| be_u64(&v)))
    }

    /// One atomic increment of a counter, made durable before any position is used.
    async fn allocate_status_slots(&self, count: u64) -> Result<Vec<StatusSlot>, StoreError> {
        let per_list = self.list_size - 1;
        let mut overflow = false;
        let after = self.status_alloc.update_and_fetch(NEXT_POSITION, |old| {
            // sled may run this more than once under contention: decide afresh each time.
            overflow = false;
            let current = old.and_then(be_u64).unwrap_or(0);
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
        let end = after.and_then(|b| be_u64(&b)).ok_or(StoreError::Corrupt)?;
        Ok((end - count..end)
            .map(|position| StatusSlot::at(position, per_list))
            .collect())
    }

    async fn current_list(&self) -> Result<u64, StoreError> {
        self.current_list_now()
    }

    async fn stored_status_list(&self, list: u64) -> Result<Option<StatusList>, StoreError> {
        let list_id = list.to_string();
        let stored = match self.not_durable.read("status", list_id.as_bytes()) {
            Durable::Live => self.status.get(&list_id)?.map(|b| b.to_vec()),
            Durable::Version(v) => v,
        };
        stored
            .map(|bytes| StatusList::from_bytes(1, bytes).map_err(|_| StoreError::Corrupt))
            .transpose()
    }

    fn list_size(&self) -> u64 {
        self.list_size
    }

    async fn put_credential(&self, record: &CredentialRecord) -> Result<(), StoreError> {
        self.credentials
            .insert(record.id.as_bytes(), encode(record)?)?;
        self.flush_db()
    }

    /// One transaction; when the disk refuses it, none of the copies is listed afterwards
    /// (see [`NotDurable`]).
    async fn record_issued(
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
            .and_then(|()| self.flush_db());
        if written.is_err() {
            for (id, _) in &encoded {
                self.not_durable.record("credentials", id, None);
            }
            self.not_durable
                .record("offers", offer_id.as_bytes(), old_offer.as_deref());
        }
        written
    }

    async fn credentials_of(&self, bsn: &str) -> Result<Vec<CredentialRecord>, StoreError> {
        let (store, bsn) = (self.clone(), bsn.to_owned());
        off_request_threads(move || store.credentials_of_now(&bsn)).await
    }

    async fn write_revocation(&self, id: &str) -> Result<CredentialRecord, StoreError> {
        let old_record = self.credentials.get(id.as_bytes())?;
        let mut record: CredentialRecord = old_record
            .as_ref()
            .map(|v| decode(v))
            .transpose()?
            .ok_or(StoreError::UnknownCredential)?;
        record.revoked = true;
        let list_key = record.status_list.clone();
        let mut old_list = None;
        let written = self.write_revocation_now(id, &record, &mut old_list);
        if written.is_err() {
            // Until a restart, the list and the record are served as the disk has them: a
            // revocation answered 503 is not shown, so it cannot be shown and then undone.
            self.not_durable
                .record("credentials", id.as_bytes(), old_record.as_deref());
            self.not_durable
                .record("status", list_key.as_bytes(), old_list.as_deref());
        }
        written?;
        Ok(record)
    }

    async fn end_grant(&self, grant: &str) -> Result<(), StoreError> {
        self.ended_grants.insert(grant.as_bytes(), &[])?;
        self.flush_db()
    }

    async fn grant_ended(&self, grant: &str) -> Result<bool, StoreError> {
        Ok(self.ended_grants.contains_key(grant.as_bytes())?)
    }

    async fn purge_expired(&self, now: u64) -> Result<u64, StoreError> {
        let store = self.clone();
        off_request_threads(move || store.purge_expired_now(now)).await
    }

    /// A flush reports sled's I/O error: after a full disk or a read-only file system sled
    /// refuses writes until a restart, so an orchestrator should take the instance out and
    /// restart it once the disk has room.
    async fn check_ready(&self) -> Result<(), StoreError> {
        self.flush_db()?;
        self.current_list_now().map(|_| ())
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.flush_db()
    }
}
