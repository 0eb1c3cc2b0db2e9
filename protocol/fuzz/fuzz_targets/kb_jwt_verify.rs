//! Presentations arrive at the verifier's `direct_post` endpoint from any wallet:
//! `verify_presentation` (as the verifier's `verify_trusted_presentation` calls it) must
//! never panic. Three ways in: the bytes as a whole presentation; as the key binding JWT
//! after a valid credential of the demo issuer; and as KB-JWT claims signed by that
//! credential's holder key, which reaches every key-binding rule (`aud`, `nonce`, times,
//! `sd_hash`, transaction data hashes).
#![no_main]
use libfuzzer_sys::fuzz_target;
use protocol::sd_jwt::{KbExpectation, KB_JWT_TYP};
use protocol::sd_jwt_vc::verify_presentation;
use protocol_fuzz::{credential, holder, is_json_object, issuer_keys, sign, KB_NONCE, NOW, RP_AUD};

const TX_HASHES: [&str; 1] = ["fuzz-transaction-data-hash"];

fn verify(presentation: &str, tx: Option<&[String]>) {
    let expected = KbExpectation {
        aud: RP_AUD,
        nonce: KB_NONCE,
        now: NOW,
        max_age: 300,
        future_skew: 60,
        transaction_data_hashes: tx,
    };
    if let Ok(verified) = verify_presentation(presentation, issuer_keys, &expected, 60) {
        // Only the expected audience and nonce pass.
        assert_eq!(verified.key_binding.aud, RP_AUD);
        assert_eq!(verified.key_binding.nonce, KB_NONCE);
        assert_eq!(verified.key_binding.transaction_data_hashes.as_deref(), tx);
        let _ = verified.credential.attributes();
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        verify(text, None);
        verify(&format!("{}{text}", credential()), None);
    }
    if is_json_object(data) {
        let kb = sign(KB_JWT_TYP, &[], data, holder());
        let presentation = format!("{}{kb}", credential());
        verify(&presentation, None);
        let hashes: Vec<String> = TX_HASHES.iter().map(|h| (*h).to_owned()).collect();
        verify(&presentation, Some(&hashes));
    }
});
