//! Signed documents ("waardepapieren"): the municipality signs exactly the content of a
//! document kind as a COSE_Sign1 CWT with ES256, printed on paper as a QR code whose text is
//! `RG1:` + Base45(zlib(COSE bytes)) — the EU Digital COVID Certificate pattern. A verifier
//! checks it offline against the issuer's key, and online also against the status list.
//!
//! CWT claims (a CBOR map with integer keys):
//!
//! | key | claim | value |
//! |---|---|---|
//! | 1 | `iss` (RFC 8392) | text: issuer identifier |
//! | 4 | `exp` | integer, Unix seconds |
//! | 6 | `iat` | integer, Unix seconds |
//! | 65535 | `status` (Token Status List, CWT form) | `{"status_list": {"idx": n, "uri": text}}` |
//! | -65537 | document kind (private) | text: `uittreksel-brp`, `woonhistorie`, `naam-adres` |
//! | -65538 | attributes (private) | map: the same claim names as the credentials |
//!
//! Protected header: `alg` ES256 (-7) and `kid` (the UTF-8 bytes of the key id).

use std::io::{Read, Write};

use ciborium::value::Value as Cbor;
use coset::{
    iana, CborSerializable, CoseSign1, CoseSign1Builder, HeaderBuilder, TaggedCborSerializable,
};
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use flate2::Compression;
use serde_json::{Map, Number, Value};

use crate::jose::{PublicJwk, SigningKey};
use crate::status_list::StatusReference;

/// Prefix of a document's QR text.
pub const QR_PREFIX: &str = "RG1:";
/// Longest QR text accepted (a version 40 QR holds at most 4,296 alphanumeric characters).
pub const MAX_QR_TEXT_LEN: usize = 4_296;
/// Largest COSE document accepted, compressed or not.
pub const MAX_COSE_LEN: usize = 16 * 1024;
/// Deepest nesting of attributes accepted.
pub const MAX_DEPTH: usize = 16;

const CLAIM_ISS: i64 = 1;
const CLAIM_EXP: i64 = 4;
const CLAIM_IAT: i64 = 6;
const CLAIM_STATUS: i64 = 65535;
const CLAIM_KIND: i64 = -65537;
const CLAIM_ATTRIBUTES: i64 = -65538;

/// Errors from signing, encoding, decoding and verifying documents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("not a Regie document QR code: it must start with RG1:")]
    WrongPrefix,
    #[error("QR text too long: limit {MAX_QR_TEXT_LEN} characters")]
    TooLong,
    #[error("QR text is not valid Base45")]
    BadBase45,
    #[error("QR content is not valid zlib data")]
    BadCompression,
    #[error("document too large: limit {MAX_COSE_LEN} bytes")]
    TooLarge,
    #[error("not a COSE_Sign1 document")]
    NotCose,
    #[error("document claim {0} is missing or malformed")]
    BadClaim(&'static str),
    #[error("unsupported algorithm: only ES256 is accepted")]
    WrongAlgorithm,
    #[error("unknown document kind")]
    UnknownKind,
    #[error("signature does not verify")]
    BadSignature,
    #[error("document has expired")]
    Expired,
    #[error("attributes cannot be encoded: {0}")]
    Unencodable(&'static str),
    #[error("QR code cannot hold this much data")]
    QrTooBig,
    #[error("text has characters outside the QR alphanumeric set")]
    NotAlphanumeric,
}

/// What a document contains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// Full BRP extract.
    UittrekselBrp,
    /// Address history.
    Woonhistorie,
    /// Name and address.
    NaamAdres,
}

impl DocumentKind {
    /// Every kind.
    pub const ALL: [DocumentKind; 3] = [
        DocumentKind::UittrekselBrp,
        DocumentKind::Woonhistorie,
        DocumentKind::NaamAdres,
    ];

    /// The identifier in the CWT.
    pub fn id(self) -> &'static str {
        match self {
            DocumentKind::UittrekselBrp => "uittreksel-brp",
            DocumentKind::Woonhistorie => "woonhistorie",
            DocumentKind::NaamAdres => "naam-adres",
        }
    }

    /// The kind with identifier `id`.
    pub fn from_id(id: &str) -> Option<DocumentKind> {
        Self::ALL.into_iter().find(|k| k.id() == id)
    }
}

/// The signed content of a document.
#[derive(Clone, Debug, PartialEq)]
pub struct DocumentContent {
    pub issuer: String,
    pub iat: u64,
    pub exp: u64,
    pub kind: DocumentKind,
    /// The attributes, a JSON object.
    pub attributes: Map<String, Value>,
    pub status: Option<StatusReference>,
}

/// Signs `content` as a tagged COSE_Sign1 with ES256; `kid` comes from the key.
pub fn sign_document(
    content: &DocumentContent,
    key: &SigningKey,
) -> Result<Vec<u8>, DocumentError> {
    let mut claims = vec![
        (int(CLAIM_ISS), Cbor::Text(content.issuer.clone())),
        (int(CLAIM_EXP), Cbor::Integer(content.exp.into())),
        (int(CLAIM_IAT), Cbor::Integer(content.iat.into())),
        (int(CLAIM_KIND), Cbor::Text(content.kind.id().into())),
        (
            int(CLAIM_ATTRIBUTES),
            json_to_cbor(&Value::Object(content.attributes.clone()), 0)?,
        ),
    ];
    if let Some(status) = &content.status {
        claims.push((int(CLAIM_STATUS), json_to_cbor(&status.to_claim(), 0)?));
    }
    let mut payload = Vec::new();
    ciborium::into_writer(&Cbor::Map(claims), &mut payload)
        .map_err(|_| DocumentError::Unencodable("claims"))?;
    let protected = HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .key_id(key.kid().unwrap_or_default().as_bytes().to_vec())
        .build();
    CoseSign1Builder::new()
        .protected(protected)
        .payload(payload)
        .create_signature(b"", |tbs| key.sign_es256(tbs).to_vec())
        .build()
        .to_tagged_vec()
        .map_err(|_| DocumentError::Unencodable("COSE_Sign1"))
}

fn int(n: i64) -> Cbor {
    Cbor::Integer(n.into())
}

/// `RG1:` + Base45(zlib(cose)).
pub fn encode_qr_text(cose: &[u8]) -> String {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
    // Writing into a Vec cannot fail.
    let compressed = encoder
        .write_all(cose)
        .and_then(|()| encoder.finish())
        .unwrap_or_default();
    format!("{QR_PREFIX}{}", base45::encode(compressed))
}

/// The COSE bytes inside a QR text, inflating at most [`MAX_COSE_LEN`] bytes.
pub fn decode_qr_text(text: &str) -> Result<Vec<u8>, DocumentError> {
    if text.len() > MAX_QR_TEXT_LEN {
        return Err(DocumentError::TooLong);
    }
    // Scanners may add a trailing newline; nothing else is forgiven.
    let body = text
        .trim_end_matches(['\r', '\n'])
        .strip_prefix(QR_PREFIX)
        .ok_or(DocumentError::WrongPrefix)?;
    let compressed = base45::decode(body).map_err(|_| DocumentError::BadBase45)?;
    let mut cose = Vec::new();
    ZlibDecoder::new(compressed.as_slice())
        .take(MAX_COSE_LEN as u64 + 1)
        .read_to_end(&mut cose)
        .map_err(|_| DocumentError::BadCompression)?;
    if cose.len() > MAX_COSE_LEN {
        return Err(DocumentError::TooLarge);
    }
    Ok(cose)
}

/// Decodes a QR text into an unverified document.
pub fn decode_document(text: &str) -> Result<UnverifiedDocument, DocumentError> {
    UnverifiedDocument::from_cose(&decode_qr_text(text)?)
}

/// A document as read from a QR code: decoded, claims parsed, signature not yet checked.
#[derive(Clone, Debug)]
pub struct UnverifiedDocument {
    sign1: CoseSign1,
    content: DocumentContent,
    kid: String,
}

impl UnverifiedDocument {
    /// Parses COSE_Sign1 bytes (tagged or untagged) of at most [`MAX_COSE_LEN`] bytes.
    pub fn from_cose(bytes: &[u8]) -> Result<Self, DocumentError> {
        if bytes.len() > MAX_COSE_LEN {
            return Err(DocumentError::TooLarge);
        }
        let sign1 = CoseSign1::from_tagged_slice(bytes)
            .or_else(|_| CoseSign1::from_slice(bytes))
            .map_err(|_| DocumentError::NotCose)?;
        if sign1.protected.header.alg
            != Some(coset::RegisteredLabelWithPrivate::Assigned(
                iana::Algorithm::ES256,
            ))
        {
            return Err(DocumentError::WrongAlgorithm);
        }
        let kid = String::from_utf8(sign1.protected.header.key_id.clone())
            .map_err(|_| DocumentError::BadClaim("kid"))?;
        let payload = sign1
            .payload
            .as_deref()
            .ok_or(DocumentError::BadClaim("payload"))?;
        let content = parse_claims(payload)?;
        Ok(UnverifiedDocument {
            sign1,
            content,
            kid,
        })
    }

    /// The key id in the protected header, to pick the issuer's key.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The claimed issuer, NOT authenticated: only for picking the key.
    pub fn issuer_unverified(&self) -> &str {
        &self.content.issuer
    }

    /// Checks the signature with `key` and expiry at `now`.
    pub fn verify(self, key: &PublicJwk, now: u64) -> Result<VerifiedDocument, DocumentError> {
        self.sign1
            .verify_signature(b"", |signature, tbs| key.verify_es256(tbs, signature))
            .map_err(|_| DocumentError::BadSignature)?;
        if self.content.exp <= now {
            return Err(DocumentError::Expired);
        }
        Ok(VerifiedDocument {
            content: self.content,
            kid: self.kid,
        })
    }
}

/// A document whose signature and validity were checked (status not included: check
/// [`VerifiedDocument::status`] against the status list when online).
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedDocument {
    content: DocumentContent,
    kid: String,
}

impl VerifiedDocument {
    /// The signed content.
    pub fn content(&self) -> &DocumentContent {
        &self.content
    }
    /// The issuer.
    pub fn issuer(&self) -> &str {
        &self.content.issuer
    }
    /// The kind.
    pub fn kind(&self) -> DocumentKind {
        self.content.kind
    }
    /// The attributes.
    pub fn attributes(&self) -> &Map<String, Value> {
        &self.content.attributes
    }
    /// The status list reference, if revocable.
    pub fn status(&self) -> Option<&StatusReference> {
        self.content.status.as_ref()
    }
    /// The key id it was signed with.
    pub fn kid(&self) -> &str {
        &self.kid
    }
}

fn parse_claims(payload: &[u8]) -> Result<DocumentContent, DocumentError> {
    let Cbor::Map(entries) =
        ciborium::from_reader::<Cbor, _>(payload).map_err(|_| DocumentError::BadClaim("claims"))?
    else {
        return Err(DocumentError::BadClaim("claims"));
    };
    let get = |key: i64| {
        entries.iter().find_map(|(k, v)| match k {
            Cbor::Integer(i) if i128::from(*i) == i128::from(key) => Some(v),
            _ => None,
        })
    };
    let text = |key: i64, name: &'static str| match get(key) {
        Some(Cbor::Text(t)) => Ok(t.clone()),
        _ => Err(DocumentError::BadClaim(name)),
    };
    let time = |key: i64, name: &'static str| match get(key) {
        Some(Cbor::Integer(i)) => u64::try_from(*i).map_err(|_| DocumentError::BadClaim(name)),
        _ => Err(DocumentError::BadClaim(name)),
    };
    let kind =
        DocumentKind::from_id(&text(CLAIM_KIND, "kind")?).ok_or(DocumentError::UnknownKind)?;
    let attributes = match get(CLAIM_ATTRIBUTES).map(|v| cbor_to_json(v, 0)) {
        Some(Ok(Value::Object(map))) => map,
        _ => return Err(DocumentError::BadClaim("attributes")),
    };
    let status = match get(CLAIM_STATUS) {
        None => None,
        Some(v) => {
            let json = cbor_to_json(v, 0)?;
            Some(
                StatusReference::from_claim(&json)
                    .map_err(|_| DocumentError::BadClaim("status"))?,
            )
        }
    };
    Ok(DocumentContent {
        issuer: text(CLAIM_ISS, "iss")?,
        iat: time(CLAIM_IAT, "iat")?,
        exp: time(CLAIM_EXP, "exp")?,
        kind,
        attributes,
        status,
    })
}

fn json_to_cbor(value: &Value, depth: usize) -> Result<Cbor, DocumentError> {
    if depth > MAX_DEPTH {
        return Err(DocumentError::Unencodable("nested too deeply"));
    }
    Ok(match value {
        Value::Null => Cbor::Null,
        Value::Bool(b) => Cbor::Bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Cbor::Integer(i.into())
            } else if let Some(u) = n.as_u64() {
                Cbor::Integer(u.into())
            } else {
                return Err(DocumentError::Unencodable("fractional numbers"));
            }
        }
        Value::String(s) => Cbor::Text(s.clone()),
        Value::Array(items) => Cbor::Array(
            items
                .iter()
                .map(|v| json_to_cbor(v, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Cbor::Map(
            map.iter()
                .map(|(k, v)| Ok((Cbor::Text(k.clone()), json_to_cbor(v, depth + 1)?)))
                .collect::<Result<_, DocumentError>>()?,
        ),
    })
}

fn cbor_to_json(value: &Cbor, depth: usize) -> Result<Value, DocumentError> {
    if depth > MAX_DEPTH {
        return Err(DocumentError::BadClaim("attributes"));
    }
    let bad = DocumentError::BadClaim("attributes");
    Ok(match value {
        Cbor::Null => Value::Null,
        Cbor::Bool(b) => Value::Bool(*b),
        Cbor::Integer(i) => {
            let i = i128::from(*i);
            if let Ok(n) = i64::try_from(i) {
                Value::Number(Number::from(n))
            } else if let Ok(n) = u64::try_from(i) {
                Value::Number(Number::from(n))
            } else {
                return Err(bad);
            }
        }
        Cbor::Text(s) => Value::String(s.clone()),
        Cbor::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| cbor_to_json(v, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Cbor::Map(entries) => {
            let mut map = Map::new();
            for (k, v) in entries {
                let Cbor::Text(k) = k else { return Err(bad) };
                if map.insert(k.clone(), cbor_to_json(v, depth + 1)?).is_some() {
                    return Err(bad);
                }
            }
            Value::Object(map)
        }
        _ => return Err(bad),
    })
}

/// A QR code's modules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QrMatrix {
    /// QR version (1–40).
    pub version: i16,
    /// Modules per side.
    pub width: usize,
    /// Row-major, `true` for dark.
    pub modules: Vec<bool>,
}

impl QrMatrix {
    /// Whether the module at column `x`, row `y` is dark.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.width && self.modules[y * self.width + x]
    }
}

/// Renders `text` as a QR code at error correction level M, in alphanumeric mode only (the
/// Base45 alphabet and `RG1:` are exactly QR's alphanumeric characters), in the smallest
/// version that fits.
pub fn render_qr(text: &str) -> Result<QrMatrix, DocumentError> {
    use qrcode::bits::Bits;
    use qrcode::{EcLevel, QrCode, Version};
    const ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    // qrcode's encoder maps other bytes silently; an unreadable code is worse than an error.
    if !text.bytes().all(|b| ALPHANUMERIC.contains(&b)) {
        return Err(DocumentError::NotAlphanumeric);
    }
    for version in 1..=40i16 {
        let mut bits = Bits::new(Version::Normal(version));
        let fits = bits.push_alphanumeric_data(text.as_bytes()).is_ok()
            && bits.push_terminator(EcLevel::M).is_ok();
        if !fits {
            continue;
        }
        let code = QrCode::with_bits(bits, EcLevel::M).map_err(|_| DocumentError::QrTooBig)?;
        let width = code.width();
        let modules = code
            .to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect();
        return Ok(QrMatrix {
            version,
            width,
            modules,
        });
    }
    Err(DocumentError::QrTooBig)
}
