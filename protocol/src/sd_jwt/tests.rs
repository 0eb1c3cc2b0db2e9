use super::*;
use crate::jose::{b64u_encode, sign_compact};
use serde_json::json;

const NOW: u64 = 1_800_000_000;

fn claims() -> Map<String, Value> {
    json!({
        "iss": "https://gemeente.example",
        "given_name": "Żáïŀëñøŕ",
        "family_name": "Streeveld",
        "address": {"street": "Boterdiep", "house_number": 31, "locality": "Rotterdam"},
        "nationalities": ["NL", "FR"],
        "addresses": [
            {"street": "Vredesplein", "date_from": "2013-11-02"},
            {"street": "Boterdiep", "date_from": "2015-08-08"}
        ]
    })
    .as_object()
    .cloned()
    .unwrap()
}

fn frame() -> ObjectFrame {
    ObjectFrame::sd_members(["given_name", "family_name"])
        .with(
            "address",
            Node::sd_object(ObjectFrame::sd_members([
                "street",
                "house_number",
                "locality",
            ])),
        )
        .with("nationalities", Node::array(ArrayFrame::each(Node::sd())))
        .with(
            "addresses",
            Node::array(ArrayFrame::each(Node::sd_object(ObjectFrame::sd_members(
                ["street", "date_from"],
            )))),
        )
        .with_decoys(3)
}

fn issued(key: &SigningKey) -> SdJwt {
    issue(Map::new(), claims(), &frame(), key, &mut RandomSalts).unwrap()
}

fn path(v: Value) -> ClaimPath {
    ClaimPath::from_json_value(&v).unwrap()
}

fn expect<'a>(aud: &'a str, nonce: &'a str) -> KbExpectation<'a> {
    KbExpectation {
        aud,
        nonce,
        now: NOW,
        max_age: 300,
        future_skew: 60,
        transaction_data_hashes: None,
    }
}

/// A presentation with KB-JWT, and the keys to verify it.
fn presented(paths: &[ClaimPath]) -> (String, SigningKey, SigningKey) {
    let issuer = SigningKey::generate();
    let holder = SigningKey::generate();
    let sd = issued(&issuer).present(paths).unwrap();
    let text = add_key_binding(&sd.serialize(), &holder, "rp", "n-1", NOW, None).unwrap();
    (text, issuer, holder)
}

fn verify_kb(
    text: &str,
    issuer: &SigningKey,
    holder: &SigningKey,
) -> Result<KeyBindingClaims, SdJwtError> {
    UnverifiedSdJwt::parse(text)?
        .verify(issuer.public_jwk())?
        .verify_key_binding(holder.public_jwk(), &expect("rp", "n-1"))
}

/// Re-signs an arbitrary payload with `key`, for crafting malformed-but-signed input.
fn signed_with(payload: &Value, key: &SigningKey) -> String {
    sign_compact(Map::new(), payload.to_string().as_bytes(), key)
}

fn disclosure(parts: Value) -> String {
    b64u_encode(parts.to_string())
}

#[test]
fn round_trip_discloses_everything_issued() {
    let key = SigningKey::generate();
    let sd = issued(&key);
    // 2 top + address + 3 in address + 2 nationalities + 2 addresses × (1 + 2) = 14
    assert_eq!(sd.disclosures().len(), 14);
    let verified = UnverifiedSdJwt::parse(&sd.serialize())
        .unwrap()
        .verify(key.public_jwk())
        .unwrap();
    let mut expected = claims();
    expected.remove("iss");
    let mut got = verified.claims().clone();
    got.remove("iss");
    assert_eq!(Value::Object(got), Value::Object(expected));
    assert!(!verified.claims().contains_key("_sd_alg"));
}

#[test]
fn payload_hides_undisclosed_values() {
    let key = SigningKey::generate();
    let sd = issued(&key);
    let payload = sd.issuer_jwt().split('.').nth(1).unwrap();
    let payload = String::from_utf8(crate::jose::b64u_decode(payload, "p").unwrap()).unwrap();
    for secret in ["Boterdiep", "Streeveld", "\"FR\"", "Vredesplein"] {
        assert!(!payload.contains(secret), "{secret} visible in payload");
    }
    let payload: Value = serde_json::from_str(&payload).unwrap();
    // 3 SD top-level claims + 3 decoys, sorted.
    let sd_array: Vec<&str> = payload["_sd"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(sd_array.len(), 6);
    let mut sorted = sd_array.clone();
    sorted.sort();
    assert_eq!(sd_array, sorted);
}

#[test]
fn presentation_discloses_only_what_is_asked_and_parents_follow() {
    let (text, issuer, holder) = presented(&[
        path(json!(["address", "locality"])),
        path(json!(["addresses", null, "date_from"])),
    ]);
    let verified = UnverifiedSdJwt::parse(&text)
        .unwrap()
        .verify(issuer.public_jwk())
        .unwrap();
    verified
        .verify_key_binding(holder.public_jwk(), &expect("rp", "n-1"))
        .unwrap();
    let claims = Value::Object(verified.claims().clone());
    assert_eq!(claims["address"], json!({"locality": "Rotterdam"}));
    assert_eq!(
        claims["addresses"],
        json!([{"date_from": "2013-11-02"}, {"date_from": "2015-08-08"}])
    );
    assert!(claims.get("given_name").is_none());
    assert!(claims
        .get("nationalities")
        .unwrap()
        .as_array()
        .unwrap()
        .is_empty());
    // address + locality + 2 × (element + date_from)
    assert_eq!(verified.disclosed_paths().len(), 6);
}

#[test]
fn naming_an_object_discloses_all_of_it() {
    let issuer = SigningKey::generate();
    let sd = issued(&issuer)
        .present(&[path(json!(["address"]))])
        .unwrap();
    assert_eq!(sd.disclosures().len(), 4);
}

#[test]
fn presenting_a_path_that_is_not_there_fails() {
    let issuer = SigningKey::generate();
    assert!(matches!(
        issued(&issuer).present(&[path(json!(["shoe_size"]))]),
        Err(SdJwtError::PathNotFound(_))
    ));
}

#[test]
fn held_sd_jwt_round_trips_through_text() {
    let issuer = SigningKey::generate();
    let sd = issued(&issuer);
    let back = SdJwt::parse_held(&sd.serialize()).unwrap();
    assert_eq!(back.serialize(), sd.serialize());
}

#[test]
fn transaction_data_hashes_are_checked() {
    let issuer = SigningKey::generate();
    let holder = SigningKey::generate();
    let sd = issued(&issuer).present(&[]).unwrap();
    let hashes = vec!["abc".to_owned()];
    let text = add_key_binding(
        &sd.serialize(),
        &holder,
        "rp",
        "n-1",
        NOW,
        Some(hashes.clone()),
    )
    .unwrap();
    let verified = UnverifiedSdJwt::parse(&text)
        .unwrap()
        .verify(issuer.public_jwk())
        .unwrap();
    let mut exp = expect("rp", "n-1");
    exp.transaction_data_hashes = Some(&hashes);
    let claims = verified
        .verify_key_binding(holder.public_jwk(), &exp)
        .unwrap();
    assert_eq!(
        claims.transaction_data_hashes_alg.as_deref(),
        Some("sha-256")
    );
    let other = vec!["xyz".to_owned()];
    exp.transaction_data_hashes = Some(&other);
    assert_eq!(
        verified
            .verify_key_binding(holder.public_jwk(), &exp)
            .unwrap_err(),
        SdJwtError::WrongTransactionData
    );
    // Expected but absent.
    let plain = add_key_binding(&sd.serialize(), &holder, "rp", "n-1", NOW, None).unwrap();
    let verified = UnverifiedSdJwt::parse(&plain)
        .unwrap()
        .verify(issuer.public_jwk())
        .unwrap();
    exp.transaction_data_hashes = Some(&hashes);
    assert_eq!(
        verified
            .verify_key_binding(holder.public_jwk(), &exp)
            .unwrap_err(),
        SdJwtError::WrongTransactionData
    );
}

// ---- rejections, one per rule ----

#[test]
fn tampered_disclosure_is_unreferenced() {
    let (text, issuer, holder) = presented(&[path(json!(["given_name"]))]);
    let parts: Vec<&str> = text.split('~').collect();
    let forged = disclosure(json!(["salt", "given_name", "Mallory"]));
    let tampered = format!("{}~{}~{}", parts[0], forged, parts[2]);
    assert_eq!(
        verify_kb(&tampered, &issuer, &holder).unwrap_err(),
        SdJwtError::UnreferencedDisclosure
    );
}

#[test]
fn wrong_issuer_key_is_rejected() {
    let (text, _issuer, holder) = presented(&[]);
    let other = SigningKey::generate();
    assert_eq!(
        verify_kb(&text, &other, &holder).unwrap_err(),
        SdJwtError::IssuerJwt(JoseError::BadSignature)
    );
}

#[test]
fn missing_key_binding_is_rejected() {
    let issuer = SigningKey::generate();
    let holder = SigningKey::generate();
    let text = issued(&issuer).present(&[]).unwrap().serialize();
    assert_eq!(
        verify_kb(&text, &issuer, &holder).unwrap_err(),
        SdJwtError::KeyBindingMissing
    );
}

#[test]
fn key_binding_by_another_key_is_rejected() {
    let (text, issuer, _holder) = presented(&[]);
    let other = SigningKey::generate();
    assert_eq!(
        verify_kb(&text, &issuer, &other).unwrap_err(),
        SdJwtError::KeyBindingJwt(JoseError::BadSignature)
    );
}

#[test]
fn wrong_nonce_and_audience_are_rejected() {
    let (text, issuer, holder) = presented(&[]);
    let verified = UnverifiedSdJwt::parse(&text)
        .unwrap()
        .verify(issuer.public_jwk())
        .unwrap();
    assert_eq!(
        verified
            .verify_key_binding(holder.public_jwk(), &expect("rp", "other"))
            .unwrap_err(),
        SdJwtError::WrongNonce
    );
    assert_eq!(
        verified
            .verify_key_binding(holder.public_jwk(), &expect("other-rp", "n-1"))
            .unwrap_err(),
        SdJwtError::WrongAudience
    );
}

#[test]
fn stale_and_future_iat_are_rejected() {
    let (text, issuer, holder) = presented(&[]);
    let verified = UnverifiedSdJwt::parse(&text)
        .unwrap()
        .verify(issuer.public_jwk())
        .unwrap();
    let mut later = expect("rp", "n-1");
    later.now = NOW + 301;
    assert_eq!(
        verified
            .verify_key_binding(holder.public_jwk(), &later)
            .unwrap_err(),
        SdJwtError::KeyBindingStale
    );
    let mut earlier = expect("rp", "n-1");
    earlier.now = NOW - 61;
    assert_eq!(
        verified
            .verify_key_binding(holder.public_jwk(), &earlier)
            .unwrap_err(),
        SdJwtError::KeyBindingInFuture
    );
}

#[test]
fn key_binding_over_other_disclosures_fails_sd_hash() {
    let issuer = SigningKey::generate();
    let holder = SigningKey::generate();
    let sd = issued(&issuer);
    let small = sd.present(&[path(json!(["family_name"]))]).unwrap();
    let big = sd
        .present(&[path(json!(["family_name"])), path(json!(["given_name"]))])
        .unwrap();
    // A KB-JWT made for the small presentation, attached to the bigger one.
    let kb_text = add_key_binding(&small.serialize(), &holder, "rp", "n-1", NOW, None).unwrap();
    let kb = kb_text.rsplit('~').next().unwrap();
    let swapped = format!("{}{}", big.serialize(), kb);
    assert_eq!(
        verify_kb(&swapped, &issuer, &holder).unwrap_err(),
        SdJwtError::WrongSdHash
    );
}

#[test]
fn kb_jwt_with_wrong_typ_is_rejected() {
    let (text, issuer, holder) = presented(&[]);
    let prefix = &text[..text.rfind('~').unwrap() + 1];
    let claims = json!({"iat": NOW, "aud": "rp", "nonce": "n-1", "sd_hash": sd_hash(prefix)});
    let kb = crate::jose::sign_json("jwt", Map::new(), &claims, &holder).unwrap();
    assert!(matches!(
        verify_kb(&format!("{prefix}{kb}"), &issuer, &holder).unwrap_err(),
        SdJwtError::KeyBindingJwt(JoseError::WrongType { .. })
    ));
}

#[test]
fn duplicated_disclosure_is_rejected() {
    let issuer = SigningKey::generate();
    let sd = issued(&issuer);
    let d = sd.disclosures()[0].encoded();
    let text = format!("{}{}~", sd.serialize(), d);
    assert_eq!(
        UnverifiedSdJwt::parse(&text)
            .unwrap()
            .verify(issuer.public_jwk())
            .unwrap_err(),
        SdJwtError::DuplicateDisclosure
    );
}

#[test]
fn duplicate_digest_in_payload_is_rejected() {
    let key = SigningKey::generate();
    let d = disclosure(json!(["s1", "name", "x"]));
    let digest = disclosure::digest_of(&d);
    let payload = json!({"_sd": [digest, digest], "_sd_alg": "sha-256"});
    let text = format!("{}~{}~", signed_with(&payload, &key), d);
    assert_eq!(
        UnverifiedSdJwt::parse(&text)
            .unwrap()
            .verify(key.public_jwk())
            .unwrap_err(),
        SdJwtError::DuplicateDigest
    );
}

#[test]
fn unreferenced_disclosure_is_rejected() {
    let issuer = SigningKey::generate();
    let sd = issued(&issuer).present(&[]).unwrap();
    let extra = disclosure(json!(["s", "extra", 1]));
    let text = format!("{}{}~", sd.serialize(), extra);
    assert_eq!(
        UnverifiedSdJwt::parse(&text)
            .unwrap()
            .verify(issuer.public_jwk())
            .unwrap_err(),
        SdJwtError::UnreferencedDisclosure
    );
}

#[test]
fn sd_that_is_not_an_array_of_strings_is_rejected() {
    let key = SigningKey::generate();
    for bad in [json!({"_sd": "abc"}), json!({"_sd": [1]})] {
        let text = format!("{}~", signed_with(&bad, &key));
        assert_eq!(
            UnverifiedSdJwt::parse(&text)
                .unwrap()
                .verify(key.public_jwk())
                .unwrap_err(),
            SdJwtError::InvalidSdArray
        );
    }
}

#[test]
fn disclosures_named_sd_or_ellipsis_are_rejected() {
    let key = SigningKey::generate();
    let jwt = signed_with(&json!({}), &key);
    for name in ["_sd", "..."] {
        let text = format!("{jwt}~{}~", disclosure(json!(["s", name, 1])));
        assert_eq!(
            UnverifiedSdJwt::parse(&text).unwrap_err(),
            SdJwtError::ForbiddenClaimName(name.into())
        );
    }
}

#[test]
fn ellipsis_object_with_extra_keys_is_rejected() {
    let key = SigningKey::generate();
    let d = disclosure(json!(["s", "NL"]));
    let payload = json!({"list": [{"...": disclosure::digest_of(&d), "x": 1}]});
    let text = format!("{}~{}~", signed_with(&payload, &key), d);
    assert_eq!(
        UnverifiedSdJwt::parse(&text)
            .unwrap()
            .verify(key.public_jwk())
            .unwrap_err(),
        SdJwtError::MisplacedArrayDigest
    );
}

#[test]
fn ellipsis_outside_an_array_is_rejected() {
    let key = SigningKey::generate();
    let payload = json!({"obj": {"...": "abc"}});
    let text = format!("{}~", signed_with(&payload, &key));
    assert_eq!(
        UnverifiedSdJwt::parse(&text)
            .unwrap()
            .verify(key.public_jwk())
            .unwrap_err(),
        SdJwtError::MisplacedArrayDigest
    );
}

#[test]
fn array_disclosure_in_object_position_is_rejected() {
    let key = SigningKey::generate();
    let d = disclosure(json!(["s", "NL"]));
    let payload = json!({"_sd": [disclosure::digest_of(&d)]});
    let text = format!("{}~{}~", signed_with(&payload, &key), d);
    assert_eq!(
        UnverifiedSdJwt::parse(&text)
            .unwrap()
            .verify(key.public_jwk())
            .unwrap_err(),
        SdJwtError::WrongDisclosureKind
    );
}

#[test]
fn disclosure_overwriting_a_claim_is_rejected() {
    let key = SigningKey::generate();
    let d = disclosure(json!(["s", "name", "Mallory"]));
    let payload = json!({"name": "Alice", "_sd": [disclosure::digest_of(&d)]});
    let text = format!("{}~{}~", signed_with(&payload, &key), d);
    assert_eq!(
        UnverifiedSdJwt::parse(&text)
            .unwrap()
            .verify(key.public_jwk())
            .unwrap_err(),
        SdJwtError::ClaimExists("name".into())
    );
}

#[test]
fn other_sd_alg_is_rejected() {
    let key = SigningKey::generate();
    let text = format!("{}~", signed_with(&json!({"_sd_alg": "sha-512"}), &key));
    assert!(matches!(
        UnverifiedSdJwt::parse(&text)
            .unwrap()
            .verify(key.public_jwk())
            .unwrap_err(),
        SdJwtError::UnsupportedHashAlgorithm(_)
    ));
}

#[test]
fn alg_none_is_rejected() {
    let jwt = format!(
        "{}.{}.",
        b64u_encode(br#"{"alg":"none","typ":"dc+sd-jwt"}"#),
        b64u_encode(b"{}")
    );
    assert_eq!(
        UnverifiedSdJwt::parse(&format!("{jwt}~")).unwrap_err(),
        SdJwtError::IssuerJwt(JoseError::UnsupportedAlgorithm("none".into()))
    );
}

#[test]
fn oversized_and_too_many_disclosures_are_rejected() {
    let big = "a".repeat(MAX_SD_JWT_LEN + 1);
    assert!(matches!(
        UnverifiedSdJwt::parse(&big),
        Err(SdJwtError::TooLarge { .. })
    ));
    let key = SigningKey::generate();
    let jwt = signed_with(&json!({}), &key);
    let d = disclosure(json!(["s", "n", 1]));
    let text = format!("{jwt}~{}", format!("{d}~").repeat(MAX_DISCLOSURES + 1));
    assert_eq!(
        UnverifiedSdJwt::parse(&text).unwrap_err(),
        SdJwtError::TooManyDisclosures(MAX_DISCLOSURES)
    );
}

#[test]
fn malformed_compact_forms_are_rejected() {
    let key = SigningKey::generate();
    let jwt = signed_with(&json!({}), &key);
    assert_eq!(
        UnverifiedSdJwt::parse(&jwt).unwrap_err(),
        SdJwtError::Malformed
    );
    assert_eq!(
        UnverifiedSdJwt::parse(&format!("{jwt}~~")).unwrap_err(),
        SdJwtError::Malformed
    );
    assert_eq!(
        UnverifiedSdJwt::parse(&format!("{jwt}~!!~")).unwrap_err(),
        SdJwtError::MalformedDisclosure
    );
}

#[test]
fn frame_naming_a_missing_claim_is_refused() {
    let key = SigningKey::generate();
    let frame = ObjectFrame::sd_members(["not_there"]);
    assert_eq!(
        issue(Map::new(), claims(), &frame, &key, &mut RandomSalts).unwrap_err(),
        SdJwtError::FrameMismatch("not_there".into())
    );
}

#[test]
fn random_salts_are_128_bits_and_never_repeat_across_pool_refills() {
    // 70 disclosures: more than two reads of the salt pool (32 salts per read).
    let claims: Map<String, Value> = (0..70).map(|i| (format!("c{i}"), json!(i))).collect();
    let frame = ObjectFrame::sd_members(claims.keys().cloned());
    let key = SigningKey::generate();
    let sd = issue(Map::new(), claims, &frame, &key, &mut RandomSalts).unwrap();
    let salts: std::collections::HashSet<&str> =
        sd.disclosures().iter().map(|d| d.salt()).collect();
    assert_eq!(salts.len(), 70, "every salt differs");
    for salt in salts {
        assert_eq!(crate::jose::b64u_decode(salt, "salt").unwrap().len(), 16);
    }
}
