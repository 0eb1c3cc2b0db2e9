//! The verifier service: shared state and the router.
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use protocol::jose::{b64u_encode, random_bytes, PublicJwk};
use protocol::trust::{TrustList, VerifiedTrustList};
use serde_json::json;

use crate::clock::Clock;
use crate::image_pool::ImagePool;
use crate::registry::Registry;
use crate::sessions::{SessionError, Sessions};
use crate::status_cache::StatusCache;
use crate::{api, document_api, pages, wallet_endpoints};

/// Largest body on the JSON and form endpoints.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// How long a session can be answered.
pub const SESSION_TTL: u64 = 10 * 60;

/// Everything the handlers share.
pub struct Verifier {
    /// Public base URL, without trailing slash: in request URIs, response URIs and QR codes.
    pub public_url: String,
    pub registry: Registry,
    pub sessions: Sessions,
    pub trust_anchor: PublicJwk,
    pub trust_list_jwt: String,
    pub status: StatusCache,
    pub clock: Arc<dyn Clock>,
    /// Where uploaded images are read, bounded.
    pub images: ImagePool,
}

pub type Shared = Arc<Verifier>;

impl Verifier {
    /// The trust list, checked now.
    pub fn trust_list(&self) -> Result<VerifiedTrustList, Response> {
        TrustList::verify(&self.trust_list_jwt, &self.trust_anchor, self.clock.now()).map_err(|e| {
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "trust_list",
                &format!("the configured trust list is not valid: {e}"),
            )
        })
    }
}

/// The router with every endpoint.
pub fn router(verifier: Shared) -> Router {
    let image_limit = regie_qr_image::MAX_IMAGE_BYTES + 64 * 1024;
    Router::new()
        .route("/api/sessions", post(api::create_session))
        .route("/api/sessions/{id}", get(api::get_session))
        .route("/api/sessions/{id}/statement", get(api::get_statement))
        .route("/api/sessions/{id}/qr.png", get(api::session_qr_png))
        .route("/api/sessions/{id}/qr.svg", get(api::session_qr_svg))
        .route("/api/openapi.json", get(crate::openapi::serve))
        .route("/health/live", get(crate::health::live))
        .route("/health/ready", get(crate::health::ready))
        .route("/metrics", get(crate::health::metrics))
        .route("/request/{id}", get(wallet_endpoints::request_object))
        .route("/request/{id}/qr.png", get(api::request_qr_png))
        .route("/request/{id}/qr.svg", get(api::request_qr_svg))
        .route("/response", post(wallet_endpoints::response))
        .route(
            "/api/documents/verify",
            post(document_api::verify_document).layer(DefaultBodyLimit::max(image_limit)),
        )
        .merge(pages::routes())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(regie_ops::log_requests))
        .with_state(verifier)
}

/// A random identifier or secret of 256 bits.
pub fn random_token() -> String {
    b64u_encode(random_bytes::<32>())
}

/// An OAuth-style JSON error.
pub fn error(status: StatusCode, code: &str, description: &str) -> Response {
    // Descriptions are written for the client and never name a person: the log scan of the
    // test command holds them to that.
    tracing::debug!(status = status.as_u16(), code, description, "refused");
    regie_ops::metrics().refusal(code);
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({"error": code, "error_description": description})),
    )
        .into_response()
}

/// A session store failure as the client sees it: 503 when the data directory cannot be
/// written (full disk, read-only file system), so a client may retry later; other storage
/// failures are 500. The operating system's cause goes to the log, not to the client.
pub fn storage_error(e: &SessionError) -> Response {
    match e {
        SessionError::Unknown => error(StatusCode::NOT_FOUND, "not_found", "no such session"),
        SessionError::DatabaseUnavailable(_) => {
            tracing::error!("storage unavailable: {e}");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_unavailable",
                "the verifier cannot reach its database; the request was not completed, try again later",
            )
        }
        SessionError::Unavailable(_) | SessionError::Open { .. } | SessionError::Connect(_) => {
            tracing::error!("storage unavailable: {e}");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_unavailable",
                "the verifier cannot write its data (disk full or read-only); the request was not completed, try again later",
            )
        }
        e => error(StatusCode::INTERNAL_SERVER_ERROR, "storage", &e.to_string()),
    }
}

/// A JSON answer that must not be cached.
pub fn no_store(body: impl IntoResponse) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], body).into_response()
}
