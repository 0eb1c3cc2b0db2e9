//! OpenID for Verifiable Presentations 1.0 messages as Regie uses them: the authorization
//! request link (`openid4vp://?client_id=…&request_uri=…`), the signed request object with
//! the verifier attestation in its `jwt` header (client identifier prefix
//! `verifier_attestation:`), transaction data and their hashes, and the `direct_post`
//! response or error. No HTTP here.

use crate::jose::JoseError;

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
/// Oldest `iat` of a request object a wallet accepts, in seconds before now. A verifier signs
/// its request when the wallet fetches it (Regie's does), so a request object is seconds old
/// when checked; ten minutes covers a slow network and clock differences, and stops a
/// captured request from being replayed to the wallet days later.
pub const MAX_REQUEST_AGE: u64 = 10 * 60;
/// Longest lifetime (`exp` − `iat`) of a request object a wallet accepts. A request answers
/// one session; one that claims to be valid for years is not one a verifier meant to send.
pub const MAX_REQUEST_LIFETIME: u64 = 60 * 60;

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
    #[error("the answer address (response_uri) is not one the attestation allows")]
    ResponseUriNotAttested,
    #[error("client_id must use the verifier_attestation: prefix and match the attestation")]
    ClientId,
    #[error("request object claim {0} is missing or has an unsupported value")]
    Claim(&'static str),
    #[error("request object has expired or is not valid yet")]
    Time,
    #[error("request object was issued more than {MAX_REQUEST_AGE} seconds ago")]
    Stale,
    #[error("request object is valid for longer than {MAX_REQUEST_LIFETIME} seconds")]
    Lifetime,
    /// OpenID4VP's `invalid_request`: the request breaks a rule of the specification.
    #[error("invalid_request: {0}")]
    InvalidRequest(&'static str),
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

mod request;
mod response;

pub use request::{
    encode_transaction_data, sign_request, transaction_data_hash, verify_request, RequestContent,
    RequestObject, VerifiedRequest,
};
pub use response::AuthorizationResponse;

#[cfg(test)]
mod tests;
