//! Compact JWS as received ([`UnverifiedJws`]) and once its signature has been checked
//! ([`VerifiedJws`]).
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::{b64u_decode, JoseError, PublicJwk, ES256, MAX_JWS_LEN};

/// A verified JWS's protected header and its claims (a JSON object).
pub type HeaderAndClaims = (Map<String, Value>, Map<String, Value>);

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
        self.check_signature(key)?;
        parse_payload(&self.payload)
    }

    /// The original compact serialization.
    pub fn as_str(&self) -> &str {
        &self.compact
    }

    /// The ES256 signature over `header.payload` as received, checked with `key`.
    fn check_signature(&self, key: &PublicJwk) -> Result<(), JoseError> {
        key.verify_es256(
            &self.compact.as_bytes()[..self.signing_input_len],
            &self.signature,
        )
    }

    /// Parses the payload as a JSON object, lets `choose_key` pick the key from the header
    /// and those (as yet unauthenticated) claims, checks the signature with it, and returns
    /// the header and the then authenticated claims: the payload is parsed once, where
    /// [`Self::claims_object_unverified`] followed by [`Self::verify`] parses it twice.
    pub fn verify_object_with<E: From<JoseError>>(
        self,
        choose_key: impl FnOnce(&Self, &Map<String, Value>) -> Result<PublicJwk, E>,
    ) -> Result<HeaderAndClaims, E> {
        let claims = parse_payload_object(&self.payload)?;
        let key = choose_key(&self, &claims)?;
        self.check_signature(&key)?;
        Ok((self.header, claims))
    }

    /// Checks the signature with `key`.
    pub fn verify(self, key: &PublicJwk) -> Result<VerifiedJws, JoseError> {
        self.check_signature(key)?;
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

    /// The authenticated payload bytes.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The authenticated payload parsed as JSON.
    pub fn claims<T: DeserializeOwned>(&self) -> Result<T, JoseError> {
        parse_payload(&self.payload)
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
