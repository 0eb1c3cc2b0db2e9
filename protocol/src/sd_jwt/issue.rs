//! Issuance: turning claims plus a disclosure frame into an issuer-signed payload with
//! `_sd` digests and the matching disclosures (RFC 9901 §4).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::disclosure::{digest_of, Disclosure};
use super::SdJwtError;
use crate::jose::{b64u_encode, random_bytes};

/// Where salts come from. Production uses [`RandomSalts`]; tests reproducing published
/// examples replay known salts per claim.
pub trait SaltSource {
    /// A salt for the disclosure of `value` under `name` (`None` for array elements).
    fn salt(&mut self, name: Option<&str>, value: &Value) -> String;

    /// Whether every salt is fresh randomness, independent of the claim: then issuance draws
    /// them from the OS in batches rather than one system call per salt.
    fn is_random(&self) -> bool {
        false
    }
}

/// 128-bit random salts from the OS CSPRNG, as RFC 9901 §9.3 recommends.
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomSalts;

impl SaltSource for RandomSalts {
    fn salt(&mut self, _name: Option<&str>, _value: &Value) -> String {
        b64u_encode(random_bytes::<16>())
    }

    fn is_random(&self) -> bool {
        true
    }
}

/// Salts per read of the OS CSPRNG in [`PooledSalts`].
const SALTS_PER_READ: usize = 32;

/// 128-bit random salts for one credential, [`SALTS_PER_READ`] per read of the OS CSPRNG:
/// each read is a system call, which cost as much as the rest of a disclosure. The pool lives
/// for one issuance only (never shared between threads or processes) and is wiped after.
struct PooledSalts {
    pool: zeroize::Zeroizing<[u8; 16 * SALTS_PER_READ]>,
    next: usize,
}

impl PooledSalts {
    fn new() -> Self {
        PooledSalts {
            pool: zeroize::Zeroizing::new([0; 16 * SALTS_PER_READ]),
            next: SALTS_PER_READ,
        }
    }
}

impl SaltSource for PooledSalts {
    fn salt(&mut self, _name: Option<&str>, _value: &Value) -> String {
        if self.next == SALTS_PER_READ {
            *self.pool = random_bytes();
            self.next = 0;
        }
        let start = self.next * 16;
        self.next += 1;
        b64u_encode(&self.pool[start..start + 16])
    }
}

/// Which parts of a claims object are selectively disclosable.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ObjectFrame {
    /// Frames of members; members not listed stay plain.
    pub members: BTreeMap<String, Node>,
    /// Number of decoy digests added to this object's `_sd`.
    pub decoys: usize,
}

/// The frame of one claim value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Node {
    /// Whether the value itself becomes a disclosure.
    pub sd: bool,
    /// Frame for what is inside the value.
    pub inner: Inner,
}

/// The frame of a value's contents.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Inner {
    /// Nothing inside is selectively disclosable.
    #[default]
    Leaf,
    /// The value is an object with its own frame.
    Object(ObjectFrame),
    /// The value is an array with its own frame.
    Array(ArrayFrame),
}

/// Which elements of an array are selectively disclosable.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ArrayFrame {
    /// Frame applying to every element that has no entry in `elements`.
    pub each: Option<Box<Node>>,
    /// Frames by element index.
    pub elements: BTreeMap<usize, Node>,
    /// Number of decoy `{"...": digest}` elements appended.
    pub decoys: usize,
}

impl ObjectFrame {
    /// A frame making each named member selectively disclosable (no nesting).
    pub fn sd_members<I, S>(names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ObjectFrame {
            members: names.into_iter().map(|n| (n.into(), Node::sd())).collect(),
            decoys: 0,
        }
    }

    /// Adds a member frame.
    pub fn with(mut self, name: impl Into<String>, node: Node) -> Self {
        self.members.insert(name.into(), node);
        self
    }

    /// Sets the decoy count.
    pub fn with_decoys(mut self, decoys: usize) -> Self {
        self.decoys = decoys;
        self
    }
}

impl Node {
    /// A selectively disclosable leaf.
    pub fn sd() -> Self {
        Node {
            sd: true,
            inner: Inner::Leaf,
        }
    }

    /// A selectively disclosable object with its own frame inside.
    pub fn sd_object(frame: ObjectFrame) -> Self {
        Node {
            sd: true,
            inner: Inner::Object(frame),
        }
    }

    /// A plain object whose members have their own frame.
    pub fn object(frame: ObjectFrame) -> Self {
        Node {
            sd: false,
            inner: Inner::Object(frame),
        }
    }

    /// A selectively disclosable array with its own frame inside.
    pub fn sd_array(frame: ArrayFrame) -> Self {
        Node {
            sd: true,
            inner: Inner::Array(frame),
        }
    }

    /// A plain array whose elements have their own frame.
    pub fn array(frame: ArrayFrame) -> Self {
        Node {
            sd: false,
            inner: Inner::Array(frame),
        }
    }
}

impl ArrayFrame {
    /// Every element gets `node`.
    pub fn each(node: Node) -> Self {
        ArrayFrame {
            each: Some(Box::new(node)),
            ..Default::default()
        }
    }
}

/// Applies `frame` to `claims`, returning the payload with digests and the disclosures.
pub(crate) fn apply_frame(
    claims: Map<String, Value>,
    frame: &ObjectFrame,
    salts: &mut dyn SaltSource,
) -> Result<(Map<String, Value>, Vec<Disclosure>), SdJwtError> {
    let mut disclosures = Vec::new();
    let mut pooled;
    let salts: &mut dyn SaltSource = if salts.is_random() {
        pooled = PooledSalts::new();
        &mut pooled
    } else {
        salts
    };
    let payload = frame_object(claims, frame, salts, &mut disclosures)?;
    Ok((payload, disclosures))
}

fn frame_object(
    mut object: Map<String, Value>,
    frame: &ObjectFrame,
    salts: &mut dyn SaltSource,
    out: &mut Vec<Disclosure>,
) -> Result<Map<String, Value>, SdJwtError> {
    if object.contains_key("_sd") || object.contains_key("...") {
        return Err(SdJwtError::ForbiddenClaimName("_sd".into()));
    }
    let mut digests = Vec::new();
    for (name, node) in &frame.members {
        let Some(value) = object.remove(name) else {
            return Err(SdJwtError::FrameMismatch(name.clone()));
        };
        let value = frame_inner(value, &node.inner, name, salts, out)?;
        if node.sd {
            let salt = salts.salt(Some(name), &value);
            let disclosure = Disclosure::new(salt, Some(name.clone()), value)?;
            digests.push(disclosure.digest().to_owned());
            out.push(disclosure);
        } else {
            object.insert(name.clone(), value);
        }
    }
    digests.extend((0..frame.decoys).map(|_| decoy_digest()));
    if !digests.is_empty() {
        // Sorted, so the order of digests reveals nothing about the order of claims.
        digests.sort();
        object.insert(
            "_sd".into(),
            Value::Array(digests.into_iter().map(Value::String).collect()),
        );
    }
    Ok(object)
}

fn frame_inner(
    value: Value,
    inner: &Inner,
    name: &str,
    salts: &mut dyn SaltSource,
    out: &mut Vec<Disclosure>,
) -> Result<Value, SdJwtError> {
    match (inner, value) {
        (Inner::Leaf, value) => Ok(value),
        (Inner::Object(frame), Value::Object(map)) => {
            Ok(Value::Object(frame_object(map, frame, salts, out)?))
        }
        (Inner::Array(frame), Value::Array(items)) => {
            Ok(Value::Array(frame_array(items, frame, name, salts, out)?))
        }
        _ => Err(SdJwtError::FrameMismatch(name.to_owned())),
    }
}

fn frame_array(
    items: Vec<Value>,
    frame: &ArrayFrame,
    name: &str,
    salts: &mut dyn SaltSource,
    out: &mut Vec<Disclosure>,
) -> Result<Vec<Value>, SdJwtError> {
    let mut result = Vec::with_capacity(items.len() + frame.decoys);
    for (index, item) in items.into_iter().enumerate() {
        let node = frame.elements.get(&index).or(frame.each.as_deref());
        let Some(node) = node else {
            result.push(item);
            continue;
        };
        let item = frame_inner(item, &node.inner, name, salts, out)?;
        if node.sd {
            let salt = salts.salt(None, &item);
            let disclosure = Disclosure::new(salt, None, item)?;
            result.push(array_digest(disclosure.digest()));
            out.push(disclosure);
        } else {
            result.push(item);
        }
    }
    result.extend((0..frame.decoys).map(|_| array_digest(&decoy_digest())));
    Ok(result)
}

fn array_digest(digest: &str) -> Value {
    let mut map = Map::new();
    map.insert("...".into(), Value::String(digest.to_owned()));
    Value::Object(map)
}

/// A digest of random data: indistinguishable from a real one (RFC 9901 §4.2.5).
fn decoy_digest() -> String {
    digest_of(&b64u_encode(random_bytes::<16>()))
}
