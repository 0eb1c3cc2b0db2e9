//! HTTP for the protocol clients: no redirects (a redirect could lead off the checked
//! origin), timeouts, every response body read with a size limit, and never into the
//! network the device sits in: every URL is checked by `protocol::url_policy` before it is
//! sent, and host names resolving to internal addresses are dropped by the resolver, so a
//! name that points at 10.0.0.1 or 169.254.169.254 is refused like the literal address.
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use protocol::url_policy::{check_fetchable_url, ip_allowed, UrlRefusal};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use reqwest::header::{ACCEPT, CONTENT_TYPE};

use crate::error::WalletError;

/// The certificates of a PEM file: at least one, each a valid certificate.
pub fn read_ca_certs(pem: &[u8]) -> Result<Vec<reqwest::Certificate>, WalletError> {
    let certificates = reqwest::Certificate::from_pem_bundle(pem)
        .map_err(|_| WalletError::CaCert("not a PEM certificate file".into()))?;
    if certificates.is_empty() {
        return Err(WalletError::CaCert("the file holds no certificate".into()));
    }
    Ok(certificates)
}

/// Reads and checks a PEM file of CA certificates (for `--ca-cert`, `REGIE_WALLET_CA_CERT`).
pub fn read_ca_file(path: &std::path::Path) -> Result<Vec<u8>, WalletError> {
    let pem = std::fs::read(path)
        .map_err(|e| WalletError::CaCert(format!("cannot read {}: {e}", path.display())))?;
    read_ca_certs(&pem)?;
    Ok(pem)
}

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
        protocol::json::from_slice(&self.body).map_err(|_| WalletError::Remote {
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
    allow_loopback: bool,
}

impl Http {
    /// `allow_loopback`: this machine may be reached (tests and the local demo);
    /// `extra_ca_pem`: CA certificates trusted besides the system's roots.
    pub fn new(allow_loopback: bool, extra_ca_pem: Option<&[u8]>) -> Result<Http, WalletError> {
        let mut builder = reqwest::Client::builder();
        if let Some(pem) = extra_ca_pem {
            for certificate in read_ca_certs(pem)? {
                builder = builder.add_root_certificate(certificate);
            }
        }
        let client = builder
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(PublicResolver { allow_loopback }))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .user_agent(concat!("regie-wallet/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| WalletError::Network {
                what: "the network",
                reason: e.to_string(),
            })?;
        Ok(Http {
            client,
            allow_loopback,
        })
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
        self.send(what, request, limit).await
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
        self.send(what, request, limit).await
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
        self.send(what, request, limit).await
    }

    async fn send(
        &self,
        what: &'static str,
        request: reqwest::RequestBuilder,
        limit: usize,
    ) -> Result<Reply, WalletError> {
        let request = request.build().map_err(|_| WalletError::Network {
            what,
            reason: "not a valid address".into(),
        })?;
        check_fetchable_url(request.url().as_str(), self.allow_loopback).map_err(|e| {
            WalletError::Network {
                what,
                reason: format!("refused to connect: {e}"),
            }
        })?;
        read_reply(what, self.client.execute(request).await, limit).await
    }
}

/// Resolves host names with the system resolver and keeps only the addresses the URL policy
/// allows.
struct PublicResolver {
    allow_loopback: bool,
}

/// Every address of a name was internal.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct InternalName(UrlRefusal);

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_loopback = self.allow_loopback;
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let mut refusal = None;
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| match ip_allowed(a.ip(), allow_loopback) {
                    Ok(()) => true,
                    Err(e) => {
                        refusal = Some(e);
                        false
                    }
                })
                .collect();
            match (allowed.is_empty(), refusal) {
                (true, Some(e)) => Err(Box::new(InternalName(e)) as _),
                _ => Ok(Box::new(allowed.into_iter()) as Addrs),
            }
        })
    }
}

/// The refusal behind a failed connection, when the resolver refused the name.
fn refused_name(e: &reqwest::Error) -> Option<String> {
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        if let Some(refused) = inner.downcast_ref::<InternalName>() {
            return Some(refused.to_string());
        }
        source = inner.source();
    }
    None
}

async fn read_reply(
    what: &'static str,
    sent: Result<reqwest::Response, reqwest::Error>,
    limit: usize,
) -> Result<Reply, WalletError> {
    let network = |e: reqwest::Error| WalletError::Network {
        what,
        reason: if let Some(refused) = refused_name(&e) {
            format!("refused to connect: {refused}")
        } else if e.is_timeout() {
            "no answer in time".into()
        } else if e.is_connect() {
            "no connection".into()
        } else {
            "the connection failed".into()
        },
    };
    let mut response = sent.map_err(network)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    /// A name is judged by what it resolves to: `localhost` stands in for any name an
    /// attacker points at an internal address (only loopback resolves the same everywhere).
    #[tokio::test]
    async fn names_resolving_to_refused_addresses_are_dropped() {
        let name = || Name::from_str("localhost").unwrap();
        let refused = PublicResolver {
            allow_loopback: false,
        }
        .resolve(name())
        .await;
        let e = refused.err().expect("localhost resolved with loopback off");
        assert!(e.to_string().contains("this device"), "{e}");
        let allowed = PublicResolver {
            allow_loopback: true,
        }
        .resolve(name())
        .await
        .unwrap();
        assert!(allowed.into_iter().all(|a| a.ip().is_loopback()));
    }
}
