//! `/health/live`, `/health/ready` and `/metrics`, for a load balancer and for monitoring.
//! None of them needs a token and none shows personal data; a deployment keeps `/metrics`
//! off the public address (see `deploy/`).
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::service::Shared;

pub use regie_ops::metrics::live;

/// The process can serve: its store reads and writes. (After a full disk or a read-only file
/// system sled refuses writes until a restart, so an orchestrator should take the instance
/// out and restart it once the disk has room; a database out of reach makes every instance
/// not ready until it is back.)
pub async fn ready(State(issuer): State<Shared>) -> Response {
    match issuer.store.check_ready().await {
        Ok(()) => Json(json!({"status": "ready"})).into_response(),
        Err(e) => {
            tracing::warn!("not ready: the store: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "reason": "the store cannot be used"})),
            )
                .into_response()
        }
    }
}

/// Prometheus text format.
pub async fn metrics() -> Response {
    regie_ops::metrics::response()
}
