//! Where a service's log goes and how much of it: `REGIE_LOG` (a level such as `info` or
//! `debug`, or a `tracing` filter; default `info`), `REGIE_LOG_FILE` (append to this file
//! instead of standard error) and `REGIE_LOG_FORMAT` (`text`, the default, or `json`, one
//! object per line for a log collector).
//!
//! What is logged never holds personal data, PINs, keys or tokens: request lines name the
//! route template, not the path (paths carry session ids and case tokens), and events carry
//! counts, kinds and outcomes. The test command writes every service's log at debug level
//! and fails when one of these appears (`scripts/scan-logs.mjs`).
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

/// Why logging could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("REGIE_LOG {0:?} is not a log level or filter")]
    Filter(String),
    #[error("cannot open the log file {path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("REGIE_LOG_FORMAT {0:?} is neither text nor json")]
    Format(String),
}

/// The chosen level, destination and format.
#[derive(Clone, Debug, Default)]
pub struct LogConfig {
    pub filter: Option<String>,
    pub file: Option<PathBuf>,
    pub json: bool,
}

impl LogConfig {
    /// From `REGIE_LOG`, `REGIE_LOG_FILE` and `REGIE_LOG_FORMAT`.
    pub fn from_env() -> Result<LogConfig, LogError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let json = match var("REGIE_LOG_FORMAT").as_deref() {
            None | Some("text") => false,
            Some("json") => true,
            Some(other) => return Err(LogError::Format(other.to_owned())),
        };
        Ok(LogConfig {
            filter: var("REGIE_LOG"),
            file: var("REGIE_LOG_FILE").map(PathBuf::from),
            json,
        })
    }

    /// Installs the global subscriber. Fails if one is installed already (tests that
    /// start several services in one process share the first).
    pub fn install(&self) -> Result<(), LogError> {
        let filter = self.filter.as_deref().unwrap_or("info");
        let filter = EnvFilter::try_new(filter).map_err(|_| LogError::Filter(filter.into()))?;
        let builder = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_target(true);
        // `try_init` only fails when a subscriber exists: that one keeps logging.
        match &self.file {
            Some(path) => {
                let file = Mutex::new(open_append(path)?);
                if self.json {
                    let _ = builder.json().with_writer(file).try_init();
                } else {
                    let _ = builder.with_writer(file).try_init();
                }
            }
            None if self.json => {
                let _ = builder.json().with_writer(std::io::stderr).try_init();
            }
            None => {
                let _ = builder.with_writer(std::io::stderr).try_init();
            }
        }
        Ok(())
    }
}

/// Sets up logging from the environment.
pub fn init_from_env() -> Result<(), LogError> {
    LogConfig::from_env()?.install()
}

fn open_append(path: &Path) -> Result<File, LogError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| LogError::File {
            path: path.to_owned(),
            source,
        })?;
    }
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|source| LogError::File {
            path: path.to_owned(),
            source,
        })
}

/// For tests that run a service in their own process: when `REGIE_TEST_LOG_DIR` is set (the
/// test command sets it), logs at debug level to `<dir>/<test binary>-<pid>.log`, for the scan
/// for personal data at the end of the run. Without it, nothing is installed.
pub fn for_tests() {
    let Some(dir) = std::env::var_os("REGIE_TEST_LOG_DIR").map(PathBuf::from) else {
        return;
    };
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "test".into());
    let config = LogConfig {
        filter: Some("debug,hyper=info,h2=info,reqwest=info,rustls=info,sled=info".into()),
        file: Some(dir.join(format!("{exe}-{}.log", std::process::id()))),
        json: false,
    };
    if let Err(e) = config.install() {
        eprintln!("test logging: {e}");
    }
}
