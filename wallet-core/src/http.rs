//! HTTP for the protocol clients: no redirects (a redirect could lead off the checked
//! origin), timeouts, and every response body read with a size limit.
use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE};

use crate::error::WalletError;

/// A response: status code and body.
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(
        &self,
        what: &'static str,
    ) -> Result<T, WalletError> {
        serde_json::from_slice(&self.body).map_err(|_| WalletError::Remote {
            what,
            reason: "the answer is not the expected JSON".into(),
        })
    }

    /// The OAuth-style `error`/`error_description` of a failed response, for messages.
    pub fn error_text(&self) -> String {
        let parsed: Option<serde_json::Value> = serde_json::from_slice(&self.body).ok();
        let field = |name: &str| {
            parsed
                .as_ref()
                .and_then(|v| v.get(name))
                .and_then(|v| v.as_str())
                .map(|s| s.chars().take(200).collect::<String>())
        };
        match (field("error"), field("error_description")) {
            (Some(e), Some(d)) => format!("HTTP {} {e}: {d}", self.status),
            (Some(e), None) => format!("HTTP {} {e}", self.status),
            _ => format!("HTTP {}", self.status),
        }
    }
}

/// The client the wallet talks to issuers and verifiers with.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
}

impl Http {
    pub fn new() -> Result<Http, WalletError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .user_agent(concat!("regie-wallet/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| WalletError::Network {
                what: "the network",
                reason: e.to_string(),
            })?;
        Ok(Http { client })
    }

    /// GET with an `Accept` header.
    pub async fn get(
        &self,
        what: &'static str,
        url: &str,
        accept: &str,
        limit: usize,
    ) -> Result<Reply, WalletError> {
        let request = self.client.get(url).header(ACCEPT, accept);
        send(what, request, limit).await
    }

    /// POST a form body, optionally with a bearer token.
    pub async fn post_form(
        &self,
        what: &'static str,
        url: &str,
        body: String,
        bearer: Option<&str>,
        limit: usize,
    ) -> Result<Reply, WalletError> {
        let mut request = self
            .client
            .post(url)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ACCEPT, "application/json")
            .body(body);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        send(what, request, limit).await
    }

    /// POST a JSON body, optionally with a bearer token.
    pub async fn post_json(
        &self,
        what: &'static str,
        url: &str,
        body: &serde_json::Value,
        bearer: Option<&str>,
        limit: usize,
    ) -> Result<Reply, WalletError> {
        let mut request = self
            .client
            .post(url)
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json")
            .body(body.to_string());
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        send(what, request, limit).await
    }
}

async fn send(
    what: &'static str,
    request: reqwest::RequestBuilder,
    limit: usize,
) -> Result<Reply, WalletError> {
    let network = |e: reqwest::Error| WalletError::Network {
        what,
        reason: if e.is_timeout() {
            "no answer in time".into()
        } else if e.is_connect() {
            "no connection".into()
        } else {
            "the connection failed".into()
        },
    };
    let mut response = request.send().await.map_err(network)?;
    let status = response.status().as_u16();
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large(what, limit));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(network)? {
        if body.len() + chunk.len() > limit {
            return Err(too_large(what, limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Reply { status, body })
}

fn too_large(what: &'static str, limit: usize) -> WalletError {
    WalletError::Remote {
        what,
        reason: format!("the answer is larger than {limit} bytes"),
    }
}
