//! The issuer's `POST /credential` takes a JSON body with proof-of-possession JWTs from
//! anyone holding an access token: the issuer's steps (`CredentialRequest::from_json`, the
//! nonce read from the first proof, `verify_proofs`) must never panic. The bytes are also
//! signed as a proof's claims by a holder key in the `jwk` header (reaching `aud`, `nonce`
//! and time rules), and used as a proof's header (reaching the key checks: `jwk`, `kid`,
//! `x5c`).
#![no_main]
use libfuzzer_sys::fuzz_target;
use protocol::jose::{sign_compact, UnverifiedJws};
use protocol::oid4vci::{
    verify_proof, verify_proofs, CredentialRequest, ProofExpectation, MAX_PROOFS, PROOF_TYP,
};
use protocol_fuzz::{holder, is_json_object, sign, ISSUER_ID, KB_NONCE, NOW};
use serde_json::{Map, Value};

fn expectation(nonce: &str) -> ProofExpectation<'_> {
    ProofExpectation {
        credential_issuer: ISSUER_ID,
        nonce,
        now: NOW,
        max_age: 600,
        future_skew: 60,
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(request) = CredentialRequest::from_json(data) {
        assert!(!request.proofs.jwt.is_empty() && request.proofs.jwt.len() <= MAX_PROOFS);
        // As the issuer does: the nonce of the first proof, unverified, picks the nonce.
        let nonce = UnverifiedJws::parse(&request.proofs.jwt[0])
            .ok()
            .and_then(|j| j.claims_unverified::<Value>().ok())
            .and_then(|c| c.get("nonce").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default();
        if let Ok(keys) = verify_proofs(&request.proofs.jwt, 4, &expectation(&nonce)) {
            assert!(keys.len() == request.proofs.jwt.len() && keys.len() <= 4);
        }
    }
    if is_json_object(data) {
        let key = holder().clone().without_kid();
        let jwk = key.public_jwk().to_json_value();
        let jwt = sign(PROOF_TYP, &[("jwk", jwk)], data, &key);
        if let Ok(found) = verify_proof(&jwt, &expectation(KB_NONCE)) {
            assert!(found.same_key(key.public_jwk()));
        }
        if let Ok(header) = serde_json::from_slice::<Map<String, Value>>(data) {
            let claims = format!(r#"{{"aud":"{ISSUER_ID}","iat":{NOW},"nonce":"{KB_NONCE}"}}"#);
            let jwt = sign_compact(header, claims.as_bytes(), &key);
            let _ = verify_proof(&jwt, &expectation(KB_NONCE));
        }
    }
});
