//! Validating a printed or shared document by its QR text: the verdict a clerk needs (echt,
//! vervalst, onbekende uitgever, ingetrokken, verlopen, onleesbaar) with the attributes and
//! the issuer when it is genuine.
use protocol::document::{decode_document, DocumentError};
use protocol::status_list::Status;
use protocol::trust::VerifiedTrustList;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::status_cache::StatusCache;

/// The verdict on a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Echt,
    Vervalst,
    OnbekendeUitgever,
    Ingetrokken,
    Verlopen,
    Onleesbaar,
}

impl Verdict {
    /// Plain Dutch for the validator page.
    pub fn dutch(self) -> &'static str {
        match self {
            Verdict::Echt => "Echt: uitgegeven door een bekende gemeente en niet gewijzigd",
            Verdict::Vervalst => "Vervalst: de handtekening klopt niet bij de inhoud",
            Verdict::OnbekendeUitgever => {
                "Onbekende uitgever: niet ondertekend door een gemeente op de vertrouwenslijst"
            }
            Verdict::Ingetrokken => "Ingetrokken: de gemeente heeft dit document ingetrokken",
            Verdict::Verlopen => "Verlopen: de geldigheid van dit document is voorbij",
            Verdict::Onleesbaar => "Onleesbaar: dit is geen leesbare Regie-QR-code",
        }
    }

    pub fn english(self) -> &'static str {
        match self {
            Verdict::Echt => "Genuine: issued by a known municipality and unchanged",
            Verdict::Vervalst => "Forged: the signature does not match the content",
            Verdict::OnbekendeUitgever => {
                "Unknown issuer: not signed by a municipality on the trust list"
            }
            Verdict::Ingetrokken => "Revoked: the municipality has withdrawn this document",
            Verdict::Verlopen => "Expired: this document is no longer valid",
            Verdict::Onleesbaar => "Unreadable: this is not a readable Regie QR code",
        }
    }
}

/// The outcome of a validation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Validation {
    pub verdict: Verdict,
    pub message: String,
    pub issuer: Option<String>,
    pub issuer_name: Option<String>,
    pub kind: Option<String>,
    pub issued_at: Option<u64>,
    pub expires_at: Option<u64>,
    /// Only for genuine, expired and revoked documents.
    pub attributes: Option<Map<String, Value>>,
    /// `geldig`, `ingetrokken`, or `onbekend` when the status list could not be reached
    /// (the signature alone was checked, offline).
    pub status: Option<&'static str>,
}

fn verdict_only(verdict: Verdict, issuer: Option<String>) -> Validation {
    Validation {
        verdict,
        message: verdict.dutch().into(),
        issuer,
        issuer_name: None,
        kind: None,
        issued_at: None,
        expires_at: None,
        attributes: None,
        status: None,
    }
}

/// The document's QR text in a photo or scan: a Regie code when there is one, else the
/// first code found (which then gets its own verdict). Blocking pixel work: call it through
/// [`crate::image_pool::ImagePool`].
pub fn qr_text_in_image(
    image: &[u8],
    deadline: Option<std::time::Instant>,
) -> Result<String, regie_qr_image::ImageError> {
    let texts = regie_qr_image::read_qr_texts_until(image, deadline)?;
    Ok(texts
        .iter()
        .find(|t| t.starts_with(protocol::document::QR_PREFIX))
        .or(texts.first())
        .cloned()
        .unwrap_or_default())
}

/// Validates a document's QR text.
pub async fn validate(
    qr_text: &str,
    trust: &VerifiedTrustList,
    status: &StatusCache,
    now: u64,
) -> Validation {
    let unverified = match decode_document(qr_text.trim()) {
        Ok(u) => u,
        Err(DocumentError::BadSignature | DocumentError::WrongAlgorithm) => {
            return verdict_only(Verdict::Vervalst, None)
        }
        Err(_) => return verdict_only(Verdict::Onleesbaar, None),
    };
    let claimed = unverified.issuer_unverified().to_owned();
    let Some(key) = trust.issuer_key(&claimed, Some(unverified.kid())).cloned() else {
        return verdict_only(Verdict::OnbekendeUitgever, Some(claimed));
    };
    // Expiry is judged after the signature: an expired forgery is a forgery.
    let (verified, expired) = match unverified.clone().verify(&key, now) {
        Ok(v) => (v, false),
        Err(DocumentError::Expired) => match unverified.verify(&key, 0) {
            Ok(v) => (v, true),
            Err(_) => return verdict_only(Verdict::Vervalst, Some(claimed)),
        },
        Err(_) => return verdict_only(Verdict::Vervalst, Some(claimed)),
    };
    let content = verified.content();
    let mut out = Validation {
        verdict: Verdict::Echt,
        message: String::new(),
        issuer: Some(verified.issuer().to_owned()),
        issuer_name: trust.issuer(verified.issuer()).map(|i| i.name.nl.clone()),
        kind: Some(verified.kind().id().to_owned()),
        issued_at: Some(content.iat),
        expires_at: Some(content.exp),
        attributes: Some(verified.attributes().clone()),
        status: None,
    };
    if expired {
        out.verdict = Verdict::Verlopen;
    } else if let Some(reference) = verified.status() {
        match status
            .status(verified.issuer(), reference, trust, now)
            .await
        {
            Ok(Status::Valid) => out.status = Some("geldig"),
            Ok(_) => {
                out.verdict = Verdict::Ingetrokken;
                out.status = Some("ingetrokken");
            }
            Err(_) => out.status = Some("onbekend"),
        }
    }
    out.message = out.verdict.dutch().into();
    out
}
