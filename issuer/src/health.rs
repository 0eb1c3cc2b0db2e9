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

/// The process can serve: its store reads.
pub async fn ready(State(issuer): State<Shared>) -> Response {
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
