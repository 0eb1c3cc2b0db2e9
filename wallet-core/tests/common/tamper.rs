//! The proxy in front of the test issuer, and how it spoils credential responses.
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use protocol::jose::SigningKey;
use serde_json::{json, Value};

use super::now;

/// How the proxy in front of the issuer spoils credential responses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tamper {
    None,
    /// Changes a character inside the first disclosure of each credential.
    Disclosure,
    /// Changes a character of the issuer's signature.
    Signature,
    /// Appends a key binding JWT: an SD-JWT+KB, which a holder must refuse.
    KeyBinding,
    /// Re-signs the issuer JWT with the issuer's key and an `aud` added.
    Audience,
}

pub(super) struct ProxyState {
    pub target: String,
    pub http: reqwest::Client,
    pub tamper: Arc<Mutex<Tamper>>,
    pub key: SigningKey,
}

pub(super) async fn proxy_request(
    State(state): State<Arc<ProxyState>>,
    request: axum::extract::Request,
) -> axum::response::Response {
    let method = request.method().clone();
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let headers = request.headers().clone();
    let body = axum::body::to_bytes(request.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    let mut forward = state
        .http
        .request(method, format!("{}{}", state.target, path))
        .body(body);
    for name in ["content-type", "authorization", "accept"] {
        if let Some(v) = headers.get(name) {
            forward = forward.header(name, v.to_str().unwrap_or_default());
        }
    }
    let response = forward.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_owned();
    let mut bytes = response.bytes().await.unwrap().to_vec();
    let tamper = *state.tamper.lock().unwrap();
    if path.starts_with("/credential") && status == 200 && tamper != Tamper::None {
        let mut v: Value = serde_json::from_slice(&bytes).unwrap();
        for c in v["credentials"].as_array_mut().unwrap() {
            let text = c["credential"].as_str().unwrap().to_owned();
            c["credential"] = Value::String(tamper_with(&text, tamper, &state.key));
        }
        bytes = serde_json::to_vec(&v).unwrap();
    }
    (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", content_type)],
        bytes,
    )
        .into_response()
}

fn flip(c: u8) -> u8 {
    if c == b'A' {
        b'B'
    } else {
        b'A'
    }
}

fn tamper_with(sd_jwt: &str, tamper: Tamper, issuer_key: &SigningKey) -> String {
    let mut bytes = sd_jwt.as_bytes().to_vec();
    match tamper {
        Tamper::KeyBinding => {
            let kb = protocol::jose::sign_json(
                protocol::sd_jwt::KB_JWT_TYP,
                serde_json::Map::new(),
                &json!({"iat": now(), "aud": "anyone", "nonce": "n", "sd_hash": "x"}),
                &SigningKey::generate(),
            )
            .unwrap();
            return format!("{sd_jwt}{kb}");
        }
        Tamper::Audience => {
            let (jwt, rest) = sd_jwt.split_once('~').unwrap();
            let parsed = protocol::jose::UnverifiedJws::parse(jwt).unwrap();
            let mut claims: serde_json::Map<String, Value> = parsed.claims_unverified().unwrap();
            claims.insert("aud".into(), "verifier_attestation:one.example".into());
            let resigned = protocol::jose::sign_compact(
                parsed.header().clone(),
                Value::Object(claims).to_string().as_bytes(),
                issuer_key,
            );
            return format!("{resigned}~{rest}");
        }
        Tamper::Disclosure => {
            let first_tilde = sd_jwt.find('~').unwrap();
            bytes[first_tilde + 5] = flip(bytes[first_tilde + 5]);
        }
        Tamper::Signature => {
            let first_tilde = sd_jwt.find('~').unwrap();
            bytes[first_tilde - 10] = flip(bytes[first_tilde - 10]);
        }
        Tamper::None => {}
    }
    String::from_utf8(bytes).unwrap()
}
