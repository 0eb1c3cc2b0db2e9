//! Binding a demo session to the browser that started it. Starting a session sets a random
//! 256-bit cookie scoped to that session's page (`Path={base}/{id}`, so several sessions in
//! one browser do not overwrite each other), `HttpOnly` and `SameSite=Lax`, `Secure` on
//! https; the session keeps only its SHA-256. The page, its status and its downloads are
//! shown only when the browser's cookie hashes to that digest: neither the QR code, nor the
//! page's URL, nor a copy of the database is enough to read a result.
//!
//! The digests are compared as values: a timing difference would at most tell how much of
//! the SHA-256 of a guess matches, which says nothing about the cookie itself.
use axum::http::{header, HeaderMap};
use protocol::jose::{b64u_encode, sha256};

use crate::service::random_token;
use crate::sessions::Session;

/// The cookie's name (each session's cookie has its own path).
pub const COOKIE: &str = "regie_sessie";

/// A new browser binding: the cookie value for the browser, its digest for the session.
pub struct Viewer {
    cookie: String,
    pub digest: String,
}

impl Viewer {
    pub fn new() -> Viewer {
        let cookie = random_token();
        Viewer {
            digest: digest(&cookie),
            cookie,
        }
    }

    /// The `Set-Cookie` value for the session page at `path`.
    pub fn set_cookie(&self, path: &str, secure: bool) -> String {
        format!(
            "{COOKIE}={}; Path={path}; HttpOnly; SameSite=Lax{}",
            self.cookie,
            if secure { "; Secure" } else { "" }
        )
    }
}

impl Default for Viewer {
    fn default() -> Self {
        Viewer::new()
    }
}

fn digest(cookie: &str) -> String {
    b64u_encode(sha256(cookie.as_bytes()))
}

/// Whether the request comes from the browser that started `session`. Sessions made
/// through the API have no browser and are shown to none.
pub fn is_viewer(session: &Session, headers: &HeaderMap) -> bool {
    let Some(expected) = session.viewer_digest.as_deref() else {
        return false;
    };
    // Every cookie of that name counts: a browser may send several whose paths match.
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == COOKIE && !value.is_empty()).then_some(value)
        })
        .any(|value| digest(value) == expected)
}
