//! Disclosures (RFC 9901 §4.2): `[salt, name, value]` for object properties and
//! `[salt, value]` for array elements, base64url encoded; their digest is SHA-256 over the
//! base64url text exactly as sent.

use serde::Serialize;
use serde_json::Value;

use super::SdJwtError;
use crate::jose::{b64u_decode, b64u_encode, sha256};

/// A parsed disclosure with its digest.
#[derive(Clone, Debug, PartialEq)]
pub struct Disclosure {
    encoded: String,
    digest: String,
    salt: String,
    name: Option<String>,
    value: Value,
}

impl Disclosure {
    /// Creates a disclosure for an object property (`name` set) or an array element.
    pub fn new(salt: String, name: Option<String>, value: Value) -> Result<Self, SdJwtError> {
        let json = disclosure_json(&salt, name.as_deref(), &value)?;
        let encoded = b64u_encode(json.as_bytes());
        let digest = digest_of(&encoded);
        Ok(Disclosure {
            encoded,
            digest,
            salt,
            name,
            value,
        })
    }

    /// Parses a received disclosure; any valid JSON encoding is accepted.
    pub fn parse(encoded: &str) -> Result<Self, SdJwtError> {
        let bytes =
            b64u_decode(encoded, "disclosure").map_err(|_| SdJwtError::MalformedDisclosure)?;
        let parts =
            crate::json::array_from_slice(&bytes).map_err(|_| SdJwtError::MalformedDisclosure)?;
        let mut parts = parts.into_iter();
        let (salt, name, value) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(Value::String(salt)), Some(value), None, None) => (salt, None, value),
            (Some(Value::String(salt)), Some(Value::String(name)), Some(value), None) => {
                (salt, Some(name), value)
            }
            _ => return Err(SdJwtError::MalformedDisclosure),
        };
        if let Some(n) = &name {
            if n == "_sd" || n == "..." {
                return Err(SdJwtError::ForbiddenClaimName(n.clone()));
            }
        }
        Ok(Disclosure {
            digest: digest_of(encoded),
            encoded: encoded.to_owned(),
            salt,
            name,
            value,
        })
    }

    /// The base64url text as serialized.
    pub fn encoded(&self) -> &str {
        &self.encoded
    }

    /// base64url(SHA-256(encoded)).
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The salt.
    pub fn salt(&self) -> &str {
        &self.salt
    }

    /// The claim name, for an object property disclosure.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The disclosed value (may itself contain `_sd` digests).
    pub fn value(&self) -> &Value {
        &self.value
    }
}

/// base64url SHA-256 of a disclosure's (or any) text.
pub(crate) fn digest_of(text: &str) -> String {
    b64u_encode(sha256(text.as_bytes()))
}

/// JSON with `", "` and `": "` separators, the encoding RFC 9901's examples use, so that
/// issuance with the same salts reproduces their digests byte for byte.
/// `[salt, name, value]` (or `[salt, value]`) as [`SpacedFormatter`] writes the array,
/// element by element: the same bytes as serializing a `Value::Array` of copies of the
/// three, without making the copies (the value can be a whole address).
fn disclosure_json(salt: &str, name: Option<&str>, value: &Value) -> Result<String, SdJwtError> {
    let mut out = Vec::with_capacity(64);
    out.push(b'[');
    write_spaced(&mut out, salt)?;
    if let Some(name) = name {
        out.extend_from_slice(b", ");
        write_spaced(&mut out, name)?;
    }
    out.extend_from_slice(b", ");
    write_spaced(&mut out, value)?;
    out.push(b']');
    String::from_utf8(out).map_err(|_| SdJwtError::MalformedDisclosure)
}

fn write_spaced<T: Serialize + ?Sized>(out: &mut Vec<u8>, item: &T) -> Result<(), SdJwtError> {
    let mut serializer = serde_json::Serializer::with_formatter(out, SpacedFormatter);
    item.serialize(&mut serializer)
        .map_err(|_| SdJwtError::MalformedDisclosure)
}

struct SpacedFormatter;

impl serde_json::ser::Formatter for SpacedFormatter {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        writer.write_all(b": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// RFC 9901 §4.2.1 example disclosure and digest.
    #[test]
    fn reproduces_rfc_example_disclosure() {
        let d = Disclosure::new(
            "_26bc4LT-ac6q2KI6cBW5es".into(),
            Some("family_name".into()),
            json!("Möbius"),
        )
        .unwrap();
        assert_eq!(
            d.encoded(),
            "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0"
        );
    }

    /// The element-by-element writer gives the bytes the whole array would serialize to,
    /// nested objects and arrays included.
    #[test]
    fn disclosure_json_matches_the_array_serialized_whole() {
        let value = json!({"street": "Dorpsstraat", "n": [1, {"a": "ö\"x"}], "e": {}});
        for name in [Some("address"), None] {
            let mut items = vec![json!("salt")];
            items.extend(name.map(|n| json!(n)));
            items.push(value.clone());
            let mut whole = Vec::new();
            let mut serializer =
                serde_json::Serializer::with_formatter(&mut whole, SpacedFormatter);
            Value::Array(items).serialize(&mut serializer).unwrap();
            assert_eq!(
                disclosure_json("salt", name, &value).unwrap().as_bytes(),
                &whole[..]
            );
        }
    }

    #[test]
    fn parse_rejects_bad_shapes() {
        for bad in [
            json!(["salt"]),
            json!(["salt", "a", 1, 2]),
            json!([1, "a", 1]),
            json!(["salt", 5, 1]),
            json!({"salt": 1}),
        ] {
            let enc = b64u_encode(bad.to_string());
            assert_eq!(
                Disclosure::parse(&enc).unwrap_err(),
                SdJwtError::MalformedDisclosure,
                "{bad}"
            );
        }
        for name in ["_sd", "..."] {
            let enc = b64u_encode(json!(["salt", name, 1]).to_string());
            assert_eq!(
                Disclosure::parse(&enc).unwrap_err(),
                SdJwtError::ForbiddenClaimName(name.into())
            );
        }
    }
}
