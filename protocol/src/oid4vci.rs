//! OpenID for Verifiable Credential Issuance 1.0 messages, pre-authorized code flow: the
//! credential offer and its URI, issuer metadata, token, nonce and credential requests and
//! responses, error responses, and proof-of-possession JWTs. No HTTP here.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::jose::{self, JoseError, PublicJwk, SigningKey, UnverifiedJws};

/// URI scheme of a credential offer.
pub const OFFER_SCHEME: &str = "openid-credential-offer://";
/// Grant type of the pre-authorized code flow.
pub const PRE_AUTHORIZED_GRANT: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
/// `typ` of a proof-of-possession JWT.
pub const PROOF_TYP: &str = "openid4vci-proof+jwt";
/// Format identifier of SD-JWT VC.
pub const FORMAT_SD_JWT_VC: &str = "dc+sd-jwt";
/// Largest offer URI, offer JSON, token or credential request accepted.
pub const MAX_MESSAGE_LEN: usize = 16 * 1024;
/// Largest proof JWT accepted.
pub const MAX_PROOF_LEN: usize = 4 * 1024;
/// Most proofs in one credential request.
pub const MAX_PROOFS: usize = 32;

/// Errors in OpenID4VCI messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Oid4vciError {
    #[error("message too large: limit {0} bytes")]
    TooLarge(usize),
    #[error("not a credential offer link (openid-credential-offer://)")]
    WrongScheme,
    #[error(
        "credential offer link must carry exactly one of credential_offer and credential_offer_uri"
    )]
    OfferParameter,
    #[error("credential_offer_uri must be an https URL")]
    InsecureOfferUri,
    #[error("malformed {0}")]
    Malformed(&'static str),
    #[error("proof JWT: {0}")]
    Proof(JoseError),
    #[error("proof JWT must carry its key as a jwk header (and no kid or x5c)")]
    ProofKey,
    #[error("proof JWT is for another credential issuer")]
    ProofAudience,
    #[error("proof JWT nonce is missing or not the one issued")]
    ProofNonce,
    #[error("proof JWT is too old or from the future")]
    ProofTime,
    #[error("more proofs than the batch size {0}")]
    TooManyProofs(usize),
    #[error("the same key is used in two proofs")]
    DuplicateProofKey,
}

/// `tx_code` of a pre-authorized grant: the citizen types a code received another way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxCode {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The pre-authorized code grant of an offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreAuthorizedGrant {
    #[serde(rename = "pre-authorized_code")]
    pub pre_authorized_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx_code: Option<TxCode>,
}

/// Grants of an offer (only the pre-authorized code grant is used by Regie).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Grants {
    #[serde(
        rename = "urn:ietf:params:oauth:grant-type:pre-authorized_code",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pre_authorized_code: Option<PreAuthorizedGrant>,
}

/// A credential offer (§4.1.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialOffer {
    pub credential_issuer: String,
    pub credential_configuration_ids: Vec<String>,
    #[serde(default)]
    pub grants: Grants,
}

/// How an offer link carries its offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OfferReference {
    /// The offer itself (`credential_offer`).
    ByValue(CredentialOffer),
    /// Where to fetch it (`credential_offer_uri`).
    ByReference(String),
}

impl CredentialOffer {
    /// The offer as an `openid-credential-offer://?credential_offer=…` link.
    pub fn to_uri(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("credential_offer", &json)
            .finish();
        format!("{OFFER_SCHEME}?{query}")
    }

    /// An offer link by reference: `openid-credential-offer://?credential_offer_uri=…`.
    pub fn reference_uri(offer_url: &str) -> String {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("credential_offer_uri", offer_url)
            .finish();
        format!("{OFFER_SCHEME}?{query}")
    }

    /// Parses offer JSON (as fetched from a `credential_offer_uri`).
    pub fn from_json(bytes: &[u8]) -> Result<Self, Oid4vciError> {
        if bytes.len() > MAX_MESSAGE_LEN {
            return Err(Oid4vciError::TooLarge(MAX_MESSAGE_LEN));
        }
        let offer: CredentialOffer = crate::json::from_slice(bytes)
            .map_err(|_| Oid4vciError::Malformed("credential offer"))?;
        if offer.credential_configuration_ids.is_empty() || offer.credential_issuer.is_empty() {
            return Err(Oid4vciError::Malformed("credential offer"));
        }
        Ok(offer)
    }

    /// The pre-authorized code, if the offer has that grant.
    pub fn pre_authorized(&self) -> Option<&PreAuthorizedGrant> {
        self.grants.pre_authorized_code.as_ref()
    }
}

/// Parses an offer link. `allow_http_loopback` permits `http://127.0.0.1` and
/// `http://localhost` offer URIs, for tests and the local demo.
pub fn parse_offer_uri(
    uri: &str,
    allow_http_loopback: bool,
) -> Result<OfferReference, Oid4vciError> {
    if uri.len() > MAX_MESSAGE_LEN {
        return Err(Oid4vciError::TooLarge(MAX_MESSAGE_LEN));
    }
    let query = uri
        .strip_prefix(OFFER_SCHEME)
        .ok_or(Oid4vciError::WrongScheme)?;
    let query = query.strip_prefix('?').unwrap_or(query);
    let mut by_value = None;
    let mut by_reference = None;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let slot = match key.as_ref() {
            "credential_offer" => &mut by_value,
            "credential_offer_uri" => &mut by_reference,
            _ => continue,
        };
        if slot.replace(value.into_owned()).is_some() {
            return Err(Oid4vciError::OfferParameter);
        }
    }
    match (by_value, by_reference) {
        (Some(json), None) => Ok(OfferReference::ByValue(CredentialOffer::from_json(
            json.as_bytes(),
        )?)),
        (None, Some(url)) => {
            if crate::is_fetchable_url(&url, allow_http_loopback) {
                Ok(OfferReference::ByReference(url))
            } else {
                Err(Oid4vciError::InsecureOfferUri)
            }
        }
        _ => Err(Oid4vciError::OfferParameter),
    }
}

/// A token request of the pre-authorized code flow (form-encoded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRequest {
    pub pre_authorized_code: String,
    pub tx_code: Option<String>,
}

impl TokenRequest {
    /// The form body.
    pub fn to_form(&self) -> String {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", PRE_AUTHORIZED_GRANT)
            .append_pair("pre-authorized_code", &self.pre_authorized_code);
        if let Some(code) = &self.tx_code {
            form.append_pair("tx_code", code);
        }
        form.finish()
    }

    /// Parses a form body; a wrong grant type is [`TokenError::UnsupportedGrantType`].
    pub fn from_form(body: &[u8]) -> Result<Self, TokenError> {
        if body.len() > MAX_MESSAGE_LEN {
            return Err(TokenError::InvalidRequest);
        }
        let mut grant_type = None;
        let mut code = None;
        let mut tx_code = None;
        for (key, value) in form_urlencoded::parse(body) {
            let slot = match key.as_ref() {
                "grant_type" => &mut grant_type,
                "pre-authorized_code" => &mut code,
                "tx_code" => &mut tx_code,
                _ => continue,
            };
            if slot.replace(value.into_owned()).is_some() {
                return Err(TokenError::InvalidRequest);
            }
        }
        match grant_type.as_deref() {
            Some(PRE_AUTHORIZED_GRANT) => {}
            Some(_) => return Err(TokenError::UnsupportedGrantType),
            None => return Err(TokenError::InvalidRequest),
        }
        Ok(TokenRequest {
            pre_authorized_code: code
                .filter(|c| !c.is_empty())
                .ok_or(TokenError::InvalidRequest)?,
            tx_code,
        })
    }
}

/// `grant_type` of a refresh token request (RFC 6749 §6).
pub const REFRESH_GRANT: &str = "refresh_token";

/// A token request of either grant Regie supports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenGrant {
    /// The pre-authorized code of an offer.
    PreAuthorized(TokenRequest),
    /// A refresh token from an earlier token response: more copies without a new offer.
    Refresh { refresh_token: String },
}

impl TokenGrant {
    /// The form body of a refresh token request.
    pub fn refresh_form(refresh_token: &str) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", REFRESH_GRANT)
            .append_pair("refresh_token", refresh_token)
            .finish()
    }

    /// Parses a token request body of either grant.
    pub fn from_form(body: &[u8]) -> Result<Self, TokenError> {
        if body.len() > MAX_MESSAGE_LEN {
            return Err(TokenError::InvalidRequest);
        }
        let mut grant_type = None;
        let mut refresh_token = None;
        for (key, value) in form_urlencoded::parse(body) {
            let slot = match key.as_ref() {
                "grant_type" => &mut grant_type,
                "refresh_token" => &mut refresh_token,
                _ => continue,
            };
            if slot.replace(value.into_owned()).is_some() {
                return Err(TokenError::InvalidRequest);
            }
        }
        match grant_type.as_deref() {
            Some(REFRESH_GRANT) => Ok(TokenGrant::Refresh {
                refresh_token: refresh_token
                    .filter(|t| !t.is_empty())
                    .ok_or(TokenError::InvalidRequest)?,
            }),
            _ => TokenRequest::from_form(body).map(TokenGrant::PreAuthorized),
        }
    }
}

/// OAuth token endpoint errors (RFC 6749 §5.2), as OpenID4VCI uses them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("invalid_request")]
    InvalidRequest,
    #[error("invalid_grant")]
    InvalidGrant,
    #[error("invalid_client")]
    InvalidClient,
    #[error("unsupported_grant_type")]
    UnsupportedGrantType,
}

impl TokenError {
    /// The `error` code.
    pub fn code(self) -> &'static str {
        match self {
            TokenError::InvalidRequest => "invalid_request",
            TokenError::InvalidGrant => "invalid_grant",
            TokenError::InvalidClient => "invalid_client",
            TokenError::UnsupportedGrantType => "unsupported_grant_type",
        }
    }
}

/// A successful token response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: u64,
    /// For fetching fresh copies later (RFC 6749 §6); rotated on every use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// An error response body: `{"error", "error_description"?}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorResponse {
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

/// The nonce endpoint's response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonceResponse {
    pub c_nonce: String,
}

/// Proofs of possession in a credential request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proofs {
    pub jwt: Vec<String>,
}

/// A credential request (§8.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialRequest {
    pub credential_configuration_id: String,
    pub proofs: Proofs,
}

impl CredentialRequest {
    /// Parses a credential request body.
    pub fn from_json(bytes: &[u8]) -> Result<Self, CredentialError> {
        if bytes.len() > MAX_MESSAGE_LEN {
            return Err(CredentialError::InvalidCredentialRequest);
        }
        let request: CredentialRequest = crate::json::from_slice(bytes)
            .map_err(|_| CredentialError::InvalidCredentialRequest)?;
        if request.proofs.jwt.is_empty() || request.proofs.jwt.len() > MAX_PROOFS {
            return Err(CredentialError::InvalidProof);
        }
        Ok(request)
    }
}

/// One issued credential in a credential response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedCredential {
    pub credential: String,
}

/// A credential response (§8.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialResponse {
    pub credentials: Vec<IssuedCredential>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_id: Option<String>,
}

/// Credential endpoint errors (§8.3.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error("invalid_credential_request")]
    InvalidCredentialRequest,
    #[error("unknown_credential_configuration")]
    UnknownCredentialConfiguration,
    #[error("invalid_proof")]
    InvalidProof,
    #[error("invalid_nonce")]
    InvalidNonce,
    #[error("credential_request_denied")]
    CredentialRequestDenied,
}

impl CredentialError {
    /// The `error` code.
    pub fn code(self) -> &'static str {
        match self {
            CredentialError::InvalidCredentialRequest => "invalid_credential_request",
            CredentialError::UnknownCredentialConfiguration => "unknown_credential_configuration",
            CredentialError::InvalidProof => "invalid_proof",
            CredentialError::InvalidNonce => "invalid_nonce",
            CredentialError::CredentialRequestDenied => "credential_request_denied",
        }
    }
}

#[derive(Serialize, Deserialize)]
struct ProofClaims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    iss: Option<String>,
    aud: String,
    iat: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nonce: Option<String>,
}

/// Makes a proof-of-possession JWT for `holder` (its public key in the `jwk` header).
pub fn create_proof(
    holder: &SigningKey,
    credential_issuer: &str,
    nonce: &str,
    iat: u64,
) -> Result<String, Oid4vciError> {
    // The jwk header identifies the key; a kid as well would be ambiguous.
    let key = holder.clone().without_kid();
    let mut header = Map::new();
    header.insert("jwk".into(), key.public_jwk().to_json_value());
    let claims = ProofClaims {
        iss: None,
        aud: credential_issuer.to_owned(),
        iat,
        nonce: Some(nonce.to_owned()),
    };
    jose::sign_json(PROOF_TYP, header, &claims, &key).map_err(Oid4vciError::Proof)
}

/// What the issuer expects of proofs.
#[derive(Clone, Debug)]
pub struct ProofExpectation<'a> {
    pub credential_issuer: &'a str,
    pub nonce: &'a str,
    pub now: u64,
    /// How old `iat` may be.
    pub max_age: u64,
    /// How far in the future `iat` may be.
    pub future_skew: u64,
}

/// Verifies one proof JWT and returns the holder key it proves possession of.
pub fn verify_proof(jwt: &str, expected: &ProofExpectation<'_>) -> Result<PublicJwk, Oid4vciError> {
    let jws = UnverifiedJws::parse_with_limit(jwt, MAX_PROOF_LEN).map_err(Oid4vciError::Proof)?;
    jws.expect_typ(PROOF_TYP).map_err(Oid4vciError::Proof)?;
    if jws.kid().is_some() || jws.header().contains_key("x5c") {
        return Err(Oid4vciError::ProofKey);
    }
    let key = jws
        .header()
        .get("jwk")
        .and_then(|jwk| PublicJwk::from_json_value(jwk).ok())
        .ok_or(Oid4vciError::ProofKey)?;
    let claims: ProofClaims = jws
        .verify(&key)
        .map_err(Oid4vciError::Proof)?
        .claims()
        .map_err(|_| Oid4vciError::Malformed("proof claims"))?;
    if claims.aud != expected.credential_issuer {
        return Err(Oid4vciError::ProofAudience);
    }
    if claims.nonce.as_deref() != Some(expected.nonce) {
        return Err(Oid4vciError::ProofNonce);
    }
    if claims.iat > expected.now.saturating_add(expected.future_skew)
        || claims.iat < expected.now.saturating_sub(expected.max_age)
    {
        return Err(Oid4vciError::ProofTime);
    }
    Ok(key)
}

/// Verifies a batch of proofs: at most `batch_size`, each valid, each for a different key.
pub fn verify_proofs(
    jwts: &[String],
    batch_size: usize,
    expected: &ProofExpectation<'_>,
) -> Result<Vec<PublicJwk>, Oid4vciError> {
    if jwts.len() > batch_size {
        return Err(Oid4vciError::TooManyProofs(batch_size));
    }
    let mut keys: Vec<PublicJwk> = Vec::with_capacity(jwts.len());
    for jwt in jwts {
        let key = verify_proof(jwt, expected)?;
        if keys.iter().any(|k| k.same_key(&key)) {
            return Err(Oid4vciError::DuplicateProofKey);
        }
        keys.push(key);
    }
    Ok(keys)
}

/// Builds issuer metadata for SD-JWT VC configurations: `(configuration id, vct, display
/// name)` triples, with the endpoints under `credential_issuer`.
pub fn issuer_metadata(
    credential_issuer: &str,
    configurations: &[(&str, &str, &str)],
    batch_size: usize,
) -> Value {
    let mut supported = Map::new();
    for (id, vct, name) in configurations {
        supported.insert(
            (*id).to_owned(),
            serde_json::json!({
                "format": FORMAT_SD_JWT_VC,
                "vct": vct,
                "cryptographic_binding_methods_supported": ["jwk"],
                "credential_signing_alg_values_supported": ["ES256"],
                "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["ES256"]}},
                "credential_metadata": {"display": [{"name": name, "locale": "nl-NL"}]}
            }),
        );
    }
    serde_json::json!({
        "credential_issuer": credential_issuer,
        "credential_endpoint": format!("{credential_issuer}/credential"),
        "nonce_endpoint": format!("{credential_issuer}/nonce"),
        "batch_credential_issuance": {"batch_size": batch_size},
        "credential_configurations_supported": supported,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ISSUER: &str = "https://gemeente.example/regie";

    fn offer() -> CredentialOffer {
        CredentialOffer {
            credential_issuer: ISSUER.into(),
            credential_configuration_ids: vec!["uittreksel-brp".into()],
            grants: Grants {
                pre_authorized_code: Some(PreAuthorizedGrant {
                    pre_authorized_code: "code-123".into(),
                    tx_code: Some(TxCode {
                        input_mode: Some("numeric".into()),
                        length: Some(6),
                        description: None,
                    }),
                }),
            },
        }
    }

    #[test]
    fn token_grants_parse() {
        let refresh = TokenGrant::refresh_form("rt-1");
        assert_eq!(
            TokenGrant::from_form(refresh.as_bytes()),
            Ok(TokenGrant::Refresh {
                refresh_token: "rt-1".into()
            })
        );
        let pre = TokenRequest {
            pre_authorized_code: "c".into(),
            tx_code: None,
        };
        assert_eq!(
            TokenGrant::from_form(pre.to_form().as_bytes()),
            Ok(TokenGrant::PreAuthorized(pre))
        );
        assert_eq!(
            TokenGrant::from_form(b"grant_type=refresh_token"),
            Err(TokenError::InvalidRequest)
        );
        assert_eq!(
            TokenGrant::from_form(b"grant_type=password&username=x"),
            Err(TokenError::UnsupportedGrantType)
        );
    }

    #[test]
    fn offer_uri_round_trips_by_value_and_reference() {
        let uri = offer().to_uri();
        assert!(uri.starts_with("openid-credential-offer://?credential_offer=%7B"));
        assert_eq!(
            parse_offer_uri(&uri, false).unwrap(),
            OfferReference::ByValue(offer())
        );
        let by_ref = CredentialOffer::reference_uri("https://gemeente.example/offers/1");
        assert_eq!(
            parse_offer_uri(&by_ref, false).unwrap(),
            OfferReference::ByReference("https://gemeente.example/offers/1".into())
        );
    }

    #[test]
    fn spec_example_offer_parses() {
        let json = json!({
            "credential_issuer": "https://credential-issuer.example.com",
            "credential_configuration_ids": ["org.iso.18013.5.1.mDL"],
            "grants": {"urn:ietf:params:oauth:grant-type:pre-authorized_code": {
                "pre-authorized_code": "oaKazRN8I0IbtZ0C7JuMn5",
                "tx_code": {"length": 4, "input_mode": "numeric",
                            "description": "Please provide the one-time code that was sent via e-mail"}}}
        });
        let offer = CredentialOffer::from_json(json.to_string().as_bytes()).unwrap();
        assert_eq!(
            offer
                .pre_authorized()
                .unwrap()
                .tx_code
                .as_ref()
                .unwrap()
                .length,
            Some(4)
        );
    }

    #[test]
    fn bad_offer_links_are_rejected() {
        assert_eq!(
            parse_offer_uri("https://x/?credential_offer=%7B%7D", false).unwrap_err(),
            Oid4vciError::WrongScheme
        );
        assert_eq!(
            parse_offer_uri("openid-credential-offer://?foo=1", false).unwrap_err(),
            Oid4vciError::OfferParameter
        );
        let both = format!("{}&credential_offer_uri=https%3A%2F%2Fx", offer().to_uri());
        assert_eq!(
            parse_offer_uri(&both, false).unwrap_err(),
            Oid4vciError::OfferParameter
        );
        let twice = format!("{}&credential_offer=x", offer().to_uri());
        assert_eq!(
            parse_offer_uri(&twice, false).unwrap_err(),
            Oid4vciError::OfferParameter
        );
        assert_eq!(
            parse_offer_uri("openid-credential-offer://?credential_offer=%7Bnope", false)
                .unwrap_err(),
            Oid4vciError::Malformed("credential offer")
        );
        let http = CredentialOffer::reference_uri("http://evil.example/offer");
        assert_eq!(
            parse_offer_uri(&http, true).unwrap_err(),
            Oid4vciError::InsecureOfferUri
        );
        let loopback = CredentialOffer::reference_uri("http://127.0.0.1:8701/offers/1");
        assert_eq!(
            parse_offer_uri(&loopback, false).unwrap_err(),
            Oid4vciError::InsecureOfferUri
        );
        assert!(parse_offer_uri(&loopback, true).is_ok());
        // Found by the fuzzer (credential_offer_parse): the WHATWG parser reads `https:host`
        // as https, so the address passed the check while not reading as https.
        let forgiven = CredentialOffer::reference_uri("https:verifier.example//offers/1");
        assert_eq!(
            parse_offer_uri(&forgiven, true).unwrap_err(),
            Oid4vciError::InsecureOfferUri
        );
        let crash = include_str!("../fuzz/seeds/credential_offer_parse/offer_ref_forgiven_scheme");
        assert_eq!(
            parse_offer_uri(crash, true).unwrap_err(),
            Oid4vciError::InsecureOfferUri
        );
        let huge = format!(
            "{OFFER_SCHEME}?credential_offer={}",
            "a".repeat(MAX_MESSAGE_LEN)
        );
        assert_eq!(
            parse_offer_uri(&huge, false).unwrap_err(),
            Oid4vciError::TooLarge(MAX_MESSAGE_LEN)
        );
        let empty_ids = json!({"credential_issuer": ISSUER, "credential_configuration_ids": []});
        assert!(CredentialOffer::from_json(empty_ids.to_string().as_bytes()).is_err());
    }

    #[test]
    fn token_request_form_round_trips_and_rejects() {
        let request = TokenRequest {
            pre_authorized_code: "c&d=e".into(),
            tx_code: Some("493536".into()),
        };
        assert_eq!(
            TokenRequest::from_form(request.to_form().as_bytes()).unwrap(),
            request
        );
        assert_eq!(
            TokenRequest::from_form(b"grant_type=authorization_code&code=x").unwrap_err(),
            TokenError::UnsupportedGrantType
        );
        assert_eq!(
            TokenRequest::from_form(b"pre-authorized_code=x").unwrap_err(),
            TokenError::InvalidRequest
        );
        let no_code = format!("grant_type={}", PRE_AUTHORIZED_GRANT.replace(':', "%3A"));
        assert_eq!(
            TokenRequest::from_form(no_code.as_bytes()).unwrap_err(),
            TokenError::InvalidRequest
        );
        assert_eq!(TokenError::InvalidGrant.code(), "invalid_grant");
    }

    fn expectation(now: u64) -> ProofExpectation<'static> {
        ProofExpectation {
            credential_issuer: ISSUER,
            nonce: "n-1",
            now,
            max_age: 300,
            future_skew: 60,
        }
    }

    #[test]
    fn proofs_verify_and_yield_the_holder_key() {
        let holder = SigningKey::generate();
        let proof = create_proof(&holder, ISSUER, "n-1", 1000).unwrap();
        let key = verify_proof(&proof, &expectation(1000)).unwrap();
        assert!(key.same_key(holder.public_jwk()));
        let other = SigningKey::generate();
        let batch = vec![
            proof.clone(),
            create_proof(&other, ISSUER, "n-1", 1000).unwrap(),
        ];
        assert_eq!(
            verify_proofs(&batch, 2, &expectation(1000)).unwrap().len(),
            2
        );
    }

    #[test]
    fn bad_proofs_are_rejected() {
        let holder = SigningKey::generate();
        let proof = create_proof(&holder, ISSUER, "n-1", 1000).unwrap();
        let wrong_aud = create_proof(&holder, "https://other.example", "n-1", 1000).unwrap();
        assert_eq!(
            verify_proof(&wrong_aud, &expectation(1000)).unwrap_err(),
            Oid4vciError::ProofAudience
        );
        let stale = create_proof(&holder, ISSUER, "old-nonce", 1000).unwrap();
        assert_eq!(
            verify_proof(&stale, &expectation(1000)).unwrap_err(),
            Oid4vciError::ProofNonce
        );
        assert_eq!(
            verify_proof(&proof, &expectation(1301)).unwrap_err(),
            Oid4vciError::ProofTime
        );
        assert_eq!(
            verify_proof(&proof, &expectation(900)).unwrap_err(),
            Oid4vciError::ProofTime
        );
        // kid instead of jwk.
        let keyed = holder.clone().with_kid("k");
        let mut claims = Map::new();
        claims.insert("aud".into(), ISSUER.into());
        claims.insert("iat".into(), 1000.into());
        claims.insert("nonce".into(), "n-1".into());
        let kid_proof = jose::sign_json(PROOF_TYP, Map::new(), &claims, &keyed).unwrap();
        assert_eq!(
            verify_proof(&kid_proof, &expectation(1000)).unwrap_err(),
            Oid4vciError::ProofKey
        );
        // Wrong typ.
        let mut header = Map::new();
        header.insert("jwk".into(), holder.public_jwk().to_json_value());
        let jwt_typ = jose::sign_json("JWT", header.clone(), &claims, &holder).unwrap();
        assert!(matches!(
            verify_proof(&jwt_typ, &expectation(1000)).unwrap_err(),
            Oid4vciError::Proof(JoseError::WrongType { .. })
        ));
        // Signed by another key than the one in the header.
        let other = SigningKey::generate();
        let forged = jose::sign_json(PROOF_TYP, header, &claims, &other).unwrap();
        assert_eq!(
            verify_proof(&forged, &expectation(1000)).unwrap_err(),
            Oid4vciError::Proof(JoseError::BadSignature)
        );
        // alg none.
        let none = format!(
            "{}.{}.",
            jose::b64u_encode(br#"{"alg":"none","typ":"openid4vci-proof+jwt"}"#),
            jose::b64u_encode(b"{}")
        );
        assert!(matches!(
            verify_proof(&none, &expectation(1000)).unwrap_err(),
            Oid4vciError::Proof(JoseError::UnsupportedAlgorithm(_))
        ));
        // Batch rules.
        let batch = vec![proof.clone(), proof.clone()];
        assert_eq!(
            verify_proofs(&batch, 2, &expectation(1000)).unwrap_err(),
            Oid4vciError::DuplicateProofKey
        );
        assert_eq!(
            verify_proofs(&batch, 1, &expectation(1000)).unwrap_err(),
            Oid4vciError::TooManyProofs(1)
        );
    }

    #[test]
    fn credential_request_parsing() {
        let body =
            json!({"credential_configuration_id": "uittreksel-brp", "proofs": {"jwt": ["a.b.c"]}});
        assert!(CredentialRequest::from_json(body.to_string().as_bytes()).is_ok());
        let no_proofs = json!({"credential_configuration_id": "x", "proofs": {"jwt": []}});
        assert_eq!(
            CredentialRequest::from_json(no_proofs.to_string().as_bytes()).unwrap_err(),
            CredentialError::InvalidProof
        );
        assert_eq!(
            CredentialRequest::from_json(b"{").unwrap_err(),
            CredentialError::InvalidCredentialRequest
        );
        let big = vec![b' '; MAX_MESSAGE_LEN + 1];
        assert_eq!(
            CredentialRequest::from_json(&big).unwrap_err(),
            CredentialError::InvalidCredentialRequest
        );
        assert_eq!(CredentialError::InvalidNonce.code(), "invalid_nonce");
    }

    #[test]
    fn metadata_lists_configurations_and_endpoints() {
        let m = issuer_metadata(
            ISSUER,
            &[(
                "uittreksel-brp",
                "urn:regie:uittreksel-brp:1",
                "Uittreksel BRP",
            )],
            3,
        );
        assert_eq!(m["nonce_endpoint"], format!("{ISSUER}/nonce"));
        assert_eq!(m["batch_credential_issuance"]["batch_size"], 3);
        assert_eq!(
            m["credential_configurations_supported"]["uittreksel-brp"]["format"],
            "dc+sd-jwt"
        );
    }
}
