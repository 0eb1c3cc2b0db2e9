//! The app's backup commands: making a backup file (its recovery code goes to the screen
//! once) and restoring one on a new device. The work is wallet-core's (`wallet_core::backup`).
use protocol::credential_types::Lang;
use serde::Serialize;
use tauri::State;
use wallet_core::backup::{self, RecoveryCode};
use wallet_core::display::type_name;
use wallet_core::pin::Pin;
use zeroize::Zeroizing;

use crate::error::AppError;
use crate::state::AppState;

#[derive(Serialize)]
pub struct BackupMade {
    pub path: String,
    /// Shown once and kept nowhere.
    pub code: String,
    pub credentials: usize,
}

#[derive(Serialize)]
pub struct RestoreView {
    /// The names of the credentials issued again to this device.
    pub restored: Vec<String>,
    /// The names of those to request again, each with the reason.
    pub not_restored: Vec<String>,
    pub history_events: usize,
}

/// Makes a backup after the PIN is confirmed (it carries the refresh tokens that bring the
/// credentials back): written as `regie-backup-YYYY-MM-DD.regie` ([`crate::saved_files`]).
#[tauri::command]
pub async fn make_backup(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    pin_code: String,
) -> Result<BackupMade, AppError> {
    state
        .with_pin_confirmed(pin_code, async |wallet| {
            let made = backup::create(wallet)?;
            let path = crate::saved_files::save_new(
                &app,
                "regie-backup",
                "regie",
                wallet.now(),
                &made.file,
            )?;
            backup::record_made(wallet, &made)?;
            Ok(BackupMade {
                path: path.display().to_string(),
                code: made.code.display().to_string(),
                credentials: made.credentials,
            })
        })
        .await
}

/// Restores the backup `file` (its text) with `code` into this device's new wallet, made
/// with `pin_code`. A refused code or file makes no wallet.
#[tauri::command]
pub async fn restore_backup(
    state: State<'_, AppState>,
    file: String,
    code: String,
    pin_code: String,
    lang_code: String,
) -> Result<RestoreView, AppError> {
    let code =
        RecoveryCode::parse(&Zeroizing::new(code)).map_err(wallet_core::WalletError::from)?;
    let opened = backup::open(file.as_bytes(), &code).map_err(wallet_core::WalletError::from)?;
    let pin = Pin::new(&Zeroizing::new(pin_code));
    let mut guard = state.unlocked.lock().await;
    let wallet = state.wallet.init(&pin)?;
    let report = backup::restore(&wallet, opened).await?;
    *guard = Some(wallet);
    let l = Lang::from_code(&lang_code);
    Ok(RestoreView {
        restored: report
            .restored
            .iter()
            .map(|c| type_name(&c.vct, l))
            .collect(),
        not_restored: report
            .not_restored
            .iter()
            .map(|n| format!("{} ({})", type_name(&n.vct, l), n.reason))
            .collect(),
        history_events: report.history_events,
    })
}
