//! The clerk's desk (`/balie`), behind the back-office token: start a travel document case
//! for a child, find cases by the child's BSN or the case reference, and (in
//! [`super::clerk_case`]) follow one.
use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use protocol::statements::TravelDocument;
use regie_web::render::unix_date_text;
use regie_web::{esc, Lang};
use serde::Deserialize;

use super::case_view::{case_problem, document_text, state_text, unavailable};
use super::{cookie_named, hidden_lang, portal_page, SharedPortal};
use crate::cases::{Case, CaseKind, StartedBy};
use crate::person::Bsn;

const COOKIE: &str = "regie_balie";
/// How long a clerk stays logged in.
const CLERK_TTL: u64 = 8 * 3600;

/// Whether the request comes from a logged-in clerk.
pub fn is_clerk(portal: &SharedPortal, headers: &HeaderMap) -> bool {
    cookie_named(headers, COOKIE).is_some_and(|c| {
        portal
            .store
            .is_clerk(&c, portal.issuer.clock.now())
            .unwrap_or(false)
    })
}

fn title(lang: Lang) -> &'static str {
    lang.t("Balie reisdocumenten", "Travel documents desk")
}

fn login_page(lang: Lang, status: StatusCode, error: Option<&str>) -> Response {
    let error_html = error
        .map(|e| {
            format!(
                r#"<div class="regie-status" data-status="failed" role="alert" id="fout">{}</div>"#,
                esc(e)
            )
        })
        .unwrap_or_default();
    let body = format!(
        r#"{error_html}<p class="utrecht-paragraph">{intro}</p>
<form method="post" action="/balie/inloggen">{hidden}
<div class="regie-field"><label for="token">{label}</label><input class="utrecht-textbox" id="token" name="token" type="password" autocomplete="current-password" required></div>
<button type="submit" class="utrecht-button utrecht-button--primary-action regie-button">{button}</button></form>"#,
        intro = lang.t(
            "Alleen voor medewerkers van de gemeente.",
            "For municipal staff only."
        ),
        hidden = hidden_lang(lang),
        label = lang.t("Back-office-sleutel", "Back-office key"),
        button = lang.t("Inloggen", "Log in"),
    );
    (status, portal_page(lang, title(lang), "/balie", &body)).into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    token: String,
    lang: Option<String>,
}

/// `POST /balie/inloggen`.
pub async fn login(State(portal): State<SharedPortal>, Form(f): Form<LoginForm>) -> Response {
    let lang = Lang::from_code(f.lang.as_deref());
    let expected = portal.issuer.admin_token.as_bytes();
    if expected.is_empty() || !crate::service::same_secret(f.token.trim().as_bytes(), expected) {
        return login_page(
            lang,
            StatusCode::UNAUTHORIZED,
            Some(lang.t("Deze sleutel klopt niet.", "This key is not right.")),
        );
    }
    let cookie = crate::service::random_token();
    if portal
        .store
        .put_clerk(&cookie, portal.issuer.clock.now() + CLERK_TTL)
        .is_err()
    {
        return login_page(lang, StatusCode::INTERNAL_SERVER_ERROR, None);
    }
    let secure = if portal.issuer.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    (
        StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                format!("{COOKIE}={cookie}; Path=/; HttpOnly; SameSite=Strict; Max-Age={CLERK_TTL}{secure}"),
            ),
            (header::LOCATION, format!("/balie{}", lang.query())),
        ],
    )
        .into_response()
}

#[derive(Deserialize, Default)]
pub struct DeskQuery {
    lang: Option<String>,
    /// A child's BSN or a case reference.
    zoek: Option<String>,
}

fn case_row(case: &Case, now: u64, lang: Lang) -> String {
    let what = match &case.kind {
        CaseKind::TravelDocument { document, .. } => document_text(document, lang).to_owned(),
        CaseKind::Move { .. } => lang.t("verhuizing", "move").to_owned(),
    };
    format!(
        r#"<tr><td data-label="{ref_l}"><a class="utrecht-link" href="/balie/zaak/{r}{q}">{r}</a></td><td data-label="{who_l}">{who}</td><td data-label="{what_l}">{what}</td><td data-label="{state_l}">{state}</td><td data-label="{since_l}">{since}</td></tr>"#,
        r = esc(&case.case_ref),
        q = lang.query(),
        who = esc(&case.subject().name),
        what = esc(&what),
        state = state_text(case.state(now), lang),
        since = unix_date_text(case.created_at, lang),
        ref_l = lang.t("Aanvraag", "Application"),
        who_l = lang.t("Over", "About"),
        what_l = lang.t("Wat", "What"),
        state_l = lang.t("Stand", "State"),
        since_l = lang.t("Sinds", "Since"),
    )
}

/// `GET /balie`: the login, or the search and the form for a new case.
pub async fn desk(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Query(q): Query<DeskQuery>,
) -> Response {
    let lang = Lang::from_code(q.lang.as_deref());
    if !is_clerk(&portal, &headers) {
        return login_page(lang, StatusCode::OK, None);
    }
    let Some(cases) = portal.cases.as_ref() else {
        return unavailable(lang);
    };
    let search = q.zoek.as_deref().map(str::trim).unwrap_or("");
    let found = if search.is_empty() {
        cases.store.all()
    } else if let Ok(bsn) = Bsn::parse(search) {
        cases.store.about(bsn.as_str())
    } else {
        cases
            .store
            .get(&search.to_ascii_uppercase())
            .map(|c| c.into_iter().collect())
    };
    let found = match found {
        Ok(f) => f,
        Err(e) => return case_problem(&e.into(), lang),
    };
    let now = portal.issuer.clock.now();
    let rows: String = found
        .iter()
        .take(50)
        .map(|c| case_row(c, now, lang))
        .collect();
    let table = if found.is_empty() {
        format!(
            r#"<p class="utrecht-paragraph" id="geen-zaken">{}</p>"#,
            lang.t("Geen aanvragen gevonden.", "No applications found.")
        )
    } else {
        format!(
            r#"<div class="regie-table-wrap"><table class="utrecht-table regie-data regie-data--stack" id="zaken"><caption>{cap}</caption><thead><tr><th scope="col">{a}</th><th scope="col">{b}</th><th scope="col">{c}</th><th scope="col">{d}</th><th scope="col">{e}</th></tr></thead><tbody>{rows}</tbody></table></div>"#,
            cap = lang.t("Aanvragen", "Applications"),
            a = lang.t("Aanvraag", "Application"),
            b = lang.t("Over", "About"),
            c = lang.t("Wat", "What"),
            d = lang.t("Stand", "State"),
            e = lang.t("Sinds", "Since"),
        )
    };
    let doc = |id: &str, checked: bool| {
        format!(
            r#"<div class="regie-choice"><input type="radio" name="document" id="document-{id}" value="{id}"{}><label for="document-{id}">{}</label></div>"#,
            if checked { " checked" } else { "" },
            document_text(id, lang)
        )
    };
    let body = format!(
        r#"<h2 class="utrecht-heading-2">{new_h}</h2>
<form method="post" action="/balie/reisdocument">{hidden}
<div class="regie-field"><label for="kind">{child_l}</label><input class="utrecht-textbox" id="kind" name="kind" inputmode="numeric" maxlength="9" required></div>
<fieldset class="regie-fieldset"><legend>{doc_l}</legend>{d1}{d2}</fieldset>
<button type="submit" class="utrecht-button utrecht-button--primary-action regie-button">{start}</button></form>
<h2 class="utrecht-heading-2">{find_h}</h2>
<form method="get" action="/balie" role="search">{hidden}
<div class="regie-field"><label for="zoek">{find_l}</label><input class="utrecht-textbox" id="zoek" name="zoek" value="{search}" maxlength="20"></div>
<button type="submit" class="utrecht-button regie-button regie-button--secondary">{find_b}</button></form>
{table}"#,
        new_h = lang.t(
            "Nieuwe aanvraag reisdocument kind",
            "New travel document application for a child"
        ),
        hidden = hidden_lang(lang),
        child_l = lang.t("BSN van het kind", "The child's BSN"),
        doc_l = lang.t("Reisdocument", "Travel document"),
        d1 = doc("paspoort", true),
        d2 = doc("identiteitskaart", false),
        start = lang.t("Gezag opzoeken en starten", "Look up custody and start"),
        find_h = lang.t("Aanvraag zoeken", "Find an application"),
        find_l = lang.t(
            "BSN van het kind of aanvraagnummer",
            "The child's BSN or application number"
        ),
        search = esc(search),
        find_b = lang.t("Zoeken", "Search"),
    );
    portal_page(lang, title(lang), "/balie", &body)
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
    if !is_clerk(&portal, &headers) {
        return login_page(lang, StatusCode::UNAUTHORIZED, None);
    }
    let Some(cases) = portal.cases.as_ref() else {
        return unavailable(lang);
    };
    let (Ok(child), Some(document)) = (
        Bsn::parse(f.kind.trim()),
        TravelDocument::from_id(&f.document),
    ) else {
        return case_problem(&crate::cases::CaseError::BadInput("child"), lang);
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
        Err(e) => case_problem(&e, lang),
    }
}
