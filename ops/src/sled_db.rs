//! Opening a service's sled database the same way in both services.
use std::time::Duration;

/// sled's page cache. Its default (1 GiB) let a service grow with every record it ever
/// stored (the soak in BENCHMARKS.md); what the services read again is recent.
pub const CACHE_BYTES: u64 = 32 * 1024 * 1024;

/// How long opening waits for the database's file lock.
const LOCK_WAIT: Duration = Duration::from_secs(5);

/// Opens (or creates) the database in `dir`, waiting up to five seconds for its file lock:
/// an instance stopped a moment ago may still be releasing it from sled's background
/// threads (a restart by the service manager, or a test that reopens the same files).
pub fn open(dir: &std::path::Path) -> Result<sled::Db, sled::Error> {
    let started = std::time::Instant::now();
    loop {
        match sled::Config::new()
            .path(dir)
            .cache_capacity(CACHE_BYTES)
            .open()
        {
            Err(sled::Error::Io(e)) if is_lock(&e) && started.elapsed() < LOCK_WAIT => {
                std::thread::sleep(Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

/// sled reports a held lock as a custom error around `WouldBlock`.
fn is_lock(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::WouldBlock || e.to_string().contains("acquire lock")
}
