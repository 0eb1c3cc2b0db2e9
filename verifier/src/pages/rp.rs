//! The demo relying parties' pages: a housing corporation's co-tenancy application, a
//! notary's identification, and the municipality's consent statements. Each starts a
//! session through the same code as the session API, shows the QR code and the
//! same-device link, follows the status, and shows what was verified.
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::answer::{housing_answer, HousingAnswer};
use crate::api::{link, start_session, CreateSession};
use crate::service::{no_store, Shared};
use crate::sessions::{Session, SessionStatus};
use crate::statements::StatementFile;
use regie_web::render::{address_line, attributes_table, date_text, full_name, unix_date_text};
use regie_web::{esc, page, Lang, LangQuery};

const HOUSING: &str = "woonstichting";
const NOTARY: &str = "notaris";
const MUNICIPALITY: &str = "gemeente";
const BRP_VCT: &str = "urn:regie:uittreksel-brp:1";
const HISTORY_VCT: &str = "urn:regie:woonhistorie:1";
/// Longest name typed into a statement form.
const MAX_NAME: usize = 100;

fn dcql(id: &str, vct: &str, paths: &[&[Option<&str>]]) -> Value {
    let claims: Vec<Value> = paths.iter().map(|p| json!({ "path": p })).collect();
    json!({"credentials": [{"id": id, "format": "dc+sd-jwt",
        "meta": {"vct_values": [vct]}, "claims": claims}]})
}

fn housing_query() -> Value {
    dcql(
        "woonhistorie",
        HISTORY_VCT,
        &[
            &[Some("given_name")],
            &[Some("family_name")],
            &[Some("birthdate")],
            &[Some("addresses"), None],
        ],
    )
}

fn notary_query() -> Value {
    dcql(
        "brp",
        BRP_VCT,
        &[
            &[Some("given_name")],
            &[Some("family_name")],
            &[Some("birthdate")],
            &[Some("place_of_birth")],
            &[Some("bsn")],
            &[Some("address")],
        ],
    )
}

fn party_name(verifier: &Shared, id: &str) -> String {
    verifier
        .registry
        .by_id(id)
        .map(|p| p.registration.legal_name.clone())
        .unwrap_or_else(|| id.to_owned())
}

fn not_found(lang: Lang) -> Response {
    let body = format!(
        r#"<p class="utrecht-paragraph">{}</p><p class="utrecht-paragraph"><a class="utrecht-link" href="/{}">{}</a></p>"#,
        lang.t(
            "Deze aanvraag bestaat niet (meer).",
            "This request does not exist (any more)."
        ),
        lang.query(),
        lang.t("Naar het overzicht", "To the overview")
    );
    (
        StatusCode::NOT_FOUND,
        page(
            lang,
            lang.t("Niet gevonden", "Not found"),
            "/",
            "Regie",
            &body,
        ),
    )
        .into_response()
}

/// `GET /`: the demo's relying parties and the validator.
pub async fn index(q: Query<LangQuery>) -> Response {
    let lang = Lang::from_query(&q);
    let card = |href: &str, title: &str, text: &str| {
        format!(
            r#"<li><h2 class="utrecht-heading-2"><a class="utrecht-link" href="{href}{q}">{title}</a></h2><p class="utrecht-paragraph">{text}</p></li>"#,
            q = lang.query(),
            title = esc(title),
            text = esc(text)
        )
    };
    let body = format!(
        r#"<p class="utrecht-paragraph">{intro}</p><ul class="regie-cards">{a}{b}{c}{d}</ul>"#,
        intro = lang.t(
            "Organisaties vragen hier gegevens op uit de Regie-app van een inwoner. De inwoner ziet wie wat vraagt en waarom, en beslist zelf.",
            "Organisations ask for data from a resident's Regie app here. The resident sees who asks for what and why, and decides."
        ),
        a = card(
            "/woonstichting",
            lang.t("Woonstichting: aanvraag medehuur", "Housing corporation: co-tenancy application"),
            lang.t("Controleer hoe lang iemand op het adres woont.", "Check how long someone has lived at the address.")
        ),
        b = card(
            "/notaris",
            lang.t("Notaris: identificatie bij een akte", "Notary: identification for a deed"),
            lang.t("Controleer naam, geboortedatum en -plaats, BSN en adres.", "Check name, date and place of birth, BSN and address.")
        ),
        c = card(
            "/gemeente/verklaring",
            lang.t("Gemeente: toestemmingsverklaring", "Municipality: consent statement"),
            lang.t("Laat een hoofdbewoner of gezaghouder digitaal toestemming geven.", "Let a main occupant or custodian give consent digitally.")
        ),
        d = card(
            "/valideer",
            lang.t("Document controleren", "Check a document"),
            lang.t("Controleer een uittreksel met QR-code of een toestemmingsverklaring.", "Check an extract with a QR code or a consent statement.")
        ),
    );
    page(
        lang,
        lang.t("Gegevens opvragen met Regie", "Asking for data with Regie"),
        "/",
        "Regie",
        &body,
    )
}

/// `GET /demo/status/{id}`: only the status, for the pages' live update.
pub async fn demo_status(
    State(verifier): State<Shared>,
    Path(id): Path<String>,
    q: Query<LangQuery>,
) -> Response {
    let lang = Lang::from_query(&q);
    match verifier.sessions.get(&id) {
        Ok(s) => {
            let status = s.status_at(verifier.clock.now());
            no_store(Json(json!({
                "status": status,
                "status_text": status_text(status, lang),
            })))
        }
        Err(_) => (StatusCode::NOT_FOUND, Json(json!({"error": "not_found"}))).into_response(),
    }
}

fn status_text(status: SessionStatus, lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => status.dutch(),
        Lang::En => status.english(),
    }
}

#[derive(Deserialize)]
pub struct StartForm {
    lang: Option<String>,
    kind: Option<String>,
    name: Option<String>,
    date: Option<String>,
}

fn start(
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
    match start_session(verifier, party, request) {
        Ok(session) => {
            Redirect::to(&format!("{base}/{}{}", session.id, lang.query())).into_response()
        }
        Err(r) => r,
    }
}

fn hidden_lang(lang: Lang) -> String {
    format!(
        r#"<input type="hidden" name="lang" value="{}">"#,
        lang.code()
    )
}

fn purpose_block(verifier: &Shared, party_id: &str, purpose_id: &str, lang: Lang) -> String {
    let Some(party) = verifier.registry.by_id(party_id) else {
        return String::new();
    };
    let Some(purpose) = party.registration.purpose(purpose_id) else {
        return String::new();
    };
    let pick = |l: &protocol::trust::Localized| match lang {
        Lang::Nl => l.nl.clone(),
        Lang::En => l.en.clone(),
    };
    format!(
        r#"<p class="utrecht-paragraph">{}</p><p class="utrecht-paragraph regie-hint">{}</p>"#,
        esc(&pick(&purpose.description)),
        esc(&pick(&purpose.retention))
    )
}

/// `GET /woonstichting`.
pub async fn housing_form(State(verifier): State<Shared>, q: Query<LangQuery>) -> Response {
    let lang = Lang::from_query(&q);
    let body = format!(
        r#"{purpose}<form method="post" action="/woonstichting/start">{hidden}
<button type="submit" class="utrecht-button utrecht-button--primary-action regie-button">{button}</button></form>"#,
        purpose = purpose_block(&verifier, HOUSING, "aanvraag-medehuur", lang),
        hidden = hidden_lang(lang),
        button = lang.t(
            "Woonhistorie opvragen met Regie",
            "Ask for the address history with Regie"
        ),
    );
    page(
        lang,
        lang.t("Aanvraag medehuur", "Co-tenancy application"),
        "/woonstichting",
        &party_name(&verifier, HOUSING),
        &body,
    )
}

/// `POST /woonstichting/start`.
pub async fn housing_start(State(verifier): State<Shared>, Form(f): Form<StartForm>) -> Response {
    let lang = Lang::from_code(f.lang.as_deref());
    start(
        &verifier,
        HOUSING,
        "aanvraag-medehuur",
        housing_query(),
        Vec::new(),
        "/woonstichting",
        lang,
    )
}

/// `GET /woonstichting/{id}`.
pub async fn housing_session(
    State(verifier): State<Shared>,
    Path(id): Path<String>,
    q: Query<LangQuery>,
) -> Response {
    let lang = Lang::from_query(&q);
    let today = protocol::dates::iso_date(verifier.clock.now());
    session_page(
        &verifier,
        &SessionPage {
            party_id: HOUSING,
            base: "/woonstichting",
            title: lang.t("Aanvraag medehuur", "Co-tenancy application"),
            lang,
        },
        &id,
        |claims| {
            let Some(history) = claims.get("woonhistorie").and_then(Value::as_object) else {
                return String::new();
            };
            let answer = housing_answer(history, &today);
            format!(
                "{}{}",
                answer_html(&answer, lang),
                history_html(history, lang)
            )
        },
    )
}

fn answer_html(answer: &HousingAnswer, lang: Lang) -> String {
    let text = match answer {
        HousingAnswer::Since { date, long_enough } => format!(
            "{} {} {}: {}",
            lang.t("Woont sinds", "Has lived at this address since"),
            date_text(date, lang),
            lang.t("op dit adres", ""),
            if *long_enough {
                lang.t("ja, langer dan 2 jaar", "yes, longer than 2 years")
            } else {
                lang.t("nee, korter dan 2 jaar", "no, less than 2 years")
            }
        )
        .replace("  ", " ")
        .replace(" :", ":"),
        HousingAnswer::Unknown => lang
            .t(
                "Uit de woonhistorie blijkt geen huidig adres met een begindatum.",
                "The address history shows no current address with a start date.",
            )
            .to_owned(),
    };
    let state = match answer {
        HousingAnswer::Since {
            long_enough: true, ..
        } => "done",
        _ => "failed",
    };
    format!(
        r#"<h2 class="utrecht-heading-2">{}</h2><p class="regie-status" data-status="{state}" id="antwoord">{}</p>"#,
        lang.t("Uitkomst", "Outcome"),
        esc(&text)
    )
}

fn history_html(history: &Map<String, Value>, lang: Lang) -> String {
    let mut person = Map::new();
    for key in ["given_name", "name_prefix", "family_name", "birthdate"] {
        if let Some(v) = history.get(key) {
            person.insert(key.into(), v.clone());
        }
    }
    let rows: String = history
        .get("addresses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(|a| {
            let d = |k: &str| {
                a.get(k)
                    .and_then(Value::as_str)
                    .map(|s| date_text(s, lang))
                    .unwrap_or_else(|| "—".into())
            };
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&address_line(a)),
                esc(&d("date_from")),
                esc(&d("date_to"))
            )
        })
        .collect();
    format!(
        r#"{person}<table class="regie-data"><caption class="utrecht-table__caption">{caption}</caption>
<thead><tr><th scope="col">{addr}</th><th scope="col">{from}</th><th scope="col">{to}</th></tr></thead><tbody>{rows}</tbody></table>"#,
        person = attributes_table(&person, lang, lang.t("Persoon", "Person")),
        caption = lang.t("Woonhistorie", "Address history"),
        addr = lang.t("Adres", "Address"),
        from = lang.t("Vanaf", "From"),
        to = lang.t("Tot", "Until"),
    )
}

/// `GET /notaris`.
pub async fn notary_form(State(verifier): State<Shared>, q: Query<LangQuery>) -> Response {
    let lang = Lang::from_query(&q);
    let body = format!(
        r#"{purpose}<form method="post" action="/notaris/start">{hidden}
<button type="submit" class="utrecht-button utrecht-button--primary-action regie-button">{button}</button></form>"#,
        purpose = purpose_block(&verifier, NOTARY, "identificatie-bij-akte", lang),
        hidden = hidden_lang(lang),
        button = lang.t("Identificeren met Regie", "Identify with Regie"),
    );
    page(
        lang,
        lang.t("Identificatie bij een akte", "Identification for a deed"),
        "/notaris",
        &party_name(&verifier, NOTARY),
        &body,
    )
}

/// `POST /notaris/start`.
pub async fn notary_start(State(verifier): State<Shared>, Form(f): Form<StartForm>) -> Response {
    let lang = Lang::from_code(f.lang.as_deref());
    start(
        &verifier,
        NOTARY,
        "identificatie-bij-akte",
        notary_query(),
        Vec::new(),
        "/notaris",
        lang,
    )
}

/// `GET /notaris/{id}`.
pub async fn notary_session(
    State(verifier): State<Shared>,
    Path(id): Path<String>,
    q: Query<LangQuery>,
) -> Response {
    let lang = Lang::from_query(&q);
    session_page(
        &verifier,
        &SessionPage {
            party_id: NOTARY,
            base: "/notaris",
            title: lang.t("Identificatie bij een akte", "Identification for a deed"),
            lang,
        },
        &id,
        |claims| {
            let Some(brp) = claims.get("brp").and_then(Value::as_object) else {
                return String::new();
            };
            attributes_table(
                brp,
                lang,
                lang.t("Gecontroleerde gegevens", "Verified data"),
            )
        },
    )
}

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
        lang.t("Toestemmingsverklaring", "Consent statement"),
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
            "/gemeente/verklaring",
            lang,
        ),
        Err(message) => (
            StatusCode::BAD_REQUEST,
            page(
                lang,
                lang.t("Toestemmingsverklaring", "Consent statement"),
                "/gemeente/verklaring",
                &party_name(&verifier, MUNICIPALITY),
                &statement_form_html(lang, Some(&message)),
            ),
        )
            .into_response(),
    }
}

/// `GET /gemeente/verklaring/{id}`.
pub async fn statement_session(
    State(verifier): State<Shared>,
    Path(id): Path<String>,
    q: Query<LangQuery>,
) -> Response {
    let lang = Lang::from_query(&q);
    let session = verifier.sessions.get(&id).ok();
    session_page(
        &verifier,
        &SessionPage {
            party_id: MUNICIPALITY,
            base: "/gemeente/verklaring",
            title: lang.t("Toestemmingsverklaring", "Consent statement"),
            lang,
        },
        &id,
        |claims| {
            let signer = claims
                .get("brp")
                .and_then(Value::as_object)
                .map(full_name)
                .unwrap_or_default();
            let statements: String = session
                .iter()
                .flat_map(|s| s.transaction_data.iter())
                .filter_map(|t| t.get("text").and_then(Value::as_str))
                .map(|t| {
                    format!(
                        r#"<blockquote class="utrecht-blockquote">{}</blockquote>"#,
                        esc(t)
                    )
                })
                .collect();
            let signed_at = session
                .as_ref()
                .and_then(|s| s.answered_at)
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

/// `GET /gemeente/verklaring/{id}/verklaring.json`: the signed statement as a file.
pub async fn statement_download(
    State(verifier): State<Shared>,
    Path(id): Path<String>,
) -> Response {
    let file = verifier.sessions.get(&id).ok().and_then(|s| {
        let party = verifier.registry.by_id(&s.party_id)?;
        (s.party_id == MUNICIPALITY && s.status == SessionStatus::Done)
            .then(|| StatementFile::from_session(&s, party))
            .flatten()
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

struct SessionPage<'a> {
    party_id: &'a str,
    base: &'a str,
    title: &'a str,
    lang: Lang,
}

/// The page of one session: while open the QR code, the link and a live status; when done
/// what `done` renders from the verified claims; otherwise what happened and a way to start
/// again.
fn session_page(
    verifier: &Shared,
    p: &SessionPage<'_>,
    id: &str,
    done: impl FnOnce(&Map<String, Value>) -> String,
) -> Response {
    let lang = p.lang;
    let session: Session = match verifier.sessions.get(id) {
        Ok(s) if s.party_id == p.party_id => s,
        _ => return not_found(lang),
    };
    let Some(party) = verifier.registry.by_id(p.party_id) else {
        return not_found(lang);
    };
    let status = session.status_at(verifier.clock.now());
    let again = format!(
        r#"<p class="utrecht-paragraph"><a class="utrecht-link" href="{}{}">{}</a></p>"#,
        p.base,
        lang.query(),
        lang.t("Opnieuw beginnen", "Start again")
    );
    let status_line = format!(
        r#"<p class="regie-status" id="status" role="status" aria-live="polite" data-status="{code}" data-poll="/demo/status/{id}{q}">{text}</p>"#,
        code = serde_json::to_value(status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        id = esc(id),
        q = lang.query(),
        text = status_text(status, lang),
    );
    let body = match status {
        SessionStatus::Pending | SessionStatus::Retrieved => {
            let link = link(verifier, party, id);
            format!(
                r#"<div class="regie-steps">
<div><h2 class="utrecht-heading-2">{scan}</h2><p class="utrecht-paragraph">{scan_text}</p>
<img class="regie-qr" src="/api/sessions/{id}/qr.svg" alt="{alt}" width="288" height="288"></div>
<div><h2 class="utrecht-heading-2">{same}</h2><p class="utrecht-paragraph">{same_text}</p>
<p class="utrecht-paragraph"><a class="regie-button" id="same-device" href="{link}">{open}</a></p>
<h2 class="utrecht-heading-2">{state}</h2>{status_line}
<noscript><p class="utrecht-paragraph"><a class="utrecht-link" href="{base}/{id}{q}">{refresh}</a></p></noscript></div>
</div>"#,
                scan = lang.t("Scan met uw Regie-app", "Scan with your Regie app"),
                scan_text = lang.t(
                    "Open de Regie-app op uw telefoon en scan deze QR-code. U ziet dan wie wat vraagt en waarom.",
                    "Open the Regie app on your phone and scan this QR code. You will see who asks for what and why."
                ),
                alt = lang.t(
                    "QR-code om te scannen met de Regie-app",
                    "QR code to scan with the Regie app"
                ),
                same = lang.t("Op dit apparaat", "On this device"),
                same_text = lang.t(
                    "Heeft u de Regie-app op dit apparaat? Open dan de app met deze knop.",
                    "Is the Regie app on this device? Then open the app with this button."
                ),
                open = lang.t("Open de Regie-app", "Open the Regie app"),
                state = lang.t("Status", "Status"),
                refresh = lang.t("Status vernieuwen", "Refresh the status"),
                link = esc(&link),
                id = esc(id),
                base = p.base,
                q = lang.query(),
            )
        }
        SessionStatus::Done => {
            let claims = session
                .claims
                .as_ref()
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            format!(
                r#"{status_line}<p class="utrecht-paragraph">{checked}</p>{}{again}"#,
                done(&claims),
                checked = lang.t(
                    "De handtekening van de gemeente, de sleutel van de inwoner en de intrekkingslijst zijn gecontroleerd.",
                    "The municipality's signature, the resident's key and the revocation list have been checked."
                ),
            )
        }
        SessionStatus::Denied => format!(
            r#"{status_line}<p class="utrecht-paragraph">{}</p>{again}"#,
            lang.t(
                "De inwoner heeft het verzoek geweigerd. Er zijn geen gegevens gedeeld.",
                "The resident declined the request. No data was shared."
            )
        ),
        SessionStatus::Failed => format!(
            r#"{status_line}<p class="utrecht-paragraph">{}</p><p class="utrecht-paragraph regie-hint">{}</p>{again}"#,
            lang.t(
                "De gegevens konden niet worden gecontroleerd. Wij hebben niets opgeslagen.",
                "The data could not be verified. Nothing was stored."
            ),
            esc(session.reason.as_deref().unwrap_or(""))
        ),
        SessionStatus::Expired => format!(
            r#"{status_line}<p class="utrecht-paragraph">{}</p>{again}"#,
            lang.t(
                "De tijd om te antwoorden is voorbij.",
                "The time to answer has passed."
            )
        ),
    };
    page(
        lang,
        p.title,
        &format!("{}/{}", p.base, id),
        &party.registration.legal_name,
        &body,
    )
}
