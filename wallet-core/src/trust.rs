//! What the wallet trusts: the scheme's trust anchor key (verifier attestations, trust
//! list) and the signed trust list of issuers. The demo anchor and list from `fixtures/demo`
//! are built in; a deployment configures its own files.
use std::path::Path;

use protocol::jose::PublicJwk;
use protocol::trust::{TrustList, VerifiedTrustList};

use crate::error::WalletError;

const DEMO_ANCHOR: &str = include_str!("../../fixtures/demo/trust-anchor.public.jwk");
const DEMO_TRUST_LIST: &str = include_str!("../../fixtures/demo/trust-list.jwt");
const MAX_FILE: u64 = 256 * 1024;

/// The trust anchor key and the (signed, not yet checked) trust list.
#[derive(Clone, Debug)]
pub struct TrustConfig {
    anchor: PublicJwk,
    trust_list_jwt: String,
}

impl TrustConfig {
    /// The demo trust anchor and trust list (demo only, see fixtures/demo/README.md).
    pub fn demo() -> Result<TrustConfig, WalletError> {
        TrustConfig::from_texts(DEMO_ANCHOR, DEMO_TRUST_LIST)
    }

    /// From an anchor public JWK and a signed trust list.
    pub fn from_texts(anchor_jwk: &str, trust_list_jwt: &str) -> Result<TrustConfig, WalletError> {
        let value: serde_json::Value = serde_json::from_str(anchor_jwk)
            .map_err(|_| WalletError::TrustList("trust anchor key is not JSON".into()))?;
        let anchor = PublicJwk::from_json_value(&value)
            .map_err(|e| WalletError::TrustList(format!("trust anchor key: {e}")))?;
        Ok(TrustConfig {
            anchor,
            trust_list_jwt: trust_list_jwt.trim().to_owned(),
        })
    }

    /// Replaces the built-in files with those given.
    pub fn from_files(
        anchor: Option<&Path>,
        trust_list: Option<&Path>,
    ) -> Result<TrustConfig, WalletError> {
        let anchor = match anchor {
            Some(p) => read_small(p)?,
            None => DEMO_ANCHOR.to_owned(),
        };
        let list = match trust_list {
            Some(p) => read_small(p)?,
            None => DEMO_TRUST_LIST.to_owned(),
        };
        TrustConfig::from_texts(&anchor, &list)
    }

    /// The trust anchor's key.
    pub fn anchor(&self) -> &PublicJwk {
        &self.anchor
    }

    /// The trust list, checked against the anchor at `now`.
    pub fn trust_list(&self, now: u64) -> Result<VerifiedTrustList, WalletError> {
        TrustList::verify(&self.trust_list_jwt, &self.anchor, now)
            .map_err(|e| WalletError::TrustList(e.to_string()))
    }
}

fn read_small(path: &Path) -> Result<String, WalletError> {
    let too_big = std::fs::metadata(path)
        .map(|m| m.len() > MAX_FILE)
        .map_err(|e| WalletError::TrustList(format!("cannot read {}: {e}", path.display())))?;
    if too_big {
        return Err(WalletError::TrustList(format!(
            "{} is larger than {MAX_FILE} bytes",
            path.display()
        )));
    }
    std::fs::read_to_string(path)
        .map_err(|e| WalletError::TrustList(format!("cannot read {}: {e}", path.display())))
}
