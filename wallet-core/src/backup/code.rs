//! The recovery code: shown once when a backup is made, needed to restore it. It carries the
//! backup's id (so a code for another backup is recognised as such, not as a typo), the
//! 128-bit secret the file's key is derived from, and a check byte against typing errors.
//! Written as eight groups of four base32 characters: `ABCD-EFGH-…`.
use data_encoding::BASE32_NOPAD;
use zeroize::Zeroizing;

use super::BackupError;
use crate::crypto::fill_random;

/// Bytes of the backup id inside the code (and in the file's header).
pub const ID_LEN: usize = 3;
/// Bytes of the secret.
pub const SECRET_LEN: usize = 16;
const CODE_LEN: usize = ID_LEN + SECRET_LEN + 1;

/// A recovery code, held in wiped memory.
pub struct RecoveryCode {
    bytes: Zeroizing<[u8; CODE_LEN]>,
}

impl RecoveryCode {
    /// A new code for a new backup.
    pub fn generate() -> Result<RecoveryCode, BackupError> {
        let mut bytes = Zeroizing::new([0u8; CODE_LEN]);
        fill_random(&mut bytes[..CODE_LEN - 1]).map_err(|_| BackupError::Random)?;
        bytes[CODE_LEN - 1] = check_byte(&bytes[..CODE_LEN - 1]);
        Ok(RecoveryCode { bytes })
    }

    /// Reads a code as a citizen typed it: case, spaces and dashes do not matter, and the
    /// digits 0, 1 and 8 are read as the letters O, I and B they are easily taken for.
    pub fn parse(text: &str) -> Result<RecoveryCode, BackupError> {
        let cleaned: Zeroizing<String> = Zeroizing::new(
            text.chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .map(|c| match c.to_ascii_uppercase() {
                    '0' => 'O',
                    '1' => 'I',
                    '8' => 'B',
                    other => other,
                })
                .collect(),
        );
        let decoded = Zeroizing::new(
            BASE32_NOPAD
                .decode(cleaned.as_bytes())
                .map_err(|_| BackupError::MalformedCode)?,
        );
        let bytes: [u8; CODE_LEN] = decoded
            .as_slice()
            .try_into()
            .map_err(|_| BackupError::MalformedCode)?;
        let bytes = Zeroizing::new(bytes);
        if check_byte(&bytes[..CODE_LEN - 1]) != bytes[CODE_LEN - 1] {
            return Err(BackupError::MalformedCode);
        }
        Ok(RecoveryCode { bytes })
    }

    /// A code of fixed bytes, for tests that need the same code every run.
    #[cfg(test)]
    pub(crate) fn fixed(seed: u8) -> RecoveryCode {
        let mut bytes = Zeroizing::new([seed; CODE_LEN]);
        bytes[CODE_LEN - 1] = check_byte(&bytes[..CODE_LEN - 1]);
        RecoveryCode { bytes }
    }

    /// The code as it is shown: eight groups of four characters.
    pub fn display(&self) -> Zeroizing<String> {
        let plain = Zeroizing::new(BASE32_NOPAD.encode(self.bytes.as_ref()));
        let mut out = Zeroizing::new(String::with_capacity(40));
        for (i, c) in plain.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push('-');
            }
            out.push(c);
        }
        out
    }

    /// The id of the backup this code opens.
    pub fn backup_id(&self) -> [u8; ID_LEN] {
        let mut id = [0u8; ID_LEN];
        id.copy_from_slice(&self.bytes[..ID_LEN]);
        id
    }

    /// The secret the backup's key is derived from.
    pub fn secret(&self) -> &[u8] {
        &self.bytes[ID_LEN..ID_LEN + SECRET_LEN]
    }
}

/// A byte of SHA-256 over the rest: a mistyped character is caught 255 times in 256.
fn check_byte(data: &[u8]) -> u8 {
    protocol::jose::sha256(data)[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_reads_back_however_it_is_typed() {
        let code = RecoveryCode::generate().unwrap();
        let shown = code.display();
        assert_eq!(shown.len(), 39, "{}", shown.as_str());
        assert_eq!(shown.matches('-').count(), 7);
        for typed in [
            shown.to_string(),
            shown.to_lowercase(),
            shown.replace('-', " "),
            shown.replace('-', "").replace('O', "0").replace('I', "1"),
        ] {
            let back = RecoveryCode::parse(&typed).unwrap();
            assert_eq!(back.backup_id(), code.backup_id());
            assert_eq!(back.secret(), code.secret());
        }
    }

    #[test]
    fn a_typing_error_or_garbage_is_refused() {
        // A fixed code, so that the typo below is caught every run (the check byte misses
        // one typo in 256, and this one is not among them).
        let shown = RecoveryCode::fixed(7).display().to_string();
        for typo in [format!("Q{}", &shown[1..]), shown.replacen('D', "E", 1)] {
            assert_ne!(typo, shown);
            assert!(
                matches!(RecoveryCode::parse(&typo), Err(BackupError::MalformedCode)),
                "{typo}"
            );
        }
        for bad in ["", "ABCD", "!!!!-????", &shown[..20]] {
            assert!(matches!(
                RecoveryCode::parse(bad),
                Err(BackupError::MalformedCode)
            ));
        }
    }
}
