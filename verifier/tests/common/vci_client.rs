//! A holder that collects credentials by hand over OpenID4VCI (protocol crate only), keeping
//! every single-use value it spent: the pre-authorized code, the access token, the nonce
//! and the refresh token. The fault tests replay those after a crash; the soak collects
//! with it. Shared by the verifier's tests and benches and the issuer's fault test.
#![allow(dead_code)]
use protocol::jose::{SigningKey, UnverifiedJws};
use protocol::oid4vci::{create_proof, parse_offer_uri, OfferReference, TokenGrant, TokenRequest};
use serde_json::{json, Value};

/// What one collection spent and received.
#[derive(Clone, Debug)]
pub struct Collected {
    pub offer_id: String,
    /// The pre-authorized code (spent at the token endpoint), or the refresh token spent
    /// for a renewal.
    pub grant: Spent,
    pub access_token: String,
    pub nonce: String,
    /// The refresh token the token endpoint handed back (unspent).
    pub refresh_token: String,
    /// The credentials with their holder keys and status positions.
    pub credentials: Vec<(String, SigningKey, StatusPosition)>,
}

/// The single-use value a token request spent.
#[derive(Clone, Debug)]
pub enum Spent {
    Code(String),
    Refresh(String),
}

/// Where a credential's status bit is: the status list URI and index in its payload.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StatusPosition {
    pub uri: String,
    pub idx: u64,
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A step's failure: which step, and the status or transport error.
fn step(name: &str, e: impl std::fmt::Display) -> String {
    format!("{name}: {e}")
}

async fn json_of(r: reqwest::Response, name: &str) -> Result<Value, String> {
    let status = r.status();
    let body: Value = r.json().await.map_err(|e| step(name, e))?;
    if !status.is_success() {
        return Err(step(name, format!("{status} {body}")));
    }
    Ok(body)
}

/// The status position in a credential's issuer-signed payload.
pub fn status_of(credential: &str) -> Result<StatusPosition, String> {
    let jwt = credential.split('~').next().unwrap_or_default();
    let claims: Value = UnverifiedJws::parse(jwt)
        .and_then(|j| j.claims_unverified())
        .map_err(|e| step("credential", e))?;
    let list = &claims["status"]["status_list"];
    match (list["uri"].as_str(), list["idx"].as_u64()) {
        (Some(uri), Some(idx)) => Ok(StatusPosition {
            uri: uri.to_owned(),
            idx,
        }),
        _ => Err("credential without a status reference".into()),
    }
}

/// A back-office offer for `bsn`: (offer id, pre-authorized code).
pub async fn offer(
    http: &reqwest::Client,
    issuer: &str,
    admin: &str,
    bsn: &str,
    kind: &str,
) -> Result<(String, String), String> {
    let r = http
        .post(format!("{issuer}/api/offers"))
        .bearer_auth(admin)
        .json(&json!({"bsn": bsn, "credential_type": kind}))
        .send()
        .await
        .map_err(|e| step("offer", e))?;
    let body = json_of(r, "offer").await?;
    let uri = body["offer_uri"].as_str().ok_or("offer: no offer_uri")?;
    let OfferReference::ByValue(offer) =
        parse_offer_uri(uri, true).map_err(|e| step("offer", e))?
    else {
        return Err("offer: by reference".into());
    };
    let code = offer
        .pre_authorized()
        .ok_or("offer: no pre-authorized code")?
        .pre_authorized_code
        .clone();
    let id = body["offer_id"].as_str().ok_or("offer: no id")?.to_owned();
    Ok((id, code))
}

/// The token endpoint with a form body: (status, body).
pub async fn token_request(
    http: &reqwest::Client,
    issuer: &str,
    form: String,
) -> Result<(u16, Value), String> {
    let r = http
        .post(format!("{issuer}/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .map_err(|e| step("token", e))?;
    let status = r.status().as_u16();
    Ok((status, r.json().await.map_err(|e| step("token", e))?))
}

/// The token form that spends `spent`.
pub fn token_form(spent: &Spent) -> String {
    match spent {
        Spent::Code(code) => TokenRequest {
            pre_authorized_code: code.clone(),
            tx_code: None,
        }
        .to_form(),
        Spent::Refresh(token) => TokenGrant::refresh_form(token),
    }
}

/// A fresh nonce from the nonce endpoint.
pub async fn nonce(http: &reqwest::Client, issuer: &str) -> Result<String, String> {
    let r = http
        .post(format!("{issuer}/nonce"))
        .send()
        .await
        .map_err(|e| step("nonce", e))?;
    let body = json_of(r, "nonce").await?;
    Ok(body["c_nonce"].as_str().ok_or("nonce: none")?.to_owned())
}

/// The credential endpoint with `copies` proofs over `nonce`: (status, body, holder keys).
pub async fn credential_request(
    http: &reqwest::Client,
    issuer: &str,
    access_token: &str,
    kind: &str,
    nonce: &str,
    copies: usize,
) -> Result<(u16, Value, Vec<SigningKey>), String> {
    let keys: Vec<SigningKey> = (0..copies).map(|_| SigningKey::generate()).collect();
    let proofs = keys
        .iter()
        .map(|k| create_proof(k, issuer, nonce, now()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| step("proof", e))?;
    let r = http
        .post(format!("{issuer}/credential"))
        .bearer_auth(access_token)
        .json(&json!({"credential_configuration_id": kind, "proofs": {"jwt": proofs}}))
        .send()
        .await
        .map_err(|e| step("credential", e))?;
    let status = r.status().as_u16();
    let body = r.json().await.map_err(|e| step("credential", e))?;
    Ok((status, body, keys))
}

/// Spends `spent` at the token endpoint and collects `copies` credentials of `kind`.
pub async fn collect_with(
    http: &reqwest::Client,
    issuer: &str,
    offer_id: &str,
    spent: Spent,
    kind: &str,
    copies: usize,
) -> Result<Collected, String> {
    let (status, token) = token_request(http, issuer, token_form(&spent)).await?;
    if status != 200 {
        return Err(step("token", format!("{status} {token}")));
    }
    let access_token = token["access_token"].as_str().ok_or("token: none")?;
    let refresh_token = token["refresh_token"].as_str().ok_or("token: no refresh")?;
    let nonce = nonce(http, issuer).await?;
    let (status, body, keys) =
        credential_request(http, issuer, access_token, kind, &nonce, copies).await?;
    if status != 200 {
        return Err(step("credential", format!("{status} {body}")));
    }
    let issued = body["credentials"]
        .as_array()
        .ok_or("credential: no credentials")?;
    if issued.len() != keys.len() {
        return Err("credential: not one copy per proof".into());
    }
    let mut credentials = Vec::with_capacity(keys.len());
    for (c, key) in issued.iter().zip(keys) {
        let sd_jwt = c["credential"].as_str().ok_or("credential: not a string")?;
        credentials.push((sd_jwt.to_owned(), key, status_of(sd_jwt)?));
    }
    Ok(Collected {
        offer_id: offer_id.to_owned(),
        grant: spent,
        access_token: access_token.to_owned(),
        nonce,
        refresh_token: refresh_token.to_owned(),
        credentials,
    })
}

/// A whole collection from a new back-office offer.
pub async fn collect(
    http: &reqwest::Client,
    issuer: &str,
    admin: &str,
    bsn: &str,
    kind: &str,
    copies: usize,
) -> Result<Collected, String> {
    let (offer_id, code) = offer(http, issuer, admin, bsn, kind).await?;
    collect_with(http, issuer, &offer_id, Spent::Code(code), kind, copies).await
}
