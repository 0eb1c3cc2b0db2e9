//! The store keeps what the citizen holds from anyone without the current PIN, and forgets
//! what the citizen deleted: checked as a reviewer with the files and an old PIN would,
//! by decrypting the real files (issue 18).
mod common;
mod review;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::*;
use wallet_core::clock::ManualClock;
use wallet_core::crypto::KdfParams;
use wallet_core::history::EventKind;
use wallet_core::pin::Pin;
use wallet_core::trust::TrustConfig;
use wallet_core::{Wallet, WalletConfig, WalletError};

const NEW_PIN: &str = "918273";
const WRONG: &str = "000001";

/// Cheap Argon2id for tests that only count or look at files.
const FAST: KdfParams = KdfParams {
    memory_kib: 1024,
    iterations: 1,
    parallelism: 1,
};

fn fast_config(dir: &Path, trust: TrustConfig) -> WalletConfig {
    let mut config = WalletConfig::new(dir.to_path_buf(), trust);
    config.kdf = FAST;
    config
}

/// Nothing the old PIN and the old vault could open is left: the old wrapped key is in no
/// file, the current vault refuses the old PIN, and the old data key opens no stored value.
fn assert_old_pin_opens_nothing(dir: &Path, old_vault: &serde_json::Value, old_key: &[u8; 32]) {
    let wrapped = review::bytes(&old_vault["wrapped_key"]);
    assert!(
        review::anywhere(dir, &wrapped).is_empty(),
        "old wrapped key"
    );
    assert!(
        review::anywhere(dir, &review::json_bytes(&wrapped)).is_empty(),
        "old wrapped key (JSON)"
    );
    assert!(review::anywhere(dir, old_key).is_empty(), "old data key");
    let (opened, total) = review::try_key(dir, old_key);
    assert!(total > 0, "there is data to try");
    assert_eq!(opened, 0, "values the old data key opens");
}

#[tokio::test(flavor = "multi_thread")]
async fn after_a_pin_change_the_old_pin_opens_nothing_on_disk() {
    let issuer = TestIssuer::start().await;
    let scheme = Scheme::new(&issuer);
    let tmp = TempDir::new("rekey");
    let dir = tmp.0.join("wallet");
    let wallet = Wallet::open(fast_config(&dir, scheme.trust.clone())).unwrap();
    let mut unlocked = wallet.init(&Pin::new(PIN)).unwrap();
    let (offer, _, _) = issuer.offer("woonhistorie", false).await;
    unlocked.accept_offer(&offer, None).await.unwrap();
    let verifier = TestVerifier::start(&scheme.anchor, &housing_registration(), &issuer).await;
    let link = verifier.request(Some("aanvraag-medehuur"), housing_query(), &[]);
    let pending = unlocked
        .assess_request(&link, protocol::credential_types::Lang::Nl)
        .await
        .unwrap();
    unlocked.approve(&pending).await.unwrap();
    let old_vault = review::vault(&dir);
    let old_key = review::data_key(&old_vault, PIN).expect("the PIN opens the vault");

    unlocked
        .change_pin(&Pin::new(PIN), &Pin::new(NEW_PIN))
        .unwrap();
    // Data that comes in after the change, as in the review.
    let (offer, _, _) = issuer.offer("uittreksel-brp", false).await;
    unlocked.accept_offer(&offer, None).await.unwrap();
    assert_eq!(unlocked.credential_count(), 2);
    drop(unlocked);
    drop(wallet);

    assert_eq!(review::stores(&dir).len(), 1, "the old store is gone");
    assert_old_pin_opens_nothing(&dir, &old_vault, &old_key);
    assert!(review::data_key(&review::vault(&dir), PIN).is_none());
    let new_key = review::data_key(&review::vault(&dir), NEW_PIN).expect("new PIN");
    let (opened, total) = review::try_key(&dir, &new_key);
    assert_eq!(opened, total, "the new key opens everything");

    // And through the wallet: the old PIN is a wrong PIN, the new one shows everything, with
    // the change in the history and ids still in order.
    let wallet = Wallet::open(fast_config(&dir, scheme.trust.clone())).unwrap();
    assert_eq!(
        wallet.unlock(&Pin::new(PIN)).err().map(|e| e.code()),
        Some("wrong_pin")
    );
    let unlocked = wallet.unlock(&Pin::new(NEW_PIN)).unwrap();
    let events = unlocked.history(None, 10).unwrap();
    let kinds: Vec<_> = events.iter().map(|e| &e.kind).collect();
    assert!(
        matches!(
            kinds[..],
            [
                EventKind::Issued { .. },
                EventKind::PinChanged,
                EventKind::Shared { .. },
                EventKind::Issued { .. }
            ]
        ),
        "{kinds:?}"
    );
    assert!(events.windows(2).all(|w| w[0].id > w[1].id));
    // The sharing overview was re-indexed under the new key: a second share adds to it.
    let link = verifier.request(Some("aanvraag-medehuur"), housing_query(), &[]);
    let pending = unlocked
        .assess_request(&link, protocol::credential_types::Lang::Nl)
        .await
        .unwrap();
    unlocked.approve(&pending).await.unwrap();
    let sharing = unlocked.sharing_overview().unwrap();
    assert_eq!((sharing.len(), sharing[0].times), (1, 2));
    let listed = unlocked.credentials(None, 10).unwrap();
    assert_eq!(listed.len(), 2);
    // The type index was rebuilt under the new key.
    let id = &listed[1].id;
    assert_eq!(&unlocked.credential(id).unwrap().id, id);
}

#[tokio::test(flavor = "multi_thread")]
async fn after_a_reset_nothing_of_the_old_wallet_can_be_read_back() {
    let issuer = TestIssuer::start().await;
    let scheme = Scheme::new(&issuer);
    let tmp = TempDir::new("reset");
    let dir = tmp.0.join("wallet");
    let wallet = Wallet::open(fast_config(&dir, scheme.trust.clone())).unwrap();
    let unlocked = wallet.init(&Pin::new(PIN)).unwrap();
    let (offer, _, _) = issuer.offer("woonhistorie", false).await;
    unlocked.accept_offer(&offer, None).await.unwrap();
    let old_vault = review::vault(&dir);
    let old_key = review::data_key(&old_vault, PIN).unwrap();
    assert_eq!(
        wallet.reset().err().map(|e| e.code()),
        Some("still_open"),
        "not while unlocked"
    );
    drop(unlocked);
    wallet.reset().unwrap();
    assert!(!wallet.is_initialised().unwrap());
    assert!(review::stores(&dir).is_empty(), "no store is left");
    assert!(!dir.join("vault.json").exists());

    // A new wallet with the same PIN, as the review did.
    let unlocked = wallet.init(&Pin::new(PIN)).unwrap();
    unlocked.history(None, 1).unwrap();
    let (offer, _, _) = issuer.offer("uittreksel-brp", false).await;
    unlocked.accept_offer(&offer, None).await.unwrap();
    drop(unlocked);
    drop(wallet);
    assert_eq!(review::stores(&dir).len(), 1);
    assert_old_pin_opens_nothing(&dir, &old_vault, &old_key);
}

#[test]
fn the_files_are_owner_only_and_wider_modes_are_repaired() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = TempDir::new("modes");
    let dir = tmp.0.join("wallet");
    let trust = TrustConfig::demo().unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    {
        let wallet = Wallet::open(fast_config(&dir, trust.clone())).unwrap();
        assert!(wallet.repaired().is_empty());
        let unlocked = wallet.init(&Pin::new(PIN)).unwrap();
        unlocked.history(None, 1).unwrap();
    }
    let check = || {
        assert_eq!(mode(&dir), 0o700, "{}", dir.display());
        for store in review::stores(&dir) {
            assert_eq!(mode(&store), 0o700, "{}", store.display());
        }
        for f in review::files(&dir) {
            assert_eq!(mode(&f), 0o600, "{}", f.display());
        }
    };
    check();
    // Something made them readable: repaired at the next start, and reported.
    let store = review::stores(&dir).remove(0);
    for (p, m) in [
        (&dir, 0o755),
        (&dir.join("vault.json"), 0o644),
        (&store, 0o755),
    ] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    }
    std::fs::set_permissions(store.join("db"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let wallet = Wallet::open(fast_config(&dir, trust)).unwrap();
    let mut repaired = wallet.repaired().to_vec();
    repaired.sort();
    let mut expected = vec![
        dir.clone(),
        dir.join("vault.json"),
        store.clone(),
        store.join("db"),
    ];
    expected.sort();
    assert_eq!(repaired, expected);
    check();
}

#[test]
fn parallel_unlocks_cannot_pass_the_wrong_pin_counter() {
    let tmp = TempDir::new("parallel");
    let dir = tmp.0.join("wallet");
    let clock = Arc::new(ManualClock::new(1_795_478_400));
    let mut config = fast_config(&dir, TrustConfig::demo().unwrap());
    config.clock = clock.clone();
    let wallet = Wallet::open(config).unwrap();
    drop(wallet.init(&Pin::new(PIN)).unwrap());
    let wrong = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let (wallet, clock, wrong) = (wallet.clone(), clock.clone(), wrong.clone());
            std::thread::spawn(move || loop {
                match wallet.unlock(&Pin::new(WRONG)) {
                    Err(WalletError::WrongPin { .. }) => {
                        wrong.fetch_add(1, Ordering::SeqCst);
                    }
                    // Waiting: time passes (racing threads may move it on further; that
                    // only allows tries sooner, never more of them).
                    Err(WalletError::LockedOut { wait_secs }) => clock.advance(wait_secs),
                    Err(WalletError::Blocked) => break,
                    other => panic!("{:?}", other.err()),
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    // Nine wrong PINs answered as wrong, the tenth blocks: ten tried, never more.
    assert_eq!(wrong.load(Ordering::SeqCst), 9);
    let state = wallet.lock_state().unwrap();
    assert_eq!((state.failures, state.blocked), (10, true));
    assert_eq!(
        wallet.unlock(&Pin::new(PIN)).err().map(|e| e.code()),
        Some("blocked")
    );
}

#[test]
fn unlocking_leaves_no_date_in_the_files() {
    let tmp = TempDir::new("dates");
    let dir = tmp.0.join("wallet");
    let clock = Arc::new(ManualClock::new(1_795_478_400));
    let mut config = fast_config(&dir, TrustConfig::demo().unwrap());
    config.clock = clock.clone();
    let wallet = Wallet::open(config).unwrap();
    drop(wallet.init(&Pin::new(PIN)).unwrap());
    let mut moments = Vec::new();
    for i in 0..8u64 {
        clock.set(1_800_000_000 + i * 3_937);
        moments.push(1_800_000_000 + i * 3_937);
        // A wrong PIN among the free tries is not dated either.
        if i % 3 == 0 {
            assert!(wallet.unlock(&Pin::new(WRONG)).is_err());
        }
        let unlocked = wallet.unlock(&Pin::new(PIN)).unwrap();
        unlocked.confirm_pin(&Pin::new(PIN)).unwrap();
    }
    drop(wallet);
    for t in moments {
        for needle in [
            t.to_string().into_bytes(),
            t.to_be_bytes().to_vec(),
            t.to_le_bytes().to_vec(),
        ] {
            assert!(
                review::anywhere(&dir, &needle).is_empty(),
                "the unlock at {t} is recorded"
            );
        }
    }
}

#[test]
fn a_pin_change_needs_the_only_open_handle_and_the_old_pin() {
    let tmp = TempDir::new("handles");
    let dir = tmp.0.join("wallet");
    let wallet = Wallet::open(fast_config(&dir, TrustConfig::demo().unwrap())).unwrap();
    let mut first = wallet.init(&Pin::new(PIN)).unwrap();
    let second = wallet.unlock(&Pin::new(PIN)).unwrap();
    assert_eq!(
        first
            .change_pin(&Pin::new(PIN), &Pin::new(NEW_PIN))
            .err()
            .map(|e| e.code()),
        Some("still_open"),
        "the other handle would write to the old store"
    );
    drop(second);
    assert_eq!(
        first
            .change_pin(&Pin::new(WRONG), &Pin::new(NEW_PIN))
            .err()
            .map(|e| e.code()),
        Some("wrong_pin")
    );
    assert_eq!(wallet.lock_state().unwrap().failures, 1, "counted");
    first
        .change_pin(&Pin::new(PIN), &Pin::new(NEW_PIN))
        .unwrap();
    assert_eq!(wallet.lock_state().unwrap().failures, 0);
    first.confirm_pin(&Pin::new(NEW_PIN)).unwrap();
    assert!(matches!(
        first.history(None, 1).unwrap()[0].kind,
        EventKind::PinChanged
    ));
}
