//! The document validator: QR texts and photographed or scanned QR codes of signed documents,
//! genuine, forged, from an unknown issuer, expired and revoked; and garbage.
mod common;

use common::*;
use image::{GrayImage, Luma};
use protocol::document::{encode_qr_text, render_qr, sign_document, DocumentContent, DocumentKind};
use protocol::jose::SigningKey;
use protocol::sd_jwt::UnverifiedSdJwt;
use protocol::status_list::StatusReference;
use serde_json::{json, Map, Value};

/// A status list entry of a real credential, so that revoking it revokes the document.
async fn status_reference(w: &World) -> StatusReference {
    let creds = w.raw_credentials("uittreksel-brp").await;
    let parsed = UnverifiedSdJwt::parse(&creds[0].0).unwrap();
    let claims: Value = parsed.issuer_jws().claims_unverified().unwrap();
    StatusReference::from_claim(&claims["status"]).unwrap()
}

fn attributes() -> Map<String, Value> {
    json!({"bsn": BSN, "given_name": "Suzanne", "family_name": "Moulin",
           "birthdate": "1985-12-01", "address": {"street": "Boterdiep", "house_number": 31,
           "postal_code": "3077AW", "locality": "Rotterdam"}})
    .as_object()
    .unwrap()
    .clone()
}

fn document(
    w: &World,
    key: &SigningKey,
    issuer: &str,
    exp: u64,
    status: Option<StatusReference>,
) -> String {
    let _ = w;
    let content = DocumentContent {
        issuer: issuer.to_owned(),
        iat: now() - 60,
        exp,
        kind: DocumentKind::UittrekselBrp,
        attributes: attributes(),
        status,
    };
    encode_qr_text(&sign_document(&content, key).unwrap())
}

async fn verify_text(w: &World, text: &str) -> (u16, Value) {
    let r = w
        .http
        .post(format!("{}/api/documents/verify", w.verifier_url))
        .json(&json!({"qr_text": text}))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn verify_image(w: &World, bytes: Vec<u8>, content_type: &str) -> (u16, Value) {
    let r = w
        .http
        .post(format!("{}/api/documents/verify", w.verifier_url))
        .header("content-type", content_type)
        .body(bytes)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn qr_texts_get_the_right_verdict() {
    let w = World::start().await;
    let status = status_reference(&w).await;
    let genuine = document(
        &w,
        &w.issuer_key,
        &w.issuer_url,
        now() + 86_400,
        Some(status.clone()),
    );
    let (code, v) = verify_text(&w, &genuine).await;
    assert_eq!(code, 200);
    assert_eq!(
        (v["verdict"].as_str(), v["status"].as_str()),
        (Some("echt"), Some("geldig")),
        "{v}"
    );
    assert_eq!(v["attributes"]["family_name"], "Moulin");
    assert_eq!(v["issuer_name"], "Gemeente Test");

    let impostor = SigningKey::generate().with_kid("test-issuer");
    let forged = document(&w, &impostor, &w.issuer_url, now() + 86_400, None);
    assert_eq!(verify_text(&w, &forged).await.1["verdict"], "vervalst");
    assert!(
        verify_text(&w, &forged).await.1["attributes"].is_null(),
        "no data from a forgery"
    );

    let unknown = document(
        &w,
        &impostor,
        "https://nep-gemeente.example",
        now() + 86_400,
        None,
    );
    assert_eq!(
        verify_text(&w, &unknown).await.1["verdict"],
        "onbekende_uitgever"
    );

    let expired = document(&w, &w.issuer_key, &w.issuer_url, now() - 10, None);
    assert_eq!(verify_text(&w, &expired).await.1["verdict"], "verlopen");

    for garbage in [
        "",
        "hallo",
        "RG1:",
        "RG1:%%%%",
        &genuine[..genuine.len() / 2],
    ] {
        assert_eq!(
            verify_text(&w, garbage).await.1["verdict"],
            "onleesbaar",
            "{garbage:.20}"
        );
    }
    // Plain text bodies work too.
    let r = w
        .http
        .post(format!("{}/api/documents/verify", w.verifier_url))
        .header("content-type", "text/plain")
        .body(genuine.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["verdict"], "echt");

    w.record_move().await;
    w.verifier.status.clear();
    let (_, v) = verify_text(&w, &genuine).await;
    assert_eq!(v["verdict"], "ingetrokken", "{v}");
}

/// The QR code as a clean image: `scale` pixels per module, 4 modules of quiet zone.
fn draw(text: &str, scale: u32) -> GrayImage {
    let m = render_qr(text).unwrap();
    let size = (m.width as u32 + 8) * scale;
    GrayImage::from_fn(size, size, |x, y| {
        let (mx, my) = (x / scale, y / scale);
        let inside = mx >= 4 && my >= 4 && (mx - 4) < m.width as u32 && (my - 4) < m.width as u32;
        let dark = inside && m.is_dark((mx - 4) as usize, (my - 4) as usize);
        Luma([if dark { 20 } else { 235 }])
    })
}

/// Rotated by `degrees` around the centre on a larger light background, like a photo taken
/// slightly askew.
fn rotate(img: &GrayImage, degrees: f32) -> GrayImage {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let size = (w.max(h) * 1.5) as u32;
    let (sin, cos) = degrees.to_radians().sin_cos();
    let c = size as f32 / 2.0;
    GrayImage::from_fn(size, size, |x, y| {
        let (dx, dy) = (x as f32 - c, y as f32 - c);
        let sx = cos * dx + sin * dy + w / 2.0;
        let sy = -sin * dx + cos * dy + h / 2.0;
        if sx >= 0.0 && sy >= 0.0 && sx < w && sy < h {
            *img.get_pixel(sx as u32, sy as u32)
        } else {
            Luma([225])
        }
    })
}

fn noisy(img: &GrayImage, amplitude: i32, seed: u64) -> GrayImage {
    let mut state = seed;
    GrayImage::from_fn(img.width(), img.height(), |x, y| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let noise = ((state >> 33) % (2 * amplitude as u64 + 1)) as i32 - amplitude;
        // Uneven light: darker towards one corner.
        let shade = ((x + y) / 40) as i32;
        Luma([(img.get_pixel(x, y)[0] as i32 + noise - shade).clamp(0, 255) as u8])
    })
}

fn scaled(img: &GrayImage, factor: f32) -> GrayImage {
    let w = (img.width() as f32 * factor) as u32;
    let h = (img.height() as f32 * factor) as u32;
    image::imageops::resize(img, w, h, image::imageops::FilterType::Triangle)
}

fn encode(img: &GrayImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageLuma8(img.clone())
        .write_to(&mut out, format)
        .unwrap();
    out.into_inner()
}

#[tokio::test(flavor = "multi_thread")]
async fn photographed_and_scanned_codes_are_read() {
    let w = World::start().await;
    let genuine = document(&w, &w.issuer_key, &w.issuer_url, now() + 86_400, None);
    let clean = draw(&genuine, 5);
    let variants: Vec<(&str, GrayImage)> = vec![
        ("clean", clean.clone()),
        ("scaled down to 60%", scaled(&clean, 0.6)),
        ("scaled up 2.3x", scaled(&clean, 2.3)),
        ("rotated 4 degrees", rotate(&clean, 4.0)),
        (
            "rotated -7 degrees, noisy",
            noisy(&rotate(&clean, -7.0), 35, 7),
        ),
        ("noisy and unevenly lit", noisy(&clean, 50, 11)),
    ];
    for (name, img) in variants {
        for (format, content_type) in [
            (image::ImageFormat::Png, "image/png"),
            (image::ImageFormat::Jpeg, "image/jpeg"),
        ] {
            let (code, v) = verify_image(&w, encode(&img, format), content_type).await;
            assert_eq!(
                (code, v["verdict"].as_str()),
                (200, Some("echt")),
                "{name} {content_type}: {v}"
            );
        }
    }
    let blank = GrayImage::from_pixel(400, 300, Luma([240]));
    let (code, v) = verify_image(&w, encode(&blank, image::ImageFormat::Png), "image/png").await;
    assert_eq!((code, v["verdict"].as_str()), (422, Some("onleesbaar")));
    let (code, _) = verify_image(&w, b"\x89PNG not really".to_vec(), "image/png").await;
    assert_eq!(code, 422);
    // The server answers 413 as soon as the length is known, without reading the body, so
    // the client may also see its upload cut off; either way nothing is accepted.
    let oversized = w
        .http
        .post(format!("{}/api/documents/verify", w.verifier_url))
        .header("content-type", "image/png")
        .body(vec![0u8; 13 * 1024 * 1024])
        .send()
        .await;
    match oversized {
        Ok(r) => assert_eq!(r.status(), 413, "oversized upload"),
        Err(e) => assert!(e.is_request() && !e.is_timeout(), "{e}"),
    }
}

/// Page one of a PDF as a grey image, rendered by poppler as a scanner or printer would.
fn rasterise_pdf(dir: &std::path::Path, pdf: &[u8], dpi: u32) -> GrayImage {
    let pdf_path = dir.join("extract.pdf");
    std::fs::write(&pdf_path, pdf).unwrap();
    let prefix = dir.join("extract-page");
    let status = std::process::Command::new("pdftoppm")
        .args([
            "-r",
            &dpi.to_string(),
            "-png",
            "-gray",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
        ])
        .arg(&pdf_path)
        .arg(&prefix)
        .status()
        .expect("pdftoppm (poppler-utils) is installed by scripts/test.sh");
    assert!(status.success());
    image::open(prefix.with_extension("png"))
        .unwrap()
        .to_luma8()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_photographed_pdf_extract_from_the_issuer_is_verified() {
    let w = World::start().await;
    let r = w
        .http
        .post(format!("{}/api/documents", w.issuer_url))
        .bearer_auth(ADMIN)
        .json(&json!({"bsn": BSN, "kind": "woonhistorie"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let document_id = r.headers()["x-document-id"].to_str().unwrap().to_owned();
    let pdf = r.bytes().await.unwrap();
    // A phone photo of the printed page's lower half, where the code is: slightly turned,
    // grainy, unevenly lit, JPEG.
    let page = rasterise_pdf(&w.dir.0, &pdf, 200);
    let lower =
        image::imageops::crop_imm(&page, 0, page.height() / 2, page.width(), page.height() / 2)
            .to_image();
    let photo = noisy(&rotate(&lower, 3.0), 30, 5);
    // Phone cameras save JPEG at quality 90 or better.
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&photo)
        .unwrap();
    let (code, v) = verify_image(&w, jpeg.clone(), "image/jpeg").await;
    assert_eq!((code, v["verdict"].as_str()), (200, Some("echt")), "{v}");
    assert_eq!(v["kind"], "woonhistorie");
    assert_eq!(v["status"], "geldig");
    assert_eq!(v["attributes"]["family_name"], "Moulin");
    assert!(v["attributes"]["addresses"].as_array().unwrap().len() >= 2);

    // The citizen revokes the extract (or moves): the same photo is now refused.
    let r = w
        .http
        .post(format!(
            "{}/api/credentials/{document_id}/revoke",
            w.issuer_url
        ))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    w.verifier.status.clear();
    let (_, v) = verify_image(&w, jpeg, "image/jpeg").await;
    assert_eq!(v["verdict"], "ingetrokken", "{v}");
}
