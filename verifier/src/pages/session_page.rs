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
use regie_web::{esc, page, Lang};

/// Which party's page, where, and how it is titled.
pub struct SessionPage<'a> {
    pub party_id: &'a str,
    pub base: &'a str,
    pub title: &'a str,
    pub lang: Lang,
}

/// The session `id` of `party_id`, only for the browser that started it.
fn viewed_session(
    verifier: &Shared,
    party_id: &str,
    id: &str,
    headers: &HeaderMap,
) -> Option<Session> {
    verifier
        .sessions
        .get(id)
        .ok()
        .filter(|s| s.party_id == party_id && is_viewer(s, headers))
}

/// `GET {base}/{id}/status`: only the status, for the page's live update, and only for the
/// browser that started the session.
pub fn status(
    verifier: &Shared,
    party_id: &str,
    id: &str,
    headers: &HeaderMap,
    lang: Lang,
) -> Response {
    match viewed_session(verifier, party_id, id, headers) {
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
pub fn done_session(
    verifier: &Shared,
    party_id: &str,
    id: &str,
    headers: &HeaderMap,
) -> Option<Session> {
    viewed_session(verifier, party_id, id, headers).filter(|s| s.status == SessionStatus::Done)
}

/// The page of one session, for the browser that started it (anyone else gets "not
/// found", as for a session that does not exist): while open the QR code, the link and a
/// live status; when done what `done` renders from the session and its verified claims;
/// otherwise what happened and a way to start again.
pub fn session_page(
    verifier: &Shared,
    p: &SessionPage<'_>,
    id: &str,
    headers: &HeaderMap,
    done: impl FnOnce(&Session, &Map<String, Value>) -> String,
) -> Response {
    let lang = p.lang;
    let Some(session) = viewed_session(verifier, p.party_id, id, headers) else {
        return not_found(lang);
    };
    let Some(party) = verifier.registry.by_id(p.party_id) else {
        return not_found(lang);
    };
    let status = session.status_at(verifier.clock.now());
    let again = format!(
        r#"<p class="utrecht-paragraph"><a class="utrecht-link" href="{}{}">{}</a></p>"#,
        p.base,
        lang.query(),
        lang.t("Opnieuw beginnen", "Start again")
    );
    let status_line = format!(
        r#"<p class="regie-status" id="status" role="status" aria-live="polite" data-status="{code}" data-poll="{base}/{id}/status{q}">{text}</p>"#,
        code = serde_json::to_value(status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        base = p.base,
        id = esc(id),
        q = lang.query(),
        text = status_text(status, lang),
    );
    let body = match status {
        SessionStatus::Pending | SessionStatus::Retrieved => {
            // The QR code and the link carry only the wallet-facing reference.
            let link = link(verifier, party, &session.request_ref);
            format!(
                r#"<div class="regie-steps">
<div><h2 class="utrecht-heading-2">{scan}</h2><p class="utrecht-paragraph">{scan_text}</p>
<img class="regie-qr" src="/request/{request_ref}/qr.svg" alt="{alt}" width="288" height="288"></div>
<div><h2 class="utrecht-heading-2">{same}</h2><p class="utrecht-paragraph">{same_text}</p>
<p class="utrecht-paragraph"><a class="regie-button" id="same-device" href="{link}">{open}</a></p>
<h2 class="utrecht-heading-2">{state}</h2>{status_line}
<noscript><p class="utrecht-paragraph"><a class="utrecht-link" href="{base}/{id}{q}">{refresh}</a></p></noscript></div>
</div>"#,
                scan = lang.t("Scan met uw Regie-app", "Scan with your Regie app"),
                scan_text = lang.t(
                    "Open de Regie-app op uw telefoon en scan deze QR-code. U ziet dan wie wat vraagt en waarom.",
                    "Open the Regie app on your phone and scan this QR code. You will see who asks for what and why."
                ),
                alt = lang.t(
                    "QR-code om te scannen met de Regie-app",
                    "QR code to scan with the Regie app"
                ),
                same = lang.t("Op dit apparaat", "On this device"),
                same_text = lang.t(
                    "Heeft u de Regie-app op dit apparaat? Open dan de app met deze knop.",
                    "Is the Regie app on this device? Then open the app with this button."
                ),
                open = lang.t("Open de Regie-app", "Open the Regie app"),
                state = lang.t("Status", "Status"),
                refresh = lang.t("Status vernieuwen", "Refresh the status"),
                link = esc(&link),
                request_ref = esc(&session.request_ref),
                id = esc(id),
                base = p.base,
                q = lang.query(),
            )
        }
        SessionStatus::Done => {
            let claims = session
                .claims
                .as_ref()
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            format!(
                r#"{status_line}<p class="utrecht-paragraph">{checked}</p>{}{again}"#,
                done(&session, &claims),
                checked = lang.t(
                    "De handtekening van de gemeente, de sleutel van de inwoner en de intrekkingslijst zijn gecontroleerd.",
                    "The municipality's signature, the resident's key and the revocation list have been checked."
                ),
            )
        }
        SessionStatus::Denied => format!(
            r#"{status_line}<p class="utrecht-paragraph">{}</p>{again}"#,
            lang.t(
                "De inwoner heeft het verzoek geweigerd. Er zijn geen gegevens gedeeld.",
                "The resident declined the request. No data was shared."
            )
        ),
        SessionStatus::Failed => format!(
            r#"{status_line}<p class="utrecht-paragraph">{}</p><p class="utrecht-paragraph regie-hint">{}</p>{again}"#,
            lang.t(
                "De gegevens konden niet worden gecontroleerd. Wij hebben niets opgeslagen.",
                "The data could not be verified. Nothing was stored."
            ),
            esc(session.reason.as_deref().unwrap_or(""))
        ),
        SessionStatus::Expired => format!(
            r#"{status_line}<p class="utrecht-paragraph">{}</p>{again}"#,
            lang.t(
                "De tijd om te antwoorden is voorbij.",
                "The time to answer has passed."
            )
        ),
    };
    page(
        lang,
        p.title,
        &format!("{}/{}", p.base, id),
        &party.registration.legal_name,
        &body,
    )
}
