//! JSON as the signed and exchanged formats need it: a member name may occur once per object
//! and nesting is bounded.
//!
//! `serde_json` keeps the last of two members with the same name. RFC 7515 §4 allows that
//! for a JOSE header, but two parsers that pick differently (first or last) read two
//! different credentials out of one signature; refusing duplicates everywhere an outside
//! party's JSON is read leaves one reading. The depth bound keeps deeply nested input from
//! costing stack or time long before it could be a valid credential or request.
use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Number, Value};

/// The deepest nesting of arrays and objects accepted. Our deepest format (a request
/// object's DCQL query with claim paths) nests 7 levels.
pub const MAX_DEPTH: usize = 32;

/// Why a JSON text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct JsonError(String);

/// Parses `bytes` into `T`, refusing duplicate member names and nesting deeper than
/// [`MAX_DEPTH`].
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, JsonError> {
    let value = value_from_slice(bytes)?;
    serde_json::from_value(value).map_err(|e| JsonError(e.to_string()))
}

/// Parses `bytes` into a JSON object, like [`from_slice`] into a `Map`, without
/// [`from_slice`]'s second pass (which rebuilds every map and array of the parsed value
/// only to get the same value back): the shape of every JWS header and payload and of
/// every disclosure, read once per presentation.
pub fn object_from_slice(bytes: &[u8]) -> Result<Map<String, Value>, JsonError> {
    match value_from_slice(bytes)? {
        Value::Object(map) => Ok(map),
        other => Err(not_a(&other, "a map")),
    }
}

/// Parses `bytes` into a JSON array, like [`object_from_slice`] for objects.
pub fn array_from_slice(bytes: &[u8]) -> Result<Vec<Value>, JsonError> {
    match value_from_slice(bytes)? {
        Value::Array(items) => Ok(items),
        other => Err(not_a(&other, "a sequence")),
    }
}

/// The error `serde_json` gives for a value of the wrong shape, so that the fast paths
/// above report what [`from_slice`] would.
fn not_a(value: &Value, expected: &str) -> JsonError {
    use serde::de::Error;
    let unexpected = match value {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Number(_) => de::Unexpected::Other("number"),
        Value::String(s) => de::Unexpected::Str(s),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Object(_) => de::Unexpected::Map,
    };
    JsonError(serde_json::Error::invalid_type(unexpected, &expected).to_string())
}

/// Parses `text` into `T`, like [`from_slice`].
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, JsonError> {
    from_slice(text.as_bytes())
}

/// Parses `bytes` into a [`Value`], refusing duplicate member names and deep nesting.
pub fn value_from_slice(bytes: &[u8]) -> Result<Value, JsonError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = Strict { depth: 0 }
        .deserialize(&mut deserializer)
        .map_err(|e| JsonError(e.to_string()))?;
    deserializer.end().map_err(|e| JsonError(e.to_string()))?;
    Ok(value)
}

/// A value at nesting level `depth`, read with the rules of this module: also the seed for
/// a value inside a format read element by element (a disclosure's array).
#[derive(Clone, Copy)]
pub(crate) struct Strict {
    depth: usize,
}

impl Strict {
    /// A value nested `depth` levels deep in the text being read.
    pub(crate) fn at_depth(depth: usize) -> Strict {
        Strict { depth }
    }

    fn inner<E: de::Error>(self) -> Result<Strict, E> {
        if self.depth >= MAX_DEPTH {
            return Err(E::custom(format!("nested deeper than {MAX_DEPTH} levels")));
        }
        Ok(Strict {
            depth: self.depth + 1,
        })
    }
}

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number that is not finite"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.inner()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(inner)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let inner = self.inner()?;
        let mut object = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            let value = map.next_value_seed(inner)?;
            // One lookup for both the duplicate check and the insertion.
            match object.entry(name) {
                Entry::Occupied(taken) => {
                    return Err(de::Error::custom(format!(
                        "the member \"{}\" occurs twice",
                        taken.key().chars().take(40).collect::<String>()
                    )))
                }
                Entry::Vacant(free) => {
                    free.insert(value);
                }
            }
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_member_names_are_refused_at_any_depth() {
        for text in [
            r#"{"a":1,"a":2}"#,
            r#"{"a":{"b":1,"c":2,"b":3}}"#,
            r#"[{"_sd":["x"],"_sd":["y"]}]"#,
        ] {
            let e = value_from_slice(text.as_bytes()).unwrap_err();
            assert!(e.to_string().contains("occurs twice"), "{text}: {e}");
        }
        let ok: Value = from_str(r#"{"a":{"b":1},"b":{"a":1}}"#).unwrap();
        assert_eq!(ok["b"]["a"], 1);
    }

    #[test]
    fn deep_nesting_is_refused_before_serde_json_would_recurse() {
        let at_limit = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(value_from_slice(at_limit.as_bytes()).is_ok());
        let over = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(value_from_slice(over.as_bytes())
            .unwrap_err()
            .to_string()
            .contains("nested deeper"));
        // Far deeper than serde_json's own recursion limit: still a clean error.
        let bomb = format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
        assert!(value_from_slice(bomb.as_bytes()).is_err());
    }

    #[test]
    fn values_and_trailing_garbage() {
        let v: Value =
            from_str(r#"{"n":-1,"u":18446744073709551615,"f":1.5,"s":"x","z":null,"t":true}"#)
                .unwrap();
        assert_eq!(v["u"], u64::MAX);
        assert_eq!(v["f"], 1.5);
        assert!(from_str::<Value>(r#"{"a":1} x"#).is_err());
        assert!(from_str::<Value>("").is_err());
    }
}
