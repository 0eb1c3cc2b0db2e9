//! OpenID for Verifiable Presentations 1.0 messages as Regie uses them: the authorization
//! request link (`openid4vp://?client_id=…&request_uri=…`), the signed request object with
//! the verifier attestation in its `jwt` header (client identifier prefix
//! `verifier_attestation:`), transaction data and their hashes, and the `direct_post`
//! response or error. No HTTP here.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::dcql::DcqlQuery;
use crate::jose::{self, b64u_decode, b64u_encode, JoseError, SigningKey, UnverifiedJws};
use crate::trust::{UnverifiedAttestation, VerifiedAttestation, CLIENT_ID_PREFIX};

/// URI scheme of a same-device or QR authorization request.
pub const REQUEST_SCHEME: &str = "openid4vp://";
/// `typ` of a request object (RFC 9101).
pub const REQUEST_OBJECT_TYP: &str = "oauth-authz-req+jwt";
/// `aud` of a request object for a wallet without its own identifier (OpenID4VP §5.8).
pub const SELF_ISSUED_AUD: &str = "https://self-issued.me/v2";
/// Largest request link, request object or response body accepted.
pub const MAX_MESSAGE_LEN: usize = 64 * 1024;
/// Most transaction data entries in one request.
pub const MAX_TRANSACTION_DATA: usize = 8;

/// Errors in OpenID4VP messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Oid4vpError {
    #[error("message too large: limit {0} bytes")]
    TooLarge(usize),
    #[error("not a presentation request link (openid4vp://)")]
    WrongScheme,
    #[error("request link parameter {0} is missing or repeated")]
    Parameter(&'static str),
    #[error("request_uri must be an https URL")]
    InsecureRequestUri,
    #[error("request object: {0}")]
    Jose(JoseError),
    #[error("request object has no verifier attestation")]
    MissingAttestation,
    #[error("verifier attestation: {0}")]
    Attestation(String),
    #[error("client_id must use the verifier_attestation: prefix and match the attestation")]
    ClientId,
    #[error("request object claim {0} is missing or has an unsupported value")]
    Claim(&'static str),
    #[error("request object has expired or is not valid yet")]
    Time,
    #[error("malformed {0}")]
    Malformed(&'static str),
}

/// The link a wallet scans or opens: `openid4vp://?client_id=…&request_uri=…`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestLink {
    pub client_id: String,
    pub request_uri: String,
}

impl RequestLink {
    /// The link text.
    pub fn to_uri(&self) -> String {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", &self.client_id)
            .append_pair("request_uri", &self.request_uri)
            .finish();
        format!("{REQUEST_SCHEME}?{query}")
    }

    /// Parses a link; `allow_http_loopback` permits `http://127.0.0.1`/`localhost` request URIs.
    pub fn parse(uri: &str, allow_http_loopback: bool) -> Result<Self, Oid4vpError> {
        if uri.len() > MAX_MESSAGE_LEN {
            return Err(Oid4vpError::TooLarge(MAX_MESSAGE_LEN));
        }
        let query = uri
            .strip_prefix(REQUEST_SCHEME)
            .ok_or(Oid4vpError::WrongScheme)?;
        let query = query.strip_prefix('?').unwrap_or(query);
        let (mut client_id, mut request_uri) = (None, None);
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let (slot, name) = match key.as_ref() {
                "client_id" => (&mut client_id, "client_id"),
                "request_uri" => (&mut request_uri, "request_uri"),
                _ => continue,
            };
            if slot.replace(value.into_owned()).is_some() {
                return Err(Oid4vpError::Parameter(name));
            }
        }
        let client_id = client_id.ok_or(Oid4vpError::Parameter("client_id"))?;
        let request_uri = request_uri.ok_or(Oid4vpError::Parameter("request_uri"))?;
        if !crate::is_fetchable_url(&request_uri, allow_http_loopback) {
            return Err(Oid4vpError::InsecureRequestUri);
        }
        Ok(RequestLink {
            client_id,
            request_uri,
        })
    }
}

/// The claims of a request object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestObject {
    pub client_id: String,
    pub response_type: String,
    pub response_mode: String,
    pub response_uri: String,
    pub nonce: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Regie extension: the id of the registered purpose (in the verifier attestation) this
    /// request serves. Other wallets ignore it, as OAuth requires of unknown parameters; a
    /// request without it is held against all of the party's purposes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    pub dcql_query: DcqlQuery,
    /// Each entry a base64url-encoded JSON object, hashed as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_data: Option<Vec<String>>,
    pub aud: String,
    pub iat: u64,
    pub exp: u64,
}

/// What a verifier puts into a request.
#[derive(Clone, Debug)]
pub struct RequestContent<'a> {
    /// The client identifier without prefix (the attestation's `sub`).
    pub client_id: &'a str,
    pub response_uri: &'a str,
    pub nonce: &'a str,
    pub state: Option<&'a str>,
    /// The registered purpose id, see [`RequestObject::purpose`].
    pub purpose: Option<&'a str>,
    pub dcql_query: &'a DcqlQuery,
    pub transaction_data: &'a [Value],
    pub iat: u64,
    pub exp: u64,
}

/// Signs a request object with the relying party's request key, carrying its attestation.
pub fn sign_request(
    content: &RequestContent<'_>,
    attestation_jwt: &str,
    request_key: &SigningKey,
) -> Result<String, Oid4vpError> {
    let transaction_data = if content.transaction_data.is_empty() {
        None
    } else {
        Some(
            content
                .transaction_data
                .iter()
                .map(encode_transaction_data)
                .collect(),
        )
    };
    let claims = RequestObject {
        client_id: format!("{CLIENT_ID_PREFIX}{}", content.client_id),
        response_type: "vp_token".into(),
        response_mode: "direct_post".into(),
        response_uri: content.response_uri.to_owned(),
        nonce: content.nonce.to_owned(),
        state: content.state.map(str::to_owned),
        purpose: content.purpose.map(str::to_owned),
        dcql_query: content.dcql_query.clone(),
        transaction_data,
        aud: SELF_ISSUED_AUD.into(),
        iat: content.iat,
        exp: content.exp,
    };
    let mut header = Map::new();
    header.insert("jwt".into(), attestation_jwt.into());
    jose::sign_json(REQUEST_OBJECT_TYP, header, &claims, request_key).map_err(Oid4vpError::Jose)
}

/// base64url of a transaction data object's JSON.
pub fn encode_transaction_data(value: &Value) -> String {
    b64u_encode(value.to_string())
}

/// `transaction_data_hashes` entry: base64url SHA-256 of the encoded string as in the request.
pub fn transaction_data_hash(encoded: &str) -> String {
    b64u_encode(jose::sha256(encoded.as_bytes()))
}

/// A request object whose attestation and signature were checked.
#[derive(Clone, Debug)]
pub struct VerifiedRequest {
    pub attestation: VerifiedAttestation,
    pub request: RequestObject,
    /// The decoded transaction data objects, in request order.
    pub transaction_data: Vec<Value>,
}

impl VerifiedRequest {
    /// The hashes the KB-JWT must carry for the transaction data, if any.
    pub fn transaction_data_hashes(&self) -> Option<Vec<String>> {
        self.request
            .transaction_data
            .as_ref()
            .map(|list| list.iter().map(|t| transaction_data_hash(t)).collect())
    }
}

/// Verifies a request object: the attestation in its `jwt` header against the trust anchor
/// key, the request's signature against the attested key, the client identifier, the
/// response type and mode, and time.
pub fn verify_request(
    jwt: &str,
    anchor_key: &crate::jose::PublicJwk,
    now: u64,
) -> Result<VerifiedRequest, Oid4vpError> {
    let jws = UnverifiedJws::parse_with_limit(jwt, MAX_MESSAGE_LEN).map_err(Oid4vpError::Jose)?;
    jws.expect_typ(REQUEST_OBJECT_TYP)
        .map_err(Oid4vpError::Jose)?;
    let attestation_jwt = jws
        .header_str("jwt")
        .ok_or(Oid4vpError::MissingAttestation)?;
    let claimed: Map<String, Value> = jws.claims_unverified().map_err(Oid4vpError::Jose)?;
    let client_id = claimed
        .get("client_id")
        .and_then(Value::as_str)
        .and_then(|c| c.strip_prefix(CLIENT_ID_PREFIX))
        .ok_or(Oid4vpError::ClientId)?;
    let attestation = UnverifiedAttestation::parse(attestation_jwt)
        .and_then(|a| a.verify(anchor_key, client_id, now))
        .map_err(|e| Oid4vpError::Attestation(e.to_string()))?;
    let request: RequestObject = jws
        .verify(attestation.request_key())
        .map_err(Oid4vpError::Jose)?
        .claims()
        .map_err(|_| Oid4vpError::Claim("dcql_query/nonce/response_uri"))?;
    if request.response_type != "vp_token" {
        return Err(Oid4vpError::Claim("response_type"));
    }
    if request.response_mode != "direct_post" {
        return Err(Oid4vpError::Claim("response_mode"));
    }
    if request.nonce.is_empty() {
        return Err(Oid4vpError::Claim("nonce"));
    }
    if request.exp <= now || request.iat > now.saturating_add(crate::trust::CLOCK_SKEW) {
        return Err(Oid4vpError::Time);
    }
    let transaction_data = match &request.transaction_data {
        None => Vec::new(),
        Some(list) if list.len() > MAX_TRANSACTION_DATA => {
            return Err(Oid4vpError::Claim("transaction_data"))
        }
        Some(list) => list
            .iter()
            .map(|t| decode_transaction_data(t, &request.dcql_query))
            .collect::<Result<_, _>>()?,
    };
    Ok(VerifiedRequest {
        attestation,
        request,
        transaction_data,
    })
}

/// Decodes one transaction data entry: a JSON object with `type` and `credential_ids`
/// naming credential queries of the request.
fn decode_transaction_data(encoded: &str, query: &DcqlQuery) -> Result<Value, Oid4vpError> {
    let bytes = b64u_decode(encoded, "transaction_data")
        .map_err(|_| Oid4vpError::Claim("transaction_data"))?;
    let value: Value =
        serde_json::from_slice(&bytes).map_err(|_| Oid4vpError::Claim("transaction_data"))?;
    let has_type = value.get("type").and_then(Value::as_str).is_some();
    let ids_known = value
        .get("credential_ids")
        .and_then(Value::as_array)
        .is_some_and(|ids| {
            !ids.is_empty()
                && ids
                    .iter()
                    .all(|id| id.as_str().is_some_and(|id| query.credential(id).is_some()))
        });
    if has_type && ids_known {
        Ok(value)
    } else {
        Err(Oid4vpError::Claim("transaction_data"))
    }
}

/// What a wallet posts to `response_uri`.
#[derive(Clone, Debug, PartialEq)]
pub enum AuthorizationResponse {
    /// `vp_token`: presentations per credential query id.
    Presentations {
        vp_token: Map<String, Value>,
        state: Option<String>,
    },
    /// `error`, e.g. `access_denied` when the citizen says no.
    Error {
        error: String,
        description: Option<String>,
        state: Option<String>,
    },
}

impl AuthorizationResponse {
    /// A response with one presentation per query id.
    pub fn presentations(by_query: &[(String, String)], state: Option<&str>) -> Self {
        let mut vp_token = Map::new();
        for (query_id, presentation) in by_query {
            let entry = vp_token
                .entry(query_id.clone())
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = entry {
                list.push(Value::String(presentation.clone()));
            }
        }
        AuthorizationResponse::Presentations {
            vp_token,
            state: state.map(str::to_owned),
        }
    }

    /// The citizen declined.
    pub fn access_denied(state: Option<&str>) -> Self {
        AuthorizationResponse::Error {
            error: "access_denied".into(),
            description: None,
            state: state.map(str::to_owned),
        }
    }

    /// The `application/x-www-form-urlencoded` body.
    pub fn to_form(&self) -> String {
        let mut form = form_urlencoded::Serializer::new(String::new());
        let state = match self {
            AuthorizationResponse::Presentations { vp_token, state } => {
                form.append_pair("vp_token", &Value::Object(vp_token.clone()).to_string());
                state
            }
            AuthorizationResponse::Error {
                error,
                description,
                state,
            } => {
                form.append_pair("error", error);
                if let Some(d) = description {
                    form.append_pair("error_description", d);
                }
                state
            }
        };
        if let Some(s) = state {
            form.append_pair("state", s);
        }
        form.finish()
    }

    /// Parses a `direct_post` body.
    pub fn from_form(body: &[u8]) -> Result<Self, Oid4vpError> {
        if body.len() > MAX_MESSAGE_LEN {
            return Err(Oid4vpError::TooLarge(MAX_MESSAGE_LEN));
        }
        let (mut vp_token, mut error, mut description, mut state) = (None, None, None, None);
        for (key, value) in form_urlencoded::parse(body) {
            let (slot, name) = match key.as_ref() {
                "vp_token" => (&mut vp_token, "vp_token"),
                "error" => (&mut error, "error"),
                "error_description" => (&mut description, "error_description"),
                "state" => (&mut state, "state"),
                _ => continue,
            };
            if slot.replace(value.into_owned()).is_some() {
                return Err(Oid4vpError::Parameter(name));
            }
        }
        match (vp_token, error) {
            (Some(token), None) => {
                let Value::Object(map) =
                    serde_json::from_str(&token).map_err(|_| Oid4vpError::Malformed("vp_token"))?
                else {
                    return Err(Oid4vpError::Malformed("vp_token"));
                };
                let well_formed = !map.is_empty()
                    && map.values().all(|v| {
                        v.as_array().is_some_and(|list| {
                            !list.is_empty() && list.iter().all(Value::is_string)
                        })
                    });
                if !well_formed {
                    return Err(Oid4vpError::Malformed("vp_token"));
                }
                Ok(AuthorizationResponse::Presentations {
                    vp_token: map,
                    state,
                })
            }
            (None, Some(error)) => Ok(AuthorizationResponse::Error {
                error,
                description,
                state,
            }),
            _ => Err(Oid4vpError::Parameter("vp_token or error")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claim_path::ClaimPath;
    use crate::trust::{
        issue_attestation, AllowedCredential, AttestationContent, Localized, Purpose, Registration,
    };
    use serde_json::json;

    const NOW: u64 = 1_800_000_000;
    const RP: &str = "notaris-voorbeeld.example";

    fn query() -> DcqlQuery {
        DcqlQuery::parse(
            json!({"credentials": [{"id": "brp", "format": "dc+sd-jwt",
                "meta": {"vct_values": ["urn:regie:uittreksel-brp:1"]},
                "claims": [{"path": ["family_name"]}]}]})
            .to_string(),
        )
        .unwrap()
    }

    fn registration() -> Registration {
        let text = |s: &str| Localized {
            nl: s.into(),
            en: s.into(),
        };
        Registration {
            legal_name: "Notariskantoor Voorbeeld (fictief)".into(),
            registration_number: "00000002".into(),
            city: "Utrecht".into(),
            logo: None,
            privacy_policy_url: "https://notaris.example/privacy".into(),
            purposes: vec![Purpose {
                id: "akte".into(),
                name: text("Identificatie bij akte"),
                description: text("x"),
                credentials: vec![AllowedCredential {
                    vct: "urn:regie:uittreksel-brp:1".into(),
                    claims: vec![ClaimPath::keys(["family_name"]).unwrap()],
                }],
                retention_days: 3650,
                retention: text("10 jaar"),
                shares_with_third_parties: false,
                deletion_possible: false,
                statement_types: Vec::new(),
            }],
        }
    }

    struct Keys {
        anchor: SigningKey,
        rp: SigningKey,
        attestation: String,
    }

    fn keys() -> Keys {
        let anchor = SigningKey::generate();
        let rp = SigningKey::generate();
        let attestation = issue_attestation(
            &AttestationContent {
                anchor_id: "demo-trust-anchor",
                client_id: RP,
                request_key: rp.public_jwk(),
                registration: &registration(),
                iat: NOW - 10,
                exp: NOW + 86_400,
            },
            &anchor,
        )
        .unwrap();
        Keys {
            anchor,
            rp,
            attestation,
        }
    }

    fn request(k: &Keys, transaction_data: &[Value]) -> String {
        let q = query();
        sign_request(
            &RequestContent {
                client_id: RP,
                response_uri: "https://verifier.example/response/1",
                nonce: "nonce-1",
                state: Some("s-1"),
                purpose: Some("identificatie"),
                dcql_query: &q,
                transaction_data,
                iat: NOW,
                exp: NOW + 300,
            },
            &k.attestation,
            &k.rp,
        )
        .unwrap()
    }

    #[test]
    fn request_link_round_trips_and_rejects() {
        let link = RequestLink {
            client_id: format!("{CLIENT_ID_PREFIX}{RP}"),
            request_uri: "https://verifier.example/request/1".into(),
        };
        assert_eq!(RequestLink::parse(&link.to_uri(), false).unwrap(), link);
        assert_eq!(
            RequestLink::parse("openid-credential-offer://?x", false).unwrap_err(),
            Oid4vpError::WrongScheme
        );
        assert_eq!(
            RequestLink::parse("openid4vp://?client_id=x", false).unwrap_err(),
            Oid4vpError::Parameter("request_uri")
        );
        assert_eq!(
            RequestLink::parse(
                "openid4vp://?client_id=x&request_uri=http%3A%2F%2Fevil.example%2Fr",
                true
            )
            .unwrap_err(),
            Oid4vpError::InsecureRequestUri
        );
        assert!(RequestLink::parse(
            "openid4vp://?client_id=x&request_uri=http%3A%2F%2F127.0.0.1%3A8702%2Fr",
            true
        )
        .is_ok());
        let twice = format!("{}&client_id=y", link.to_uri());
        assert_eq!(
            RequestLink::parse(&twice, false).unwrap_err(),
            Oid4vpError::Parameter("client_id")
        );
    }

    #[test]
    fn signed_request_verifies_with_the_attested_key() {
        let k = keys();
        let td =
            json!({"type": "regie-consent", "credential_ids": ["brp"], "statement": "Ik stem in"});
        let jwt = request(&k, std::slice::from_ref(&td));
        let verified = verify_request(&jwt, k.anchor.public_jwk(), NOW).unwrap();
        assert_eq!(verified.attestation.client_id(), RP);
        assert_eq!(
            verified.request.client_id,
            format!("{CLIENT_ID_PREFIX}{RP}")
        );
        assert_eq!(verified.request.nonce, "nonce-1");
        assert_eq!(verified.transaction_data, vec![td.clone()]);
        let hashes = verified.transaction_data_hashes().unwrap();
        assert_eq!(
            hashes,
            vec![transaction_data_hash(&encode_transaction_data(&td))]
        );
    }

    #[test]
    fn bad_requests_are_rejected() {
        let k = keys();
        let jwt = request(&k, &[]);
        // Another trust anchor.
        let stranger = SigningKey::generate();
        assert!(matches!(
            verify_request(&jwt, stranger.public_jwk(), NOW),
            Err(Oid4vpError::Attestation(_))
        ));
        // Expired.
        assert_eq!(
            verify_request(&jwt, k.anchor.public_jwk(), NOW + 300).unwrap_err(),
            Oid4vpError::Time
        );
        // Signed by a key other than the attested one.
        let q = query();
        let content = RequestContent {
            client_id: RP,
            response_uri: "https://verifier.example/response/1",
            nonce: "n",
            state: None,
            purpose: None,
            dcql_query: &q,
            transaction_data: &[],
            iat: NOW,
            exp: NOW + 300,
        };
        let forged = sign_request(&content, &k.attestation, &stranger).unwrap();
        assert_eq!(
            verify_request(&forged, k.anchor.public_jwk(), NOW).unwrap_err(),
            Oid4vpError::Jose(JoseError::BadSignature)
        );
        // Claiming another client id than attested.
        let other = RequestContent {
            client_id: "other.example",
            ..content.clone()
        };
        let mismatched = sign_request(&other, &k.attestation, &k.rp).unwrap();
        assert!(matches!(
            verify_request(&mismatched, k.anchor.public_jwk(), NOW),
            Err(Oid4vpError::Attestation(_))
        ));
        // No attestation header.
        let bare = jose::sign_json(
            REQUEST_OBJECT_TYP,
            Map::new(),
            &json!({"client_id": "x"}),
            &k.rp,
        )
        .unwrap();
        assert_eq!(
            verify_request(&bare, k.anchor.public_jwk(), NOW).unwrap_err(),
            Oid4vpError::MissingAttestation
        );
        // Wrong response_mode.
        let mut claims: Map<String, Value> = UnverifiedJws::parse(&jwt)
            .unwrap()
            .claims_unverified()
            .unwrap();
        claims.insert("response_mode".into(), "fragment".into());
        let mut header = Map::new();
        header.insert("jwt".into(), k.attestation.clone().into());
        let fragment = jose::sign_json(REQUEST_OBJECT_TYP, header.clone(), &claims, &k.rp).unwrap();
        assert_eq!(
            verify_request(&fragment, k.anchor.public_jwk(), NOW).unwrap_err(),
            Oid4vpError::Claim("response_mode")
        );
        // Client id without the prefix.
        claims.insert("response_mode".into(), "direct_post".into());
        claims.insert("client_id".into(), RP.into());
        let unprefixed = jose::sign_json(REQUEST_OBJECT_TYP, header, &claims, &k.rp).unwrap();
        assert_eq!(
            verify_request(&unprefixed, k.anchor.public_jwk(), NOW).unwrap_err(),
            Oid4vpError::ClientId
        );
        // Transaction data naming an unknown credential query.
        let td = json!({"type": "regie-consent", "credential_ids": ["passport"]});
        let bad_td = request(&k, &[td]);
        assert_eq!(
            verify_request(&bad_td, k.anchor.public_jwk(), NOW).unwrap_err(),
            Oid4vpError::Claim("transaction_data")
        );
    }

    #[test]
    fn direct_post_bodies_round_trip_and_reject() {
        let ok =
            AuthorizationResponse::presentations(&[("brp".into(), "a~b~c".into())], Some("s-1"));
        assert_eq!(
            AuthorizationResponse::from_form(ok.to_form().as_bytes()).unwrap(),
            ok
        );
        let denied = AuthorizationResponse::access_denied(Some("s-1"));
        assert_eq!(
            AuthorizationResponse::from_form(denied.to_form().as_bytes()).unwrap(),
            denied
        );
        for bad in [
            "state=s".to_owned(),
            "vp_token=%5B%5D".to_owned(),
            "vp_token=%7B%7D".to_owned(),
            "vp_token=%7B%22brp%22%3A%5B1%5D%7D".to_owned(),
            "vp_token=x&error=access_denied".to_owned(),
            format!("vp_token={}", "a".repeat(MAX_MESSAGE_LEN)),
        ] {
            assert!(
                AuthorizationResponse::from_form(bad.as_bytes()).is_err(),
                "{bad}"
            );
        }
    }
}
