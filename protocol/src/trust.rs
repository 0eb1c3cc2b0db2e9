//! Trust: who may issue what, and which relying party may ask for what.
//!
//! One trust anchor key (configured in wallet and verifier, not carried here) signs:
//!
//! - the **trust list**, a JWT with `typ: regie-trust-list+jwt` and payload
//!   `{"iss", "iat", "exp", "issuers": [{"id", "name": {"nl","en"}, "keys": [JWK with kid],
//!   "credential_types": [vct]}]}` — the issuers whose credentials and documents are
//!   accepted, their keys, and the credential types each may issue;
//! - **verifier attestations** (OpenID4VP 1.0 §5.9.3, client identifier prefix
//!   `verifier_attestation:`): a JWT with `typ: verifier-attestation+jwt`, `iss` (the
//!   anchor), `sub` (the client identifier without prefix), `iat`, `exp`, `cnf.jwk` (the key
//!   that signs the relying party's request objects) and `registration` — the relying
//!   party's [`Registration`]: who it is and, per purpose, what it may ask for.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::claim_path::ClaimPath;
use crate::credential_types::Lang;
use crate::dcql::DcqlQuery;
use crate::jose::{self, JoseError, PublicJwk, SigningKey, UnverifiedJws};

/// `typ` of a verifier attestation JWT.
pub const VERIFIER_ATTESTATION_TYP: &str = "verifier-attestation+jwt";
/// `typ` of a trust list JWT.
pub const TRUST_LIST_TYP: &str = "regie-trust-list+jwt";
/// The client identifier prefix for relying parties authenticated by attestation.
pub const CLIENT_ID_PREFIX: &str = "verifier_attestation:";
/// Largest attestation accepted (it travels in a request object header).
pub const MAX_ATTESTATION_LEN: usize = 32 * 1024;
/// Largest trust list accepted.
pub const MAX_TRUST_LIST_LEN: usize = 256 * 1024;
/// Tolerated clock difference for `iat` in the future.
pub const CLOCK_SKEW: u64 = 60;

/// Errors from trust checks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustError {
    #[error("{0}")]
    Jose(#[from] JoseError),
    #[error("claim {0} is missing or malformed")]
    MissingClaim(&'static str),
    #[error("expired")]
    Expired,
    #[error("issued in the future")]
    IssuedInFuture,
    #[error("attestation is for another relying party")]
    SubjectMismatch,
    #[error("purpose {0:?} is not registered for this relying party")]
    UnknownPurpose(String),
    #[error("asks for more than its registration allows")]
    OverAsking {
        not_allowed: Vec<(String, ClaimPath)>,
    },
}

/// Text in Dutch and English.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Localized {
    pub nl: String,
    pub en: String,
}

impl Localized {
    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Nl => &self.nl,
            Lang::En => &self.en,
        }
    }
}

/// A relying party's registration with the scheme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub legal_name: String,
    /// Chamber of Commerce (KvK) number.
    pub registration_number: String,
    pub city: String,
    /// Logo as an https URL or a data URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    pub privacy_policy_url: String,
    pub purposes: Vec<Purpose>,
}

/// One registered purpose and what it may ask for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purpose {
    pub id: String,
    pub name: Localized,
    pub description: Localized,
    pub credentials: Vec<AllowedCredential>,
    pub retention_days: u32,
    /// Plain-language explanation of the retention.
    pub retention: Localized,
    pub shares_with_third_parties: bool,
    pub deletion_possible: bool,
    /// The consent statement types (`transaction_data` types, see [`crate::statements`])
    /// this purpose may ask a citizen to sign; none unless registered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statement_types: Vec<String>,
}

/// A credential type and the claims a purpose may ask of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowedCredential {
    pub vct: String,
    pub claims: Vec<ClaimPath>,
}

impl Registration {
    /// The purpose with `id`.
    pub fn purpose(&self, id: &str) -> Option<&Purpose> {
        self.purposes.iter().find(|p| p.id == id)
    }

    /// Whether asking for `requested` (credential type, claim path) pairs stays within
    /// purpose `purpose_id`. A requested path is allowed when it lies within an allowed one
    /// (`["addresses", null]` allows `["addresses", 2, "street"]`). Over-asking lists
    /// exactly the pairs that are not allowed.
    pub fn check_request(
        &self,
        purpose_id: &str,
        requested: &[(String, ClaimPath)],
    ) -> Result<&Purpose, TrustError> {
        let purpose = self
            .purpose(purpose_id)
            .ok_or_else(|| TrustError::UnknownPurpose(purpose_id.to_owned()))?;
        let not_allowed: Vec<(String, ClaimPath)> = requested
            .iter()
            .filter(|(vct, path)| {
                !purpose
                    .credentials
                    .iter()
                    .filter(|c| &c.vct == vct)
                    .any(|c| c.claims.iter().any(|allowed| path.is_within(allowed)))
            })
            .cloned()
            .collect();
        if not_allowed.is_empty() {
            Ok(purpose)
        } else {
            Err(TrustError::OverAsking { not_allowed })
        }
    }
}

/// Every (credential type, claim path) a DCQL query could make a wallet disclose; `None` as
/// path when a query asks for a type without naming claims. Alternatives (`claim_sets`) all
/// count: a registration must allow whatever the wallet might choose.
pub fn requested_claims(query: &DcqlQuery) -> Vec<(String, Option<ClaimPath>)> {
    let mut pairs = Vec::new();
    for q in query.credentials() {
        // A query in another format (mso_mdoc, jwt_vc_json, …) names no registered type: it
        // is listed by its format, which no registration allows, so it counts as over-asking
        // instead of passing unchecked.
        if q.format() != crate::dcql::FORMAT_SD_JWT_VC {
            pairs.push((format!("format:{}", q.format()), None));
            continue;
        }
        let vcts = q.meta().vct_values().unwrap_or_default();
        for vct in vcts {
            match q.claims() {
                Some(claims) if !claims.is_empty() => {
                    pairs.extend(claims.iter().map(|c| (vct.clone(), Some(c.path().clone()))))
                }
                _ => pairs.push((vct.clone(), None)),
            }
        }
    }
    pairs
}

/// (credential type, claim path) pairs; `None`: the type itself.
pub type NotAllowedPairs = Vec<(String, Option<ClaimPath>)>;

/// The registered purpose the request stays within: the one it names, or else the first
/// that allows everything it asks. Otherwise what it asks beyond (for the named purpose,
/// or the closest one).
pub fn purpose_for<'r>(
    registration: &'r Registration,
    named: Option<&str>,
    requested: &[(String, Option<ClaimPath>)],
) -> Result<&'r Purpose, NotAllowedPairs> {
    let check = |purpose: &'r Purpose| -> Result<&'r Purpose, NotAllowedPairs> {
        let type_only: NotAllowedPairs = requested
            .iter()
            .filter(|(vct, path)| {
                path.is_none() && !purpose.credentials.iter().any(|c| &c.vct == vct)
            })
            .cloned()
            .collect();
        let with_path: Vec<(String, ClaimPath)> = requested
            .iter()
            .filter_map(|(vct, path)| path.clone().map(|p| (vct.clone(), p)))
            .collect();
        let mut not_allowed = type_only;
        match registration.check_request(&purpose.id, &with_path) {
            Ok(_) => {}
            Err(TrustError::OverAsking { not_allowed: more }) => {
                not_allowed.extend(more.into_iter().map(|(v, p)| (v, Some(p))))
            }
            Err(_) => not_allowed.extend(requested.iter().cloned()),
        }
        if not_allowed.is_empty() {
            Ok(purpose)
        } else {
            Err(not_allowed)
        }
    };
    match named {
        Some(id) => match registration.purpose(id) {
            Some(p) => check(p),
            None => Err(requested.to_vec()),
        },
        None => {
            let mut closest: Option<NotAllowedPairs> = None;
            for p in &registration.purposes {
                match check(p) {
                    Ok(p) => return Ok(p),
                    Err(na) => {
                        if closest.as_ref().is_none_or(|c| na.len() < c.len()) {
                            closest = Some(na);
                        }
                    }
                }
            }
            Err(closest.unwrap_or_else(|| requested.to_vec()))
        }
    }
}

#[derive(Serialize, Deserialize)]
struct AttestationClaims {
    iss: String,
    sub: String,
    iat: u64,
    exp: u64,
    cnf: Cnf,
    registration: Registration,
    /// OpenID4VP 1.0 §5.9.3: where the party's answers may go. With `direct_post` the
    /// answer goes to `response_uri`, so that is what must match one of these exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    redirect_uris: Option<Vec<String>>,
}

#[derive(Serialize, Deserialize)]
struct Cnf {
    jwk: PublicJwk,
}

/// What the trust anchor attests about a relying party.
#[derive(Clone, Debug)]
pub struct AttestationContent<'a> {
    /// The trust anchor's identifier.
    pub anchor_id: &'a str,
    /// The client identifier without the `verifier_attestation:` prefix.
    pub client_id: &'a str,
    /// The key that signs the relying party's request objects.
    pub request_key: &'a PublicJwk,
    pub registration: &'a Registration,
    /// The only addresses the party's answers may go to (`redirect_uris`), if bound.
    pub redirect_uris: Option<&'a [String]>,
    pub iat: u64,
    pub exp: u64,
}

/// Signs a verifier attestation with the trust anchor key.
pub fn issue_attestation(
    content: &AttestationContent<'_>,
    anchor: &SigningKey,
) -> Result<String, TrustError> {
    let claims = AttestationClaims {
        iss: content.anchor_id.to_owned(),
        sub: content.client_id.to_owned(),
        iat: content.iat,
        exp: content.exp,
        cnf: Cnf {
            jwk: content.request_key.clone(),
        },
        registration: content.registration.clone(),
        redirect_uris: content.redirect_uris.map(<[String]>::to_vec),
    };
    Ok(jose::sign_json(
        VERIFIER_ATTESTATION_TYP,
        Map::new(),
        &claims,
        anchor,
    )?)
}

/// A verifier attestation as received.
#[derive(Clone, Debug)]
pub struct UnverifiedAttestation {
    jws: UnverifiedJws,
}

impl UnverifiedAttestation {
    /// Parses an attestation of at most [`MAX_ATTESTATION_LEN`] bytes.
    pub fn parse(jwt: &str) -> Result<Self, TrustError> {
        Ok(UnverifiedAttestation {
            jws: UnverifiedJws::parse_with_limit(jwt, MAX_ATTESTATION_LEN)?,
        })
    }

    /// Checks `typ`, the anchor's signature, times, and that `sub` is `expected_client_id`
    /// (without prefix).
    pub fn verify(
        self,
        anchor_key: &PublicJwk,
        expected_client_id: &str,
        now: u64,
    ) -> Result<VerifiedAttestation, TrustError> {
        self.jws.expect_typ(VERIFIER_ATTESTATION_TYP)?;
        let claims: AttestationClaims = self
            .jws
            .verify(anchor_key)?
            .claims()
            .map_err(|_| TrustError::MissingClaim("iss/sub/iat/exp/cnf/registration"))?;
        check_times(claims.iat, Some(claims.exp), now)?;
        if claims.sub != expected_client_id {
            return Err(TrustError::SubjectMismatch);
        }
        Ok(VerifiedAttestation {
            anchor_id: claims.iss,
            client_id: claims.sub,
            request_key: claims.cnf.jwk,
            registration: claims.registration,
            redirect_uris: claims.redirect_uris,
            exp: claims.exp,
        })
    }
}

/// A verifier attestation checked against the trust anchor.
#[derive(Clone, Debug)]
pub struct VerifiedAttestation {
    anchor_id: String,
    client_id: String,
    request_key: PublicJwk,
    registration: Registration,
    redirect_uris: Option<Vec<String>>,
    exp: u64,
}

impl VerifiedAttestation {
    /// The trust anchor that signed it.
    pub fn anchor_id(&self) -> &str {
        &self.anchor_id
    }
    /// The client identifier without prefix.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }
    /// The client identifier as used in `aud` of key binding JWTs: with prefix.
    pub fn prefixed_client_id(&self) -> String {
        format!("{CLIENT_ID_PREFIX}{}", self.client_id)
    }
    /// The key that must have signed the request object.
    pub fn request_key(&self) -> &PublicJwk {
        &self.request_key
    }
    /// The relying party's registration.
    pub fn registration(&self) -> &Registration {
        &self.registration
    }
    /// The addresses the party's answers may go to, when the trust anchor bound them.
    pub fn redirect_uris(&self) -> Option<&[String]> {
        self.redirect_uris.as_deref()
    }
    /// Expiry.
    pub fn expires_at(&self) -> u64 {
        self.exp
    }
}

fn check_times(iat: u64, exp: Option<u64>, now: u64) -> Result<(), TrustError> {
    if iat > now.saturating_add(CLOCK_SKEW) {
        return Err(TrustError::IssuedInFuture);
    }
    if exp.is_some_and(|exp| exp <= now) {
        return Err(TrustError::Expired);
    }
    Ok(())
}

/// An issuer on the trust list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedIssuer {
    /// The issuer identifier, as in credentials' `iss`.
    pub id: String,
    pub name: Localized,
    /// Its keys, each with a `kid`.
    pub keys: Vec<PublicJwk>,
    /// The `vct` values it may issue.
    pub credential_types: Vec<String>,
}

/// The content of a trust list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustList {
    pub iss: String,
    pub iat: u64,
    pub exp: u64,
    pub issuers: Vec<TrustedIssuer>,
}

impl TrustList {
    /// Signs the list with the trust anchor key.
    pub fn sign(&self, anchor: &SigningKey) -> Result<String, TrustError> {
        Ok(jose::sign_json(TRUST_LIST_TYP, Map::new(), self, anchor)?)
    }

    /// Parses and verifies a signed trust list (typ, signature, `iat`, `exp`).
    pub fn verify(
        jwt: &str,
        anchor_key: &PublicJwk,
        now: u64,
    ) -> Result<VerifiedTrustList, TrustError> {
        let jws = UnverifiedJws::parse_with_limit(jwt, MAX_TRUST_LIST_LEN)?;
        jws.expect_typ(TRUST_LIST_TYP)?;
        let list: TrustList = jws
            .verify(anchor_key)?
            .claims()
            .map_err(|_| TrustError::MissingClaim("issuers"))?;
        check_times(list.iat, Some(list.exp), now)?;
        Ok(VerifiedTrustList(list))
    }
}

/// A trust list whose signature and validity were checked.
#[derive(Clone, Debug)]
pub struct VerifiedTrustList(TrustList);

impl VerifiedTrustList {
    /// All trusted issuers.
    pub fn issuers(&self) -> &[TrustedIssuer] {
        &self.0.issuers
    }

    /// The issuer with identifier `iss`.
    pub fn issuer(&self, iss: &str) -> Option<&TrustedIssuer> {
        self.0.issuers.iter().find(|i| i.id == iss)
    }

    /// The key of issuer `iss` with `kid`; without a `kid`, the issuer's only key.
    pub fn issuer_key(&self, iss: &str, kid: Option<&str>) -> Option<&PublicJwk> {
        let issuer = self.issuer(iss)?;
        match kid {
            Some(kid) => issuer.keys.iter().find(|k| k.kid() == Some(kid)),
            None if issuer.keys.len() == 1 => issuer.keys.first(),
            None => None,
        }
    }

    /// Whether issuer `iss` may issue credentials of type `vct`.
    pub fn may_issue(&self, iss: &str, vct: &str) -> bool {
        self.issuer(iss)
            .is_some_and(|i| i.credential_types.iter().any(|t| t == vct))
    }

    /// When the list expires.
    pub fn expires_at(&self) -> u64 {
        self.0.exp
    }
}

/// Parses `value` as a [`Registration`] (e.g. from a relying party's registration file).
pub fn registration_from_json(value: &Value) -> Result<Registration, TrustError> {
    Registration::deserialize(value).map_err(|_| TrustError::MissingClaim("registration"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: u64 = 1_800_000_000;
    const BRP: &str = "urn:regie:uittreksel-brp:1";
    const WOON: &str = "urn:regie:woonhistorie:1";

    fn text(s: &str) -> Localized {
        Localized {
            nl: s.into(),
            en: s.into(),
        }
    }

    fn path(v: Value) -> ClaimPath {
        ClaimPath::from_json_value(&v).unwrap()
    }

    fn registration() -> Registration {
        Registration {
            legal_name: "Woningcorporatie De Voorbeeldhaven (fictief)".into(),
            registration_number: "00000001".into(),
            city: "Rotterdam".into(),
            logo: None,
            privacy_policy_url: "https://voorbeeldhaven.example/privacy".into(),
            purposes: vec![Purpose {
                id: "medehuur".into(),
                name: text("Aanvraag medehuur"),
                description: text("Nagaan hoe lang u op het adres woont"),
                credentials: vec![
                    AllowedCredential {
                        vct: BRP.into(),
                        claims: vec![
                            path(json!(["given_name"])),
                            path(json!(["family_name"])),
                            path(json!(["birthdate"])),
                        ],
                    },
                    AllowedCredential {
                        vct: WOON.into(),
                        claims: vec![path(json!(["addresses", null]))],
                    },
                ],
                retention_days: 365,
                retention: text("1 jaar"),
                shares_with_third_parties: false,
                deletion_possible: true,
                statement_types: Vec::new(),
            }],
        }
    }

    #[test]
    fn request_within_registration_passes() {
        let reg = registration();
        let asked = vec![
            (BRP.to_owned(), path(json!(["family_name"]))),
            (WOON.to_owned(), path(json!(["addresses", 2, "street"]))),
            (
                WOON.to_owned(),
                path(json!(["addresses", null, "date_from"])),
            ),
        ];
        assert_eq!(
            reg.check_request("medehuur", &asked).unwrap().id,
            "medehuur"
        );
    }

    #[test]
    fn over_asking_lists_exactly_the_extra_claims() {
        let reg = registration();
        let asked = vec![
            (BRP.to_owned(), path(json!(["family_name"]))),
            (BRP.to_owned(), path(json!(["bsn"]))),
            (WOON.to_owned(), path(json!(["residents"]))),
            ("urn:other".to_owned(), path(json!(["family_name"]))),
        ];
        assert_eq!(
            reg.check_request("medehuur", &asked).unwrap_err(),
            TrustError::OverAsking {
                not_allowed: asked[1..].to_vec()
            }
        );
    }

    #[test]
    fn unknown_purpose_is_rejected() {
        assert_eq!(
            registration().check_request("marketing", &[]).unwrap_err(),
            TrustError::UnknownPurpose("marketing".into())
        );
    }

    fn attestation(anchor: &SigningKey, rp: &SigningKey, exp: u64) -> String {
        issue_attestation(
            &AttestationContent {
                anchor_id: "https://trust.example",
                client_id: "voorbeeldhaven.example",
                request_key: rp.public_jwk(),
                registration: &registration(),
                redirect_uris: None,
                iat: NOW - 10,
                exp,
            },
            anchor,
        )
        .unwrap()
    }

    #[test]
    fn attestation_round_trips() {
        let anchor = SigningKey::generate();
        let rp = SigningKey::generate();
        let jwt = attestation(&anchor, &rp, NOW + 100);
        let verified = UnverifiedAttestation::parse(&jwt)
            .unwrap()
            .verify(anchor.public_jwk(), "voorbeeldhaven.example", NOW)
            .unwrap();
        assert!(verified.request_key().same_key(rp.public_jwk()));
        assert_eq!(verified.registration(), &registration());
        assert_eq!(
            verified.prefixed_client_id(),
            "verifier_attestation:voorbeeldhaven.example"
        );
    }

    #[test]
    fn attestation_rejections() {
        let anchor = SigningKey::generate();
        let rp = SigningKey::generate();
        let jwt = attestation(&anchor, &rp, NOW + 100);
        let check = |jwt: &str, key: &PublicJwk, sub: &str, now| {
            UnverifiedAttestation::parse(jwt)?.verify(key, sub, now)
        };
        // Signed by the relying party itself instead of the anchor.
        let self_signed = attestation(&rp, &rp, NOW + 100);
        assert_eq!(
            check(
                &self_signed,
                anchor.public_jwk(),
                "voorbeeldhaven.example",
                NOW
            )
            .unwrap_err(),
            TrustError::Jose(JoseError::BadSignature)
        );
        assert_eq!(
            check(&jwt, anchor.public_jwk(), "other.example", NOW).unwrap_err(),
            TrustError::SubjectMismatch
        );
        assert_eq!(
            check(
                &jwt,
                anchor.public_jwk(),
                "voorbeeldhaven.example",
                NOW + 100
            )
            .unwrap_err(),
            TrustError::Expired
        );
        assert_eq!(
            check(
                &jwt,
                anchor.public_jwk(),
                "voorbeeldhaven.example",
                NOW - 100
            )
            .unwrap_err(),
            TrustError::IssuedInFuture
        );
        let wrong_typ = jose::sign_json("jwt", Map::new(), &json!({}), &anchor).unwrap();
        assert!(matches!(
            check(&wrong_typ, anchor.public_jwk(), "x", NOW).unwrap_err(),
            TrustError::Jose(JoseError::WrongType { .. })
        ));
        let big = "a".repeat(MAX_ATTESTATION_LEN + 1);
        assert!(matches!(
            UnverifiedAttestation::parse(&big).unwrap_err(),
            TrustError::Jose(JoseError::TooLarge { .. })
        ));
    }

    fn trust_list(issuer: &SigningKey, exp: u64) -> TrustList {
        TrustList {
            iss: "https://trust.example".into(),
            iat: NOW - 10,
            exp,
            issuers: vec![TrustedIssuer {
                id: "https://gemeente.example".into(),
                name: text("Gemeente Voorbeeld"),
                keys: vec![issuer.public_jwk().clone()],
                credential_types: vec![BRP.into()],
            }],
        }
    }

    #[test]
    fn trust_list_lookups() {
        let anchor = SigningKey::generate();
        let issuer = SigningKey::generate().with_kid("k1");
        let jwt = trust_list(&issuer, NOW + 100).sign(&anchor).unwrap();
        let list = TrustList::verify(&jwt, anchor.public_jwk(), NOW).unwrap();
        let gemeente = "https://gemeente.example";
        assert!(list
            .issuer_key(gemeente, Some("k1"))
            .unwrap()
            .same_key(issuer.public_jwk()));
        assert!(list.issuer_key(gemeente, None).is_some());
        assert!(list.issuer_key(gemeente, Some("k2")).is_none());
        assert!(list
            .issuer_key("https://elders.example", Some("k1"))
            .is_none());
        assert!(list.may_issue(gemeente, BRP));
        assert!(!list.may_issue(gemeente, WOON));
        assert!(!list.may_issue("https://elders.example", BRP));
    }

    #[test]
    fn trust_list_rejections() {
        let anchor = SigningKey::generate();
        let issuer = SigningKey::generate().with_kid("k1");
        let expired = trust_list(&issuer, NOW).sign(&anchor).unwrap();
        assert_eq!(
            TrustList::verify(&expired, anchor.public_jwk(), NOW).unwrap_err(),
            TrustError::Expired
        );
        let forged = trust_list(&issuer, NOW + 100).sign(&issuer).unwrap();
        assert_eq!(
            TrustList::verify(&forged, anchor.public_jwk(), NOW).unwrap_err(),
            TrustError::Jose(JoseError::BadSignature)
        );
        let wrong_typ =
            jose::sign_json("jwt", Map::new(), &trust_list(&issuer, NOW + 100), &anchor).unwrap();
        assert!(matches!(
            TrustList::verify(&wrong_typ, anchor.public_jwk(), NOW).unwrap_err(),
            TrustError::Jose(JoseError::WrongType { .. })
        ));
    }

    #[test]
    fn registration_parses_from_json() {
        let value = serde_json::to_value(registration()).unwrap();
        assert_eq!(registration_from_json(&value).unwrap(), registration());
        assert!(registration_from_json(&json!({"legal_name": "x"})).is_err());
    }
}
