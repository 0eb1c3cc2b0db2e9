//! The camera on a Linux desktop. The window reads QR codes from the camera's picture with
//! `getUserMedia`, and WebKitGTK asks the app before a page may have a camera. The app's own
//! answer is the citizen's: the window first asks in plain Dutch (camera.ts), and only its
//! "Toestaan" lets the next camera request through, for video alone. Everything else WebKit
//! asks for (the microphone, the screen, places, notifications) is refused. WebKit remembers
//! an answer for the rest of the page's life and would not ask again; the window has the
//! camera turned off here when a scan ends, which also makes WebKit forget that it was
//! allowed, so every scan needs its own "Toestaan". Phones scan with their plugin (lib.rs)
//! and never come here.
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::AppError;

/// How long the citizen's "Toestaan" waits for the camera request it was given for: the
/// window asks right after it, so a consent never used cannot open the camera later.
const CONSENT_HOLDS: Duration = Duration::from_secs(10);

/// When the citizen last allowed the camera, until a request uses it.
static CONSENT: Mutex<Option<Instant>> = Mutex::new(None);

/// Tests only: WebKit's stand-in camera (a moving test picture) instead of a real one.
const MOCK_ENV: &str = "REGIE_APP_MOCK_CAMERA";

/// How the window may scan a QR code with a camera.
#[derive(Serialize)]
pub struct CameraSupport {
    /// `phone`: the scanner plugin; `webview`: the window's own camera (Linux); `none`:
    /// pictures only (Windows and macOS have their own camera prompts, not set up here).
    kind: &'static str,
    /// WebKit's stand-in camera is on (`REGIE_APP_MOCK_CAMERA=1`); the window then also
    /// takes a test's picture in place of the camera's frames.
    mock: bool,
}

fn mock() -> bool {
    cfg!(target_os = "linux") && std::env::var(MOCK_ENV).is_ok_and(|v| v == "1")
}

#[tauri::command]
pub fn camera_support() -> CameraSupport {
    let kind = if cfg!(mobile) {
        "phone"
    } else if cfg!(target_os = "linux") {
        "webview"
    } else {
        "none"
    };
    CameraSupport { kind, mock: mock() }
}

fn consent() -> std::sync::MutexGuard<'static, Option<Instant>> {
    CONSENT.lock().unwrap_or_else(|e| e.into_inner())
}

/// The citizen said "Toestaan": the next camera request may open the camera.
#[tauri::command]
pub fn allow_camera_once() {
    *consent() = Some(Instant::now());
}

/// The scan ends: the camera off from this side, and a consent no request used gone. Called
/// while the camera still runs, since only then does turning it off also make WebKit forget
/// that the app allowed it (WebKit remembers a grant or a refusal for the page's whole life
/// and would not ask the permission handler again; a state already off cannot be set, so
/// after the page stopped its stream this would change nothing; both measured).
#[tauri::command]
pub fn camera_off(window: tauri::WebviewWindow) -> Result<(), AppError> {
    consent().take();
    #[cfg(target_os = "linux")]
    window
        .with_webview(|webview| {
            use webkit2gtk::{MediaCaptureState, WebViewExt};
            webview
                .inner()
                .set_camera_capture_state(MediaCaptureState::None);
        })
        .map_err(|e| AppError::new("camera_failed", e.to_string()))?;
    #[cfg(not(target_os = "linux"))]
    let _ = window;
    Ok(())
}

/// Whether a consent given since `CONSENT_HOLDS` before `now` is there; it is used up.
fn take_consent(now: Instant) -> bool {
    consent()
        .take()
        .is_some_and(|given| now.saturating_duration_since(given) <= CONSENT_HOLDS)
}

/// Turns on WebKit's media capture for the window and answers its permission requests.
#[cfg(target_os = "linux")]
pub fn guard(window: &tauri::WebviewWindow) -> tauri::Result<()> {
    let mock = mock();
    window.with_webview(move |webview| {
        use webkit2gtk::glib::prelude::Cast;
        use webkit2gtk::{
            PermissionRequestExt, SettingsExt, UserMediaPermissionRequest,
            UserMediaPermissionRequestExt, WebViewExt,
        };
        let view = webview.inner();
        if let Some(settings) = WebViewExt::settings(&view) {
            // getUserMedia exists only with media streams on (off in WebKitGTK by default).
            settings.set_enable_media_stream(true);
            if mock {
                settings.set_enable_mock_capture_devices(true);
            }
        }
        view.connect_permission_request(|_, request| {
            let camera_alone = request
                .downcast_ref::<UserMediaPermissionRequest>()
                .is_some_and(|m| m.is_for_video_device() && !m.is_for_audio_device());
            if camera_alone && take_consent(Instant::now()) {
                request.allow();
            } else {
                request.deny();
            }
            // Answered here: WebKit's own default is not asked.
            true
        });
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_consent_opens_one_request_and_only_soon_after() {
        let now = Instant::now();
        assert!(!take_consent(now), "nothing allowed yet");
        allow_camera_once();
        assert!(take_consent(Instant::now()));
        assert!(
            !take_consent(Instant::now()),
            "used up by the first request"
        );
        allow_camera_once();
        let late = Instant::now() + CONSENT_HOLDS + Duration::from_secs(1);
        assert!(!take_consent(late), "a consent left unused expires");
        assert!(!take_consent(Instant::now()), "and is gone");
    }
}
