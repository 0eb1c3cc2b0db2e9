//! Export: everything in the wallet as a JSON file for the citizen (credentials' data without
//! keys, the sharing overview and the whole history), as `regie-wallet export` writes it.
use serde::Serialize;
use tauri::State;
use zeroize::Zeroizing;

use crate::error::AppError;
use crate::state::AppState;

#[derive(Serialize)]
pub struct Exported {
    pub path: String,
    pub credentials: usize,
    pub events: usize,
}

/// Writes the export after the PIN is confirmed: the file holds the citizen's data in the
/// clear, so it takes the same step as sharing.
#[tauri::command]
pub async fn export_data(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    pin_code: String,
) -> Result<Exported, AppError> {
    state
        .with_pin_confirmed(pin_code, async |wallet| {
            let export = wallet.export()?;
            let text = Zeroizing::new(
                serde_json::to_vec_pretty(&wallet_core::wallet::export_json(&export))
                    .map_err(|e| AppError::new("storage", e.to_string()))?,
            );
            let path =
                crate::saved_files::save_new(&app, "regie-export", "json", wallet.now(), &text)?;
            Ok(Exported {
                path: path.display().to_string(),
                credentials: export.credentials.len(),
                events: export.history.len(),
            })
        })
        .await
}
