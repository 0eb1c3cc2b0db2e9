//! Restoring a backup into a new, empty wallet: history and sharing records as they were,
//! each credential issued again to this wallet's own keys with its refresh token.
use std::collections::HashMap;

use serde::Serialize;

use super::{BackupError, OpenedBackup};
use crate::credentials::{self, CredentialRecord, CredentialSummary};
use crate::history::{self, EventKind};
use crate::store::{Batch, TreeId};
use crate::{issuance, UnlockedWallet, WalletError};

/// What a restore brought back.
#[derive(Debug, Serialize)]
pub struct RestoreReport {
    pub backup_made_at: u64,
    /// Credentials issued again to this device's keys.
    pub restored: Vec<CredentialSummary>,
    /// Credentials that could not be: the citizen collects these again.
    pub not_restored: Vec<NotRestored>,
    pub history_events: usize,
}

/// A credential that could not be issued again, and why.
#[derive(Debug, Serialize)]
pub struct NotRestored {
    pub vct: String,
    pub credential_type: Option<String>,
    pub issuer_name_nl: String,
    pub issuer_name_en: String,
    pub reason: String,
}

/// Restores `backup` (see [`super::open`]) into `wallet`, which must hold no credentials.
pub async fn restore(
    wallet: &UnlockedWallet,
    backup: OpenedBackup,
) -> Result<RestoreReport, WalletError> {
    if wallet.credential_count() > 0 {
        return Err(BackupError::WalletNotEmpty.into());
    }
    let OpenedBackup {
        contents,
        made_at: backup_made_at,
    } = backup;
    let (store, key) = (wallet.store(), wallet.key());

    // New ids for the credentials, so that the history's references follow them.
    let mut new_ids = HashMap::new();
    for c in &contents.credentials {
        new_ids.insert(c.summary.id.clone(), credentials::id_of(store.next_id()?));
    }
    let mut batch = Batch::new();
    let history_events = contents.history.len();
    for event in contents.history {
        let kind = with_new_ids(event.kind, &new_ids);
        history::record(store, key, &mut batch, event.at, kind)?;
    }
    for record in &contents.sharing {
        let tag = history::sharing_key(key, &record.party.client_id);
        batch.put_sealed(key, TreeId::Sharing, &tag, record)?;
    }
    store.apply(batch)?;

    let mut report = RestoreReport {
        backup_made_at,
        restored: Vec::new(),
        not_restored: Vec::new(),
        history_events,
    };
    for backed_up in contents.credentials {
        let summary = backed_up.summary;
        let not_restored = |reason: String| NotRestored {
            vct: summary.vct.clone(),
            credential_type: summary.credential_type.clone(),
            issuer_name_nl: summary.issuer_name_nl.clone(),
            issuer_name_en: summary.issuer_name_en.clone(),
            reason,
        };
        let Some(grant) = backed_up.refresh else {
            report
                .not_restored
                .push(not_restored(WalletError::NotRenewable.to_string()));
            continue;
        };
        let id = new_ids
            .get(&summary.id)
            .cloned()
            .ok_or(BackupError::Damaged)?;
        // The record without copies, so that `renew` finds its grant; it gets copies to
        // this wallet's keys there, or is removed again below.
        let mut record = CredentialRecord {
            summary: CredentialSummary {
                id: id.clone(),
                copies_total: 0,
                copies_left: 0,
                ..summary.clone()
            },
            copies: Vec::new(),
            refresh: Some(grant),
        };
        record.recount();
        let mut batch = Batch::new();
        credentials::put_record(&mut batch, key, &record)?;
        store.apply(batch)?;
        match issuance::renew(wallet, &id).await {
            Ok(renewed) => report.restored.push(renewed),
            Err(e) => {
                let mut batch = Batch::new();
                credentials::remove_record(&mut batch, key, &record)?;
                store.apply(batch)?;
                report.not_restored.push(not_restored(e.to_string()));
            }
        }
    }
    let mut batch = Batch::new();
    history::record(
        store,
        key,
        &mut batch,
        wallet.now(),
        EventKind::Restored {
            backup_made_at,
            restored: report.restored.len(),
            not_restored: report.not_restored.len(),
        },
    )?;
    store.apply(batch)?;
    Ok(report)
}

/// An event with the credential ids of the backup replaced by this wallet's.
fn with_new_ids(kind: EventKind, new_ids: &HashMap<String, String>) -> EventKind {
    let map = |id: String| new_ids.get(&id).cloned().unwrap_or(id);
    match kind {
        EventKind::Issued {
            credential_id,
            vct,
            issuer,
            issuer_name,
            copies,
        } => EventKind::Issued {
            credential_id: map(credential_id),
            vct,
            issuer,
            issuer_name,
            copies,
        },
        EventKind::Renewed {
            credential_id,
            vct,
            copies,
        } => EventKind::Renewed {
            credential_id: map(credential_id),
            vct,
            copies,
        },
        EventKind::Revoked { credential_id, vct } => EventKind::Revoked {
            credential_id: map(credential_id),
            vct,
        },
        EventKind::Expired { credential_id, vct } => EventKind::Expired {
            credential_id: map(credential_id),
            vct,
        },
        other => other,
    }
}
