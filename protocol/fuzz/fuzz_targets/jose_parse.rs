//! Every signed message starts as a compact JWS, and keys arrive as JWKs (in proof headers,
//! `cnf` claims, trust lists, configured anchor files): `UnverifiedJws::parse` and the JWK
//! readers must never panic; a key that reads must survive its own JSON form; and nothing
//! but the key's own signature verifies.
#![no_main]
use libfuzzer_sys::fuzz_target;
use protocol::jose::{b64u_decode, b64u_encode, PublicJwk, SigningKey, UnverifiedJws};
use protocol::numeric_date::NumericDate;
use protocol_fuzz::holder;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(jws) = UnverifiedJws::parse(text) {
            let _ = (jws.typ(), jws.kid(), jws.expect_typ("kb+jwt"));
            let _ = jws.claims_unverified::<Value>();
            // The fixed key signed none of the fuzzer's inputs.
            assert!(jws.verify(holder().public_jwk()).is_err());
        }
        if let Ok(bytes) = b64u_decode(text, "fuzz") {
            assert_eq!(b64u_encode(&bytes), text);
        }
    }
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    if let Ok(key) = PublicJwk::from_json_value(&value) {
        let again = PublicJwk::from_json_value(&key.to_json_value()).expect("a JWK re-reads");
        assert!(again.same_key(&key));
        assert_eq!(again.thumbprint(), key.thumbprint());
        assert!(key.verify_es256(b"message", &[0u8; 64]).is_err());
    }
    if let Ok(key) = SigningKey::from_private_jwk(&value) {
        let signature = key.sign_es256(b"message");
        assert!(key
            .public_jwk()
            .verify_es256(b"message", &signature)
            .is_ok());
    }
    let _ = NumericDate::from_json(&value);
});
