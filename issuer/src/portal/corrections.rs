//! "Klopt er iets niet?": a logged-in citizen says which attribute is wrong and why; the
//! municipality's back office lists the requests and sets their state, which the citizen sees.
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use protocol::claim_path::ClaimPath;
use protocol::credential_types::claim_label;
use regie_web::{Lang, LangQuery};
use serde::Deserialize;
use serde_json::json;

use super::store::{Correction, CorrectionState, MAX_EXPLANATION};
use super::{login_of, portal_page, to_login, SharedPortal};
use crate::service::{admin_denied, error, internal, invalid_request, no_store, random_token};

/// The attributes a citizen can point at, in reading order.
const ATTRIBUTES: [&str; 12] = [
    "given_name",
    "name_prefix",
    "family_name",
    "noble_title",
    "birthdate",
    "place_of_birth",
    "country_of_birth",
    "sex",
    "nationalities",
    "address",
    "address_since",
    "addresses",
];

/// The human label of an attribute named in a correction request.
pub fn attribute_text(attribute: &str, lang: Lang) -> String {
    if attribute == "anders" {
        return lang.t("Iets anders", "Something else").to_owned();
    }
    ClaimPath::keys([attribute])
        .map(|p| claim_label(&p, lang.protocol()))
        .unwrap_or_else(|_| attribute.to_owned())
}

#[derive(Template)]
#[template(path = "correction_form.html")]
struct CorrectionFormPage<'a> {
    lang: Lang,
    error: Option<&'a str>,
    /// The attributes to choose from: value and label.
    options: Vec<(&'static str, String)>,
    max: usize,
}

fn form_page(lang: Lang, error: Option<&str>) -> CorrectionFormPage<'_> {
    CorrectionFormPage {
        lang,
        error,
        options: ATTRIBUTES
            .iter()
            .chain(std::iter::once(&"anders"))
            .map(|a| (*a, attribute_text(a, lang)))
            .collect(),
        max: MAX_EXPLANATION,
    }
}

/// `GET /mijn/correctie`.
pub async fn form(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    q: Query<LangQuery>,
) -> Response {
    let lang = Lang::from_query(&q);
    if login_of(&portal, &headers).await.is_none() {
        return to_login(lang);
    }
    portal_page(
        lang,
        lang.t("Klopt er iets niet?", "Is something wrong?"),
        "/mijn/correctie",
        &form_page(lang, None),
    )
}

#[derive(Deserialize)]
pub struct CorrectionForm {
    attribute: String,
    explanation: String,
    lang: Option<String>,
}

/// `POST /mijn/correctie`.
pub async fn submit(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Form(f): Form<CorrectionForm>,
) -> Response {
    let lang = Lang::from_code(f.lang.as_deref());
    let Some(login) = login_of(&portal, &headers).await else {
        return to_login(lang);
    };
    let explanation = f.explanation.trim();
    let known = f.attribute == "anders" || ATTRIBUTES.contains(&f.attribute.as_str());
    let error = if !known {
        Some(lang.t(
            "Kies een gegeven uit de lijst.",
            "Choose data from the list.",
        ))
    } else if explanation.is_empty() || explanation.chars().count() > MAX_EXPLANATION {
        Some(lang.t(
            "Schrijf op wat er niet klopt, in hoogstens 1000 tekens.",
            "Write what is wrong, in at most 1000 characters.",
        ))
    } else {
        None
    };
    if let Some(message) = error {
        return (
            StatusCode::BAD_REQUEST,
            portal_page(
                lang,
                lang.t("Klopt er iets niet?", "Is something wrong?"),
                "/mijn/correctie",
                &form_page(lang, Some(message)),
            ),
        )
            .into_response();
    }
    let correction = Correction {
        id: random_token(),
        bsn: login.bsn,
        attribute: f.attribute,
        explanation: explanation.to_owned(),
        created_at: portal.issuer.clock.now(),
        state: CorrectionState::Ontvangen,
        answer: None,
    };
    if let Err(e) = portal.store.put_correction(&correction).await {
        return internal(e);
    }
    let sep = if lang.query().is_empty() { "?" } else { "&" };
    Redirect::to(&format!(
        "/mijn{}{sep}gedaan=correctie#correcties",
        lang.query()
    ))
    .into_response()
}

/// `GET /api/corrections` (back office): every request, oldest first.
pub async fn api_list(State(portal): State<SharedPortal>, headers: HeaderMap) -> Response {
    if let Some(denied) = admin_denied(&portal.issuer, &headers) {
        return denied;
    }
    match portal.store.corrections(None).await {
        Ok(list) => no_store(Json(json!({ "corrections": list }))),
        Err(e) => internal(e),
    }
}

#[derive(Deserialize)]
struct UpdateBody {
    state: String,
    #[serde(default)]
    answer: Option<String>,
}

/// `POST /api/corrections/{id} {"state", "answer"?}` (back office).
pub async fn api_update(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if let Some(denied) = admin_denied(&portal.issuer, &headers) {
        return denied;
    }
    let Ok(body) = serde_json::from_slice::<UpdateBody>(&body) else {
        return invalid_request("expected {\"state\", \"answer\"?}");
    };
    let Some(state) = CorrectionState::from_id(&body.state) else {
        return invalid_request("state must be ontvangen, in_behandeling or afgehandeld");
    };
    if body
        .answer
        .as_ref()
        .is_some_and(|a| a.chars().count() > MAX_EXPLANATION)
    {
        return invalid_request("answer too long");
    }
    let mut correction = match portal.store.correction(&id).await {
        Ok(Some(c)) => c,
        Ok(None) => return error(StatusCode::NOT_FOUND, "not_found", "unknown correction"),
        Err(e) => return internal(e),
    };
    correction.state = state;
    if body.answer.is_some() {
        correction.answer = body.answer;
    }
    match portal.store.put_correction(&correction).await {
        Ok(()) => no_store(Json(correction)),
        Err(e) => internal(e),
    }
}
