//! Trust lists come from a configured file or URL (wallet, verifier): `TrustList::verify`
//! must never panic on what it is given. The same bytes signed by the demo anchor reach the
//! list's content and the look-ups every presentation makes in it.
#![no_main]
use libfuzzer_sys::fuzz_target;
use protocol::trust::{TrustList, VerifiedTrustList, TRUST_LIST_TYP};
use protocol_fuzz::{anchor, is_json_object, sign, ISSUER_ID, NOW, VCT};

fn look_up(list: &VerifiedTrustList) {
    for issuer in list.issuers() {
        let _ = list.issuer_key(&issuer.id, None);
        // Look-ups go by id and find the first issuer with it; a later duplicate is shadowed.
        if !list
            .issuer(&issuer.id)
            .is_some_and(|first| std::ptr::eq(first, issuer))
        {
            continue;
        }
        for key in &issuer.keys {
            // A key listed with a kid is found by it (the first with that kid).
            if let Some(kid) = key.kid() {
                assert!(list.issuer_key(&issuer.id, Some(kid)).is_some());
            }
        }
        for vct in &issuer.credential_types {
            assert!(list.may_issue(&issuer.id, vct));
        }
    }
    let _ = list.may_issue(ISSUER_ID, VCT);
    assert!(list.expires_at() > NOW);
}

fuzz_target!(|data: &[u8]| {
    let anchor_key = anchor().public_jwk();
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(list) = TrustList::verify(text, anchor_key, NOW) {
            look_up(&list);
        }
    }
    if is_json_object(data) {
        let jwt = sign(TRUST_LIST_TYP, &[], data, anchor());
        if let Ok(list) = TrustList::verify(&jwt, anchor_key, NOW) {
            look_up(&list);
        }
    }
});
