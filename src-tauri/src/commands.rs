//! The app's commands: each translates one call of the front-end into one call of
//! wallet-core and its answer into a view model. No logic of its own beyond holding the
//! unlocked wallet and the request on screen.
use protocol::credential_types::Lang;
use serde::Serialize;
use tauri::State;
use wallet_core::consent::Assessment;
use wallet_core::pin::Pin;
use wallet_core::presentation::Answered;
use wallet_core::scan::Scanned;
use wallet_core::status::StatusReport;
use wallet_core::views::{CredentialCard, EventLine, SharingLine};
use wallet_core::UnlockedWallet;
use zeroize::Zeroizing;

use crate::error::AppError;
use crate::state::AppState;

/// Most credentials or events returned at once.
const PAGE: usize = 50;

fn lang(code: &str) -> Lang {
    Lang::from_code(code)
}

/// The PIN from the front-end, wiped from memory when done.
fn pin(text: String) -> Pin {
    let text = Zeroizing::new(text);
    Pin::new(&text)
}

#[derive(Serialize)]
pub struct WalletState {
    pub initialised: bool,
    pub unlocked: bool,
    pub failures: u32,
    pub wait_secs: u64,
    pub blocked: bool,
}

#[tauri::command]
pub async fn wallet_state(state: State<'_, AppState>) -> Result<WalletState, AppError> {
    let initialised = state.wallet.is_initialised()?;
    let unlocked = state.unlocked.lock().await.is_some();
    let lock = if initialised {
        Some(state.wallet.lock_state()?)
    } else {
        None
    };
    Ok(WalletState {
        initialised,
        unlocked,
        failures: lock.as_ref().map_or(0, |l| l.failures),
        wait_secs: lock.as_ref().map_or(0, |l| l.wait_secs),
        blocked: lock.is_some_and(|l| l.blocked),
    })
}

#[tauri::command]
pub async fn create_wallet(state: State<'_, AppState>, pin_code: String) -> Result<(), AppError> {
    let unlocked = state.wallet.init(&pin(pin_code))?;
    *state.unlocked.lock().await = Some(unlocked);
    Ok(())
}

#[tauri::command]
pub async fn unlock(state: State<'_, AppState>, pin_code: String) -> Result<(), AppError> {
    let unlocked = state.wallet.unlock(&pin(pin_code))?;
    // Status is refreshed at unlock; an unreachable issuer keeps the last known status.
    let _ = unlocked.refresh_status().await;
    *state.unlocked.lock().await = Some(unlocked);
    Ok(())
}

#[tauri::command]
pub async fn lock(state: State<'_, AppState>) -> Result<(), AppError> {
    *state.pending.lock().await = None;
    *state.unlocked.lock().await = None;
    Ok(())
}

/// The window drew its first screen. With `REGIE_APP_REPORT_START` set (scripts/measure-app.sh)
/// the moment goes to standard error as Unix milliseconds, for measuring a cold start.
#[tauri::command]
pub fn first_screen_drawn() {
    if std::env::var_os("REGIE_APP_REPORT_START").is_some() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        eprintln!("regie-app: first screen at {now}");
    }
}

/// Seconds of inactivity before the wallet locks itself, when `REGIE_APP_AUTO_LOCK_SECONDS`
/// sets them (tests, a kiosk); otherwise the settings' choice in minutes applies.
#[tauri::command]
pub fn auto_lock_override() -> Option<u64> {
    std::env::var("REGIE_APP_AUTO_LOCK_SECONDS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|s| (1..=3600).contains(s))
}

#[tauri::command]
pub async fn reset_wallet(state: State<'_, AppState>) -> Result<(), AppError> {
    lock(state.clone()).await?;
    state.wallet.reset()?;
    Ok(())
}

/// Runs `f` with the unlocked wallet, or says it is locked.
async fn with_wallet<T>(
    state: &State<'_, AppState>,
    f: impl AsyncFnOnce(&UnlockedWallet) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let guard = state.unlocked.lock().await;
    let wallet = guard.as_ref().ok_or_else(AppError::locked)?;
    f(wallet).await
}

#[tauri::command]
pub async fn credentials(
    state: State<'_, AppState>,
    lang_code: String,
) -> Result<Vec<CredentialCard>, AppError> {
    let l = lang(&lang_code);
    with_wallet(&state, async |w| {
        Ok(w.credentials(None, PAGE)?
            .iter()
            .map(|c| CredentialCard::new(c, l))
            .collect())
    })
    .await
}

#[tauri::command]
pub async fn accept_offer(
    state: State<'_, AppState>,
    uri: String,
    tx_code: Option<String>,
    lang_code: String,
) -> Result<Vec<CredentialCard>, AppError> {
    let l = lang(&lang_code);
    with_wallet(&state, async |w| {
        let stored = w
            .accept_offer(uri.trim(), tx_code.as_deref().filter(|c| !c.is_empty()))
            .await?;
        Ok(stored.iter().map(|c| CredentialCard::new(c, l)).collect())
    })
    .await
}

#[tauri::command]
pub async fn refresh_status(state: State<'_, AppState>) -> Result<StatusReport, AppError> {
    with_wallet(&state, async |w| Ok(w.refresh_status().await?)).await
}

#[tauri::command]
pub async fn assess_request(
    state: State<'_, AppState>,
    uri: String,
    lang_code: String,
) -> Result<Assessment, AppError> {
    let l = lang(&lang_code);
    let pending = with_wallet(&state, async |w| {
        let _ = w.refresh_status().await;
        Ok(w.assess_request(uri.trim(), l).await?)
    })
    .await?;
    let assessment = pending.assessment.clone();
    *state.pending.lock().await = Some(pending);
    Ok(assessment)
}

/// Approves (with the PIN again, right before anything leaves the wallet) or declines the
/// request on screen.
#[tauri::command]
pub async fn answer_request(
    state: State<'_, AppState>,
    approve: bool,
    pin_code: Option<String>,
) -> Result<Answered, AppError> {
    let pending = state
        .pending
        .lock()
        .await
        .take()
        .ok_or_else(|| AppError::new("no_request", "there is no request on screen"))?;
    let result = with_wallet(&state, async |w| {
        if approve {
            let code = pin_code.ok_or_else(|| AppError::new("wrong_pin", "the PIN is needed"))?;
            w.confirm_pin(&pin(code))?;
            Ok(w.approve(&pending).await?)
        } else {
            Ok(w.deny(&pending).await?)
        }
    })
    .await;
    // A wrong PIN keeps the request on screen so the citizen can try again.
    if matches!(&result, Err(e) if e.code == "wrong_pin") {
        *state.pending.lock().await = Some(pending);
    }
    result
}

#[tauri::command]
pub async fn history(
    state: State<'_, AppState>,
    before: Option<u64>,
    lang_code: String,
) -> Result<Vec<EventLine>, AppError> {
    let l = lang(&lang_code);
    with_wallet(&state, async |w| {
        Ok(w.history(before, PAGE)?
            .iter()
            .map(|e| EventLine::new(e, l))
            .collect())
    })
    .await
}

#[tauri::command]
pub async fn sharing(
    state: State<'_, AppState>,
    lang_code: String,
) -> Result<Vec<SharingLine>, AppError> {
    let l = lang(&lang_code);
    with_wallet(&state, async |w| {
        Ok(w.sharing_overview()?
            .iter()
            .map(|r| SharingLine::new(r, l))
            .collect())
    })
    .await
}

/// A photo or screenshot of a QR code (the picture's bytes as the raw body) → the offer or
/// request link it holds.
#[tauri::command]
pub async fn scan_image(request: tauri::ipc::Request<'_>) -> Result<Scanned, AppError> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(AppError::new(
            "unreadable_image",
            "expected the picture's bytes",
        ));
    };
    let bytes = bytes.clone();
    // Decoding a photo takes a moment: off the async workers.
    tokio::task::spawn_blocking(move || wallet_core::scan::scan_image(&bytes))
        .await
        .map_err(|_| AppError::new("unreadable_image", "reading the picture failed"))?
        .map_err(AppError::from)
}

/// A pasted or opened link → whether it is an offer or a request.
#[tauri::command]
pub async fn classify_link(text: String) -> Result<Scanned, AppError> {
    Ok(wallet_core::scan::classify(&text)?)
}

/// The link the app was opened with, once.
#[tauri::command]
pub async fn opened_with(state: State<'_, AppState>) -> Result<Option<Scanned>, AppError> {
    Ok(state.opened_with.lock().await.take())
}

/// Fresh copies and current data for an outdated credential, from its issuer.
#[tauri::command]
pub async fn renew_credential(
    state: State<'_, AppState>,
    id: String,
    lang_code: String,
) -> Result<CredentialCard, AppError> {
    let l = lang(&lang_code);
    with_wallet(&state, async |w| {
        let renewed = w.renew(&id).await?;
        Ok(CredentialCard::new(&renewed, l))
    })
    .await
}

#[tauri::command]
pub async fn change_pin(
    state: State<'_, AppState>,
    old_pin: String,
    new_pin: String,
) -> Result<(), AppError> {
    // A PIN change replaces the unlocked wallet's data key and store: it needs it mutably.
    let mut guard = state.unlocked.lock().await;
    let wallet = guard.as_mut().ok_or_else(AppError::locked)?;
    Ok(wallet.change_pin(&pin(old_pin), &pin(new_pin))?)
}
