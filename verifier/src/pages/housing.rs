//! The housing corporation's co-tenancy application: the address history, and the computed
//! answer "woont sinds … op dit adres: ja, langer dan 2 jaar".
use axum::extract::{Form, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Map, Value};

use super::answer::{housing_answer, HousingAnswer};
use super::rp::{dcql, party_form, party_name, start, StartForm, HISTORY_VCT};
use super::session_page::{self, session_page, SessionPage};
use crate::service::Shared;
use askama::Template;
use regie_web::render::{address_line, attributes_table, date_text, AttributesTable};
use regie_web::{page, Lang, LangQuery};

const HOUSING: &str = "woonstichting";
const BASE: &str = "/woonstichting";

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

/// `GET /woonstichting`.
pub async fn housing_form(State(verifier): State<Shared>, q: Query<LangQuery>) -> Response {
    let lang = Lang::from_query(&q);
    let body = party_form(
        &verifier,
        HOUSING,
        "aanvraag-medehuur",
        "/woonstichting/start",
        lang.t(
            "Woonhistorie opvragen met Regie",
            "Ask for the address history with Regie",
        ),
        lang,
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
        BASE,
        lang,
    )
    .await
}

/// `GET /woonstichting/{id}/status`.
pub async fn housing_status(
    State(verifier): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    q: Query<LangQuery>,
) -> Response {
    session_page::status(&verifier, HOUSING, &id, &headers, Lang::from_query(&q)).await
}

/// `GET /woonstichting/{id}`.
pub async fn housing_session(
    State(verifier): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    q: Query<LangQuery>,
) -> Response {
    let lang = Lang::from_query(&q);
    let today = protocol::dates::iso_date(verifier.clock.now());
    session_page(
        &verifier,
        &SessionPage {
            party_id: HOUSING,
            base: BASE,
            title: lang.t("Aanvraag medehuur", "Co-tenancy application"),
            lang,
        },
        &id,
        &headers,
        |_, claims| {
            let history = claims.get("woonhistorie").and_then(Value::as_object)?;
            Some(housing_result(history, &today, lang))
        },
    )
    .await
}

/// The computed answer, the person and their address history.
#[derive(Template)]
#[template(path = "housing_done.html")]
struct HousingResult {
    lang: Lang,
    state: &'static str,
    answer: String,
    person: AttributesTable,
    /// Each address with its period, as text.
    rows: Vec<(String, String, String)>,
}

fn answer_text(answer: &HousingAnswer, lang: Lang) -> String {
    match answer {
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
    }
}

fn housing_result(history: &Map<String, Value>, today: &str, lang: Lang) -> HousingResult {
    let answer = housing_answer(history, today);
    let state = match answer {
        HousingAnswer::Since {
            long_enough: true, ..
        } => "done",
        _ => "failed",
    };
    let mut person = Map::new();
    for key in ["given_name", "name_prefix", "family_name", "birthdate"] {
        if let Some(v) = history.get(key) {
            person.insert(key.into(), v.clone());
        }
    }
    let rows = history
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
            (address_line(a), d("date_from"), d("date_to"))
        })
        .collect();
    HousingResult {
        lang,
        state,
        answer: answer_text(&answer, lang),
        person: attributes_table(&person, lang, lang.t("Persoon", "Person")),
        rows,
    }
}
