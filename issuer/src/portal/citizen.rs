//! The logged-in citizen's pages: the overview, a credential offer with its QR code that
//! turns to "ontvangen" when the wallet collects it, revoking, and the PDF extract.
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use protocol::credential_types::CredentialType;
use protocol::document::DocumentKind;
use protocol::oid4vci::CredentialOffer;
use regie_web::qr::QrSvg;
use regie_web::render::{attributes_table, unix_date_text, AttributesTable};
use regie_web::Lang;
use serde::Deserialize;
use serde_json::json;

use super::case_view::{own_cases, OwnCases};
use super::{logged_in, logged_in_person, login_of, portal_page, problem, to_login, SharedPortal};
use crate::back_office::document_response;
use crate::credentials::claims_for;
use crate::documents::{residents_of, RECORD_PREFIX};
use crate::person::Bsn;
use crate::service::{make_offer, today};
use crate::store::CredentialRecord;

#[derive(Deserialize, Default)]
pub struct OverviewQuery {
    lang: Option<String>,
    gedaan: Option<String>,
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

/// One line of "what you collected".
struct IssuedRow {
    group: String,
    what: String,
    issued: String,
    until: String,
    revoked: bool,
}

/// One extract to choose for the PDF.
struct KindChoice {
    id: &'static str,
    label: &'static str,
    checked: bool,
}

struct CorrectionLine {
    attribute: String,
    explanation: String,
    state: &'static str,
    answer: Option<String>,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    lang: Lang,
    done: Option<&'static str>,
    name: String,
    kinds: [KindChoice; 3],
    issued: Vec<IssuedRow>,
    has_custody: bool,
    cases: Option<OwnCases>,
    corrections: Vec<CorrectionLine>,
}

/// `GET /mijn`.
pub async fn overview(
    State(portal): State<SharedPortal>,
    headers: HeaderMap,
    Query(q): Query<OverviewQuery>,
) -> Response {
    let lang = Lang::from_code(q.lang.as_deref());
    let (bsn, person) = match logged_in_person(&portal, &headers).await {
        Ok(found) => found,
        Err(e) => return e.response(lang),
    };
    let issued = group_issued(
        portal
            .issuer
            .store
            .credentials_of(bsn.as_str())
            .await
            .unwrap_or_default(),
        lang,
    )
    .into_iter()
    .map(|i| IssuedRow {
        group: i.group,
        issued: unix_date_text(i.issued_at, lang),
        until: unix_date_text(i.expires_at, lang),
        what: i.what,
        revoked: i.revoked,
    })
    .collect();
    let corrections = portal
        .store
        .corrections(Some(bsn.as_str()))
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|c| CorrectionLine {
            attribute: super::corrections::attribute_text(&c.attribute, lang),
            state: c.state.text(lang),
            explanation: c.explanation,
            answer: c.answer,
        })
        .collect();
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
    };
    let kind =
        |id: &'static str, label: &'static str, checked: bool| KindChoice { id, label, checked };
    let page = OverviewPage {
        lang,
        done,
        name: person.name.full(),
        kinds: [
            kind(
                "uittreksel-brp",
                lang.t("Uittreksel BRP (alle gegevens)", "BRP extract (all data)"),
                true,
            ),
            kind(
                "woonhistorie",
                lang.t("Woonhistorie", "Address history"),
                false,
            ),
            kind(
                "naam-adres",
                lang.t("Naam en adres", "Name and address"),
                false,
            ),
        ],
        issued,
        has_custody: !person.custody.is_empty(),
        cases: own_cases(&portal, bsn.as_str(), lang).await,
        corrections,
    };
    portal_page(lang, lang.t("Mijn gegevens", "My data"), "/mijn", &page)
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
    let bsn = match logged_in(&portal, &headers).await {
        Ok((_, bsn)) => bsn,
        Err(e) => return e.response(lang),
    };
    let Some(kind) = CredentialType::from_id(&form.kind) else {
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
async fn offer_state(
    portal: &SharedPortal,
    headers: &HeaderMap,
    id: &str,
) -> Option<(crate::store::OfferRecord, &'static str)> {
    let login = login_of(portal, headers).await?;
    let offer = portal.issuer.store.offer(id).await.ok().flatten()?;
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
    match offer_state(&portal, &headers, &id).await {
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
    if login_of(&portal, &headers).await.is_none() {
        return to_login(lang);
    }
    let Some((offer, state)) = offer_state(&portal, &headers, &id).await else {
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
    let view = match state {
        "collected" => OfferView::Collected,
        "expired" => OfferView::Expired,
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
            OfferView::Pending(PendingOffer {
                qr: regie_web::qr::svg(
                    &link,
                    lang.t(
                        "QR-code om te scannen met de Regie-app",
                        "QR code to scan with the Regie app",
                    ),
                ),
                link,
                table: attributes_table(&claims, lang, title),
            })
        }
    };
    let page = OfferPage {
        lang,
        id: id.clone(),
        state,
        state_text: state_text(state, lang),
        view,
    };
    portal_page(lang, title, &format!("/mijn/aanvraag/{id}"), &page)
}

/// An offer still to collect: its QR code, link and what it holds.
struct PendingOffer {
    qr: Option<QrSvg>,
    link: String,
    table: AttributesTable,
}

enum OfferView {
    Collected,
    Expired,
    Pending(PendingOffer),
}

#[derive(Template)]
#[template(path = "offer.html")]
struct OfferPage {
    lang: Lang,
    id: String,
    state: &'static str,
    state_text: &'static str,
    view: OfferView,
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
    let Some(login) = login_of(&portal, &headers).await else {
        return to_login(lang);
    };
    let records = portal
        .issuer
        .store
        .credentials_of(&login.bsn)
        .await
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
        if portal
            .issuer
            .store
            .revoke_and_end_renewal(&r.id)
            .await
            .is_err()
        {
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
    let bsn = match logged_in(&portal, &headers).await {
        Ok((_, bsn)) => bsn,
        Err(e) => return e.response(lang),
    };
    let Some(kind) = DocumentKind::from_id(&form.kind) else {
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
