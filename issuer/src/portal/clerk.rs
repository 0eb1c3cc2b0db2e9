//! The clerk's desk (`/balie`), behind the back-office token: start a travel document case
//! for a child, find cases by the child's BSN or the case reference, and (in
//! [`super::clerk_case`]) follow one.
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use protocol::statements::TravelDocument;
use regie_web::render::unix_date_text;
use regie_web::{Lang, LangQuery};
use serde::Deserialize;

use super::case_view::{
    case_problem, document_choices, document_text, state_text, unavailable, DocumentChoices,
};
use super::{cookie_named, portal_page, Back, SharedPortal};
use crate::cases::{Case, CaseKind, StartedBy};
use crate::person::Bsn;

const COOKIE: &str = "regie_balie";
/// How long a clerk stays logged in.
const CLERK_TTL: u64 = 8 * 3600;

/// Whether the request comes from a logged-in clerk.
pub async fn is_clerk(portal: &SharedPortal, headers: &HeaderMap) -> bool {
    let Some(cookie) = cookie_named(headers, COOKIE) else {
        return false;
    };
    portal
        .store
        .is_clerk(&cookie, portal.issuer.clock.now())
        .await
        .unwrap_or(false)
}

fn title(lang: Lang) -> &'static str {
    lang.t("Balie reisdocumenten", "Travel documents desk")
}

#[derive(Template)]
#[template(path = "clerk_login.html")]
struct LoginPage<'a> {
    lang: Lang,
    error: Option<&'a str>,
    /// Clerks log in at the OpenID Connect provider (not with the back-office key).
    oidc: bool,
}

fn login_page(
    portal: &SharedPortal,
    lang: Lang,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    let page = LoginPage {
        lang,
        error,
        oidc: portal.oidc.is_some(),
    };
    (status, portal_page(lang, title(lang), "/balie", &page)).into_response()
}

/// `GET /balie/inloggen`: to the provider, when one is configured.
pub async fn begin_login(State(portal): State<SharedPortal>, q: Query<LangQuery>) -> Response {
    let lang = Lang::from_query(&q);
    super::oidc_login::begin(&portal, super::oidc_login::Purpose::Clerk, lang).await
}

/// A clerk the provider vouched for (with the clerk's role): logged in at the desk.
pub async fn logged_in(portal: &SharedPortal, lang: Lang) -> Response {
    let cookie = crate::service::random_token();
    match start_clerk_login(portal, &cookie).await {
        Ok(set_cookie) => super::oidc_login::continue_to(lang, "/balie", set_cookie),
        Err(()) => login_page(portal, lang, StatusCode::INTERNAL_SERVER_ERROR, None),
    }
}

/// Keeps a clerk's login under `cookie`; the cookie to set.
async fn start_clerk_login(portal: &SharedPortal, cookie: &str) -> Result<String, ()> {
    portal
        .store
        .put_clerk(cookie, portal.issuer.clock.now() + CLERK_TTL)
        .await
        .map_err(|_| ())?;
    Ok(format!(
        "{COOKIE}={cookie}; Path=/; HttpOnly; SameSite=Strict; Max-Age={CLERK_TTL}{}",
        super::secure(portal)
    ))
}

#[derive(Deserialize)]
pub struct LoginForm {
    token: String,
    lang: Option<String>,
}

/// `POST /balie/inloggen`.
pub async fn login(State(portal): State<SharedPortal>, Form(f): Form<LoginForm>) -> Response {
    let lang = Lang::from_code(f.lang.as_deref());
    if portal.oidc.is_some() {
        // Clerks log in at the provider with their own account; the back-office key stays
        // for the API.
        return login_page(
            &portal,
            lang,
            StatusCode::FORBIDDEN,
            Some(lang.t(
                "Inloggen met de sleutel staat uit. Log in met uw account.",
                "Logging in with the key is off. Log in with your account.",
            )),
        );
    }
    let expected = portal.issuer.admin_token.as_bytes();
    if expected.is_empty() || !crate::service::same_secret(f.token.trim().as_bytes(), expected) {
        return login_page(
            &portal,
            lang,
            StatusCode::UNAUTHORIZED,
            Some(lang.t("Deze sleutel klopt niet.", "This key is not right.")),
        );
    }
    let cookie = crate::service::random_token();
    match start_clerk_login(&portal, &cookie).await {
        Ok(set_cookie) => (
            StatusCode::SEE_OTHER,
            [
                (header::SET_COOKIE, set_cookie),
                (header::LOCATION, format!("/balie{}", lang.query())),
            ],
        )
            .into_response(),
        Err(()) => login_page(&portal, lang, StatusCode::INTERNAL_SERVER_ERROR, None),
    }
}

#[derive(Deserialize, Default)]
pub struct DeskQuery {
    lang: Option<String>,
    /// A child's BSN or a case reference.
    zoek: Option<String>,
}

/// One case in the desk's list.
struct CaseRow {
    case_ref: String,
    who: String,
    what: &'static str,
    state: &'static str,
    since: String,
}

fn case_row(case: &Case, now: u64, lang: Lang) -> CaseRow {
    CaseRow {
        case_ref: case.case_ref.clone(),
        who: case.subject().name.clone(),
        what: match &case.kind {
            CaseKind::TravelDocument { document, .. } => document_text(document, lang),
            CaseKind::Move { .. } => lang.t("verhuizing", "move"),
        },
        state: state_text(case.state(now), lang),
        since: unix_date_text(case.created_at, lang),
    }
}

#[derive(Template)]
#[template(path = "desk.html")]
struct DeskPage<'a> {
    lang: Lang,
    documents: DocumentChoices,
    search: &'a str,
    rows: Vec<CaseRow>,
}

/// `GET /balie`: the login, or the search and the form for a new case.
pub async fn desk(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Query(q): Query<DeskQuery>,
) -> Response {
    let lang = Lang::from_code(q.lang.as_deref());
    if !is_clerk(&portal, &headers).await {
        return login_page(&portal, lang, StatusCode::OK, None);
    }
    let Some(cases) = portal.cases.as_ref() else {
        return unavailable(lang);
    };
    let search = q.zoek.as_deref().map(str::trim).unwrap_or("");
    let found = if search.is_empty() {
        cases.store.all().await
    } else if let Ok(bsn) = Bsn::parse(search) {
        cases.store.about(bsn.as_str()).await
    } else {
        cases
            .store
            .get(&search.to_ascii_uppercase())
            .await
            .map(|c| c.into_iter().collect())
    };
    let found = match found {
        Ok(f) => f,
        Err(e) => return case_problem(&e.into(), lang, Back::Desk),
    };
    let now = portal.issuer.clock.now();
    let page = DeskPage {
        lang,
        documents: document_choices(lang),
        search,
        rows: found
            .iter()
            .take(50)
            .map(|c| case_row(c, now, lang))
            .collect(),
    };
    portal_page(lang, title(lang), "/balie", &page)
}

#[derive(Deserialize)]
pub struct NewCaseForm {
    kind: String,
    document: String,
    lang: Option<String>,
}

/// `POST /balie/reisdocument`: the open case for this child and document, or a new one.
pub async fn start(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Form(f): Form<NewCaseForm>,
) -> Response {
    let lang = Lang::from_code(f.lang.as_deref());
    if !is_clerk(&portal, &headers).await {
        return login_page(&portal, lang, StatusCode::UNAUTHORIZED, None);
    }
    let Some(cases) = portal.cases.as_ref() else {
        return unavailable(lang);
    };
    let (Ok(child), Some(document)) = (
        Bsn::parse(f.kind.trim()),
        TravelDocument::from_id(&f.document),
    ) else {
        return case_problem(
            &crate::cases::CaseError::BadInput("child"),
            lang,
            Back::Desk,
        );
    };
    let case = match cases.open_travel_case(&child, document).await {
        Ok(Some(case)) => Ok(case),
        Ok(None) => {
            cases
                .start_travel_document(&child, document, StartedBy::Clerk, None)
                .await
        }
        Err(e) => Err(e),
    };
    match case {
        Ok(case) => {
            Redirect::to(&format!("/balie/zaak/{}{}", case.case_ref, lang.query())).into_response()
        }
        Err(e) => case_problem(&e, lang, Back::Desk),
    }
}
