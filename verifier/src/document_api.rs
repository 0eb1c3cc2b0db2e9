//! `POST /api/documents/verify`: a document's QR text (`{"qr_text": "RG1:…"}` or plain
//! text) or a photo or scan (`image/png`, `image/jpeg`) → verdict, issuer and attributes.
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use regie_qr_image::ImageError;
use serde_json::{json, Value};

use crate::documents;
use crate::image_pool::ImageWorkError;
use crate::service::{error, no_store, Shared};

/// How an image that was not read is answered.
pub fn image_refusal(e: &ImageWorkError) -> Response {
    match e {
        ImageWorkError::Image(ImageError::TooLarge | ImageError::TooManyPixels) => {
            error(StatusCode::PAYLOAD_TOO_LARGE, "too_large", &e.to_string())
        }
        ImageWorkError::Busy => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5")],
            error(StatusCode::SERVICE_UNAVAILABLE, "busy", &e.to_string()),
        )
            .into_response(),
        ImageWorkError::Image(_) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            no_store(Json(
                json!({"verdict": "onleesbaar", "message": e.to_string()}),
            )),
        )
            .into_response(),
    }
}

/// `POST /api/documents/verify`.
pub async fn verify_document(
    State(verifier): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let text = if content_type.starts_with("image/") {
        match verifier.images.qr_text(body).await {
            Ok(text) => text,
            Err(e) => return image_refusal(&e),
        }
    } else if content_type.starts_with("application/json") {
        match serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v.get("qr_text").and_then(Value::as_str).map(str::to_owned))
        {
            Some(t) => t,
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "expected {\"qr_text\": \"RG1:...\"}",
                )
            }
        }
    } else {
        String::from_utf8_lossy(&body).into_owned()
    };
    let trust = match verifier.trust_list() {
        Ok(t) => t,
        Err(r) => return r,
    };
    let validation =
        documents::validate(&text, &trust, &verifier.status, verifier.clock.now()).await;
    no_store(Json(validation))
}
