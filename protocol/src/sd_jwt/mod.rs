//! SD-JWT (RFC 9901): selective disclosure for JWTs, with key binding.
//!
//! - [`issue`] signs claims with a disclosure frame ([`ObjectFrame`]) into an [`SdJwt`].
//! - [`UnverifiedSdJwt::parse`] reads the compact form `<jwt>~<disclosure>~…~[<kb-jwt>]`;
//!   [`UnverifiedSdJwt::verify`] performs RFC 9901 §7.1 and yields a [`VerifiedSdJwt`].
//! - [`SdJwt::present`] selects disclosures by claims path; [`add_key_binding`] appends a
//!   KB-JWT; [`VerifiedSdJwt::verify_key_binding`] checks it (§7.3).

mod disclosure;
mod issue;
mod key_binding;
mod process;

use serde_json::{Map, Value};

use disclosure::DigestText;
pub use disclosure::Disclosure;
pub use issue::{ArrayFrame, Inner, Node, ObjectFrame, RandomSalts, SaltSource};
pub use key_binding::{add_key_binding, sd_hash, KbExpectation, KeyBindingClaims, KB_JWT_TYP};

use crate::claim_path::{ClaimPath, PathComponent};
use crate::jose::{self, JoseError, PublicJwk, SigningKey, UnverifiedJws};

/// Largest compact SD-JWT (with disclosures and KB-JWT) accepted.
pub const MAX_SD_JWT_LEN: usize = 64 * 1024;
/// Most disclosures accepted in one SD-JWT.
pub const MAX_DISCLOSURES: usize = 256;

/// Errors from SD-JWT issuance, parsing, verification and presentation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdJwtError {
    #[error("SD-JWT too large: {len} bytes, limit {limit}")]
    TooLarge { len: usize, limit: usize },
    #[error("too many disclosures: limit {0}")]
    TooManyDisclosures(usize),
    #[error("not an SD-JWT: expected <jwt>~<disclosures>~[<kb-jwt>]")]
    Malformed,
    #[error("issuer JWT: {0}")]
    IssuerJwt(JoseError),
    #[error("issuer JWT payload is not a JSON object")]
    PayloadNotObject,
    #[error("malformed disclosure")]
    MalformedDisclosure,
    #[error("claim name {0:?} may not be disclosed")]
    ForbiddenClaimName(String),
    #[error("unsupported _sd_alg {0}: only sha-256 is accepted")]
    UnsupportedHashAlgorithm(String),
    #[error("the same disclosure is included twice")]
    DuplicateDisclosure,
    #[error("a digest appears more than once")]
    DuplicateDigest,
    #[error("a disclosure is not referenced by any digest")]
    UnreferencedDisclosure,
    #[error("_sd must be an array of strings")]
    InvalidSdArray,
    #[error("misplaced or malformed array element digest (\"...\")")]
    MisplacedArrayDigest,
    #[error("disclosure kind does not fit where its digest is (object property vs array element)")]
    WrongDisclosureKind,
    #[error("disclosed claim {0:?} already exists")]
    ClaimExists(String),
    #[error("claims nest too deeply")]
    TooDeep,
    #[error("disclosure frame names {0:?}, which the claims do not have in that shape")]
    FrameMismatch(String),
    #[error("claims path {0} selects nothing in this credential")]
    PathNotFound(String),
    #[error("key binding JWT missing")]
    KeyBindingMissing,
    #[error("key binding JWT: {0}")]
    KeyBindingJwt(JoseError),
    #[error("key binding JWT claim {0} is missing or malformed")]
    KeyBindingClaim(&'static str),
    #[error("key binding JWT audience does not match")]
    WrongAudience,
    #[error("key binding JWT nonce does not match")]
    WrongNonce,
    #[error("key binding JWT is too old")]
    KeyBindingStale,
    #[error("key binding JWT is issued in the future")]
    KeyBindingInFuture,
    #[error("key binding JWT has expired")]
    KeyBindingExpired,
    #[error("key binding JWT is not valid yet")]
    KeyBindingNotYetValid,
    #[error("an issued SD-JWT must not carry a key binding JWT")]
    UnexpectedKeyBinding,
    #[error("key binding JWT sd_hash does not match the presentation")]
    WrongSdHash,
    #[error("transaction data hashes do not match the request")]
    WrongTransactionData,
}

/// An SD-JWT as issued or held: the issuer JWT and disclosures (no key binding).
#[derive(Clone, Debug)]
pub struct SdJwt {
    issuer_jwt: String,
    disclosures: Vec<Disclosure>,
}

/// Signs `claims` with `frame` deciding what is selectively disclosable. `header` gets
/// `alg` (and the key's `kid`) added; `_sd_alg: sha-256` is added to the payload.
pub fn issue(
    header: Map<String, Value>,
    claims: Map<String, Value>,
    frame: &ObjectFrame,
    key: &SigningKey,
    salts: &mut dyn SaltSource,
) -> Result<SdJwt, SdJwtError> {
    let (mut payload, disclosures) = issue::apply_frame(claims, frame, salts)?;
    payload.insert("_sd_alg".into(), Value::String("sha-256".into()));
    let payload = serde_json::to_vec(&payload).map_err(|_| SdJwtError::PayloadNotObject)?;
    let issuer_jwt = jose::sign_compact(header, &payload, key);
    Ok(SdJwt {
        issuer_jwt,
        disclosures,
    })
}

impl SdJwt {
    /// The compact form `<jwt>~<d1>~…~<dn>~`.
    pub fn serialize(&self) -> String {
        serialize_parts(&self.issuer_jwt, self.disclosures.iter())
    }

    /// The issuer-signed JWT.
    pub fn issuer_jwt(&self) -> &str {
        &self.issuer_jwt
    }

    /// All disclosures.
    pub fn disclosures(&self) -> &[Disclosure] {
        &self.disclosures
    }

    /// Reads a held SD-JWT (e.g. from the wallet's store) without checking the signature;
    /// the wallet verified it when it was received. Fails on a KB-JWT part.
    pub fn parse_held(compact: &str) -> Result<SdJwt, SdJwtError> {
        let parts = split_compact(compact)?;
        if !parts.key_binding.is_empty() {
            return Err(SdJwtError::Malformed);
        }
        let jws = UnverifiedJws::parse(parts.jwt).map_err(SdJwtError::IssuerJwt)?;
        Ok(SdJwt {
            issuer_jwt: jws.as_str().to_owned(),
            disclosures: parts
                .disclosures
                .into_iter()
                .map(Disclosure::parse)
                .collect::<Result<_, _>>()?,
        })
    }

    /// Processes the issuer JWT's `payload` with copies of the disclosures.
    fn process(&self, payload: Map<String, Value>) -> Result<process::Processed, SdJwtError> {
        let digests = self.disclosures.iter().map(Disclosure::digest);
        process::process(payload, digests, |i| {
            let d = &self.disclosures[i];
            (d.name().map(str::to_owned), d.value().clone())
        })
    }

    /// The fully disclosed claims and each disclosure's path, from the unverified payload
    /// (for a held credential whose signature was checked at receipt).
    pub fn disclosed_claims(&self) -> Result<(Map<String, Value>, Vec<ClaimPath>), SdJwtError> {
        let jws = UnverifiedJws::parse(&self.issuer_jwt).map_err(SdJwtError::IssuerJwt)?;
        let payload = jws
            .claims_object_unverified()
            .map_err(|_| SdJwtError::PayloadNotObject)?;
        let processed = self.process(payload)?;
        Ok((processed.claims, processed.paths))
    }

    /// The arrays (paths in [`Self::disclosed_claims`]) whose elements are selectively
    /// disclosable or that carry decoys, as [`VerifiedSdJwt::disclosable_arrays`] has them.
    pub fn disclosable_arrays(&self) -> Result<Vec<ClaimPath>, SdJwtError> {
        let jws = UnverifiedJws::parse(&self.issuer_jwt).map_err(SdJwtError::IssuerJwt)?;
        let payload = jws
            .claims_object_unverified()
            .map_err(|_| SdJwtError::PayloadNotObject)?;
        let processed = self.process(payload)?;
        Ok(processed.disclosable_arrays)
    }

    /// A presentation disclosing exactly what `paths` name (paths may use `null` for every
    /// array element). Parents follow children: disclosing `["address","street"]` includes
    /// the disclosure of `address` when that is selectively disclosable; naming an object
    /// discloses all of it. Each path must select something.
    pub fn present(&self, paths: &[ClaimPath]) -> Result<SdJwt, SdJwtError> {
        let (claims, disclosure_paths) = self.disclosed_claims()?;
        let root = Value::Object(claims);
        for path in paths {
            path.select(&root)
                .map_err(|_| SdJwtError::PathNotFound(path.to_string()))?;
        }
        let disclosures = self
            .disclosures
            .iter()
            .zip(&disclosure_paths)
            .filter(|(_, at)| paths.iter().any(|wanted| overlaps(wanted, at)))
            .map(|(d, _)| d.clone())
            .collect();
        Ok(SdJwt {
            issuer_jwt: self.issuer_jwt.clone(),
            disclosures,
        })
    }
}

/// Whether a disclosure at concrete path `at` is needed to present `wanted`: one is a prefix
/// of the other, with `null` in `wanted` matching any index.
fn overlaps(wanted: &ClaimPath, at: &ClaimPath) -> bool {
    wanted
        .components()
        .iter()
        .zip(at.components())
        .all(|(w, a)| match (w, a) {
            (PathComponent::AllElements, PathComponent::Index(_)) => true,
            (w, a) => w == a,
        })
}

fn serialize_parts<'a>(jwt: &str, disclosures: impl Iterator<Item = &'a Disclosure>) -> String {
    let mut out = String::with_capacity(jwt.len() + 512);
    out.push_str(jwt);
    out.push('~');
    for d in disclosures {
        out.push_str(d.encoded());
        out.push('~');
    }
    out
}

/// A compact SD-JWT as received: split and decoded, nothing verified yet.
#[derive(Clone, Debug)]
pub struct UnverifiedSdJwt {
    jws: UnverifiedJws,
    /// The received disclosures' digests, and their names and values by the same index
    /// (moved into the claims at verification).
    digests: Vec<DigestText>,
    opened: Vec<process::Opened>,
    key_binding: Option<UnverifiedJws>,
    /// Length of `<jwt>~<d1>~…~<dn>~`, the input of `sd_hash`.
    presentation_len: usize,
    compact: String,
}

/// The parts of a compact SD-JWT, split and checked against the limits.
struct CompactParts<'a> {
    jwt: &'a str,
    disclosures: Vec<&'a str>,
    /// The KB-JWT, empty when there is none.
    key_binding: &'a str,
    presentation_len: usize,
}

/// Splits `<jwt>~<d1>~…~<dn>~[<kb-jwt>]` with the limits [`MAX_SD_JWT_LEN`] and
/// [`MAX_DISCLOSURES`]; an empty disclosure is malformed.
fn split_compact(compact: &str) -> Result<CompactParts<'_>, SdJwtError> {
    if compact.len() > MAX_SD_JWT_LEN {
        return Err(SdJwtError::TooLarge {
            len: compact.len(),
            limit: MAX_SD_JWT_LEN,
        });
    }
    let last_tilde = compact.rfind('~').ok_or(SdJwtError::Malformed)?;
    let presentation_len = last_tilde + 1;
    let mut parts = compact[..last_tilde].split('~');
    let jwt = parts.next().ok_or(SdJwtError::Malformed)?;
    let mut disclosures = Vec::new();
    for part in parts {
        if part.is_empty() {
            return Err(SdJwtError::Malformed);
        }
        if disclosures.len() == MAX_DISCLOSURES {
            return Err(SdJwtError::TooManyDisclosures(MAX_DISCLOSURES));
        }
        disclosures.push(part);
    }
    Ok(CompactParts {
        jwt,
        disclosures,
        key_binding: &compact[presentation_len..],
        presentation_len,
    })
}

impl UnverifiedSdJwt {
    /// Parses the compact serialization with the limits [`MAX_SD_JWT_LEN`] and
    /// [`MAX_DISCLOSURES`].
    pub fn parse(compact: &str) -> Result<Self, SdJwtError> {
        let parts = split_compact(compact)?;
        let jws = UnverifiedJws::parse(parts.jwt).map_err(SdJwtError::IssuerJwt)?;
        let mut digests = Vec::with_capacity(parts.disclosures.len());
        let mut opened = Vec::with_capacity(parts.disclosures.len());
        let mut scratch = Vec::new();
        for part in parts.disclosures {
            let (digest, name, value) = disclosure::parse_received(part, &mut scratch)?;
            digests.push(digest);
            opened.push((name, value));
        }
        let key_binding = if parts.key_binding.is_empty() {
            None
        } else {
            Some(UnverifiedJws::parse(parts.key_binding).map_err(SdJwtError::KeyBindingJwt)?)
        };
        Ok(UnverifiedSdJwt {
            jws,
            digests,
            opened,
            key_binding,
            presentation_len: parts.presentation_len,
            compact: compact.to_owned(),
        })
    }

    /// The issuer JWT, unverified: read `iss`/`kid` from it to choose the key.
    pub fn issuer_jws(&self) -> &UnverifiedJws {
        &self.jws
    }

    /// How many disclosures were received.
    pub fn disclosure_count(&self) -> usize {
        self.digests.len()
    }

    /// Whether a KB-JWT is attached.
    pub fn has_key_binding(&self) -> bool {
        self.key_binding.is_some()
    }

    /// RFC 9901 §7.1: checks the issuer signature with `issuer_key`, then every disclosure
    /// (digest recomputed, referenced exactly once, no duplicates, shapes and names valid).
    pub fn verify(self, issuer_key: &PublicJwk) -> Result<VerifiedSdJwt, SdJwtError> {
        self.verify_with(|_, _| Ok::<_, SdJwtError>(issuer_key.clone()))
    }

    /// As [`Self::verify`], with the issuer key chosen by `choose_key` from the issuer JWT
    /// and its payload (not yet authenticated: `iss`, `kid`), so that the payload is parsed
    /// once for choosing the key and for the claims.
    pub fn verify_with<E: From<SdJwtError>>(
        self,
        choose_key: impl FnOnce(&UnverifiedJws, &Map<String, Value>) -> Result<PublicJwk, E>,
    ) -> Result<VerifiedSdJwt, E> {
        let (header, payload) = self
            .jws
            .verify_object_with(|jws, claims| choose_key(jws, claims).map_err(KeyChoice::Refused))
            .map_err(|e| match e {
                KeyChoice::Refused(e) => e,
                KeyChoice::Jose(e) => E::from(SdJwtError::IssuerJwt(e)),
            })?;
        let mut opened = self.opened;
        let digests = self.digests.iter().map(|d| d.as_str());
        let processed = process::process(payload, digests, |i| std::mem::take(&mut opened[i]))?;
        Ok(VerifiedSdJwt {
            header,
            claims: Value::Object(processed.claims),
            disclosed: processed.paths,
            disclosable_arrays: processed.disclosable_arrays,
            key_binding: self.key_binding,
            presentation_len: self.presentation_len,
            compact: self.compact,
        })
    }
}

/// Why no issuer key was used: the caller's choice refused, or the JWS itself failed.
enum KeyChoice<E> {
    Refused(E),
    Jose(JoseError),
}

impl<E> From<JoseError> for KeyChoice<E> {
    fn from(e: JoseError) -> Self {
        KeyChoice::Jose(e)
    }
}

/// An SD-JWT whose issuer signature and disclosures have been verified. The key binding,
/// if any, is checked separately with [`VerifiedSdJwt::verify_key_binding`].
#[derive(Clone, Debug)]
pub struct VerifiedSdJwt {
    header: Map<String, Value>,
    /// Always an object; kept as a `Value` so query matching can borrow it as is.
    claims: Value,
    /// Where each received disclosure landed in `claims`, in the order received.
    disclosed: Vec<ClaimPath>,
    disclosable_arrays: Vec<ClaimPath>,
    key_binding: Option<UnverifiedJws>,
    presentation_len: usize,
    compact: String,
}

impl VerifiedSdJwt {
    /// The issuer JWT's protected header.
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }

    /// The claims: always-visible ones plus those disclosed, `_sd`/`_sd_alg` removed.
    pub fn claims(&self) -> &Map<String, Value> {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        self.claims
            .as_object()
            .unwrap_or_else(|| EMPTY.get_or_init(Map::new))
    }

    /// The same claims as a JSON value (an object), e.g. for DCQL matching.
    pub fn claims_value(&self) -> &Value {
        &self.claims
    }

    /// The disclosed claims, taken out of the verified SD-JWT.
    pub fn into_claims(self) -> Map<String, Value> {
        match self.claims {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    /// The path where each disclosure landed in [`Self::claims`], in the order received.
    pub fn disclosed_paths(&self) -> &[ClaimPath] {
        &self.disclosed
    }

    /// The arrays (paths in [`Self::claims`]) whose elements are selectively disclosable or
    /// that carry decoys. Positions in them are the holder's choice, not the issuer's: an
    /// array index into one does not name an issued element (see [`crate::dcql`]).
    pub fn disclosable_arrays(&self) -> &[ClaimPath] {
        &self.disclosable_arrays
    }

    /// Whether a KB-JWT is attached.
    pub fn has_key_binding(&self) -> bool {
        self.key_binding.is_some()
    }

    /// The SD-JWT without key binding, `<jwt>~<d1>~…~<dn>~`.
    pub fn without_key_binding(&self) -> &str {
        &self.compact[..self.presentation_len]
    }

    /// Checks the KB-JWT (RFC 9901 §7.3) with the holder's key from `cnf`.
    pub fn verify_key_binding(
        &self,
        holder_key: &PublicJwk,
        expected: &KbExpectation<'_>,
    ) -> Result<KeyBindingClaims, SdJwtError> {
        let kb = self
            .key_binding
            .as_ref()
            .ok_or(SdJwtError::KeyBindingMissing)?;
        key_binding::verify(kb, self.without_key_binding(), holder_key, expected)
    }
}

#[cfg(test)]
mod tests;
