//! Demo relying-party pages (Dutch first, English with `?lang=en`) and the document
//! validator: server-rendered HTML with the NL Design System's CSS, usable by keyboard and
//! screen reader, with a little JavaScript only to poll and to upload without a reload.
mod answer;
mod rp;
mod validator;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use crate::service::Shared;

pub use regie_web::Lang;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(rp::index))
        .route("/assets/{name}", get(regie_web::assets::serve))
        .route("/demo/status/{id}", get(rp::demo_status))
        .route("/woonstichting", get(rp::housing_form))
        .route("/woonstichting/start", post(rp::housing_start))
        .route("/woonstichting/{id}", get(rp::housing_session))
        .route("/notaris", get(rp::notary_form))
        .route("/notaris/start", post(rp::notary_start))
        .route("/notaris/{id}", get(rp::notary_session))
        .route("/gemeente/verklaring", get(rp::statement_form))
        .route("/gemeente/verklaring/start", post(rp::statement_start))
        .route("/gemeente/verklaring/{id}", get(rp::statement_session))
        .route(
            "/gemeente/verklaring/{id}/verklaring.json",
            get(rp::statement_download),
        )
        .route(
            "/api/statements/verify",
            post(crate::statements::verify_handler),
        )
        .route(
            "/valideer",
            get(validator::form_page)
                .post(validator::submit)
                .layer(DefaultBodyLimit::max(
                    regie_qr_image::MAX_IMAGE_BYTES + 64 * 1024,
                )),
        )
}
