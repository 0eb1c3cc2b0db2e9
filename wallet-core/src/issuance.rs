//! The OpenID4VCI client: pre-authorized code flow with offers by value or by reference,
//! `tx_code`, the nonce endpoint, proof JWTs and batch issuance. Nothing is stored until
//! every received credential is fully verified: issuer on the trust list and allowed to
//! issue the type, signature, SD-JWT VC rules, a known `vct`, and a `cnf` key that is one
//! of the keys this wallet just made.
use protocol::credential_types::{CredentialType, Lang};
use protocol::jose::SigningKey;
use protocol::oid4vci::{
    self, create_proof, parse_offer_uri, CredentialOffer, CredentialResponse, NonceResponse,
    OfferReference, TokenGrant, TokenRequest, TokenResponse, FORMAT_SD_JWT_VC,
};
use protocol::sd_jwt_vc::{self, Clock as VcClock};
use protocol::trust::{VerifiedTrustList, CLOCK_SKEW};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::credentials::{
    get_record, id_of, put_record, CredentialCopy, CredentialRecord, CredentialStatus,
    CredentialSummary, HolderSecret, RefreshGrant,
};
use crate::error::WalletError;
use crate::history::{self, EventKind};
use crate::store::Batch;
use crate::wallet::UnlockedWallet;

const ISSUER: &str = "the issuer";
/// Largest metadata or token response accepted.
const MAX_SMALL_RESPONSE: usize = 64 * 1024;
/// Largest credential response accepted (a batch of SD-JWTs).
const MAX_CREDENTIAL_RESPONSE: usize = 1024 * 1024;

#[derive(Deserialize)]
struct IssuerMetadata {
    credential_issuer: String,
    credential_endpoint: String,
    nonce_endpoint: Option<String>,
    #[serde(default)]
    authorization_servers: Vec<String>,
    #[serde(default)]
    batch_credential_issuance: Option<BatchIssuance>,
    credential_configurations_supported: Map<String, Value>,
}

#[derive(Deserialize)]
struct BatchIssuance {
    batch_size: usize,
}

#[derive(Deserialize)]
struct AuthorizationServerMetadata {
    token_endpoint: String,
}

/// Takes the credentials an offer link offers. Returns the stored credentials.
pub async fn accept_offer(
    wallet: &UnlockedWallet,
    uri: &str,
    tx_code: Option<&str>,
) -> Result<Vec<CredentialSummary>, WalletError> {
    let now = wallet.now();
    let loopback = wallet.config().allow_http_loopback;
    let trust = wallet.config().trust.trust_list(now)?;
    let offer = resolve_offer(wallet, uri, loopback).await?;
    let issuer_id = offer.credential_issuer.clone();
    if trust.issuer(&issuer_id).is_none() {
        return Err(WalletError::UntrustedIssuer(issuer_id));
    }
    let grant = offer
        .pre_authorized()
        .ok_or_else(|| WalletError::Offer("it has no pre-authorized code".into()))?;
    let tx_code = match (&grant.tx_code, tx_code) {
        (Some(_), None) => return Err(WalletError::TxCodeRequired),
        (Some(_), Some(code)) => Some(code.trim().to_owned()),
        (None, _) => None,
    };
    let metadata = fetch_metadata(wallet, &issuer_id, loopback).await?;
    let token_endpoint = token_endpoint(wallet, &metadata, loopback).await?;
    let token = fetch_token(wallet, &token_endpoint, &grant.pre_authorized_code, tx_code).await?;

    let mut records = Vec::new();
    for config_id in &offer.credential_configuration_ids {
        let mut record = request_batch(
            wallet,
            &trust,
            &metadata,
            config_id,
            &token.access_token,
            now,
        )
        .await?;
        // A refresh token rotates on use, so it can serve one credential only.
        if offer.credential_configuration_ids.len() == 1 {
            record.refresh = token.refresh_token.clone().map(|t| RefreshGrant {
                token: t,
                configuration_id: config_id.clone(),
            });
        }
        records.push(record);
    }
    store_records(wallet, records, now)
}

/// Asks the credential endpoint for a batch of `config_id` with fresh holder keys, and
/// verifies what comes back.
async fn request_batch(
    wallet: &UnlockedWallet,
    trust: &VerifiedTrustList,
    metadata: &IssuerMetadata,
    config_id: &str,
    access_token: &str,
    now: u64,
) -> Result<CredentialRecord, WalletError> {
    let issuer_id = &metadata.credential_issuer;
    let vct = configured_vct(metadata, config_id)?;
    if CredentialType::from_vct(&vct).is_none() || !trust.may_issue(issuer_id, &vct) {
        return Err(WalletError::CredentialRejected(format!(
            "the issuer may not issue {vct:?} according to the trust list"
        )));
    }
    let batch_size = metadata
        .batch_credential_issuance
        .as_ref()
        .map_or(1, |b| b.batch_size)
        .clamp(1, wallet.config().copies.max(1));
    let keys: Vec<SigningKey> = (0..batch_size).map(|_| SigningKey::generate()).collect();
    let nonce = fetch_nonce(wallet, metadata).await?;
    let proofs = keys
        .iter()
        .map(|k| create_proof(k, issuer_id, &nonce, now))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| WalletError::Offer(e.to_string()))?;
    let body = json!({
        "credential_configuration_id": config_id,
        "proofs": {"jwt": proofs},
    });
    let reply = wallet
        .http()
        .post_json(
            ISSUER,
            &metadata.credential_endpoint,
            &body,
            Some(access_token),
            MAX_CREDENTIAL_RESPONSE,
        )
        .await?;
    if !reply.ok() {
        return Err(WalletError::Remote {
            what: ISSUER,
            reason: reply.error_text(),
        });
    }
    let response: CredentialResponse = reply.json(ISSUER)?;
    verify_batch(trust, issuer_id, &vct, &keys, &response, now)
}

/// Fetches a fresh batch for a stored credential with its refresh token: new copies, new
/// keys, and the issuer's current data (after a move: the new address). The rotated refresh
/// token is stored before the credential is requested, so a failure halfway keeps a
/// working token.
pub async fn renew(wallet: &UnlockedWallet, id: &str) -> Result<CredentialSummary, WalletError> {
    let now = wallet.now();
    let loopback = wallet.config().allow_http_loopback;
    let (store, key) = (wallet.store(), wallet.key());
    let mut record = get_record(store, key, id)?;
    let grant = record.refresh.clone().ok_or(WalletError::NotRenewable)?;
    let trust = wallet.config().trust.trust_list(now)?;
    if trust.issuer(&record.summary.issuer).is_none() {
        return Err(WalletError::UntrustedIssuer(record.summary.issuer.clone()));
    }
    let metadata = fetch_metadata(wallet, &record.summary.issuer, loopback).await?;
    let token_endpoint = token_endpoint(wallet, &metadata, loopback).await?;
    let reply = wallet
        .http()
        .post_form(
            ISSUER,
            &token_endpoint,
            TokenGrant::refresh_form(&grant.token),
            None,
            MAX_SMALL_RESPONSE,
        )
        .await?;
    if !reply.ok() {
        return Err(WalletError::Remote {
            what: ISSUER,
            reason: reply.error_text(),
        });
    }
    let token: TokenResponse = reply.json(ISSUER)?;
    record.refresh = token.refresh_token.clone().map(|t| RefreshGrant {
        token: t,
        configuration_id: grant.configuration_id.clone(),
    });
    let mut batch = Batch::new();
    put_record(&mut batch, key, &record)?;
    store.apply(batch)?;

    let fresh = request_batch(
        wallet,
        &trust,
        &metadata,
        &grant.configuration_id,
        &token.access_token,
        now,
    )
    .await?;
    record.copies = fresh.copies;
    record.summary = CredentialSummary {
        id: record.summary.id.clone(),
        stored_at: record.summary.stored_at,
        presentations: record.summary.presentations,
        ..fresh.summary
    };
    record.recount();
    let mut batch = Batch::new();
    put_record(&mut batch, key, &record)?;
    history::record(
        store,
        key,
        &mut batch,
        now,
        EventKind::Renewed {
            credential_id: record.summary.id.clone(),
            vct: record.summary.vct.clone(),
            copies: record.copies.len(),
        },
    )?;
    store.apply(batch)?;
    Ok(record.summary)
}

async fn resolve_offer(
    wallet: &UnlockedWallet,
    uri: &str,
    loopback: bool,
) -> Result<CredentialOffer, WalletError> {
    match parse_offer_uri(uri.trim(), loopback).map_err(|e| WalletError::Offer(e.to_string()))? {
        OfferReference::ByValue(offer) => Ok(offer),
        OfferReference::ByReference(url) => {
            let reply = wallet
                .http()
                .get(ISSUER, &url, "application/json", oid4vci::MAX_MESSAGE_LEN)
                .await?;
            if !reply.ok() {
                return Err(WalletError::Remote {
                    what: ISSUER,
                    reason: reply.error_text(),
                });
            }
            CredentialOffer::from_json(&reply.body).map_err(|e| WalletError::Offer(e.to_string()))
        }
    }
}

/// Endpoints must live under the issuer's own URL: metadata pointing elsewhere could send
/// the access token to a third party.
fn under(base: &str, url: &str, loopback: bool) -> bool {
    protocol::is_fetchable_url(url, loopback)
        && (url == base || url.starts_with(&format!("{}/", base.trim_end_matches('/'))))
}

async fn fetch_metadata(
    wallet: &UnlockedWallet,
    issuer_id: &str,
    loopback: bool,
) -> Result<IssuerMetadata, WalletError> {
    if !protocol::is_fetchable_url(issuer_id, loopback) {
        return Err(WalletError::Offer(
            "the issuer's address is not https".into(),
        ));
    }
    let url = format!(
        "{}/.well-known/openid-credential-issuer",
        issuer_id.trim_end_matches('/')
    );
    let reply = wallet
        .http()
        .get(ISSUER, &url, "application/json", MAX_SMALL_RESPONSE)
        .await?;
    if !reply.ok() {
        return Err(WalletError::Remote {
            what: ISSUER,
            reason: reply.error_text(),
        });
    }
    let metadata: IssuerMetadata = reply.json(ISSUER)?;
    let endpoints_ok = under(issuer_id, &metadata.credential_endpoint, loopback)
        && metadata
            .nonce_endpoint
            .as_deref()
            .is_none_or(|n| under(issuer_id, n, loopback));
    if metadata.credential_issuer != issuer_id || !endpoints_ok {
        return Err(WalletError::Remote {
            what: ISSUER,
            reason: "its metadata does not match the offer".into(),
        });
    }
    Ok(metadata)
}

async fn token_endpoint(
    wallet: &UnlockedWallet,
    metadata: &IssuerMetadata,
    loopback: bool,
) -> Result<String, WalletError> {
    let server = metadata
        .authorization_servers
        .first()
        .cloned()
        .unwrap_or_else(|| metadata.credential_issuer.clone());
    if !protocol::is_fetchable_url(&server, loopback) {
        return Err(WalletError::Remote {
            what: ISSUER,
            reason: "its authorization server is not https".into(),
        });
    }
    let url = format!(
        "{}/.well-known/oauth-authorization-server",
        server.trim_end_matches('/')
    );
    let reply = wallet
        .http()
        .get(ISSUER, &url, "application/json", MAX_SMALL_RESPONSE)
        .await?;
    if !reply.ok() {
        return Err(WalletError::Remote {
            what: ISSUER,
            reason: reply.error_text(),
        });
    }
    let as_metadata: AuthorizationServerMetadata = reply.json(ISSUER)?;
    if !under(&server, &as_metadata.token_endpoint, loopback) {
        return Err(WalletError::Remote {
            what: ISSUER,
            reason: "its token endpoint is elsewhere".into(),
        });
    }
    Ok(as_metadata.token_endpoint)
}

async fn fetch_token(
    wallet: &UnlockedWallet,
    endpoint: &str,
    code: &str,
    tx_code: Option<String>,
) -> Result<TokenResponse, WalletError> {
    let form = TokenRequest {
        pre_authorized_code: code.to_owned(),
        tx_code,
    }
    .to_form();
    let reply = wallet
        .http()
        .post_form(ISSUER, endpoint, form, None, MAX_SMALL_RESPONSE)
        .await?;
    if !reply.ok() {
        return Err(WalletError::Remote {
            what: ISSUER,
            reason: reply.error_text(),
        });
    }
    reply.json(ISSUER)
}

async fn fetch_nonce(
    wallet: &UnlockedWallet,
    metadata: &IssuerMetadata,
) -> Result<String, WalletError> {
    let endpoint = metadata
        .nonce_endpoint
        .as_deref()
        .ok_or(WalletError::Remote {
            what: ISSUER,
            reason: "it has no nonce endpoint".into(),
        })?;
    let reply = wallet
        .http()
        .post_form(ISSUER, endpoint, String::new(), None, MAX_SMALL_RESPONSE)
        .await?;
    if !reply.ok() {
        return Err(WalletError::Remote {
            what: ISSUER,
            reason: reply.error_text(),
        });
    }
    Ok(reply.json::<NonceResponse>(ISSUER)?.c_nonce)
}

fn configured_vct(metadata: &IssuerMetadata, config_id: &str) -> Result<String, WalletError> {
    let config = metadata
        .credential_configurations_supported
        .get(config_id)
        .ok_or_else(|| WalletError::Remote {
            what: ISSUER,
            reason: "it does not describe the offered credential".into(),
        })?;
    let format = config.get("format").and_then(Value::as_str);
    let vct = config.get("vct").and_then(Value::as_str);
    match (format, vct) {
        (Some(FORMAT_SD_JWT_VC), Some(vct)) => Ok(vct.to_owned()),
        _ => Err(WalletError::CredentialRejected(
            "the offered credential is not an SD-JWT VC".into(),
        )),
    }
}

fn verify_batch(
    trust: &VerifiedTrustList,
    issuer_id: &str,
    vct: &str,
    keys: &[SigningKey],
    response: &CredentialResponse,
    now: u64,
) -> Result<CredentialRecord, WalletError> {
    if response.credentials.is_empty() || response.credentials.len() > keys.len() {
        return Err(WalletError::CredentialRejected(
            "the number of credentials does not match the request".into(),
        ));
    }
    let reject = |what: String| WalletError::CredentialRejected(what);
    let mut copies: Vec<CredentialCopy> = Vec::new();
    let mut first: Option<sd_jwt_vc::VerifiedCredential> = None;
    let mut used = vec![false; keys.len()];
    for issued in &response.credentials {
        // The holder's checks (RFC 9901 §7.2): besides the issuer's signature and the VC
        // rules, no key binding JWT from the issuer and no audience restriction.
        let verified = sd_jwt_vc::verify_issued(
            &issued.credential,
            |iss, kid| trust.issuer_key(iss, kid).cloned(),
            VcClock {
                now,
                skew: CLOCK_SKEW,
            },
        )
        .map_err(|e| reject(e.to_string()))?;
        if verified.issuer() != issuer_id {
            return Err(reject("it names another issuer".into()));
        }
        if verified.vct() != vct {
            return Err(reject("it is of another type than offered".into()));
        }
        let slot = keys
            .iter()
            .enumerate()
            .position(|(i, k)| !used[i] && k.public_jwk().same_key(verified.holder_key()))
            .ok_or_else(|| reject("it is not bound to a key of this wallet".into()))?;
        used[slot] = true;
        if let Some(f) = &first {
            if f.attributes() != verified.attributes() {
                return Err(reject("the copies do not hold the same data".into()));
            }
        }
        copies.push(CredentialCopy {
            sd_jwt: issued.credential.clone(),
            holder_key: HolderSecret::from_key(&keys[slot]),
            status: verified.status().cloned(),
            presented: 0,
        });
        if first.is_none() {
            first = Some(verified);
        }
    }
    let first = first.ok_or_else(|| reject("no credential received".into()))?;
    let name = trust.issuer(issuer_id).map(|i| i.name.clone());
    let summary = CredentialSummary {
        id: String::new(),
        vct: vct.to_owned(),
        credential_type: CredentialType::from_vct(vct).map(|t| t.id().to_owned()),
        issuer: issuer_id.to_owned(),
        issuer_name_nl: name
            .as_ref()
            .map_or(issuer_id.to_owned(), |n| n.get(Lang::Nl).to_owned()),
        issuer_name_en: name
            .as_ref()
            .map_or(issuer_id.to_owned(), |n| n.get(Lang::En).to_owned()),
        claims: Value::Object(first.attributes()),
        issued_at: first.issued_at(),
        expires_at: first.expires_at(),
        stored_at: now,
        status: CredentialStatus::Valid,
        status_checked_at: Some(now),
        copies_total: 0,
        copies_left: 0,
        presentations: 0,
        disclosable_arrays: Some(first.sd_jwt().disclosable_arrays().to_vec()),
    };
    let mut record = CredentialRecord {
        summary,
        copies,
        refresh: None,
    };
    record.recount();
    Ok(record)
}

/// Stores the new credentials and their history events in one transaction.
fn store_records(
    wallet: &UnlockedWallet,
    records: Vec<CredentialRecord>,
    now: u64,
) -> Result<Vec<CredentialSummary>, WalletError> {
    let (store, key) = (wallet.store(), wallet.key());
    let mut batch = Batch::new();
    let mut stored = Vec::new();
    for mut record in records {
        record.summary.id = id_of(store.next_id()?);
        put_record(&mut batch, key, &record)?;
        history::record(
            store,
            key,
            &mut batch,
            now,
            EventKind::Issued {
                credential_id: record.summary.id.clone(),
                vct: record.summary.vct.clone(),
                issuer: record.summary.issuer.clone(),
                issuer_name: record.summary.issuer_name_nl.clone(),
                copies: record.copies.len(),
            },
        )?;
        stored.push(record.summary);
    }
    store.apply(batch)?;
    Ok(stored)
}
