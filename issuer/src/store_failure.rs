//! How the protocol and back-office handlers answer when the store fails, and how they keep
//! spent single-use values spent.
use axum::http::StatusCode;
use axum::response::Response;

use crate::service::{error, internal};
use crate::store::{Store, StoreError};

/// A failed store call. When the data directory cannot be written (full disk, read-only
/// file system) the client gets a 503 that says so and may retry later; reads that need no
/// write go on being served. Anything else is an internal error.
pub(crate) fn store_failure(e: StoreError) -> Response {
    if !e.is_unavailable() {
        return internal(e);
    }
    // The cause (e.g. "No space left on device") is for the operator, not the client.
    tracing::error!("storage unavailable: {e}");
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "storage_unavailable",
        "the issuer cannot write its data (disk full or read-only); the request was not completed, try again later",
    )
}

/// Makes the taking of single-use values (codes, access and refresh tokens, nonces) durable
/// however the request ends: one refused after it was taken must not come back after a
/// crash. The success paths flush on their own; this covers the refusals.
pub(crate) struct DurableOnDrop<'a>(pub(crate) &'a Store);

impl Drop for DurableOnDrop<'_> {
    fn drop(&mut self) {
        if let Err(e) = self.0.flush() {
            tracing::error!("storage unavailable: {e}");
        }
    }
}
