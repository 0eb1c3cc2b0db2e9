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

/// The process can serve: its store reads, and writes (a flush reports sled's I/O error:
/// after a full disk or a read-only file system sled refuses writes until a restart, so an
/// orchestrator should take the instance out and restart it once the disk has room).
pub async fn ready(State(issuer): State<Shared>) -> Response {
    if let Err(e) = issuer.store.flush() {
        tracing::warn!("not ready: the store: {e}");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable", "reason": "the store cannot be written"})),
        )
            .into_response();
    }
    match issuer.store.current_list() {
        Ok(_) => Json(json!({"status": "ready"})).into_response(),
        Err(e) => {
            tracing::warn!("not ready: the store: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "reason": "the store cannot be read"})),
            )
                .into_response()
        }
    }
}

/// Prometheus text format.
pub async fn metrics() -> Response {
    regie_ops::metrics::response()
}
