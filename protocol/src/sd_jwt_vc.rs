//! SD-JWT VC (IETF SD-JWT-based Verifiable Credentials) on top of [`crate::sd_jwt`]:
//! header `typ: dc+sd-jwt`, claims `iss`, `iat`, `exp`, `nbf`, `vct`, `cnf.jwk`, `status`,
//! time checks with a bounded clock skew, and the reserved claims that are never
//! selectively disclosable.

use serde_json::{Map, Value};

use crate::jose::{PublicJwk, SigningKey};
use crate::sd_jwt::{
    self, KbExpectation, KeyBindingClaims, ObjectFrame, SaltSource, SdJwt, SdJwtError,
    UnverifiedSdJwt, VerifiedSdJwt,
};
use crate::status_list::StatusReference;

/// Header `typ` of an SD-JWT VC.
pub const SD_JWT_VC_TYP: &str = "dc+sd-jwt";

/// Claims that must always be visible (SD-JWT VC §3.2.2): issuance refuses to make them
/// selectively disclosable and verification rejects a disclosure carrying one.
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
    /// Issued at.
    pub fn issued_at(&self) -> Option<u64> {
        self.iat
    }
    /// Expires at.
    pub fn expires_at(&self) -> Option<u64> {
        self.exp
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
    /// The underlying verified SD-JWT.
    pub fn sd_jwt(&self) -> &VerifiedSdJwt {
        &self.sd_jwt
    }
}

/// Verifies an SD-JWT VC (with or without KB-JWT; the KB-JWT is not checked here).
/// `issuer_key` resolves the issuer's key from the (as yet unverified) `iss` and header
/// `kid`; returning `None` means the issuer is not trusted.
pub fn verify(
    compact: &str,
    issuer_key: impl FnOnce(&str, Option<&str>) -> Option<PublicJwk>,
    clock: Clock,
) -> Result<VerifiedCredential, VcError> {
    let parsed = UnverifiedSdJwt::parse(compact)?;
    verify_parsed(parsed, issuer_key, clock)
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
    let claimed_iss = jws
        .claims_unverified::<Map<String, Value>>()
        .ok()
        .and_then(|c| c.get("iss").and_then(Value::as_str).map(str::to_owned))
        .ok_or(VcError::MissingClaim("iss"))?;
    let key = issuer_key(&claimed_iss, jws.kid()).ok_or(VcError::UnknownIssuer)?;
    let sd_jwt = parsed.verify(&key)?;
    for (disclosure, path) in sd_jwt.disclosed() {
        // Only top-level names are reserved: nested objects may reuse the words.
        if let (Some(name), 1) = (disclosure.name(), path.components().len()) {
            if RESERVED_CLAIMS.contains(&name) {
                return Err(VcError::ReservedClaimDisclosable(name.to_owned()));
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
    if iat.is_some_and(|iat| iat > clock.now.saturating_add(clock.skew)) {
        return Err(VcError::IssuedInFuture);
    }
    if nbf.is_some_and(|nbf| nbf > clock.now.saturating_add(clock.skew)) {
        return Err(VcError::NotYetValid);
    }
    if exp.is_some_and(|exp| exp.saturating_add(clock.skew) <= clock.now) {
        return Err(VcError::Expired);
    }
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
        iat,
        exp,
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
/// and VC rules at `expected.now` with `skew`, and the KB-JWT (`aud`, `nonce`, `iat` window,
/// `sd_hash`, transaction data hashes) against the holder key in `cnf`.
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

fn time_claim(claims: &Map<String, Value>, name: &'static str) -> Result<Option<u64>, VcError> {
    match claims.get(name) {
        None => Ok(None),
        Some(v) => v.as_u64().map(Some).ok_or(VcError::MissingClaim(name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claim_path::ClaimPath;
    use crate::sd_jwt::{add_key_binding, RandomSalts};
    use serde_json::json;

    const NOW: u64 = 1_800_000_000;
    const ISS: &str = "https://gemeente.example";

    struct Fixture {
        issuer: SigningKey,
        holder: SigningKey,
    }

    impl Fixture {
        fn new() -> Self {
            Fixture {
                issuer: SigningKey::generate().with_kid("k1"),
                holder: SigningKey::generate(),
            }
        }

        fn envelope(&self) -> VcEnvelope<'_> {
            VcEnvelope {
                iss: ISS,
                vct: "urn:regie:uittreksel-brp:1",
                iat: NOW - 100,
                exp: NOW + 1000,
                nbf: None,
                holder_key: self.holder.public_jwk(),
                status: Some(StatusReference {
                    idx: 7,
                    uri: "https://gemeente.example/status/1".into(),
                }),
            }
        }

        fn issue_with(&self, envelope: &VcEnvelope<'_>) -> SdJwt {
            let attributes = json!({"given_name": "Wilma", "family_name": "van Zon"});
            issue(
                envelope,
                attributes.as_object().cloned().unwrap(),
                &ObjectFrame::sd_members(["given_name", "family_name"]),
                &self.issuer,
                &mut RandomSalts,
            )
            .unwrap()
        }

        fn keys(&self) -> impl FnOnce(&str, Option<&str>) -> Option<PublicJwk> + '_ {
            move |iss, kid| {
                (iss == ISS && kid == Some("k1")).then(|| self.issuer.public_jwk().clone())
            }
        }
    }

    fn clock() -> Clock {
        Clock { now: NOW, skew: 60 }
    }

    fn expectation() -> KbExpectation<'static> {
        KbExpectation {
            aud: "verifier_attestation:rp",
            nonce: "n",
            now: NOW,
            max_age: 300,
            future_skew: 60,
            transaction_data_hashes: None,
        }
    }

    #[test]
    fn issue_present_verify_round_trip() {
        let f = Fixture::new();
        let sd = f.issue_with(&f.envelope());
        let credential = verify(&sd.serialize(), f.keys(), clock()).unwrap();
        assert_eq!(credential.issuer(), ISS);
        assert_eq!(credential.vct(), "urn:regie:uittreksel-brp:1");
        assert!(credential.holder_key().same_key(f.holder.public_jwk()));
        assert_eq!(credential.status().unwrap().idx, 7);
        assert_eq!(
            Value::Object(credential.attributes()),
            json!({"given_name": "Wilma", "family_name": "van Zon"})
        );

        let shown = sd
            .present(&[ClaimPath::keys(["family_name"]).unwrap()])
            .unwrap();
        let text = add_key_binding(
            &shown.serialize(),
            &f.holder,
            "verifier_attestation:rp",
            "n",
            NOW,
            None,
        )
        .unwrap();
        let presentation = verify_presentation(&text, f.keys(), &expectation(), 60).unwrap();
        assert_eq!(
            Value::Object(presentation.credential.attributes()),
            json!({"family_name": "van Zon"})
        );
        assert_eq!(presentation.key_binding.nonce, "n");
    }

    #[test]
    fn presentation_without_key_binding_is_rejected() {
        let f = Fixture::new();
        let text = f.issue_with(&f.envelope()).serialize();
        assert_eq!(
            verify_presentation(&text, f.keys(), &expectation(), 60).unwrap_err(),
            VcError::SdJwt(SdJwtError::KeyBindingMissing)
        );
    }

    #[test]
    fn unknown_issuer_is_rejected() {
        let f = Fixture::new();
        let text = f.issue_with(&f.envelope()).serialize();
        assert_eq!(
            verify(&text, |_, _| None, clock()).unwrap_err(),
            VcError::UnknownIssuer
        );
    }

    #[test]
    fn expired_not_yet_valid_and_future_credentials_are_rejected() {
        let f = Fixture::new();
        let mut env = f.envelope();
        env.exp = NOW - 61;
        let text = f.issue_with(&env).serialize();
        assert_eq!(
            verify(&text, f.keys(), clock()).unwrap_err(),
            VcError::Expired
        );

        let mut env = f.envelope();
        env.nbf = Some(NOW + 61);
        let text = f.issue_with(&env).serialize();
        assert_eq!(
            verify(&text, f.keys(), clock()).unwrap_err(),
            VcError::NotYetValid
        );

        let mut env = f.envelope();
        env.iat = NOW + 61;
        let text = f.issue_with(&env).serialize();
        assert_eq!(
            verify(&text, f.keys(), clock()).unwrap_err(),
            VcError::IssuedInFuture
        );
        // Within the skew: accepted.
        let mut env = f.envelope();
        env.exp = NOW - 30;
        let text = f.issue_with(&env).serialize();
        assert!(verify(&text, f.keys(), clock()).is_ok());
    }

    #[test]
    fn wrong_typ_is_rejected() {
        let f = Fixture::new();
        let claims =
            json!({"iss": ISS, "vct": "x", "cnf": {"jwk": f.holder.public_jwk().to_json_value()}});
        let mut header = Map::new();
        header.insert("typ".into(), "vc+sd-jwt-legacy".into());
        let sd = sd_jwt::issue(
            header,
            claims.as_object().cloned().unwrap(),
            &ObjectFrame::default(),
            &f.issuer,
            &mut RandomSalts,
        )
        .unwrap();
        assert_eq!(
            verify(&sd.serialize(), f.keys(), clock()).unwrap_err(),
            VcError::WrongType
        );
    }

    #[test]
    fn reserved_claims_cannot_be_made_disclosable_or_given() {
        let f = Fixture::new();
        let err = issue(
            &f.envelope(),
            Map::new(),
            &ObjectFrame::sd_members(["status"]),
            &f.issuer,
            &mut RandomSalts,
        )
        .unwrap_err();
        assert_eq!(err, VcError::ReservedClaimDisclosable("status".into()));
        let attributes = json!({"exp": 1});
        let err = issue(
            &f.envelope(),
            attributes.as_object().cloned().unwrap(),
            &ObjectFrame::default(),
            &f.issuer,
            &mut RandomSalts,
        )
        .unwrap_err();
        assert_eq!(err, VcError::ReservedClaimGiven("exp".into()));
    }

    #[test]
    fn disclosed_reserved_claim_is_rejected() {
        let f = Fixture::new();
        // Another issuer's software made `vct` selectively disclosable.
        let claims =
            json!({"iss": ISS, "vct": "x", "cnf": {"jwk": f.holder.public_jwk().to_json_value()}});
        let mut header = Map::new();
        header.insert("typ".into(), SD_JWT_VC_TYP.into());
        let sd = sd_jwt::issue(
            header,
            claims.as_object().cloned().unwrap(),
            &ObjectFrame::sd_members(["vct"]),
            &f.issuer,
            &mut RandomSalts,
        )
        .unwrap();
        assert_eq!(
            verify(&sd.serialize(), f.keys(), clock()).unwrap_err(),
            VcError::ReservedClaimDisclosable("vct".into())
        );
    }

    #[test]
    fn missing_holder_key_is_rejected() {
        let f = Fixture::new();
        let claims = json!({"iss": ISS, "vct": "x"});
        let mut header = Map::new();
        header.insert("typ".into(), SD_JWT_VC_TYP.into());
        let sd = sd_jwt::issue(
            header,
            claims.as_object().cloned().unwrap(),
            &ObjectFrame::default(),
            &f.issuer,
            &mut RandomSalts,
        )
        .unwrap();
        assert_eq!(
            verify(&sd.serialize(), f.keys(), clock()).unwrap_err(),
            VcError::MissingClaim("cnf.jwk")
        );
    }
}
