//! Attacks on the signed formats that the other protocol tests do not send: keys chosen by
//! the token's own header, HMAC with the public key, JSON read two ways, nesting bombs, and
//! disclosures taken from another credential or made up by the holder behind a fresh key
//! binding. Each is listed in SECURITY.md's attack table.
mod common;
use common::*;

use protocol::jose::{b64u_encode, sign_compact, JoseError, SigningKey};
use protocol::sd_jwt::{Disclosure, ObjectFrame, SdJwtError, UnverifiedSdJwt};
use protocol::sd_jwt_vc::{VcError, SD_JWT_VC_TYP};
use serde_json::{json, Map, Value};

fn header(extra: Value) -> Map<String, Value> {
    let mut h = Map::new();
    h.insert("typ".into(), SD_JWT_VC_TYP.into());
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        h.insert(k, v);
    }
    h
}

/// `<jwt>~` of a credential with no disclosures, signed by `key` over `payload` text.
fn signed_text(header: Map<String, Value>, payload: &str, key: &SigningKey) -> String {
    format!("{}~", sign_compact(header, payload.as_bytes(), key))
}

/// `presentation` with `extra` (an encoded disclosure) added and the key binding signed
/// again by the holder, so that `sd_hash` matches what is sent.
fn with_added_disclosure(keys: &Keys, presentation: &str, extra: &str) -> String {
    let without_kb = &presentation[..presentation.rfind('~').unwrap() + 1];
    keys.with_kb(
        &format!("{without_kb}{extra}~"),
        json!({"aud": AUD, "nonce": NONCE, "iat": NOW}),
    )
}

#[test]
fn a_key_named_in_the_header_never_chooses_the_key() {
    let keys = Keys::new();
    let attacker = SigningKey::generate();
    let payload = keys.payload(json!({"given_name": "Mallory"})).to_string();
    for injected in [
        json!({"jwk": attacker.public_jwk().to_json_value()}),
        json!({"jku": "https://evil.example/jwks.json", "kid": "evil"}),
        json!({"x5u": "https://evil.example/cert.pem"}),
        json!({"x5c": ["MIIBszCCAVmgAwIBAgIU"]}),
    ] {
        let forged = signed_text(header(injected.clone()), &payload, &attacker);
        let mut asked = Vec::new();
        let err = protocol::sd_jwt_vc::verify(
            &forged,
            |iss, kid| {
                asked.push((iss.to_owned(), kid.map(str::to_owned)));
                Some(keys.issuer.public_jwk().clone())
            },
            clock(),
        )
        .unwrap_err();
        assert_eq!(
            err,
            VcError::SdJwt(SdJwtError::IssuerJwt(JoseError::BadSignature)),
            "{injected}"
        );
        // Only the trust list's key for the named issuer was looked up.
        assert_eq!(asked.len(), 1);
        assert_eq!(asked[0].0, ISS);
    }
}

#[test]
fn hs256_keyed_with_the_issuers_public_key_is_refused() {
    let keys = Keys::new();
    let public = keys.issuer.public_jwk().to_json_value().to_string();
    let head = b64u_encode(json!({"alg": "HS256", "typ": SD_JWT_VC_TYP}).to_string());
    let body = b64u_encode(keys.payload(json!({})).to_string());
    let input = format!("{head}.{body}");
    let mac = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, public.as_bytes()),
        input.as_bytes(),
    );
    let forged = format!("{input}.{}~", b64u_encode(mac.as_ref()));
    let err = keys.verify(&forged).unwrap_err();
    assert_eq!(
        err,
        VcError::SdJwt(SdJwtError::IssuerJwt(JoseError::UnsupportedAlgorithm(
            "HS256".into()
        )))
    );
}

#[test]
fn json_with_a_member_twice_is_refused_wherever_it_is_signed() {
    let keys = Keys::new();
    let payload = keys.payload(json!({})).to_string();
    // The payload: a second `vct` after the signed one (a last-wins parser reads the other).
    let twice = format!(
        "{},\"vct\":\"urn:regie:other:1\"}}",
        &payload[..payload.len() - 1]
    );
    let err = keys
        .verify(&signed_text(header(json!({})), &twice, &keys.issuer))
        .unwrap_err();
    assert!(err.to_string().contains("occurs twice"), "{err}");
    // The header: `alg` twice, the second one `none`.
    let head = b64u_encode(format!(
        r#"{{"alg":"ES256","typ":"{SD_JWT_VC_TYP}","alg":"none"}}"#
    ));
    let good = sign_compact(header(json!({})), payload.as_bytes(), &keys.issuer);
    let mut parts = good.split('.');
    let _ = parts.next();
    let tampered = format!(
        "{head}.{}.{}~",
        parts.next().unwrap(),
        parts.next().unwrap()
    );
    let err = keys.verify(&tampered).unwrap_err();
    assert!(err.to_string().contains("occurs twice"), "{err}");
    // A disclosure whose value has a member twice.
    let raw = b64u_encode(r#"["c2FsdA","address",{"city":"Utrecht","city":"Evil"}]"#);
    assert_eq!(
        Disclosure::parse(&raw).unwrap_err(),
        SdJwtError::MalformedDisclosure
    );
}

#[test]
fn a_signed_nesting_bomb_is_refused_without_a_crash() {
    let keys = Keys::new();
    let payload = keys.payload(json!({})).to_string();
    let bomb = format!(
        "{},\"deep\":{}1{}}}",
        &payload[..payload.len() - 1],
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    let err = keys
        .verify(&signed_text(header(json!({})), &bomb, &keys.issuer))
        .unwrap_err();
    assert!(err.to_string().contains("nested deeper"), "{err}");
}

#[test]
fn a_disclosure_from_another_credential_is_refused_behind_a_fresh_key_binding() {
    let keys = Keys::new();
    let frame = ObjectFrame::sd_members(["given_name", "birthdate"]);
    let wilma = keys.issue(
        json!({"given_name": "Wilma", "birthdate": "1985-03-01"}),
        &frame,
    );
    let gerrit = keys.issue(
        json!({"given_name": "Gerrit", "birthdate": "1950-07-16"}),
        &frame,
    );
    let name = [path(json!(["given_name"]))];
    let honest = keys.present(&wilma, &name);
    assert!(keys.verify_presentation(&honest).is_ok());
    // Wilma's issuer JWT with Gerrit's birth date disclosure, key binding signed again so
    // that `sd_hash` matches what is sent.
    let gerrit_shown = keys.present(&gerrit, &[path(json!(["birthdate"]))]);
    assert_eq!(
        UnverifiedSdJwt::parse(&gerrit_shown)
            .unwrap()
            .disclosure_count(),
        1
    );
    let swapped_in = gerrit_shown.split('~').nth(1).unwrap().to_owned();
    let swapped = with_added_disclosure(&keys, &honest, &swapped_in);
    assert_eq!(
        keys.verify_presentation(&swapped).unwrap_err(),
        VcError::SdJwt(SdJwtError::UnreferencedDisclosure)
    );
}

#[test]
fn a_disclosure_the_holder_made_up_is_refused_behind_a_fresh_key_binding() {
    let keys = Keys::new();
    let sd = keys.issue(
        json!({"given_name": "Wilma"}),
        &ObjectFrame::sd_members(["given_name"]),
    );
    let honest = keys.present(&sd, &[path(json!(["given_name"]))]);
    let made_up = disclosure(Some("age_over_18"), json!(true));
    let added = with_added_disclosure(&keys, &honest, made_up.encoded());
    assert_eq!(
        keys.verify_presentation(&added).unwrap_err(),
        VcError::SdJwt(SdJwtError::UnreferencedDisclosure)
    );
}

#[test]
fn a_crit_header_is_refused_even_when_the_signature_is_genuine() {
    let keys = Keys::new();
    let payload = keys.payload(json!({})).to_string();
    let genuine = signed_text(
        header(json!({"crit": ["urn:example:must-understand"]})),
        &payload,
        &keys.issuer,
    );
    let err = keys.verify(&genuine).unwrap_err();
    assert!(err.to_string().contains("crit"), "{err}");
}
