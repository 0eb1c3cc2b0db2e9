//! The page of one demo session and its live status, shown only to the browser that started
//! the session (see [`super::viewer`]).
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::rp::{not_found, status_text};
use super::viewer::is_viewer;
use crate::api::link;
use crate::service::{no_store, Shared};
use crate::sessions::{Session, SessionStatus};
use askama::Template;
use regie_web::{page, Lang};

/// Which party's page, where, and how it is titled.
pub struct SessionPage<'a> {
    pub party_id: &'a str,
    pub base: &'a str,
    pub title: &'a str,
    pub lang: Lang,
}

/// The session `id` of `party_id`, only for the browser that started it.
async fn viewed_session(
    verifier: &Shared,
    party_id: &str,
    id: &str,
    headers: &HeaderMap,
) -> Option<Session> {
    verifier
        .sessions
        .get(id)
        .await
        .ok()
        .filter(|s| s.party_id == party_id && is_viewer(s, headers))
}

/// `GET {base}/{id}/status`: only the status, for the page's live update, and only for the
/// browser that started the session.
pub async fn status(
    verifier: &Shared,
    party_id: &str,
    id: &str,
    headers: &HeaderMap,
    lang: Lang,
) -> Response {
    match viewed_session(verifier, party_id, id, headers).await {
        Some(s) => {
            let status = s.status_at(verifier.clock.now());
            no_store(Json(json!({
                "status": status,
                "status_text": status_text(status, lang),
            })))
        }
        None => (StatusCode::NOT_FOUND, Json(json!({"error": "not_found"}))).into_response(),
    }
}

/// The finished session `id` of `party_id` for a download, only for the browser that
/// started it.
pub async fn done_session(
    verifier: &Shared,
    party_id: &str,
    id: &str,
    headers: &HeaderMap,
) -> Option<Session> {
    viewed_session(verifier, party_id, id, headers)
        .await
        .filter(|s| s.status == SessionStatus::Done)
}

/// The page of one session, for the browser that started it (anyone else gets "not
/// found", as for a session that does not exist): while open the QR code, the link and a
/// live status; when done what `done` renders from the session and its verified claims;
/// otherwise what happened and a way to start again.
pub async fn session_page<D: Template>(
    verifier: &Shared,
    p: &SessionPage<'_>,
    id: &str,
    headers: &HeaderMap,
    done: impl FnOnce(&Session, &Map<String, Value>) -> Option<D>,
) -> Response {
    let lang = p.lang;
    let Some(session) = viewed_session(verifier, p.party_id, id, headers).await else {
        return not_found(lang);
    };
    let Some(party) = verifier.registry.by_id(p.party_id) else {
        return not_found(lang);
    };
    let status = session.status_at(verifier.clock.now());
    let view = match status {
        SessionStatus::Pending | SessionStatus::Retrieved => SessionView::Open(OpenSession {
            // The QR code and the link carry only the wallet-facing reference.
            link: link(verifier, party, &session.request_ref),
            request_ref: session.request_ref.clone(),
        }),
        SessionStatus::Done => {
            let claims = session
                .claims
                .as_ref()
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            SessionView::Done(done(&session, &claims))
        }
        SessionStatus::Denied => SessionView::Denied,
        SessionStatus::Failed => SessionView::Failed(session.reason.clone().unwrap_or_default()),
        SessionStatus::Expired => SessionView::Expired,
    };
    let body = SessionBody {
        lang,
        base: p.base,
        id,
        code: serde_json::to_value(status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        status_text: status_text(status, lang),
        view,
    };
    page(
        lang,
        p.title,
        &format!("{}/{}", p.base, id),
        &party.registration.legal_name,
        &body,
    )
}

/// An open session: the link and the reference its QR code shows.
struct OpenSession {
    link: String,
    request_ref: String,
}

/// What a session's page shows besides its status.
enum SessionView<D> {
    Open(OpenSession),
    /// What the party renders of a finished session.
    Done(Option<D>),
    Denied,
    Failed(String),
    Expired,
}

#[derive(Template)]
#[template(path = "session.html")]
struct SessionBody<'a, D: Template> {
    lang: Lang,
    base: &'a str,
    id: &'a str,
    code: String,
    status_text: &'static str,
    view: SessionView<D>,
}
