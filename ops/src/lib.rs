//! Operations shared by `regie-issuer` and `regie-verifier`: logging, metrics, shutdown,
//! housekeeping and opening their stores (sled, PostgreSQL).
#[cfg(feature = "service-allocator")]
pub mod allocator;
pub mod config_file;
pub mod housekeeping;
pub mod logging;
pub mod metrics;
pub mod postgres;
pub mod request_log;
pub mod sled_db;
#[cfg(feature = "test-database")]
pub mod test_database;
pub mod tls;

pub use logging::{init_from_env, LogConfig, LogError};
pub use metrics::metrics;
pub use request_log::log_requests;
pub mod shutdown;
pub use shutdown::shutdown_signal;
