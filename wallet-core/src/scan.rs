//! What a scanned QR code holds for the wallet: a municipality's credential offer or a
//! relying party's request, read from its text or from a photo or screenshot of it.
use serde::Serialize;

use crate::error::WalletError;

/// The kinds of QR code the wallet acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScannedKind {
    /// `openid-credential-offer://`: data to add.
    Offer,
    /// `openid4vp://`: a request to answer.
    Request,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Scanned {
    pub kind: ScannedKind,
    pub uri: String,
}

/// Longest QR text considered (a QR code holds at most 4,296 characters).
const MAX_TEXT: usize = 4_296;

/// What `text` is. Links are only classified here; parsing and checking them is the job of
/// issuance and presentation.
pub fn classify(text: &str) -> Result<Scanned, WalletError> {
    let text = text.trim();
    if text.len() > MAX_TEXT {
        return Err(WalletError::NotAWalletCode);
    }
    let lower = text.to_ascii_lowercase();
    let kind = if lower.starts_with("openid-credential-offer://") {
        ScannedKind::Offer
    } else if lower.starts_with("openid4vp://") {
        ScannedKind::Request
    } else {
        return Err(WalletError::NotAWalletCode);
    };
    Ok(Scanned {
        kind,
        uri: text.to_owned(),
    })
}

/// Reads the QR codes in a PNG or JPEG picture and returns the first the wallet acts on.
pub fn scan_image(bytes: &[u8]) -> Result<Scanned, WalletError> {
    let texts = regie_qr_image::read_qr_texts(bytes)
        .map_err(|e| WalletError::UnreadableImage(e.to_string()))?;
    texts
        .iter()
        .find_map(|t| classify(t).ok())
        .ok_or(WalletError::NotAWalletCode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_told_apart() {
        assert_eq!(
            classify(" openid4vp://?client_id=x&request_uri=y ")
                .unwrap()
                .kind,
            ScannedKind::Request
        );
        assert_eq!(
            classify("openid-credential-offer://?credential_offer_uri=z")
                .unwrap()
                .kind,
            ScannedKind::Offer
        );
        for other in ["RG1:ABC", "https://example.org", "", &"x".repeat(5000)] {
            assert!(matches!(classify(other), Err(WalletError::NotAWalletCode)));
        }
    }

    #[test]
    fn garbage_pictures_are_refused() {
        assert!(matches!(
            scan_image(b"not a picture"),
            Err(WalletError::UnreadableImage(_))
        ));
    }
}
