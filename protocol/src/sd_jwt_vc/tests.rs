//! SD-JWT VC issuance and verification rules.

use super::*;
use crate::claim_path::ClaimPath;
use crate::sd_jwt::{add_key_binding, RandomSalts};
use serde_json::json;

const NOW: u64 = 1_800_000_000;
const ISS: &str = "https://gemeente.example";

struct Fixture {
    issuer: SigningKey,
    holder: SigningKey,
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            issuer: SigningKey::generate().with_kid("k1"),
            holder: SigningKey::generate(),
        }
    }

    fn envelope(&self) -> VcEnvelope<'_> {
        VcEnvelope {
            iss: ISS,
            vct: "urn:regie:uittreksel-brp:1",
            iat: NOW - 100,
            exp: NOW + 1000,
            nbf: None,
            holder_key: self.holder.public_jwk(),
            status: Some(StatusReference {
                idx: 7,
                uri: "https://gemeente.example/status/1".into(),
            }),
        }
    }

    fn issue_with(&self, envelope: &VcEnvelope<'_>) -> SdJwt {
        let attributes = json!({"given_name": "Wilma", "family_name": "van Zon"});
        issue(
            envelope,
            attributes.as_object().cloned().unwrap(),
            &ObjectFrame::sd_members(["given_name", "family_name"]),
            &self.issuer,
            &mut RandomSalts,
        )
        .unwrap()
    }

    fn keys(&self) -> impl FnOnce(&str, Option<&str>) -> Option<PublicJwk> + '_ {
        move |iss, kid| (iss == ISS && kid == Some("k1")).then(|| self.issuer.public_jwk().clone())
    }
}

fn clock() -> Clock {
    Clock { now: NOW, skew: 60 }
}

fn expectation() -> KbExpectation<'static> {
    KbExpectation {
        aud: "verifier_attestation:rp",
        nonce: "n",
        now: NOW,
        max_age: 300,
        future_skew: 60,
        transaction_data_hashes: None,
    }
}

#[test]
fn issue_present_verify_round_trip() {
    let f = Fixture::new();
    let sd = f.issue_with(&f.envelope());
    let credential = verify(&sd.serialize(), f.keys(), clock()).unwrap();
    assert_eq!(credential.issuer(), ISS);
    assert_eq!(credential.vct(), "urn:regie:uittreksel-brp:1");
    assert!(credential.holder_key().same_key(f.holder.public_jwk()));
    assert_eq!(credential.status().unwrap().idx, 7);
    assert_eq!(
        Value::Object(credential.attributes()),
        json!({"given_name": "Wilma", "family_name": "van Zon"})
    );

    let shown = sd
        .present(&[ClaimPath::keys(["family_name"]).unwrap()])
        .unwrap();
    let text = add_key_binding(
        &shown.serialize(),
        &f.holder,
        "verifier_attestation:rp",
        "n",
        NOW,
        None,
    )
    .unwrap();
    let presentation = verify_presentation(&text, f.keys(), &expectation(), 60).unwrap();
    assert_eq!(
        Value::Object(presentation.credential.attributes()),
        json!({"family_name": "van Zon"})
    );
    assert_eq!(presentation.key_binding.nonce, "n");
}

#[test]
fn presentation_without_key_binding_is_rejected() {
    let f = Fixture::new();
    let text = f.issue_with(&f.envelope()).serialize();
    assert_eq!(
        verify_presentation(&text, f.keys(), &expectation(), 60).unwrap_err(),
        VcError::SdJwt(SdJwtError::KeyBindingMissing)
    );
}

#[test]
fn unknown_issuer_is_rejected() {
    let f = Fixture::new();
    let text = f.issue_with(&f.envelope()).serialize();
    assert_eq!(
        verify(&text, |_, _| None, clock()).unwrap_err(),
        VcError::UnknownIssuer
    );
}

#[test]
fn expired_not_yet_valid_and_future_credentials_are_rejected() {
    let f = Fixture::new();
    let mut env = f.envelope();
    env.exp = NOW - 61;
    let text = f.issue_with(&env).serialize();
    assert_eq!(
        verify(&text, f.keys(), clock()).unwrap_err(),
        VcError::Expired
    );

    let mut env = f.envelope();
    env.nbf = Some(NOW + 61);
    let text = f.issue_with(&env).serialize();
    assert_eq!(
        verify(&text, f.keys(), clock()).unwrap_err(),
        VcError::NotYetValid
    );

    let mut env = f.envelope();
    env.iat = NOW + 61;
    let text = f.issue_with(&env).serialize();
    assert_eq!(
        verify(&text, f.keys(), clock()).unwrap_err(),
        VcError::IssuedInFuture
    );
    // Within the skew: accepted.
    let mut env = f.envelope();
    env.exp = NOW - 30;
    let text = f.issue_with(&env).serialize();
    assert!(verify(&text, f.keys(), clock()).is_ok());
}

#[test]
fn wrong_typ_is_rejected() {
    let f = Fixture::new();
    let claims =
        json!({"iss": ISS, "vct": "x", "cnf": {"jwk": f.holder.public_jwk().to_json_value()}});
    let mut header = Map::new();
    header.insert("typ".into(), "vc+sd-jwt-legacy".into());
    let sd = sd_jwt::issue(
        header,
        claims.as_object().cloned().unwrap(),
        &ObjectFrame::default(),
        &f.issuer,
        &mut RandomSalts,
    )
    .unwrap();
    assert_eq!(
        verify(&sd.serialize(), f.keys(), clock()).unwrap_err(),
        VcError::WrongType
    );
}

#[test]
fn reserved_claims_cannot_be_made_disclosable_or_given() {
    let f = Fixture::new();
    let err = issue(
        &f.envelope(),
        Map::new(),
        &ObjectFrame::sd_members(["status"]),
        &f.issuer,
        &mut RandomSalts,
    )
    .unwrap_err();
    assert_eq!(err, VcError::ReservedClaimDisclosable("status".into()));
    let attributes = json!({"exp": 1});
    let err = issue(
        &f.envelope(),
        attributes.as_object().cloned().unwrap(),
        &ObjectFrame::default(),
        &f.issuer,
        &mut RandomSalts,
    )
    .unwrap_err();
    assert_eq!(err, VcError::ReservedClaimGiven("exp".into()));
}

#[test]
fn disclosed_reserved_claim_is_rejected() {
    let f = Fixture::new();
    // Another issuer's software made `vct` selectively disclosable.
    let claims =
        json!({"iss": ISS, "vct": "x", "cnf": {"jwk": f.holder.public_jwk().to_json_value()}});
    let mut header = Map::new();
    header.insert("typ".into(), SD_JWT_VC_TYP.into());
    let sd = sd_jwt::issue(
        header,
        claims.as_object().cloned().unwrap(),
        &ObjectFrame::sd_members(["vct"]),
        &f.issuer,
        &mut RandomSalts,
    )
    .unwrap();
    assert_eq!(
        verify(&sd.serialize(), f.keys(), clock()).unwrap_err(),
        VcError::ReservedClaimDisclosable("vct".into())
    );
}

#[test]
fn missing_holder_key_is_rejected() {
    let f = Fixture::new();
    let claims = json!({"iss": ISS, "vct": "x"});
    let mut header = Map::new();
    header.insert("typ".into(), SD_JWT_VC_TYP.into());
    let sd = sd_jwt::issue(
        header,
        claims.as_object().cloned().unwrap(),
        &ObjectFrame::default(),
        &f.issuer,
        &mut RandomSalts,
    )
    .unwrap();
    assert_eq!(
        verify(&sd.serialize(), f.keys(), clock()).unwrap_err(),
        VcError::MissingClaim("cnf.jwk")
    );
}
