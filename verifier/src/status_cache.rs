//! Token Status Lists, fetched from the issuer and kept for their `ttl` (bounded), so that a
//! busy verifier asks the issuer once per list per few minutes, not once per presentation.
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use protocol::status_list::StatusReference;
use protocol::status_list::{Status, UnverifiedStatusListToken, VerifiedStatusList, MAX_TOKEN_LEN};
use protocol::trust::VerifiedTrustList;

/// Shortest and longest time a list is kept, whatever its `ttl` says.
const MIN_TTL: u64 = 30;
const MAX_TTL: u64 = 3600;
const DEFAULT_TTL: u64 = 300;

/// A list fetched again must not be older or shorter than the one seen before: an old token
/// replayed by a cache or an attacker in the path (still validly signed, not yet expired)
/// would make a revoked credential valid again, and a shorter list would turn indices
/// already handed out into "unknown".
fn not_going_back(
    seen: &VerifiedStatusList,
    fetched: &VerifiedStatusList,
) -> Result<(), StatusError> {
    if fetched.issued_at() < seen.issued_at() {
        return Err(StatusError::Invalid(
            "the list is older than the one seen before".into(),
        ));
    }
    if fetched.list().len() < seen.list().len() {
        return Err(StatusError::Invalid(
            "the list is shorter than the one seen before".into(),
        ));
    }
    Ok(())
}

/// Why a status could not be established.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    #[error("the status list is not at the issuer's address")]
    ForeignList,
    #[error("the status list could not be fetched")]
    Unreachable,
    #[error("the status list does not verify: {0}")]
    Invalid(String),
}

struct Cached {
    list: VerifiedStatusList,
    until: u64,
}

/// The cache, shared by all requests.
pub struct StatusCache {
    http: reqwest::Client,
    lists: Mutex<HashMap<String, Cached>>,
    allow_http_loopback: bool,
}

impl StatusCache {
    pub fn new(allow_http_loopback: bool) -> StatusCache {
        Self::trusting(allow_http_loopback, &[])
    }

    /// As [`StatusCache::new`], trusting `extra_roots` besides the system's roots for the
    /// issuers' HTTPS (an organisation's own CA; `--ca-cert`).
    pub fn trusting(
        allow_http_loopback: bool,
        extra_roots: &[reqwest::Certificate],
    ) -> StatusCache {
        let http = regie_ops::tls::client_trusting(extra_roots)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        StatusCache {
            http,
            lists: Mutex::new(HashMap::new()),
            allow_http_loopback,
        }
    }

    /// The status of `reference` in a list of `issuer`, verified with its key from `trust`.
    pub async fn status(
        &self,
        issuer: &str,
        reference: &StatusReference,
        trust: &VerifiedTrustList,
        now: u64,
    ) -> Result<Status, StatusError> {
        if let Some(status) = self.cached(&reference.uri, reference.idx, now) {
            return Ok(status);
        }
        // A credential could point anywhere: only lists under the issuer's own URL count.
        let under_issuer = reference
            .uri
            .starts_with(&format!("{}/", issuer.trim_end_matches('/')));
        if !under_issuer || !protocol::is_fetchable_url(&reference.uri, self.allow_http_loopback) {
            return Err(StatusError::ForeignList);
        }
        let token = self.fetch(&reference.uri).await?;
        let token = UnverifiedStatusListToken::parse(&token)
            .map_err(|e| StatusError::Invalid(e.to_string()))?;
        let key = trust
            .issuer_key(issuer, token.kid())
            .cloned()
            .ok_or_else(|| StatusError::Invalid("signed with an unknown key".into()))?;
        let list = token
            .verify(&key, &reference.uri, now)
            .map_err(|e| StatusError::Invalid(e.to_string()))?;
        let ttl = list.ttl().unwrap_or(DEFAULT_TTL).clamp(MIN_TTL, MAX_TTL);
        let status = list
            .status_at(reference.idx)
            .map_err(|e| StatusError::Invalid(e.to_string()))?;
        if let Ok(mut lists) = self.lists.lock() {
            if let Some(seen) = lists.get(&reference.uri) {
                not_going_back(&seen.list, &list)?;
            }
            lists.insert(
                reference.uri.clone(),
                Cached {
                    list,
                    until: now + ttl,
                },
            );
        }
        Ok(status)
    }

    /// The status from the kept list while its time lasts. Expired lists stay in the map:
    /// the next fetch is compared with them ([`not_going_back`]).
    fn cached(&self, uri: &str, idx: u64, now: u64) -> Option<Status> {
        let lists = self.lists.lock().ok()?;
        let cached = lists.get(uri)?;
        if cached.until <= now {
            return None;
        }
        cached.list.status_at(idx).ok()
    }

    /// Forgets every list (tests, or after a revocation the operator wants seen at once).
    pub fn clear(&self) {
        if let Ok(mut lists) = self.lists.lock() {
            lists.clear();
        }
    }

    async fn fetch(&self, uri: &str) -> Result<String, StatusError> {
        let mut response = self
            .http
            .get(uri)
            .header("accept", "application/statuslist+jwt")
            .send()
            .await
            .map_err(|_| StatusError::Unreachable)?;
        if !response.status().is_success() {
            return Err(StatusError::Unreachable);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|_| StatusError::Unreachable)?
        {
            if body.len() + chunk.len() > MAX_TOKEN_LEN {
                return Err(StatusError::Invalid("too large".into()));
            }
            body.extend_from_slice(&chunk);
        }
        String::from_utf8(body)
            .map(|s| s.trim().to_owned())
            .map_err(|_| StatusError::Invalid("not text".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::jose::SigningKey;
    use protocol::status_list::StatusList;

    const URI: &str = "https://gemeente.example/status/1";

    fn signed(key: &SigningKey, len: u64, iat: u64) -> VerifiedStatusList {
        let token = StatusList::new(1, len)
            .unwrap()
            .sign(URI, iat, Some(iat + 86_400), Some(300), key)
            .unwrap();
        UnverifiedStatusListToken::parse(&token)
            .unwrap()
            .verify(key.public_jwk(), URI, iat + 1)
            .unwrap()
    }

    /// A credential naming a status list anywhere but under its issuer's address: not fetched
    /// (the address is not even connected to), refused as foreign.
    #[tokio::test]
    async fn a_status_list_outside_the_issuers_address_is_not_fetched() {
        use protocol::trust::{Localized, TrustList, TrustedIssuer};
        let anchor = SigningKey::generate();
        let issuer = SigningKey::generate();
        let jwt = TrustList {
            iss: "anchor".into(),
            iat: 1_000,
            exp: 9_000,
            issuers: vec![TrustedIssuer {
                id: "https://gemeente.example".into(),
                name: Localized {
                    nl: "Gemeente".into(),
                    en: "Municipality".into(),
                },
                keys: vec![issuer.public_jwk().clone()],
                credential_types: vec![],
            }],
        }
        .sign(&anchor)
        .unwrap();
        let trust = TrustList::verify(&jwt, anchor.public_jwk(), 2_000).unwrap();
        let cache = StatusCache::new(false);
        for uri in [
            "https://evil.example/status/1",
            "https://gemeente.example.evil.example/status/1",
            "http://gemeente.example/status/1",
        ] {
            let reference = StatusReference {
                uri: uri.into(),
                idx: 0,
            };
            assert_eq!(
                cache
                    .status("https://gemeente.example", &reference, &trust, 2_000)
                    .await,
                Err(StatusError::ForeignList),
                "{uri}"
            );
        }
    }

    #[test]
    fn an_older_or_shorter_list_than_the_one_seen_is_refused() {
        let key = SigningKey::generate();
        let seen = signed(&key, 1024, 2_000);
        assert!(not_going_back(&seen, &signed(&key, 1024, 2_000)).is_ok());
        assert!(not_going_back(&seen, &signed(&key, 2048, 3_000)).is_ok());
        let older = not_going_back(&seen, &signed(&key, 1024, 1_999)).unwrap_err();
        assert!(older.to_string().contains("older"), "{older}");
        let shorter = not_going_back(&seen, &signed(&key, 512, 3_000)).unwrap_err();
        assert!(shorter.to_string().contains("shorter"), "{shorter}");
    }
}
