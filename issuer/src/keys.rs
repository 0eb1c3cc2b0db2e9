//! The issuer's signing key: a P-256 private JWK in the data directory, created on first
//! start. Rotation: start with a new data directory key (or replace the file) under a new
//! `kid`, publish the new public key in the trust list next to the old one, and drop the old
//! one from the trust list once every credential signed with it has expired.

use std::io::Write;
use std::path::{Path, PathBuf};

use protocol::jose::SigningKey;
use serde_json::Value;

/// File name of the issuer key in the data directory.
pub const ISSUER_KEY_FILE: &str = "issuer-key.jwk";

/// Errors reading or writing key files. Never contains key material.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key file {path}: {reason}")]
    Io { path: PathBuf, reason: String },
    #[error("key file {0} does not hold a P-256 private JWK")]
    Invalid(PathBuf),
}

fn io(path: &Path, e: impl std::fmt::Display) -> KeyError {
    KeyError::Io {
        path: path.to_owned(),
        reason: e.to_string(),
    }
}

/// Reads a private JWK file.
pub fn read_key(path: &Path) -> Result<SigningKey, KeyError> {
    let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|e| io(path, e))?);
    let value: Value =
        serde_json::from_str(&text).map_err(|_| KeyError::Invalid(path.to_owned()))?;
    SigningKey::from_private_jwk(&value).map_err(|_| KeyError::Invalid(path.to_owned()))
}

/// Writes a private JWK file readable by its owner only, atomically (temporary file, then
/// rename), so a crash never leaves half a key.
pub fn write_key(path: &Path, key: &SigningKey) -> Result<(), KeyError> {
    let tmp = path.with_extension("jwk.tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp).map_err(|e| io(&tmp, e))?;
    file.write_all(key.to_private_jwk().as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io(path, e))
}

/// The issuer key in `data_dir`, created with `kid` if there is none yet.
pub fn load_or_create(data_dir: &Path, kid: &str) -> Result<SigningKey, KeyError> {
    let path = data_dir.join(ISSUER_KEY_FILE);
    if path.exists() {
        return read_key(&path);
    }
    std::fs::create_dir_all(data_dir).map_err(|e| io(data_dir, e))?;
    let key = SigningKey::generate().with_kid(kid);
    write_key(&path, &key)?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_created_once_and_then_reused() {
        let dir = std::env::temp_dir().join(format!("regie-keys-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = load_or_create(&dir, "k-2026").unwrap();
        let second = load_or_create(&dir, "other").unwrap();
        assert_eq!(first.public_jwk(), second.public_jwk());
        assert_eq!(second.kid(), Some("k-2026"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(ISSUER_KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(dir.join(ISSUER_KEY_FILE), "{\"kty\":\"EC\"}").unwrap();
        assert!(matches!(
            load_or_create(&dir, "k"),
            Err(KeyError::Invalid(_))
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
