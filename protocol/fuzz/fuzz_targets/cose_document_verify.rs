//! Document QR codes are printed on paper anyone can make: the verifier's steps after the
//! QR text is inflated (`UnverifiedDocument::from_cose`, then `verify` with the issuer key
//! the `kid` picks, as the verifier's `documents::validate` does) must never panic. The bytes
//! are also signed as the payload of a COSE_Sign1 by the demo issuer's key, which reaches the
//! CBOR claims (issuer, times, kind, attributes, status reference) behind the signature.
#![no_main]
use coset::{iana, CborSerializable, CoseSign1Builder, HeaderBuilder, TaggedCborSerializable};
use libfuzzer_sys::fuzz_target;
use protocol::document::{UnverifiedDocument, VerifiedDocument};
use protocol_fuzz::{issuer, issuer_keys, NOW};

fn check(bytes: &[u8]) {
    let Ok(document) = UnverifiedDocument::from_cose(bytes) else {
        return;
    };
    let Some(key) = issuer_keys(document.issuer_unverified(), Some(document.kid())) else {
        return;
    };
    if let Ok(verified) = document.verify(&key, NOW) {
        use_document(&verified);
    }
}

fn use_document(document: &VerifiedDocument) {
    assert!(document.content().exp > NOW);
    let _ = (
        document.issuer(),
        document.kind(),
        document.attributes(),
        document.status(),
    );
}

/// Whether `data` starts like a CBOR map (major type 5), as the claims must: signing is slow
/// under the fuzzer's instrumentation, so only payloads that can get past the first CBOR
/// step are signed.
fn looks_like_cbor_map(data: &[u8]) -> bool {
    data.first().is_some_and(|b| b >> 5 == 5)
}

fuzz_target!(|data: &[u8]| {
    check(data);
    if !looks_like_cbor_map(data) {
        return;
    }
    let key = issuer();
    let protected = HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .key_id(key.kid().unwrap_or_default().as_bytes().to_vec())
        .build();
    let sign1 = CoseSign1Builder::new()
        .protected(protected)
        .payload(data.to_vec())
        .create_signature(b"", |tbs| key.sign_es256(tbs).to_vec())
        .build();
    if let Ok(bytes) = sign1.clone().to_tagged_vec() {
        check(&bytes);
    }
    if let Ok(bytes) = sign1.to_vec() {
        check(&bytes);
    }
});
