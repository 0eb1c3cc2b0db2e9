//! The signed request object (OpenID4VP 1.0 §5, RFC 9101): what a verifier signs, and the
//! wallet's checks before anything in it is believed or shown.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{
    Oid4vpError, MAX_MESSAGE_LEN, MAX_REQUEST_AGE, MAX_REQUEST_LIFETIME, MAX_TRANSACTION_DATA,
    REQUEST_OBJECT_TYP, SELF_ISSUED_AUD,
};
use crate::dcql::DcqlQuery;
use crate::jose::{self, b64u_decode, b64u_encode, SigningKey, UnverifiedJws};
use crate::numeric_date::NumericDate;
use crate::trust::{UnverifiedAttestation, VerifiedAttestation, CLIENT_ID_PREFIX};

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
    pub iat: NumericDate,
    pub exp: NumericDate,
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
        iat: NumericDate::from_secs(content.iat),
        exp: NumericDate::from_secs(content.exp),
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
/// response type and mode (and no `redirect_uri` beside `direct_post`), the audience
/// ([`SELF_ISSUED_AUD`]), the answer address against the attestation's `redirect_uris` when
/// it has them, and time: not expired, not issued in the future nor more than
/// [`MAX_REQUEST_AGE`] ago, and valid for at most [`MAX_REQUEST_LIFETIME`].
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
    let claims: Map<String, Value> = jws
        .verify(attestation.request_key())
        .map_err(Oid4vpError::Jose)?
        .claims()
        .map_err(Oid4vpError::Jose)?;
    // OpenID4VP 1.0 §8.2: with `direct_post` the answer goes to `response_uri`; a request
    // that also names a `redirect_uri` is ambiguous about where the answer goes and must be
    // refused as `invalid_request` (checked before the typed read, which would ignore it).
    let direct_post = claims.get("response_mode").and_then(Value::as_str) == Some("direct_post");
    if direct_post && claims.contains_key("redirect_uri") {
        return Err(Oid4vpError::InvalidRequest(
            "redirect_uri is not allowed with response_mode direct_post",
        ));
    }
    let request: RequestObject = serde_json::from_value(Value::Object(claims))
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
    // A wallet without its own identifier is addressed as the self-issued audience (§5.8);
    // any other audience means the request was made for another wallet.
    if request.aud != SELF_ISSUED_AUD {
        return Err(Oid4vpError::Claim("aud"));
    }
    check_times(&request, now)?;
    // OpenID4VP 1.0 §5.9.3: when the attestation names `redirect_uris`, the answer address
    // must be one of them exactly; otherwise whoever holds the request key could send the
    // citizen's data to any host.
    if let Some(allowed) = attestation.redirect_uris() {
        if !allowed.contains(&request.response_uri) {
            return Err(Oid4vpError::ResponseUriNotAttested);
        }
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

/// `exp` not passed, `iat` neither in the future (beyond the clock skew) nor older than
/// [`MAX_REQUEST_AGE`], and a lifetime of at most [`MAX_REQUEST_LIFETIME`].
fn check_times(request: &RequestObject, now: u64) -> Result<(), Oid4vpError> {
    let (iat, exp) = (request.iat, request.exp);
    if exp.has_passed(now, 0) || iat.is_after(now, crate::trust::CLOCK_SKEW) || exp <= iat {
        return Err(Oid4vpError::Time);
    }
    if iat.is_before(now, MAX_REQUEST_AGE) {
        return Err(Oid4vpError::Stale);
    }
    if exp.secs_since(iat) > MAX_REQUEST_LIFETIME {
        return Err(Oid4vpError::Lifetime);
    }
    Ok(())
}

/// Decodes one transaction data entry: a JSON object with `type` and `credential_ids`
/// naming credential queries of the request.
fn decode_transaction_data(encoded: &str, query: &DcqlQuery) -> Result<Value, Oid4vpError> {
    let bytes = b64u_decode(encoded, "transaction_data")
        .map_err(|_| Oid4vpError::Claim("transaction_data"))?;
    let value: Value =
        crate::json::from_slice(&bytes).map_err(|_| Oid4vpError::Claim("transaction_data"))?;
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
