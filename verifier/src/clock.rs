//! Where the verifier's time comes from, so that expiry is testable.

/// A source of Unix seconds.
pub trait Clock: Send + Sync {
    fn now(&self) -> u64;
}

/// The operating system's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }
}
