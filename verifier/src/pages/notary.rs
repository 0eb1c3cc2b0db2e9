//! The notary's identification for a deed: name, date and place of birth, BSN and address.
use axum::extract::{Form, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::Value;

use super::rp::{dcql, party_form, party_name, start, StartForm, BRP_VCT};
use super::session_page::{self, session_page, SessionPage};
use crate::service::Shared;
use regie_web::render::attributes_table;
use regie_web::{page, Lang, LangQuery};

const NOTARY: &str = "notaris";
const BASE: &str = "/notaris";

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

/// `GET /notaris`.
pub async fn notary_form(State(verifier): State<Shared>, q: Query<LangQuery>) -> Response {
    let lang = Lang::from_query(&q);
    let body = party_form(
        &verifier,
        NOTARY,
        "identificatie-bij-akte",
        "/notaris/start",
        lang.t("Identificeren met Regie", "Identify with Regie"),
        lang,
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
        BASE,
        lang,
    )
    .await
}

/// `GET /notaris/{id}/status`.
pub async fn notary_status(
    State(verifier): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    q: Query<LangQuery>,
) -> Response {
    session_page::status(&verifier, NOTARY, &id, &headers, Lang::from_query(&q)).await
}

/// `GET /notaris/{id}`.
pub async fn notary_session(
    State(verifier): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    q: Query<LangQuery>,
) -> Response {
    let lang = Lang::from_query(&q);
    session_page(
        &verifier,
        &SessionPage {
            party_id: NOTARY,
            base: BASE,
            title: lang.t("Identificatie bij een akte", "Identification for a deed"),
            lang,
        },
        &id,
        &headers,
        |_, claims| {
            let brp = claims.get("brp").and_then(Value::as_object)?;
            Some(attributes_table(
                brp,
                lang,
                lang.t("Gecontroleerde gegevens", "Verified data"),
            ))
        },
    )
    .await
}
