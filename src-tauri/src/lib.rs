//! `regie-app`: the citizen's wallet app. A thin Tauri shell: the window, the commands
//! (one wallet-core call each), and where the wallet lives. Everything else is wallet-core.
mod about;
mod backup_commands;
mod camera;
mod commands;
mod error;
mod export;
mod links;
mod saved_files;
// The screensaver's signals on the session bus: Linux desktops only.
#[cfg(target_os = "linux")]
mod screen_lock;
mod state;
#[cfg(desktop)]
mod window_size;

use std::path::PathBuf;

use tauri::Manager;

pub use error::AppError;
pub use state::AppState;

/// Where the wallet's files are: `$REGIE_APP_DATA_DIR`, or the platform's app data folder.
fn data_dir(app: &tauri::App) -> Result<PathBuf, Box<dyn std::error::Error>> {
    if let Some(dir) = std::env::var_os("REGIE_APP_DATA_DIR") {
        return Ok(PathBuf::from(dir));
    }
    Ok(app.path().app_data_dir()?.join("wallet"))
}

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    // WebKitGTK's DMA-BUF renderer: without it the window's web process needs about 80 MiB
    // less and the first screen comes sooner (measured, BENCHMARKS.md); set before GTK starts
    // and before any thread, unless the citizen's environment chose otherwise.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_none() {
        std::env::set_var("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
    }
    let builder = tauri::Builder::default();
    // First, so that a second start hands its link over before it sets anything up.
    #[cfg(desktop)]
    let builder = builder.plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
        links::second_start(app, argv)
    }));
    #[cfg(desktop)]
    let builder = {
        let changes = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        builder
            .plugin(tauri_plugin_window_state::Builder::default().build())
            .on_window_event(move |window, event| {
                window_size::on_event(window.app_handle(), event, &changes)
            })
    };
    // A phone reads QR codes with its camera and is handed links by the system.
    #[cfg(mobile)]
    let builder = builder
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_barcode_scanner::init());
    let result = builder
        .setup(|app| {
            links::warn_without_session_bus();
            #[cfg(target_os = "linux")]
            screen_lock::watch(app.handle().clone());
            // The window's camera only with the citizen's consent (camera.rs).
            #[cfg(target_os = "linux")]
            if let Some(window) = app.get_webview_window("main") {
                camera::guard(&window)?;
            }
            let opened_with = links::at_start(app);
            let state = AppState::open(data_dir(app)?, opened_with)?;
            app.manage(state);
            #[cfg(mobile)]
            links::follow(app);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::wallet_state,
            commands::create_wallet,
            commands::unlock,
            commands::lock,
            commands::auto_lock_override,
            commands::reset_wallet,
            commands::credentials,
            commands::accept_offer,
            commands::refresh_status,
            commands::assess_request,
            commands::answer_request,
            commands::history,
            commands::sharing,
            commands::scan_image,
            commands::classify_link,
            commands::opened_with,
            commands::renew_credential,
            commands::change_pin,
            commands::first_screen_drawn,
            backup_commands::make_backup,
            backup_commands::restore_backup,
            export::export_data,
            about::about,
            about::licence_text,
            camera::camera_support,
            camera::allow_camera_once,
            camera::camera_off,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("regie-app: {e}");
        std::process::exit(1);
    }
}
