//! What has had its time leaves the issuer's files: offers (with the citizen's BSN) an hour
//! after they expired, their codes, tokens, nonces and logins once they ended. Issued
//! credentials stay, so a revocation still finds its copy.
use regie_issuer::portal::oidc_login::{LoginAttempt, Purpose};
use regie_issuer::portal::{Login, PortalStore};
use regie_issuer::store::{
    CredentialRecord, OfferRecord, RefreshRecord, TokenRecord, OFFER_KEPT_AFTER_EXPIRY,
};

const NOW: u64 = 1_800_000_000;
const BSN: &str = "999993653";

fn offer(id: &str, expires_at: u64) -> OfferRecord {
    OfferRecord {
        id: id.into(),
        bsn: BSN.into(),
        credential_type: "uittreksel-brp".into(),
        tx_code: None,
        expires_at,
        collected: false,
        offer_json: None,
    }
}

fn token(expires_at: u64) -> TokenRecord {
    TokenRecord {
        offer_id: "o".into(),
        bsn: BSN.into(),
        credential_type: "uittreksel-brp".into(),
        expires_at,
        grant: "o".into(),
    }
}

mod common;
use common::TestStore;

#[tokio::test]
async fn ended_records_are_removed_and_live_ones_and_credentials_stay() {
    for backend in TestStore::both().await {
        ended_records_go(&backend).await;
    }
}

async fn ended_records_go(backend: &TestStore) {
    let store = backend.open().await;
    let expired = NOW - OFFER_KEPT_AFTER_EXPIRY;
    store
        .put_offer(&offer("old", expired), "old-code")
        .await
        .unwrap();
    store
        .put_offer(&offer("recent", NOW - 1), "recent-code")
        .await
        .unwrap();
    store
        .put_offer(&offer("live", NOW + 600), "live-code")
        .await
        .unwrap();
    store.put_token("old-token", &token(NOW)).await.unwrap();
    store
        .put_token("live-token", &token(NOW + 60))
        .await
        .unwrap();
    let refresh = |expires_at| RefreshRecord {
        bsn: BSN.into(),
        credential_type: "uittreksel-brp".into(),
        expires_at,
        grant: "o".into(),
    };
    store
        .put_refresh_token("old-refresh", &refresh(NOW - 1))
        .await
        .unwrap();
    store
        .put_refresh_token("live-refresh", &refresh(NOW + 86_400))
        .await
        .unwrap();
    store.put_nonce("old-nonce", NOW).await.unwrap();
    store.put_nonce("live-nonce", NOW + 60).await.unwrap();
    let slot = store.allocate_status_slot().await.unwrap();
    store
        .put_credential(&CredentialRecord {
            id: "c1".into(),
            offer_id: "old".into(),
            bsn: BSN.into(),
            credential_type: "uittreksel-brp".into(),
            status_idx: slot.idx,
            status_list: slot.list_id(),
            issued_at: NOW - 400_000,
            expires_at: NOW - 1,
            revoked: false,
            grant: String::new(),
        })
        .await
        .unwrap();
    let portal = PortalStore::open(&store);
    let login = |expires_at| Login {
        bsn: BSN.into(),
        expires_at,
    };
    portal.put_login("old-cookie", &login(NOW)).await.unwrap();
    portal
        .put_login("live-cookie", &login(NOW + 60))
        .await
        .unwrap();
    portal.put_clerk("old-clerk", NOW - 5).await.unwrap();
    portal.put_clerk("live-clerk", NOW + 60).await.unwrap();
    let attempt = || LoginAttempt {
        purpose: Purpose::Citizen,
        pkce_verifier: "verifier".into(),
        nonce: "nonce".into(),
        lang: "nl".into(),
    };
    for (state, expires_at) in [("old-state", NOW), ("live-state", NOW + 60)] {
        portal
            .put_login_attempt(state, &attempt(), expires_at)
            .await
            .unwrap();
    }

    // The old offer and its code, a token, a refresh token and a nonce; two logins and a
    // login attempt at the provider that never came back.
    assert_eq!(store.purge_expired(NOW).await.unwrap(), 5);
    assert_eq!(portal.purge_expired(NOW).await.unwrap(), 3);
    assert!(portal
        .take_login_attempt("live-state", NOW)
        .await
        .unwrap()
        .is_some());

    assert!(store.offer("old").await.unwrap().is_none());
    assert!(store.take_code("old-code").await.unwrap().is_none());
    // Expired a second ago: still there, so its page can say so.
    assert!(store.offer("recent").await.unwrap().is_some());
    assert_eq!(
        store.take_code("live-code").await.unwrap().unwrap().id,
        "live"
    );
    assert!(store.take_token("old-token").await.unwrap().is_none());
    assert!(store.take_token("live-token").await.unwrap().is_some());
    assert!(store
        .take_refresh_token("old-refresh")
        .await
        .unwrap()
        .is_none());
    assert!(store
        .take_refresh_token("live-refresh")
        .await
        .unwrap()
        .is_some());
    assert!(store.take_nonce("old-nonce").await.unwrap().is_none());
    assert_eq!(
        store.take_nonce("live-nonce").await.unwrap(),
        Some(NOW + 60)
    );
    assert!(portal.login("live-cookie", NOW).await.unwrap().is_some());
    assert!(portal.is_clerk("live-clerk", NOW).await.unwrap());
    // Past its own expiry, the copy stays: its status bit is still the issuer's to set.
    assert_eq!(store.credentials_of(BSN).await.unwrap().len(), 1);
    assert_eq!(store.revoke("c1").await.unwrap().id, "c1");

    // On disk, not only in memory: after a reopen nothing comes back.
    drop(portal);
    drop(store);
    let store = backend.open().await;
    assert!(store.offer("old").await.unwrap().is_none());
    assert_eq!(store.purge_expired(NOW).await.unwrap(), 0);
}
