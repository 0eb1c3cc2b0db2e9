//! The wallet locks when the desktop's screen locks: the screensaver's `ActiveChanged(true)`
//! signal on the session bus (`org.freedesktop.ScreenSaver`, as KDE and others send it, and
//! `org.gnome.ScreenSaver`). The keys are dropped here, whatever the window is doing; the window
//! then shows the unlock screen and keeps the request that was on it for after the PIN.
use tauri::{AppHandle, Emitter, Manager};

use crate::state::AppState;

/// The event the window hears when the wallet locked because the screen did.
pub const SCREEN_LOCKED_EVENT: &str = "regie://screen-locked";

const SCREENSAVERS: [&str; 2] = ["org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"];

/// Follows the screensaver's signals on a thread of its own; without a session bus there is
/// nothing to follow (the app already said so at start).
pub fn watch(app: AppHandle) {
    let spawned = std::thread::Builder::new()
        .name("screen-lock".into())
        .spawn(move || {
            if let Err(e) = follow(&app) {
                eprintln!("regie-app: the screen's lock cannot be followed: {e}");
            }
        });
    if let Err(e) = spawned {
        eprintln!("regie-app: the screen's lock cannot be followed: {e}");
    }
}

fn follow(app: &AppHandle) -> zbus::Result<()> {
    let connection = zbus::blocking::Connection::session()?;
    let rule = zbus::MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .member("ActiveChanged")?
        .build();
    for message in zbus::blocking::MessageIterator::for_match_rule(rule, &connection, None)? {
        let Ok(message) = message else { continue };
        let header = message.header();
        let from_screensaver = header
            .interface()
            .is_some_and(|i| SCREENSAVERS.contains(&i.as_str()));
        let active = message.body().deserialize::<bool>().unwrap_or(false);
        if from_screensaver && active {
            lock(app.clone());
        }
    }
    Ok(())
}

/// Drops the open wallet's keys and the request on screen, and tells the window.
fn lock(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let was_open = state.unlocked.lock().await.take().is_some();
        *state.pending.lock().await = None;
        if was_open {
            let _ = app.emit(SCREEN_LOCKED_EVENT, ());
        }
    });
}
