//! Backup and restore to a new device.
//!
//! A backup holds what a new device cannot get elsewhere: the history, the sharing records,
//! and for each credential its summary and the issuer's refresh token. It holds no private
//! key and no copy of a credential (copies are bound to this device's holder keys): a
//! restore asks the issuer for fresh copies to the new device's own keys with the refresh
//! token, as a renewal does. The file is encrypted under a key derived from a recovery code
//! that is shown once ([`code`]); the file format is in [`file`].
//!
//! Refresh tokens rotate on use: restoring spends the token in the backup, so the old
//! device's copies keep working until they expire but can no longer be renewed; a token the
//! old device already spent after the backup gives "collect it again" for that credential.
pub mod code;
pub mod file;
mod restore;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub use code::RecoveryCode;
pub use restore::{restore, NotRestored, RestoreReport};

use crate::credentials::{self, CredentialSummary, RefreshGrant};
use crate::crypto::CryptoError;
use crate::history::{self, Event, EventKind, SharingRecord};
use crate::store::Batch;
use crate::{UnlockedWallet, WalletError};

/// Why a backup could not be made or restored.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("this is not a recovery code: check it for typing errors (8 groups of 4 letters and digits)")]
    MalformedCode,
    #[error("this recovery code belongs to another backup file")]
    CodeOfAnotherBackup,
    #[error("the recovery code does not open this backup")]
    WrongCode,
    #[error("this file is not a Regie wallet backup")]
    NotABackup,
    #[error("this backup was made by a newer version of the app (format {0})")]
    UnsupportedVersion(u32),
    #[error("the backup file is damaged or has been changed")]
    Damaged,
    #[error("this wallet already holds credentials: restore a backup into a new, empty wallet")]
    WalletNotEmpty,
    #[error("the system's random number generator failed")]
    Random,
}

impl From<CryptoError> for BackupError {
    fn from(e: CryptoError) -> Self {
        match e {
            CryptoError::Random => BackupError::Random,
            _ => BackupError::Damaged,
        }
    }
}

impl BackupError {
    /// The stable code of the error for scripts and the app.
    pub fn code(&self) -> &'static str {
        match self {
            BackupError::MalformedCode => "backup_code_malformed",
            BackupError::CodeOfAnotherBackup => "backup_code_of_another_backup",
            BackupError::WrongCode => "backup_wrong_code",
            BackupError::NotABackup => "backup_not_a_backup",
            BackupError::UnsupportedVersion(_) => "backup_unsupported_version",
            BackupError::Damaged => "backup_damaged",
            BackupError::WalletNotEmpty => "backup_wallet_not_empty",
            BackupError::Random => "crypto",
        }
    }
}

/// A backup file opened with its recovery code: what [`restore`] brings into a wallet.
pub struct OpenedBackup {
    contents: Contents,
    made_at: u64,
}

/// Opens and reads a backup file with `code`, refusing a wrong code or a damaged file before
/// anything is written anywhere (a restore checks this before it makes a wallet).
pub fn open(backup: &[u8], code: &RecoveryCode) -> Result<OpenedBackup, BackupError> {
    let (plain, made_at) = file::open(code, backup)?;
    let contents = serde_json::from_slice(&plain).map_err(|_| BackupError::Damaged)?;
    Ok(OpenedBackup { contents, made_at })
}

/// What is encrypted in the file.
#[derive(Serialize, Deserialize)]
struct Contents {
    credentials: Vec<BackedUpCredential>,
    /// Oldest first.
    history: Vec<Event>,
    sharing: Vec<SharingRecord>,
}

/// A credential as backed up: what it said and how to get it again, no keys, no copies.
#[derive(Serialize, Deserialize)]
struct BackedUpCredential {
    summary: CredentialSummary,
    refresh: Option<RefreshGrant>,
}

/// A backup file's bytes and the recovery code that opens it (to be shown once).
pub struct Backup {
    pub file: Vec<u8>,
    pub code: RecoveryCode,
    pub credentials: usize,
}

/// Makes a backup of `wallet`; once its file is written, [`record_made`] notes it in the
/// history (not before: a backup that could not be saved was not made).
pub fn create(wallet: &UnlockedWallet) -> Result<Backup, WalletError> {
    // The export already reads everything there is (all credentials, the whole history, the
    // sharing overview); the backup adds each credential's refresh grant to it.
    let export = wallet.export()?;
    let mut credentials = Vec::with_capacity(export.credentials.len());
    for summary in export.credentials {
        let record = credentials::get_record(wallet.store(), wallet.key(), &summary.id)?;
        credentials.push(BackedUpCredential {
            summary,
            refresh: record.refresh.clone(),
        });
    }
    let mut history = export.history;
    history.reverse();
    let contents = Contents {
        credentials,
        history,
        sharing: export.sharing,
    };
    let plain = Zeroizing::new(serde_json::to_vec(&contents).map_err(|_| BackupError::Damaged)?);
    let code = RecoveryCode::generate()?;
    let file = file::seal(&code, wallet.now(), &plain)?;
    Ok(Backup {
        file,
        code,
        credentials: contents.credentials.len(),
    })
}

/// Notes in the history that `backup` was saved.
pub fn record_made(wallet: &UnlockedWallet, backup: &Backup) -> Result<(), WalletError> {
    let mut batch = Batch::new();
    history::record(
        wallet.store(),
        wallet.key(),
        &mut batch,
        wallet.now(),
        EventKind::BackupMade {
            credentials: backup.credentials,
        },
    )?;
    wallet.store().apply(batch)?;
    Ok(())
}
