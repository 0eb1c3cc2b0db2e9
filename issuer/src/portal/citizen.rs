//! The logged-in citizen's pages: the overview, a credential offer with its QR code that
//! turns to "ontvangen" when the wallet collects it, revoking, and the PDF extract.
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use protocol::credential_types::CredentialType;
use protocol::document::DocumentKind;
use protocol::oid4vci::CredentialOffer;
use regie_web::render::{attributes_table, unix_date_text};
use regie_web::{esc, Lang};
use serde::Deserialize;
use serde_json::json;

use super::{hidden_lang, login_of, portal_page, problem, to_login, SharedPortal};
use crate::credentials::claims_for;
use crate::documents::{residents_of, RECORD_PREFIX};
use crate::person::Bsn;
use crate::service::{document_response, make_offer, today};
use crate::store::CredentialRecord;

#[derive(Deserialize, Default)]
pub struct OverviewQuery {
    lang: Option<String>,
    gedaan: Option<String>,
}

/// The citizen's own move cases, newest first, each with its state.
fn own_cases(portal: &SharedPortal, bsn: &str, lang: Lang) -> String {
    let Some(cases) = portal.cases.as_ref() else {
        return String::new();
    };
    let now = portal.issuer.clock.now();
    let items: String = cases
        .store
        .about(bsn)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| match &c.kind {
            crate::cases::CaseKind::Move { to, .. } => Some(format!(
                r#"<li><a class="utrecht-link" href="/mijn/verhuizen/{r}{q}">{what} {line}</a> — {state}</li>"#,
                r = esc(&c.case_ref),
                q = lang.query(),
                what = lang.t("Verhuizing naar", "Move to"),
                line = esc(&to.line()),
                state = super::case_view::state_text(c.state(now), lang),
            )),
            _ => None,
        })
        .take(10)
        .collect();
    if items.is_empty() {
        return String::new();
    }
    format!(r#"<ul class="utrecht-unordered-list" id="mijn-aanvragen">{items}</ul>"#)
}

/// What was issued, as the citizen thinks of it: one line per offer (all its copies) or
/// per printed extract.
struct Issued {
    group: String,
    what: String,
    issued_at: u64,
    expires_at: u64,
    copies: usize,
    revoked: bool,
}

fn kind_text(credential_type: &str, lang: Lang) -> String {
    if let Some(kind) = credential_type.strip_prefix(RECORD_PREFIX) {
        let name = match kind {
            "uittreksel-brp" => lang.t("Uittreksel BRP", "BRP extract"),
            "woonhistorie" => lang.t("Uittreksel woonhistorie", "Address history extract"),
            _ => lang.t("Uittreksel naam en adres", "Name and address extract"),
        };
        return format!("{name} ({})", lang.t("PDF", "PDF"));
    }
    CredentialType::from_id(credential_type)
        .map(|t| {
            format!(
                "{} ({})",
                t.display_name(lang.protocol()),
                lang.t("in de app", "in the app")
            )
        })
        .unwrap_or_else(|| credential_type.to_owned())
}

fn group_issued(records: Vec<CredentialRecord>, lang: Lang) -> Vec<Issued> {
    let mut out: Vec<Issued> = Vec::new();
    for r in records {
        let group = if r.offer_id.is_empty() {
            r.id.clone()
        } else {
            r.offer_id.clone()
        };
        match out.iter_mut().find(|i| i.group == group) {
            Some(i) => {
                i.copies += 1;
                i.revoked &= r.revoked;
            }
            None => out.push(Issued {
                group,
                what: kind_text(&r.credential_type, lang),
                issued_at: r.issued_at,
                expires_at: r.expires_at,
                copies: 1,
                revoked: r.revoked,
            }),
        }
    }
    out.sort_by_key(|i| std::cmp::Reverse(i.issued_at));
    out
}

fn issued_table(issued: &[Issued], lang: Lang) -> String {
    if issued.is_empty() {
        return format!(
            r#"<p class="utrecht-paragraph">{}</p>"#,
            lang.t(
                "U heeft nog niets opgehaald.",
                "You have not collected anything yet."
            )
        );
    }
    let rows: String = issued
        .iter()
        .map(|i| {
            let action = if i.revoked {
                String::new()
            } else {
                format!(
                    r#"<form method="post" action="/mijn/intrekken">{hidden}<input type="hidden" name="group" value="{group}"><button type="submit" class="regie-button regie-button--secondary" aria-label="{label}">{button}</button></form>"#,
                    hidden = hidden_lang(lang),
                    group = esc(&i.group),
                    label = esc(&format!(
                        "{} {} {}",
                        lang.t("Intrekken:", "Revoke:"),
                        i.what,
                        unix_date_text(i.issued_at, lang)
                    )),
                    button = lang.t("Intrekken", "Revoke"),
                )
            };
            // `data-label` names each cell when a phone shows the rows stacked (regie.css).
            format!(
                r#"<tr><td data-label="{l_what}">{}</td><td data-label="{l_issued}">{}</td><td data-label="{l_until}">{}</td><td data-label="{l_status}">{}</td><td>{action}</td></tr>"#,
                esc(&i.what),
                esc(&unix_date_text(i.issued_at, lang)),
                esc(&unix_date_text(i.expires_at, lang)),
                if i.revoked {
                    lang.t("ingetrokken", "revoked")
                } else {
                    lang.t("geldig", "valid")
                },
                l_what = lang.t("Wat", "What"),
                l_issued = lang.t("Opgehaald op", "Collected on"),
                l_until = lang.t("Geldig tot", "Valid until"),
                l_status = lang.t("Status", "Status"),
            )
        })
        .collect();
    format!(
        r#"<div class="regie-table-wrap" role="region" aria-label="{caption}" tabindex="0"><table class="regie-data regie-data--stack" id="uitgegeven"><caption class="utrecht-table__caption">{caption}</caption>
<thead><tr><th scope="col">{what}</th><th scope="col">{issued}</th><th scope="col">{until}</th><th scope="col">{status}</th><th scope="col"><span class="regie-visually-hidden">{action}</span></th></tr></thead><tbody>{rows}</tbody></table></div>"#,
        caption = lang.t("Wat u heeft opgehaald", "What you collected"),
        what = lang.t("Wat", "What"),
        issued = lang.t("Opgehaald op", "Collected on"),
        until = lang.t("Geldig tot", "Valid until"),
        status = lang.t("Status", "Status"),
        action = lang.t("Actie", "Action"),
    )
}

/// `GET /mijn`.
pub async fn overview(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Query(q): Query<OverviewQuery>,
) -> Response {
    let lang = Lang::from_code(q.lang.as_deref());
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
    let issued = group_issued(
        portal
            .issuer
            .store
            .credentials_of(bsn.as_str())
            .unwrap_or_default(),
        lang,
    );
    let corrections = portal
        .store
        .corrections(Some(bsn.as_str()))
        .unwrap_or_default();
    let done = match q.gedaan.as_deref() {
        Some("ingetrokken") => Some(lang.t(
            "Ingetrokken. Organisaties zien nu dat dit niet meer geldig is.",
            "Revoked. Organisations now see that it is no longer valid.",
        )),
        Some("correctie") => Some(lang.t(
            "Uw melding is ontvangen. U ziet hieronder hoe het ermee staat.",
            "Your report has been received. You can see its progress below.",
        )),
        _ => None,
    }
    .map(|t| {
        format!(
            r#"<div class="regie-status" data-status="done" role="status" id="gedaan">{}</div>"#,
            esc(t)
        )
    })
    .unwrap_or_default();
    let corrections_html = if corrections.is_empty() {
        String::new()
    } else {
        let items: String = corrections
            .iter()
            .map(|c| {
                format!(
                    "<li>{}: {} — <strong>{}</strong>{}</li>",
                    esc(&super::corrections::attribute_text(&c.attribute, lang)),
                    esc(&c.explanation),
                    c.state.text(lang),
                    c.answer
                        .as_ref()
                        .map(|a| format!(" ({})", esc(a)))
                        .unwrap_or_default()
                )
            })
            .collect();
        format!(r#"<ul class="utrecht-unordered-list" id="meldingen">{items}</ul>"#)
    };
    let kind_radio = |id: &str, label: &str, checked: bool| {
        format!(
            r#"<div class="regie-choice"><input type="radio" name="kind" id="pdf-{id}" value="{id}"{}><label for="pdf-{id}">{label}</label></div>"#,
            if checked { " checked" } else { "" }
        )
    };
    let body = format!(
        r#"{done}<p class="utrecht-paragraph">{logged_in} <strong>{name}</strong>.</p>
<form method="post" action="/uitloggen">{hidden}<button type="submit" class="regie-button regie-button--secondary">{logout}</button></form>
<h2 class="utrecht-heading-2">{app_h}</h2>
<p class="utrecht-paragraph">{app_text}</p>
<div class="regie-actions">
<form method="post" action="/mijn/aanvragen">{hidden}<input type="hidden" name="kind" value="uittreksel-brp"><button type="submit" class="utrecht-button utrecht-button--primary-action regie-button">{brp}</button></form>
<form method="post" action="/mijn/aanvragen">{hidden}<input type="hidden" name="kind" value="woonhistorie"><button type="submit" class="utrecht-button utrecht-button--primary-action regie-button">{history}</button></form>
</div>
<h2 class="utrecht-heading-2">{pdf_h}</h2>
<form method="post" action="/mijn/uittreksel">{hidden}
<fieldset class="regie-fieldset"><legend>{pdf_legend}</legend>{r1}{r2}{r3}</fieldset>
<button type="submit" class="utrecht-button utrecht-button--primary-action regie-button">{pdf_button}</button></form>
<h2 class="utrecht-heading-2">{issued_h}</h2>
<p class="utrecht-paragraph">{issued_text}</p>
{table}
<h2 class="utrecht-heading-2">{arrange_h}</h2>
<ul class="utrecht-unordered-list" id="regelen"><li><a class="utrecht-link" href="/mijn/verhuizen{q}">{move_l}</a></li>{child_li}</ul>{cases_html}
<h2 class="utrecht-heading-2" id="correcties">{wrong_h}</h2>
<p class="utrecht-paragraph">{wrong_text} <a class="utrecht-link" href="/mijn/correctie{q}">{wrong_link}</a></p>
{corrections_html}"#,
        arrange_h = lang.t("Regelen bij de gemeente", "Arrange with the municipality"),
        move_l = lang.t(
            "Verhuizing doorgeven (bij iemand gaan wonen)",
            "Report a move (moving in with someone)"
        ),
        child_li = if person.custody.is_empty() {
            String::new()
        } else {
            format!(
                r#"<li><a class="utrecht-link" href="/mijn/reisdocument-kind{}">{}</a></li>"#,
                lang.query(),
                lang.t(
                    "Toestemming geven voor het reisdocument van uw kind",
                    "Give consent for your child's travel document"
                )
            )
        },
        cases_html = own_cases(&portal, bsn.as_str(), lang),
        logged_in = lang.t("U bent ingelogd als", "You are logged in as"),
        name = esc(&person.name.full()),
        hidden = hidden_lang(lang),
        logout = lang.t("Uitloggen", "Log out"),
        app_h = lang.t("In uw Regie-app zetten", "Put in your Regie app"),
        app_text = lang.t(
            "Kies wat u in de app wilt zetten. U ziet eerst welke gegevens erin komen.",
            "Choose what to put in the app. You first see which data it holds."
        ),
        brp = lang.t("Uittreksel BRP", "BRP extract"),
        history = lang.t("Woonhistorie", "Address history"),
        pdf_h = lang.t("Uittreksel op papier (PDF)", "Paper extract (PDF)"),
        pdf_legend = lang.t("Welk uittreksel?", "Which extract?"),
        r1 = kind_radio("uittreksel-brp", lang.t("Uittreksel BRP (alle gegevens)", "BRP extract (all data)"), true),
        r2 = kind_radio("woonhistorie", lang.t("Woonhistorie", "Address history"), false),
        r3 = kind_radio("naam-adres", lang.t("Naam en adres", "Name and address"), false),
        pdf_button = lang.t("PDF downloaden", "Download PDF"),
        issued_h = lang.t("Wat u heeft opgehaald", "What you collected"),
        issued_text = lang.t(
            "Telefoon kwijt, of verhuisd? Trek het dan in. Organisaties zien dan dat het niet meer geldig is.",
            "Lost your phone, or moved? Then revoke it. Organisations will see that it is no longer valid."
        ),
        table = issued_table(&issued, lang),
        wrong_h = lang.t("Klopt er iets niet?", "Is something wrong?"),
        wrong_text = lang.t(
            "Staat er iets verkeerd in uw gegevens? Meld het bij de gemeente.",
            "Is something in your data wrong? Tell the municipality."
        ),
        wrong_link = lang.t("Meld het hier", "Report it here"),
        q = lang.query(),
    );
    portal_page(lang, lang.t("Mijn gegevens", "My data"), "/mijn", &body)
}

#[derive(Deserialize)]
pub struct KindForm {
    kind: String,
    lang: Option<String>,
}

/// `POST /mijn/aanvragen`: a new offer for the logged-in citizen.
pub async fn request_credential(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Form(form): Form<KindForm>,
) -> Response {
    let lang = Lang::from_code(form.lang.as_deref());
    let Some(login) = login_of(&portal, &headers) else {
        return to_login(lang);
    };
    let (Ok(bsn), Some(kind)) = (Bsn::parse(&login.bsn), CredentialType::from_id(&form.kind))
    else {
        return problem(
            lang,
            StatusCode::BAD_REQUEST,
            lang.t(
                "Dit soort gegevens bestaat niet.",
                "This kind of data does not exist.",
            ),
        );
    };
    match make_offer(&portal.issuer, &bsn, kind, false).await {
        Ok(offer) => {
            let id = offer["offer_id"].as_str().unwrap_or_default();
            Redirect::to(&format!("/mijn/aanvraag/{id}{}", lang.query())).into_response()
        }
        Err(_) => problem(
            lang,
            StatusCode::SERVICE_UNAVAILABLE,
            lang.t(
                "Het klaarzetten lukte niet. Probeer het later opnieuw.",
                "Preparing it failed. Please try again later.",
            ),
        ),
    }
}

/// Where an offer stands, for its page and the live update.
fn offer_state(
    portal: &SharedPortal,
    headers: &HeaderMap,
    id: &str,
) -> Option<(crate::store::OfferRecord, &'static str)> {
    let login = login_of(portal, headers)?;
    let offer = portal.issuer.store.offer(id).ok().flatten()?;
    if offer.bsn != login.bsn {
        return None;
    }
    let state = if offer.collected {
        "collected"
    } else if offer.expires_at <= portal.issuer.clock.now() {
        "expired"
    } else {
        "pending"
    };
    Some((offer, state))
}

fn state_text(state: &str, lang: Lang) -> &'static str {
    match state {
        "collected" => lang.t("ontvangen", "received"),
        "expired" => lang.t("verlopen", "expired"),
        _ => lang.t("wacht op uw app", "waiting for your app"),
    }
}

/// `GET /mijn/aanvraag/{id}/status`.
pub async fn offer_status(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Path(id): Path<String>,
    q: Query<regie_web::LangQuery>,
) -> Response {
    let lang = Lang::from_query(&q);
    match offer_state(&portal, &headers, &id) {
        Some((_, state)) => crate::service::no_store(Json(
            json!({"status": state, "status_text": state_text(state, lang)}),
        )),
        None => (StatusCode::NOT_FOUND, Json(json!({"error": "not_found"}))).into_response(),
    }
}

/// `GET /mijn/aanvraag/{id}`: what will be issued, the QR code and the link.
pub async fn offer_page(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Path(id): Path<String>,
    q: Query<regie_web::LangQuery>,
) -> Response {
    let lang = Lang::from_query(&q);
    if login_of(&portal, &headers).is_none() {
        return to_login(lang);
    }
    let Some((offer, state)) = offer_state(&portal, &headers, &id) else {
        return problem(
            lang,
            StatusCode::NOT_FOUND,
            lang.t(
                "Deze aanvraag bestaat niet.",
                "This request does not exist.",
            ),
        );
    };
    let (Ok(bsn), Some(kind)) = (
        Bsn::parse(&offer.bsn),
        CredentialType::from_id(&offer.credential_type),
    ) else {
        return problem(lang, StatusCode::INTERNAL_SERVER_ERROR, "?");
    };
    let title = kind.display_name(lang.protocol());
    let status_line = format!(
        r#"<p class="regie-status" id="status" role="status" aria-live="polite" data-status="{state}" data-poll="/mijn/aanvraag/{id}/status{q}">{text}</p>"#,
        id = esc(&id),
        q = lang.query(),
        text = state_text(state, lang),
    );
    let back = format!(
        r#"<p class="utrecht-paragraph"><a class="utrecht-link" href="/mijn{}">{}</a></p>"#,
        lang.query(),
        lang.t("Terug naar Mijn gegevens", "Back to My data")
    );
    let body = match state {
        "collected" => format!(
            r#"{status_line}<p class="utrecht-paragraph">{}</p>{back}"#,
            lang.t(
                "Uw Regie-app heeft de gegevens opgehaald. U vindt ze nu in de app.",
                "Your Regie app has collected the data. You will find it in the app now."
            )
        ),
        "expired" => format!(
            r#"{status_line}<p class="utrecht-paragraph">{}</p>{back}"#,
            lang.t(
                "Deze QR-code is niet meer geldig. Vraag de gegevens opnieuw aan.",
                "This QR code is no longer valid. Please request the data again."
            )
        ),
        _ => {
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
            let residents = residents_of(&portal.issuer, &person).await;
            let claims =
                claims_for(kind, &person, &residents, today(portal.issuer.clock.now())).claims;
            let link = CredentialOffer::reference_uri(&format!(
                "{}/offers/{}",
                portal.issuer.public_url, offer.id
            ));
            let qr = regie_web::qr::svg(
                &link,
                lang.t(
                    "QR-code om te scannen met de Regie-app",
                    "QR code to scan with the Regie app",
                ),
            )
            .unwrap_or_default();
            format!(
                r#"<div class="regie-steps">
<div><h2 class="utrecht-heading-2">{scan}</h2><p class="utrecht-paragraph">{scan_text}</p><div class="regie-qr">{qr}</div></div>
<div><h2 class="utrecht-heading-2">{same}</h2><p class="utrecht-paragraph">{same_text}</p>
<p class="utrecht-paragraph"><a class="regie-button" id="same-device" href="{link}">{open}</a></p>
<h2 class="utrecht-heading-2">{status_h}</h2>{status_line}
<noscript><p class="utrecht-paragraph"><a class="utrecht-link" href="/mijn/aanvraag/{id}{q}">{refresh}</a></p></noscript></div></div>
<h2 class="utrecht-heading-2">{what}</h2>
<p class="utrecht-paragraph">{what_text}</p>
{table}{back}"#,
                scan = lang.t("Scan met uw Regie-app", "Scan with your Regie app"),
                scan_text = lang.t(
                    "Open de Regie-app op uw telefoon en scan deze QR-code. De code is 15 minuten geldig.",
                    "Open the Regie app on your phone and scan this QR code. The code is valid for 15 minutes."
                ),
                same = lang.t("Op dit apparaat", "On this device"),
                same_text = lang.t(
                    "Heeft u de Regie-app op dit apparaat? Open dan de app met deze knop.",
                    "Is the Regie app on this device? Then open the app with this button."
                ),
                open = lang.t("Open de Regie-app", "Open the Regie app"),
                status_h = lang.t("Status", "Status"),
                refresh = lang.t("Status vernieuwen", "Refresh the status"),
                what = lang.t("Dit komt in uw app", "This goes into your app"),
                what_text = lang.t(
                    "U beslist later zelf wie welke gegevens te zien krijgt.",
                    "You decide later who gets to see which data."
                ),
                table = attributes_table(&claims, lang, title),
                link = esc(&link),
                id = esc(&id),
                q = lang.query(),
            )
        }
    };
    portal_page(lang, title, &format!("/mijn/aanvraag/{id}"), &body)
}

#[derive(Deserialize)]
pub struct RevokeForm {
    group: String,
    lang: Option<String>,
}

/// `POST /mijn/intrekken`: revokes every copy of one offer, or one printed extract.
pub async fn revoke(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Form(form): Form<RevokeForm>,
) -> Response {
    let lang = Lang::from_code(form.lang.as_deref());
    let Some(login) = login_of(&portal, &headers) else {
        return to_login(lang);
    };
    let records = portal
        .issuer
        .store
        .credentials_of(&login.bsn)
        .unwrap_or_default();
    let targets: Vec<&CredentialRecord> = records
        .iter()
        .filter(|_| !form.group.is_empty())
        .filter(|r| r.offer_id == form.group || (r.offer_id.is_empty() && r.id == form.group))
        .collect();
    if targets.is_empty() {
        return problem(
            lang,
            StatusCode::NOT_FOUND,
            lang.t("Dit kunnen wij niet vinden.", "We cannot find this."),
        );
    }
    for r in targets.iter().filter(|r| !r.revoked) {
        // The citizen revokes for a lost phone: that wallet's renewals end too.
        if portal.issuer.store.revoke_and_end_renewal(&r.id).is_err() {
            return problem(
                lang,
                StatusCode::INTERNAL_SERVER_ERROR,
                lang.t("Intrekken lukte niet.", "Revoking failed."),
            );
        }
    }
    let sep = if lang.query().is_empty() { "?" } else { "&" };
    Redirect::to(&format!("/mijn{}{sep}gedaan=ingetrokken", lang.query())).into_response()
}

/// `POST /mijn/uittreksel`: the printable extract as PDF.
pub async fn extract(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Form(form): Form<KindForm>,
) -> Response {
    let lang = Lang::from_code(form.lang.as_deref());
    let Some(login) = login_of(&portal, &headers) else {
        return to_login(lang);
    };
    let (Ok(bsn), Some(kind)) = (Bsn::parse(&login.bsn), DocumentKind::from_id(&form.kind)) else {
        return problem(
            lang,
            StatusCode::BAD_REQUEST,
            lang.t(
                "Dit soort uittreksel bestaat niet.",
                "This kind of extract does not exist.",
            ),
        );
    };
    document_response(&portal.issuer, &bsn, kind, lang.protocol(), false).await
}
