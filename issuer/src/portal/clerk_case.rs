//! One case at the clerk's desk: who must consent and who did, recording the custodian at
//! the desk, the printable consent link for the other one, the signed statement files to
//! download, and a statement file handed in to add.
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use regie_web::render::unix_date_text;
use regie_web::{esc, Lang};
use serde::Deserialize;
use serde_json::Value;

use super::case_view::{
    case_problem, document_text, poll_answer, progress, statement_block, status_line, unavailable,
    PollQuery,
};
use super::clerk::is_clerk;
use super::{hidden_lang, portal_page, problem, SharedPortal};
use crate::cases::{Case, CaseError, CaseKind, CaseState, PersonRef};
use crate::person::Bsn;

fn to_desk(lang: Lang) -> Response {
    Redirect::to(&format!("/balie{}", lang.query())).into_response()
}

async fn clerk_case(
    portal: &SharedPortal,
    headers: &HeaderMap,
    case_ref: &str,
) -> Result<Case, Option<CaseError>> {
    if !is_clerk(portal, headers) {
        return Err(None);
    }
    let cases = portal.cases.as_ref().ok_or(Some(CaseError::NotFound))?;
    cases.refresh(case_ref).await.map_err(Some)
}

fn custodian_rows(
    case: &Case,
    custodians: &[PersonRef],
    at_desk: Option<&str>,
    open: bool,
    lang: Lang,
) -> String {
    custodians
        .iter()
        .map(|c| {
            let consent = case.consents.iter().find(|k| k.by.bsn == c.bsn);
            let (state, action) = match (consent, at_desk == Some(c.bsn.as_str())) {
                (Some(k), _) => (
                    format!(
                        "{} {}",
                        lang.t("toestemming gegeven op", "consented on"),
                        unix_date_text(k.at, lang)
                    ),
                    String::new(),
                ),
                (None, true) => (lang.t("aan de balie", "at the desk").to_owned(), String::new()),
                (None, false) => (
                    lang.t("wacht op toestemming", "waiting for consent").to_owned(),
                    if open && at_desk.is_none() {
                        format!(
                            r#"<form method="post" action="/balie/zaak/{r}/aan-de-balie">{hidden}<input type="hidden" name="bsn" value="{bsn}"><button type="submit" class="utrecht-button regie-button regie-button--secondary">{label}</button></form>"#,
                            r = esc(&case.case_ref),
                            hidden = hidden_lang(lang),
                            bsn = esc(&c.bsn),
                            label = lang.t("Is aan de balie", "Is at the desk"),
                        )
                    } else {
                        String::new()
                    },
                ),
            };
            format!(
                r#"<tr><td data-label="{n_l}">{name}</td><td data-label="{b_l}">{bsn}</td><td data-label="{s_l}">{state}</td><td data-label="{a_l}">{action}</td></tr>"#,
                name = esc(&c.name),
                bsn = esc(&c.bsn),
                state = esc(&state),
                n_l = lang.t("Gezaghouder", "Custodian"),
                b_l = "BSN",
                s_l = lang.t("Stand", "State"),
                a_l = lang.t("Actie", "Action"),
            )
        })
        .collect()
}

/// `GET /balie/zaak/{ref}`.
pub async fn page(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Path(case_ref): Path<String>,
    q: Query<regie_web::LangQuery>,
) -> Response {
    let lang = Lang::from_query(&q);
    let case = match clerk_case(&portal, &headers, &case_ref).await {
        Ok(c) => c,
        Err(None) => return to_desk(lang),
        Err(Some(e)) => return case_problem(&e, lang),
    };
    let now = portal.issuer.clock.now();
    let poll = format!("/balie/zaak/{}/status{}", case.case_ref, lang.query());
    let mut body = format!(
        r#"<p class="utrecht-paragraph">{case_l} <strong id="zaaknummer">{r}</strong> · {about}</p>{status}{statement}"#,
        case_l = lang.t("Aanvraag", "Application"),
        r = esc(&case.case_ref),
        about = esc(&about(&case, lang)),
        status = status_line(&case, now, &poll, lang),
        statement = statement_block(&case, lang),
    );
    if let CaseKind::TravelDocument {
        custodians,
        at_desk,
        ..
    } = &case.kind
    {
        body.push_str(&format!(
            r#"<div class="regie-table-wrap"><table class="utrecht-table regie-data regie-data--stack" id="gezaghouders"><caption>{cap}</caption><thead><tr><th scope="col">{a}</th><th scope="col">BSN</th><th scope="col">{c}</th><th scope="col">{d}</th></tr></thead><tbody>{rows}</tbody></table></div>"#,
            cap = lang.t(
                "Gezaghouders volgens de BRP, en hun toestemming",
                "Custodians according to the BRP, and their consent"
            ),
            a = lang.t("Gezaghouder", "Custodian"),
            c = lang.t("Stand", "State"),
            d = lang.t("Actie", "Action"),
            rows = custodian_rows(
                &case,
                custodians,
                at_desk.as_deref(),
                case.state(now) == CaseState::Waiting,
                lang
            ),
        ));
        if case.state(now) == CaseState::Waiting && !case.custodians_awaited().is_empty() {
            body.push_str(&printable_link(&portal, &case, lang));
        }
    }
    if case.state(now) == CaseState::Complete {
        body.push_str(&format!(
            r#"<div class="regie-status" data-status="done" role="status" id="compleet">{}</div>"#,
            lang.t(
                "Alle toestemming is binnen. U kunt de aanvraag verder behandelen.",
                "All consent is in. You can continue handling the application."
            )
        ));
    }
    body.push_str(&progress(&case, lang));
    body.push_str(&statements_list(&case, lang));
    if case.state(now) == CaseState::Waiting {
        body.push_str(&format!(
            r#"<h2 class="utrecht-heading-2">{h}</h2><form method="post" action="/balie/zaak/{r}/verklaring" enctype="multipart/form-data">{hidden}
<div class="regie-field"><label for="verklaring-bestand">{l}</label><p class="regie-hint" id="verklaring-hint">{hint}</p><input type="file" id="verklaring-bestand" name="verklaring" accept="application/json,.json" required aria-describedby="verklaring-hint"></div>
<button type="submit" class="utrecht-button regie-button regie-button--secondary">{b}</button></form>"#,
            h = lang.t("Verklaring toevoegen", "Add a statement"),
            r = esc(&case.case_ref),
            hidden = hidden_lang(lang),
            l = lang.t("Toestemmingsverklaring (bestand)", "Consent statement (file)"),
            hint = lang.t(
                "Een verklaring die met de Regie-app is ondertekend. Die wordt eerst gecontroleerd.",
                "A statement signed with the Regie app. It is checked first."
            ),
            b = lang.t("Controleren en toevoegen", "Check and add"),
        ));
    }
    body.push_str(&format!(
        r#"<p class="utrecht-paragraph"><a class="utrecht-link" href="/balie{q}">{}</a></p>"#,
        lang.t("Terug naar de balie", "Back to the desk"),
        q = lang.query(),
    ));
    portal_page(lang, lang.t("Aanvraag", "Application"), "/balie", &body)
}

fn about(case: &Case, lang: Lang) -> String {
    match &case.kind {
        CaseKind::TravelDocument {
            child,
            document,
            child_birthdate,
            ..
        } => format!(
            "{} {} {} ({}BSN {})",
            document_text(document, lang),
            lang.t("voor", "for"),
            child.name,
            child_birthdate
                .as_deref()
                .map(|d| format!(
                    "{} {}, ",
                    lang.t("geboren", "born"),
                    regie_web::render::date_text(d, lang)
                ))
                .unwrap_or_default(),
            child.bsn
        ),
        CaseKind::Move {
            applicant,
            to,
            date,
            ..
        } => format!(
            "{} {} {} {} {}",
            applicant.name,
            lang.t("naar", "to"),
            to.line(),
            lang.t("per", "from"),
            regie_web::render::date_text(date, lang)
        ),
    }
}

fn printable_link(portal: &SharedPortal, case: &Case, lang: Lang) -> String {
    let url = super::moving::share_url(portal, case);
    let qr = regie_web::qr::svg(
        &url,
        lang.t(
            "QR-code met de link, te scannen met de camera van de telefoon",
            "QR code with the link, to scan with the phone's camera",
        ),
    )
    .unwrap_or_default();
    format!(
        r#"<section class="regie-print" aria-labelledby="printlink-h"><h2 class="utrecht-heading-2" id="printlink-h">{h}</h2><p class="utrecht-paragraph">{text}</p><p class="utrecht-paragraph"><a class="utrecht-link regie-url" id="toestemming-link" href="{url}">{url}</a></p><div class="regie-qr">{qr}</div>
<p class="utrecht-paragraph"><button type="button" class="utrecht-button regie-button regie-button--secondary" onclick="window.print()">{print}</button></p></section>"#,
        h = lang.t("Link voor de andere gezaghouder", "Link for the other custodian"),
        text = lang.t(
            "Geef deze link mee. De andere gezaghouder opent hem op de telefoon en geeft toestemming met de Regie-app.",
            "Hand over this link. The other custodian opens it on their phone and consents with the Regie app."
        ),
        url = esc(&url),
        print = lang.t("Afdrukken", "Print"),
    )
}

fn statements_list(case: &Case, lang: Lang) -> String {
    if case.consents.is_empty() {
        return String::new();
    }
    let items: String = case
        .consents
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                r#"<li><a class="utrecht-link" href="/balie/zaak/{r}/verklaring/{i}" download>{label} {name}</a></li>"#,
                r = esc(&case.case_ref),
                label = lang.t("Ondertekende verklaring van", "Signed statement of"),
                name = esc(&c.by.name),
            )
        })
        .collect();
    format!(
        r#"<h2 class="utrecht-heading-2">{h}</h2><p class="utrecht-paragraph">{t}</p><ul class="utrecht-unordered-list" id="verklaringen">{items}</ul>"#,
        h = lang.t("Bewijs", "Evidence"),
        t = lang.t(
            "Elke verklaring is later opnieuw te controleren bij de controlepagina of met POST /api/statements/verify.",
            "Every statement can be checked again later on the validator page or with POST /api/statements/verify."
        ),
    )
}

#[derive(Deserialize)]
pub struct DeskForm {
    bsn: String,
    lang: Option<String>,
}

/// `POST /balie/zaak/{ref}/aan-de-balie`.
pub async fn at_desk(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Path(case_ref): Path<String>,
    Form(f): Form<DeskForm>,
) -> Response {
    let lang = Lang::from_code(f.lang.as_deref());
    if !is_clerk(&portal, &headers) {
        return to_desk(lang);
    }
    let Some(cases) = portal.cases.as_ref() else {
        return unavailable(lang);
    };
    let Ok(bsn) = Bsn::parse(&f.bsn) else {
        return case_problem(&CaseError::BadInput("bsn"), lang);
    };
    match cases.record_at_desk(&case_ref, &bsn).await {
        Ok(case) => {
            Redirect::to(&format!("/balie/zaak/{}{}", case.case_ref, lang.query())).into_response()
        }
        Err(e) => case_problem(&e, lang),
    }
}

/// `POST /balie/zaak/{ref}/verklaring`: a statement file handed in.
pub async fn upload(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Path(case_ref): Path<String>,
    mut form: Multipart,
) -> Response {
    // The login is checked before the upload is read: a stranger's file is never taken in.
    if !is_clerk(&portal, &headers) {
        return to_desk(Lang::Nl);
    }
    let mut lang = Lang::Nl;
    let mut file: Option<Vec<u8>> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return (e.status(), e.body_text()).into_response(),
        };
        let name = field.name().unwrap_or("").to_owned();
        let bytes = match field.bytes().await {
            Ok(bytes) => bytes,
            Err(e) => return (e.status(), e.body_text()).into_response(),
        };
        match name.as_str() {
            "lang" => lang = Lang::from_code(std::str::from_utf8(&bytes).ok()),
            "verklaring" => file = Some(bytes.to_vec()),
            _ => {}
        }
    }
    let Some(cases) = portal.cases.as_ref() else {
        return unavailable(lang);
    };
    let Some(value) = file.and_then(|b| serde_json::from_slice::<Value>(&b).ok()) else {
        return problem(
            lang,
            StatusCode::BAD_REQUEST,
            crate::cases::Refusal::NotVerified.text(lang),
        );
    };
    match cases.submit_statement(&case_ref, value).await {
        Ok(case) => {
            Redirect::to(&format!("/balie/zaak/{}{}", case.case_ref, lang.query())).into_response()
        }
        Err(e) => case_problem(&e, lang),
    }
}

/// `GET /balie/zaak/{ref}/verklaring/{i}`: a consent's signed statement file.
pub async fn download(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Path((case_ref, index)): Path<(String, usize)>,
) -> Response {
    let case = match clerk_case(&portal, &headers, &case_ref).await {
        Ok(c) => c,
        Err(_) => return (StatusCode::NOT_FOUND, "not found").into_response(),
    };
    let Some(consent) = case.consents.get(index) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let Ok(bytes) = serde_json::to_vec_pretty(&consent.statement) else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    (
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"toestemmingsverklaring-{}-{}.json\"",
                    case.case_ref, index
                ),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /balie/zaak/{ref}/status`.
pub async fn status(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Path(case_ref): Path<String>,
    Query(q): Query<PollQuery>,
) -> Response {
    let lang = Lang::from_code(q.lang.as_deref());
    match clerk_case(&portal, &headers, &case_ref).await {
        Ok(case) => poll_answer(&case, q.v, false, portal.issuer.clock.now(), lang),
        Err(_) => problem(lang, StatusCode::NOT_FOUND, "not found"),
    }
}
