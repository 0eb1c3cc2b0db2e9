//! The municipality's consent statements: a main occupant consents to a registration at
//! their address, a custodian to a travel document for their child. The citizen signs the
//! statement as transaction data; the signed file can be downloaded and re-verified later.
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::rp::{dcql, party_name, start, StartForm, BRP_VCT};
use super::session_page::{self, done_session, session_page, SessionPage};
use crate::service::Shared;
use crate::statements::StatementFile;
use askama::Template;
use protocol::statements::{parse_entry, Statement, StatementError, TravelDocument};
use regie_web::render::{full_name, unix_date_text};
use regie_web::{page, Lang, LangQuery};

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

    /// The statement the citizen signs: Regie's typed statement, whose sentence the wallet
    /// writes itself from these fields.
    fn statement(self, input: &StatementInput) -> Statement {
        match self {
            StatementKind::Registration => Statement::RegistrationAtAddress {
                address: input.address.clone(),
                new_resident: input.name.clone(),
                date: input.date.clone(),
                case_ref: None,
            },
            StatementKind::TravelDocument => Statement::ChildTravelDocument {
                child: input.name.clone(),
                child_birthdate: None,
                document: input.document,
                case_ref: None,
            },
        }
    }
}

#[derive(Template)]
#[template(path = "statement_form.html")]
struct StatementFormPage<'a> {
    lang: Lang,
    error: Option<&'a str>,
    max: usize,
}

fn form_page(lang: Lang, error: Option<&str>) -> StatementFormPage<'_> {
    StatementFormPage {
        lang,
        error,
        max: MAX_NAME,
    }
}

/// `GET /gemeente/verklaring`.
pub async fn statement_form(State(verifier): State<Shared>, q: Query<LangQuery>) -> Response {
    let lang = Lang::from_query(&q);
    page(
        lang,
        lang.t("Toestemmings\u{ad}verklaring", "Consent statement"),
        "/gemeente/verklaring",
        &party_name(&verifier, MUNICIPALITY),
        &form_page(lang, None),
    )
}

/// What was typed into a statement form, checked.
struct StatementInput {
    name: String,
    address: String,
    date: String,
    document: TravelDocument,
}

/// Checks what was typed: names and addresses of sensible length without control
/// characters, and for a registration an existing date; the statement type checks them again.
fn statement_input(f: &StartForm, lang: Lang) -> Result<(StatementKind, StatementInput), String> {
    let kind = f
        .kind
        .as_deref()
        .and_then(StatementKind::from_id)
        .ok_or_else(|| {
            lang.t("Kies een soort verklaring.", "Choose a kind of statement.")
                .to_owned()
        })?;
    let text = |value: &Option<String>| {
        let v = value.as_deref().unwrap_or("").trim().to_owned();
        let fits =
            !v.is_empty() && v.chars().count() <= MAX_NAME && !v.chars().any(char::is_control);
        fits.then_some(v)
    };
    let name = text(&f.name).ok_or_else(|| {
        lang.t(
            "Vul een naam in van hoogstens 100 tekens.",
            "Enter a name of at most 100 characters.",
        )
        .to_owned()
    })?;
    let mut input = StatementInput {
        name,
        address: String::new(),
        date: String::new(),
        document: TravelDocument::Passport,
    };
    match kind {
        StatementKind::TravelDocument => {
            input.document = f
                .document
                .as_deref()
                .and_then(TravelDocument::from_id)
                .ok_or_else(|| {
                    lang.t("Kies een reisdocument.", "Choose a travel document.")
                        .to_owned()
                })?;
        }
        StatementKind::Registration => {
            input.address = text(&f.address).ok_or_else(|| {
                lang.t(
                    "Vul het adres in (hoogstens 100 tekens).",
                    "Enter the address (at most 100 characters).",
                )
                .to_owned()
            })?;
            input.date = f.date.as_deref().unwrap_or("").trim().to_owned();
        }
    }
    // The statement type has the last word on every field (a date that exists, no
    // direction-changing characters): what it refuses, the form refuses.
    if let Err(e) = parse_entry(&kind.statement(&input).to_entry(&["brp"])) {
        return Err(match e {
            StatementError::InvalidField("date") | StatementError::MissingField("date") => lang
                .t("Vul een geldige datum in.", "Enter a valid date.")
                .to_owned(),
            _ => lang
                .t(
                    "Deze tekens kunnen niet in een verklaring.",
                    "These characters cannot be used in a statement.",
                )
                .to_owned(),
        });
    }
    Ok((kind, input))
}

/// `POST /gemeente/verklaring/start`.
pub async fn statement_start(State(verifier): State<Shared>, Form(f): Form<StartForm>) -> Response {
    let lang = Lang::from_code(f.lang.as_deref());
    match statement_input(&f, lang) {
        Ok((kind, input)) => {
            start(
                &verifier,
                MUNICIPALITY,
                kind.purpose(),
                kind.query(),
                vec![kind.statement(&input).to_entry(&["brp"])],
                BASE,
                lang,
            )
            .await
        }
        Err(message) => (
            StatusCode::BAD_REQUEST,
            page(
                lang,
                lang.t("Toestemmings\u{ad}verklaring", "Consent statement"),
                BASE,
                &party_name(&verifier, MUNICIPALITY),
                &form_page(lang, Some(&message)),
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
    session_page::status(&verifier, MUNICIPALITY, &id, &headers, Lang::from_query(&q)).await
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
            Some(SignedStatement {
                lang,
                sentences: session
                    .transaction_data
                    .iter()
                    .filter_map(|t| parse_entry(t).ok())
                    .map(|t| t.statement.sentence(lang.protocol()))
                    .collect(),
                signer: claims
                    .get("brp")
                    .and_then(Value::as_object)
                    .map(full_name)
                    .unwrap_or_default(),
                signed_at: session
                    .answered_at
                    .map(|t| unix_date_text(t, lang))
                    .unwrap_or_default(),
                id: id.clone(),
            })
        },
    )
    .await
}

/// A finished session's statement: what was signed, by whom, when, and the file.
#[derive(Template)]
#[template(path = "statement_done.html")]
struct SignedStatement {
    lang: Lang,
    sentences: Vec<String>,
    signer: String,
    signed_at: String,
    id: String,
}

/// `GET /gemeente/verklaring/{id}/verklaring.json`: the signed statement as a file, for the
/// browser that started the session.
pub async fn statement_download(
    State(verifier): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let file = done_session(&verifier, MUNICIPALITY, &id, &headers)
        .await
        .and_then(|s| {
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
