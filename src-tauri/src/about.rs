//! "Over Regie": the app's version and licence, and the licences of everything it bundles
//! (src-tauri/licences.json from scripts/licences.mjs, compressed into the binary by build.rs).
use std::io::Read;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::error::AppError;

static LICENCES_GZ: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/licences.json.gz"));

#[derive(Clone, Serialize, Deserialize)]
pub struct Package {
    pub kind: String,
    pub name: String,
    pub version: String,
    pub licence: String,
    pub repository: Option<String>,
    /// Indexes into the licence texts; empty when the package ships none.
    pub texts: Vec<usize>,
}

#[derive(Deserialize)]
struct Licences {
    packages: Vec<Package>,
    texts: Vec<String>,
}

/// The list, read once when first asked for (the screen is rarely opened).
fn licences() -> Result<&'static Licences, AppError> {
    static PARSED: OnceLock<Option<Licences>> = OnceLock::new();
    PARSED
        .get_or_init(|| {
            let mut json = Vec::new();
            flate2::read::GzDecoder::new(LICENCES_GZ)
                .read_to_end(&mut json)
                .ok()?;
            serde_json::from_slice(&json).ok()
        })
        .as_ref()
        .ok_or_else(|| AppError::new("storage", "the list of licences is damaged"))
}

#[derive(Serialize)]
pub struct About {
    pub version: &'static str,
    pub licence: &'static str,
    pub packages: Vec<Package>,
}

#[tauri::command]
pub fn about() -> Result<About, AppError> {
    Ok(About {
        version: env!("CARGO_PKG_VERSION"),
        licence: env!("CARGO_PKG_LICENSE"),
        packages: licences()?.packages.clone(),
    })
}

/// One licence text, by the index a package names.
#[tauri::command]
pub fn licence_text(index: usize) -> Result<String, AppError> {
    licences()?
        .texts
        .get(index)
        .cloned()
        .ok_or_else(|| AppError::new("invalid_request", "no licence text with that number"))
}
