//! The relying parties this verifier serves, each from a directory: `party.json` (id, client
//! identifier, API key, registration), `request-key.jwk` (signs its request objects) and
//! `attestation.jwt` (the trust anchor's verifier attestation binding that key to the
//! registration). Attestations are checked at start-up.
use std::path::Path;

use protocol::jose::{sha256, PublicJwk, SigningKey};
use protocol::trust::{Registration, UnverifiedAttestation};
use serde::Deserialize;

/// Why the registry cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path} is not valid: {reason}")]
    Invalid { path: String, reason: String },
}

#[derive(Deserialize)]
struct PartyFile {
    id: String,
    client_id: String,
    api_key: String,
    registration: Registration,
}

/// One relying party.
pub struct RelyingParty {
    /// Short id used in the session API (`relying_party`).
    pub id: String,
    /// Client identifier without the `verifier_attestation:` prefix.
    pub client_id: String,
    pub registration: Registration,
    pub request_key: SigningKey,
    pub attestation: String,
    /// The answer addresses the attestation binds (`redirect_uris`), if any.
    pub redirect_uris: Option<Vec<String>>,
    api_key_digest: [u8; 32],
}

impl RelyingParty {
    /// The client identifier with prefix, as in `aud` of key binding JWTs.
    pub fn prefixed_client_id(&self) -> String {
        format!("{}{}", protocol::trust::CLIENT_ID_PREFIX, self.client_id)
    }
}

/// All relying parties.
pub struct Registry {
    parties: Vec<RelyingParty>,
}

fn read(path: &Path) -> Result<String, RegistryError> {
    std::fs::read_to_string(path).map_err(|e| RegistryError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

fn invalid(path: &Path, reason: impl ToString) -> RegistryError {
    RegistryError::Invalid {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

impl Registry {
    /// Loads every sub-directory of `dir` that has a `party.json`, checking each attestation
    /// against `anchor` at `now`.
    pub fn load(dir: &Path, anchor: &PublicJwk, now: u64) -> Result<Registry, RegistryError> {
        let entries = std::fs::read_dir(dir).map_err(|e| RegistryError::Read {
            path: dir.display().to_string(),
            reason: e.to_string(),
        })?;
        let mut dirs: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("party.json").is_file())
            .collect();
        dirs.sort();
        let parties = dirs
            .iter()
            .map(|d| load_party(d, anchor, now))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Registry { parties })
    }

    /// A registry from parties built in code (tests).
    pub fn from_parties(parties: Vec<RelyingParty>) -> Registry {
        Registry { parties }
    }

    /// The party whose API key this is. Keys are compared by digest, so timing does not
    /// reveal how much of a guess was right.
    pub fn by_api_key(&self, key: &str) -> Option<&RelyingParty> {
        let digest = sha256(key.as_bytes());
        self.parties.iter().find(|p| p.api_key_digest == digest)
    }

    pub fn by_id(&self, id: &str) -> Option<&RelyingParty> {
        self.parties.iter().find(|p| p.id == id)
    }

    pub fn parties(&self) -> &[RelyingParty] {
        &self.parties
    }

    /// Checks that every party whose attestation binds answer addresses lists
    /// `response_uri`, this verifier's one answer address: otherwise every wallet would block
    /// that party's requests, which is better said at start.
    pub fn check_answer_address(&self, response_uri: &str) -> Result<(), RegistryError> {
        for party in &self.parties {
            if let Some(allowed) = &party.redirect_uris {
                if !allowed.iter().any(|uri| uri == response_uri) {
                    return Err(RegistryError::Invalid {
                        path: format!("{}/attestation.jwt", party.id),
                        reason: format!(
                            "its redirect_uris do not name this verifier's answer address {response_uri}"
                        ),
                    });
                }
            }
        }
        Ok(())
    }
}

impl RelyingParty {
    /// A party from its parts (tests and the `attest` tool).
    pub fn new(
        id: &str,
        client_id: &str,
        api_key: &str,
        registration: Registration,
        request_key: SigningKey,
        attestation: String,
    ) -> RelyingParty {
        RelyingParty {
            id: id.to_owned(),
            client_id: client_id.to_owned(),
            registration,
            request_key,
            attestation,
            redirect_uris: None,
            api_key_digest: sha256(api_key.as_bytes()),
        }
    }
}

fn load_party(dir: &Path, anchor: &PublicJwk, now: u64) -> Result<RelyingParty, RegistryError> {
    let party_path = dir.join("party.json");
    let file: PartyFile =
        serde_json::from_str(&read(&party_path)?).map_err(|e| invalid(&party_path, e))?;
    let key_path = dir.join("request-key.jwk");
    let key_json: serde_json::Value =
        serde_json::from_str(&read(&key_path)?).map_err(|e| invalid(&key_path, e))?;
    let request_key = SigningKey::from_private_jwk(&key_json).map_err(|e| invalid(&key_path, e))?;
    let att_path = dir.join("attestation.jwt");
    let attestation = read(&att_path)?.trim().to_owned();
    let verified = UnverifiedAttestation::parse(&attestation)
        .and_then(|a| a.verify(anchor, &file.client_id, now))
        .map_err(|e| invalid(&att_path, e))?;
    if !verified.request_key().same_key(request_key.public_jwk()) {
        return Err(invalid(&att_path, "attests another request key"));
    }
    if verified.registration() != &file.registration {
        return Err(invalid(
            &att_path,
            "attests another registration than party.json",
        ));
    }
    let mut party = RelyingParty::new(
        &file.id,
        &file.client_id,
        &file.api_key,
        file.registration,
        request_key,
        attestation,
    );
    party.redirect_uris = verified.redirect_uris().map(<[String]>::to_vec);
    Ok(party)
}
