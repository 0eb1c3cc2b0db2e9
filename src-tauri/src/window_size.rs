//! The window opens at the size and place the citizen left it (tauri-plugin-window-state).
//! The plugin writes its file when the app exits normally; a session that ends otherwise (the
//! computer switched off, the process killed) would lose it, so the state is also written half
//! a second after the window stops being resized or moved.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tauri::{AppHandle, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

const SETTLE: Duration = Duration::from_millis(500);

/// Called for every window event; counts changes and saves once they settle.
pub fn on_event(app: &AppHandle, event: &WindowEvent, changes: &Arc<AtomicU64>) {
    if !matches!(event, WindowEvent::Resized(_) | WindowEvent::Moved(_)) {
        return;
    }
    let this_change = changes.fetch_add(1, Ordering::SeqCst) + 1;
    let (app, changes) = (app.clone(), changes.clone());
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SETTLE).await;
        if changes.load(Ordering::SeqCst) == this_change {
            if let Err(e) = app.save_window_state(StateFlags::all()) {
                eprintln!("regie-app: the window's size was not kept: {e}");
            }
        }
    });
}
