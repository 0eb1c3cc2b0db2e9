//! One case at the clerk's desk: who must consent and who did, recording the custodian at
//! the desk, the printable consent link for the other one, the signed statement files to
//! download, and a statement file handed in to add.
use askama::Template;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use regie_web::qr::QrSvg;
use regie_web::render::unix_date_text;
use regie_web::Lang;
use serde::Deserialize;
use serde_json::Value;

use super::case_view::{
    case_problem, document_text, poll_answer, progress, statement_block, status_line, unavailable,
    PollQuery, Progress, StatementBlock, StatusLine,
};
use super::clerk::is_clerk;
use super::{portal_page, problem_back, Back, SharedPortal};
use crate::cases::{Case, CaseError, CaseKind, CaseState, PersonRef};
use crate::person::Bsn;

fn to_desk(lang: Lang) -> Response {
    Redirect::to(&format!("/balie{}", lang.query())).into_response()
}

async fn clerk_case(
    portal: &SharedPortal,
    headers: &HeaderMap,
    case_ref: &str,
) -> Result<Case, Option<CaseError>> {
    if !is_clerk(portal, headers).await {
        return Err(None);
    }
    let cases = portal.cases.as_ref().ok_or(Some(CaseError::NotFound))?;
    cases.refresh(case_ref).await.map_err(Some)
}

/// One custodian's row: who, their state, and whether the clerk can mark them present.
struct CustodianRow {
    name: String,
    bsn: String,
    state: String,
    can_mark: bool,
}

fn custodian_rows(
    case: &Case,
    custodians: &[PersonRef],
    at_desk: Option<&str>,
    open: bool,
    lang: Lang,
) -> Vec<CustodianRow> {
    custodians
        .iter()
        .map(|c| {
            let consent = case.consents.iter().find(|k| k.by.bsn == c.bsn);
            let (state, can_mark) = match (consent, at_desk == Some(c.bsn.as_str())) {
                (Some(k), _) => (
                    format!(
                        "{} {}",
                        lang.t("toestemming gegeven op", "consented on"),
                        unix_date_text(k.at, lang)
                    ),
                    false,
                ),
                (None, true) => (lang.t("aan de balie", "at the desk").to_owned(), false),
                (None, false) => (
                    lang.t("wacht op toestemming", "waiting for consent")
                        .to_owned(),
                    open && at_desk.is_none(),
                ),
            };
            CustodianRow {
                name: c.name.clone(),
                bsn: c.bsn.clone(),
                state,
                can_mark,
            }
        })
        .collect()
}

/// The consent link to print for the other custodian, with its QR code.
struct PrintLink {
    url: String,
    qr: Option<QrSvg>,
}

#[derive(Template)]
#[template(path = "clerk_case.html")]
struct CasePage {
    lang: Lang,
    case_ref: String,
    about: String,
    status: StatusLine,
    statement: StatementBlock,
    custodians: Option<Vec<CustodianRow>>,
    print_link: Option<PrintLink>,
    complete: bool,
    progress: Progress,
    /// Who signed each consent's statement file, in order.
    signed_by: Vec<String>,
    waiting: bool,
}

/// `GET /balie/zaak/{ref}`.
pub async fn page(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Path(case_ref): Path<String>,
    q: Query<regie_web::LangQuery>,
) -> Response {
    let lang = Lang::from_query(&q);
    let case = match clerk_case(&portal, &headers, &case_ref).await {
        Ok(c) => c,
        Err(None) => return to_desk(lang),
        Err(Some(e)) => return case_problem(&e, lang, Back::Desk),
    };
    let now = portal.issuer.clock.now();
    let poll = format!("/balie/zaak/{}/status{}", case.case_ref, lang.query());
    let waiting = case.state(now) == CaseState::Waiting;
    let (custodians, print_link) = match &case.kind {
        CaseKind::TravelDocument {
            custodians,
            at_desk,
            ..
        } => (
            Some(custodian_rows(
                &case,
                custodians,
                at_desk.as_deref(),
                waiting,
                lang,
            )),
            (waiting && !case.custodians_awaited().is_empty())
                .then(|| printable_link(&portal, &case, lang)),
        ),
        CaseKind::Move { .. } => (None, None),
    };
    let page = CasePage {
        lang,
        case_ref: case.case_ref.clone(),
        about: about(&case, lang),
        status: status_line(&case, now, &poll, lang),
        statement: statement_block(&case, lang),
        custodians,
        print_link,
        complete: case.state(now) == CaseState::Complete,
        progress: progress(&case, lang),
        signed_by: case.consents.iter().map(|c| c.by.name.clone()).collect(),
        waiting,
    };
    portal_page(lang, lang.t("Aanvraag", "Application"), "/balie", &page)
}

fn about(case: &Case, lang: Lang) -> String {
    match &case.kind {
        CaseKind::TravelDocument {
            child,
            document,
            child_birthdate,
            ..
        } => format!(
            "{} {} {} ({}BSN {})",
            document_text(document, lang),
            lang.t("voor", "for"),
            child.name,
            child_birthdate
                .as_deref()
                .map(|d| format!(
                    "{} {}, ",
                    lang.t("geboren", "born"),
                    regie_web::render::date_text(d, lang)
                ))
                .unwrap_or_default(),
            child.bsn
        ),
        CaseKind::Move {
            applicant,
            to,
            date,
            ..
        } => format!(
            "{} {} {} {} {}",
            applicant.name,
            lang.t("naar", "to"),
            to.line(),
            lang.t("per", "from"),
            regie_web::render::date_text(date, lang)
        ),
    }
}

fn printable_link(portal: &SharedPortal, case: &Case, lang: Lang) -> PrintLink {
    let url = super::moving::share_url(portal, case);
    PrintLink {
        qr: regie_web::qr::svg(
            &url,
            lang.t(
                "QR-code met de link, te scannen met de camera van de telefoon",
                "QR code with the link, to scan with the phone's camera",
            ),
        ),
        url,
    }
}

#[derive(Deserialize)]
pub struct DeskForm {
    bsn: String,
    lang: Option<String>,
}

/// `POST /balie/zaak/{ref}/aan-de-balie`.
pub async fn at_desk(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Path(case_ref): Path<String>,
    Form(f): Form<DeskForm>,
) -> Response {
    let lang = Lang::from_code(f.lang.as_deref());
    if !is_clerk(&portal, &headers).await {
        return to_desk(lang);
    }
    let Some(cases) = portal.cases.as_ref() else {
        return unavailable(lang);
    };
    let Ok(bsn) = Bsn::parse(&f.bsn) else {
        return case_problem(&CaseError::BadInput("bsn"), lang, Back::Desk);
    };
    match cases.record_at_desk(&case_ref, &bsn).await {
        Ok(case) => {
            Redirect::to(&format!("/balie/zaak/{}{}", case.case_ref, lang.query())).into_response()
        }
        Err(e) => case_problem(&e, lang, Back::Desk),
    }
}

/// `POST /balie/zaak/{ref}/verklaring`: a statement file handed in.
pub async fn upload(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Path(case_ref): Path<String>,
    mut form: Multipart,
) -> Response {
    // The login is checked before the upload is read: a stranger's file is never taken in.
    if !is_clerk(&portal, &headers).await {
        return to_desk(Lang::Nl);
    }
    let mut lang = Lang::Nl;
    let mut file: Option<Vec<u8>> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return (e.status(), e.body_text()).into_response(),
        };
        let name = field.name().unwrap_or("").to_owned();
        let bytes = match field.bytes().await {
            Ok(bytes) => bytes,
            Err(e) => return (e.status(), e.body_text()).into_response(),
        };
        match name.as_str() {
            "lang" => lang = Lang::from_code(std::str::from_utf8(&bytes).ok()),
            "verklaring" => file = Some(bytes.to_vec()),
            _ => {}
        }
    }
    let Some(cases) = portal.cases.as_ref() else {
        return unavailable(lang);
    };
    let Some(value) = file.and_then(|b| serde_json::from_slice::<Value>(&b).ok()) else {
        return problem_back(
            lang,
            StatusCode::BAD_REQUEST,
            crate::cases::Refusal::NotVerified.text(lang),
            Back::Desk,
        );
    };
    match cases.submit_statement(&case_ref, value).await {
        Ok(case) => {
            Redirect::to(&format!("/balie/zaak/{}{}", case.case_ref, lang.query())).into_response()
        }
        Err(e) => case_problem(&e, lang, Back::Desk),
    }
}

/// `GET /balie/zaak/{ref}/verklaring/{i}`: a consent's signed statement file.
pub async fn download(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Path((case_ref, index)): Path<(String, usize)>,
) -> Response {
    let case = match clerk_case(&portal, &headers, &case_ref).await {
        Ok(c) => c,
        Err(_) => return (StatusCode::NOT_FOUND, "not found").into_response(),
    };
    let Some(consent) = case.consents.get(index) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let Ok(bytes) = serde_json::to_vec_pretty(&consent.statement) else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    (
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"toestemmingsverklaring-{}-{}.json\"",
                    case.case_ref, index
                ),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /balie/zaak/{ref}/status`.
pub async fn status(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Path(case_ref): Path<String>,
    Query(q): Query<PollQuery>,
) -> Response {
    let lang = Lang::from_code(q.lang.as_deref());
    match clerk_case(&portal, &headers, &case_ref).await {
        Ok(case) => poll_answer(&case, q.v, false, portal.issuer.clock.now(), lang),
        Err(_) => problem_back(lang, StatusCode::NOT_FOUND, "not found", Back::Desk),
    }
}
