//! Removing what has had its time: offers (with their codes), access and refresh tokens and
//! nonces past their expiry. Issued credentials and the status lists stay: a revocation must
//! find its copy for as long as the copy can be shown.
//!
//! Before this ran, every offer ever made (with the citizen's BSN) stayed on disk, and
//! anyone could fill the disk by asking for nonces.
use serde::de::DeserializeOwned;

use super::records::{OfferRecord, RefreshRecord, TokenRecord};
use super::sled_store::{be_u64, SledStore};
use super::{decode, StoreError};

/// How long an offer stays after it expired: its page can still tell the citizen that it
/// was collected or has expired, rather than that it never existed.
pub const OFFER_KEPT_AFTER_EXPIRY: u64 = 3600;

/// Anything with an end.
trait Expiring {
    fn expires_at(&self) -> u64;
}

impl Expiring for OfferRecord {
    fn expires_at(&self) -> u64 {
        self.expires_at.saturating_add(OFFER_KEPT_AFTER_EXPIRY)
    }
}

impl Expiring for TokenRecord {
    fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

impl Expiring for RefreshRecord {
    fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

/// Removes the entries of `tree` that ended by `now`. Entries that do not read as `T` are
/// left for an operator to see, not silently dropped.
fn purge_tree<T: DeserializeOwned + Expiring>(
    tree: &sled::Tree,
    now: u64,
) -> Result<u64, StoreError> {
    let mut removed = 0;
    for entry in tree.iter() {
        let (key, bytes) = entry?;
        if decode::<T>(&bytes).is_ok_and(|record| now >= record.expires_at()) {
            // Only if unchanged: a token taken meanwhile is already gone.
            if tree
                .compare_and_swap(&key, Some(bytes), None as Option<&[u8]>)?
                .is_ok()
            {
                removed += 1;
            }
        }
    }
    Ok(removed)
}

impl SledStore {
    /// Removes offers (an hour after they expired), the codes of removed offers, and
    /// tokens and nonces that expired by `now`; returns how many records went.
    pub(super) fn purge_expired_now(&self, now: u64) -> Result<u64, StoreError> {
        let mut removed = purge_tree::<OfferRecord>(&self.offers, now)?;
        for entry in self.codes.iter() {
            let (code, offer_id) = entry?;
            if !self.offers.contains_key(&offer_id)? {
                self.codes.remove(&code)?;
                removed += 1;
            }
        }
        removed += purge_tree::<TokenRecord>(&self.tokens, now)?;
        removed += purge_tree::<RefreshRecord>(&self.refresh_tokens, now)?;
        for entry in self.nonces.iter() {
            let (nonce, expiry) = entry?;
            let ended = be_u64(&expiry).is_some_and(|expiry| now >= expiry);
            if ended {
                self.nonces.remove(&nonce)?;
                removed += 1;
            }
        }
        if removed > 0 {
            self.flush_db()?;
        }
        Ok(removed)
    }
}
