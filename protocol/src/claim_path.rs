//! Claims path pointers (OpenID4VP 1.0 §7): the shared way DCQL queries, presentation
//! selection and relying-party registrations name a claim inside a credential.
//!
//! A path is a non-empty array whose components are a string (object key), a non-negative
//! integer (array index) or `null` (every element of an array), e.g.
//! `["address", "postal_code"]` or `["addresses", null, "date_from"]`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Longest path accepted; real credentials nest a few levels at most.
pub const MAX_PATH_LEN: usize = 16;

/// One component of a claims path pointer.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathComponent {
    /// An object member name.
    Key(String),
    /// An array element by position.
    Index(usize),
    /// Every element of an array (`null` in JSON).
    AllElements,
}

/// Errors from parsing or applying a claims path pointer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimPathError {
    #[error("claims path must be a non-empty array of at most {MAX_PATH_LEN} components")]
    BadLength,
    #[error("claims path component must be a string, a non-negative integer or null")]
    BadComponent,
    #[error("claims path does not select any claim")]
    NoMatch,
    #[error("claims path component {0} does not fit the credential's structure")]
    TypeMismatch(usize),
}

/// A validated claims path pointer.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClaimPath(Vec<PathComponent>);

impl ClaimPath {
    /// A path from components; fails when empty or too long.
    pub fn new(components: Vec<PathComponent>) -> Result<Self, ClaimPathError> {
        if components.is_empty() || components.len() > MAX_PATH_LEN {
            return Err(ClaimPathError::BadLength);
        }
        Ok(ClaimPath(components))
    }

    /// A path of object keys only, e.g. `ClaimPath::keys(["address", "street"])`.
    pub fn keys<I, S>(keys: I) -> Result<Self, ClaimPathError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::new(
            keys.into_iter()
                .map(|k| PathComponent::Key(k.into()))
                .collect(),
        )
    }

    /// The components.
    pub fn components(&self) -> &[PathComponent] {
        &self.0
    }

    /// Whether `self` is `other` or lies inside it (`other` is a prefix, with `null` in
    /// `other` covering any index in `self`).
    pub fn is_within(&self, other: &ClaimPath) -> bool {
        other.0.len() <= self.0.len()
            && other.0.iter().zip(&self.0).all(|(o, s)| match (o, s) {
                (PathComponent::AllElements, PathComponent::Index(_)) => true,
                (PathComponent::AllElements, PathComponent::AllElements) => true,
                (a, b) => a == b,
            })
    }

    /// Whether `self` is a prefix of `other` (`null` in `other` covering any index in
    /// `self`): `["custody", 2]` leads to `["custody", null, "bsn"]`, the element holds it.
    pub fn leads_to(&self, other: &ClaimPath) -> bool {
        self.0.len() <= other.0.len()
            && self.0.iter().zip(&other.0).all(|(s, o)| match (o, s) {
                (PathComponent::AllElements, PathComponent::Index(_)) => true,
                (a, b) => a == b,
            })
    }

    /// Applies the pointer to `root` as OpenID4VP §7.1 describes: keys select members
    /// of objects, indices and `null` select elements of arrays; selecting into a value of
    /// the wrong type is an error, and an empty final selection is [`ClaimPathError::NoMatch`].
    pub fn select<'a>(&self, root: &'a Value) -> Result<Vec<&'a Value>, ClaimPathError> {
        let mut selected = vec![root];
        for (position, component) in self.0.iter().enumerate() {
            let mut next = Vec::new();
            for value in selected {
                match (component, value) {
                    (PathComponent::Key(key), Value::Object(map)) => next.extend(map.get(key)),
                    (PathComponent::Index(i), Value::Array(items)) => next.extend(items.get(*i)),
                    (PathComponent::AllElements, Value::Array(items)) => next.extend(items),
                    _ => return Err(ClaimPathError::TypeMismatch(position)),
                }
            }
            selected = next;
        }
        if selected.is_empty() {
            return Err(ClaimPathError::NoMatch);
        }
        Ok(selected)
    }

    /// The path as JSON: `["a", 0, null]`.
    pub fn to_json_value(&self) -> Value {
        Value::Array(
            self.0
                .iter()
                .map(|c| match c {
                    PathComponent::Key(k) => Value::String(k.clone()),
                    PathComponent::Index(i) => Value::from(*i),
                    PathComponent::AllElements => Value::Null,
                })
                .collect(),
        )
    }

    /// Parses `["a", 0, null]`.
    pub fn from_json_value(value: &Value) -> Result<Self, ClaimPathError> {
        let items = value.as_array().ok_or(ClaimPathError::BadLength)?;
        if items.is_empty() || items.len() > MAX_PATH_LEN {
            return Err(ClaimPathError::BadLength);
        }
        let components = items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(PathComponent::Key(s.clone())),
                Value::Null => Ok(PathComponent::AllElements),
                Value::Number(n) => n
                    .as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .map(PathComponent::Index)
                    .ok_or(ClaimPathError::BadComponent),
                _ => Err(ClaimPathError::BadComponent),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(components)
    }
}

impl std::fmt::Display for ClaimPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.to_json_value())
    }
}

impl Serialize for ClaimPath {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json_value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ClaimPath {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        ClaimPath::from_json_value(&value).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(v: Value) -> ClaimPath {
        ClaimPath::from_json_value(&v).unwrap()
    }

    #[test]
    fn an_element_leads_to_the_claims_inside_it() {
        let bsn_of_any = path(json!(["custody", null, "bsn"]));
        assert!(path(json!(["custody", 2])).leads_to(&bsn_of_any));
        assert!(path(json!(["custody"])).leads_to(&bsn_of_any));
        assert!(path(json!(["custody", 2, "bsn"])).leads_to(&bsn_of_any));
        assert!(!path(json!(["custody", 2, "given_name"])).leads_to(&bsn_of_any));
        assert!(!path(json!(["address"])).leads_to(&bsn_of_any));
        // A fixed index covers only itself.
        assert!(!path(json!(["custody", 1])).leads_to(&path(json!(["custody", 2, "bsn"]))));
    }

    #[test]
    fn selects_keys_indices_and_wildcards() {
        let claims = json!({
            "name": "Wilma",
            "addresses": [{"town": "Den Haag"}, {"town": "Amsterdam"}]
        });
        assert_eq!(
            path(json!(["name"])).select(&claims).unwrap(),
            vec!["Wilma"]
        );
        assert_eq!(
            path(json!(["addresses", 1, "town"]))
                .select(&claims)
                .unwrap(),
            vec!["Amsterdam"]
        );
        assert_eq!(
            path(json!(["addresses", null, "town"]))
                .select(&claims)
                .unwrap(),
            vec!["Den Haag", "Amsterdam"]
        );
    }

    #[test]
    fn missing_claims_and_wrong_types_are_errors() {
        let claims = json!({"name": "Wilma", "list": [1, 2]});
        assert_eq!(
            path(json!(["nope"])).select(&claims).unwrap_err(),
            ClaimPathError::NoMatch
        );
        assert_eq!(
            path(json!(["name", 0])).select(&claims).unwrap_err(),
            ClaimPathError::TypeMismatch(1)
        );
        assert_eq!(
            path(json!(["list", "x"])).select(&claims).unwrap_err(),
            ClaimPathError::TypeMismatch(1)
        );
        assert_eq!(
            path(json!(["list", 5])).select(&claims).unwrap_err(),
            ClaimPathError::NoMatch
        );
    }

    #[test]
    fn malformed_paths_are_rejected() {
        for bad in [
            json!([]),
            json!("name"),
            json!([true]),
            json!([-1]),
            json!([1.5]),
        ] {
            assert!(ClaimPath::from_json_value(&bad).is_err(), "{bad}");
        }
        let long = Value::Array(vec![json!("a"); MAX_PATH_LEN + 1]);
        assert_eq!(
            ClaimPath::from_json_value(&long).unwrap_err(),
            ClaimPathError::BadLength
        );
    }

    #[test]
    fn within_treats_null_as_any_index() {
        let allowed = path(json!(["addresses", null]));
        assert!(path(json!(["addresses", 3, "town"])).is_within(&allowed));
        assert!(path(json!(["addresses", null, "town"])).is_within(&allowed));
        assert!(!path(json!(["addresses"])).is_within(&allowed));
        assert!(!path(json!(["name"])).is_within(&allowed));
    }

    #[test]
    fn serde_round_trip() {
        let p = path(json!(["a", 0, null]));
        let text = serde_json::to_string(&p).unwrap();
        assert_eq!(text, r#"["a",0,null]"#);
        assert_eq!(serde_json::from_str::<ClaimPath>(&text).unwrap(), p);
    }
}
