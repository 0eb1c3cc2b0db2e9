//! "Give consent for my child's travel document": a logged-in custodian picks the child
//! from their own BRP record and the document; the open case for that child is found (or
//! started, ahead of the desk visit), and the custodian signs with the wallet.
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use protocol::statements::TravelDocument;
use regie_web::Lang;
use serde::Deserialize;

use super::case_view::{
    case_problem, document_choices, poll_answer, progress, request_block, statement_block,
    status_line, unavailable, DocumentChoices, PollQuery, Progress, RequestBlock, StatementBlock,
    StatusLine,
};
use super::{logged_in_person, login_of, portal_page, problem, to_login, Back, SharedPortal};
use crate::cases::{Case, CaseKind, CaseState, StartedBy};
use crate::person::Bsn;

#[derive(Template)]
#[template(path = "child_none.html")]
struct NoChildren {
    lang: Lang,
}

/// A child to choose: BSN, name and " (birth date)".
struct ChildChoice {
    bsn: String,
    name: String,
    born: String,
}

#[derive(Template)]
#[template(path = "child_form.html")]
struct ChildFormPage {
    lang: Lang,
    children: Vec<ChildChoice>,
    documents: DocumentChoices,
}

/// `GET /mijn/reisdocument-kind`.
pub async fn form(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    q: Query<regie_web::LangQuery>,
) -> Response {
    let lang = Lang::from_query(&q);
    let person = match logged_in_person(&portal, &headers).await {
        Ok((_, person)) => person,
        Err(e) => return e.response(lang),
    };
    let title = lang.t(
        "Toestemming reisdocument voor uw kind",
        "Consent to your child's travel document",
    );
    if person.custody.is_empty() {
        return portal_page(lang, title, "/mijn/reisdocument-kind", &NoChildren { lang });
    }
    let children = person
        .custody
        .iter()
        .map(|ward| ChildChoice {
            bsn: ward.bsn.as_str().to_owned(),
            name: ward
                .name
                .as_ref()
                .map(|n| n.full())
                .unwrap_or_else(|| ward.bsn.as_str().to_owned()),
            born: ward
                .birth_date
                .and_then(|d| d.iso())
                .map(|d| format!(" ({})", regie_web::render::date_text(&d, lang)))
                .unwrap_or_default(),
        })
        .collect();
    let page = ChildFormPage {
        lang,
        children,
        documents: document_choices(lang),
    };
    portal_page(lang, title, "/mijn/reisdocument-kind", &page)
}

#[derive(Deserialize)]
pub struct ChildForm {
    kind: String,
    document: String,
    lang: Option<String>,
}

/// `POST /mijn/reisdocument-kind`: the open case for the child and document, or a new one.
pub async fn submit(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Form(f): Form<ChildForm>,
) -> Response {
    let lang = Lang::from_code(f.lang.as_deref());
    let Some(login) = login_of(&portal, &headers).await else {
        return to_login(lang);
    };
    let Some(cases) = portal.cases.as_ref() else {
        return unavailable(lang);
    };
    let (Ok(me), Ok(child), Some(document)) = (
        Bsn::parse(&login.bsn),
        Bsn::parse(&f.kind),
        TravelDocument::from_id(&f.document),
    ) else {
        return problem(
            lang,
            StatusCode::BAD_REQUEST,
            lang.t(
                "Kies een kind en een reisdocument.",
                "Choose a child and a travel document.",
            ),
        );
    };
    let case = match cases.open_travel_case(&child, document).await {
        Ok(Some(case)) => Ok(case),
        Ok(None) => {
            cases
                .start_travel_document(
                    &child,
                    document,
                    StartedBy::Custodian {
                        bsn: me.as_str().to_owned(),
                    },
                    None,
                )
                .await
        }
        Err(e) => Err(e),
    };
    match case {
        Ok(case) if is_custodian(&case, me.as_str()) => Redirect::to(&format!(
            "/mijn/reisdocument-kind/{}{}",
            case.case_ref,
            lang.query()
        ))
        .into_response(),
        Ok(_) => case_problem(
            &crate::cases::CaseError::Refused(crate::cases::Refusal::NotCustodian),
            lang,
            Back::Mine,
        ),
        Err(e) => case_problem(&e, lang, Back::Mine),
    }
}

/// Whether this custodian consented or was at the desk already.
fn has_answered(case: &Case, bsn: &str) -> bool {
    case.consents.iter().any(|c| c.by.bsn == bsn)
        || matches!(&case.kind, CaseKind::TravelDocument { at_desk: Some(d), .. } if d == bsn)
}

fn is_custodian(case: &Case, bsn: &str) -> bool {
    matches!(&case.kind, CaseKind::TravelDocument { custodians, .. } if custodians.iter().any(|c| c.bsn == bsn))
}

async fn custodians_case(
    portal: &SharedPortal,
    headers: &HeaderMap,
    case_ref: &str,
) -> Option<Case> {
    let login = login_of(portal, headers).await?;
    let case = portal.cases.as_ref()?.refresh(case_ref).await.ok()?;
    is_custodian(&case, &login.bsn).then_some(case)
}

/// `GET /mijn/reisdocument-kind/{ref}`.
pub async fn case_page(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Path(case_ref): Path<String>,
    q: Query<regie_web::LangQuery>,
) -> Response {
    let lang = Lang::from_query(&q);
    let Some(login) = login_of(&portal, &headers).await else {
        return to_login(lang);
    };
    let Some(case) = custodians_case(&portal, &headers, &case_ref).await else {
        return case_problem(&crate::cases::CaseError::NotFound, lang, Back::Mine);
    };
    let now = portal.issuer.clock.now();
    let poll = format!(
        "/mijn/reisdocument-kind/{}/status{}",
        case.case_ref,
        lang.query()
    );
    let answered = has_answered(&case, &login.bsn);
    let sign = if !answered && case.state(now) == CaseState::Waiting {
        let session = match portal.cases.as_ref() {
            Some(cases) => cases.session_for(&case.case_ref).await,
            None => return unavailable(lang),
        };
        match session {
            Ok(s) => Some((statement_block(&case, lang), request_block(&s, lang))),
            Err(e) => return case_problem(&e, lang, Back::Mine),
        }
    } else {
        None
    };
    let page = ChildCasePage {
        lang,
        ask: super::consent_link::ask_text(&case, lang),
        case_ref: case.case_ref.clone(),
        status: status_line(&case, now, &poll, lang),
        answered,
        sign,
        progress: progress(&case, lang),
    };
    portal_page(
        lang,
        lang.t("Toestemming reisdocument", "Travel document consent"),
        "/mijn/reisdocument-kind",
        &page,
    )
}

#[derive(Template)]
#[template(path = "child_case.html")]
struct ChildCasePage {
    lang: Lang,
    ask: String,
    case_ref: String,
    status: StatusLine,
    answered: bool,
    /// The statement and the request, while this custodian is still to sign.
    sign: Option<(StatementBlock, RequestBlock)>,
    progress: Progress,
}

/// `GET /mijn/reisdocument-kind/{ref}/status`.
pub async fn case_status(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Path(case_ref): Path<String>,
    Query(q): Query<PollQuery>,
) -> Response {
    let lang = Lang::from_code(q.lang.as_deref());
    let login = login_of(&portal, &headers).await;
    match (custodians_case(&portal, &headers, &case_ref).await, login) {
        (Some(case), Some(login)) => {
            let shows_request = !has_answered(&case, &login.bsn);
            poll_answer(&case, q.v, shows_request, portal.issuer.clock.now(), lang)
        }
        _ => problem(lang, StatusCode::NOT_FOUND, "not found"),
    }
}
