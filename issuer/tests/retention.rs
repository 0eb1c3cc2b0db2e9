//! What has had its time leaves the issuer's files: offers (with the citizen's BSN) an hour
//! after they expired, their codes, tokens, nonces and logins once they ended. Issued
//! credentials stay, so a revocation still finds its copy.
use regie_issuer::portal::{Login, PortalStore};
use regie_issuer::store::{
    CredentialRecord, OfferRecord, RefreshRecord, Store, TokenRecord, OFFER_KEPT_AFTER_EXPIRY,
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

struct Dir(std::path::PathBuf);
impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn ended_records_are_removed_and_live_ones_and_credentials_stay() {
    let dir = Dir(std::env::temp_dir().join(format!("regie-retention-{}", std::process::id())));
    let store = Store::open(&dir.0).unwrap();
    let expired = NOW - OFFER_KEPT_AFTER_EXPIRY;
    store.put_offer(&offer("old", expired), "old-code").unwrap();
    store
        .put_offer(&offer("recent", NOW - 1), "recent-code")
        .unwrap();
    store
        .put_offer(&offer("live", NOW + 600), "live-code")
        .unwrap();
    store.put_token("old-token", &token(NOW)).unwrap();
    store.put_token("live-token", &token(NOW + 60)).unwrap();
    let refresh = |expires_at| RefreshRecord {
        bsn: BSN.into(),
        credential_type: "uittreksel-brp".into(),
        expires_at,
        grant: "o".into(),
    };
    store
        .put_refresh_token("old-refresh", &refresh(NOW - 1))
        .unwrap();
    store
        .put_refresh_token("live-refresh", &refresh(NOW + 86_400))
        .unwrap();
    store.put_nonce("old-nonce", NOW).unwrap();
    store.put_nonce("live-nonce", NOW + 60).unwrap();
    let slot = store.allocate_status_slot().unwrap();
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
        .unwrap();
    let portal = PortalStore::open(&store).unwrap();
    let login = |expires_at| Login {
        bsn: BSN.into(),
        expires_at,
    };
    portal.put_login("old-cookie", &login(NOW)).unwrap();
    portal.put_login("live-cookie", &login(NOW + 60)).unwrap();
    portal.put_clerk("old-clerk", NOW - 5).unwrap();
    portal.put_clerk("live-clerk", NOW + 60).unwrap();

    // The old offer and its code, a token, a refresh token and a nonce; two logins.
    assert_eq!(store.purge_expired(NOW).unwrap(), 5);
    assert_eq!(portal.purge_expired(NOW).unwrap(), 2);

    assert!(store.offer("old").unwrap().is_none());
    assert!(store.take_code("old-code").unwrap().is_none());
    // Expired a second ago: still there, so its page can say so.
    assert!(store.offer("recent").unwrap().is_some());
    assert_eq!(store.take_code("live-code").unwrap().unwrap().id, "live");
    assert!(store.take_token("old-token").unwrap().is_none());
    assert!(store.take_token("live-token").unwrap().is_some());
    assert!(store.take_refresh_token("old-refresh").unwrap().is_none());
    assert!(store.take_refresh_token("live-refresh").unwrap().is_some());
    assert!(store.take_nonce("old-nonce").unwrap().is_none());
    assert_eq!(store.take_nonce("live-nonce").unwrap(), Some(NOW + 60));
    assert!(portal.login("live-cookie", NOW).unwrap().is_some());
    assert!(portal.is_clerk("live-clerk", NOW).unwrap());
    // Past its own expiry, the copy stays: its status bit is still the issuer's to set.
    assert_eq!(store.credentials_of(BSN).unwrap().len(), 1);
    assert_eq!(store.revoke("c1").unwrap().id, "c1");

    // On disk, not only in memory: after a reopen nothing comes back.
    drop(portal);
    drop(store);
    let store = Store::open(&dir.0).unwrap();
    assert!(store.offer("old").unwrap().is_none());
    assert_eq!(store.purge_expired(NOW).unwrap(), 0);
}
