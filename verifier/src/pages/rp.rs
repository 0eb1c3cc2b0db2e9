//! What the demo relying parties' pages share: the start page, starting a session from a
//! page (bound to the browser by a cookie), and the pieces of their forms. The parties'
//! own pages are in `housing`, `notary` and `statement`; one session's page in
//! `session_page`.
use axum::extract::Query;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Value};

use super::viewer::Viewer;
use crate::api::{start_session, CreateSession};
use crate::service::Shared;
use crate::sessions::SessionStatus;
use askama::Template;
use regie_web::{page, Lang, LangQuery};

pub const BRP_VCT: &str = "urn:regie:uittreksel-brp:1";
pub const HISTORY_VCT: &str = "urn:regie:woonhistorie:1";

/// A DCQL query for one credential of type `vct` with the claims at `paths`.
pub fn dcql(id: &str, vct: &str, paths: &[&[Option<&str>]]) -> Value {
    let claims: Vec<Value> = paths.iter().map(|p| json!({ "path": p })).collect();
    json!({"credentials": [{"id": id, "format": "dc+sd-jwt",
        "meta": {"vct_values": [vct]}, "claims": claims}]})
}

pub fn party_name(verifier: &Shared, id: &str) -> String {
    verifier
        .registry
        .by_id(id)
        .map(|p| p.registration.legal_name.clone())
        .unwrap_or_else(|| id.to_owned())
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFound {
    lang: Lang,
}

pub fn not_found(lang: Lang) -> Response {
    (
        StatusCode::NOT_FOUND,
        page(
            lang,
            lang.t("Niet gevonden", "Not found"),
            "/",
            "Regie",
            &NotFound { lang },
        ),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    lang: Lang,
    /// Each party's page: where, its title, what it does.
    cards: [(&'static str, &'static str, &'static str); 4],
}

/// `GET /`: the demo's relying parties and the validator.
pub async fn index(q: Query<LangQuery>) -> Response {
    let lang = Lang::from_query(&q);
    let cards = [
        (
            "/woonstichting",
            lang.t(
                "Woonstichting: aanvraag medehuur",
                "Housing corporation: co-tenancy application",
            ),
            lang.t(
                "Controleer hoe lang iemand op het adres woont.",
                "Check how long someone has lived at the address.",
            ),
        ),
        (
            "/notaris",
            lang.t(
                "Notaris: identificatie bij een akte",
                "Notary: identification for a deed",
            ),
            lang.t(
                "Controleer naam, geboortedatum en -plaats, BSN en adres.",
                "Check name, date and place of birth, BSN and address.",
            ),
        ),
        (
            "/gemeente/verklaring",
            lang.t(
                "Gemeente: toestemmingsverklaring",
                "Municipality: consent statement",
            ),
            lang.t(
                "Laat een hoofdbewoner of gezaghouder digitaal toestemming geven.",
                "Let a main occupant or custodian give consent digitally.",
            ),
        ),
        (
            "/valideer",
            lang.t("Document controleren", "Check a document"),
            lang.t(
                "Controleer een uittreksel met QR-code of een toestemmingsverklaring.",
                "Check an extract with a QR code or a consent statement.",
            ),
        ),
    ];
    page(
        lang,
        lang.t("Gegevens opvragen met Regie", "Asking for data with Regie"),
        "/",
        "Regie",
        &IndexPage { lang, cards },
    )
}

pub fn status_text(status: SessionStatus, lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => status.dutch(),
        Lang::En => status.english(),
    }
}

#[derive(Deserialize)]
pub struct StartForm {
    pub lang: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub date: Option<String>,
    /// The consent statement's address (a registration) …
    pub address: Option<String>,
    /// … or travel document (`paspoort`, `identiteitskaart`).
    pub document: Option<String>,
}

/// Starts a session for `party_id` from its page and sends the browser to the session's
/// page, with the cookie that alone opens it.
pub async fn start(
    verifier: &Shared,
    party_id: &str,
    purpose: &str,
    dcql_query: Value,
    transaction_data: Vec<Value>,
    base: &str,
    lang: Lang,
) -> Response {
    let Some(party) = verifier.registry.by_id(party_id) else {
        return not_found(lang);
    };
    let request = CreateSession {
        relying_party: Some(party_id.to_owned()),
        purpose: purpose.to_owned(),
        dcql_query,
        transaction_data,
    };
    let viewer = Viewer::new();
    match start_session(verifier, party, request, Some(viewer.digest.clone())).await {
        Ok(session) => {
            let path = format!("{base}/{}", session.id);
            let secure = verifier.public_url.starts_with("https://");
            (
                StatusCode::SEE_OTHER,
                [
                    (header::SET_COOKIE, viewer.set_cookie(&path, secure)),
                    (header::LOCATION, format!("{path}{}", lang.query())),
                ],
            )
                .into_response()
        }
        Err(r) => r,
    }
}

/// A party's start page: its registered purpose and retention, and the button that starts
/// a session.
#[derive(Template)]
#[template(path = "party_form.html")]
pub struct PartyForm<'a> {
    lang: Lang,
    /// The purpose's description and retention, as registered.
    purpose: Option<(String, String)>,
    action: &'a str,
    button: &'a str,
}

/// The start page of `party_id`'s purpose `purpose_id`, posting to `action`.
pub fn party_form<'a>(
    verifier: &Shared,
    party_id: &str,
    purpose_id: &str,
    action: &'a str,
    button: &'a str,
    lang: Lang,
) -> PartyForm<'a> {
    let pick = |l: &protocol::trust::Localized| match lang {
        Lang::Nl => l.nl.clone(),
        Lang::En => l.en.clone(),
    };
    let purpose = verifier
        .registry
        .by_id(party_id)
        .and_then(|party| party.registration.purpose(purpose_id))
        .map(|purpose| (pick(&purpose.description), pick(&purpose.retention)));
    PartyForm {
        lang,
        purpose,
        action,
        button,
    }
}
