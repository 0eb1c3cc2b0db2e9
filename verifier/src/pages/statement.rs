//! The municipality's consent statements: a main occupant consents to a registration at
//! their address, a custodian to a travel document for their child. The citizen signs the
//! statement as transaction data; the signed file can be downloaded and re-verified later.
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::rp::{dcql, hidden_lang, party_name, start, StartForm, BRP_VCT};
use super::session_page::{self, done_session, session_page, SessionPage};
use crate::service::Shared;
use crate::statements::StatementFile;
use regie_web::render::{date_text, full_name, unix_date_text};
use regie_web::{esc, page, Lang, LangQuery};

const MUNICIPALITY: &str = "gemeente";
const BASE: &str = "/gemeente/verklaring";
/// Longest name typed into a statement form.
const MAX_NAME: usize = 100;

/// What the municipality's statement form offers.
#[derive(Clone, Copy)]
enum StatementKind {
    Registration,
    TravelDocument,
}

impl StatementKind {
    fn from_id(id: &str) -> Option<StatementKind> {
        match id {
            "inschrijving" => Some(StatementKind::Registration),
            "reisdocument" => Some(StatementKind::TravelDocument),
            _ => None,
        }
    }

    fn purpose(self) -> &'static str {
        match self {
            StatementKind::Registration => "toestemming-inschrijving",
            StatementKind::TravelDocument => "toestemming-reisdocument-minderjarige",
        }
    }

    fn query(self) -> Value {
        match self {
            StatementKind::Registration => dcql(
                "brp",
                BRP_VCT,
                &[
                    &[Some("given_name")],
                    &[Some("family_name")],
                    &[Some("bsn")],
                    &[Some("address")],
                ],
            ),
            StatementKind::TravelDocument => dcql(
                "brp",
                BRP_VCT,
                &[
                    &[Some("given_name")],
                    &[Some("family_name")],
                    &[Some("birthdate")],
                    &[Some("bsn")],
                ],
            ),
        }
    }

    /// The statement the citizen signs.
    fn transaction_data(self, name: &str, date: Option<&str>, lang: Lang) -> Value {
        match self {
            StatementKind::Registration => {
                let when = date.map(|d| date_text(d, lang)).unwrap_or_default();
                json!({
                    "type": "regie_toestemming_inschrijving",
                    "credential_ids": ["brp"],
                    "new_resident": name,
                    "date": date,
                    "text": match lang {
                        Lang::Nl => format!("Ik ben hoofdbewoner en geef toestemming dat {name} zich vanaf {when} op mijn adres inschrijft."),
                        Lang::En => format!("I am the main occupant and consent to {name} registering at my address from {when}."),
                    },
                })
            }
            StatementKind::TravelDocument => json!({
                "type": "regie_toestemming_reisdocument",
                "credential_ids": ["brp"],
                "child": name,
                "text": match lang {
                    Lang::Nl => format!("Ik heb het gezag over {name} en geef toestemming voor een paspoort of identiteitskaart voor dit kind."),
                    Lang::En => format!("I have parental authority over {name} and consent to a passport or identity card for this child."),
                },
            }),
        }
    }
}

fn statement_form_html(lang: Lang, error: Option<&str>) -> String {
    let error = error
        .map(|e| {
            format!(
                r#"<div class="regie-status" data-status="failed" role="alert" id="fout">{}</div>"#,
                esc(e)
            )
        })
        .unwrap_or_default();
    format!(
        r#"{error}<p class="utrecht-paragraph">{intro}</p>
<section aria-labelledby="kop-inschrijving"><h2 class="utrecht-heading-2" id="kop-inschrijving">{h1}</h2>
<form method="post" action="/gemeente/verklaring/start">{hidden}<input type="hidden" name="kind" value="inschrijving">
<div class="regie-field"><label for="naam-inschrijving">{name1}</label><input type="text" id="naam-inschrijving" name="name" required maxlength="{MAX_NAME}" autocomplete="off"></div>
<div class="regie-field"><label for="datum-inschrijving">{date1}</label><input type="date" id="datum-inschrijving" name="date" required></div>
<button type="submit" class="utrecht-button utrecht-button--primary-action regie-button">{button}</button></form></section>
<section aria-labelledby="kop-reisdocument"><h2 class="utrecht-heading-2" id="kop-reisdocument">{h2}</h2>
<form method="post" action="/gemeente/verklaring/start">{hidden}<input type="hidden" name="kind" value="reisdocument">
<div class="regie-field"><label for="naam-kind">{name2}</label><input type="text" id="naam-kind" name="name" required maxlength="{MAX_NAME}" autocomplete="off"></div>
<button type="submit" class="utrecht-button utrecht-button--primary-action regie-button">{button}</button></form></section>"#,
        intro = lang.t(
            "U geeft toestemming met uw Regie-app. U ondertekent de verklaring met uw gegevens uit de BRP. De gemeente bewaart de ondertekende verklaring.",
            "You give consent with your Regie app. You sign the statement with your data from the BRP. The municipality keeps the signed statement."
        ),
        hidden = hidden_lang(lang),
        h1 = lang.t("Toestemming voor inschrijving op uw adres", "Consent to registration at your address"),
        name1 = lang.t("Naam van wie zich op uw adres inschrijft", "Name of the person registering at your address"),
        date1 = lang.t("Vanaf welke datum", "From which date"),
        h2 = lang.t("Toestemming voor een reisdocument voor uw kind", "Consent to a travel document for your child"),
        name2 = lang.t("Naam van het kind", "Name of the child"),
        button = lang.t("Ondertekenen met Regie", "Sign with Regie"),
    )
}

/// `GET /gemeente/verklaring`.
pub async fn statement_form(State(verifier): State<Shared>, q: Query<LangQuery>) -> Response {
    let lang = Lang::from_query(&q);
    page(
        lang,
        lang.t("Toestemmings\u{ad}verklaring", "Consent statement"),
        "/gemeente/verklaring",
        &party_name(&verifier, MUNICIPALITY),
        &statement_form_html(lang, None),
    )
}

/// Checks what was typed: a name of sensible length without control characters, and for a
/// registration an ISO date.
fn statement_input(
    f: &StartForm,
    lang: Lang,
) -> Result<(StatementKind, String, Option<String>), String> {
    let kind = f
        .kind
        .as_deref()
        .and_then(StatementKind::from_id)
        .ok_or_else(|| {
            lang.t("Kies een soort verklaring.", "Choose a kind of statement.")
                .to_owned()
        })?;
    let name = f.name.as_deref().unwrap_or("").trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(lang
            .t(
                "Vul een naam in van hoogstens 100 tekens.",
                "Enter a name of at most 100 characters.",
            )
            .to_owned());
    }
    let date = match kind {
        StatementKind::TravelDocument => None,
        StatementKind::Registration => {
            let d = f.date.as_deref().unwrap_or("").trim();
            let valid = d.len() == 10
                && d.bytes().enumerate().all(|(i, b)| {
                    if i == 4 || i == 7 {
                        b == b'-'
                    } else {
                        b.is_ascii_digit()
                    }
                })
                && date_text(d, lang) != d;
            if !valid {
                return Err(lang
                    .t("Vul een geldige datum in.", "Enter a valid date.")
                    .to_owned());
            }
            Some(d.to_owned())
        }
    };
    Ok((kind, name, date))
}

/// `POST /gemeente/verklaring/start`.
pub async fn statement_start(State(verifier): State<Shared>, Form(f): Form<StartForm>) -> Response {
    let lang = Lang::from_code(f.lang.as_deref());
    match statement_input(&f, lang) {
        Ok((kind, name, date)) => start(
            &verifier,
            MUNICIPALITY,
            kind.purpose(),
            kind.query(),
            vec![kind.transaction_data(&name, date.as_deref(), lang)],
            BASE,
            lang,
        ),
        Err(message) => (
            StatusCode::BAD_REQUEST,
            page(
                lang,
                lang.t("Toestemmings\u{ad}verklaring", "Consent statement"),
                BASE,
                &party_name(&verifier, MUNICIPALITY),
                &statement_form_html(lang, Some(&message)),
            ),
        )
            .into_response(),
    }
}

/// `GET /gemeente/verklaring/{id}/status`.
pub async fn statement_status(
    State(verifier): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    q: Query<LangQuery>,
) -> Response {
    session_page::status(&verifier, MUNICIPALITY, &id, &headers, Lang::from_query(&q))
}

/// `GET /gemeente/verklaring/{id}`.
pub async fn statement_session(
    State(verifier): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    q: Query<LangQuery>,
) -> Response {
    let lang = Lang::from_query(&q);
    session_page(
        &verifier,
        &SessionPage {
            party_id: MUNICIPALITY,
            base: BASE,
            title: lang.t("Toestemmings\u{ad}verklaring", "Consent statement"),
            lang,
        },
        &id,
        &headers,
        |session, claims| {
            let signer = claims
                .get("brp")
                .and_then(Value::as_object)
                .map(full_name)
                .unwrap_or_default();
            let statements: String = session
                .transaction_data
                .iter()
                .filter_map(|t| t.get("text").and_then(Value::as_str))
                .map(|t| {
                    format!(
                        r#"<blockquote class="utrecht-blockquote">{}</blockquote>"#,
                        esc(t)
                    )
                })
                .collect();
            let signed_at = session
                .answered_at
                .map(|t| unix_date_text(t, lang))
                .unwrap_or_default();
            format!(
                r#"<h2 class="utrecht-heading-2">{heading}</h2>{statements}
<p class="utrecht-paragraph">{by} <strong>{signer}</strong>, {on} {signed_at}.</p>
<p class="utrecht-paragraph"><a class="regie-button" id="download" href="/gemeente/verklaring/{id}/verklaring.json" download>{download}</a></p>
<p class="utrecht-paragraph regie-hint">{hint} <a class="utrecht-link" href="/valideer{q}">{validator}</a>.</p>"#,
                heading = lang.t("Ondertekende verklaring", "Signed statement"),
                by = lang.t("Ondertekend door", "Signed by"),
                signer = esc(&signer),
                on = lang.t("op", "on"),
                download = lang.t("Verklaring downloaden (bestand)", "Download the statement (file)"),
                hint = lang.t(
                    "Het bestand bevat de handtekening van de inwoner. U kunt het later opnieuw laten controleren bij",
                    "The file holds the resident's signature. You can have it checked again later at"
                ),
                validator = lang.t("Document controleren", "Check a document"),
                q = lang.query(),
                id = esc(&id),
            )
        },
    )
}

/// `GET /gemeente/verklaring/{id}/verklaring.json`: the signed statement as a file, for the
/// browser that started the session.
pub async fn statement_download(
    State(verifier): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let file = done_session(&verifier, MUNICIPALITY, &id, &headers).and_then(|s| {
        let party = verifier.registry.by_id(&s.party_id)?;
        StatementFile::from_session(&s, party)
    });
    match file.and_then(|f| serde_json::to_vec_pretty(&f).ok()) {
        Some(bytes) => (
            [
                (header::CONTENT_TYPE, "application/json".to_owned()),
                (header::CACHE_CONTROL, "no-store".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"toestemmingsverklaring-{}.json\"",
                        id.chars()
                            .take(8)
                            .filter(char::is_ascii_alphanumeric)
                            .collect::<String>()
                    ),
                ),
            ],
            bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, Json(json!({"error": "not_found"}))).into_response(),
    }
}
