//! Work a service does on its own, on a timer: removing records whose time has passed.
//!
//! Without it every session, offer, nonce and token ever made stays on disk, and anyone who
//! may ask for a nonce can fill the disk. A job whose store blocks (sled) runs its work on the
//! blocking pool itself; each run reports how many records it removed as `regie_events_total{event="purged"}`.
use std::future::Future;
use std::time::Duration;

/// Runs `job` every `period` until it returns `None` (its store is gone: the service ended).
/// `store` names the store in logs and metrics; the job returns how many records it
/// removed, or why it could not.
pub fn every<F, R, E>(period: Duration, store: &'static str, job: F)
where
    F: Fn() -> R + Send + Sync + 'static,
    R: Future<Output = Option<Result<u64, E>>> + Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::warn!(store, "no runtime: records whose time has passed are kept");
        return;
    };
    runtime.spawn(async move {
        let mut tick = tokio::time::interval(period);
        // A slow run is not made up for by a burst of runs afterwards.
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match job().await {
                None => break,
                Some(Ok(0)) => {}
                Some(Ok(removed)) => {
                    tracing::debug!(store, removed, "records past their time removed");
                    crate::metrics().event("purged", &[("store", store)], removed);
                }
                // The store's own error (a full or read-only disk, an unreachable database):
                // tried again next time.
                Some(Err(e)) => tracing::warn!(store, "removing old records: {e}"),
            }
        }
    });
}
