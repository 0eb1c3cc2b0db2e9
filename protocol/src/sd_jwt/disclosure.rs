//! Disclosures (RFC 9901 §4.2): `[salt, name, value]` for object properties and
//! `[salt, value]` for array elements, base64url encoded; their digest is SHA-256 over the
//! base64url text exactly as sent.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::{self, DeserializeSeed, SeqAccess, Visitor};
use serde::Serialize;
use serde_json::Value;

use super::SdJwtError;
use crate::jose::{b64u_decode, b64u_decode_into, b64u_encode, sha256};
use crate::json::Strict;

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
        let parts = parse_parts(&bytes, KeepSalt::Yes)?;
        Ok(Disclosure {
            digest: digest_of(encoded),
            encoded: encoded.to_owned(),
            salt: parts.salt.unwrap_or_default(),
            name: parts.name,
            value: parts.value,
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

/// Parses a disclosure received in a presentation into what verification needs: its
/// digest, claim name and value, checked as [`Disclosure::parse`] checks them, without
/// keeping a copy of the text or the salt. `scratch` holds the decoded bytes (reused
/// across a presentation's disclosures).
pub(crate) fn parse_received(
    encoded: &str,
    scratch: &mut Vec<u8>,
) -> Result<(DigestText, Option<String>, Value), SdJwtError> {
    scratch.clear();
    b64u_decode_into(encoded, scratch, "disclosure")
        .map_err(|_| SdJwtError::MalformedDisclosure)?;
    let parts = parse_parts(scratch, KeepSalt::No)?;
    Ok((DigestText::of(encoded), parts.name, parts.value))
}

/// base64url of a SHA-256 digest (43 characters), kept without an allocation.
#[derive(Clone)]
pub(crate) struct DigestText([u8; 43]);

impl fmt::Debug for DigestText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl DigestText {
    fn of(text: &str) -> Self {
        let mut out = [0u8; 43];
        // 32 bytes always encode to exactly 43 base64url characters without padding.
        let written = URL_SAFE_NO_PAD
            .encode_slice(sha256(text.as_bytes()), &mut out)
            .unwrap_or(0);
        debug_assert_eq!(written, 43);
        DigestText(out)
    }

    pub(crate) fn as_str(&self) -> &str {
        // base64url output is ASCII.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// Whether [`parse_parts`] keeps the salt (a holder keeps it to send the disclosure on; a
/// verifier only checks it is a string).
#[derive(Clone, Copy, PartialEq)]
enum KeepSalt {
    Yes,
    No,
}

struct Parts {
    salt: Option<String>,
    name: Option<String>,
    value: Value,
}

/// Reads `[salt, name, value]` or `[salt, value]` element by element, with the strict JSON
/// rules (no duplicate names, bounded depth), refusing every other shape and the names
/// `_sd` and `...`.
fn parse_parts(bytes: &[u8], keep_salt: KeepSalt) -> Result<Parts, SdJwtError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let (salt, second, third) =
        de::Deserializer::deserialize_seq(&mut deserializer, PartsVisitor { keep_salt })
            .map_err(|_| SdJwtError::MalformedDisclosure)?;
    deserializer
        .end()
        .map_err(|_| SdJwtError::MalformedDisclosure)?;
    let (name, value) = match (second, third) {
        (value, None) => (None, value),
        (Value::String(name), Some(value)) => (Some(name), value),
        _ => return Err(SdJwtError::MalformedDisclosure),
    };
    if let Some(n) = &name {
        if n == "_sd" || n == "..." {
            return Err(SdJwtError::ForbiddenClaimName(n.clone()));
        }
    }
    Ok(Parts { salt, name, value })
}

/// The elements of a disclosure's array: the salt (when kept), the second element and the
/// third if there is one.
struct PartsVisitor {
    keep_salt: KeepSalt,
}

impl<'de> Visitor<'de> for PartsVisitor {
    type Value = (Option<String>, Value, Option<Value>);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a disclosure array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let salt = seq
            .next_element_seed(SaltSeed(self.keep_salt))?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        // The array is level 1; its elements start at level 1 of the depth bound.
        let second = seq
            .next_element_seed(Strict::at_depth(1))?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        let third = seq.next_element_seed(Strict::at_depth(1))?;
        if third.is_some() && seq.next_element_seed(Strict::at_depth(1))?.is_some() {
            return Err(de::Error::invalid_length(4, &self));
        }
        Ok((salt, second, third))
    }
}

/// A salt: any JSON string, copied only when kept.
struct SaltSeed(KeepSalt);

impl<'de> DeserializeSeed<'de> for SaltSeed {
    type Value = Option<String>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for SaltSeed {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a salt string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok((self.0 == KeepSalt::Yes).then(|| v.to_owned()))
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
            assert_eq!(
                parse_received(&enc, &mut Vec::new()).unwrap_err(),
                SdJwtError::MalformedDisclosure,
                "{bad}"
            );
        }
        for text in [r#"["s", "a", {"b": 1, "b": 2}]"#, r#"["s", "a", 1] x"#, "["] {
            let enc = b64u_encode(text);
            assert!(Disclosure::parse(&enc).is_err(), "{text}");
            assert!(parse_received(&enc, &mut Vec::new()).is_err(), "{text}");
        }
        for name in ["_sd", "..."] {
            let enc = b64u_encode(json!(["salt", name, 1]).to_string());
            assert_eq!(
                Disclosure::parse(&enc).unwrap_err(),
                SdJwtError::ForbiddenClaimName(name.into())
            );
            assert_eq!(
                parse_received(&enc, &mut Vec::new()).unwrap_err(),
                SdJwtError::ForbiddenClaimName(name.into())
            );
        }
    }

    /// A received disclosure reads as a held one does: digest, name and value, for both
    /// kinds, with one scratch buffer across several.
    #[test]
    fn received_disclosures_read_as_held_ones() {
        let mut scratch = Vec::new();
        for (name, value) in [
            (
                Some("address"),
                json!({"street": "Dorpsstraat", "n": [1, 2]}),
            ),
            (None, json!("NL")),
        ] {
            let held = Disclosure::new("c2FsdA".into(), name.map(str::to_owned), value).unwrap();
            let (digest, name, value) = parse_received(held.encoded(), &mut scratch).unwrap();
            assert_eq!(digest.as_str(), held.digest());
            assert_eq!(name.as_deref(), held.name());
            assert_eq!(&value, held.value());
            assert_eq!(Disclosure::parse(held.encoded()).unwrap(), held);
        }
    }
}
