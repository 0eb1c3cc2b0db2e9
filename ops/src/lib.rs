//! Operations shared by `regie-issuer` and `regie-verifier`: logging, metrics, shutdown and
//! housekeeping.
pub mod housekeeping;
pub mod logging;
pub mod metrics;
pub mod request_log;
pub mod sled_db;

pub use logging::{init_from_env, LogConfig, LogError};
pub use metrics::metrics;
pub use request_log::log_requests;
pub mod shutdown;
pub use shutdown::shutdown_signal;
