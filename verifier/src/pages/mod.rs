//! Demo relying-party pages (Dutch first, English with `?lang=en`) and the document
//! validator: server-rendered HTML with the NL Design System's CSS, usable by keyboard and
//! screen reader, with a little JavaScript only to poll and to upload without a reload.
mod answer;
mod housing;
mod notary;
mod rp;
mod session_page;
mod statement;
mod validator;
mod viewer;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use crate::service::Shared;

pub use regie_web::Lang;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(rp::index))
        .route("/assets/{name}", get(regie_web::assets::serve))
        .route("/woonstichting", get(housing::housing_form))
        .route("/woonstichting/start", post(housing::housing_start))
        .route("/woonstichting/{id}", get(housing::housing_session))
        .route("/woonstichting/{id}/status", get(housing::housing_status))
        .route("/notaris", get(notary::notary_form))
        .route("/notaris/start", post(notary::notary_start))
        .route("/notaris/{id}", get(notary::notary_session))
        .route("/notaris/{id}/status", get(notary::notary_status))
        .route("/gemeente/verklaring", get(statement::statement_form))
        .route(
            "/gemeente/verklaring/start",
            post(statement::statement_start),
        )
        .route(
            "/gemeente/verklaring/{id}",
            get(statement::statement_session),
        )
        .route(
            "/gemeente/verklaring/{id}/status",
            get(statement::statement_status),
        )
        .route(
            "/gemeente/verklaring/{id}/verklaring.json",
            get(statement::statement_download),
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
