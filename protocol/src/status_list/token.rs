//! The status list token (`statuslist+jwt`): parsing and the verifier's checks of its
//! claims (`sub`, `iat`, `exp`, `nbf`, `ttl`) before the list is read.

use serde_json::{Map, Value};

use super::{Status, StatusList, StatusListError, MAX_TOKEN_LEN, STATUS_LIST_TYP};
use crate::jose::{PublicJwk, UnverifiedJws};
use crate::numeric_date::NumericDate;
use crate::trust::CLOCK_SKEW;

/// A status list token as received; nothing checked but its form.
#[derive(Clone, Debug)]
pub struct UnverifiedStatusListToken {
    jws: UnverifiedJws,
}

impl UnverifiedStatusListToken {
    /// Parses a token of at most [`MAX_TOKEN_LEN`] bytes.
    pub fn parse(token: &str) -> Result<Self, StatusListError> {
        let jws = UnverifiedJws::parse_with_limit(token, MAX_TOKEN_LEN)
            .map_err(StatusListError::Token)?;
        Ok(UnverifiedStatusListToken { jws })
    }

    /// The header `kid`, to pick the issuer key.
    pub fn kid(&self) -> Option<&str> {
        self.jws.kid()
    }

    /// Checks `typ`, the signature, that `sub` is `expected_uri`, that it has not expired and
    /// is valid already (`nbf`), and that `ttl`, when present, is positive.
    pub fn verify(
        self,
        key: &PublicJwk,
        expected_uri: &str,
        now: u64,
    ) -> Result<VerifiedStatusList, StatusListError> {
        self.jws
            .expect_typ(STATUS_LIST_TYP)
            .map_err(StatusListError::Token)?;
        let verified = self.jws.verify(key).map_err(StatusListError::Token)?;
        let claims: Map<String, Value> = verified.claims().map_err(StatusListError::Token)?;
        let sub = claims
            .get("sub")
            .and_then(Value::as_str)
            .ok_or(StatusListError::MissingClaim("sub"))?;
        if sub != expected_uri {
            return Err(StatusListError::SubjectMismatch);
        }
        let iat = NumericDate::from_json(claims.get("iat").unwrap_or(&Value::Null))
            .map_err(|_| StatusListError::MissingClaim("iat"))?;
        let exp = optional_date(&claims, "exp")?;
        if exp.is_some_and(|exp| exp.has_passed(now, 0)) {
            return Err(StatusListError::Expired);
        }
        // An invalid JWT must be rejected (the draft, via RFC 7519): `nbf` in the future
        // makes it invalid for now, with the same clock tolerance as elsewhere.
        let nbf = optional_date(&claims, "nbf")?;
        if nbf.is_some_and(|nbf| nbf.is_after(now, CLOCK_SKEW)) {
            return Err(StatusListError::NotYetValid);
        }
        let ttl = ttl_claim(&claims)?;
        let list = StatusList::from_json(
            claims
                .get("status_list")
                .ok_or(StatusListError::MissingClaim("status_list"))?,
        )?;
        Ok(VerifiedStatusList {
            list,
            iat: iat.secs(),
            exp: exp.map(NumericDate::secs),
            ttl,
        })
    }
}

fn optional_date(
    claims: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<NumericDate>, StatusListError> {
    claims
        .get(name)
        .map(|v| NumericDate::from_json(v).map_err(|_| StatusListError::MissingClaim(name)))
        .transpose()
}

/// `ttl` must be a positive number (the draft, §5.1): zero would mean "never cache" in a
/// claim defined as a maximum cache time, and a negative or non-number is malformed. A
/// fraction is accepted and rounded down, so a cache never outlives it.
fn ttl_claim(claims: &Map<String, Value>) -> Result<Option<u64>, StatusListError> {
    let Some(value) = claims.get("ttl") else {
        return Ok(None);
    };
    let ttl = NumericDate::from_json(value).map_err(|_| StatusListError::MissingClaim("ttl"))?;
    if ttl == NumericDate::from_secs(0) {
        return Err(StatusListError::MissingClaim("ttl"));
    }
    Ok(Some(ttl.secs()))
}

/// A status list whose token was verified.
#[derive(Clone, Debug)]
pub struct VerifiedStatusList {
    list: StatusList,
    iat: u64,
    exp: Option<u64>,
    ttl: Option<u64>,
}

impl VerifiedStatusList {
    /// The status at `idx`.
    pub fn status_at(&self, idx: u64) -> Result<Status, StatusListError> {
        self.list.get(idx)
    }
    /// Issued at.
    pub fn issued_at(&self) -> u64 {
        self.iat
    }
    /// Expiry, if set.
    pub fn expires_at(&self) -> Option<u64> {
        self.exp
    }
    /// How long (seconds) a verifier may cache the list, if set.
    pub fn ttl(&self) -> Option<u64> {
        self.ttl
    }
    /// The list.
    pub fn list(&self) -> &StatusList {
        &self.list
    }
}
