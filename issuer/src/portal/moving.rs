//! Reporting a move in the portal: the new address by postal code and house number, the
//! date; when adults live there, the case waits for one of them, and the applicant shares a
//! QR code or a link with them. Once one consents the move is recorded.
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use regie_web::{esc, Lang};
use serde::Deserialize;

use super::case_view::{
    case_problem, poll_answer, progress, request_block, statement_block, status_line, unavailable,
    PollQuery,
};
use super::{hidden_lang, login_of, portal_page, problem, to_login, SharedPortal};
use crate::cases::{Case, CaseKind, CaseState, NewAddress};
use crate::person::{Bsn, PartialDate};
use crate::service::today;

/// Longest postal code or house number typed in.
const MAX_FIELD: usize = 16;

#[derive(Deserialize)]
pub struct MoveForm {
    postcode: String,
    huisnummer: String,
    datum: String,
    /// Which dwelling, when several share the number (its position in the list shown).
    #[serde(default)]
    woning: Option<usize>,
    lang: Option<String>,
}

fn form_html(lang: Lang, error: Option<&str>, postcode: &str, number: &str, date: &str) -> String {
    let error_html = error
        .map(|e| {
            format!(
                r#"<div class="regie-status" data-status="failed" role="alert" id="fout">{}</div>"#,
                esc(e)
            )
        })
        .unwrap_or_default();
    format!(
        r#"{error_html}<p class="utrecht-paragraph">{intro}</p>
<form method="post" action="/mijn/verhuizen">{hidden}
<div class="regie-field"><label for="postcode">{pc}</label><input class="utrecht-textbox" id="postcode" name="postcode" autocomplete="postal-code" required maxlength="{max}" value="{postcode}"></div>
<div class="regie-field"><label for="huisnummer">{nr}</label><input class="utrecht-textbox" id="huisnummer" name="huisnummer" inputmode="numeric" required maxlength="{max}" value="{number}"></div>
<div class="regie-field"><label for="datum">{date_l}</label><input class="utrecht-textbox" id="datum" name="datum" type="date" required value="{date}"></div>
<button type="submit" class="utrecht-button utrecht-button--primary-action regie-button">{next}</button></form>"#,
        intro = lang.t(
            "Gaat u bij iemand wonen? Geef dan hier uw nieuwe adres door. Woont er al een volwassene op het adres, dan moet die toestemming geven met de Regie-app.",
            "Moving in with someone? Report your new address here. If an adult already lives there, they must consent with the Regie app."
        ),
        hidden = hidden_lang(lang),
        pc = lang.t("Postcode", "Postal code"),
        nr = lang.t("Huisnummer", "House number"),
        date_l = lang.t("Verhuisdatum", "Date of the move"),
        next = lang.t("Verder", "Next"),
        max = MAX_FIELD,
        postcode = esc(postcode),
        number = esc(number),
        date = esc(date),
    )
}

/// `GET /mijn/verhuizen`.
pub async fn form(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    q: Query<regie_web::LangQuery>,
) -> Response {
    let lang = Lang::from_query(&q);
    if login_of(&portal, &headers).is_none() {
        return to_login(lang);
    }
    let date = today(portal.issuer.clock.now()).iso().unwrap_or_default();
    portal_page(
        lang,
        lang.t("Verhuizing doorgeven", "Report a move"),
        "/mijn/verhuizen",
        &form_html(lang, None, "", "", &date),
    )
}

/// `POST /mijn/verhuizen`: finds the address; several dwellings at the number are offered
/// to choose from; one starts the case.
pub async fn submit(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Form(f): Form<MoveForm>,
) -> Response {
    let lang = Lang::from_code(f.lang.as_deref());
    let Some(login) = login_of(&portal, &headers) else {
        return to_login(lang);
    };
    let Some(cases) = portal.cases.as_ref() else {
        return unavailable(lang);
    };
    let again = |text: &str| {
        (
            StatusCode::BAD_REQUEST,
            portal_page(
                lang,
                lang.t("Verhuizing doorgeven", "Report a move"),
                "/mijn/verhuizen",
                &form_html(lang, Some(text), &f.postcode, &f.huisnummer, &f.datum),
            ),
        )
            .into_response()
    };
    let number = f.huisnummer.trim().parse::<u32>().ok().filter(|n| *n > 0);
    let (Some(number), true) = (number, f.postcode.len() <= MAX_FIELD) else {
        return again(lang.t(
            "Vul een postcode en een huisnummer (alleen cijfers) in.",
            "Enter a postal code and a house number (digits only).",
        ));
    };
    if PartialDate::parse_iso(&f.datum).is_err() {
        return again(lang.t(
            "Vul een datum in als jjjj-mm-dd.",
            "Enter a date as yyyy-mm-dd.",
        ));
    }
    let found = match cases.find_addresses(&f.postcode, number).await {
        Ok(found) => found,
        Err(e) => return case_problem(&e, lang),
    };
    let chosen: NewAddress = match (found.len(), f.woning) {
        (0, _) => {
            return again(lang.t(
                "Op deze postcode en dit huisnummer staat geen woning in de BRP.",
                "There is no dwelling at this postal code and house number in the BRP.",
            ))
        }
        (1, _) => found[0].clone(),
        (_, Some(i)) if i < found.len() => found[i].clone(),
        _ => return choose_dwelling(lang, &f, &found),
    };
    let Ok(bsn) = Bsn::parse(&login.bsn) else {
        return to_login(lang);
    };
    match cases.start_move(&bsn, chosen, &f.datum).await {
        Ok(case) => Redirect::to(&format!("/mijn/verhuizen/{}{}", case.case_ref, lang.query()))
            .into_response(),
        Err(crate::cases::CaseError::BadInput("date")) => again(lang.t(
            "Deze datum kan niet. U geeft een verhuizing door tot 4 weken vooruit of 5 dagen terug, en na uw huidige verhuisdatum.",
            "This date is not possible. You report a move up to 4 weeks ahead or 5 days back, and after your current move date.",
        )),
        Err(e) => case_problem(&e, lang),
    }
}

fn choose_dwelling(lang: Lang, f: &MoveForm, found: &[NewAddress]) -> Response {
    let options: String = found
        .iter()
        .enumerate()
        .map(|(i, a)| {
            format!(
                r#"<div class="regie-choice"><input type="radio" name="woning" id="woning-{i}" value="{i}"{checked} required><label for="woning-{i}">{line}</label></div>"#,
                checked = if i == 0 { " checked" } else { "" },
                line = esc(&a.line()),
            )
        })
        .collect();
    let body = format!(
        r#"<form method="post" action="/mijn/verhuizen">{hidden}
<input type="hidden" name="postcode" value="{pc}"><input type="hidden" name="huisnummer" value="{nr}"><input type="hidden" name="datum" value="{date}">
<fieldset class="regie-fieldset"><legend>{legend}</legend>{options}</fieldset>
<button type="submit" class="utrecht-button utrecht-button--primary-action regie-button">{next}</button></form>"#,
        hidden = hidden_lang(lang),
        pc = esc(&f.postcode),
        nr = esc(&f.huisnummer),
        date = esc(&f.datum),
        legend = lang.t("Welke woning?", "Which dwelling?"),
        next = lang.t("Verder", "Next"),
    );
    portal_page(
        lang,
        lang.t("Verhuizing doorgeven", "Report a move"),
        "/mijn/verhuizen",
        &body,
    )
}

/// The applicant's own move case, or `None`.
async fn own_case(portal: &SharedPortal, headers: &HeaderMap, case_ref: &str) -> Option<Case> {
    let login = login_of(portal, headers)?;
    let cases = portal.cases.as_ref()?;
    let case = cases.refresh(case_ref).await.ok()?;
    match &case.kind {
        CaseKind::Move { applicant, .. } if applicant.bsn == login.bsn => Some(case),
        _ => None,
    }
}

/// The consent link a main occupant opens.
pub fn share_url(portal: &SharedPortal, case: &Case) -> String {
    format!(
        "{}/toestemming/{}",
        portal.issuer.public_url, case.share_token
    )
}

/// `GET /mijn/verhuizen/{ref}`: the case as the applicant follows it.
pub async fn case_page(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Path(case_ref): Path<String>,
    q: Query<regie_web::LangQuery>,
) -> Response {
    let lang = Lang::from_query(&q);
    if login_of(&portal, &headers).is_none() {
        return to_login(lang);
    }
    let Some(case) = own_case(&portal, &headers, &case_ref).await else {
        return case_problem(&crate::cases::CaseError::NotFound, lang);
    };
    let CaseKind::Move { to, date, .. } = &case.kind else {
        return case_problem(&crate::cases::CaseError::NotFound, lang);
    };
    let now = portal.issuer.clock.now();
    let state = case.state(now);
    let poll = format!("/mijn/verhuizen/{}/status{}", case.case_ref, lang.query());
    let mut body = format!(
        r#"<p class="utrecht-paragraph">{case_l} <strong id="zaaknummer">{case_ref}</strong> · {to_l} <strong>{line}</strong> · {date_l} {date}</p>{status}"#,
        case_l = lang.t("Aanvraag", "Application"),
        case_ref = esc(&case.case_ref),
        to_l = lang.t("naar", "to"),
        line = esc(&to.line()),
        date_l = lang.t("per", "from"),
        date = esc(&regie_web::render::date_text(date, lang)),
        status = status_line(&case, now, &poll, lang),
    );
    match state {
        CaseState::Waiting => {
            let session = match portal.cases.as_ref() {
                Some(cases) => cases.session_for(&case.case_ref).await,
                None => return unavailable(lang),
            };
            let session = match session {
                Ok(s) => s,
                Err(e) => return case_problem(&e, lang),
            };
            let share = share_url(&portal, &case);
            let message = format!(
                "{} {}",
                lang.t(
                    "Ik kom bij je wonen en de gemeente vraagt jouw toestemming. Geef die met je Regie-app via deze link:",
                    "I am moving in with you and the municipality asks for your consent. Give it with your Regie app through this link:"
                ),
                share
            );
            body.push_str(&format!(
                r#"<p class="utrecht-paragraph">{ask}</p>{statement}
<h2 class="utrecht-heading-2">{share_h}</h2><p class="utrecht-paragraph">{share_text}</p>
<div class="regie-field"><label for="deel-tekst">{msg_l}</label><textarea class="utrecht-textarea" id="deel-tekst" readonly rows="4">{message}</textarea></div>
<p class="utrecht-paragraph"><a class="utrecht-link regie-url" id="deel-link" href="{share}">{share}</a></p>
{request}{progress}"#,
                ask = lang.t(
                    "Een volwassene die op dit adres woont, moet toestemming geven. Die ondertekent in de Regie-app deze verklaring:",
                    "An adult who lives at this address must consent. They sign this statement in the Regie app:"
                ),
                statement = statement_block(&case, lang),
                share_h = lang.t("Stuur de link naar de hoofdbewoner", "Send the link to the main occupant"),
                share_text = lang.t(
                    "Stuur deze tekst, of laat de hoofdbewoner de QR-code hieronder scannen.",
                    "Send this text, or let the main occupant scan the QR code below."
                ),
                msg_l = lang.t("Tekst om te sturen", "Text to send"),
                message = esc(&message),
                share = esc(&share),
                request = request_block(&session, lang),
                progress = progress(&case, lang),
            ));
        }
        CaseState::Complete => body.push_str(&format!(
            r#"{progress}<div class="regie-status" data-status="done" role="status" id="verwerkt">{done}</div>
<p class="utrecht-paragraph">{next} <a class="utrecht-link" href="/mijn{q}">{mine}</a></p>"#,
            progress = progress(&case, lang),
            done = lang.t(
                "Uw verhuizing is verwerkt. Uw oude gegevens in de app zijn ingetrokken.",
                "Your move has been processed. Your old data in the app has been revoked."
            ),
            next = lang.t(
                "Vernieuw de gegevens in uw Regie-app, of haal ze opnieuw op via",
                "Renew the data in your Regie app, or collect it again at"
            ),
            mine = lang.t("Mijn gegevens", "My data"),
            q = lang.query(),
        )),
        CaseState::Declined | CaseState::Expired => body.push_str(&format!(
            r#"{progress}<p class="utrecht-paragraph">{text} <a class="utrecht-link" href="/mijn/verhuizen{q}">{again}</a></p>"#,
            progress = progress(&case, lang),
            text = lang.t("Uw adres is niet veranderd.", "Your address has not changed."),
            again = lang.t("Opnieuw doorgeven", "Report again"),
            q = lang.query(),
        )),
    }
    portal_page(
        lang,
        lang.t("Uw verhuizing", "Your move"),
        "/mijn/verhuizen",
        &body,
    )
}

/// `GET /mijn/verhuizen/{ref}/status`.
pub async fn case_status(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Path(case_ref): Path<String>,
    Query(q): Query<PollQuery>,
) -> Response {
    let lang = Lang::from_code(q.lang.as_deref());
    match own_case(&portal, &headers, &case_ref).await {
        Some(case) => poll_answer(&case, q.v, true, portal.issuer.clock.now(), lang),
        None => problem(lang, StatusCode::NOT_FOUND, "not found"),
    }
}
