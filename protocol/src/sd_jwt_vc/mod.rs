//! SD-JWT VC (IETF SD-JWT-based Verifiable Credentials) on top of [`crate::sd_jwt`]:
//! header `typ: dc+sd-jwt`, claims `iss`, `iat`, `exp`, `nbf`, `vct`, `cnf.jwk`, `status`,
//! time checks with a bounded clock skew, and the reserved claims that are never
//! selectively disclosable, nor anything inside them.
//!
//! Two ways in: [`verify_issued`] is the holder's check of a credential it receives (RFC 9901
//! §7.2: no key binding JWT, no audience), [`verify_presentation`] the verifier's check of a
//! presentation (§7.3: key binding, and the issuer's `aud`, when present, must name it).

use serde_json::{Map, Value};

use crate::claim_path::{ClaimPath, PathComponent};
use crate::jose::{PublicJwk, SigningKey};
use crate::numeric_date::NumericDate;
use crate::sd_jwt::{
    self, KbExpectation, KeyBindingClaims, ObjectFrame, SaltSource, SdJwt, SdJwtError,
    UnverifiedSdJwt, VerifiedSdJwt,
};
use crate::status_list::StatusReference;

/// Header `typ` of an SD-JWT VC.
pub const SD_JWT_VC_TYP: &str = "dc+sd-jwt";

/// Claims that must always be visible (SD-JWT VC §3.2.2), including every sub-claim (such as
/// `cnf.jwk` or `status.status_list`): issuance refuses to make them selectively disclosable
/// and verification rejects a disclosure carrying one or landing inside one.
pub const RESERVED_CLAIMS: [&str; 7] =
    ["iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"];

/// Errors from SD-JWT VC issuance and verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VcError {
    #[error(transparent)]
    SdJwt(#[from] SdJwtError),
    #[error("not an SD-JWT VC: typ must be dc+sd-jwt")]
    WrongType,
    #[error("required claim {0} is missing or malformed")]
    MissingClaim(&'static str),
    #[error("claim {0} is reserved and may not be selectively disclosable")]
    ReservedClaimDisclosable(String),
    #[error("claim {0} is set by the issuer and may not be given as an attribute")]
    ReservedClaimGiven(String),
    #[error("issuer is not trusted or its key is unknown")]
    UnknownIssuer,
    #[error("credential has expired")]
    Expired,
    #[error("credential is not valid yet")]
    NotYetValid,
    #[error("credential is issued in the future")]
    IssuedInFuture,
    #[error("credential is issued for another audience")]
    WrongAudience,
    #[error("credential is issued for a single audience, which a wallet does not accept")]
    AudienceRestricted,
}

/// What the issuer puts into a credential besides the attributes.
#[derive(Clone, Debug)]
pub struct VcEnvelope<'a> {
    pub iss: &'a str,
    pub vct: &'a str,
    pub iat: u64,
    pub exp: u64,
    pub nbf: Option<u64>,
    pub holder_key: &'a PublicJwk,
    pub status: Option<StatusReference>,
}

/// Issues an SD-JWT VC: `attributes` framed by `frame`, the envelope's claims always visible.
pub fn issue(
    envelope: &VcEnvelope<'_>,
    attributes: Map<String, Value>,
    frame: &ObjectFrame,
    issuer_key: &SigningKey,
    salts: &mut dyn SaltSource,
) -> Result<SdJwt, VcError> {
    for name in RESERVED_CLAIMS
        .iter()
        .chain(["iat", "_sd", "_sd_alg"].iter())
    {
        if frame.members.contains_key(*name) {
            return Err(VcError::ReservedClaimDisclosable((*name).into()));
        }
        if attributes.contains_key(*name) {
            return Err(VcError::ReservedClaimGiven((*name).into()));
        }
    }
    let mut claims = attributes;
    claims.insert("iss".into(), envelope.iss.into());
    claims.insert("vct".into(), envelope.vct.into());
    claims.insert("iat".into(), envelope.iat.into());
    claims.insert("exp".into(), envelope.exp.into());
    if let Some(nbf) = envelope.nbf {
        claims.insert("nbf".into(), nbf.into());
    }
    let mut cnf = Map::new();
    cnf.insert("jwk".into(), envelope.holder_key.to_json_value());
    claims.insert("cnf".into(), Value::Object(cnf));
    if let Some(status) = &envelope.status {
        claims.insert("status".into(), status.to_claim());
    }
    let mut header = Map::new();
    header.insert("typ".into(), SD_JWT_VC_TYP.into());
    Ok(sd_jwt::issue(header, claims, frame, issuer_key, salts)?)
}

/// Time rules for verification.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    /// Current time, Unix seconds.
    pub now: u64,
    /// Tolerated clock difference in seconds for `iat`, `nbf` and `exp`.
    pub skew: u64,
}

/// A verified SD-JWT VC: signature by a known issuer key, disclosures, VC rules and time.
#[derive(Clone, Debug)]
pub struct VerifiedCredential {
    sd_jwt: VerifiedSdJwt,
    iss: String,
    vct: String,
    holder_key: PublicJwk,
    status: Option<StatusReference>,
    iat: Option<u64>,
    exp: Option<u64>,
    audience: Option<Vec<String>>,
}

impl VerifiedCredential {
    /// The issuer identifier.
    pub fn issuer(&self) -> &str {
        &self.iss
    }
    /// The credential type.
    pub fn vct(&self) -> &str {
        &self.vct
    }
    /// The holder's key from `cnf.jwk`.
    pub fn holder_key(&self) -> &PublicJwk {
        &self.holder_key
    }
    /// The status list reference, if the credential is revocable.
    pub fn status(&self) -> Option<&StatusReference> {
        self.status.as_ref()
    }
    /// Issued at, in whole seconds (a fraction is dropped).
    pub fn issued_at(&self) -> Option<u64> {
        self.iat
    }
    /// Expires at, in whole seconds (a fraction is dropped, so it reads as slightly earlier).
    pub fn expires_at(&self) -> Option<u64> {
        self.exp
    }
    /// The issuer-signed `aud` (RFC 7519 §4.1.3), when the issuer restricted the credential
    /// to certain verifiers: a single string is read as a list of one.
    pub fn audience(&self) -> Option<&[String]> {
        self.audience.as_deref()
    }
    /// All visible claims (envelope included).
    pub fn claims(&self) -> &Map<String, Value> {
        self.sd_jwt.claims()
    }
    /// The disclosed attributes: claims without the envelope (`iss`, `vct`, `cnf`, times,
    /// `status`).
    pub fn attributes(&self) -> Map<String, Value> {
        self.sd_jwt
            .claims()
            .iter()
            .filter(|(k, _)| !RESERVED_CLAIMS.contains(&k.as_str()) && k.as_str() != "iat")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
    /// The attributes, as [`Self::attributes`], taken out of the credential instead of
    /// copied: for a caller done with everything else in it.
    pub fn into_attributes(self) -> Map<String, Value> {
        let mut claims = self.sd_jwt.into_claims();
        claims.retain(|k, _| !RESERVED_CLAIMS.contains(&k.as_str()) && k.as_str() != "iat");
        claims
    }
    /// The underlying verified SD-JWT.
    pub fn sd_jwt(&self) -> &VerifiedSdJwt {
        &self.sd_jwt
    }
}

/// Verifies an SD-JWT VC (with or without KB-JWT; neither the KB-JWT nor `aud` is checked
/// here: see [`verify_issued`] and [`verify_presentation`]). `issuer_key` resolves the issuer's key from the (as yet unverified) `iss` and header
/// `kid`; returning `None` means the issuer is not trusted.
pub fn verify(
    compact: &str,
    issuer_key: impl FnOnce(&str, Option<&str>) -> Option<PublicJwk>,
    clock: Clock,
) -> Result<VerifiedCredential, VcError> {
    let parsed = UnverifiedSdJwt::parse(compact)?;
    verify_parsed(parsed, issuer_key, clock)
}

/// The holder's check of a credential it is being issued (RFC 9901 §7.2): everything
/// [`verify`] checks, and
/// - no key binding JWT: the issuer sends an SD-JWT, and the holder must reject an SD-JWT+KB
///   (it could never be presented: a presentation appends its own KB-JWT);
/// - no `aud`. RFC 7519 has a JWT with an audience processed only by that audience. Regie's
///   wallet presents to whichever registered party asks, so a credential restricted to some
///   verifiers would be offered where it must be refused; it is refused at issuance instead,
///   and the issuer never sets `aud`.
pub fn verify_issued(
    compact: &str,
    issuer_key: impl FnOnce(&str, Option<&str>) -> Option<PublicJwk>,
    clock: Clock,
) -> Result<VerifiedCredential, VcError> {
    let parsed = UnverifiedSdJwt::parse(compact)?;
    if parsed.has_key_binding() {
        return Err(SdJwtError::UnexpectedKeyBinding.into());
    }
    let credential = verify_parsed(parsed, issuer_key, clock)?;
    if credential.audience.is_some() {
        return Err(VcError::AudienceRestricted);
    }
    Ok(credential)
}

fn verify_parsed(
    parsed: UnverifiedSdJwt,
    issuer_key: impl FnOnce(&str, Option<&str>) -> Option<PublicJwk>,
    clock: Clock,
) -> Result<VerifiedCredential, VcError> {
    let jws = parsed.issuer_jws();
    if !jws
        .typ()
        .is_some_and(|t| t.eq_ignore_ascii_case(SD_JWT_VC_TYP))
    {
        return Err(VcError::WrongType);
    }
    // The payload is parsed once: `iss` is read from it (unauthenticated) to choose the key,
    // and the same parse becomes the claims once the signature holds.
    let sd_jwt = parsed.verify_with(|jws, claims| {
        let claimed_iss = claims
            .get("iss")
            .and_then(Value::as_str)
            .ok_or(VcError::MissingClaim("iss"))?;
        issuer_key(claimed_iss, jws.kid()).ok_or(VcError::UnknownIssuer)
    })?;
    for path in sd_jwt.disclosed_paths() {
        // The names are reserved at the top level only (nested objects may reuse the words),
        // but there they cover everything inside: a disclosure under `cnf` or `status` is
        // refused as much as one of `cnf` itself.
        if let Some(PathComponent::Key(top)) = path.components().first() {
            if RESERVED_CLAIMS.contains(&top.as_str()) {
                return Err(VcError::ReservedClaimDisclosable(dotted(path)));
            }
        }
    }
    let claims = sd_jwt.claims();
    let iss = string_claim(claims, "iss")?;
    let vct = string_claim(claims, "vct")?;
    let holder_key = claims
        .get("cnf")
        .and_then(|c| c.get("jwk"))
        .and_then(|jwk| PublicJwk::from_json_value(jwk).ok())
        .ok_or(VcError::MissingClaim("cnf.jwk"))?;
    let iat = time_claim(claims, "iat")?;
    let exp = time_claim(claims, "exp")?;
    let nbf = time_claim(claims, "nbf")?;
    if iat.is_some_and(|iat| iat.is_after(clock.now, clock.skew)) {
        return Err(VcError::IssuedInFuture);
    }
    if nbf.is_some_and(|nbf| nbf.is_after(clock.now, clock.skew)) {
        return Err(VcError::NotYetValid);
    }
    if exp.is_some_and(|exp| exp.has_passed(clock.now, clock.skew)) {
        return Err(VcError::Expired);
    }
    let audience = audience_claim(claims)?;
    let status = match claims.get("status") {
        None => None,
        Some(value) => {
            Some(StatusReference::from_claim(value).map_err(|_| VcError::MissingClaim("status"))?)
        }
    };
    Ok(VerifiedCredential {
        iss,
        vct,
        holder_key,
        status,
        iat: iat.map(NumericDate::secs),
        exp: exp.map(NumericDate::secs),
        audience,
        sd_jwt,
    })
}

/// A verified presentation: the credential plus its checked key binding.
#[derive(Clone, Debug)]
pub struct VerifiedPresentation {
    pub credential: VerifiedCredential,
    pub key_binding: KeyBindingClaims,
}

/// Verifies a presentation in one call: issuer signature and trust (via `issuer_key`), SD-JWT
/// and VC rules at `expected.now` with `skew`, the issuer-signed `aud` (when present it must
/// list `expected.aud`, the verifier's client identifier that the KB-JWT's `aud` names too),
/// and the KB-JWT (`aud`, `nonce`, `iat` window, `exp`/`nbf`, `sd_hash`, transaction data
/// hashes) against the holder key in `cnf`.
pub fn verify_presentation(
    compact: &str,
    issuer_key: impl FnOnce(&str, Option<&str>) -> Option<PublicJwk>,
    expected: &KbExpectation<'_>,
    skew: u64,
) -> Result<VerifiedPresentation, VcError> {
    let parsed = UnverifiedSdJwt::parse(compact)?;
    if !parsed.has_key_binding() {
        return Err(SdJwtError::KeyBindingMissing.into());
    }
    let credential = verify_parsed(
        parsed,
        issuer_key,
        Clock {
            now: expected.now,
            skew,
        },
    )?;
    if let Some(audience) = credential.audience() {
        if !audience.iter().any(|a| a == expected.aud) {
            return Err(VcError::WrongAudience);
        }
    }
    let key_binding = credential
        .sd_jwt
        .verify_key_binding(&credential.holder_key, expected)?;
    Ok(VerifiedPresentation {
        credential,
        key_binding,
    })
}

fn string_claim(claims: &Map<String, Value>, name: &'static str) -> Result<String, VcError> {
    claims
        .get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or(VcError::MissingClaim(name))
}

fn time_claim(
    claims: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<NumericDate>, VcError> {
    match claims.get(name) {
        None => Ok(None),
        Some(v) => NumericDate::from_json(v)
            .map(Some)
            .map_err(|_| VcError::MissingClaim(name)),
    }
}

/// `aud`: a string or a non-empty array of strings (RFC 7519 §4.1.3).
fn audience_claim(claims: &Map<String, Value>) -> Result<Option<Vec<String>>, VcError> {
    let malformed = || VcError::MissingClaim("aud");
    match claims.get("aud") {
        None => Ok(None),
        Some(Value::String(one)) => Ok(Some(vec![one.clone()])),
        Some(Value::Array(list)) if !list.is_empty() => list
            .iter()
            .map(|a| a.as_str().map(str::to_owned).ok_or_else(malformed))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(malformed()),
    }
}

/// A claims path as `cnf.jwk` or `status.status_list`, for error texts.
fn dotted(path: &ClaimPath) -> String {
    path.components()
        .iter()
        .map(|c| match c {
            PathComponent::Key(k) => k.clone(),
            PathComponent::Index(i) => i.to_string(),
            PathComponent::AllElements => "*".into(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests;
