//! Life events the municipality records in the BRP and what they mean for what it issued:
//! a move changes the person's address, so every credential (and printed extract) carrying
//! the old one is revoked (renewal stays possible, so the wallet fetches the new data).
use crate::person::{Address, Bsn, PartialDate, SourceError};
use crate::service::Issuer;
use crate::store::StoreError;

/// Why a move was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Records that `bsn` lives at `address` in `municipality` from `date`, and revokes what
/// carried the old address; returns how many credentials were revoked.
pub async fn record_move(
    issuer: &Issuer,
    bsn: &Bsn,
    address: Address,
    municipality: &str,
    date: PartialDate,
) -> Result<usize, MoveError> {
    issuer
        .persons
        .record_move(bsn, address, municipality, date)
        .await?;
    let mut revoked = 0;
    for record in issuer
        .store
        .credentials_of(bsn.as_str())?
        .iter()
        .filter(|c| !c.revoked)
    {
        issuer.store.revoke(&record.id)?;
        revoked += 1;
    }
    Ok(revoked)
}
