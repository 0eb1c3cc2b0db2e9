//! The municipality as a relying party: it asks for presentations through the verifier's
//! session API as the registered party `gemeente`, with that party's API key, exactly as
//! any relying party's back-end would, and has statement files re-verified there.
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Map, Value};
use zeroize::Zeroizing;

use super::rules::VerifiedConsent;

/// Largest answer read from the verifier.
const MAX_ANSWER_BYTES: usize = 512 * 1024;
const TIMEOUT: Duration = Duration::from_secs(10);

/// Why the verifier could not be used.
#[derive(Debug, thiserror::Error)]
pub enum VerifierError {
    #[error("the verifier cannot be reached: {0}")]
    Unreachable(String),
    #[error("the verifier refused: {0}")]
    Refused(String),
    #[error("the verifier gave an unexpected answer: {0}")]
    BadAnswer(String),
    #[error("the party file cannot be used: {0}")]
    PartyFile(String),
}

/// Who the municipality is at the verifier.
pub struct PartyConfig {
    /// The verifier's base URL, without trailing slash.
    pub verifier_url: String,
    pub api_key: Zeroizing<String>,
    /// The party's client identifier with its prefix, as statements carry it.
    pub client_id: String,
}

#[derive(Deserialize)]
struct PartyFile {
    client_id: String,
    api_key: String,
}

impl PartyConfig {
    /// From the party's registration file (`fixtures/relying-parties/gemeente/party.json`
    /// in the demo): its client identifier and API key.
    pub fn from_file(verifier_url: &str, path: &Path) -> Result<PartyConfig, VerifierError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| VerifierError::PartyFile(format!("{}: {e}", path.display())))?;
        let file: PartyFile = serde_json::from_str(&text)
            .map_err(|e| VerifierError::PartyFile(format!("{}: {e}", path.display())))?;
        Ok(PartyConfig {
            verifier_url: verifier_url.trim_end_matches('/').to_owned(),
            api_key: Zeroizing::new(file.api_key),
            client_id: format!("{}{}", protocol::trust::CLIENT_ID_PREFIX, file.client_id),
        })
    }
}

/// A session the verifier opened.
#[derive(Clone, Debug, Deserialize)]
pub struct NewSession {
    pub session_id: String,
    pub link: String,
    pub expires_at: u64,
}

/// A session's status word: `pending`, `retrieved`, `done`, `denied`, `failed`, `expired`.
#[derive(Clone, Debug, Deserialize)]
pub struct SessionStatus {
    pub status: String,
}

pub struct VerifierClient {
    party: PartyConfig,
    http: reqwest::Client,
}

impl VerifierClient {
    pub fn new(party: PartyConfig) -> Result<VerifierClient, VerifierError> {
        Self::trusting(party, &[])
    }

    /// As [`VerifierClient::new`], trusting `extra_roots` besides the system's roots for the
    /// verifier's HTTPS (`--ca-cert`).
    pub fn trusting(
        party: PartyConfig,
        extra_roots: &[reqwest::Certificate],
    ) -> Result<VerifierClient, VerifierError> {
        let http = regie_ops::tls::client_trusting(extra_roots)
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| VerifierError::Unreachable(e.to_string()))?;
        Ok(VerifierClient { party, http })
    }

    pub fn client_id(&self) -> &str {
        &self.party.client_id
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.party.verifier_url)
    }

    fn bearer(&self) -> String {
        format!("Bearer {}", self.party.api_key.as_str())
    }

    async fn read(response: reqwest::Response) -> Result<(u16, Value), VerifierError> {
        let status = response.status().as_u16();
        if response
            .content_length()
            .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
        {
            return Err(VerifierError::BadAnswer("answer too large".into()));
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| VerifierError::Unreachable(e.to_string()))?;
        if bytes.len() > MAX_ANSWER_BYTES {
            return Err(VerifierError::BadAnswer("answer too large".into()));
        }
        let value = serde_json::from_slice(&bytes)
            .map_err(|_| VerifierError::BadAnswer(format!("status {status}, not JSON")))?;
        Ok((status, value))
    }

    fn refused(status: u16, body: &Value) -> VerifierError {
        let code = body.get("error").and_then(Value::as_str).unwrap_or("error");
        VerifierError::Refused(format!("{status} {code}"))
    }

    /// `POST /api/sessions`.
    pub async fn create_session(
        &self,
        purpose: &str,
        dcql_query: Value,
        transaction_data: Vec<Value>,
    ) -> Result<NewSession, VerifierError> {
        let response = self
            .http
            .post(self.url("/api/sessions"))
            .header(reqwest::header::AUTHORIZATION, self.bearer())
            .json(&json!({
                "purpose": purpose,
                "dcql_query": dcql_query,
                "transaction_data": transaction_data,
            }))
            .send()
            .await
            .map_err(|e| VerifierError::Unreachable(e.to_string()))?;
        let (status, body) = Self::read(response).await?;
        if status != 201 {
            return Err(Self::refused(status, &body));
        }
        serde_json::from_value(body).map_err(|e| VerifierError::BadAnswer(e.to_string()))
    }

    /// `GET /api/sessions/{id}`.
    pub async fn session(&self, id: &str) -> Result<SessionStatus, VerifierError> {
        let (status, body) = self.get(&format!("/api/sessions/{id}")).await?;
        if status != 200 {
            return Err(Self::refused(status, &body));
        }
        serde_json::from_value(body).map_err(|e| VerifierError::BadAnswer(e.to_string()))
    }

    /// `GET /api/sessions/{id}/statement`: the signed statement file.
    pub async fn statement(&self, id: &str) -> Result<Value, VerifierError> {
        let (status, body) = self.get(&format!("/api/sessions/{id}/statement")).await?;
        if status != 200 {
            return Err(Self::refused(status, &body));
        }
        Ok(body)
    }

    async fn get(&self, path: &str) -> Result<(u16, Value), VerifierError> {
        let response = self
            .http
            .get(self.url(path))
            .header(reqwest::header::AUTHORIZATION, self.bearer())
            .send()
            .await
            .map_err(|e| VerifierError::Unreachable(e.to_string()))?;
        Self::read(response).await
    }

    /// `POST /api/statements/verify`: `Ok(None)` when the file does not verify.
    pub async fn verify_statement(
        &self,
        file: &Value,
    ) -> Result<Option<VerifiedConsent>, VerifierError> {
        let response = self
            .http
            .post(self.url("/api/statements/verify"))
            .json(file)
            .send()
            .await
            .map_err(|e| VerifierError::Unreachable(e.to_string()))?;
        let (status, body) = Self::read(response).await?;
        match status {
            200 if body.get("valid") == Some(&Value::Bool(true)) => {}
            422 => return Ok(None),
            _ => return Err(Self::refused(status, &body)),
        }
        let text = |v: &Value| v.as_str().map(str::to_owned);
        let client_id = body
            .get("client_id")
            .and_then(text)
            .ok_or_else(|| VerifierError::BadAnswer("no client_id".into()))?;
        let entries = body
            .get("statements")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|s| s.get("entry").cloned())
                    .collect()
            })
            .unwrap_or_default();
        let signer = match body.get("signer") {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        Ok(Some(VerifiedConsent {
            client_id,
            entries,
            signer,
        }))
    }
}
