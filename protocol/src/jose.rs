//! JOSE: compact JWS with ES256, P-256 JWKs and RFC 7638 thumbprints.
//!
//! Verification and signing go through `ring` (the hot paths of every presentation check and
//! every issued credential); `p256` validates points and derives a key's public point.
//! Secret keys are zeroized on drop.
//!
//! Compact JWS input is parsed into [`UnverifiedJws`]; only [`UnverifiedJws::verify`] yields a
//! [`VerifiedJws`], so callers cannot read a payload as trusted by mistake.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::sync::Arc;

use ring::rand::SecureRandom;
use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::wipe::Wiped;

/// Largest compact JWS [`UnverifiedJws::parse`] accepts. Request objects carrying a verifier
/// attestation and status lists of a few hundred thousand entries stay well below this.
pub const MAX_JWS_LEN: usize = 256 * 1024;

/// The only signature algorithm Regie accepts.
pub const ES256: &str = "ES256";

/// Errors from JOSE parsing, signing and verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JoseError {
    #[error("input too large: {len} bytes, limit {limit}")]
    TooLarge { len: usize, limit: usize },
    #[error("not a compact JWS: expected three parts separated by dots")]
    Malformed,
    #[error("invalid base64url in {0}")]
    Base64(&'static str),
    #[error("invalid JSON in {part}: {reason}")]
    Json { part: &'static str, reason: String },
    #[error("missing header parameter {0}")]
    MissingHeader(&'static str),
    #[error("unsupported algorithm {0:?}: only ES256 is accepted")]
    UnsupportedAlgorithm(String),
    #[error("wrong token type: expected {expected:?}, got {actual:?}")]
    WrongType {
        expected: String,
        actual: Option<String>,
    },
    #[error("signature does not verify")]
    BadSignature,
    #[error("invalid key: {0}")]
    InvalidKey(&'static str),
}

/// Encodes bytes as base64url without padding (RFC 7515 §2).
pub fn b64u_encode(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url without padding; padding or other alphabets are rejected.
pub fn b64u_decode(text: &str, what: &'static str) -> Result<Vec<u8>, JoseError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| JoseError::Base64(what))
}

/// As [`b64u_decode`], appending to `out`: lets a caller decoding many short parts reuse one
/// buffer.
pub fn b64u_decode_into(
    text: &str,
    out: &mut Vec<u8>,
    what: &'static str,
) -> Result<(), JoseError> {
    URL_SAFE_NO_PAD
        .decode_vec(text, out)
        .map_err(|_| JoseError::Base64(what))
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(data).into()
}

/// `N` bytes from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    // ring's SystemRandom only fails when the OS has no entropy source at all; nothing
    // sensible can continue then, and handing out predictable bytes would be worse.
    ring::rand::SystemRandom::new()
        .fill(&mut out)
        .expect("operating system random source unavailable");
    out
}

/// A public P-256 key as a JWK (`kty: EC`, `crv: P-256`), validated to be on the curve.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawJwk", into = "RawJwk")]
pub struct PublicJwk {
    /// Uncompressed SEC1 point: 0x04 || x || y.
    point: [u8; 65],
    kid: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct RawJwk {
    kty: String,
    crv: String,
    x: String,
    y: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kid: Option<String>,
    /// Private part: accepted only by [`SigningKey::from_private_jwk`]; a public key
    /// carrying one is refused so that private material is never stored as public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    d: Option<String>,
}

impl TryFrom<RawJwk> for PublicJwk {
    type Error = JoseError;
    fn try_from(raw: RawJwk) -> Result<Self, JoseError> {
        if raw.d.is_some() {
            return Err(JoseError::InvalidKey("public JWK contains a private part"));
        }
        PublicJwk::from_coordinates(&raw.kty, &raw.crv, &raw.x, &raw.y, raw.kid)
    }
}

impl From<PublicJwk> for RawJwk {
    fn from(jwk: PublicJwk) -> Self {
        RawJwk {
            kty: "EC".into(),
            crv: "P-256".into(),
            x: b64u_encode(&jwk.point[1..33]),
            y: b64u_encode(&jwk.point[33..65]),
            kid: jwk.kid,
            d: None,
        }
    }
}

impl PublicJwk {
    fn from_coordinates(
        kty: &str,
        crv: &str,
        x: &str,
        y: &str,
        kid: Option<String>,
    ) -> Result<Self, JoseError> {
        if kty != "EC" {
            return Err(JoseError::InvalidKey("kty must be EC"));
        }
        if crv != "P-256" {
            return Err(JoseError::InvalidKey("crv must be P-256"));
        }
        let x = b64u_decode(x, "jwk x")?;
        let y = b64u_decode(y, "jwk y")?;
        if x.len() != 32 || y.len() != 32 {
            return Err(JoseError::InvalidKey("coordinates must be 32 bytes"));
        }
        let mut point = [0u8; 65];
        point[0] = 0x04;
        point[1..33].copy_from_slice(&x);
        point[33..].copy_from_slice(&y);
        Self::from_sec1(&point).map(|k| k.with_kid_opt(kid))
    }

    /// Parses an uncompressed or compressed SEC1 point and checks it is on the curve.
    pub fn from_sec1(bytes: &[u8]) -> Result<Self, JoseError> {
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        let key = p256::PublicKey::from_sec1_bytes(bytes)
            .map_err(|_| JoseError::InvalidKey("not a point on P-256"))?;
        let mut point = [0u8; 65];
        match <&[u8; 65]>::try_from(bytes) {
            // Already the uncompressed form that was checked: no need to encode it again.
            Ok(uncompressed) => point = *uncompressed,
            Err(_) => point.copy_from_slice(key.to_encoded_point(false).as_bytes()),
        }
        Ok(PublicJwk { point, kid: None })
    }

    /// Parses a JWK from a JSON value.
    pub fn from_json_value(value: &Value) -> Result<Self, JoseError> {
        // Read from the borrowed value: no copy of the JWK object first.
        PublicJwk::deserialize(value).map_err(|e| JoseError::Json {
            part: "jwk",
            reason: e.to_string(),
        })
    }

    /// The JWK as a JSON value (`kty`, `crv`, `x`, `y`, and `kid` when set).
    pub fn to_json_value(&self) -> Value {
        serde_json::to_value(RawJwk::from(self.clone())).unwrap_or(Value::Null)
    }

    /// Uncompressed SEC1 encoding: 0x04 || x || y.
    pub fn sec1_uncompressed(&self) -> &[u8; 65] {
        &self.point
    }

    /// The key identifier, if one was set.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The same key carrying `kid`.
    pub fn with_kid(self, kid: impl Into<String>) -> Self {
        self.with_kid_opt(Some(kid.into()))
    }

    fn with_kid_opt(mut self, kid: Option<String>) -> Self {
        self.kid = kid;
        self
    }

    /// The same key without a `kid`.
    pub fn without_kid(self) -> Self {
        self.with_kid_opt(None)
    }

    /// Whether two JWKs are the same key, ignoring `kid`.
    pub fn same_key(&self, other: &PublicJwk) -> bool {
        self.point == other.point
    }

    /// RFC 7638 thumbprint input: the required members in lexicographic order, no spaces.
    fn thumbprint_input(&self) -> String {
        format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
            b64u_encode(&self.point[1..33]),
            b64u_encode(&self.point[33..65])
        )
    }

    /// RFC 7638 JWK thumbprint with SHA-256.
    pub fn thumbprint_bytes(&self) -> [u8; 32] {
        sha256(self.thumbprint_input().as_bytes())
    }

    /// RFC 7638 JWK thumbprint with SHA-256, base64url encoded.
    pub fn thumbprint(&self) -> String {
        b64u_encode(self.thumbprint_bytes())
    }

    /// Checks an ES256 signature (raw 64-byte r || s, as JWS uses) over `message`.
    pub fn verify_es256(&self, message: &[u8], signature: &[u8]) -> Result<(), JoseError> {
        ring::signature::UnparsedPublicKey::new(
            &ring::signature::ECDSA_P256_SHA256_FIXED,
            &self.point[..],
        )
        .verify(message, signature)
        .map_err(|_| JoseError::BadSignature)
    }
}

/// A P-256 private key for ES256, signing with `ring`. The secret scalar and `ring`'s key
/// pair made from it live in one heap allocation that is zeroed when the last clone of the
/// key is dropped.
#[derive(Clone)]
pub struct SigningKey {
    // Shared, not copied, by clones: `ring`'s key pair cannot be cloned, and one allocation
    // means one place to wipe.
    secret: Arc<Wiped<Secret>>,
    public: PublicJwk,
}

/// The secret half: the scalar (for [`SigningKey::to_bytes`] and the private JWK) and the
/// `ring` key pair that signs with it.
struct Secret {
    scalar: [u8; 32],
    pair: EcdsaKeyPair,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        loop {
            let bytes = Zeroizing::new(random_bytes::<32>());
            // A random 32-byte string is a valid scalar except with negligible probability.
            if let Ok(key) = Self::from_bytes(&bytes) {
                return key;
            }
        }
    }

    /// A key from its 32-byte big-endian secret scalar.
    pub fn from_bytes(secret: &[u8; 32]) -> Result<Self, JoseError> {
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        // `ring` takes a key pair only with its public point, which it recomputes and
        // compares; `p256` checks the scalar's range and derives that point. Its secret key
        // is zeroized when dropped at the end of this block.
        let public = {
            let key = p256::SecretKey::from_bytes(secret.into())
                .map_err(|_| JoseError::InvalidKey("secret scalar out of range"))?;
            let encoded = key.public_key().to_encoded_point(false);
            let mut point = [0u8; 65];
            point.copy_from_slice(encoded.as_bytes());
            // Derived from a valid scalar, so on the curve: no second validation needed.
            PublicJwk { point, kid: None }
        };
        let pair = EcdsaKeyPair::from_private_key_and_public_key(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            secret,
            &public.point,
            &ring::rand::SystemRandom::new(),
        )
        .map_err(|_| JoseError::InvalidKey("key pair refused"))?;
        Ok(SigningKey {
            secret: Arc::new(Wiped::new(Secret {
                scalar: *secret,
                pair,
            })),
            public,
        })
    }

    /// A key from a private JWK (`kty`, `crv`, `x`, `y`, `d`); `x`/`y` must match `d`.
    pub fn from_private_jwk(value: &Value) -> Result<Self, JoseError> {
        let raw: RawJwk = serde_json::from_value(value.clone()).map_err(|e| JoseError::Json {
            part: "jwk",
            reason: e.to_string(),
        })?;
        let d = Zeroizing::new(b64u_decode(
            raw.d.as_deref().ok_or(JoseError::InvalidKey("missing d"))?,
            "jwk d",
        )?);
        let secret: &[u8; 32] = d
            .as_slice()
            .try_into()
            .map_err(|_| JoseError::InvalidKey("d must be 32 bytes"))?;
        let key = Self::from_bytes(secret)?;
        let claimed = PublicJwk::from_coordinates(&raw.kty, &raw.crv, &raw.x, &raw.y, None)?;
        if !claimed.same_key(&key.public) {
            return Err(JoseError::InvalidKey("x and y do not match d"));
        }
        Ok(key.with_kid_opt(raw.kid))
    }

    /// The private JWK, for storing the key. Handle the result as a secret.
    pub fn to_private_jwk(&self) -> Zeroizing<String> {
        let mut raw = RawJwk::from(self.public.clone());
        raw.d = Some(b64u_encode(self.secret.scalar));
        let text = serde_json::to_string(&raw).unwrap_or_default();
        if let Some(d) = raw.d.as_mut() {
            zeroize::Zeroize::zeroize(d);
        }
        Zeroizing::new(text)
    }

    /// The 32-byte secret scalar. Handle the result as a secret.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        let mut out = Zeroizing::new([0u8; 32]);
        out.copy_from_slice(&self.secret.scalar);
        out
    }

    /// The same key with a `kid`, which its public JWK and JWS headers then carry.
    pub fn with_kid(self, kid: impl Into<String>) -> Self {
        self.with_kid_opt(Some(kid.into()))
    }

    fn with_kid_opt(mut self, kid: Option<String>) -> Self {
        self.public = self.public.with_kid_opt(kid);
        self
    }

    /// The key identifier, if set.
    pub fn kid(&self) -> Option<&str> {
        self.public.kid()
    }

    /// The same key without a `kid` (so JWS headers made with it carry none).
    pub fn without_kid(self) -> Self {
        self.with_kid_opt(None)
    }

    /// The public half as a JWK.
    pub fn public_jwk(&self) -> &PublicJwk {
        &self.public
    }

    /// ES256 signature (raw r || s, 64 bytes) over `message`. Randomized, as `ring` signs:
    /// its nonce mixes fresh randomness with a secret derived from the key and the message
    /// digest, so signing the same message twice gives different (equally valid) signatures.
    pub fn sign_es256(&self, message: &[u8]) -> [u8; 64] {
        // ring fails to sign only when the operating system's random source fails (or, with
        // negligible probability, after 100 unusable nonces); as in [`random_bytes`],
        // nothing sensible can continue then.
        let signature = self
            .secret
            .pair
            .sign(&ring::rand::SystemRandom::new(), message)
            .expect("operating system random source unavailable");
        let mut out = [0u8; 64];
        // ECDSA_P256_SHA256_FIXED_SIGNING signatures are exactly r || s, 32 bytes each.
        out.copy_from_slice(signature.as_ref());
        out
    }
}

/// Signs `payload` as a compact JWS. `header` gets `alg: ES256` (any other `alg` is replaced)
/// and, when the key has one and the header has none, its `kid`.
pub fn sign_compact(mut header: Map<String, Value>, payload: &[u8], key: &SigningKey) -> String {
    header.insert("alg".into(), Value::String(ES256.into()));
    if let Some(kid) = key.kid() {
        header
            .entry("kid")
            .or_insert_with(|| Value::String(kid.into()));
    }
    let header_json = Value::Object(header).to_string();
    let mut out = b64u_encode(header_json.as_bytes());
    out.push('.');
    out.push_str(&b64u_encode(payload));
    let signature = key.sign_es256(out.as_bytes());
    out.push('.');
    out.push_str(&b64u_encode(signature));
    out
}

/// Signs a JSON payload with header `typ` plus `extra_header` members.
pub fn sign_json<T: Serialize + ?Sized>(
    typ: &str,
    extra_header: Map<String, Value>,
    payload: &T,
    key: &SigningKey,
) -> Result<String, JoseError> {
    let mut header = extra_header;
    header.insert("typ".into(), Value::String(typ.into()));
    let payload = serde_json::to_vec(payload).map_err(|e| JoseError::Json {
        part: "payload",
        reason: e.to_string(),
    })?;
    Ok(sign_compact(header, &payload, key))
}

mod jws;
pub use jws::{HeaderAndClaims, UnverifiedJws, VerifiedJws};

#[cfg(test)]
mod tests;
