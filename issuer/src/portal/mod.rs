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
mod store;

use std::sync::Arc;

use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use regie_web::{esc, page, Lang, LangQuery};
use serde::Deserialize;

use crate::person::Bsn;
use crate::service::{random_token, Issuer, DISPLAY_NAME};
pub use store::{Correction, CorrectionState, Login, PortalStore, LOGIN_TTL};

/// The portal's state: the issuer, its own store, and the consent cases when a verifier
/// party is configured.
pub struct Portal {
    pub issuer: Arc<Issuer>,
    pub store: PortalStore,
    pub cases: Option<Arc<crate::cases::Cases>>,
}

pub type SharedPortal = Arc<Portal>;

const COOKIE: &str = "regie_portaal";

/// The portal's routes, and the back-office API for correction requests.
pub fn router(
    issuer: Arc<Issuer>,
    cases: Option<Arc<crate::cases::Cases>>,
) -> Result<Router, crate::store::StoreError> {
    let portal = Arc::new(Portal {
        store: PortalStore::open(&issuer.store)?,
        issuer,
        cases,
    });
    Ok(Router::new()
        .route("/", get(home))
        .route("/assets/{name}", get(regie_web::assets::serve))
        .route("/inloggen", get(login_form).post(login))
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
        .route("/balie/inloggen", post(clerk::login))
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
pub(crate) fn login_of(portal: &Portal, headers: &HeaderMap) -> Option<Login> {
    let cookie = cookie_value(headers)?;
    portal
        .store
        .login(&cookie, portal.issuer.clock.now())
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

/// To the login page when nobody is logged in.
pub(crate) fn to_login(lang: Lang) -> Response {
    Redirect::to(&format!("/inloggen{}", lang.query())).into_response()
}

pub(crate) fn portal_page(lang: Lang, title: &str, path: &str, body: &str) -> Response {
    page(lang, title, path, DISPLAY_NAME, body)
}

pub(crate) fn hidden_lang(lang: Lang) -> String {
    format!(
        r#"<input type="hidden" name="lang" value="{}">"#,
        lang.code()
    )
}

/// A page for an error the citizen can do something about.
pub(crate) fn problem(lang: Lang, status: StatusCode, text: &str) -> Response {
    let body = format!(
        r#"<div class="regie-status" data-status="failed" role="alert" id="fout">{}</div><p class="utrecht-paragraph"><a class="utrecht-link" href="/mijn{}">{}</a></p>"#,
        esc(text),
        lang.query(),
        lang.t("Terug naar Mijn gegevens", "Back to My data")
    );
    (
        status,
        portal_page(
            lang,
            lang.t("Dat lukte niet", "That did not work"),
            "/mijn",
            &body,
        ),
    )
        .into_response()
}

async fn home(q: Query<LangQuery>) -> Response {
    let lang = Lang::from_query(&q);
    let body = format!(
        r#"<p class="utrecht-paragraph">{intro}</p>
<ul class="utrecht-unordered-list"><li>{a}</li><li>{b}</li><li>{c}</li></ul>
<p class="utrecht-paragraph"><a class="regie-button" href="/inloggen{q}">{login}</a></p>"#,
        intro = lang.t(
            "Hier haalt u uw gegevens uit de Basisregistratie Personen (BRP) op.",
            "Here you collect your data from the Personal Records Database (BRP)."
        ),
        a = lang.t(
            "Zet een uittreksel of uw woonhistorie in uw Regie-app.",
            "Put an extract or your address history in your Regie app."
        ),
        b = lang.t(
            "Download een uittreksel op papier (PDF) met een QR-code.",
            "Download a paper extract (PDF) with a QR code."
        ),
        c = lang.t(
            "Zie wat u heeft opgehaald, trek het in als u uw telefoon kwijt bent, en meld het als er iets niet klopt.",
            "See what you collected, revoke it if you lose your phone, and tell us if something is wrong."
        ),
        q = lang.query(),
        login = lang.t("Inloggen met DigiD (test)", "Log in with DigiD (test)"),
    );
    portal_page(lang, lang.t("Mijn gegevens", "My data"), "/", &body)
}

async fn login_form(State(portal): State<SharedPortal>, q: Query<LangQuery>) -> Response {
    let lang = Lang::from_query(&q);
    let persons = match portal.issuer.persons.list().await {
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
    let options: String = persons
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                r#"<div class="regie-choice"><input type="radio" name="bsn" id="persoon-{i}" value="{bsn}"{checked} required><label for="persoon-{i}">{name} <span class="regie-hint">{place} · BSN {bsn}</span></label></div>"#,
                bsn = esc(p.bsn.as_str()),
                name = esc(&p.name),
                place = esc(p.residence.as_deref().unwrap_or("")),
                checked = if i == 0 { " checked" } else { "" },
            )
        })
        .collect();
    let body = format!(
        r#"<div class="regie-warning" role="note"><strong>{warn_title}</strong> {warn}</div>
<form method="post" action="/inloggen">{hidden}
<fieldset class="regie-fieldset"><legend>{legend}</legend>{options}</fieldset>
<button type="submit" class="utrecht-button utrecht-button--primary-action regie-button">{button}</button></form>"#,
        warn_title = lang.t("Dit is een test-inlog.", "This is a test login."),
        warn = lang.t(
            "Er is geen echte DigiD. U kiest een testpersoon uit de officiële BRP-testset. Dit zijn geen echte mensen.",
            "There is no real DigiD. You pick a test person from the official BRP test set. These are not real people."
        ),
        hidden = hidden_lang(lang),
        legend = lang.t("Kies een testpersoon", "Choose a test person"),
        button = lang.t("Inloggen", "Log in"),
    );
    portal_page(
        lang,
        lang.t("Inloggen met DigiD (test)", "Log in with DigiD (test)"),
        "/inloggen",
        &body,
    )
}

#[derive(Deserialize)]
struct LoginForm {
    bsn: String,
    lang: Option<String>,
}

async fn login(State(portal): State<SharedPortal>, Form(form): Form<LoginForm>) -> Response {
    let lang = Lang::from_code(form.lang.as_deref());
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
    let cookie = random_token();
    let login = Login {
        bsn: bsn.as_str().to_owned(),
        expires_at: portal.issuer.clock.now() + LOGIN_TTL,
    };
    if portal.store.put_login(&cookie, &login).is_err() {
        return problem(
            lang,
            StatusCode::INTERNAL_SERVER_ERROR,
            lang.t("Inloggen lukte niet.", "Logging in failed."),
        );
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
                format!("{COOKIE}={cookie}; Path=/; HttpOnly; SameSite=Strict; Max-Age={LOGIN_TTL}{secure}"),
            ),
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
        let _ = portal.store.remove_login(&cookie);
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
