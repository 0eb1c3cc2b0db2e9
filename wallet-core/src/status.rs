//! Credential status: expiry from the credential, revocation from the issuer's Token Status
//! List. Each list is fetched once per refresh and verified with the issuer's key from the
//! trust list; an unreachable list leaves the last known status in place.
use std::collections::HashMap;

use protocol::status_list::{Status, UnverifiedStatusListToken, VerifiedStatusList, MAX_TOKEN_LEN};
use protocol::trust::VerifiedTrustList;
use serde::Serialize;

use crate::credentials::{self, put_record, CredentialStatus};
use crate::error::WalletError;
use crate::history::{self, EventKind};
use crate::store::{Batch, TreeId};
use crate::wallet::UnlockedWallet;

/// What a refresh found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StatusReport {
    pub checked: usize,
    pub revoked: Vec<String>,
    pub expired: Vec<String>,
    /// Status lists that could not be fetched or verified.
    pub unreachable: usize,
}

/// Checks every credential that is still valid.
pub async fn refresh(wallet: &UnlockedWallet) -> Result<StatusReport, WalletError> {
    let now = wallet.now();
    let (store, key) = (wallet.store(), wallet.key());
    let trust = wallet.config().trust.trust_list(now)?;
    let mut lists: HashMap<String, Option<VerifiedStatusList>> = HashMap::new();
    let mut report = StatusReport::default();
    let mut batch = Batch::new();
    for id_key in store.keys(TreeId::Summaries)? {
        let Some(summary) =
            store.get_sealed::<credentials::CredentialSummary>(key, TreeId::Summaries, &id_key)?
        else {
            continue;
        };
        if summary.status != CredentialStatus::Valid {
            continue;
        }
        report.checked += 1;
        let mut record = credentials::get_record(store, key, &summary.id)?;
        let mut new_status = CredentialStatus::Valid;
        if record.summary.expires_at.is_some_and(|exp| exp <= now) {
            new_status = CredentialStatus::Expired;
        } else {
            let mut all_known = true;
            for copy in &record.copies {
                let Some(reference) = &copy.status else {
                    continue;
                };
                if !lists.contains_key(&reference.uri) {
                    let list = fetch_list(wallet, &trust, &summary.issuer, &reference.uri).await;
                    if list.is_none() {
                        report.unreachable += 1;
                    }
                    lists.insert(reference.uri.clone(), list);
                }
                match lists.get(&reference.uri).and_then(Option::as_ref) {
                    Some(list) => {
                        if list.status_at(reference.idx).ok() != Some(Status::Valid) {
                            new_status = CredentialStatus::Revoked;
                        }
                    }
                    None => all_known = false,
                }
            }
            if !all_known && new_status == CredentialStatus::Valid {
                continue;
            }
        }
        record.summary.status = new_status;
        record.summary.status_checked_at = Some(now);
        put_record(&mut batch, key, &record)?;
        let (credential_id, vct) = (record.summary.id.clone(), record.summary.vct.clone());
        match new_status {
            CredentialStatus::Revoked => {
                report.revoked.push(credential_id.clone());
                history::record(
                    store,
                    key,
                    &mut batch,
                    now,
                    EventKind::Revoked { credential_id, vct },
                )?;
            }
            CredentialStatus::Expired => {
                report.expired.push(credential_id.clone());
                history::record(
                    store,
                    key,
                    &mut batch,
                    now,
                    EventKind::Expired { credential_id, vct },
                )?;
            }
            CredentialStatus::Valid => {}
        }
    }
    if !batch.is_empty() {
        store.apply(batch)?;
    }
    Ok(report)
}

async fn fetch_list(
    wallet: &UnlockedWallet,
    trust: &VerifiedTrustList,
    issuer: &str,
    uri: &str,
) -> Option<VerifiedStatusList> {
    // Only lists under the issuer's own address: a credential could point anywhere.
    let loopback = wallet.config().allow_http_loopback;
    if !protocol::is_fetchable_url(uri, loopback)
        || !uri.starts_with(&format!("{}/", issuer.trim_end_matches('/')))
    {
        return None;
    }
    let reply = wallet
        .http()
        .get(
            "the status list",
            uri,
            "application/statuslist+jwt",
            MAX_TOKEN_LEN,
        )
        .await
        .ok()?;
    if !reply.ok() {
        return None;
    }
    let text = String::from_utf8(reply.body).ok()?;
    let token = UnverifiedStatusListToken::parse(text.trim()).ok()?;
    let issuer_key = trust.issuer_key(issuer, token.kid())?.clone();
    token.verify(&issuer_key, uri, wallet.now()).ok()
}
