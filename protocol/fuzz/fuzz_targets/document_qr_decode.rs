//! Document QR codes come from photos and scans of paper anyone can print: decoding the
//! text, inflating it and parsing the COSE must never panic, and inflation stays capped.
#![no_main]
use libfuzzer_sys::fuzz_target;
use protocol::document::{decode_document, decode_qr_text, UnverifiedDocument, MAX_COSE_LEN};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(cose) = decode_qr_text(text) {
            assert!(cose.len() <= MAX_COSE_LEN);
        }
        let _ = decode_document(text);
    }
    // The COSE layer directly too, so the fuzzer need not find valid zlib first.
    let _ = UnverifiedDocument::from_cose(data);
});
