//! Operations shared by `regie-issuer` and `regie-verifier`: logging.
pub mod logging;
pub mod request_log;

pub use logging::{init_from_env, LogConfig, LogError};
pub use request_log::log_requests;
