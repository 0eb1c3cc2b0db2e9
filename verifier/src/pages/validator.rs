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
use regie_qr_image::{ImageError, MAX_IMAGE_BYTES};
use regie_web::render::{attributes_table, unix_date_text};
use regie_web::{esc, page, Lang, LangQuery};

const PATH: &str = "/valideer";

fn title(lang: Lang) -> &'static str {
    lang.t("Document controleren", "Check a document")
}

fn form_html(lang: Lang) -> String {
    format!(
        r#"<p class="utrecht-paragraph">{intro}</p>
<form method="post" action="/valideer" enctype="multipart/form-data" id="valideer-form">
<input type="hidden" name="lang" value="{code}">
<div class="regie-field"><label for="document">{file_label}</label>
<p class="regie-hint" id="document-hint">{file_hint}</p>
<input type="file" id="document" name="document" accept="image/png,image/jpeg,application/json,.json" aria-describedby="document-hint"></div>
<div class="regie-camera" hidden><button type="button" class="regie-button regie-button--secondary" id="camera-start" data-unavailable="{no_camera}">{camera}</button>
<video id="camera-video" playsinline muted hidden aria-label="{camera_view}"></video>
<button type="button" class="regie-button" id="camera-take" hidden>{take}</button></div>
<div class="regie-field"><label for="qr_text">{text_label}</label>
<p class="regie-hint" id="qr-hint">{text_hint}</p>
<textarea id="qr_text" name="qr_text" rows="4" spellcheck="false" aria-describedby="qr-hint"></textarea></div>
<button type="submit" class="utrecht-button utrecht-button--primary-action regie-button">{submit}</button>
</form>"#,
        intro = lang.t(
            "Controleer of een uittreksel van de gemeente echt is. Gebruik een foto of scan van de QR-code, of plak de tekst van de QR-code. U kunt hier ook een toestemmingsverklaring (bestand) controleren.",
            "Check whether an extract from the municipality is genuine. Use a photo or scan of the QR code, or paste the QR code's text. You can also check a consent statement (file) here."
        ),
        code = lang.code(),
        file_label = lang.t("Foto, scan of verklaring", "Photo, scan or statement"),
        file_hint = lang.t(
            "PNG of JPEG van de QR-code (hoogstens 12 MB), of een toestemmingsverklaring (.json).",
            "PNG or JPEG of the QR code (at most 12 MB), or a consent statement (.json)."
        ),
        camera = lang.t("Camera gebruiken", "Use the camera"),
        no_camera = lang.t("Geen camera beschikbaar", "No camera available"),
        camera_view = lang.t("Camerabeeld", "Camera view"),
        take = lang.t("Foto nemen en controleren", "Take a photo and check"),
        text_label = lang.t("Of: tekst van de QR-code", "Or: the QR code's text"),
        text_hint = lang.t("Begint met RG1:", "Starts with RG1:"),
        submit = lang.t("Controleren", "Check"),
    )
}

/// `GET /valideer`.
pub async fn form_page(q: Query<LangQuery>) -> Response {
    let lang = Lang::from_query(&q);
    page(lang, title(lang), PATH, "Regie", &form_html(lang))
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

fn again(lang: Lang) -> String {
    format!(
        r#"<p class="utrecht-paragraph"><a class="utrecht-link" href="/valideer{}">{}</a></p>"#,
        lang.query(),
        lang.t("Nog een document controleren", "Check another document")
    )
}

fn verdict_box(code: &str, text: &str) -> String {
    format!(
        r#"<div class="regie-verdict" id="verdict" data-verdict="{code}" role="status" tabindex="-1">{}</div>"#,
        esc(text)
    )
}

fn document_result(v: &Validation, lang: Lang) -> String {
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
    let facts_html: String = facts
        .iter()
        .map(|(k, val)| {
            format!(
                r#"<tr><th scope="row">{}</th><td>{}</td></tr>"#,
                esc(k),
                esc(val)
            )
        })
        .collect();
    let facts_table = if facts.is_empty() {
        String::new()
    } else {
        format!(
            r#"<table class="regie-data"><caption class="utrecht-table__caption">{}</caption><tbody>{facts_html}</tbody></table>"#,
            lang.t("Over het document", "About the document")
        )
    };
    let attributes = v
        .attributes
        .as_ref()
        .map(|a| {
            attributes_table(
                a,
                lang,
                lang.t("Gegevens op het document", "Data on the document"),
            )
        })
        .unwrap_or_default();
    let warning = if v.verdict == Verdict::Echt {
        String::new()
    } else {
        format!(
            r#"<p class="utrecht-paragraph">{}</p>"#,
            lang.t(
                "Gebruik dit document niet. Vraag de inwoner om een nieuw uittreksel of om de gegevens via de Regie-app te delen.",
                "Do not rely on this document. Ask the resident for a new extract or to share the data through the Regie app."
            )
        )
    };
    format!(
        "{}{warning}{facts_table}{attributes}{}",
        verdict_box(&code, text),
        again(lang)
    )
}

fn statement_result(result: &Result<VerifiedStatement, StatementError>, lang: Lang) -> String {
    match result {
        Ok(s) => {
            let statements: String = s
                .statements
                .iter()
                .map(|t| {
                    let text = lang.t(&t.text, &t.text_en);
                    format!(r#"<blockquote class="utrecht-blockquote">{}</blockquote>"#, esc(text))
                })
                .collect();
            format!(
                r#"{box}<h2 class="utrecht-heading-2">{h}</h2>{statements}
<table class="regie-data"><tbody>
<tr><th scope="row">{for_label}</th><td>{party}</td></tr>
<tr><th scope="row">{purpose_label}</th><td>{purpose}</td></tr>
<tr><th scope="row">{signed_label}</th><td>{signed}</td></tr>
<tr><th scope="row">{issuer_label}</th><td>{issuer}</td></tr></tbody></table>
{signer}{again}"#,
                box = verdict_box(
                    "echt",
                    lang.t(
                        "Echt: deze verklaring is ondertekend met gegevens van de gemeente en niet gewijzigd",
                        "Genuine: this statement was signed with the municipality's data and is unchanged"
                    )
                ),
                h = lang.t("Verklaring", "Statement"),
                for_label = lang.t("Gegeven aan", "Given to"),
                party = esc(&s.relying_party),
                purpose_label = lang.t("Doel", "Purpose"),
                purpose = esc(&s.purpose),
                signed_label = lang.t("Ondertekend op", "Signed on"),
                signed = esc(&unix_date_text(s.signed_at, lang)),
                issuer_label = lang.t("Gegevens van", "Data from"),
                issuer = esc(s.issuer_name.as_deref().unwrap_or("—")),
                signer = attributes_table(&s.signer, lang, lang.t("Ondertekend door", "Signed by")),
                again = again(lang),
            )
        }
        Err(e) => format!(
            r#"{}<p class="utrecht-paragraph regie-hint">{}</p>{}"#,
            verdict_box(
                "vervalst",
                lang.t(
                    "Niet geldig: deze verklaring is gewijzigd of niet ondertekend door een inwoner",
                    "Not valid: this statement was altered or not signed by a resident"
                )
            ),
            esc(&e.to_string()),
            again(lang)
        ),
    }
}

fn unreadable(lang: Lang, detail: &str) -> String {
    format!(
        r#"{}<p class="utrecht-paragraph">{}</p><p class="utrecht-paragraph regie-hint">{}</p>{}"#,
        verdict_box(
            "onleesbaar",
            match lang {
                Lang::Nl => Verdict::Onleesbaar.dutch(),
                Lang::En => Verdict::Onleesbaar.english(),
            }
        ),
        lang.t(
            "Maak een scherpe foto van de hele QR-code, recht van voren en goed belicht, of plak de tekst.",
            "Take a sharp photo of the whole QR code, straight on and well lit, or paste the text."
        ),
        esc(detail),
        again(lang)
    )
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
            return (
                status,
                page(
                    Lang::Nl,
                    title(Lang::Nl),
                    PATH,
                    "Regie",
                    &unreadable(Lang::Nl, &detail),
                ),
            )
                .into_response()
        }
    };
    let lang = Lang::from_code(submission.lang.as_deref());
    let respond = |status: StatusCode, body: String| {
        (status, page(lang, title(lang), PATH, "Regie", &body)).into_response()
    };
    let file = &submission.file;
    if file.len() > MAX_IMAGE_BYTES {
        return respond(
            StatusCode::PAYLOAD_TOO_LARGE,
            unreadable(
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
                respond(status, statement_result(&result, lang))
            }
            Err(r) => r,
        };
    }
    let text = if !file.is_empty() {
        match verifier.images.qr_text(Bytes::from(submission.file)).await {
            Ok(text) => text,
            Err(e) => {
                let (status, detail) = image_problem(&e, lang);
                return respond(status, unreadable(lang, &detail));
            }
        }
    } else {
        submission.qr_text.trim().to_owned()
    };
    if text.is_empty() {
        return respond(
            StatusCode::BAD_REQUEST,
            format!(
                r#"<div class="regie-status" data-status="failed" role="alert" id="fout">{}</div>{}"#,
                lang.t(
                    "Kies een foto of bestand, of plak de tekst van de QR-code.",
                    "Choose a photo or file, or paste the QR code's text."
                ),
                form_html(lang)
            ),
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
    respond(status, document_result(&validation, lang))
}
