//! The consent link the applicant sends to the main occupant, or the clerk prints for the
//! other custodian: no login, the link's secret token finds the case. The page says who asks
//! for what, shows the statement and the request; the wallet does the identifying, and the
//! municipality checks in the BRP that the one who signed may consent.
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use regie_web::Lang;

use super::case_view::{
    case_problem, document_text, poll_answer, progress, request_block, statement_block,
    status_line, PollQuery, Progress, RequestBlock, StatementBlock, StatusLine,
};
use super::{portal_page, problem, Back, SharedPortal};
use crate::cases::{Case, CaseError, CaseKind, CaseState};

async fn case_of_token(portal: &SharedPortal, token: &str) -> Result<Case, CaseError> {
    let cases = portal.cases.as_ref().ok_or(CaseError::NotFound)?;
    // Tokens are 43 characters of base64url; anything else is not looked up.
    if token.len() != 43
        || !token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(CaseError::NotFound);
    }
    let case = cases
        .store
        .by_token(token)
        .await?
        .ok_or(CaseError::NotFound)?;
    cases.refresh(&case.case_ref).await
}

/// What the case asks, for the one who must consent (text: the templates escape it).
pub fn ask_text(case: &Case, lang: Lang) -> String {
    match &case.kind {
        CaseKind::Move { applicant, to, .. } => format!(
            "{} {} {}. {}",
            applicant.name,
            lang.t("wil zich inschrijven op", "wants to register at"),
            to.line(),
            lang.t(
                "De gemeente vraagt een volwassene die daar woont om toestemming.",
                "The municipality asks an adult who lives there for consent."
            ),
        ),
        CaseKind::TravelDocument {
            child, document, ..
        } => format!(
            "{} {} {}. {}",
            lang.t("Er is een", "A"),
            document_text(document, lang),
            lang.t(
                &format!("aangevraagd voor {}", child.name),
                &format!("was applied for for {}", child.name),
            ),
            lang.t(
                "Iedere gezaghouder moet toestemming geven.",
                "Every custodian must consent."
            ),
        ),
    }
}

/// `GET /toestemming/{token}`.
pub async fn page(
    State(portal): State<SharedPortal>,
    Path(token): Path<String>,
    q: Query<regie_web::LangQuery>,
) -> Response {
    let lang = Lang::from_query(&q);
    let case = match case_of_token(&portal, &token).await {
        Ok(c) => c,
        Err(e) => return case_problem(&e, lang, Back::Mine),
    };
    let now = portal.issuer.clock.now();
    let poll = format!("/toestemming/{token}/status{}", lang.query());
    let sign = if case.state(now) == CaseState::Waiting {
        let session = match portal.cases.as_ref() {
            Some(cases) => cases.session_for(&case.case_ref).await,
            None => Err(CaseError::NotFound),
        };
        match session {
            Ok(s) => Some((statement_block(&case, lang), request_block(&s, lang))),
            Err(e) => return case_problem(&e, lang, Back::Mine),
        }
    } else {
        None
    };
    let page = ConsentPage {
        lang,
        ask: ask_text(&case, lang),
        case_ref: case.case_ref.clone(),
        status: status_line(&case, now, &poll, lang),
        sign,
        progress: progress(&case, lang),
    };
    portal_page(
        lang,
        lang.t("Toestemming geven", "Give consent"),
        "/toestemming",
        &page,
    )
}

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage {
    lang: Lang,
    ask: String,
    case_ref: String,
    status: StatusLine,
    /// The statement and the request, while the case waits.
    sign: Option<(StatementBlock, RequestBlock)>,
    progress: Progress,
}

/// `GET /toestemming/{token}/status`.
pub async fn status(
    State(portal): State<SharedPortal>,
    Path(token): Path<String>,
    Query(q): Query<PollQuery>,
) -> Response {
    let lang = Lang::from_code(q.lang.as_deref());
    match case_of_token(&portal, &token).await {
        Ok(case) => poll_answer(&case, q.v, true, portal.issuer.clock.now(), lang),
        Err(_) => problem(lang, StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
