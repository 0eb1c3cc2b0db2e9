//! Processing an issuer-signed payload with disclosures into the disclosed claims
//! (RFC 9901 §7.1 steps 3–5), recording where each disclosure landed.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::disclosure::Disclosure;
use super::SdJwtError;
use crate::claim_path::{ClaimPath, PathComponent};

/// The result of processing: the claims with disclosures substituted and, for each
/// disclosure (in input order), its path in those claims.
pub(crate) struct Processed {
    pub claims: Map<String, Value>,
    pub paths: Vec<ClaimPath>,
    /// Arrays (paths in `claims`) that held array element digests (`{"...": …}`), disclosed
    /// or not, decoys included: their positions are not the issuer's positions.
    pub disclosable_arrays: Vec<ClaimPath>,
}

struct Walker<'a> {
    by_digest: HashMap<&'a str, usize>,
    disclosures: &'a [Disclosure],
    paths: Vec<Option<ClaimPath>>,
    seen_digests: HashSet<String>,
    path: Vec<PathComponent>,
    disclosable_arrays: Vec<ClaimPath>,
}

/// Processes `payload` (the verified issuer JWT claims) with `disclosures`.
pub(crate) fn process(
    payload: Map<String, Value>,
    disclosures: &[Disclosure],
) -> Result<Processed, SdJwtError> {
    // `_sd_alg` stays in the payload while digests are replaced (step 3.3.2.3 must see it
    // as an existing name) and is removed only afterwards (step 3.6).
    match payload.get("_sd_alg") {
        None => {}
        Some(Value::String(alg)) if alg == "sha-256" => {}
        Some(other) => return Err(SdJwtError::UnsupportedHashAlgorithm(other.to_string())),
    }
    let mut by_digest = HashMap::with_capacity(disclosures.len());
    for (index, disclosure) in disclosures.iter().enumerate() {
        if by_digest.insert(disclosure.digest(), index).is_some() {
            return Err(SdJwtError::DuplicateDisclosure);
        }
    }
    let mut walker = Walker {
        by_digest,
        disclosures,
        paths: vec![None; disclosures.len()],
        seen_digests: HashSet::new(),
        path: Vec::new(),
        disclosable_arrays: Vec::new(),
    };
    let mut claims = payload;
    walker.object(&mut claims)?;
    claims.remove("_sd_alg");
    let paths = walker
        .paths
        .into_iter()
        .map(|p| p.ok_or(SdJwtError::UnreferencedDisclosure))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Processed {
        claims,
        paths,
        disclosable_arrays: walker.disclosable_arrays,
    })
}

impl<'a> Walker<'a> {
    fn claim_path(&self) -> Result<ClaimPath, SdJwtError> {
        ClaimPath::new(self.path.clone()).map_err(|_| SdJwtError::TooDeep)
    }

    /// Looks a digest up, enforcing that no digest appears twice anywhere in the payload
    /// or in disclosed values (RFC 9901 §7.1 step 4.3.1), decoys included.
    /// Takes the digest by value: the payload's own string becomes the set's entry, no copy.
    fn lookup(&mut self, digest: String) -> Result<Option<(usize, &'a Disclosure)>, SdJwtError> {
        let found = self.by_digest.get(digest.as_str()).copied();
        if !self.seen_digests.insert(digest) {
            return Err(SdJwtError::DuplicateDigest);
        }
        Ok(found.map(|i| (i, &self.disclosures[i])))
    }

    /// Records where the disclosure at `index` landed: the current path.
    fn record(&mut self, index: usize) -> Result<(), SdJwtError> {
        self.paths[index] = Some(self.claim_path()?);
        Ok(())
    }

    /// Processes `value` in place: objects and arrays are walked where they are, not
    /// rebuilt (most of a credential is plain members that need no change).
    fn value(&mut self, value: &mut Value) -> Result<(), SdJwtError> {
        if self.path.len() > crate::claim_path::MAX_PATH_LEN {
            return Err(SdJwtError::TooDeep);
        }
        match value {
            Value::Object(map) => self.object(map),
            Value::Array(items) => {
                let processed = self.array(std::mem::take(items))?;
                *items = processed;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn object(&mut self, map: &mut Map<String, Value>) -> Result<(), SdJwtError> {
        if map.contains_key("...") {
            return Err(SdJwtError::MisplacedArrayDigest);
        }
        let digests = match map.remove("_sd") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|d| match d {
                    Value::String(s) => Ok(s),
                    _ => Err(SdJwtError::InvalidSdArray),
                })
                .collect::<Result<Vec<_>, _>>()?,
            Some(_) => return Err(SdJwtError::InvalidSdArray),
        };
        for (name, value) in map.iter_mut() {
            if matches!(value, Value::Object(_) | Value::Array(_)) {
                self.path.push(PathComponent::Key(name.clone()));
                self.value(value)?;
                self.path.pop();
            } else if self.path.len() >= crate::claim_path::MAX_PATH_LEN {
                // Only containers can hold digests, so a plain member needs no place in the
                // path; the depth bound still holds for it as `value` would apply it.
                return Err(SdJwtError::TooDeep);
            }
        }
        for digest in digests {
            let Some((index, disclosure)) = self.lookup(digest)? else {
                continue;
            };
            let Some(name) = disclosure.name() else {
                return Err(SdJwtError::WrongDisclosureKind);
            };
            if map.contains_key(name) {
                return Err(SdJwtError::ClaimExists(name.to_owned()));
            }
            // Without a signed `_sd_alg` a disclosed one would still not be a claim: it is
            // the issuer's statement of the digest algorithm, removed at step 3.6.
            if self.path.is_empty() && name == "_sd_alg" {
                return Err(SdJwtError::ForbiddenClaimName(name.to_owned()));
            }
            self.path.push(PathComponent::Key(name.to_owned()));
            self.record(index)?;
            let mut processed = disclosure.value().clone();
            self.value(&mut processed)?;
            self.path.pop();
            map.insert(name.to_owned(), processed);
        }
        Ok(())
    }

    fn array(&mut self, items: Vec<Value>) -> Result<Vec<Value>, SdJwtError> {
        let mut out = Vec::with_capacity(items.len());
        let mut has_element_digests = false;
        for item in items {
            let digest = match &item {
                Value::Object(map) if map.contains_key("...") => {
                    if map.len() != 1 {
                        return Err(SdJwtError::MisplacedArrayDigest);
                    }
                    match map.get("...") {
                        Some(Value::String(d)) => Some(d.clone()),
                        _ => return Err(SdJwtError::MisplacedArrayDigest),
                    }
                }
                _ => None,
            };
            self.path.push(PathComponent::Index(out.len()));
            match digest {
                None => {
                    let mut processed = item;
                    self.value(&mut processed)?;
                    out.push(processed);
                }
                Some(digest) => {
                    has_element_digests = true;
                    if let Some((index, disclosure)) = self.lookup(digest)? {
                        if disclosure.name().is_some() {
                            return Err(SdJwtError::WrongDisclosureKind);
                        }
                        self.record(index)?;
                        let mut processed = disclosure.value().clone();
                        self.value(&mut processed)?;
                        out.push(processed);
                    }
                }
            }
            self.path.pop();
        }
        if has_element_digests {
            self.disclosable_arrays.push(self.claim_path()?);
        }
        Ok(out)
    }
}
