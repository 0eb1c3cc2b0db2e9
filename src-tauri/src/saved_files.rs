//! Files the app writes for the citizen (a backup, an export): in their documents folder, a
//! new name per file, owner-only.
use std::path::PathBuf;

use tauri::Manager;

use crate::error::AppError;

/// `REGIE_APP_SAVE_DIR` when set (tests, managed desktops), else the documents folder, else
/// the home folder.
fn save_dir(app: &tauri::AppHandle) -> Result<PathBuf, AppError> {
    if let Some(dir) = std::env::var_os("REGIE_APP_SAVE_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let paths = app.path();
    paths
        .document_dir()
        .or_else(|_| paths.home_dir())
        .map_err(|_| AppError::new("storage", "no folder to write to"))
}

/// Writes `bytes` as `{stem}-YYYY-MM-DD.{ext}` (`-2`, `-3`, … when that exists: an earlier
/// file of the same day is never replaced), readable by the owner only; its path.
pub fn save_new(
    app: &tauri::AppHandle,
    stem: &str,
    ext: &str,
    now: u64,
    bytes: &[u8],
) -> Result<PathBuf, AppError> {
    let dir = save_dir(app)?;
    std::fs::create_dir_all(&dir)
        .map_err(|e| AppError::new("storage", format!("could not make {}: {e}", dir.display())))?;
    let day = protocol::dates::iso_date(now);
    let mut path = dir.join(format!("{stem}-{day}.{ext}"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{stem}-{day}-{n}.{ext}"));
        n += 1;
    }
    wallet_core::files::write_private(&path, bytes).map_err(|e| {
        AppError::new(
            "storage",
            format!("could not write {}: {e}", path.display()),
        )
    })?;
    Ok(path)
}
