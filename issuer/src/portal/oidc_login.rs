//! Logging in through the OpenID Connect provider (DigiD through the municipality's broker
//! for citizens, the municipality's own accounts with a role for clerks), when one is
//! configured; the simulated login is off then. A login attempt is kept in the store, so the
//! provider's answer may reach any instance, and is bound to the browser that began it by a
//! cookie holding its `state`: an answer carried to another browser (to log its user in as
//! someone else) is refused.
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use regie_web::{Lang, LangQuery};
use serde::{Deserialize, Serialize};

use super::{cookie_named, problem_back, Back, SharedPortal};
use crate::person::Bsn;
use crate::service::same_secret;

/// The cookie holding the `state` of the login under way in this browser. `SameSite=Lax`:
/// the provider's redirect back is a cross-site navigation, which `Strict` would strip.
const STATE_COOKIE: &str = "regie_inlogpoging";
/// How long a login at the provider may take.
pub const ATTEMPT_TTL: u64 = 10 * 60;

/// Who is logging in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    Citizen,
    Clerk,
}

impl Purpose {
    fn back(self) -> Back {
        match self {
            Purpose::Citizen => Back::Home,
            Purpose::Clerk => Back::Desk,
        }
    }
}

/// What finishing a login needs; kept in the store, never in the browser.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LoginAttempt {
    pub purpose: Purpose,
    pub pkce_verifier: String,
    pub nonce: String,
    pub lang: String,
}

impl Drop for LoginAttempt {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.pkce_verifier);
    }
}

/// Sends the browser to the provider: `GET /inloggen` (citizens) or `GET /balie/inloggen`
/// (clerks) when OIDC is configured.
pub async fn begin(portal: &SharedPortal, purpose: Purpose, lang: Lang) -> Response {
    let Some(oidc) = portal.oidc.as_ref() else {
        return not_configured(lang, purpose);
    };
    let started = match oidc.start().await {
        Ok(started) => started,
        Err(e) => {
            tracing::warn!("login provider: {e}");
            return provider_down(lang, purpose);
        }
    };
    let attempt = LoginAttempt {
        purpose,
        pkce_verifier: started.pkce_verifier.to_string(),
        nonce: started.nonce.clone(),
        lang: lang.code().to_owned(),
    };
    let expires_at = portal.issuer.clock.now() + ATTEMPT_TTL;
    if let Err(e) = portal
        .store
        .put_login_attempt(&started.state, &attempt, expires_at)
        .await
    {
        tracing::warn!("keeping a login attempt: {e}");
        return failed(lang, purpose);
    }
    (
        StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                format!(
                    "{STATE_COOKIE}={}; Path=/inloggen/terug; HttpOnly; SameSite=Lax; Max-Age={ATTEMPT_TTL}{}",
                    started.state,
                    super::secure(portal)
                ),
            ),
            (header::LOCATION, started.url),
        ],
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    /// The provider's error code when the login did not happen (e.g. `access_denied` when
    /// the person cancelled).
    error: Option<String>,
}

/// `GET /inloggen/terug`: the provider's answer.
pub async fn callback(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Query(answer): Query<Callback>,
    lang_query: Query<LangQuery>,
) -> Response {
    let lang = Lang::from_query(&lang_query);
    let Some(oidc) = portal.oidc.as_ref() else {
        return not_configured(lang, Purpose::Citizen);
    };
    let unknown = |lang| {
        problem_back(
            lang,
            StatusCode::BAD_REQUEST,
            lang.t(
                "Deze inlogpoging is onbekend of verlopen. Begin opnieuw met inloggen.",
                "This login attempt is unknown or has expired. Start logging in again.",
            ),
            Back::Home,
        )
    };
    let Some(state) = answer.state.as_deref() else {
        return unknown(lang);
    };
    // Only the browser that began this attempt may finish it.
    let cookie = cookie_named(&headers, STATE_COOKIE).unwrap_or_default();
    if !same_secret(cookie.as_bytes(), state.as_bytes()) {
        return unknown(lang);
    }
    let now = portal.issuer.clock.now();
    let attempt = match portal.store.take_login_attempt(state, now).await {
        Ok(Some(attempt)) => attempt,
        Ok(None) => return unknown(lang),
        Err(e) => {
            tracing::warn!("reading a login attempt: {e}");
            return failed(lang, Purpose::Citizen);
        }
    };
    let lang = Lang::from_code(Some(&attempt.lang));
    let purpose = attempt.purpose;
    let back = purpose.back();
    if answer.error.is_some() {
        return problem_back(
            lang,
            StatusCode::UNAUTHORIZED,
            lang.t(
                "U bent niet ingelogd: het inloggen is afgebroken.",
                "You are not logged in: logging in was cancelled.",
            ),
            back,
        );
    }
    let Some(code) = answer.code.as_deref() else {
        return unknown(lang);
    };
    let identity = match oidc
        .finish(code, &attempt.pkce_verifier, &attempt.nonce)
        .await
    {
        Ok(identity) => identity,
        Err(e) => {
            tracing::warn!("a login at the provider was refused: {e}");
            return failed(lang, purpose);
        }
    };
    match purpose {
        Purpose::Citizen => citizen_logged_in(&portal, identity.bsn.as_deref(), lang).await,
        Purpose::Clerk if oidc.is_clerk(&identity) => super::clerk::logged_in(&portal, lang).await,
        Purpose::Clerk => problem_back(
            lang,
            StatusCode::FORBIDDEN,
            lang.t(
                "U bent ingelogd, maar uw account mag niet bij de balie. Vraag uw beheerder om de rol.",
                "You are logged in, but your account may not use the desk. Ask your administrator for the role.",
            ),
            back,
        ),
    }
}

/// A citizen the provider vouched for, by the BSN claim: logged in when the BRP knows them.
async fn citizen_logged_in(portal: &SharedPortal, bsn: Option<&str>, lang: Lang) -> Response {
    let Some(Ok(bsn)) = bsn.map(Bsn::parse) else {
        return problem_back(
            lang,
            StatusCode::FORBIDDEN,
            lang.t(
                "Uw inlog gaf geen geldig burgerservicenummer. Neem contact op met de gemeente.",
                "Your login did not give a valid citizen service number. Please contact the municipality.",
            ),
            Back::Home,
        );
    };
    match portal.issuer.persons.get(&bsn).await {
        Ok(Some(_)) => super::start_citizen_login(portal, &bsn, lang, true).await,
        Ok(None) => problem_back(
            lang,
            StatusCode::FORBIDDEN,
            lang.t(
                "U staat niet in de BRP van deze gemeente. Neem contact op met de gemeente.",
                "You are not in this municipality's BRP. Please contact the municipality.",
            ),
            Back::Home,
        ),
        Err(_) => problem_back(
            lang,
            StatusCode::SERVICE_UNAVAILABLE,
            lang.t(
                "De BRP is nu niet bereikbaar. Probeer het later opnieuw.",
                "The BRP cannot be reached now. Please try again later.",
            ),
            Back::Home,
        ),
    }
}

/// After a login that came back from the provider: a page that goes on to `to` by itself.
/// Not a redirect: a login cookie is `SameSite=Strict`, and a browser does not send it on a
/// redirect that continues the provider's cross-site navigation, so `to` would see nobody.
pub(crate) fn continue_to(lang: Lang, to: &str, set_cookie: String) -> Response {
    let target = format!("{to}{}", lang.query());
    (
        StatusCode::OK,
        [
            (header::SET_COOKIE, set_cookie),
            (header::REFRESH, format!("0; url={target}")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        super::portal_page(
            lang,
            lang.t("U bent ingelogd", "You are logged in"),
            to,
            &super::ContinuePage { lang, target },
        ),
    )
        .into_response()
}

fn not_configured(lang: Lang, purpose: Purpose) -> Response {
    problem_back(
        lang,
        StatusCode::NOT_FOUND,
        lang.t(
            "Inloggen via de inlogdienst staat niet aan.",
            "Logging in through the login service is not switched on.",
        ),
        purpose.back(),
    )
}

fn provider_down(lang: Lang, purpose: Purpose) -> Response {
    problem_back(
        lang,
        StatusCode::SERVICE_UNAVAILABLE,
        lang.t(
            "Inloggen kan nu niet: de inlogdienst is niet bereikbaar. Probeer het later opnieuw.",
            "You cannot log in now: the login service cannot be reached. Please try again later.",
        ),
        purpose.back(),
    )
}

fn failed(lang: Lang, purpose: Purpose) -> Response {
    problem_back(
        lang,
        StatusCode::BAD_GATEWAY,
        lang.t(
            "Inloggen is niet gelukt. Probeer het opnieuw.",
            "Logging in did not work. Please try again.",
        ),
        purpose.back(),
    )
}
