//! Interoperability with RFC 9901's own examples: its SD-JWTs verify with our code, and our
//! issuance, given the RFC's salts, reproduces its disclosures and digests byte for byte.
use std::collections::{BTreeSet, HashMap};

use protocol::jose::{PublicJwk, SigningKey};
use protocol::sd_jwt::{
    issue, ArrayFrame, Disclosure, KbExpectation, Node, ObjectFrame, SaltSource, SdJwtError,
    UnverifiedSdJwt,
};
use serde_json::{json, Map, Value};

const ISSUED: &str = include_str!("data/rfc9901/issued.txt");
const PRESENTATION: &str = include_str!("data/rfc9901/presentation.txt");

/// Appendix A.5: the issuer's public key.
fn issuer_key() -> PublicJwk {
    PublicJwk::from_json_value(&json!({
        "kty": "EC", "crv": "P-256",
        "x": "b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ",
        "y": "Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8"
    }))
    .unwrap()
}

/// Appendix A.5: the holder's public key (also in the example's `cnf`).
fn holder_key() -> PublicJwk {
    PublicJwk::from_json_value(&json!({
        "kty": "EC", "crv": "P-256",
        "x": "TCAER19Zvu3OHF4j4W4vfSVoHIP1ILilDls7vCeGemc",
        "y": "ZxjiWWbZMQGHVWKVQ4hbSIirsVfuecCE6t4jT9F2HZQ"
    }))
    .unwrap()
}

#[test]
fn section_5_issued_sd_jwt_verifies() {
    let verified = UnverifiedSdJwt::parse(ISSUED)
        .unwrap()
        .verify(&issuer_key())
        .unwrap();
    let expected = json!({
        "iss": "https://issuer.example.com", "iat": 1683000000, "exp": 1883000000,
        "sub": "user_42", "nationalities": ["US", "DE"],
        "cnf": {"jwk": {"kty": "EC", "crv": "P-256",
            "x": "TCAER19Zvu3OHF4j4W4vfSVoHIP1ILilDls7vCeGemc",
            "y": "ZxjiWWbZMQGHVWKVQ4hbSIirsVfuecCE6t4jT9F2HZQ"}},
        "given_name": "John", "family_name": "Doe", "email": "johndoe@example.com",
        "phone_number": "+1-202-555-0101", "phone_number_verified": true,
        "address": {"street_address": "123 Main St", "locality": "Anytown",
                    "region": "Anystate", "country": "US"},
        "birthdate": "1940-01-01", "updated_at": 1570000000
    });
    assert_eq!(Value::Object(verified.claims().clone()), expected);
    assert_eq!(verified.disclosed_paths().len(), 10);
}

#[test]
fn section_5_presentation_with_key_binding_verifies() {
    let verified = UnverifiedSdJwt::parse(PRESENTATION)
        .unwrap()
        .verify(&issuer_key())
        .unwrap();
    let expectation = KbExpectation {
        aud: "https://verifier.example.org",
        nonce: "1234567890",
        now: 1748361941,
        max_age: 300,
        future_skew: 60,
        transaction_data_hashes: None,
    };
    let kb = verified
        .verify_key_binding(&holder_key(), &expectation)
        .unwrap();
    assert_eq!(kb.sd_hash, "1-Lcf6CiBmP72JDFuBF0bvalS-FzIlXyiCkJXp7pJmc");
    // The RFC's "Processed SD-JWT Payload" after validation.
    let expected = json!({
        "iss": "https://issuer.example.com", "iat": 1683000000, "exp": 1883000000,
        "sub": "user_42", "nationalities": ["US"],
        "cnf": {"jwk": {"kty": "EC", "crv": "P-256",
            "x": "TCAER19Zvu3OHF4j4W4vfSVoHIP1ILilDls7vCeGemc",
            "y": "ZxjiWWbZMQGHVWKVQ4hbSIirsVfuecCE6t4jT9F2HZQ"}},
        "family_name": "Doe",
        "address": {"street_address": "123 Main St", "locality": "Anytown",
                    "region": "Anystate", "country": "US"},
        "given_name": "John"
    });
    assert_eq!(Value::Object(verified.claims().clone()), expected);
    // A different nonce must fail against the same RFC presentation.
    let wrong = KbExpectation {
        nonce: "0987654321",
        ..expectation
    };
    assert_eq!(
        verified
            .verify_key_binding(&holder_key(), &wrong)
            .unwrap_err(),
        SdJwtError::WrongNonce
    );
}

#[test]
fn tampered_rfc_disclosure_is_rejected() {
    // given_name "John" → "Jahn", re-encoded with the same salt.
    let forged = Disclosure::new(
        "2GLC42sKQveCfGfryNRN9w".into(),
        Some("given_name".into()),
        json!("Jahn"),
    )
    .unwrap();
    let original = ISSUED.split('~').nth(1).unwrap();
    let tampered = ISSUED.replacen(original, forged.encoded(), 1);
    assert_eq!(
        UnverifiedSdJwt::parse(&tampered)
            .unwrap()
            .verify(&issuer_key())
            .unwrap_err(),
        SdJwtError::UnreferencedDisclosure
    );
}

/// Replays the salts of a known set of disclosures, looked up by claim name and value.
struct ReplaySalts(HashMap<(Option<String>, String), String>);

impl ReplaySalts {
    fn from_disclosures<'a>(encoded: impl IntoIterator<Item = &'a str>) -> Self {
        ReplaySalts(
            encoded
                .into_iter()
                .map(|e| {
                    let d = Disclosure::parse(e).unwrap();
                    (
                        (d.name().map(str::to_owned), d.value().to_string()),
                        d.salt().to_owned(),
                    )
                })
                .collect(),
        )
    }
}

impl SaltSource for ReplaySalts {
    fn salt(&mut self, name: Option<&str>, value: &Value) -> String {
        self.0
            .get(&(name.map(str::to_owned), value.to_string()))
            .cloned()
            .unwrap_or_else(|| panic!("no RFC salt for {name:?} = {value}"))
    }
}

fn object(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap()
}

fn payload_of(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&protocol::jose::b64u_decode(payload, "p").unwrap()).unwrap()
}

#[test]
fn our_issuance_reproduces_section_5_digests() {
    let rfc_disclosures: Vec<&str> = ISSUED.trim_end_matches('~').split('~').skip(1).collect();
    let claims = object(json!({
        "sub": "user_42", "given_name": "John", "family_name": "Doe",
        "email": "johndoe@example.com", "phone_number": "+1-202-555-0101",
        "phone_number_verified": true,
        "address": {"street_address": "123 Main St", "locality": "Anytown",
                    "region": "Anystate", "country": "US"},
        "birthdate": "1940-01-01", "updated_at": 1570000000,
        "nationalities": ["US", "DE"]
    }));
    let frame = ObjectFrame::sd_members([
        "given_name",
        "family_name",
        "email",
        "phone_number",
        "phone_number_verified",
        "address",
        "birthdate",
        "updated_at",
    ])
    .with("nationalities", Node::array(ArrayFrame::each(Node::sd())));
    let ours = issue(
        Map::new(),
        claims,
        &frame,
        &SigningKey::generate(),
        &mut ReplaySalts::from_disclosures(rfc_disclosures.iter().copied()),
    )
    .unwrap();
    let our_disclosures: BTreeSet<&str> = ours.disclosures().iter().map(|d| d.encoded()).collect();
    assert_eq!(our_disclosures, rfc_disclosures.iter().copied().collect());
    let (ours, theirs) = (payload_of(ours.issuer_jwt()), payload_of(ISSUED));
    assert_eq!(ours["_sd"], theirs["_sd"]);
    assert_eq!(ours["nationalities"], theirs["nationalities"]);
}

#[test]
fn our_issuance_reproduces_section_6_structured_and_recursive_digests() {
    let address = json!({"street_address": "Schulstr. 12", "locality": "Schulpforta",
                         "region": "Sachsen-Anhalt", "country": "DE"});
    let salts = || {
        ReplaySalts(
            [
                (
                    (Some("street_address"), json!("Schulstr. 12")),
                    "2GLC42sKQveCfGfryNRN9w",
                ),
                (
                    (Some("locality"), json!("Schulpforta")),
                    "eluV5Og3gSNII8EYnsxA_A",
                ),
                (
                    (Some("region"), json!("Sachsen-Anhalt")),
                    "6Ij7tM-a5iVPGboS5tmvVA",
                ),
                ((Some("country"), json!("DE")), "eI8ZWm9QnKPpNPeNenHdhQ"),
            ]
            .into_iter()
            .map(|((n, v), s)| ((n.map(str::to_owned), v.to_string()), s.to_owned()))
            .collect(),
        )
    };
    let inner = ObjectFrame::sd_members(["street_address", "locality", "region", "country"]);
    let claims = object(json!({"address": address}));

    // §6.2: structured.
    let structured = issue(
        Map::new(),
        claims.clone(),
        &ObjectFrame::default().with("address", Node::object(inner.clone())),
        &SigningKey::generate(),
        &mut salts(),
    )
    .unwrap();
    assert_eq!(
        payload_of(structured.issuer_jwt())["address"]["_sd"],
        json!([
            "6vh9bq-zS4GKM_7GpggVbYzzu6oOGXrmNVGPHP75Ud0",
            "9gjVuXtdFROCgRrtNcGUXmF65rdezi_6Er_j76kmYyM",
            "KURDPh4ZC19-3tiz-Df39V8eidy1oV3a3H1Da2N0g88",
            "WN9r9dCBJ8HTCsS2jKASxTjEyW5m5x65_Z_2ro2jfXM"
        ])
    );

    // §6.3: recursive; the address disclosure's salt is Qg_O64zqAxe412a108iroA.
    let mut recursive_salts = salts();
    let sub_digests = payload_of(structured.issuer_jwt())["address"].clone();
    recursive_salts.0.insert(
        (Some("address".into()), sub_digests.to_string()),
        "Qg_O64zqAxe412a108iroA".into(),
    );
    let recursive = issue(
        Map::new(),
        claims,
        &ObjectFrame::default().with("address", Node::sd_object(inner)),
        &SigningKey::generate(),
        &mut recursive_salts,
    )
    .unwrap();
    assert_eq!(
        payload_of(recursive.issuer_jwt())["_sd"],
        json!(["HvrKX6fPV0v9K_yCVFBiLFHsMaxcD_114Em6VT8x1lg"])
    );
}
