//! What the fuzz targets share: the demo keys, trust list and relying-party attestation
//! from `fixtures/` (public, demo-only keys), a fixed time inside their validity, a fixed
//! credential, and signing helpers.
//!
//! Most outside input is signed. Fed only raw bytes, a fuzzer never gets past the signature
//! check, so the claim parsing and rule checks behind it would go untested. The targets
//! therefore also sign the fuzzed bytes with the key the verifying side trusts, and hand
//! the result to the same entry point: that reaches every line after the signature check,
//! which an attacker reaches too once they hold a trusted key (a relying party's own request
//! key, a holder key) or find a bug in the parser of a trusted issuer's data.
use std::sync::OnceLock;

use protocol::jose::{sign_compact, PublicJwk, SigningKey};
use protocol::sd_jwt::{ObjectFrame, SaltSource};
use protocol::sd_jwt_vc::{self, VcEnvelope};
use protocol::status_list::StatusReference;
use protocol::trust::{TrustList, VerifiedTrustList};
use serde_json::{json, Map, Value};

/// The time every target verifies at: after the demo trust list and attestations were
/// signed (2026-11-24 and 2026-12-02), long before they expire (2036).
pub const NOW: u64 = 1_800_000_000;
/// The demo issuer's identifier, as on the demo trust list.
pub const ISSUER_ID: &str = "http://127.0.0.1:8701";
/// The demo relying party whose attestation and request key the request-object target uses.
pub const RP_CLIENT_ID: &str = "woonstichting-voorbeeld.demo.regie.example";
/// `aud` of key binding JWTs for that party.
pub const RP_AUD: &str = "verifier_attestation:woonstichting-voorbeeld.demo.regie.example";
/// The nonce the key-binding target expects.
pub const KB_NONCE: &str = "fuzz-nonce-0123456789";
/// The vct of the fixed credential.
pub const VCT: &str = "urn:regie:woonhistorie:1";

const ANCHOR_PRIVATE: &str = include_str!("../../../fixtures/demo/trust-anchor.private.jwk");
const ISSUER_PRIVATE: &str = include_str!("../../../fixtures/demo/issuer.private.jwk");
const TRUST_LIST: &str = include_str!("../../../fixtures/demo/trust-list.jwt");
const RP_ATTESTATION: &str =
    include_str!("../../../fixtures/relying-parties/woonstichting/attestation.jwt");
const RP_REQUEST_KEY: &str =
    include_str!("../../../fixtures/relying-parties/woonstichting/request-key.jwk");

fn private_key(text: &str) -> SigningKey {
    let value: Value = serde_json::from_str(text).expect("fixture key is JSON");
    SigningKey::from_private_jwk(&value).expect("fixture key is a private JWK")
}

/// The demo trust anchor (signs the trust list and verifier attestations).
pub fn anchor() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| private_key(ANCHOR_PRIVATE))
}

/// The demo issuer's key (kid `demo-gemeente-voorbeeld-2026`).
pub fn issuer() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| private_key(ISSUER_PRIVATE))
}

/// The demo relying party's request-signing key.
pub fn rp_request_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| private_key(RP_REQUEST_KEY))
}

/// The demo relying party's attestation, signed by the demo anchor.
pub fn rp_attestation() -> &'static str {
    RP_ATTESTATION.trim()
}

/// A fixed holder key: fixed so that seeds made once stay valid for every run.
pub fn holder() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::from_bytes(&[7u8; 32]).expect("7…7 is a valid scalar"))
}

/// The demo trust list, verified at [`NOW`].
pub fn trust_list() -> &'static VerifiedTrustList {
    static LIST: OnceLock<VerifiedTrustList> = OnceLock::new();
    LIST.get_or_init(|| {
        TrustList::verify(TRUST_LIST.trim(), anchor().public_jwk(), NOW)
            .expect("the demo trust list verifies at NOW")
    })
}

/// The issuer keys as verifiers and wallets look them up.
pub fn issuer_keys(iss: &str, kid: Option<&str>) -> Option<PublicJwk> {
    trust_list().issuer_key(iss, kid).cloned()
}

/// Salts derived from a counter, so that a newly issued fixed credential differs from the
/// last one only in its signature.
struct CountingSalts(u32);

impl SaltSource for CountingSalts {
    fn salt(&mut self, _name: Option<&str>, _value: &Value) -> String {
        self.0 += 1;
        format!("fuzz-salt-{:04}", self.0)
    }
}

/// A woonhistorie credential of the demo issuer bound to [`holder`], every disclosure
/// included, ending in `~` (no key binding JWT yet): the start of a presentation. Pinned in
/// the seed file that `make_seeds --new-credential` writes, not issued at start: ES256
/// signatures are randomized (`ring`), so a credential issued in each run would differ from
/// the one whose `sd_hash` the key binding seeds carry.
pub fn credential() -> &'static str {
    include_str!("../seeds/credential_response_verify/credential.txt")
}

/// A newly issued credential of the kind [`credential`] pins: for `make_seeds
/// --new-credential` when the demo keys or the credential's content change.
pub fn issue_credential() -> String {
    let envelope = VcEnvelope {
        iss: ISSUER_ID,
        vct: VCT,
        iat: NOW - 3600,
        exp: NOW + 86_400,
        nbf: None,
        holder_key: holder().public_jwk(),
        status: Some(StatusReference {
            idx: 3,
            uri: format!("{ISSUER_ID}/status/1"),
        }),
    };
    let attributes = json!({
        "given_name": "Fuzz",
        "family_name": "Tester",
        "addresses": [{"street": "Dorpsstraat", "date_from": "2001-02-03"}]
    });
    let attributes = attributes.as_object().cloned().unwrap_or_default();
    let frame = ObjectFrame::sd_members(["given_name", "family_name", "addresses"]);
    sd_jwt_vc::issue(
        &envelope,
        attributes,
        &frame,
        issuer(),
        &mut CountingSalts(0),
    )
    .expect("the fixed credential issues")
    .serialize()
}

/// The issuer-signed JWT of [`credential`].
pub fn credential_jwt() -> &'static str {
    credential().split('~').next().unwrap_or_default()
}

/// A compact JWS over `payload` with `typ` and the `extra` header members, signed by `key`.
pub fn sign(typ: &str, extra: &[(&str, Value)], payload: &[u8], key: &SigningKey) -> String {
    let mut header = Map::new();
    header.insert("typ".into(), typ.into());
    for (name, value) in extra {
        header.insert((*name).into(), value.clone());
    }
    sign_compact(header, payload, key)
}

/// Whether `data` is a JSON object: only then is signing it worth the time (anything else
/// fails at the claims step, which the raw path already reaches).
pub fn is_json_object(data: &[u8]) -> bool {
    data.first() == Some(&b'{')
        && serde_json::from_slice::<Value>(data).is_ok_and(|v| v.is_object())
}
