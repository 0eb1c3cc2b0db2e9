//! Request objects are fetched by the wallet from any `request_uri` a QR code names: the
//! wallet's check (`verify_request`, as `wallet-core`'s `assess_request_object` calls it) must
//! never panic. Raw bytes test the JWS and attestation layers; the same bytes signed by the
//! demo relying party's attested key, with its attestation in the `jwt` header, test the
//! claims, time and transaction-data rules, and what the wallet does next with a verified
//! request (which purpose it falls under, the statements it carries).
#![no_main]
use libfuzzer_sys::fuzz_target;
use protocol::oid4vp::{verify_request, VerifiedRequest, REQUEST_OBJECT_TYP};
use protocol::statements::parse_entry;
use protocol::trust::{purpose_for, requested_claims};
use protocol_fuzz::{anchor, is_json_object, rp_attestation, rp_request_key, sign, NOW};

fn assess(verified: &VerifiedRequest) {
    let requested = requested_claims(&verified.request.dcql_query);
    let _ = purpose_for(
        verified.attestation.registration(),
        verified.request.purpose.as_deref(),
        &requested,
    );
    let hashes = verified.transaction_data_hashes().unwrap_or_default();
    assert_eq!(hashes.len(), verified.transaction_data.len());
    for entry in &verified.transaction_data {
        let _ = parse_entry(entry);
    }
}

fuzz_target!(|data: &[u8]| {
    let anchor = anchor().public_jwk();
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(verified) = verify_request(text, anchor, NOW) {
            assess(&verified);
        }
    }
    if is_json_object(data) {
        let jwt = sign(
            REQUEST_OBJECT_TYP,
            &[("jwt", rp_attestation().into())],
            data,
            rp_request_key(),
        );
        if let Ok(verified) = verify_request(&jwt, anchor, NOW) {
            assess(&verified);
        }
    }
});
