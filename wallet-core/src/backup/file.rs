//! The backup file: a small JSON envelope around the encrypted contents.
//!
//! ```json
//! {"format": "regie-wallet-backup", "version": 1, "backup_id": "…", "created_at": 0,
//!  "salt": "…", "check": "…", "sealed": "…"}
//! ```
//!
//! The key is derived from the recovery code's secret and `salt`. `check` (a keyed tag of the
//! backup id) tells a wrong code from a damaged file; every header field is authenticated
//! with the contents, so a changed header does not open either.
use protocol::jose::{b64u_decode, b64u_encode};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::code::{RecoveryCode, ID_LEN};
use super::BackupError;
use crate::crypto::{fill_random, DataKey};

const FORMAT: &str = "regie-wallet-backup";
const VERSION: u32 = 1;
/// Largest backup file read: far above a wallet of thousands of events.
pub const MAX_FILE_LEN: usize = 64 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
struct Envelope {
    format: String,
    version: u32,
    backup_id: String,
    created_at: u64,
    salt: String,
    check: String,
    sealed: String,
}

impl Envelope {
    /// What the AEAD authenticates besides the contents: every header field.
    fn associated_data(&self) -> Vec<u8> {
        format!(
            "{}\n{}\n{}\n{}\n{}\n{}",
            self.format, self.version, self.backup_id, self.created_at, self.salt, self.check
        )
        .into_bytes()
    }
}

/// Seals `contents` (JSON) under `code` into the file's bytes.
pub fn seal(code: &RecoveryCode, created_at: u64, contents: &[u8]) -> Result<Vec<u8>, BackupError> {
    let mut salt = [0u8; 16];
    fill_random(&mut salt).map_err(|_| BackupError::Random)?;
    let key = DataKey::from_recovery_secret(code.secret(), &salt)?;
    let backup_id = code.backup_id();
    let mut envelope = Envelope {
        format: FORMAT.into(),
        version: VERSION,
        backup_id: b64u_encode(backup_id),
        created_at,
        salt: b64u_encode(salt),
        check: b64u_encode(key.tag("backup-check", &backup_id)),
        sealed: String::new(),
    };
    let sealed = key.seal(&envelope.associated_data(), contents)?;
    envelope.sealed = b64u_encode(sealed);
    serde_json::to_vec_pretty(&envelope).map_err(|_| BackupError::Damaged)
}

/// Opens the file's bytes with `code`: the contents, and when the backup was made.
pub fn open(code: &RecoveryCode, file: &[u8]) -> Result<(Zeroizing<Vec<u8>>, u64), BackupError> {
    if file.len() > MAX_FILE_LEN {
        return Err(BackupError::NotABackup);
    }
    let envelope: Envelope = serde_json::from_slice(file).map_err(|_| BackupError::NotABackup)?;
    if envelope.format != FORMAT {
        return Err(BackupError::NotABackup);
    }
    if envelope.version != VERSION {
        return Err(BackupError::UnsupportedVersion(envelope.version));
    }
    let decode = |text: &str| b64u_decode(text, "backup").map_err(|_| BackupError::Damaged);
    let backup_id = decode(&envelope.backup_id)?;
    if backup_id.len() != ID_LEN {
        return Err(BackupError::Damaged);
    }
    if backup_id != code.backup_id() {
        return Err(BackupError::CodeOfAnotherBackup);
    }
    let salt = decode(&envelope.salt)?;
    let key = DataKey::from_recovery_secret(code.secret(), &salt)?;
    let check = decode(&envelope.check)?;
    // A plain comparison: whoever holds the file can test codes against `check` offline
    // anyway; the 128-bit secret is what keeps that hopeless.
    if check != key.tag("backup-check", &backup_id) {
        return Err(BackupError::WrongCode);
    }
    let sealed = decode(&envelope.sealed)?;
    let contents = key
        .open(&envelope.associated_data(), &sealed)
        .map_err(|_| BackupError::Damaged)?;
    Ok((contents, envelope.created_at))
}
