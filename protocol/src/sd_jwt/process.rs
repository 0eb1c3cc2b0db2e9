//! Processing an issuer-signed payload with disclosures into the disclosed claims
//! (RFC 9901 §7.1 steps 3–5), recording where each disclosure landed.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use serde_json::{Map, Value};

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

/// A disclosure's claim name (`None` for an array element) and value, as placed.
pub(crate) type Opened = (Option<String>, Value);

struct Walker<'a, 'o> {
    by_digest: HashMap<&'a str, usize>,
    /// Opens the disclosure at an index: its name and value. Asked once per disclosure
    /// (a digest is placed at most once): a holder copies them out of the disclosures it
    /// keeps, a verifier moves them out of what it received.
    open: &'o mut dyn FnMut(usize) -> Opened,
    paths: Vec<Option<ClaimPath>>,
    seen_digests: HashSet<String>,
    path: Vec<PathComponent>,
    disclosable_arrays: Vec<ClaimPath>,
}

/// Processes `payload` (the verified issuer JWT claims) with the disclosures whose digests
/// are `digests` and that `open` opens by index.
pub(crate) fn process<'a>(
    payload: Map<String, Value>,
    digests: impl Iterator<Item = &'a str>,
    mut open: impl FnMut(usize) -> Opened,
) -> Result<Processed, SdJwtError> {
    // `_sd_alg` stays in the payload while digests are replaced (step 3.3.2.3 must see it
    // as an existing name) and is removed only afterwards (step 3.6).
    match payload.get("_sd_alg") {
        None => {}
        Some(Value::String(alg)) if alg == "sha-256" => {}
        Some(other) => return Err(SdJwtError::UnsupportedHashAlgorithm(other.to_string())),
    }
    let mut by_digest = HashMap::with_capacity(digests.size_hint().0);
    for (index, digest) in digests.enumerate() {
        if by_digest.insert(digest, index).is_some() {
            return Err(SdJwtError::DuplicateDisclosure);
        }
    }
    let count = by_digest.len();
    let mut walker = Walker {
        by_digest,
        open: &mut open,
        paths: vec![None; count],
        // Every disclosure's digest and as many again for the payload's decoys and
        // undisclosed claims, so that the set rarely grows.
        seen_digests: HashSet::with_capacity(2 * count + 16),
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

impl Walker<'_, '_> {
    fn claim_path(&self) -> Result<ClaimPath, SdJwtError> {
        ClaimPath::new(self.path.clone()).map_err(|_| SdJwtError::TooDeep)
    }

    /// Looks a digest up, enforcing that no digest appears twice anywhere in the payload
    /// or in disclosed values (RFC 9901 §7.1 step 4.3.1), decoys included, and opens the
    /// disclosure it names, if any: its index, name and value.
    /// Takes the digest by value: the payload's own string becomes the set's entry, no copy.
    fn lookup(&mut self, digest: String) -> Result<Option<(usize, Opened)>, SdJwtError> {
        let found = self.by_digest.get(digest.as_str()).copied();
        if !self.seen_digests.insert(digest) {
            return Err(SdJwtError::DuplicateDigest);
        }
        Ok(found.map(|i| (i, (self.open)(i))))
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
            Value::Array(items) => self.array(items),
            _ => Ok(()),
        }
    }

    fn object(&mut self, map: &mut Map<String, Value>) -> Result<(), SdJwtError> {
        if map.contains_key("...") {
            return Err(SdJwtError::MisplacedArrayDigest);
        }
        let digests = match map.remove("_sd") {
            None => Vec::new(),
            Some(Value::Array(items)) => {
                if !items.iter().all(Value::is_string) {
                    return Err(SdJwtError::InvalidSdArray);
                }
                items
            }
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
            let Value::String(digest) = digest else {
                return Err(SdJwtError::InvalidSdArray);
            };
            let Some((index, (name, mut value))) = self.lookup(digest)? else {
                continue;
            };
            let Some(name) = name else {
                return Err(SdJwtError::WrongDisclosureKind);
            };
            if map.contains_key(&name) {
                return Err(SdJwtError::ClaimExists(name));
            }
            // Without a signed `_sd_alg` a disclosed one would still not be a claim: it is
            // the issuer's statement of the digest algorithm, removed at step 3.6.
            if self.path.is_empty() && name == "_sd_alg" {
                return Err(SdJwtError::ForbiddenClaimName(name));
            }
            self.path.push(PathComponent::Key(name.clone()));
            self.record(index)?;
            self.value(&mut value)?;
            self.path.pop();
            map.insert(name, value);
        }
        Ok(())
    }

    /// Replaces each `{"...": digest}` element with its disclosed value or drops it,
    /// in place: kept elements move down over dropped ones.
    fn array(&mut self, items: &mut Vec<Value>) -> Result<(), SdJwtError> {
        let mut has_element_digests = false;
        let mut kept = 0;
        for read in 0..items.len() {
            let digest = match &mut items[read] {
                Value::Object(map) if map.contains_key("...") => {
                    if map.len() != 1 {
                        return Err(SdJwtError::MisplacedArrayDigest);
                    }
                    match map.remove("...") {
                        Some(Value::String(d)) => Some(d),
                        _ => return Err(SdJwtError::MisplacedArrayDigest),
                    }
                }
                _ => None,
            };
            self.path.push(PathComponent::Index(kept));
            let placed = match digest {
                None => {
                    let mut item = std::mem::take(&mut items[read]);
                    self.value(&mut item)?;
                    Some(item)
                }
                Some(digest) => {
                    has_element_digests = true;
                    match self.lookup(digest)? {
                        None => None,
                        Some((_, (Some(_), _))) => return Err(SdJwtError::WrongDisclosureKind),
                        Some((index, (None, mut value))) => {
                            self.record(index)?;
                            self.value(&mut value)?;
                            Some(value)
                        }
                    }
                }
            };
            self.path.pop();
            if let Some(item) = placed {
                items[kept] = item;
                kept += 1;
            }
        }
        items.truncate(kept);
        if has_element_digests {
            self.disclosable_arrays.push(self.claim_path()?);
        }
        Ok(())
    }
}
