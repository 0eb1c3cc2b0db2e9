//! Verifier attestations travel in the `jwt` header of every request object, so any
//! relying party (or anyone posing as one) chooses them: parsing and verifying one against
//! the trust anchor must never panic. The same bytes signed by the demo anchor reach the
//! registration inside (localised texts, purposes, claim paths) and the checks the wallet
//! and the verifier's session API then make against it.
#![no_main]
use libfuzzer_sys::fuzz_target;
use protocol::claim_path::ClaimPath;
use protocol::trust::{
    purpose_for, UnverifiedAttestation, VerifiedAttestation, VERIFIER_ATTESTATION_TYP,
};
use protocol_fuzz::{anchor, is_json_object, sign, NOW, RP_CLIENT_ID, VCT};

fn use_registration(attestation: &VerifiedAttestation) {
    let registration = attestation.registration();
    let family = ClaimPath::keys(["family_name"]).expect("a valid path");
    let pairs = vec![
        (VCT.to_owned(), Some(family.clone())),
        (VCT.to_owned(), None),
    ];
    let _ = purpose_for(registration, None, &pairs);
    for purpose in &registration.purposes {
        let _ = registration.check_request(&purpose.id, &[(VCT.to_owned(), family.clone())]);
        let _ = purpose_for(registration, Some(&purpose.id), &pairs);
    }
    assert!(attestation
        .prefixed_client_id()
        .ends_with(attestation.client_id()));
}

fuzz_target!(|data: &[u8]| {
    let anchor_key = anchor().public_jwk();
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(verified) =
            UnverifiedAttestation::parse(text).and_then(|a| a.verify(anchor_key, RP_CLIENT_ID, NOW))
        {
            use_registration(&verified);
        }
    }
    if is_json_object(data) {
        let jwt = sign(VERIFIER_ATTESTATION_TYP, &[], data, anchor());
        if let Ok(verified) =
            UnverifiedAttestation::parse(&jwt).and_then(|a| a.verify(anchor_key, RP_CLIENT_ID, NOW))
        {
            assert_eq!(verified.client_id(), RP_CLIENT_ID);
            use_registration(&verified);
        }
    }
});
