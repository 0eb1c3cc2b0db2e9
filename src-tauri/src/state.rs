//! The app's one wallet: locked until the PIN opens it, and the request being looked at.
use std::path::PathBuf;

use tokio::sync::Mutex;
use wallet_core::pin::Pin;
use wallet_core::presentation::PendingRequest;
use wallet_core::scan::Scanned;
use wallet_core::trust::TrustConfig;
use wallet_core::{UnlockedWallet, Wallet, WalletConfig};
use zeroize::Zeroizing;

use crate::error::AppError;

pub struct AppState {
    pub wallet: Wallet,
    pub unlocked: Mutex<Option<UnlockedWallet>>,
    pub pending: Mutex<Option<PendingRequest>>,
    /// An offer or request link the app was opened with (`regie-app LINK`, as the desktop
    /// does for `openid4vp://` and `openid-credential-offer://`), until the screen takes it.
    pub opened_with: Mutex<Option<Scanned>>,
}

impl AppState {
    /// Opens the wallet in `data_dir`; trust from `REGIE_WALLET_TRUST_ANCHOR` and
    /// `REGIE_WALLET_TRUST_LIST` (files) or the built-in demo trust list, and an extra CA
    /// from `REGIE_WALLET_CA_CERT`, as the CLI does.
    pub fn open(data_dir: PathBuf, opened_with: Option<Scanned>) -> Result<AppState, AppError> {
        let anchor = std::env::var_os("REGIE_WALLET_TRUST_ANCHOR").map(PathBuf::from);
        let list = std::env::var_os("REGIE_WALLET_TRUST_LIST").map(PathBuf::from);
        let trust = TrustConfig::from_files(anchor.as_deref(), list.as_deref())?;
        let mut config = WalletConfig::new(data_dir, trust);
        // An extra CA for HTTPS only when told, as the CLI's --ca-cert.
        config.extra_ca_pem = std::env::var_os("REGIE_WALLET_CA_CERT")
            .map(|path| wallet_core::read_ca_file(std::path::Path::new(&path)))
            .transpose()?;
        let wallet = Wallet::open(config)?;
        Ok(AppState {
            wallet,
            unlocked: Mutex::new(None),
            pending: Mutex::new(None),
            opened_with: Mutex::new(opened_with),
        })
    }

    /// Runs `f` on the open wallet once the PIN is confirmed again: the step before data
    /// leaves the app in a file (a backup, an export), as sharing takes it.
    pub async fn with_pin_confirmed<T>(
        &self,
        pin_code: String,
        f: impl AsyncFnOnce(&UnlockedWallet) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let guard = self.unlocked.lock().await;
        let wallet = guard.as_ref().ok_or_else(AppError::locked)?;
        wallet.confirm_pin(&Pin::new(&Zeroizing::new(pin_code)))?;
        f(wallet).await
    }
}
