//! The credential endpoint's answer reaches the wallet from whatever issuer an offer named:
//! the wallet's steps (the `CredentialResponse` JSON, then `verify_issued` of each credential
//! against the trust list, as `wallet-core`'s `verify_batch` does) must never panic. Also:
//! the bytes as one credential; as disclosures after the demo issuer's valid JWT; and as
//! claims signed by the demo issuer's key, which reaches every SD-JWT VC rule behind the
//! signature (`vct`, `cnf`, `status`, times, reserved claims, `_sd`).
#![no_main]
use libfuzzer_sys::fuzz_target;
use protocol::oid4vci::CredentialResponse;
use protocol::sd_jwt_vc::{verify_issued, Clock, VerifiedCredential, SD_JWT_VC_TYP};
use protocol_fuzz::{credential_jwt, is_json_object, issuer, issuer_keys, sign, NOW};

const CLOCK: Clock = Clock { now: NOW, skew: 60 };

fn use_credential(credential: &VerifiedCredential) {
    let _ = credential.attributes();
    let _ = credential.status();
    let _ = credential.expires_at();
    assert!(
        credential.audience().is_none(),
        "a wallet accepts no audience-bound credential"
    );
}

fuzz_target!(|data: &[u8]| {
    if let Ok(response) = serde_json::from_slice::<CredentialResponse>(data) {
        for issued in response.credentials.iter().take(4) {
            if let Ok(c) = verify_issued(&issued.credential, issuer_keys, CLOCK) {
                use_credential(&c);
            }
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(c) = verify_issued(text, issuer_keys, CLOCK) {
            use_credential(&c);
        }
        if let Ok(c) = verify_issued(&format!("{}~{text}", credential_jwt()), issuer_keys, CLOCK) {
            use_credential(&c);
        }
    }
    if is_json_object(data) {
        let jwt = sign(SD_JWT_VC_TYP, &[], data, issuer());
        if let Ok(c) = verify_issued(&format!("{jwt}~"), issuer_keys, CLOCK) {
            use_credential(&c);
        }
    }
});
