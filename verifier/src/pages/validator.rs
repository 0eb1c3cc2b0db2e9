//! `/valideer`: a clerk checks a printed or shared extract (photo, scan or the QR text, or
//! the camera where the browser has one) or a signed consent statement file.
use axum::body::Bytes;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::documents::{validate, Validation, Verdict};
use crate::image_pool::ImageWorkError;
use crate::service::Shared;
use crate::statements::{check_bytes, StatementError, VerifiedStatement};
use askama::Template;
use regie_qr_image::{ImageError, MAX_IMAGE_BYTES};
use regie_web::render::{attributes_table, unix_date_text, AttributesTable};
use regie_web::{page, Lang, LangQuery};

const PATH: &str = "/valideer";

fn title(lang: Lang) -> &'static str {
    lang.t("Document controleren", "Check a document")
}

/// The validator's form, with an error above it when the last try sent nothing.
#[derive(Template)]
#[template(path = "validator_form.html")]
struct FormPage<'a> {
    lang: Lang,
    error: Option<&'a str>,
}

/// `GET /valideer`.
pub async fn form_page(q: Query<LangQuery>) -> Response {
    let lang = Lang::from_query(&q);
    page(
        lang,
        title(lang),
        PATH,
        "Regie",
        &FormPage { lang, error: None },
    )
}

fn kind_text(kind: &str, lang: Lang) -> String {
    match kind {
        "uittreksel-brp" => lang.t("Uittreksel BRP", "BRP extract").to_owned(),
        "woonhistorie" => lang
            .t("Uittreksel woonhistorie", "Address history")
            .to_owned(),
        "naam-adres" => lang.t("Naam en adres", "Name and address").to_owned(),
        other => other.to_owned(),
    }
}

/// The verdict on a document QR code: the verdict, the facts about the document and the
/// attributes on it.
#[derive(Template)]
#[template(path = "document_result.html")]
struct DocumentResult {
    lang: Lang,
    verdict_code: String,
    verdict_text: &'static str,
    genuine: bool,
    facts: Vec<(&'static str, String)>,
    attributes: Option<AttributesTable>,
}

fn document_result(v: &Validation, lang: Lang) -> DocumentResult {
    let code = serde_json::to_value(v.verdict)
        .ok()
        .and_then(|c| c.as_str().map(str::to_owned))
        .unwrap_or_default();
    let text = match lang {
        Lang::Nl => v.verdict.dutch(),
        Lang::En => v.verdict.english(),
    };
    let mut facts = Vec::new();
    if let Some(name) = v.issuer_name.as_ref().or(v.issuer.as_ref()) {
        facts.push((lang.t("Uitgegeven door", "Issued by"), name.clone()));
    }
    if let Some(kind) = &v.kind {
        facts.push((
            lang.t("Soort document", "Kind of document"),
            kind_text(kind, lang),
        ));
    }
    if let Some(t) = v.issued_at {
        facts.push((lang.t("Datum", "Date"), unix_date_text(t, lang)));
    }
    if let Some(t) = v.expires_at {
        facts.push((lang.t("Geldig tot", "Valid until"), unix_date_text(t, lang)));
    }
    if let Some(status) = v.status {
        let s = match status {
            "geldig" => lang.t(
                "niet ingetrokken (gecontroleerd bij de gemeente)",
                "not revoked (checked with the municipality)",
            ),
            "ingetrokken" => lang.t("ingetrokken", "revoked"),
            _ => lang.t(
                "kon niet worden nagevraagd; alleen de handtekening is gecontroleerd",
                "could not be checked; only the signature was checked",
            ),
        };
        facts.push((lang.t("Intrekking", "Revocation"), s.to_owned()));
    }
    DocumentResult {
        lang,
        verdict_code: code,
        verdict_text: text,
        genuine: v.verdict == Verdict::Echt,
        facts,
        attributes: v.attributes.as_ref().map(|a| {
            attributes_table(
                a,
                lang,
                lang.t("Gegevens op het document", "Data on the document"),
            )
        }),
    }
}

/// A verified statement file, as the validator shows it.
struct GenuineStatement {
    texts: Vec<String>,
    party: String,
    purpose: String,
    signed: String,
    issuer: String,
    signer: AttributesTable,
}

enum StatementView {
    Genuine(GenuineStatement),
    /// Why the file is not valid.
    Invalid(String),
}

#[derive(Template)]
#[template(path = "statement_result.html")]
struct StatementResult {
    lang: Lang,
    verdict_code: &'static str,
    verdict_text: &'static str,
    result: StatementView,
}

fn statement_result(
    result: &Result<VerifiedStatement, StatementError>,
    lang: Lang,
) -> StatementResult {
    match result {
        Ok(s) => StatementResult {
            lang,
            verdict_code: "echt",
            verdict_text: lang.t(
                "Echt: deze verklaring is ondertekend met gegevens van de gemeente en niet gewijzigd",
                "Genuine: this statement was signed with the municipality's data and is unchanged",
            ),
            result: StatementView::Genuine(GenuineStatement {
                texts: s
                    .statements
                    .iter()
                    .map(|t| lang.t(&t.text, &t.text_en).to_owned())
                    .collect(),
                party: s.relying_party.clone(),
                purpose: s.purpose.clone(),
                signed: unix_date_text(s.signed_at, lang),
                issuer: s.issuer_name.clone().unwrap_or_else(|| "—".to_owned()),
                signer: attributes_table(&s.signer, lang, lang.t("Ondertekend door", "Signed by")),
            }),
        },
        Err(e) => StatementResult {
            lang,
            verdict_code: "vervalst",
            verdict_text: lang.t(
                "Niet geldig: deze verklaring is gewijzigd of niet ondertekend door een inwoner",
                "Not valid: this statement was altered or not signed by a resident",
            ),
            result: StatementView::Invalid(e.to_string()),
        },
    }
}

/// A QR code that could not be read, and why.
#[derive(Template)]
#[template(path = "unreadable.html")]
struct Unreadable<'a> {
    lang: Lang,
    verdict_code: &'static str,
    verdict_text: &'static str,
    detail: &'a str,
}

fn unreadable(lang: Lang, detail: &str) -> Unreadable<'_> {
    Unreadable {
        lang,
        verdict_code: "onleesbaar",
        verdict_text: match lang {
            Lang::Nl => Verdict::Onleesbaar.dutch(),
            Lang::En => Verdict::Onleesbaar.english(),
        },
        detail,
    }
}

/// The status and the explanation for an image that was not read.
fn image_problem(e: &ImageWorkError, lang: Lang) -> (StatusCode, String) {
    let (status, text) = match e {
        ImageWorkError::Image(ImageError::TooLarge) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            lang.t("Het bestand is te groot.", "The file is too large."),
        ),
        ImageWorkError::Image(ImageError::TooManyPixels) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            lang.t(
                "De afbeelding heeft te veel beeldpunten (hoogstens 20 megapixel). Gebruik een kleinere foto of scan.",
                "The image has too many pixels (at most 20 megapixels). Use a smaller photo or scan.",
            ),
        ),
        ImageWorkError::Image(ImageError::TooSlow) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            lang.t(
                "Het lezen van de afbeelding duurde te lang.",
                "Reading the image took too long.",
            ),
        ),
        ImageWorkError::Busy => (
            StatusCode::SERVICE_UNAVAILABLE,
            lang.t(
                "Er worden nu te veel afbeeldingen gelezen. Probeer het zo opnieuw.",
                "Too many images are being read right now. Please try again shortly.",
            ),
        ),
        ImageWorkError::Image(other) => {
            return (StatusCode::UNPROCESSABLE_ENTITY, other.to_string());
        }
    };
    (status, text.to_owned())
}

/// What the validator's page can show: each of its templates, in the page frame.
trait Body {
    fn page(&self, lang: Lang) -> Response;
}

impl<T: Template> Body for T {
    fn page(&self, lang: Lang) -> Response {
        page(lang, title(lang), PATH, "Regie", self)
    }
}

/// What was sent with the form.
#[derive(Default)]
struct Submission {
    lang: Option<String>,
    file: Vec<u8>,
    qr_text: String,
}

async fn read_form(mut form: Multipart) -> Result<Submission, (StatusCode, String)> {
    let mut out = Submission::default();
    // A body over the limit is 413, anything else unreadable 400 (the error's own status).
    let unreadable = |e: axum::extract::multipart::MultipartError| (e.status(), e.body_text());
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or("").to_owned();
        let bytes = field.bytes().await.map_err(unreadable)?;
        match name.as_str() {
            "lang" => out.lang = Some(String::from_utf8_lossy(&bytes).into_owned()),
            "qr_text" => out.qr_text = String::from_utf8_lossy(&bytes).into_owned(),
            "document" => out.file = bytes.to_vec(),
            _ => {}
        }
    }
    Ok(out)
}

/// `POST /valideer` (multipart): the verdict page.
pub async fn submit(State(verifier): State<Shared>, form: Multipart) -> Response {
    let submission = match read_form(form).await {
        Ok(s) => s,
        Err((status, detail)) => {
            return (status, unreadable(Lang::Nl, &detail).page(Lang::Nl)).into_response()
        }
    };
    let lang = Lang::from_code(submission.lang.as_deref());
    let respond = |status: StatusCode, body: &dyn Body| (status, body.page(lang)).into_response();
    let file = &submission.file;
    if file.len() > MAX_IMAGE_BYTES {
        return respond(
            StatusCode::PAYLOAD_TOO_LARGE,
            &unreadable(
                lang,
                lang.t("Het bestand is te groot.", "The file is too large."),
            ),
        );
    }
    let is_statement = file
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    if is_statement {
        return match check_bytes(&verifier, file) {
            Ok(result) => {
                let status = if result.is_ok() {
                    StatusCode::OK
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                respond(status, &statement_result(&result, lang))
            }
            Err(r) => r,
        };
    }
    let text = if !file.is_empty() {
        match verifier.images.qr_text(Bytes::from(submission.file)).await {
            Ok(text) => text,
            Err(e) => {
                let (status, detail) = image_problem(&e, lang);
                return respond(status, &unreadable(lang, &detail));
            }
        }
    } else {
        submission.qr_text.trim().to_owned()
    };
    if text.is_empty() {
        return respond(
            StatusCode::BAD_REQUEST,
            &FormPage {
                lang,
                error: Some(lang.t(
                    "Kies een foto of bestand, of plak de tekst van de QR-code.",
                    "Choose a photo or file, or paste the QR code's text.",
                )),
            },
        );
    }
    let trust = match verifier.trust_list() {
        Ok(t) => t,
        Err(r) => return r,
    };
    let validation = validate(&text, &trust, &verifier.status, verifier.clock.now()).await;
    let status = if validation.verdict == Verdict::Onleesbaar {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    respond(status, &document_result(&validation, lang))
}
