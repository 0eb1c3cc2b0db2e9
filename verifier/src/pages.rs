//! Demo relying-party pages (filled in below).
use axum::Router;

use crate::service::Shared;

pub fn routes() -> Router<Shared> {
    Router::new()
}
