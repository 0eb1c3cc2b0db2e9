//! How a consent case shows on every page that has one (the applicant's, the consent
//! link's, the custodian's, the clerk's): its state, the statement in Regie's words, who
//! consented when, what was refused, and the QR code and link of its current request.
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use regie_web::render::unix_date_text;
use regie_web::{esc, Lang};
use serde_json::json;

use super::{portal_page, problem};
use crate::cases::{Case, CaseError, CaseKind, CaseSession, CaseState, Refusal};

/// A case page's poll: its language and the version it was rendered with.
#[derive(serde::Deserialize)]
pub struct PollQuery {
    pub lang: Option<String>,
    pub v: Option<usize>,
}

/// "paspoort" / "passport".
pub fn document_text(id: &str, lang: Lang) -> &'static str {
    match id {
        "identiteitskaart" => lang.t("identiteitskaart", "identity card"),
        _ => lang.t("paspoort", "passport"),
    }
}

/// What the state is called.
pub fn state_text(state: CaseState, lang: Lang) -> &'static str {
    match state {
        CaseState::Waiting => lang.t("wacht op toestemming", "waiting for consent"),
        CaseState::Declined => lang.t("geweigerd", "declined"),
        CaseState::Expired => lang.t("verlopen", "expired"),
        CaseState::Complete => lang.t("afgerond", "complete"),
    }
}

/// A number that changes whenever something on a case page would: the poll compares it.
pub fn version(case: &Case) -> usize {
    let desk = match &case.kind {
        CaseKind::TravelDocument { at_desk, .. } => usize::from(at_desk.is_some()),
        CaseKind::Move { .. } => 0,
    };
    case.consents.len() * 1000
        + case.refused.len() * 10
        + case.sessions.iter().filter(|s| s.settled).count() * 100_000
        + desk
        + usize::from(case.declined_at.is_some()) * 2
        + usize::from(case.completed_at.is_some()) * 4
}

/// The JSON a case page polls: `pending` while nothing changed since version `seen` (and,
/// on a page with a QR code, its request is still usable), otherwise the state: the page
/// then reloads.
pub fn poll_answer(
    case: &Case,
    seen: Option<usize>,
    shows_request: bool,
    now: u64,
    lang: Lang,
) -> Response {
    let state = case.state(now);
    let session_usable = !shows_request
        || case
            .sessions
            .iter()
            .any(|s| !s.settled && s.expires_at > now);
    let unchanged = seen == Some(version(case));
    let status = if state == CaseState::Waiting && unchanged && session_usable {
        "pending"
    } else if state == CaseState::Waiting {
        "changed"
    } else {
        state.code()
    };
    crate::service::no_store(Json(json!({
        "status": status,
        "state": state.code(),
        "status_text": state_text(state, lang),
    })))
}

/// The live status line; `poll` is the status URL without the version. A case that is no
/// longer waiting is not followed.
pub fn status_line(case: &Case, now: u64, poll: &str, lang: Lang) -> String {
    let state = case.state(now);
    if state != CaseState::Waiting {
        return format!(
            r#"<p class="regie-status" id="status" role="status" data-status="{code}" data-case-state="{code}">{text}</p>"#,
            code = state.code(),
            text = state_text(state, lang),
        );
    }
    let sep = if poll.contains('?') { '&' } else { '?' };
    format!(
        r#"<p class="regie-status" id="status" role="status" aria-live="polite" data-status="pending" data-poll="{poll}{sep}v={v}" data-case-state="{code}">{text}</p>"#,
        poll = esc(poll),
        v = version(case),
        code = state.code(),
        text = state_text(state, lang),
    )
}

/// The statement, in Regie's words, as the wallet shows it.
pub fn statement_block(case: &Case, lang: Lang) -> String {
    format!(
        r#"<blockquote class="regie-statement" id="verklaring">{}</blockquote>"#,
        esc(&case.statement().sentence(lang.protocol()))
    )
}

/// Who consented when, and what was refused.
pub fn progress(case: &Case, lang: Lang) -> String {
    let mut out = String::new();
    if !case.consents.is_empty() {
        let items: String = case
            .consents
            .iter()
            .map(|c| {
                format!(
                    "<li>{} — {} {}</li>",
                    esc(&c.by.name),
                    lang.t("toestemming gegeven op", "consented on"),
                    unix_date_text(c.at, lang)
                )
            })
            .collect();
        out.push_str(&format!(
            r#"<h2 class="utrecht-heading-2">{}</h2><ul class="utrecht-unordered-list" id="toestemmingen">{items}</ul>"#,
            lang.t("Toestemming gegeven", "Consent given")
        ));
    }
    if let Some(at) = case.declined_at {
        out.push_str(&format!(
            r#"<div class="regie-status" data-status="failed" role="alert" id="geweigerd">{} ({})</div>"#,
            lang.t(
                "De toestemming is geweigerd. Er verandert niets.",
                "Consent was declined. Nothing changes."
            ),
            unix_date_text(at, lang)
        ));
    }
    if !case.refused.is_empty() {
        let items: String = case
            .refused
            .iter()
            .map(|r| {
                let text = Refusal::from_code(&r.reason)
                    .map(|r| r.text(lang))
                    .unwrap_or_else(|| lang.t("Niet geaccepteerd.", "Not accepted."));
                format!(
                    r#"<li data-reason="{}">{} — {}</li>"#,
                    esc(&r.reason),
                    unix_date_text(r.at, lang),
                    esc(text)
                )
            })
            .collect();
        out.push_str(&format!(
            r#"<h2 class="utrecht-heading-2">{}</h2><p class="utrecht-paragraph">{}</p><ul class="utrecht-unordered-list" id="geweigerde-pogingen">{items}</ul>"#,
            lang.t("Niet geaccepteerd", "Not accepted"),
            lang.t(
                "Deze antwoorden telden niet mee. Er is niets veranderd.",
                "These answers did not count. Nothing was changed."
            ),
        ));
    }
    out
}

/// The QR code and the same-device button of the case's current request.
pub fn request_block(session: &CaseSession, lang: Lang) -> String {
    let qr = regie_web::qr::svg(
        &session.link,
        lang.t(
            "QR-code om te scannen met de Regie-app",
            "QR code to scan with the Regie app",
        ),
    )
    .unwrap_or_default();
    format!(
        r#"<div class="regie-steps">
<div><h2 class="utrecht-heading-2">{scan}</h2><p class="utrecht-paragraph">{scan_text}</p><div class="regie-qr">{qr}</div></div>
<div><h2 class="utrecht-heading-2">{same}</h2><p class="utrecht-paragraph">{same_text}</p>
<p class="utrecht-paragraph"><a class="regie-button" id="same-device" href="{link}">{open}</a></p></div></div>"#,
        scan = lang.t("Scan met de Regie-app", "Scan with the Regie app"),
        scan_text = lang.t(
            "Open de Regie-app en scan deze QR-code. U ziet dan precies wat u ondertekent.",
            "Open the Regie app and scan this QR code. You will then see exactly what you sign."
        ),
        same = lang.t("Op dit apparaat", "On this device"),
        same_text = lang.t(
            "Staat de Regie-app op dit apparaat? Open de app dan met deze knop.",
            "Is the Regie app on this device? Then open the app with this button."
        ),
        open = lang.t("Open de Regie-app", "Open the Regie app"),
        link = esc(&session.link),
    )
}

/// The page for a case error the visitor can understand.
pub fn case_problem(e: &CaseError, lang: Lang) -> Response {
    match e {
        CaseError::Refused(r) => problem(lang, StatusCode::CONFLICT, r.text(lang)),
        CaseError::NotFound => problem(
            lang,
            StatusCode::NOT_FOUND,
            lang.t(
                "Deze aanvraag bestaat niet.",
                "This application does not exist.",
            ),
        ),
        CaseError::BadInput(_) => problem(
            lang,
            StatusCode::BAD_REQUEST,
            lang.t(
                "Dit klopt niet. Controleer wat u invulde.",
                "This is not right. Please check what you entered.",
            ),
        ),
        CaseError::Verifier(_) => problem(
            lang,
            StatusCode::SERVICE_UNAVAILABLE,
            lang.t(
                "De controle van de Regie-app is nu niet bereikbaar. Probeer het later opnieuw.",
                "The Regie app check cannot be reached now. Please try again later.",
            ),
        ),
        other => {
            tracing::warn!("case: {other}");
            problem(
                lang,
                StatusCode::INTERNAL_SERVER_ERROR,
                lang.t(
                    "Dat lukte niet. Probeer het later opnieuw.",
                    "That did not work. Please try again later.",
                ),
            )
        }
    }
}

/// When consent cases are not configured (no verifier party): a clear page.
pub fn unavailable(lang: Lang) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        portal_page(
            lang,
            lang.t("Niet beschikbaar", "Not available"),
            "/mijn",
            &format!(
                r#"<div class="regie-status" data-status="failed" role="alert">{}</div>"#,
                lang.t(
                    "Toestemming met de Regie-app is bij deze gemeente nog niet ingesteld.",
                    "Consent with the Regie app is not set up at this municipality yet."
                )
            ),
        ),
    )
        .into_response()
}
