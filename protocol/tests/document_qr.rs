//! Signed documents: COSE round trip, real QR codes read back from images, every rejection,
//! and the QR versions of realistic documents (recorded in BENCHMARKS.md).
use coset::{iana, CoseSign1Builder, HeaderBuilder, TaggedCborSerializable};
use flate2::write::ZlibEncoder;
use flate2::Compression;
use image::{GrayImage, Luma};
use protocol::document::*;
use protocol::jose::SigningKey;
use protocol::status_list::StatusReference;
use serde_json::{json, Map, Value};
use std::io::Write;

const NOW: u64 = 1_800_000_000;
const ISS: &str = "https://gemeente.example/regie";

fn object(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap()
}

fn brp_extract() -> DocumentContent {
    DocumentContent {
        issuer: ISS.into(),
        iat: NOW,
        exp: NOW + 90 * 86_400,
        kind: DocumentKind::UittrekselBrp,
        attributes: object(json!({
            "bsn": "999994542", "given_name": "Gerrit", "name_prefix": "den",
            "family_name": "Braber", "birthdate": "1971-04-22", "place_of_birth": "Amsterdam",
            "country_of_birth": "Nederland", "sex": "man", "nationalities": ["Nederlandse"],
            "address": {"street": "Schakelstraat", "house_number": 14,
                        "house_number_addition": "H", "postal_code": "1014AW",
                        "locality": "Amsterdam"},
            "municipality": "Amsterdam", "address_since": "1997-03-02", "age_over_18": true,
            "custody": [
                {"bsn": "999995832", "given_name": "Alexander", "name_prefix": "den",
                 "family_name": "Braber", "birthdate": "2009-05-29"},
                {"bsn": "999995807", "given_name": "Zoey", "name_prefix": "den",
                 "family_name": "Braber", "birthdate": "2018-11-14"}
            ]
        })),
        status: Some(StatusReference {
            idx: 12_345,
            uri: format!("{ISS}/status/1"),
        }),
    }
}

fn address_history() -> DocumentContent {
    let addresses = [
        (
            "Jacob Catsstraat",
            325,
            "2515PZ",
            "Den Haag",
            "'s-Gravenhage",
            "1990-01-01",
            Some("1993-06-15"),
        ),
        (
            "Oudegracht",
            12,
            "3511AR",
            "Utrecht",
            "Utrecht",
            "1993-06-15",
            Some("1994-09-01"),
        ),
        (
            "Vredesplein",
            7,
            "3074SN",
            "Rotterdam",
            "Rotterdam",
            "1994-09-01",
            Some("1995-03-01"),
        ),
        (
            "Boterdiep",
            31,
            "3077AW",
            "Rotterdam",
            "Rotterdam",
            "1995-03-01",
            Some("1996-02-12"),
        ),
        (
            "Vuurtorenweg",
            15,
            "2583AB",
            "Scheveningen",
            "'s-Gravenhage",
            "1996-02-12",
            Some("1997-03-02"),
        ),
        (
            "Schakelstraat",
            14,
            "1014AW",
            "Amsterdam",
            "Amsterdam",
            "1997-03-02",
            None,
        ),
    ];
    let addresses: Vec<Value> = addresses
        .iter()
        .map(|(street, nr, pc, loc, mun, from, to)| {
            let mut a = json!({"street": street, "house_number": nr, "postal_code": pc,
                               "locality": loc, "municipality": mun, "date_from": from});
            if let Some(to) = to {
                a["date_to"] = json!(to);
            }
            a
        })
        .collect();
    DocumentContent {
        kind: DocumentKind::Woonhistorie,
        attributes: object(json!({
            "given_name": "Gerrit", "name_prefix": "den", "family_name": "Braber",
            "birthdate": "1971-04-22",
            "addresses": addresses,
            "residents": [
                {"given_name": "Gerrit", "name_prefix": "den", "family_name": "Braber", "since": "1997-03-02"},
                {"given_name": "Wilma", "name_prefix": "van", "family_name": "Zon", "since": "1997-05-01"}
            ]
        })),
        ..brp_extract()
    }
}

fn key() -> SigningKey {
    SigningKey::generate().with_kid("demo-issuer-2026")
}

/// Draws the QR code as a grey image: 4 px per module, 4 modules of quiet zone.
fn to_image(qr: &QrMatrix, scale: u32) -> GrayImage {
    let quiet = 4;
    let side = (qr.width as u32 + 2 * quiet) * scale;
    GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x / scale, y / scale);
        let dark =
            mx >= quiet && my >= quiet && qr.is_dark((mx - quiet) as usize, (my - quiet) as usize);
        Luma([if dark { 0 } else { 255 }])
    })
}

fn scan(img: GrayImage) -> String {
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().unwrap().1
}

#[test]
fn document_round_trips_through_a_real_qr_code() {
    let key = key();
    let content = brp_extract();
    let text = encode_qr_text(&sign_document(&content, &key).unwrap());
    assert!(text.starts_with("RG1:"));
    let qr = render_qr(&text).unwrap();
    let scanned = scan(to_image(&qr, 4));
    assert_eq!(scanned, text);
    let doc = decode_document(&scanned).unwrap();
    assert_eq!(doc.kid(), "demo-issuer-2026");
    let verified = doc.verify(key.public_jwk(), NOW + 1).unwrap();
    assert_eq!(verified.content(), &content);
    assert_eq!(verified.status().unwrap().idx, 12_345);
}

#[test]
fn qr_versions_of_realistic_documents_meet_targets() {
    let key = key();
    let extract = encode_qr_text(&sign_document(&brp_extract(), &key).unwrap());
    let history = encode_qr_text(&sign_document(&address_history(), &key).unwrap());
    let extract_qr = render_qr(&extract).unwrap();
    let history_qr = render_qr(&history).unwrap();
    println!(
        "full BRP extract: {} QR characters, version {} at ECC M",
        extract.len(),
        extract_qr.version
    );
    println!(
        "address history (6 addresses, 2 residents): {} QR characters, version {} at ECC M",
        history.len(),
        history_qr.version
    );
    assert!(
        extract_qr.version <= 20,
        "extract: version {}",
        extract_qr.version
    );
    assert!(
        history_qr.version <= 25,
        "history: version {}",
        history_qr.version
    );
    // The larger one must still scan.
    assert_eq!(scan(to_image(&history_qr, 4)), history);
}

#[test]
fn every_kind_round_trips() {
    let key = key();
    for kind in DocumentKind::ALL {
        let content = DocumentContent {
            kind,
            status: None,
            ..brp_extract()
        };
        let doc = decode_document(&encode_qr_text(&sign_document(&content, &key).unwrap()))
            .unwrap()
            .verify(key.public_jwk(), NOW)
            .unwrap();
        assert_eq!(doc.kind(), kind);
        assert_eq!(doc.status(), None);
    }
}

fn zlib_base45(bytes: &[u8]) -> String {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::best());
    e.write_all(bytes).unwrap();
    format!("RG1:{}", base45::encode(e.finish().unwrap()))
}

#[test]
fn malformed_qr_texts_are_rejected() {
    assert_eq!(
        decode_qr_text("HC1:ABC").unwrap_err(),
        DocumentError::WrongPrefix
    );
    assert_eq!(
        decode_qr_text("RG1:a~b").unwrap_err(),
        DocumentError::BadBase45
    );
    assert_eq!(
        decode_qr_text(&format!("RG1:{}", base45::encode(b"not zlib at all"))).unwrap_err(),
        DocumentError::BadCompression
    );
    let too_long = format!("RG1:{}", "A".repeat(MAX_QR_TEXT_LEN));
    assert_eq!(
        decode_qr_text(&too_long).unwrap_err(),
        DocumentError::TooLong
    );
    assert_eq!(
        decode_document(&zlib_base45(b"\x01\x02\x03")).unwrap_err(),
        DocumentError::NotCose
    );
}

#[test]
fn zip_bomb_is_refused() {
    let bomb = zlib_base45(&vec![0u8; 1024 * 1024]);
    assert!(
        bomb.len() <= MAX_QR_TEXT_LEN,
        "bomb fits in a QR code: {}",
        bomb.len()
    );
    assert_eq!(decode_qr_text(&bomb).unwrap_err(), DocumentError::TooLarge);
}

/// Re-wraps a document with a changed payload and the original signature.
fn tampered(cose: &[u8], change: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut sign1 = coset::CoseSign1::from_tagged_slice(cose).unwrap();
    let mut payload = sign1.payload.take().unwrap();
    change(&mut payload);
    sign1.payload = Some(payload);
    sign1.to_tagged_vec().unwrap()
}

#[test]
fn tampered_attribute_fails_the_signature() {
    let key = key();
    let cose = sign_document(&brp_extract(), &key).unwrap();
    let forged = tampered(&cose, |p| {
        let at = p.windows(6).position(|w| w == b"Gerrit").unwrap();
        p[at..at + 6].copy_from_slice(b"Harrit");
    });
    let doc = decode_document(&encode_qr_text(&forged)).unwrap();
    assert_eq!(
        doc.verify(key.public_jwk(), NOW).unwrap_err(),
        DocumentError::BadSignature
    );
}

#[test]
fn wrong_key_and_expiry_are_rejected() {
    let key = key();
    let text = encode_qr_text(&sign_document(&brp_extract(), &key).unwrap());
    let other = SigningKey::generate();
    assert_eq!(
        decode_document(&text)
            .unwrap()
            .verify(other.public_jwk(), NOW)
            .unwrap_err(),
        DocumentError::BadSignature
    );
    assert_eq!(
        decode_document(&text)
            .unwrap()
            .verify(key.public_jwk(), NOW + 90 * 86_400)
            .unwrap_err(),
        DocumentError::Expired
    );
}

fn sign_raw(alg: iana::Algorithm, claims: Value, key: &SigningKey) -> Vec<u8> {
    let cbor: ciborium::Value = match claims {
        Value::Object(m) => ciborium::Value::Map(
            m.into_iter()
                .map(|(k, v)| {
                    let k: i64 = k.parse().unwrap();
                    let v = match v {
                        Value::String(s) => ciborium::Value::Text(s),
                        Value::Number(n) => ciborium::Value::Integer(n.as_i64().unwrap().into()),
                        _ => ciborium::Value::Map(vec![]),
                    };
                    (ciborium::Value::Integer(k.into()), v)
                })
                .collect(),
        ),
        _ => unreachable!(),
    };
    let mut payload = Vec::new();
    ciborium::into_writer(&cbor, &mut payload).unwrap();
    CoseSign1Builder::new()
        .protected(HeaderBuilder::new().algorithm(alg).build())
        .payload(payload)
        .create_signature(b"", |tbs| key.sign_es256(tbs).to_vec())
        .build()
        .to_tagged_vec()
        .unwrap()
}

#[test]
fn unknown_kind_and_wrong_alg_are_rejected() {
    let key = key();
    let claims = json!({"1": ISS, "4": NOW + 10, "6": NOW, "-65537": "paspoort", "-65538": {}});
    let unknown = sign_raw(iana::Algorithm::ES256, claims.clone(), &key);
    assert_eq!(
        UnverifiedDocument::from_cose(&unknown).unwrap_err(),
        DocumentError::UnknownKind
    );
    let es384 = sign_raw(iana::Algorithm::ES384, claims, &key);
    assert_eq!(
        UnverifiedDocument::from_cose(&es384).unwrap_err(),
        DocumentError::WrongAlgorithm
    );
}

#[test]
fn alphanumeric_rendering_refuses_other_characters() {
    // Lower case is outside QR's alphanumeric set: our texts never contain it.
    assert_eq!(
        render_qr("rg1:abc").unwrap_err(),
        DocumentError::NotAlphanumeric
    );
    assert_eq!(
        render_qr(&"A".repeat(4_297)).unwrap_err(),
        DocumentError::QrTooBig
    );
}
