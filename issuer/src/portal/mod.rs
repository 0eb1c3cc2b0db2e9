//! The citizen portal of the municipality: a simulated DigiD login (clearly a test login, a
//! BRP test person is picked), then credentials into the Regie app by QR code or link, the
//! printable extract, the list of what was issued with a revoke button, and "Klopt er iets
//! niet?". Server-rendered HTML on the NL Design System's CSS, Dutch first, usable by
//! keyboard and screen reader; a little JavaScript only follows an offer's status.
mod case_view;
mod cases_api;
mod child_consent;
mod citizen;
mod clerk;
mod clerk_case;
mod consent_link;
mod corrections;
mod moving;
pub mod oidc_login;
mod store;

use std::sync::Arc;

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use regie_web::{page, Lang, LangQuery};
use serde::Deserialize;

use crate::person::{Bsn, Person, PersonSummary};
use crate::service::{random_token, Issuer, DISPLAY_NAME};
pub use store::{Correction, CorrectionState, Login, PortalStore, LOGIN_TTL};

/// The portal's state: the issuer, its own store, and the consent cases when a verifier
/// party is configured.
pub struct Portal {
    pub issuer: Arc<Issuer>,
    pub store: PortalStore,
    pub cases: Option<Arc<crate::cases::Cases>>,
    /// Login through an OpenID Connect provider; without it, the simulated test login.
    pub oidc: Option<Arc<crate::oidc::OidcLogin>>,
}

pub type SharedPortal = Arc<Portal>;

const COOKIE: &str = "regie_portaal";

/// The portal's routes, and the back-office API for correction requests.
pub fn router(
    issuer: Arc<Issuer>,
    cases: Option<Arc<crate::cases::Cases>>,
    oidc: Option<Arc<crate::oidc::OidcLogin>>,
) -> Result<Router, crate::store::StoreError> {
    let portal = Arc::new(Portal {
        store: PortalStore::open(&issuer.store),
        issuer,
        cases,
        oidc,
    });
    Ok(Router::new()
        .route("/", get(home))
        .route("/assets/{name}", get(regie_web::assets::serve))
        .route("/inloggen", get(login_form).post(login))
        .route("/inloggen/terug", get(oidc_login::callback))
        .route("/uitloggen", post(logout))
        .route("/mijn", get(citizen::overview))
        .route("/mijn/aanvragen", post(citizen::request_credential))
        .route("/mijn/aanvraag/{id}", get(citizen::offer_page))
        .route("/mijn/aanvraag/{id}/status", get(citizen::offer_status))
        .route("/mijn/intrekken", post(citizen::revoke))
        .route("/mijn/uittreksel", post(citizen::extract))
        .route(
            "/mijn/correctie",
            get(corrections::form).post(corrections::submit),
        )
        .route("/mijn/verhuizen", get(moving::form).post(moving::submit))
        .route("/mijn/verhuizen/{case}", get(moving::case_page))
        .route("/mijn/verhuizen/{case}/status", get(moving::case_status))
        .route(
            "/mijn/reisdocument-kind",
            get(child_consent::form).post(child_consent::submit),
        )
        .route(
            "/mijn/reisdocument-kind/{case}",
            get(child_consent::case_page),
        )
        .route(
            "/mijn/reisdocument-kind/{case}/status",
            get(child_consent::case_status),
        )
        .route("/toestemming/{token}", get(consent_link::page))
        .route("/toestemming/{token}/status", get(consent_link::status))
        .route("/balie", get(clerk::desk))
        .route(
            "/balie/inloggen",
            get(clerk::begin_login).post(clerk::login),
        )
        .route("/balie/reisdocument", post(clerk::start))
        .route("/balie/zaak/{case}", get(clerk_case::page))
        .route("/balie/zaak/{case}/status", get(clerk_case::status))
        .route("/balie/zaak/{case}/aan-de-balie", post(clerk_case::at_desk))
        .route("/balie/zaak/{case}/verklaring", post(clerk_case::upload))
        .route(
            "/balie/zaak/{case}/verklaring/{index}",
            get(clerk_case::download),
        )
        .route("/api/cases", get(cases_api::list))
        .route("/api/cases/{case}", get(cases_api::get))
        .route("/api/cases/{case}/statements", post(cases_api::submit))
        .route("/api/corrections", get(corrections::api_list))
        .route("/api/corrections/{id}", post(corrections::api_update))
        .with_state(portal))
}

/// The logged-in citizen, from the cookie.
pub(crate) async fn login_of(portal: &Portal, headers: &HeaderMap) -> Option<Login> {
    let cookie = cookie_value(headers)?;
    portal
        .store
        .login(&cookie, portal.issuer.clock.now())
        .await
        .ok()
        .flatten()
}

fn cookie_value(headers: &HeaderMap) -> Option<String> {
    cookie_named(headers, COOKIE)
}

/// The value of the cookie `name`, if set.
pub(crate) fn cookie_named(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name && !value.is_empty()).then(|| value.to_owned())
        })
}

/// `; Secure` for the portal's cookies when it is served over HTTPS.
pub(crate) fn secure(portal: &Portal) -> &'static str {
    if portal.issuer.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    }
}

/// To the login page when nobody is logged in.
pub(crate) fn to_login(lang: Lang) -> Response {
    Redirect::to(&format!("/inloggen{}", lang.query())).into_response()
}

pub(crate) fn portal_page(lang: Lang, title: &str, path: &str, body: &impl Template) -> Response {
    page(lang, title, path, DISPLAY_NAME, body)
}

/// Why a citizen's page cannot be shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CitizenError {
    /// Nobody (or no valid BSN) is logged in.
    NotLoggedIn,
    /// The BRP did not give the person's record.
    Unavailable,
}

impl CitizenError {
    /// The login page, or a page saying the data cannot be reached.
    pub(crate) fn response(self, lang: Lang) -> Response {
        match self {
            CitizenError::NotLoggedIn => to_login(lang),
            CitizenError::Unavailable => problem(
                lang,
                StatusCode::SERVICE_UNAVAILABLE,
                lang.t(
                    "Uw gegevens zijn nu niet bereikbaar.",
                    "Your data cannot be reached now.",
                ),
            ),
        }
    }
}

/// The logged-in citizen's login and BSN.
pub(crate) async fn logged_in(
    portal: &Portal,
    headers: &HeaderMap,
) -> Result<(Login, Bsn), CitizenError> {
    let login = login_of(portal, headers)
        .await
        .ok_or(CitizenError::NotLoggedIn)?;
    let bsn = Bsn::parse(&login.bsn).map_err(|_| CitizenError::NotLoggedIn)?;
    Ok((login, bsn))
}

/// The logged-in citizen and their BRP record: login, BSN, person lookup.
pub(crate) async fn logged_in_person(
    portal: &Portal,
    headers: &HeaderMap,
) -> Result<(Bsn, Person), CitizenError> {
    let (_, bsn) = logged_in(portal, headers).await?;
    match portal.issuer.persons.get(&bsn).await {
        Ok(Some(person)) => Ok((bsn, person)),
        _ => Err(CitizenError::Unavailable),
    }
}

/// Where an error page links back to: where the visitor came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Back {
    /// The citizen's own pages (`/mijn`).
    Mine,
    /// The clerk's desk (`/balie`).
    Desk,
    /// The start page, for someone not logged in.
    Home,
}

impl Back {
    fn href(self) -> &'static str {
        match self {
            Back::Mine => "/mijn",
            Back::Desk => "/balie",
            Back::Home => "/",
        }
    }

    fn text(self, lang: Lang) -> &'static str {
        match self {
            Back::Mine => lang.t("Terug naar Mijn gegevens", "Back to My data"),
            Back::Desk => lang.t("Terug naar de balie", "Back to the desk"),
            Back::Home => lang.t("Terug naar de startpagina", "Back to the start page"),
        }
    }
}

#[derive(Template)]
#[template(path = "problem.html")]
struct ProblemPage<'a> {
    lang: Lang,
    text: &'a str,
    back_href: &'static str,
    back_text: &'static str,
}

/// A page for an error the citizen can do something about.
pub(crate) fn problem(lang: Lang, status: StatusCode, text: &str) -> Response {
    problem_back(lang, status, text, Back::Mine)
}

/// A page for an error, with a link back to where the visitor came from.
pub(crate) fn problem_back(lang: Lang, status: StatusCode, text: &str, back: Back) -> Response {
    (
        status,
        portal_page(
            lang,
            lang.t("Dat lukte niet", "That did not work"),
            back.href(),
            &ProblemPage {
                lang,
                text,
                back_href: back.href(),
                back_text: back.text(lang),
            },
        ),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    lang: Lang,
    /// The simulated login (no OpenID Connect provider configured).
    test_login: bool,
}

async fn home(State(portal): State<SharedPortal>, q: Query<LangQuery>) -> Response {
    let lang = Lang::from_query(&q);
    let page = HomePage {
        lang,
        test_login: portal.oidc.is_none(),
    };
    portal_page(lang, lang.t("Mijn gegevens", "My data"), "/", &page)
}

/// After a login at the provider: goes on to `target` by itself (see
/// [`oidc_login::continue_to`]).
#[derive(Template)]
#[template(path = "continue.html")]
pub(crate) struct ContinuePage {
    lang: Lang,
    target: String,
}

/// One test person to log in as.
struct Choice {
    bsn: String,
    name: String,
    place: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    lang: Lang,
    persons: Vec<Choice>,
}

async fn login_form(State(portal): State<SharedPortal>, q: Query<LangQuery>) -> Response {
    let lang = Lang::from_query(&q);
    if portal.oidc.is_some() {
        return oidc_login::begin(&portal, oidc_login::Purpose::Citizen, lang).await;
    }
    let persons: Vec<PersonSummary> = match portal.issuer.persons.list().await {
        Ok(p) => p,
        Err(_) => {
            return problem(
                lang,
                StatusCode::SERVICE_UNAVAILABLE,
                lang.t(
                    "De BRP is nu niet bereikbaar. Probeer het later opnieuw.",
                    "The BRP cannot be reached now. Please try again later.",
                ),
            )
        }
    };
    let persons = persons
        .iter()
        .map(|p| Choice {
            bsn: p.bsn.as_str().to_owned(),
            name: p.name.clone(),
            place: p.residence.clone().unwrap_or_default(),
        })
        .collect();
    portal_page(
        lang,
        lang.t("Inloggen met DigiD (test)", "Log in with DigiD (test)"),
        "/inloggen",
        &LoginPage { lang, persons },
    )
}

#[derive(Deserialize)]
struct LoginForm {
    bsn: String,
    lang: Option<String>,
}

async fn login(State(portal): State<SharedPortal>, Form(form): Form<LoginForm>) -> Response {
    let lang = Lang::from_code(form.lang.as_deref());
    if portal.oidc.is_some() {
        // The test login is off whenever a real provider is configured.
        return problem_back(
            lang,
            StatusCode::FORBIDDEN,
            lang.t(
                "De test-inlog staat uit. Log in met DigiD.",
                "The test login is off. Log in with DigiD.",
            ),
            Back::Home,
        );
    }
    let unknown = || {
        problem(
            lang,
            StatusCode::BAD_REQUEST,
            lang.t(
                "Deze testpersoon bestaat niet. Kies een persoon uit de lijst.",
                "This test person does not exist. Choose a person from the list.",
            ),
        )
    };
    let Ok(bsn) = Bsn::parse(&form.bsn) else {
        return unknown();
    };
    match portal.issuer.persons.get(&bsn).await {
        Ok(Some(_)) => {}
        Ok(None) => return unknown(),
        Err(_) => {
            return problem(
                lang,
                StatusCode::SERVICE_UNAVAILABLE,
                lang.t(
                    "De BRP is nu niet bereikbaar.",
                    "The BRP cannot be reached now.",
                ),
            )
        }
    }
    start_citizen_login(&portal, &bsn, lang, false).await
}

/// Logs `bsn` in: a new login, its cookie, and on to `/mijn` (by a page that goes on by
/// itself when the login came back from a provider).
pub(crate) async fn start_citizen_login(
    portal: &SharedPortal,
    bsn: &Bsn,
    lang: Lang,
    from_provider: bool,
) -> Response {
    let cookie = random_token();
    let login = Login {
        bsn: bsn.as_str().to_owned(),
        expires_at: portal.issuer.clock.now() + LOGIN_TTL,
    };
    if portal.store.put_login(&cookie, &login).await.is_err() {
        return problem_back(
            lang,
            StatusCode::INTERNAL_SERVER_ERROR,
            lang.t("Inloggen lukte niet.", "Logging in failed."),
            Back::Home,
        );
    }
    let set_cookie = format!(
        "{COOKIE}={cookie}; Path=/; HttpOnly; SameSite=Strict; Max-Age={LOGIN_TTL}{}",
        secure(portal)
    );
    if from_provider {
        return oidc_login::continue_to(lang, "/mijn", set_cookie);
    }
    (
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, set_cookie),
            (header::LOCATION, format!("/mijn{}", lang.query())),
        ],
    )
        .into_response()
}

#[derive(Deserialize)]
struct LangForm {
    lang: Option<String>,
}

async fn logout(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Form(form): Form<LangForm>,
) -> Response {
    if let Some(cookie) = cookie_value(&headers) {
        let _ = portal.store.remove_login(&cookie).await;
    }
    let lang = Lang::from_code(form.lang.as_deref());
    (
        StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
            ),
            (header::LOCATION, format!("/{}", lang.query())),
        ],
    )
        .into_response()
}
