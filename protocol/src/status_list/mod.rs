//! Token Status List (IETF draft-ietf-oauth-status-list): revocation of credentials and
//! documents by flipping bits in a compressed list that the issuer signs and serves.
//!
//! - A credential carries a [`StatusReference`]: `"status": {"status_list": {"idx", "uri"}}`.
//! - The issuer keeps a [`StatusList`] (1, 2, 4 or 8 bits per entry; entry 0 in the least
//!   significant bits of byte 0), and serves it as a JWT with `typ: statuslist+jwt` whose
//!   payload has `sub` (the list's URI), `iat`, optional `exp` and `ttl`, and
//!   `status_list: {"bits", "lst"}` where `lst` is base64url(zlib(bytes)).
//! - A verifier parses the token ([`UnverifiedStatusListToken::parse`]), verifies it against
//!   the issuer key and the URI it expected ([`UnverifiedStatusListToken::verify`]), and
//!   reads the status at an index ([`VerifiedStatusList::status_at`]).

use std::io::{Read, Write};

use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use flate2::Compression;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::jose::{self, b64u_decode, b64u_encode, JoseError, SigningKey};

/// `typ` of a status list token.
pub const STATUS_LIST_TYP: &str = "statuslist+jwt";
/// Largest status list token accepted (JWT text).
pub const MAX_TOKEN_LEN: usize = 1024 * 1024;
/// Largest decompressed list: 16 MiB, i.e. 134 million 1-bit entries. Inflation stops here,
/// so a small `lst` cannot expand into an unbounded allocation.
pub const MAX_LIST_BYTES: usize = 16 * 1024 * 1024;

/// Errors from building, signing, reading and verifying status lists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusListError {
    #[error("bits per entry must be 1, 2, 4 or 8, not {0}")]
    InvalidBits(u64),
    #[error("index {idx} is outside the list of {len} entries")]
    IndexOutOfRange { idx: u64, len: u64 },
    #[error("status value {value} does not fit in {bits} bits")]
    ValueTooLarge { value: u8, bits: u8 },
    #[error("list too large: limit {0} bytes")]
    TooLarge(usize),
    #[error("lst is not valid base64url")]
    BadEncoding,
    #[error("lst is not valid zlib data")]
    BadCompression,
    #[error("status list token: {0}")]
    Token(JoseError),
    #[error("status list claim {0} is missing or malformed")]
    MissingClaim(&'static str),
    #[error("status list is for another URI than the credential refers to")]
    SubjectMismatch,
    #[error("status list token has expired")]
    Expired,
    #[error("status list token is not valid yet")]
    NotYetValid,
}

/// The status of one referenced token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// 0x00: valid.
    Valid,
    /// 0x01: revoked, permanently.
    Invalid,
    /// 0x02: temporarily suspended.
    Suspended,
    /// Any other (application-specific) value.
    Other(u8),
}

impl Status {
    /// The numeric value.
    pub fn value(self) -> u8 {
        match self {
            Status::Valid => 0,
            Status::Invalid => 1,
            Status::Suspended => 2,
            Status::Other(v) => v,
        }
    }

    /// The status for a numeric value.
    pub fn from_value(value: u8) -> Status {
        match value {
            0 => Status::Valid,
            1 => Status::Invalid,
            2 => Status::Suspended,
            v => Status::Other(v),
        }
    }
}

/// A credential's pointer into a status list: `{"status_list": {"idx": .., "uri": ..}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusReference {
    pub idx: u64,
    pub uri: String,
}

#[derive(Serialize, Deserialize)]
struct StatusClaim {
    status_list: StatusReference,
}

impl StatusReference {
    /// The `status` claim value.
    pub fn to_claim(&self) -> Value {
        let mut inner = Map::new();
        inner.insert("idx".into(), self.idx.into());
        inner.insert("uri".into(), self.uri.clone().into());
        let mut outer = Map::new();
        outer.insert("status_list".into(), Value::Object(inner));
        Value::Object(outer)
    }

    /// Reads a `status` claim value.
    pub fn from_claim(value: &Value) -> Result<Self, StatusListError> {
        StatusClaim::deserialize(value)
            .map(|c| c.status_list)
            .map_err(|_| StatusListError::MissingClaim("status.status_list"))
    }
}

/// A list of statuses, `bits` bits each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusList {
    bits: u8,
    bytes: Vec<u8>,
}

impl StatusList {
    /// A list of `len` entries, all valid.
    pub fn new(bits: u8, len: u64) -> Result<Self, StatusListError> {
        check_bits(u64::from(bits))?;
        let byte_len = len
            .checked_mul(u64::from(bits))
            .map(|b| b.div_ceil(8))
            .and_then(|b| usize::try_from(b).ok())
            .filter(|&b| b <= MAX_LIST_BYTES)
            .ok_or(StatusListError::TooLarge(MAX_LIST_BYTES))?;
        Ok(StatusList {
            bits,
            bytes: vec![0; byte_len],
        })
    }

    /// A list from its raw bytes.
    pub fn from_bytes(bits: u8, bytes: Vec<u8>) -> Result<Self, StatusListError> {
        check_bits(u64::from(bits))?;
        if bytes.len() > MAX_LIST_BYTES {
            return Err(StatusListError::TooLarge(MAX_LIST_BYTES));
        }
        Ok(StatusList { bits, bytes })
    }

    /// Bits per entry.
    pub fn bits(&self) -> u8 {
        self.bits
    }

    /// Number of entries.
    pub fn len(&self) -> u64 {
        self.bytes.len() as u64 * 8 / u64::from(self.bits)
    }

    /// Whether the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn locate(&self, idx: u64) -> Result<(usize, u32, u8), StatusListError> {
        if idx >= self.len() {
            return Err(StatusListError::IndexOutOfRange {
                idx,
                len: self.len(),
            });
        }
        let per_byte = 8 / u64::from(self.bits);
        // In range, so the byte index fits in usize (the list is in memory).
        let byte = (idx / per_byte) as usize;
        let shift = ((idx % per_byte) * u64::from(self.bits)) as u32;
        let mask = ((1u16 << self.bits) - 1) as u8;
        Ok((byte, shift, mask))
    }

    /// The status at `idx`.
    pub fn get(&self, idx: u64) -> Result<Status, StatusListError> {
        let (byte, shift, mask) = self.locate(idx)?;
        Ok(Status::from_value((self.bytes[byte] >> shift) & mask))
    }

    /// Sets the status at `idx`.
    pub fn set(&mut self, idx: u64, status: Status) -> Result<(), StatusListError> {
        let (byte, shift, mask) = self.locate(idx)?;
        let value = status.value();
        if value > mask {
            return Err(StatusListError::ValueTooLarge {
                value,
                bits: self.bits,
            });
        }
        self.bytes[byte] = (self.bytes[byte] & !(mask << shift)) | (value << shift);
        Ok(())
    }

    /// The `status_list` claim: `{"bits": n, "lst": base64url(zlib(bytes))}`.
    pub fn to_json(&self) -> Value {
        let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
        // Writing into a Vec cannot fail.
        let compressed = encoder
            .write_all(&self.bytes)
            .and_then(|()| encoder.finish())
            .unwrap_or_default();
        let mut map = Map::new();
        map.insert("bits".into(), self.bits.into());
        map.insert("lst".into(), b64u_encode(compressed).into());
        Value::Object(map)
    }

    /// Decodes a `status_list` claim, inflating at most [`MAX_LIST_BYTES`].
    pub fn from_json(value: &Value) -> Result<Self, StatusListError> {
        let bits = value
            .get("bits")
            .and_then(Value::as_u64)
            .ok_or(StatusListError::MissingClaim("status_list.bits"))?;
        check_bits(bits)?;
        let lst = value
            .get("lst")
            .and_then(Value::as_str)
            .ok_or(StatusListError::MissingClaim("status_list.lst"))?;
        let compressed = b64u_decode(lst, "lst").map_err(|_| StatusListError::BadEncoding)?;
        let mut bytes = Vec::new();
        ZlibDecoder::new(compressed.as_slice())
            .take(MAX_LIST_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|_| StatusListError::BadCompression)?;
        if bytes.len() > MAX_LIST_BYTES {
            return Err(StatusListError::TooLarge(MAX_LIST_BYTES));
        }
        Self::from_bytes(bits as u8, bytes)
    }

    /// Signs the list as a status list token.
    pub fn sign(
        &self,
        sub: &str,
        iat: u64,
        exp: Option<u64>,
        ttl: Option<u64>,
        key: &SigningKey,
    ) -> Result<String, StatusListError> {
        let mut claims = Map::new();
        claims.insert("sub".into(), sub.into());
        claims.insert("iat".into(), iat.into());
        if let Some(exp) = exp {
            claims.insert("exp".into(), exp.into());
        }
        if let Some(ttl) = ttl {
            claims.insert("ttl".into(), ttl.into());
        }
        claims.insert("status_list".into(), self.to_json());
        jose::sign_json(STATUS_LIST_TYP, Map::new(), &claims, key).map_err(StatusListError::Token)
    }
}

fn check_bits(bits: u64) -> Result<(), StatusListError> {
    match bits {
        1 | 2 | 4 | 8 => Ok(()),
        other => Err(StatusListError::InvalidBits(other)),
    }
}

mod token;

pub use token::{UnverifiedStatusListToken, VerifiedStatusList};

#[cfg(test)]
mod tests;
