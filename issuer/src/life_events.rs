//! Life events the municipality records in the BRP and what they mean for what it issued:
//! a move changes the person's address, so every credential (and printed extract) carrying
//! the old one is revoked (renewal stays possible, so the wallet fetches the new data).
//!
//! The fixture person source keeps persons in memory, so recorded moves are also kept in
//! the issuer's store and replayed at start: a restart does not undo a move whose old
//! credentials were already revoked.
use serde::{Deserialize, Serialize};

use crate::person::{Address, Bsn, PartialDate, Residence, SourceError};
use crate::service::Issuer;
use crate::store::StoreError;

/// A move as kept for replay.
#[derive(Serialize, Deserialize)]
struct MoveEvent {
    bsn: String,
    address: Address,
    municipality: String,
    /// `yyyy-mm-dd`.
    date: String,
}

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
    // Recorded already (a retry after a crash between recording and revoking): revoke only.
    let current = issuer.persons.get(bsn).await?.and_then(|p| p.residence);
    let already = current.is_some_and(|r| {
        r.from == date && matches!(&r.residence, Residence::Address(a) if a.same_dwelling(&address))
    });
    if !already {
        let event = MoveEvent {
            bsn: bsn.as_str().to_owned(),
            address: address.clone(),
            municipality: municipality.to_owned(),
            date: date.iso().unwrap_or_default(),
        };
        issuer
            .persons
            .record_move(bsn, address, municipality, date)
            .await?;
        let json = serde_json::to_string(&event).map_err(|_| StoreError::Corrupt)?;
        issuer.store.append_life_event(&json).await?;
    }
    let mut revoked = 0;
    for record in issuer
        .store
        .credentials_of(bsn.as_str())
        .await?
        .iter()
        .filter(|c| !c.revoked)
    {
        issuer.store.revoke(&record.id).await?;
        revoked += 1;
    }
    Ok(revoked)
}

/// Applies the recorded moves to the person source again, oldest first; run at start.
/// Returns how many were applied.
pub async fn replay(issuer: &Issuer) -> Result<usize, MoveError> {
    let mut applied = 0;
    for json in issuer.store.life_events().await? {
        let event: MoveEvent = serde_json::from_str(&json).map_err(|_| StoreError::Corrupt)?;
        let (Ok(bsn), Ok(date)) = (Bsn::parse(&event.bsn), PartialDate::parse_iso(&event.date))
        else {
            return Err(StoreError::Corrupt.into());
        };
        match issuer
            .persons
            .record_move(&bsn, event.address, &event.municipality, date)
            .await
        {
            Ok(_) => applied += 1,
            // A source that holds the move itself (the BRP) or has it already.
            Err(SourceError::Unsupported | SourceError::MoveBeforeCurrent) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(applied)
}
