//! One log line and one metric per request: method, route template, status and time taken.
//!
//! The route template (`/response/{id}`), never the path: paths carry session ids, case
//! tokens and BSNs in the back-office API, and a log is read by more people than the data.
//! Query strings are left out for the same reason.
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;

/// Middleware for `axum::middleware::from_fn`.
pub async fn log_requests(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "(no route)".to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    let micros = elapsed.as_micros() as u64;
    crate::metrics().request(method.as_str(), &route, status, elapsed.as_secs_f64());
    if status >= 500 {
        tracing::warn!(target: "request", %method, route, status, micros, "request failed");
    } else {
        tracing::debug!(target: "request", %method, route, status, micros, "request");
    }
    response
}
