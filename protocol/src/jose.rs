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
use serde::de::DeserializeOwned;
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

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
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
        let encoded = key.to_encoded_point(false);
        let mut point = [0u8; 65];
        point.copy_from_slice(encoded.as_bytes());
        Ok(PublicJwk { point, kid: None })
    }

    /// Parses a JWK from a JSON value.
    pub fn from_json_value(value: &Value) -> Result<Self, JoseError> {
        serde_json::from_value(value.clone()).map_err(|e| JoseError::Json {
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

/// A compact JWS as received: parsed, `alg` checked to be ES256, signature not yet checked.
#[derive(Clone, Debug)]
pub struct UnverifiedJws {
    header: Map<String, Value>,
    payload: Vec<u8>,
    signing_input_len: usize,
    compact: String,
    signature: Vec<u8>,
}

impl UnverifiedJws {
    /// Parses with the default limit [`MAX_JWS_LEN`].
    pub fn parse(compact: &str) -> Result<Self, JoseError> {
        Self::parse_with_limit(compact, MAX_JWS_LEN)
    }

    /// Parses a compact JWS of at most `limit` bytes.
    pub fn parse_with_limit(compact: &str, limit: usize) -> Result<Self, JoseError> {
        if compact.len() > limit {
            return Err(JoseError::TooLarge {
                len: compact.len(),
                limit,
            });
        }
        let mut parts = compact.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JoseError::Malformed);
        };
        let header_bytes = b64u_decode(h, "header")?;
        let header =
            crate::json::object_from_slice(&header_bytes).map_err(|e| JoseError::Json {
                part: "header",
                reason: e.to_string(),
            })?;
        match header.get("alg") {
            Some(Value::String(alg)) if alg == ES256 => {}
            Some(Value::String(alg)) => return Err(JoseError::UnsupportedAlgorithm(alg.clone())),
            Some(_) => return Err(JoseError::UnsupportedAlgorithm("<not a string>".into())),
            None => return Err(JoseError::MissingHeader("alg")),
        }
        // `crit` names extensions the signer requires us to understand; we implement none.
        if header.contains_key("crit") {
            return Err(JoseError::Json {
                part: "header",
                reason: "unsupported crit parameter".into(),
            });
        }
        let payload = b64u_decode(p, "payload")?;
        let signature = b64u_decode(s, "signature")?;
        if signature.len() != 64 {
            return Err(JoseError::BadSignature);
        }
        Ok(UnverifiedJws {
            header,
            payload,
            signing_input_len: h.len() + 1 + p.len(),
            compact: compact.to_owned(),
            signature,
        })
    }

    /// The protected header.
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }

    /// A string member of the header.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(Value::as_str)
    }

    /// The `typ` header.
    pub fn typ(&self) -> Option<&str> {
        self.header_str("typ")
    }

    /// The `kid` header.
    pub fn kid(&self) -> Option<&str> {
        self.header_str("kid")
    }

    /// Fails unless `typ` equals `expected` (compared case-insensitively, as RFC 7515 allows).
    pub fn expect_typ(&self, expected: &str) -> Result<(), JoseError> {
        match self.typ() {
            Some(t) if t.eq_ignore_ascii_case(expected) => Ok(()),
            other => Err(JoseError::WrongType {
                expected: expected.into(),
                actual: other.map(str::to_owned),
            }),
        }
    }

    /// The payload, NOT authenticated: only for finding which key to verify with.
    pub fn payload_unverified(&self) -> &[u8] {
        &self.payload
    }

    /// The payload parsed as JSON, NOT authenticated: only for finding which key to verify with.
    pub fn claims_unverified<T: DeserializeOwned>(&self) -> Result<T, JoseError> {
        parse_payload(&self.payload)
    }

    /// The payload as a JSON object, NOT authenticated: only for finding which key to verify
    /// with. As [`Self::claims_unverified`] into a `Map`, parsed in one pass.
    pub fn claims_object_unverified(&self) -> Result<Map<String, Value>, JoseError> {
        parse_payload_object(&self.payload)
    }

    /// Checks the signature with `key` and parses the then authenticated payload into `T`:
    /// [`Self::verify`] without consuming the parsed JWS (so without copying it to keep it).
    pub fn verify_claims<T: DeserializeOwned>(&self, key: &PublicJwk) -> Result<T, JoseError> {
        key.verify_es256(
            &self.compact.as_bytes()[..self.signing_input_len],
            &self.signature,
        )?;
        parse_payload(&self.payload)
    }

    /// The original compact serialization.
    pub fn as_str(&self) -> &str {
        &self.compact
    }

    /// Checks the signature with `key`.
    pub fn verify(self, key: &PublicJwk) -> Result<VerifiedJws, JoseError> {
        key.verify_es256(
            &self.compact.as_bytes()[..self.signing_input_len],
            &self.signature,
        )?;
        Ok(VerifiedJws {
            header: self.header,
            payload: self.payload,
        })
    }
}

/// A JWS whose ES256 signature has been checked against a known key.
#[derive(Clone, Debug)]
pub struct VerifiedJws {
    header: Map<String, Value>,
    payload: Vec<u8>,
}

impl VerifiedJws {
    /// The protected header.
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }

    /// The protected header, taking it out of the verified JWS.
    pub fn into_header(self) -> Map<String, Value> {
        self.header
    }

    /// The authenticated payload bytes.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The authenticated payload parsed as JSON.
    pub fn claims<T: DeserializeOwned>(&self) -> Result<T, JoseError> {
        parse_payload(&self.payload)
    }

    /// The authenticated payload as a JSON object, as [`Self::claims`] into a `Map`, parsed
    /// in one pass.
    pub fn claims_object(&self) -> Result<Map<String, Value>, JoseError> {
        parse_payload_object(&self.payload)
    }
}

fn parse_payload_object(payload: &[u8]) -> Result<Map<String, Value>, JoseError> {
    crate::json::object_from_slice(payload).map_err(|e| JoseError::Json {
        part: "payload",
        reason: e.to_string(),
    })
}

fn parse_payload<T: DeserializeOwned>(payload: &[u8]) -> Result<T, JoseError> {
    crate::json::from_slice(payload).map_err(|e| JoseError::Json {
        part: "payload",
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sign_then_verify_round_trips() {
        let key = SigningKey::generate().with_kid("k1");
        let jws = sign_json("test+jwt", Map::new(), &json!({"a": 1}), &key).unwrap();
        let parsed = UnverifiedJws::parse(&jws).unwrap();
        assert_eq!(parsed.kid(), Some("k1"));
        parsed.expect_typ("test+jwt").unwrap();
        let verified = parsed.verify(key.public_jwk()).unwrap();
        assert_eq!(verified.claims::<Value>().unwrap(), json!({"a": 1}));
    }

    #[test]
    fn wrong_key_is_rejected() {
        let key = SigningKey::generate();
        let other = SigningKey::generate();
        let jws = sign_json("x", Map::new(), &json!({}), &key).unwrap();
        let err = UnverifiedJws::parse(&jws)
            .unwrap()
            .verify(other.public_jwk())
            .unwrap_err();
        assert_eq!(err, JoseError::BadSignature);
    }

    #[test]
    fn tampered_payload_is_rejected() {
        let key = SigningKey::generate();
        let jws = sign_json("x", Map::new(), &json!({"n": 1}), &key).unwrap();
        let parts: Vec<&str> = jws.split('.').collect();
        let forged = format!("{}.{}.{}", parts[0], b64u_encode(br#"{"n":2}"#), parts[2]);
        let err = UnverifiedJws::parse(&forged)
            .unwrap()
            .verify(key.public_jwk())
            .unwrap_err();
        assert_eq!(err, JoseError::BadSignature);
    }

    #[test]
    fn alg_none_and_other_algs_are_rejected() {
        let none = format!(
            "{}.{}.",
            b64u_encode(br#"{"alg":"none"}"#),
            b64u_encode(b"{}")
        );
        assert_eq!(
            UnverifiedJws::parse(&none).unwrap_err(),
            JoseError::UnsupportedAlgorithm("none".into())
        );
        let hs = format!(
            "{}.{}.{}",
            b64u_encode(br#"{"alg":"HS256"}"#),
            b64u_encode(b"{}"),
            b64u_encode([0u8; 32])
        );
        assert!(matches!(
            UnverifiedJws::parse(&hs),
            Err(JoseError::UnsupportedAlgorithm(_))
        ));
    }

    #[test]
    fn oversized_and_malformed_input_is_rejected() {
        let big = "a".repeat(MAX_JWS_LEN + 1);
        assert!(matches!(
            UnverifiedJws::parse(&big),
            Err(JoseError::TooLarge { .. })
        ));
        assert_eq!(
            UnverifiedJws::parse("a.b").unwrap_err(),
            JoseError::Malformed
        );
        assert_eq!(
            UnverifiedJws::parse("a.b.c.d").unwrap_err(),
            JoseError::Malformed
        );
        assert!(matches!(
            UnverifiedJws::parse("!!.e30.AA"),
            Err(JoseError::Base64(_))
        ));
    }

    #[test]
    fn wrong_typ_is_reported() {
        let key = SigningKey::generate();
        let jws = sign_json("kb+jwt", Map::new(), &json!({}), &key).unwrap();
        let parsed = UnverifiedJws::parse(&jws).unwrap();
        assert!(matches!(
            parsed.expect_typ("dc+sd-jwt"),
            Err(JoseError::WrongType { .. })
        ));
    }

    #[test]
    fn private_jwk_round_trips_and_public_jwk_refuses_d() {
        let key = SigningKey::generate().with_kid("abc");
        let private: Value = serde_json::from_str(&key.to_private_jwk()).unwrap();
        let back = SigningKey::from_private_jwk(&private).unwrap();
        assert_eq!(back.public_jwk(), key.public_jwk());
        assert!(PublicJwk::from_json_value(&private).is_err());
        let public = key.public_jwk().to_json_value();
        assert_eq!(
            PublicJwk::from_json_value(&public).unwrap(),
            *key.public_jwk()
        );
    }

    #[test]
    fn private_jwk_with_mismatched_public_part_is_rejected() {
        let a = SigningKey::generate();
        let b = SigningKey::generate();
        let mut private: Value = serde_json::from_str(&a.to_private_jwk()).unwrap();
        let b_public = b.public_jwk().to_json_value();
        private["x"] = b_public["x"].clone();
        private["y"] = b_public["y"].clone();
        assert!(SigningKey::from_private_jwk(&private).is_err());
    }

    #[test]
    fn off_curve_point_is_rejected() {
        let jwk =
            json!({"kty":"EC","crv":"P-256","x": b64u_encode([1u8;32]),"y": b64u_encode([2u8;32])});
        assert!(PublicJwk::from_json_value(&jwk).is_err());
    }

    /// RFC 7638 has no P-256 example; this pins the required members, their lexicographic
    /// order and the absence of whitespace and of `kid`, for the RFC 9901 A.5 holder key.
    #[test]
    fn thumbprint_uses_canonical_members() {
        let jwk = json!({
            "kty": "EC", "crv": "P-256",
            "x": "TCAER19Zvu3OHF4j4W4vfSVoHIP1ILilDls7vCeGemc",
            "y": "ZxjiWWbZMQGHVWKVQ4hbSIirsVfuecCE6t4jT9F2HZQ",
            "kid": "ignored"
        });
        let key = PublicJwk::from_json_value(&jwk).unwrap();
        let expected_input = r#"{"crv":"P-256","kty":"EC","x":"TCAER19Zvu3OHF4j4W4vfSVoHIP1ILilDls7vCeGemc","y":"ZxjiWWbZMQGHVWKVQ4hbSIirsVfuecCE6t4jT9F2HZQ"}"#;
        assert_eq!(
            key.thumbprint(),
            b64u_encode(sha256(expected_input.as_bytes()))
        );
    }
}
