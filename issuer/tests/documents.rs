//! Printable extracts end to end: the PDF the back office (and later the portal) hands out is
//! rendered to an image with poppler's `pdftoppm`, exactly as a scanner would, its QR code
//! read back with `rqrr`, and the signed content verified with `protocol`; every test person
//! of the BRP set prints, Unicode names included; documents are listed and revocable.
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use protocol::document::decode_document;
use protocol::jose::SigningKey;
use protocol::status_list::{Status, UnverifiedStatusListToken};
use regie_issuer::person::{FixtureSource, PersonSource};
use regie_issuer::routes::router;
use regie_issuer::service::{Issuer, SystemClock};
use regie_issuer::store::Store;
use serde_json::{json, Value};

const ADMIN: &str = "test-admin-token";

struct Server {
    base: String,
    http: reqwest::Client,
    key: SigningKey,
    dir: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn start() -> Server {
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "regie-documents-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let key = SigningKey::generate().with_kid("test-issuer");
    let issuer = Arc::new(Issuer {
        public_url: base.clone(),
        key: key.clone(),
        store: Store::open(&dir.join("db")).unwrap(),
        persons: Arc::new(FixtureSource::embedded().unwrap()),
        admin_token: ADMIN.into(),
        batch_size: 3,
        clock: Arc::new(SystemClock),
    });
    regie_ops::logging::for_tests();
    tokio::spawn(async move { axum::serve(listener, router(issuer)).await.unwrap() });
    Server {
        base,
        http: reqwest::Client::new(),
        key,
        dir,
    }
}

impl Server {
    async fn document(&self, bsn: &str, kind: &str) -> (u16, Option<String>, Vec<u8>) {
        let r = self
            .http
            .post(format!("{}/api/documents", self.base))
            .bearer_auth(ADMIN)
            .json(&json!({"bsn": bsn, "kind": kind}))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let id = r
            .headers()
            .get("x-document-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        (status, id, r.bytes().await.unwrap().to_vec())
    }
}

/// Page one of `pdf` as a grey image at `dpi`, through poppler like a scanner would see it.
fn rasterise(dir: &std::path::Path, pdf: &[u8], dpi: u32) -> image::GrayImage {
    let pdf_path = dir.join("extract.pdf");
    std::fs::write(&pdf_path, pdf).unwrap();
    let prefix = dir.join("page");
    let status = Command::new("pdftoppm")
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

fn pdf_text(dir: &std::path::Path, pdf: &[u8]) -> String {
    let pdf_path = dir.join("text.pdf");
    std::fs::write(&pdf_path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg(&pdf_path)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

fn read_qr(img: &image::GrayImage) -> String {
    let mut prepared = rqrr::PreparedImage::prepare(img.clone());
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the page");
    grids[0].decode().unwrap().1
}

#[tokio::test(flavor = "multi_thread")]
async fn every_test_person_prints_a_scannable_verifiable_extract() {
    let s = start().await;
    let source = FixtureSource::embedded().unwrap();
    let persons = source.list().await.unwrap();
    assert!(persons.len() >= 10);
    for (i, summary) in persons.iter().enumerate() {
        let person = source.get(&summary.bsn).await.unwrap().unwrap();
        // The kinds rotate over the persons to keep the test short; the person with the
        // most unusual name, the longest history and a custodian get every kind.
        let every = ["uittreksel-brp", "woonhistorie", "naam-adres"];
        let kinds: &[&str] =
            if ["999994669", "999993653", "999994542"].contains(&summary.bsn.as_str()) {
                &every
            } else {
                &every[i % 3..i % 3 + 1]
            };
        for kind in kinds {
            let (status, id, pdf) = s.document(person.bsn.as_str(), kind).await;
            assert_eq!(status, 200, "{kind} for {}", person.bsn.as_str());
            assert!(pdf.starts_with(b"%PDF-"));
            assert!(id.is_some());
            let text = pdf_text(&s.dir, &pdf);
            // The name is printed in the embedded font, Unicode included.
            assert!(
                text.contains(&person.name.family_name),
                "{kind}: family name printed"
            );
            let qr_text = read_qr(&rasterise(&s.dir, &pdf, 200));
            let document = decode_document(&qr_text)
                .unwrap()
                .verify(s.key.public_jwk(), now())
                .unwrap();
            assert_eq!(document.kind().id(), *kind);
            assert_eq!(document.issuer(), s.base);
            assert_eq!(
                document.attributes()["family_name"],
                json!(person.name.family_name)
            );
            assert!(document.status().is_some(), "revocable");
            // The full extract lists the children in custody; the others do not.
            let custody = document.attributes().get("custody");
            if *kind == "uittreksel-brp" && !person.custody.is_empty() {
                assert_eq!(custody.and_then(|c| c.as_array()).map(Vec::len), Some(2));
                assert!(text.contains("Gezag over minderjarigen"), "{text}");
                assert!(
                    text.contains("Zoey den Braber, geboren 14 november 2018"),
                    "{text}"
                );
            } else {
                assert!(custody.is_none(), "{kind} for {}", person.bsn.as_str());
            }
        }
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test(flavor = "multi_thread")]
async fn documents_are_listed_and_revocable() {
    let s = start().await;
    let (_, id, pdf) = s.document("999993653", "woonhistorie").await;
    let id = id.unwrap();
    let qr_text = read_qr(&rasterise(&s.dir, &pdf, 200));
    let document = decode_document(&qr_text)
        .unwrap()
        .verify(s.key.public_jwk(), now())
        .unwrap();
    let idx = document.status().unwrap().idx;

    let list: Value = s
        .http
        .get(format!("{}/api/persons/999993653/credentials", s.base))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed = list["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id.as_str())
        .expect("the document is listed");
    assert_eq!(listed["credential_type"], "document:woonhistorie");

    let status_of = || async {
        let jwt = s
            .http
            .get(format!("{}/status/1", s.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        UnverifiedStatusListToken::parse(&jwt)
            .unwrap()
            .verify(s.key.public_jwk(), &format!("{}/status/1", s.base), now())
            .unwrap()
            .status_at(idx)
            .unwrap()
    };
    assert_eq!(status_of().await, Status::Valid);
    let r = s
        .http
        .post(format!("{}/api/credentials/{id}/revoke", s.base))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(status_of().await, Status::Invalid);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_document_requests_are_refused() {
    let s = start().await;
    assert_eq!(s.document("999999990", "uittreksel-brp").await.0, 404);
    assert_eq!(s.document("12345", "uittreksel-brp").await.0, 400);
    assert_eq!(s.document("999993653", "paspoort").await.0, 400);
    let no_token = s
        .http
        .post(format!("{}/api/documents", s.base))
        .json(&json!({"bsn": "999993653", "kind": "naam-adres"}))
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), 401);
    let malformed = s
        .http
        .post(format!("{}/api/documents", s.base))
        .bearer_auth(ADMIN)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    // Nothing was recorded by any of these.
    let list: Value = s
        .http
        .get(format!("{}/api/persons/999993653/credentials", s.base))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["credentials"], json!([]));
}
