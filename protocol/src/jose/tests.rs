use super::*;
use serde_json::json;

#[test]
fn sign_then_verify_round_trips() {
    let key = SigningKey::generate().with_kid("k1");
    let jws = sign_json("test+jwt", Map::new(), &json!({"a": 1}), &key).unwrap();
    let parsed = UnverifiedJws::parse(&jws).unwrap();
    assert_eq!(parsed.kid(), Some("k1"));
    parsed.expect_typ("test+jwt").unwrap();
    let verified = parsed.verify(key.public_jwk()).unwrap();
    assert_eq!(verified.claims::<Value>().unwrap(), json!({"a": 1}));
}

#[test]
fn wrong_key_is_rejected() {
    let key = SigningKey::generate();
    let other = SigningKey::generate();
    let jws = sign_json("x", Map::new(), &json!({}), &key).unwrap();
    let err = UnverifiedJws::parse(&jws)
        .unwrap()
        .verify(other.public_jwk())
        .unwrap_err();
    assert_eq!(err, JoseError::BadSignature);
}

#[test]
fn tampered_payload_is_rejected() {
    let key = SigningKey::generate();
    let jws = sign_json("x", Map::new(), &json!({"n": 1}), &key).unwrap();
    let parts: Vec<&str> = jws.split('.').collect();
    let forged = format!("{}.{}.{}", parts[0], b64u_encode(br#"{"n":2}"#), parts[2]);
    let err = UnverifiedJws::parse(&forged)
        .unwrap()
        .verify(key.public_jwk())
        .unwrap_err();
    assert_eq!(err, JoseError::BadSignature);
}

#[test]
fn alg_none_and_other_algs_are_rejected() {
    let none = format!(
        "{}.{}.",
        b64u_encode(br#"{"alg":"none"}"#),
        b64u_encode(b"{}")
    );
    assert_eq!(
        UnverifiedJws::parse(&none).unwrap_err(),
        JoseError::UnsupportedAlgorithm("none".into())
    );
    let hs = format!(
        "{}.{}.{}",
        b64u_encode(br#"{"alg":"HS256"}"#),
        b64u_encode(b"{}"),
        b64u_encode([0u8; 32])
    );
    assert!(matches!(
        UnverifiedJws::parse(&hs),
        Err(JoseError::UnsupportedAlgorithm(_))
    ));
}

#[test]
fn oversized_and_malformed_input_is_rejected() {
    let big = "a".repeat(MAX_JWS_LEN + 1);
    assert!(matches!(
        UnverifiedJws::parse(&big),
        Err(JoseError::TooLarge { .. })
    ));
    assert_eq!(
        UnverifiedJws::parse("a.b").unwrap_err(),
        JoseError::Malformed
    );
    assert_eq!(
        UnverifiedJws::parse("a.b.c.d").unwrap_err(),
        JoseError::Malformed
    );
    assert!(matches!(
        UnverifiedJws::parse("!!.e30.AA"),
        Err(JoseError::Base64(_))
    ));
}

#[test]
fn wrong_typ_is_reported() {
    let key = SigningKey::generate();
    let jws = sign_json("kb+jwt", Map::new(), &json!({}), &key).unwrap();
    let parsed = UnverifiedJws::parse(&jws).unwrap();
    assert!(matches!(
        parsed.expect_typ("dc+sd-jwt"),
        Err(JoseError::WrongType { .. })
    ));
}

#[test]
fn private_jwk_round_trips_and_public_jwk_refuses_d() {
    let key = SigningKey::generate().with_kid("abc");
    let private: Value = serde_json::from_str(&key.to_private_jwk()).unwrap();
    let back = SigningKey::from_private_jwk(&private).unwrap();
    assert_eq!(back.public_jwk(), key.public_jwk());
    assert!(PublicJwk::from_json_value(&private).is_err());
    let public = key.public_jwk().to_json_value();
    assert_eq!(
        PublicJwk::from_json_value(&public).unwrap(),
        *key.public_jwk()
    );
}

#[test]
fn private_jwk_with_mismatched_public_part_is_rejected() {
    let a = SigningKey::generate();
    let b = SigningKey::generate();
    let mut private: Value = serde_json::from_str(&a.to_private_jwk()).unwrap();
    let b_public = b.public_jwk().to_json_value();
    private["x"] = b_public["x"].clone();
    private["y"] = b_public["y"].clone();
    assert!(SigningKey::from_private_jwk(&private).is_err());
}

#[test]
fn off_curve_point_is_rejected() {
    let jwk =
        json!({"kty":"EC","crv":"P-256","x": b64u_encode([1u8;32]),"y": b64u_encode([2u8;32])});
    assert!(PublicJwk::from_json_value(&jwk).is_err());
}

/// RFC 7638 has no P-256 example; this pins the required members, their lexicographic
/// order and the absence of whitespace and of `kid`, for the RFC 9901 A.5 holder key.
#[test]
fn thumbprint_uses_canonical_members() {
    let jwk = json!({
        "kty": "EC", "crv": "P-256",
        "x": "TCAER19Zvu3OHF4j4W4vfSVoHIP1ILilDls7vCeGemc",
        "y": "ZxjiWWbZMQGHVWKVQ4hbSIirsVfuecCE6t4jT9F2HZQ",
        "kid": "ignored"
    });
    let key = PublicJwk::from_json_value(&jwk).unwrap();
    let expected_input = r#"{"crv":"P-256","kty":"EC","x":"TCAER19Zvu3OHF4j4W4vfSVoHIP1ILilDls7vCeGemc","y":"ZxjiWWbZMQGHVWKVQ4hbSIirsVfuecCE6t4jT9F2HZQ"}"#;
    assert_eq!(
        key.thumbprint(),
        b64u_encode(sha256(expected_input.as_bytes()))
    );
}
