//! `/health/live`, `/health/ready` and `/metrics`, for a load balancer and for monitoring.
//! None of them needs a key and none shows personal data; a deployment keeps `/metrics` off
//! the public address (see `deploy/`).
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::service::Shared;
use crate::sessions::{SessionError, SessionStatus};

pub use regie_ops::metrics::live;

/// The process can serve: its session store can be read and written (after a full disk or
/// a read-only file system sled refuses writes until a restart, so an orchestrator should
/// take the instance out and restart it once the disk has room; PostgreSQL must answer).
pub async fn ready(State(verifier): State<Shared>) -> Response {
    match verifier.sessions.check_ready().await {
        Ok(()) => Json(json!({"status": "ready"})).into_response(),
        Err(e) => {
            tracing::warn!("not ready: the session store: {e}");
            let reason = match e {
                SessionError::Unavailable(_) => "the session store cannot be written",
                SessionError::DatabaseUnavailable(_) => "the session database cannot be reached",
                _ => "the session store cannot be read",
            };
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "reason": reason})),
            )
                .into_response()
        }
    }
}

/// Prometheus text format; sessions by state are counted now.
pub async fn metrics(State(verifier): State<Shared>) -> Response {
    let m = regie_ops::metrics();
    match verifier.sessions.count_by_state(verifier.clock.now()).await {
        Ok(counts) => {
            for state in SessionStatus::ALL {
                let n = counts.get(state.code()).copied().unwrap_or(0);
                m.stored("session", state.code(), n);
            }
        }
        Err(e) => tracing::warn!("metrics: counting sessions: {e}"),
    }
    regie_ops::metrics::response()
}
