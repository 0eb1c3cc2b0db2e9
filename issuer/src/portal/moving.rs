//! Reporting a move in the portal: the new address by postal code and house number, the
//! date; when adults live there, the case waits for one of them, and the applicant shares a
//! QR code or a link with them. Once one consents the move is recorded.
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use regie_web::Lang;
use serde::Deserialize;

use super::case_view::{
    case_problem, poll_answer, progress, request_block, statement_block, status_line, unavailable,
    PollQuery, Progress, RequestBlock, StatementBlock, StatusLine,
};
use super::{logged_in, login_of, portal_page, problem, to_login, Back, SharedPortal};
use crate::cases::{Case, CaseKind, CaseState, NewAddress};
use crate::person::PartialDate;
use crate::service::today;

/// Longest postal code or house number typed in.
const MAX_FIELD: usize = 16;

#[derive(Deserialize)]
pub struct MoveForm {
    postcode: String,
    huisnummer: String,
    datum: String,
    /// Which dwelling, when several share the number (its position in the list shown).
    #[serde(default)]
    woning: Option<usize>,
    lang: Option<String>,
}

#[derive(Template)]
#[template(path = "move_form.html")]
struct MoveFormPage<'a> {
    lang: Lang,
    error: Option<&'a str>,
    postcode: &'a str,
    number: &'a str,
    date: &'a str,
    max: usize,
}

fn form_page<'a>(
    lang: Lang,
    error: Option<&'a str>,
    postcode: &'a str,
    number: &'a str,
    date: &'a str,
) -> MoveFormPage<'a> {
    MoveFormPage {
        lang,
        error,
        postcode,
        number,
        date,
        max: MAX_FIELD,
    }
}

/// `GET /mijn/verhuizen`.
pub async fn form(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    q: Query<regie_web::LangQuery>,
) -> Response {
    let lang = Lang::from_query(&q);
    if login_of(&portal, &headers).await.is_none() {
        return to_login(lang);
    }
    let date = today(portal.issuer.clock.now()).iso().unwrap_or_default();
    portal_page(
        lang,
        lang.t("Verhuizing doorgeven", "Report a move"),
        "/mijn/verhuizen",
        &form_page(lang, None, "", "", &date),
    )
}

/// `POST /mijn/verhuizen`: finds the address; several dwellings at the number are offered
/// to choose from; one starts the case.
pub async fn submit(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Form(f): Form<MoveForm>,
) -> Response {
    let lang = Lang::from_code(f.lang.as_deref());
    let bsn = match logged_in(&portal, &headers).await {
        Ok((_, bsn)) => bsn,
        Err(e) => return e.response(lang),
    };
    let Some(cases) = portal.cases.as_ref() else {
        return unavailable(lang);
    };
    let again = |text: &str| {
        (
            StatusCode::BAD_REQUEST,
            portal_page(
                lang,
                lang.t("Verhuizing doorgeven", "Report a move"),
                "/mijn/verhuizen",
                &form_page(lang, Some(text), &f.postcode, &f.huisnummer, &f.datum),
            ),
        )
            .into_response()
    };
    let number = f.huisnummer.trim().parse::<u32>().ok().filter(|n| *n > 0);
    let (Some(number), true) = (number, f.postcode.len() <= MAX_FIELD) else {
        return again(lang.t(
            "Vul een postcode en een huisnummer (alleen cijfers) in.",
            "Enter a postal code and a house number (digits only).",
        ));
    };
    if PartialDate::parse_iso(&f.datum).is_err() {
        return again(lang.t(
            "Vul een datum in als jjjj-mm-dd.",
            "Enter a date as yyyy-mm-dd.",
        ));
    }
    let found = match cases.find_addresses(&f.postcode, number).await {
        Ok(found) => found,
        Err(e) => return case_problem(&e, lang, Back::Mine),
    };
    let chosen: NewAddress = match (found.len(), f.woning) {
        (0, _) => {
            return again(lang.t(
                "Op deze postcode en dit huisnummer staat geen woning in de BRP.",
                "There is no dwelling at this postal code and house number in the BRP.",
            ))
        }
        (1, _) => found[0].clone(),
        (_, Some(i)) if i < found.len() => found[i].clone(),
        _ => return choose_dwelling(lang, &f, &found),
    };
    match cases.start_move(&bsn, chosen, &f.datum).await {
        Ok(case) => Redirect::to(&format!("/mijn/verhuizen/{}{}", case.case_ref, lang.query()))
            .into_response(),
        Err(crate::cases::CaseError::BadInput("date")) => again(lang.t(
            "Deze datum kan niet. U geeft een verhuizing door tot 4 weken vooruit of 5 dagen terug, en na uw huidige verhuisdatum.",
            "This date is not possible. You report a move up to 4 weeks ahead or 5 days back, and after your current move date.",
        )),
        Err(e) => case_problem(&e, lang, Back::Mine),
    }
}

#[derive(Template)]
#[template(path = "move_dwelling.html")]
struct DwellingPage<'a> {
    lang: Lang,
    postcode: &'a str,
    number: &'a str,
    date: &'a str,
    lines: Vec<String>,
}

fn choose_dwelling(lang: Lang, f: &MoveForm, found: &[NewAddress]) -> Response {
    let page = DwellingPage {
        lang,
        postcode: &f.postcode,
        number: &f.huisnummer,
        date: &f.datum,
        lines: found.iter().map(NewAddress::line).collect(),
    };
    portal_page(
        lang,
        lang.t("Verhuizing doorgeven", "Report a move"),
        "/mijn/verhuizen",
        &page,
    )
}

/// The applicant's own move case, or `None`.
async fn own_case(portal: &SharedPortal, headers: &HeaderMap, case_ref: &str) -> Option<Case> {
    let login = login_of(portal, headers).await?;
    let cases = portal.cases.as_ref()?;
    let case = cases.refresh(case_ref).await.ok()?;
    match &case.kind {
        CaseKind::Move { applicant, .. } if applicant.bsn == login.bsn => Some(case),
        _ => None,
    }
}

/// The consent link a main occupant opens.
pub fn share_url(portal: &SharedPortal, case: &Case) -> String {
    format!(
        "{}/toestemming/{}",
        portal.issuer.public_url, case.share_token
    )
}

/// `GET /mijn/verhuizen/{ref}`: the case as the applicant follows it.
pub async fn case_page(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Path(case_ref): Path<String>,
    q: Query<regie_web::LangQuery>,
) -> Response {
    let lang = Lang::from_query(&q);
    if login_of(&portal, &headers).await.is_none() {
        return to_login(lang);
    }
    let Some(case) = own_case(&portal, &headers, &case_ref).await else {
        return case_problem(&crate::cases::CaseError::NotFound, lang, Back::Mine);
    };
    let CaseKind::Move { to, date, .. } = &case.kind else {
        return case_problem(&crate::cases::CaseError::NotFound, lang, Back::Mine);
    };
    let now = portal.issuer.clock.now();
    let state = case.state(now);
    let poll = format!("/mijn/verhuizen/{}/status{}", case.case_ref, lang.query());
    let view = match state {
        CaseState::Waiting => {
            let session = match portal.cases.as_ref() {
                Some(cases) => cases.session_for(&case.case_ref).await,
                None => return unavailable(lang),
            };
            let session = match session {
                Ok(s) => s,
                Err(e) => return case_problem(&e, lang, Back::Mine),
            };
            let share = share_url(&portal, &case);
            let message = format!(
                "{} {}",
                lang.t(
                    "Ik kom bij je wonen en de gemeente vraagt jouw toestemming. Geef die met je Regie-app via deze link:",
                    "I am moving in with you and the municipality asks for your consent. Give it with your Regie app through this link:"
                ),
                share
            );
            MoveView::Waiting(WaitingMove {
                statement: statement_block(&case, lang),
                message,
                share,
                request: request_block(&session, lang),
            })
        }
        CaseState::Complete => MoveView::Complete,
        CaseState::Declined | CaseState::Expired => MoveView::Ended,
    };
    let page = MoveCasePage {
        lang,
        case_ref: case.case_ref.clone(),
        line: to.line(),
        date: regie_web::render::date_text(date, lang),
        status: status_line(&case, now, &poll, lang),
        view,
        progress: progress(&case, lang),
    };
    portal_page(
        lang,
        lang.t("Uw verhuizing", "Your move"),
        "/mijn/verhuizen",
        &page,
    )
}

/// A move waiting for the main occupant: what they sign, the text and link to send them,
/// and the request.
struct WaitingMove {
    statement: StatementBlock,
    message: String,
    share: String,
    request: RequestBlock,
}

enum MoveView {
    Waiting(WaitingMove),
    Complete,
    /// Declined or expired: nothing moved.
    Ended,
}

#[derive(Template)]
#[template(path = "move_case.html")]
struct MoveCasePage {
    lang: Lang,
    case_ref: String,
    line: String,
    date: String,
    status: StatusLine,
    view: MoveView,
    progress: Progress,
}

/// `GET /mijn/verhuizen/{ref}/status`.
pub async fn case_status(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Path(case_ref): Path<String>,
    Query(q): Query<PollQuery>,
) -> Response {
    let lang = Lang::from_code(q.lang.as_deref());
    match own_case(&portal, &headers, &case_ref).await {
        Some(case) => poll_answer(&case, q.v, true, portal.issuer.clock.now(), lang),
        None => problem(lang, StatusCode::NOT_FOUND, "not found"),
    }
}
