//! Wrong PINs: growing waits, then a block; the count survives restarts and a right PIN
//! during a wait does not get in.
use std::sync::Arc;

use wallet_core::clock::ManualClock;
use wallet_core::pin::Pin;
use wallet_core::trust::TrustConfig;
use wallet_core::{Wallet, WalletConfig, WalletError};

const PIN: &str = "482915";
const WRONG: &str = "000001";

fn open(dir: &std::path::Path, clock: &Arc<ManualClock>) -> Wallet {
    let mut config = WalletConfig::new(dir.to_path_buf(), TrustConfig::demo().unwrap());
    config.clock = clock.clone();
    Wallet::open(config).unwrap()
}

fn code(r: Result<wallet_core::UnlockedWallet, WalletError>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(WalletError::WrongPin { wait_secs, .. }) => format!("wrong/{wait_secs}"),
        Err(WalletError::LockedOut { wait_secs }) => format!("locked/{wait_secs}"),
        Err(e) => e.code().into(),
    }
}

#[test]
fn wrong_pins_lock_out_with_growing_waits_across_restarts() {
    let dir = std::env::temp_dir().join(format!("regie-wallet-lockout-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let clock = Arc::new(ManualClock::new(1_795_478_400));
    open(&dir, &clock).init(&Pin::new(PIN)).unwrap();

    let wallet = open(&dir, &clock);
    for _ in 0..3 {
        assert_eq!(code(wallet.unlock(&Pin::new(WRONG))), "wrong/0");
    }
    assert_eq!(code(wallet.unlock(&Pin::new(WRONG))), "wrong/60");
    // Waiting: even the right PIN is not tried.
    assert_eq!(code(wallet.unlock(&Pin::new(PIN))), "locked/60");
    drop(wallet);

    // A restart does not reset anything.
    let wallet = open(&dir, &clock);
    clock.advance(30);
    assert_eq!(code(wallet.unlock(&Pin::new(PIN))), "locked/30");
    assert_eq!(wallet.lock_state().unwrap().failures, 4);
    clock.advance(30);
    assert_eq!(code(wallet.unlock(&Pin::new(WRONG))), "wrong/300");
    clock.advance(300);
    assert_eq!(code(wallet.unlock(&Pin::new(PIN))), "ok");
    assert_eq!(
        wallet.lock_state().unwrap().failures,
        0,
        "a right PIN clears the count"
    );

    // Ten wrong in a row blocks the wallet for good.
    let mut waits = Vec::new();
    for _ in 0..10 {
        let state = wallet.lock_state().unwrap();
        clock.advance(state.wait_secs);
        waits.push(code(wallet.unlock(&Pin::new(WRONG))));
    }
    assert_eq!(waits[3], "wrong/60");
    assert_eq!(waits[8], "wrong/86400");
    assert_eq!(waits[9], "blocked");
    clock.advance(365 * 86_400);
    drop(wallet);
    let wallet = open(&dir, &clock);
    assert_eq!(code(wallet.unlock(&Pin::new(PIN))), "blocked");
    assert!(wallet.lock_state().unwrap().blocked);
    // The way out is a reset.
    wallet.reset().unwrap();
    wallet.init(&Pin::new(PIN)).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn weak_new_pins_are_refused() {
    let dir = std::env::temp_dir().join(format!("regie-wallet-weak-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let clock = Arc::new(ManualClock::new(1_795_478_400));
    let wallet = open(&dir, &clock);
    for pin in ["123456", "000000", "12345", "abcdef", "1234567"] {
        assert_eq!(
            wallet.init(&Pin::new(pin)).err().map(|e| e.code()),
            Some("weak_pin")
        );
    }
    assert!(!wallet.is_initialised().unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}
