//! SD-JWTs arrive from wallets (presentations) and issuers (credentials): parsing and
//! processing must never panic, whatever the bytes. A fixed key lets the fuzzer reach the
//! disclosure-processing code only when it forges a signature, so processing is also run
//! on the unverified payload through `SdJwt::disclosed_claims`.
#![no_main]
use libfuzzer_sys::fuzz_target;
use protocol::sd_jwt::{SdJwt, UnverifiedSdJwt};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(parsed) = UnverifiedSdJwt::parse(text) {
        let _ = parsed.issuer_jws().claims_unverified::<serde_json::Value>();
    }
    if let Ok(held) = SdJwt::parse_held(text) {
        if let Ok((claims, paths)) = held.disclosed_claims() {
            // Every recorded path must point at something in the processed claims.
            let root = serde_json::Value::Object(claims);
            for path in paths {
                assert!(path.select(&root).is_ok(), "disclosure path {path} dangles");
            }
            // Every array recorded as holding disclosable elements is an array there.
            for path in held.disclosable_arrays().unwrap_or_default() {
                let found = path.select(&root).unwrap_or_default();
                assert!(
                    found.len() == 1 && found[0].is_array(),
                    "disclosable array {path} is not an array"
                );
            }
        }
    }
});
