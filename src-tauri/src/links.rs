//! Links handed to the app by the system. On a desktop: on the command line of the first
//! start, or by a second start while the app runs (the single-instance plugin hands its
//! arguments over and the second process ends), so a clicked link always lands in the one
//! window the citizen has. On a phone the deep-link plugin hands them over (the schemes are
//! registered through tauri.conf.json, `plugins.deep-link.mobile`).
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

/// The link the app was started with: on the command line of a desktop, from the system on a
/// phone.
pub fn at_start(app: &tauri::App) -> Option<Scanned> {
    #[cfg(mobile)]
    {
        use tauri_plugin_deep_link::DeepLinkExt;
        // Not there yet is no error: the link may still come as an event (see `follow`).
        let urls = app.deep_link().get_current().ok().flatten()?;
        link_in(urls.into_iter().map(String::from))
    }
    #[cfg(desktop)]
    {
        let _ = app;
        link_in(std::env::args().skip(1))
    }
}

/// A link that came while the app runs is kept for the screen (taken right away when the
/// wallet is open, after the PIN otherwise).
fn arrived(app: &AppHandle, link: Scanned) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        *state.opened_with.lock().await = Some(link);
        let _ = app.emit(LINK_EVENT, ());
    });
}

/// A phone hands over links opened while the app runs, and on some systems the one it was
/// started with too, as events. Called once the state is managed, which `arrived` needs.
#[cfg(mobile)]
pub fn follow(app: &tauri::App) {
    use tauri_plugin_deep_link::DeepLinkExt;
    let handle = app.handle().clone();
    app.deep_link().on_open_url(move |event| {
        if let Some(link) = link_in(event.urls().into_iter().map(String::from)) {
            arrived(&handle, link);
        }
    });
}

/// A second start handed over `argv`: its link is kept for the screen, and the window comes to
/// the front.
#[cfg(desktop)]
pub fn second_start(app: &AppHandle, argv: Vec<String>) {
    if let Some(link) = link_in(argv.into_iter().skip(1)) {
        arrived(app, link);
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
