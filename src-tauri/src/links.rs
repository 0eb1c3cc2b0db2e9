//! Links handed to the app by the desktop: on the command line of the first start, or by a
//! second start while the app runs (the single-instance plugin hands its arguments over and
//! the second process ends), so a clicked link always lands in the one window the citizen has.
use tauri::{AppHandle, Emitter, Manager};
use wallet_core::scan::Scanned;

use crate::state::AppState;

/// The event the window hears when a link arrived while it was open.
pub const LINK_EVENT: &str = "regie://link";

/// The first offer or request link among `args` (the program's own name excluded).
pub fn link_in(args: impl IntoIterator<Item = String>) -> Option<Scanned> {
    args.into_iter()
        .find_map(|a| wallet_core::scan::classify(&a).ok())
}

/// A second start handed over `argv`: its link is kept for the screen (taken right away when
/// the wallet is open, after the PIN otherwise), and the window comes to the front.
pub fn second_start(app: &AppHandle, argv: Vec<String>) {
    if let Some(link) = link_in(argv.into_iter().skip(1)) {
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            let state = app.state::<AppState>();
            *state.opened_with.lock().await = Some(link);
            let _ = app.emit(LINK_EVENT, ());
        });
    }
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// Without a session bus the desktop cannot hand a second start over to this one, and a
/// link clicked while the app runs opens a second window: say so where it can be seen.
pub fn warn_without_session_bus() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        eprintln!(
            "regie-app: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set): a link \
             opened while Regie runs starts a second window instead of reaching this one"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_wallet_link_is_taken_and_other_arguments_ignored() {
        let args = [
            "--flag",
            "https://example.org",
            "openid4vp://?request_uri=a",
            "openid-credential-offer://?x=1",
        ];
        let link = link_in(args.map(String::from));
        assert_eq!(
            link.map(|l| l.kind),
            Some(wallet_core::scan::ScannedKind::Request)
        );
        assert!(link_in(["nothing".to_owned()]).is_none());
    }
}
