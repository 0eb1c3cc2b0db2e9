//! The wallet's key hierarchy: a key derived from the PIN with Argon2id (the KEK) wraps a
//! random data key; the data key AEAD-encrypts every stored value (AES-256-GCM from `ring`)
//! and keys the tags that index encrypted records without revealing what they index.
use argon2::{Algorithm, Argon2, Params, Version};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::hmac;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::pin::Pin;
use crate::wipe::{with_wiped_stack, Wiped};

/// Argon2id cost. Stored with each wallet so a wallet keeps opening after the defaults
/// change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

/// Measured on this project's 2-core machines: about 0.4 s per unlock (see SECURITY.md and
/// BENCHMARKS.md). 64 MiB makes each guess cost memory as well as time on a GPU.
pub const DEFAULT_KDF: KdfParams = KdfParams {
    memory_kib: 64 * 1024,
    iterations: 12,
    parallelism: 1,
};

/// Errors of the key hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("key derivation parameters are invalid")]
    KdfParams,
    #[error("decryption failed: wrong key or damaged data")]
    Decrypt,
    #[error("the system's random number generator failed")]
    Random,
}

/// The key derived from the PIN (only ever held expanded, in wiped memory).
pub struct Kek(Wiped<LessSafeKey>);

/// Derives the KEK from the PIN and the wallet's salt.
pub fn derive_kek(pin: &Pin, salt: &[u8], params: KdfParams) -> Result<Kek, CryptoError> {
    with_wiped_stack(|| derive_kek_here(pin, salt, params))
}

fn derive_kek_here(pin: &Pin, salt: &[u8], params: KdfParams) -> Result<Kek, CryptoError> {
    let argon = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(
            params.memory_kib,
            params.iterations,
            params.parallelism,
            Some(32),
        )
        .map_err(|_| CryptoError::KdfParams)?,
    );
    let mut out = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(pin.as_bytes(), salt, out.as_mut())
        .map_err(|_| CryptoError::KdfParams)?;
    Ok(Kek(Wiped::new(aead_key(out.as_ref())?)))
}

/// The random key under which every stored value is encrypted. Only its expanded forms
/// are kept (AES key schedule, HMAC state), in memory that is zeroed when it is dropped;
/// the raw bytes exist only while it is created or unwrapped, and the stack those steps
/// used is overwritten before they return.
pub struct DataKey(Wiped<Keys>);

struct Keys {
    aead: LessSafeKey,
    tags: hmac::Key,
}

const WRAP_AAD: &[u8] = b"regie-wallet data key v1";

impl DataKey {
    /// A fresh random data key.
    pub fn generate() -> Result<DataKey, CryptoError> {
        with_wiped_stack(|| DataKey::from_raw(&random_raw()?))
    }

    /// A fresh random data key and its wrapping under `kek`: the raw key is never kept,
    /// so wrapping is only possible here, when the key is made.
    pub fn generate_wrapped(kek: &Kek) -> Result<(DataKey, Vec<u8>), CryptoError> {
        with_wiped_stack(|| {
            let raw = random_raw()?;
            let wrapped = seal(&kek.0, WRAP_AAD, &raw)?;
            Ok((DataKey::from_raw(&raw)?, wrapped))
        })
    }

    /// The key of a backup file: HKDF-SHA256 of the recovery code's secret with the file's
    /// salt. The secret is 128 random bits, so no slow derivation is needed against guessing.
    pub fn from_recovery_secret(secret: &[u8], salt: &[u8]) -> Result<DataKey, CryptoError> {
        with_wiped_stack(|| {
            let prk = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, salt).extract(secret);
            let okm = prk
                .expand(&[b"regie-wallet backup key v1"], ring::hkdf::HKDF_SHA256)
                .map_err(|_| CryptoError::KdfParams)?;
            let mut raw = Zeroizing::new([0u8; 32]);
            okm.fill(raw.as_mut()).map_err(|_| CryptoError::KdfParams)?;
            DataKey::from_raw(raw.as_ref())
        })
    }

    fn from_raw(raw: &[u8]) -> Result<DataKey, CryptoError> {
        // Tags use a key derived for that purpose, so one key never serves two algorithms.
        let tag_key = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, raw), b"tags");
        Ok(DataKey(Wiped::new(Keys {
            aead: aead_key(raw)?,
            tags: hmac::Key::new(hmac::HMAC_SHA256, tag_key.as_ref()),
        })))
    }

    /// Unwraps a data key; fails for a wrong PIN (the AEAD tag does not match).
    pub fn unwrap(wrapped: &[u8], kek: &Kek) -> Result<DataKey, CryptoError> {
        with_wiped_stack(|| {
            let plain = open(&kek.0, WRAP_AAD, wrapped)?;
            if plain.len() != 32 {
                return Err(CryptoError::Decrypt);
            }
            DataKey::from_raw(&plain)
        })
    }

    /// Encrypts a value; `context` (where it is stored) is authenticated, so a value moved
    /// to another place no longer decrypts.
    pub fn seal(&self, context: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        seal(&self.0.aead, context, plaintext)
    }

    /// Decrypts a value stored at `context`.
    pub fn open(&self, context: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        open(&self.0.aead, context, sealed)
    }

    /// A keyed tag of `data`: stable per wallet, meaningless without the key.
    pub fn tag(&self, domain: &str, data: &[u8]) -> [u8; 16] {
        let mut ctx = hmac::Context::with_key(&self.0.tags);
        ctx.update(domain.as_bytes());
        ctx.update(&[0]);
        ctx.update(data);
        let full = ctx.sign();
        let mut out = [0u8; 16];
        out.copy_from_slice(&full.as_ref()[..16]);
        out
    }
}

/// 32 random bytes on the heap, wiped on drop (a heap buffer is not copied by moves).
fn random_raw() -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let mut raw = Zeroizing::new(vec![0u8; 32]);
    fill_random(raw.as_mut_slice())?;
    Ok(raw)
}

fn aead_key(raw: &[u8]) -> Result<LessSafeKey, CryptoError> {
    UnboundKey::new(&AES_256_GCM, raw)
        .map(LessSafeKey::new)
        .map_err(|_| CryptoError::KdfParams)
}

/// `nonce || ciphertext || tag` with a random 96-bit nonce: values are few enough per key
/// that random nonces stay far from the collision bound.
fn seal(key: &LessSafeKey, context: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let mut nonce = [0u8; NONCE_LEN];
    fill_random(&mut nonce)?;
    let mut buf = Vec::with_capacity(NONCE_LEN + plaintext.len() + AES_256_GCM.tag_len());
    buf.extend_from_slice(&nonce);
    let mut body = plaintext.to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(context),
        &mut body,
    )
    .map_err(|_| CryptoError::Decrypt)?;
    buf.extend_from_slice(&body);
    Ok(buf)
}

fn open(
    key: &LessSafeKey,
    context: &[u8],
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if sealed.len() < NONCE_LEN + AES_256_GCM.tag_len() {
        return Err(CryptoError::Decrypt);
    }
    let (nonce, body) = sealed.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| CryptoError::Decrypt)?;
    let mut body = Zeroizing::new(body.to_vec());
    let len = key
        .open_in_place(nonce, Aad::from(context), body.as_mut_slice())
        .map_err(|_| CryptoError::Decrypt)?
        .len();
    body.truncate(len);
    Ok(body)
}

/// Fills `out` from the operating system's CSPRNG.
pub fn fill_random(out: &mut [u8]) -> Result<(), CryptoError> {
    use ring::rand::SecureRandom;
    ring::rand::SystemRandom::new()
        .fill(out)
        .map_err(|_| CryptoError::Random)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: KdfParams = KdfParams {
        memory_kib: 1024,
        iterations: 1,
        parallelism: 1,
    };

    #[test]
    fn wrapped_key_opens_only_with_the_right_pin() {
        let salt = [7u8; 16];
        let (key, wrapped) =
            DataKey::generate_wrapped(&derive_kek(&Pin::new("482915"), &salt, FAST).unwrap())
                .unwrap();
        let sealed = key.seal(b"tree/key", b"geheim").unwrap();
        let right = derive_kek(&Pin::new("482915"), &salt, FAST).unwrap();
        let wrong = derive_kek(&Pin::new("482916"), &salt, FAST).unwrap();
        assert_eq!(
            DataKey::unwrap(&wrapped, &wrong).err(),
            Some(CryptoError::Decrypt)
        );
        let Ok(back) = DataKey::unwrap(&wrapped, &right) else {
            panic!("the right PIN opens the key")
        };
        assert_eq!(
            back.open(b"tree/key", &sealed).unwrap().as_slice(),
            b"geheim"
        );
    }

    #[test]
    fn values_are_bound_to_their_place_and_tamper_evident() {
        let key = DataKey::generate().unwrap();
        let mut sealed = key.seal(b"credentials/1", b"waarde").unwrap();
        assert_eq!(
            key.open(b"credentials/2", &sealed).err(),
            Some(CryptoError::Decrypt)
        );
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert_eq!(
            key.open(b"credentials/1", &sealed).err(),
            Some(CryptoError::Decrypt)
        );
        assert_eq!(key.open(b"x", &[1, 2, 3]).err(), Some(CryptoError::Decrypt));
    }

    #[test]
    fn tags_depend_on_key_and_domain() {
        let a = DataKey::generate().unwrap();
        let b = DataKey::generate().unwrap();
        assert_eq!(a.tag("vct", b"x"), a.tag("vct", b"x"));
        assert_ne!(a.tag("vct", b"x"), a.tag("rp", b"x"));
        assert_ne!(a.tag("vct", b"x"), b.tag("vct", b"x"));
    }
}
