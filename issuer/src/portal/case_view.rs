//! How a consent case shows on every page that has one (the applicant's, the consent
//! link's, the custodian's, the clerk's): its state, the statement in Regie's words, who
//! consented when, what was refused, and the QR code and link of its current request; the
//! citizen's own cases on their overview, and the travel-document choice of the forms.
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use regie_web::qr::QrSvg;
use regie_web::render::unix_date_text;
use regie_web::Lang;
use serde_json::json;

use super::{portal_page, problem_back, Back, SharedPortal};
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

/// One travel document to choose.
struct DocumentChoice {
    id: &'static str,
    label: &'static str,
    checked: bool,
}

/// The radio buttons "paspoort" (chosen) and "identiteitskaart" of a travel-document form.
#[derive(Template)]
#[template(path = "document_choices.html")]
pub struct DocumentChoices {
    choices: [DocumentChoice; 2],
}

/// The travel documents to choose from, the passport first and chosen.
pub fn document_choices(lang: Lang) -> DocumentChoices {
    let choice = |id: &'static str, checked: bool| DocumentChoice {
        id,
        label: document_text(id, lang),
        checked,
    };
    DocumentChoices {
        choices: [choice("paspoort", true), choice("identiteitskaart", false)],
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

/// The live status line of a case page.
#[derive(Template)]
#[template(path = "status_line.html")]
pub struct StatusLine {
    waiting: bool,
    poll: String,
    code: &'static str,
    text: &'static str,
}

/// The live status line; `poll` is the status URL without the version. A case that is no
/// longer waiting is not followed.
pub fn status_line(case: &Case, now: u64, poll: &str, lang: Lang) -> StatusLine {
    let state = case.state(now);
    let sep = if poll.contains('?') { '&' } else { '?' };
    StatusLine {
        waiting: state == CaseState::Waiting,
        poll: format!("{poll}{sep}v={}", version(case)),
        code: state.code(),
        text: state_text(state, lang),
    }
}

/// The statement as a quotation.
#[derive(Template)]
#[template(path = "statement.html")]
pub struct StatementBlock {
    sentence: String,
}

/// The statement, in Regie's words, as the wallet shows it.
pub fn statement_block(case: &Case, lang: Lang) -> StatementBlock {
    StatementBlock {
        sentence: case.statement().sentence(lang.protocol()),
    }
}

struct ConsentLine {
    name: String,
    date: String,
}

struct RefusedLine {
    reason: String,
    date: String,
    text: &'static str,
}

/// Who consented when, and what was refused.
#[derive(Template)]
#[template(path = "progress.html")]
pub struct Progress {
    lang: Lang,
    consents: Vec<ConsentLine>,
    declined: Option<String>,
    refused: Vec<RefusedLine>,
}

/// Who consented when, and what was refused.
pub fn progress(case: &Case, lang: Lang) -> Progress {
    Progress {
        lang,
        consents: case
            .consents
            .iter()
            .map(|c| ConsentLine {
                name: c.by.name.clone(),
                date: unix_date_text(c.at, lang),
            })
            .collect(),
        declined: case.declined_at.map(|at| unix_date_text(at, lang)),
        refused: case
            .refused
            .iter()
            .map(|r| RefusedLine {
                reason: r.reason.clone(),
                date: unix_date_text(r.at, lang),
                text: Refusal::from_code(&r.reason)
                    .map(|r| r.text(lang))
                    .unwrap_or_else(|| lang.t("Niet geaccepteerd.", "Not accepted.")),
            })
            .collect(),
    }
}

/// The QR code and the same-device button of a request.
#[derive(Template)]
#[template(path = "request_block.html")]
pub struct RequestBlock {
    lang: Lang,
    qr: Option<QrSvg>,
    link: String,
}

/// The QR code and the same-device button of the case's current request.
pub fn request_block(session: &CaseSession, lang: Lang) -> RequestBlock {
    RequestBlock {
        lang,
        qr: regie_web::qr::svg(
            &session.link,
            lang.t(
                "QR-code om te scannen met de Regie-app",
                "QR code to scan with the Regie app",
            ),
        ),
        link: session.link.clone(),
    }
}

struct OwnCase {
    case_ref: String,
    line: String,
    state: &'static str,
}

/// The citizen's move cases on their overview.
#[derive(Template)]
#[template(path = "own_cases.html")]
pub struct OwnCases {
    lang: Lang,
    cases: Vec<OwnCase>,
}

/// The citizen's own move cases, newest first (at most ten), each with its state; `None`
/// when there are none.
pub async fn own_cases(portal: &SharedPortal, bsn: &str, lang: Lang) -> Option<OwnCases> {
    let cases = portal.cases.as_ref()?;
    let now = portal.issuer.clock.now();
    let cases: Vec<OwnCase> = cases
        .store
        .about(bsn)
        .await
        .unwrap_or_default()
        .iter()
        .filter_map(|c| match &c.kind {
            CaseKind::Move { to, .. } => Some(OwnCase {
                case_ref: c.case_ref.clone(),
                line: to.line(),
                state: state_text(c.state(now), lang),
            }),
            _ => None,
        })
        .take(10)
        .collect();
    (!cases.is_empty()).then_some(OwnCases { lang, cases })
}

/// The page for a case error the visitor can understand, with a link back to where they
/// came from.
pub fn case_problem(e: &CaseError, lang: Lang, back: Back) -> Response {
    let problem = |status, text: &str| problem_back(lang, status, text, back);
    match e {
        CaseError::Refused(r) => problem(StatusCode::CONFLICT, r.text(lang)),
        CaseError::NotFound => problem(
            StatusCode::NOT_FOUND,
            lang.t(
                "Deze aanvraag bestaat niet.",
                "This application does not exist.",
            ),
        ),
        CaseError::BadInput(_) => problem(
            StatusCode::BAD_REQUEST,
            lang.t(
                "Dit klopt niet. Controleer wat u invulde.",
                "This is not right. Please check what you entered.",
            ),
        ),
        CaseError::Verifier(_) => problem(
            StatusCode::SERVICE_UNAVAILABLE,
            lang.t(
                "De controle van de Regie-app is nu niet bereikbaar. Probeer het later opnieuw.",
                "The Regie app check cannot be reached now. Please try again later.",
            ),
        ),
        other => {
            tracing::warn!("case: {other}");
            problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                lang.t(
                    "Dat lukte niet. Probeer het later opnieuw.",
                    "That did not work. Please try again later.",
                ),
            )
        }
    }
}

#[derive(Template)]
#[template(path = "unavailable.html")]
struct Unavailable {
    lang: Lang,
}

/// When consent cases are not configured (no verifier party): a clear page.
pub fn unavailable(lang: Lang) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        portal_page(
            lang,
            lang.t("Niet beschikbaar", "Not available"),
            "/mijn",
            &Unavailable { lang },
        ),
    )
        .into_response()
}
