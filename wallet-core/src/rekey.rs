//! Moving a wallet to a new data key: every value decrypted from the old store and
//! encrypted under the new key into a fresh store, and the indexes' keyed tags computed
//! anew (they are derived from the data key). The fresh store takes effect only when the
//! vault file names it, so until then the old store is untouched and still current.
use crate::credentials::{self, CredentialSummary};
use crate::crypto::DataKey;
use crate::error::WalletError;
use crate::history::{self, SharingRecord};
use crate::store::{Batch, Store, StoreError, TreeId};

/// Changes written per transaction: the fresh store is not live yet, so it need not be
/// filled in one transaction, and big wallets do not have to fit in one.
const CHUNK: usize = 1000;

/// Copies everything of `from` (under `old`) into the empty store `to` (under `new`), its
/// ids continuing after those of `from`.
pub(crate) fn copy(
    from: &Store,
    old: &DataKey,
    to: &Store,
    new: &DataKey,
) -> Result<(), WalletError> {
    to.continue_ids_after(from)?;
    let mut batch = Batch::new();
    for tree in [TreeId::Credentials, TreeId::Summaries, TreeId::History] {
        from.for_each_plain(old, tree, |id, plain| {
            batch.put_sealed_bytes(new, tree, id, plain)?;
            flush_full(to, &mut batch)
        })?;
    }
    // The type index: the tag of each credential's type under the new key.
    from.for_each_plain(old, TreeId::Summaries, |id, plain| {
        let summary: CredentialSummary =
            serde_json::from_slice(plain).map_err(|_| StoreError::Damaged)?;
        batch.put_marker(
            TreeId::ByType,
            &credentials::type_key(new, &summary.vct, id),
        );
        flush_full(to, &mut batch)
    })?;
    from.for_each_plain(old, TreeId::Sharing, |_, plain| {
        let record: SharingRecord =
            serde_json::from_slice(plain).map_err(|_| StoreError::Damaged)?;
        let id = history::sharing_key(new, &record.party.client_id);
        batch.put_sealed_bytes(new, TreeId::Sharing, &id, plain)?;
        flush_full(to, &mut batch)
    })?;
    to.apply(batch)?;
    Ok(())
}

fn flush_full(to: &Store, batch: &mut Batch) -> Result<(), StoreError> {
    if batch.len() >= CHUNK {
        to.apply(std::mem::take(batch))?;
    }
    Ok(())
}
