//! The housing corporation's co-tenancy application: the address history, and the computed
//! answer "woont sinds … op dit adres: ja, langer dan 2 jaar".
use axum::extract::{Form, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Map, Value};

use super::answer::{housing_answer, HousingAnswer};
use super::rp::{dcql, hidden_lang, party_name, purpose_block, start, StartForm, HISTORY_VCT};
use super::session_page::{self, session_page, SessionPage};
use crate::service::Shared;
use regie_web::render::{address_line, attributes_table, date_text};
use regie_web::{esc, page, Lang, LangQuery};

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
        BASE,
        lang,
    )
}

/// `GET /woonstichting/{id}/status`.
pub async fn housing_status(
    State(verifier): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    q: Query<LangQuery>,
) -> Response {
    session_page::status(&verifier, HOUSING, &id, &headers, Lang::from_query(&q))
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
