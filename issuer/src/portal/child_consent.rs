//! "Give consent for my child's travel document": a logged-in custodian picks the child
//! from their own BRP record and the document; the open case for that child is found (or
//! started, ahead of the desk visit), and the custodian signs with the wallet.
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use protocol::statements::TravelDocument;
use regie_web::{esc, Lang};
use serde::Deserialize;

use super::case_view::{
    case_problem, document_text, poll_answer, progress, request_block, statement_block,
    status_line, unavailable, PollQuery,
};
use super::{hidden_lang, login_of, portal_page, problem, to_login, SharedPortal};
use crate::cases::{Case, CaseKind, CaseState, StartedBy};
use crate::person::Bsn;

/// `GET /mijn/reisdocument-kind`.
pub async fn form(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    q: Query<regie_web::LangQuery>,
) -> Response {
    let lang = Lang::from_query(&q);
    let Some(login) = login_of(&portal, &headers) else {
        return to_login(lang);
    };
    let Ok(bsn) = Bsn::parse(&login.bsn) else {
        return to_login(lang);
    };
    let person = match portal.issuer.persons.get(&bsn).await {
        Ok(Some(p)) => p,
        _ => {
            return problem(
                lang,
                StatusCode::SERVICE_UNAVAILABLE,
                lang.t(
                    "Uw gegevens zijn nu niet bereikbaar.",
                    "Your data cannot be reached now.",
                ),
            )
        }
    };
    let title = lang.t(
        "Toestemming reisdocument voor uw kind",
        "Consent to your child's travel document",
    );
    if person.custody.is_empty() {
        let body = format!(
            r#"<p class="utrecht-paragraph" id="geen-kinderen">{}</p>"#,
            lang.t(
                "Volgens de BRP heeft u geen gezag over een minderjarig kind.",
                "According to the BRP you have no custody of a minor."
            )
        );
        return portal_page(lang, title, "/mijn/reisdocument-kind", &body);
    }
    let children: String = person
        .custody
        .iter()
        .enumerate()
        .map(|(i, ward)| {
            let name = ward
                .name
                .as_ref()
                .map(|n| n.full())
                .unwrap_or_else(|| ward.bsn.as_str().to_owned());
            let born = ward
                .birth_date
                .and_then(|d| d.iso())
                .map(|d| format!(" ({})", regie_web::render::date_text(&d, lang)))
                .unwrap_or_default();
            format!(
                r#"<div class="regie-choice"><input type="radio" name="kind" id="kind-{i}" value="{bsn}"{checked} required><label for="kind-{i}">{name}{born}</label></div>"#,
                bsn = esc(ward.bsn.as_str()),
                checked = if i == 0 { " checked" } else { "" },
                name = esc(&name),
                born = esc(&born),
            )
        })
        .collect();
    let doc = |id: &str, checked: bool| {
        format!(
            r#"<div class="regie-choice"><input type="radio" name="document" id="document-{id}" value="{id}"{}><label for="document-{id}">{}</label></div>"#,
            if checked { " checked" } else { "" },
            document_text(id, lang)
        )
    };
    let body = format!(
        r#"<p class="utrecht-paragraph">{intro}</p>
<form method="post" action="/mijn/reisdocument-kind">{hidden}
<fieldset class="regie-fieldset"><legend>{child_l}</legend>{children}</fieldset>
<fieldset class="regie-fieldset"><legend>{doc_l}</legend>{d1}{d2}</fieldset>
<button type="submit" class="utrecht-button utrecht-button--primary-action regie-button">{next}</button></form>"#,
        intro = lang.t(
            "Gaat de andere ouder met uw kind naar de balie voor een paspoort of ID-kaart? Geef dan hier vooraf uw toestemming met de Regie-app.",
            "Is the other parent going to the desk with your child for a passport or ID card? Give your consent here beforehand with the Regie app."
        ),
        hidden = hidden_lang(lang),
        child_l = lang.t("Voor welk kind?", "For which child?"),
        doc_l = lang.t("Welk reisdocument?", "Which travel document?"),
        d1 = doc("paspoort", true),
        d2 = doc("identiteitskaart", false),
        next = lang.t("Verder", "Next"),
    );
    portal_page(lang, title, "/mijn/reisdocument-kind", &body)
}

#[derive(Deserialize)]
pub struct ChildForm {
    kind: String,
    document: String,
    lang: Option<String>,
}

/// `POST /mijn/reisdocument-kind`: the open case for the child and document, or a new one.
pub async fn submit(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Form(f): Form<ChildForm>,
) -> Response {
    let lang = Lang::from_code(f.lang.as_deref());
    let Some(login) = login_of(&portal, &headers) else {
        return to_login(lang);
    };
    let Some(cases) = portal.cases.as_ref() else {
        return unavailable(lang);
    };
    let (Ok(me), Ok(child), Some(document)) = (
        Bsn::parse(&login.bsn),
        Bsn::parse(&f.kind),
        TravelDocument::from_id(&f.document),
    ) else {
        return problem(
            lang,
            StatusCode::BAD_REQUEST,
            lang.t(
                "Kies een kind en een reisdocument.",
                "Choose a child and a travel document.",
            ),
        );
    };
    let case = match cases.open_travel_case(&child, document).await {
        Ok(Some(case)) => Ok(case),
        Ok(None) => {
            cases
                .start_travel_document(
                    &child,
                    document,
                    StartedBy::Custodian {
                        bsn: me.as_str().to_owned(),
                    },
                    None,
                )
                .await
        }
        Err(e) => Err(e),
    };
    match case {
        Ok(case) if is_custodian(&case, me.as_str()) => Redirect::to(&format!(
            "/mijn/reisdocument-kind/{}{}",
            case.case_ref,
            lang.query()
        ))
        .into_response(),
        Ok(_) => case_problem(
            &crate::cases::CaseError::Refused(crate::cases::Refusal::NotCustodian),
            lang,
        ),
        Err(e) => case_problem(&e, lang),
    }
}

/// Whether this custodian consented or was at the desk already.
fn has_answered(case: &Case, bsn: &str) -> bool {
    case.consents.iter().any(|c| c.by.bsn == bsn)
        || matches!(&case.kind, CaseKind::TravelDocument { at_desk: Some(d), .. } if d == bsn)
}

fn is_custodian(case: &Case, bsn: &str) -> bool {
    matches!(&case.kind, CaseKind::TravelDocument { custodians, .. } if custodians.iter().any(|c| c.bsn == bsn))
}

async fn custodians_case(
    portal: &SharedPortal,
    headers: &HeaderMap,
    case_ref: &str,
) -> Option<Case> {
    let login = login_of(portal, headers)?;
    let case = portal.cases.as_ref()?.refresh(case_ref).await.ok()?;
    is_custodian(&case, &login.bsn).then_some(case)
}

/// `GET /mijn/reisdocument-kind/{ref}`.
pub async fn case_page(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Path(case_ref): Path<String>,
    q: Query<regie_web::LangQuery>,
) -> Response {
    let lang = Lang::from_query(&q);
    let Some(login) = login_of(&portal, &headers) else {
        return to_login(lang);
    };
    let Some(case) = custodians_case(&portal, &headers, &case_ref).await else {
        return case_problem(&crate::cases::CaseError::NotFound, lang);
    };
    let now = portal.issuer.clock.now();
    let poll = format!(
        "/mijn/reisdocument-kind/{}/status{}",
        case.case_ref,
        lang.query()
    );
    let mut body = format!(
        r#"<p class="utrecht-paragraph">{ask}</p><p class="utrecht-paragraph">{case_l} <strong id="zaaknummer">{r}</strong></p>{status}"#,
        ask = super::consent_link::ask_text(&case, lang),
        case_l = lang.t("Aanvraag", "Application"),
        r = esc(&case.case_ref),
        status = status_line(&case, now, &poll, lang),
    );
    if has_answered(&case, &login.bsn) {
        body.push_str(&format!(
            r#"<div class="regie-status" data-status="done" role="status" id="uw-toestemming">{}</div>"#,
            lang.t(
                "Uw toestemming is binnen. Neem uw kind en een pasfoto mee naar de balie.",
                "Your consent has been received. Bring your child and a passport photo to the desk."
            )
        ));
    } else if case.state(now) == CaseState::Waiting {
        let session = match portal.cases.as_ref() {
            Some(cases) => cases.session_for(&case.case_ref).await,
            None => return unavailable(lang),
        };
        match session {
            Ok(s) => body.push_str(&format!(
                r#"<p class="utrecht-paragraph">{}</p>{}{}"#,
                lang.t(
                    "In de Regie-app ondertekent u deze verklaring. De app laat alleen zien dat u gezag heeft over dit kind, niet over uw andere kinderen.",
                    "In the Regie app you sign this statement. The app only shows that you have custody of this child, not of your other children."
                ),
                statement_block(&case, lang),
                request_block(&s, lang)
            )),
            Err(e) => return case_problem(&e, lang),
        }
    }
    body.push_str(&progress(&case, lang));
    portal_page(
        lang,
        lang.t("Toestemming reisdocument", "Travel document consent"),
        "/mijn/reisdocument-kind",
        &body,
    )
}

/// `GET /mijn/reisdocument-kind/{ref}/status`.
pub async fn case_status(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Path(case_ref): Path<String>,
    Query(q): Query<PollQuery>,
) -> Response {
    let lang = Lang::from_code(q.lang.as_deref());
    let login = login_of(&portal, &headers);
    match (custodians_case(&portal, &headers, &case_ref).await, login) {
        (Some(case), Some(login)) => {
            let shows_request = !has_answered(&case, &login.bsn);
            poll_answer(&case, q.v, shows_request, portal.issuer.clock.now(), lang)
        }
        _ => problem(lang, StatusCode::NOT_FOUND, "not found"),
    }
}
