//! Key binding JWTs (RFC 9901 §4.3, §7.3): the holder proves possession of the key in
//! `cnf` for one verifier (`aud`), one request (`nonce`) and this exact presentation
//! (`sd_hash`); OpenID4VP adds `transaction_data_hashes` for consent statements.

use serde::{Deserialize, Serialize};
use serde_json::Map;

use super::disclosure::digest_of;
use super::SdJwtError;
use crate::jose::{self, JoseError, PublicJwk, SigningKey, UnverifiedJws};
use crate::numeric_date::NumericDate;

/// `typ` of a key binding JWT.
pub const KB_JWT_TYP: &str = "kb+jwt";

/// The claims of a key binding JWT. Times are NumericDates (fractions allowed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyBindingClaims {
    pub iat: NumericDate,
    /// Optional in RFC 9901, but when present the JWT must not have expired (RFC 7519).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<NumericDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<NumericDate>,
    pub aud: String,
    pub nonce: String,
    pub sd_hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_data_hashes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_data_hashes_alg: Option<String>,
}

/// What a verifier expects of a key binding JWT.
#[derive(Clone, Debug)]
pub struct KbExpectation<'a> {
    /// The verifier's client identifier (with prefix, as OpenID4VP has it).
    pub aud: &'a str,
    /// The nonce of the verifier's request.
    pub nonce: &'a str,
    /// Current time, Unix seconds.
    pub now: u64,
    /// Oldest acceptable `iat`: `now - max_age`.
    pub max_age: u64,
    /// How far in the future `iat` and `nbf` may be, and how long past `exp`, for clock
    /// differences.
    pub future_skew: u64,
    /// The transaction data hashes the request implies, when it carried transaction data.
    pub transaction_data_hashes: Option<&'a [String]>,
}

/// `sd_hash`: base64url SHA-256 over `<jwt>~<d1>~…~<dn>~`.
pub fn sd_hash(presentation_without_kb: &str) -> String {
    digest_of(presentation_without_kb)
}

/// Appends a KB-JWT to `presentation` (which must end with `~`).
pub fn add_key_binding(
    presentation: &str,
    holder_key: &SigningKey,
    aud: &str,
    nonce: &str,
    iat: u64,
    transaction_data_hashes: Option<Vec<String>>,
) -> Result<String, SdJwtError> {
    if !presentation.ends_with('~') {
        return Err(SdJwtError::Malformed);
    }
    let claims = KeyBindingClaims {
        iat: NumericDate::from_secs(iat),
        exp: None,
        nbf: None,
        aud: aud.to_owned(),
        nonce: nonce.to_owned(),
        sd_hash: sd_hash(presentation),
        transaction_data_hashes_alg: transaction_data_hashes
            .as_ref()
            .map(|_| "sha-256".to_owned()),
        transaction_data_hashes,
    };
    let kb = jose::sign_json(KB_JWT_TYP, Map::new(), &claims, holder_key)
        .map_err(SdJwtError::KeyBindingJwt)?;
    Ok(format!("{presentation}{kb}"))
}

pub(crate) fn verify(
    kb: &UnverifiedJws,
    presentation_without_kb: &str,
    holder_key: &PublicJwk,
    expected: &KbExpectation<'_>,
) -> Result<KeyBindingClaims, SdJwtError> {
    kb.expect_typ(KB_JWT_TYP)
        .map_err(SdJwtError::KeyBindingJwt)?;
    // Signature first: the claims are parsed only once they are authenticated. A failed
    // parse after a good signature is a claims error, as it was with `verify` + `claims`.
    let claims: KeyBindingClaims = kb.verify_claims(holder_key).map_err(|e| match e {
        JoseError::Json { .. } => SdJwtError::KeyBindingClaim("iat/aud/nonce/sd_hash"),
        other => SdJwtError::KeyBindingJwt(other),
    })?;
    if claims.aud != expected.aud {
        return Err(SdJwtError::WrongAudience);
    }
    if claims.nonce != expected.nonce {
        return Err(SdJwtError::WrongNonce);
    }
    let (now, skew) = (expected.now, expected.future_skew);
    if claims.iat.is_after(now, skew) {
        return Err(SdJwtError::KeyBindingInFuture);
    }
    if claims.iat.is_before(now, expected.max_age) {
        return Err(SdJwtError::KeyBindingStale);
    }
    // RFC 9901 §7.3 step 5.8: the KB-JWT must be a valid JWT, so its own `exp` and `nbf`
    // hold too, with the same tolerance as `iat`.
    if claims.exp.is_some_and(|exp| exp.has_passed(now, skew)) {
        return Err(SdJwtError::KeyBindingExpired);
    }
    if claims.nbf.is_some_and(|nbf| nbf.is_after(now, skew)) {
        return Err(SdJwtError::KeyBindingNotYetValid);
    }
    if claims.sd_hash != sd_hash(presentation_without_kb) {
        return Err(SdJwtError::WrongSdHash);
    }
    match (
        expected.transaction_data_hashes,
        &claims.transaction_data_hashes,
    ) {
        (None, None) => {}
        (Some(want), Some(got)) if want == got.as_slice() => {
            if claims
                .transaction_data_hashes_alg
                .as_deref()
                .is_some_and(|alg| alg != "sha-256")
            {
                return Err(SdJwtError::WrongTransactionData);
            }
        }
        _ => return Err(SdJwtError::WrongTransactionData),
    }
    Ok(claims)
}
