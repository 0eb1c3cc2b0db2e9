//! Conformance with RFC 9901, SD-JWT VC and the Token Status List draft where a review found
//! gaps (issue 17): each test shows one rule, through the public API only, with tokens made
//! the way another implementation might make them.
use protocol::claim_path::ClaimPath;
use protocol::dcql::{
    check_presented, match_credentials, DcqlQuery, HeldCredential, PresentedCredential,
    ResponseError,
};
use protocol::jose::{sign_json, SigningKey};
use protocol::sd_jwt::{
    self, ArrayFrame, Node, ObjectFrame, RandomSalts, SdJwt, SdJwtError, UnverifiedSdJwt,
};
use protocol::sd_jwt_vc::{self, VcEnvelope, VcError};
use protocol::status_list::{
    StatusList, StatusListError, UnverifiedStatusListToken, STATUS_LIST_TYP,
};
use serde_json::{json, Map, Value};

mod common;
use common::*;

// 17.1 ---------------------------------------------------------------------------------

/// RFC 9901 §7.1 step 3.3.2.3: `_sd_alg` exists at the top level until step 3.6, so a
/// disclosure of that name is a claim that already exists.
#[test]
fn disclosed_sd_alg_at_top_level_is_refused() {
    let keys = Keys::new();
    let d = disclosure(Some("_sd_alg"), json!("sha-512"));
    let payload = keys.payload(json!({"_sd": [d.digest()]}));
    let text = keys.sd_jwt_vc(&payload, &[&d]);
    let verify = |t: &str| {
        UnverifiedSdJwt::parse(t)
            .unwrap()
            .verify(keys.issuer.public_jwk())
    };
    assert_eq!(
        verify(&text).unwrap_err(),
        SdJwtError::ClaimExists("_sd_alg".into())
    );
    assert_eq!(
        keys.verify(&text).unwrap_err(),
        VcError::SdJwt(SdJwtError::ClaimExists("_sd_alg".into()))
    );
    // Without a signed `_sd_alg` (sha-256 by default) it is still no claim.
    let mut bare = payload.clone();
    bare.as_object_mut().unwrap().remove("_sd_alg");
    assert_eq!(
        verify(&keys.sd_jwt_vc(&bare, &[&d])).unwrap_err(),
        SdJwtError::ForbiddenClaimName("_sd_alg".into())
    );
    // Below the top level the name is an ordinary claim.
    let nested = disclosure(Some("_sd_alg"), json!("x"));
    let payload = keys.payload(json!({"address": {"_sd": [nested.digest()]}}));
    let verified = verify(&keys.sd_jwt_vc(&payload, &[&nested])).unwrap();
    assert_eq!(verified.claims()["address"], json!({"_sd_alg": "x"}));
    assert!(!verified.claims().contains_key("_sd_alg"));
}

// 17.2 ---------------------------------------------------------------------------------

/// SD-JWT VC: the reserved claims, sub-claims included, are never disclosures.
#[test]
fn disclosures_inside_reserved_claims_are_refused() {
    let keys = Keys::new();
    let jwk = disclosure(Some("jwk"), keys.holder.public_jwk().to_json_value());
    let payload = keys.payload(json!({"cnf": {"_sd": [jwk.digest()]}}));
    assert_eq!(
        keys.verify(&keys.sd_jwt_vc(&payload, &[&jwk])).unwrap_err(),
        VcError::ReservedClaimDisclosable("cnf.jwk".into())
    );

    let list = disclosure(
        Some("status_list"),
        json!({"idx": 1, "uri": "https://gemeente.example/status/1"}),
    );
    let payload = keys.payload(json!({"status": {"_sd": [list.digest()]}}));
    assert_eq!(
        keys.verify(&keys.sd_jwt_vc(&payload, &[&list]))
            .unwrap_err(),
        VcError::ReservedClaimDisclosable("status.status_list".into())
    );

    // The words are only reserved at the top level.
    let exp = disclosure(Some("exp"), json!("2030-01"));
    let payload = keys.payload(json!({"card": {"_sd": [exp.digest()]}}));
    let ok = keys.verify(&keys.sd_jwt_vc(&payload, &[&exp])).unwrap();
    assert_eq!(ok.claims()["card"], json!({"exp": "2030-01"}));

    // Regie's issuance refuses to build one.
    let frame = ObjectFrame::default().with("cnf", Node::object(ObjectFrame::sd_members(["jwk"])));
    let err = sd_jwt_vc::issue(
        &VcEnvelope {
            iss: ISS,
            vct: VCT,
            iat: NOW,
            exp: NOW + 1,
            nbf: None,
            holder_key: keys.holder.public_jwk(),
            status: None,
        },
        Map::new(),
        &frame,
        &keys.issuer,
        &mut RandomSalts,
    )
    .unwrap_err();
    assert_eq!(err, VcError::ReservedClaimDisclosable("cnf".into()));
}

// 17.3 ---------------------------------------------------------------------------------

/// RFC 9901 §7.2: the holder rejects an SD-JWT+KB from the issuer.
#[test]
fn holder_refuses_an_issued_sd_jwt_with_key_binding() {
    let keys = Keys::new();
    let issued = keys.issue(
        json!({"given_name": "Wilma"}),
        &ObjectFrame::sd_members(["given_name"]),
    );
    let text = issued.serialize();
    assert!(keys.verify_issued(&text).is_ok());
    let with_kb = keys.with_kb(&text, json!({"iat": NOW, "aud": AUD, "nonce": NONCE}));
    assert_eq!(
        keys.verify_issued(&with_kb).unwrap_err(),
        VcError::SdJwt(SdJwtError::UnexpectedKeyBinding)
    );
}

// 17.4 ---------------------------------------------------------------------------------

/// RFC 9901 §7.3 step 5.8: the KB-JWT must be a valid JWT, so `exp` and `nbf` count.
#[test]
fn key_binding_exp_and_nbf_are_checked() {
    let keys = Keys::new();
    let issued = keys.issue(
        json!({"given_name": "Wilma"}),
        &ObjectFrame::sd_members(["given_name"]),
    );
    let shown = issued.serialize();
    let kb = |extra: Value| {
        let mut claims = json!({"iat": NOW, "aud": AUD, "nonce": NONCE});
        for (k, v) in extra.as_object().cloned().unwrap() {
            claims[k] = v;
        }
        keys.verify_presentation(&keys.with_kb(&shown, claims))
    };
    assert_eq!(
        kb(json!({"exp": NOW - 3600})).unwrap_err(),
        VcError::SdJwt(SdJwtError::KeyBindingExpired)
    );
    assert_eq!(
        kb(json!({"nbf": NOW + 3600})).unwrap_err(),
        VcError::SdJwt(SdJwtError::KeyBindingNotYetValid)
    );
    assert!(kb(json!({"exp": NOW + 300, "nbf": NOW - 10})).is_ok());
    // Within the clock tolerance, as for `iat`.
    assert!(kb(json!({"exp": NOW - 30, "nbf": NOW + 30})).is_ok());
    assert!(kb(json!({"exp": "tomorrow"})).is_err());
}

// 17.5 ---------------------------------------------------------------------------------

/// RFC 7519 §4.1.3: a credential issued for an audience is accepted only by that audience,
/// named by the client identifier the KB-JWT's `aud` carries; the wallet refuses to keep one.
#[test]
fn issuer_signed_audience_is_checked() {
    let keys = Keys::new();
    let issue_for = |aud: Value| {
        let sd = keys.issue(
            json!({"aud": aud, "given_name": "Wilma"}),
            &ObjectFrame::sd_members(["given_name"]),
        );
        (
            sd.serialize(),
            keys.present(&sd, &[path(json!(["given_name"]))]),
        )
    };
    let (_, ours) = issue_for(json!(AUD));
    assert!(keys.verify_presentation(&ours).is_ok());
    let (_, listed) = issue_for(json!(["verifier_attestation:other.example", AUD]));
    assert!(keys.verify_presentation(&listed).is_ok());
    let (issued, theirs) = issue_for(json!("verifier_attestation:other.example"));
    assert_eq!(
        keys.verify_presentation(&theirs).unwrap_err(),
        VcError::WrongAudience
    );
    assert_eq!(
        keys.verify_issued(&issued).unwrap_err(),
        VcError::AudienceRestricted
    );
    let (_, malformed) = issue_for(json!(7));
    assert_eq!(
        keys.verify_presentation(&malformed).unwrap_err(),
        VcError::MissingClaim("aud")
    );
    // Without `aud` any verifier may accept it, as before.
    let sd = keys.issue(json!({"given_name": "Wilma"}), &ObjectFrame::default());
    assert!(keys.verify_presentation(&keys.present(&sd, &[])).is_ok());
}

// 17.6 ---------------------------------------------------------------------------------

const LIST_URI: &str = "https://gemeente.example/status/1";

fn status_token(key: &SigningKey, extra: Value) -> String {
    let mut claims = json!({
        "sub": LIST_URI, "iat": NOW - 10,
        "status_list": StatusList::new(1, 16).unwrap().to_json()
    });
    for (k, v) in extra.as_object().cloned().unwrap() {
        claims[k] = v;
    }
    sign_json(STATUS_LIST_TYP, Map::new(), &claims, key).unwrap()
}

fn read_status(
    key: &SigningKey,
    token: &str,
) -> Result<protocol::status_list::VerifiedStatusList, StatusListError> {
    UnverifiedStatusListToken::parse(token)?.verify(key.public_jwk(), LIST_URI, NOW)
}

/// The draft: invalid JWTs are rejected (so `nbf` counts) and `ttl` is a positive number.
#[test]
fn status_list_nbf_in_the_future_and_zero_ttl_are_refused() {
    let key = SigningKey::generate();
    assert_eq!(
        read_status(&key, &status_token(&key, json!({"nbf": NOW + 3600}))).unwrap_err(),
        StatusListError::NotYetValid
    );
    assert!(read_status(&key, &status_token(&key, json!({"nbf": NOW - 10}))).is_ok());
    assert_eq!(
        read_status(&key, &status_token(&key, json!({"ttl": 0}))).unwrap_err(),
        StatusListError::MissingClaim("ttl")
    );
    assert_eq!(
        read_status(&key, &status_token(&key, json!({"ttl": -5}))).unwrap_err(),
        StatusListError::MissingClaim("ttl")
    );
    let ok = read_status(&key, &status_token(&key, json!({"ttl": 300}))).unwrap();
    assert_eq!(ok.ttl(), Some(300));
}

// 17.7 ---------------------------------------------------------------------------------

/// RFC 7519 §2: a NumericDate may be fractional; it is compared as the number it is.
#[test]
fn fractional_numeric_dates_are_accepted_and_compared_exactly() {
    let keys = Keys::new();
    let credential = |extra: Value| keys.sd_jwt_vc(&keys.payload(extra), &[]);
    let ok = keys
        .verify(&credential(
            json!({"exp": NOW as f64 + 1000.5, "iat": NOW as f64 - 0.5}),
        ))
        .unwrap();
    assert_eq!(ok.expires_at(), Some(NOW + 1000));
    assert_eq!(ok.issued_at(), Some(NOW - 1));
    // Half a second past the tolerance is past it.
    assert_eq!(
        keys.verify(&credential(json!({"exp": NOW as f64 - 60.5})))
            .unwrap_err(),
        VcError::Expired
    );
    assert_eq!(
        keys.verify(&credential(json!({"nbf": NOW as f64 + 60.5})))
            .unwrap_err(),
        VcError::NotYetValid
    );
    // Beyond any u64: no overflow, just a date that never comes.
    assert!(keys.verify(&credential(json!({"exp": 1e300}))).is_ok());
    assert_eq!(
        keys.verify(&credential(json!({"iat": 1e300}))).unwrap_err(),
        VcError::IssuedInFuture
    );

    // A KB-JWT `iat` with a fraction.
    let shown = credential(json!({}));
    let kb = |iat: f64| {
        keys.verify_presentation(
            &keys.with_kb(&shown, json!({"iat": iat, "aud": AUD, "nonce": NONCE})),
        )
    };
    let presented = kb(NOW as f64 + 0.25).unwrap();
    assert_eq!(presented.key_binding.iat.secs(), NOW);
    assert_eq!(
        kb(NOW as f64 + 60.5).unwrap_err(),
        VcError::SdJwt(SdJwtError::KeyBindingInFuture)
    );
    assert_eq!(
        kb(NOW as f64 - 300.5).unwrap_err(),
        VcError::SdJwt(SdJwtError::KeyBindingStale)
    );

    // A status list with fractional `iat` and `exp`.
    let key = SigningKey::generate();
    let token = status_token(
        &key,
        json!({"iat": NOW as f64 - 9.75, "exp": NOW as f64 + 0.5}),
    );
    let list = read_status(&key, &token).unwrap();
    assert_eq!(list.issued_at(), NOW - 10);
    let expired = status_token(&key, json!({"exp": NOW as f64 - 0.5}));
    assert_eq!(
        read_status(&key, &expired).unwrap_err(),
        StatusListError::Expired
    );
}

// 17.8 ---------------------------------------------------------------------------------

fn query(claim: Value) -> DcqlQuery {
    DcqlQuery::parse(
        json!({"credentials": [{"id": "q", "format": "dc+sd-jwt",
            "meta": {"vct_values": [VCT]}, "claims": [claim]}]})
        .to_string(),
    )
    .unwrap()
}

/// What the wallet would disclose for `query` (None: it does not answer with this credential).
fn wallet_answer(sd: &SdJwt, query: &DcqlQuery) -> Option<Vec<ClaimPath>> {
    let (claims, _) = sd.disclosed_claims().unwrap();
    let claims = Value::Object(claims);
    let arrays = sd.disclosable_arrays().unwrap();
    let held = [HeldCredential {
        id: "c",
        format: "dc+sd-jwt",
        vct: VCT,
        claims: &claims,
        holder_binding: true,
        disclosable_arrays: &arrays,
    }];
    let matched = match_credentials(query, &held);
    matched
        .satisfied
        .then(|| matched.queries[0].candidates[0].disclose.clone())
}

/// The verifier's check of a presentation against `query`.
fn verifier_check(keys: &Keys, presentation: &str, query: &DcqlQuery) -> Result<(), ResponseError> {
    let verified = keys.verify_presentation(presentation).unwrap();
    let sd = verified.credential.sd_jwt();
    check_presented(
        query,
        &[PresentedCredential {
            query_id: "q",
            format: "dc+sd-jwt",
            vct: VCT,
            claims: sd.claims_value(),
            holder_binding: true,
            disclosable_arrays: sd.disclosable_arrays(),
        }],
    )
    .map(|_| ())
}

/// Undisclosed array elements are removed before the verifier sees the array (RFC 9901 §7.1
/// step 3.4), so an integer index into an array with disclosable elements names no issued
/// element: the wallet does not answer it and the verifier refuses it; `null` with `values`
/// works on both sides; indices into plain arrays keep their positions.
#[test]
fn array_indices_into_disclosable_arrays_are_not_answered_by_either_side() {
    let keys = Keys::new();
    let each_sd = ArrayFrame {
        each: Some(Box::new(Node::sd())),
        ..ArrayFrame::default()
    };
    let sd = keys.issue(
        json!({"nationalities": ["NL", "DE", "FR"], "languages": ["nl", "en"]}),
        &ObjectFrame::default().with("nationalities", Node::array(each_sd)),
    );

    // The honest answer to ["nationalities", 1] would arrive at index 0: not offered.
    let by_index = query(json!({"path": ["nationalities", 1]}));
    assert_eq!(wallet_answer(&sd, &by_index), None);
    // A holder who discloses element 1 alone cannot pass a check of element 0 ("NL").
    let only_de = keys.present(&sd, &[path(json!(["nationalities", 1]))]);
    let verified = keys.verify_presentation(&only_de).unwrap();
    assert_eq!(verified.credential.claims()["nationalities"], json!(["DE"]));
    let claim_zero = query(json!({"path": ["nationalities", 0], "values": ["DE"]}));
    assert!(matches!(
        verifier_check(&keys, &only_de, &claim_zero),
        Err(ResponseError::IndexIntoDisclosableArray { .. })
    ));
    assert!(matches!(
        verifier_check(&keys, &only_de, &by_index),
        Err(ResponseError::IndexIntoDisclosableArray { .. })
    ));

    // "Some nationality is DE": the wallet discloses that element only, the verifier agrees.
    let any_de = query(json!({"path": ["nationalities", null], "values": ["DE"]}));
    let disclose = wallet_answer(&sd, &any_de).unwrap();
    assert_eq!(disclose, vec![path(json!(["nationalities", 1]))]);
    let answer = keys.present(&sd, &disclose);
    assert_eq!(verifier_check(&keys, &answer, &any_de), Ok(()));

    // A plain array: positions are the issuer's, indices are answered and checked.
    let second_language = query(json!({"path": ["languages", 1], "values": ["en"]}));
    let disclose = wallet_answer(&sd, &second_language).unwrap();
    let answer = keys.present(&sd, &disclose);
    assert_eq!(verifier_check(&keys, &answer, &second_language), Ok(()));

    // Decoys alone make positions unreliable too.
    let decoys = ArrayFrame {
        decoys: 2,
        ..ArrayFrame::default()
    };
    let with_decoys = keys.issue(
        json!({"languages": ["nl", "en"]}),
        &ObjectFrame::default().with("languages", Node::array(decoys)),
    );
    assert_eq!(
        with_decoys.disclosable_arrays().unwrap(),
        vec![path(json!(["languages"]))]
    );
    assert_eq!(wallet_answer(&with_decoys, &second_language), None);
}

/// Arrays nested in disclosable elements are found where they land, and a `null` above an
/// index still reaches them.
#[test]
fn nested_disclosable_arrays_are_recorded_where_they_land() {
    let keys = Keys::new();
    let lines = ArrayFrame {
        each: Some(Box::new(Node::sd())),
        ..ArrayFrame::default()
    };
    let each_address = ArrayFrame {
        each: Some(Box::new(Node {
            sd: true,
            inner: sd_jwt::Inner::Object(ObjectFrame::default().with("lines", Node::array(lines))),
        })),
        ..ArrayFrame::default()
    };
    let sd = keys.issue(
        json!({"addresses": [{"lines": ["a", "b"]}, {"lines": ["c"]}]}),
        &ObjectFrame::default().with("addresses", Node::array(each_address)),
    );
    let mut arrays = sd.disclosable_arrays().unwrap();
    arrays.sort();
    assert_eq!(
        arrays,
        vec![
            path(json!(["addresses"])),
            path(json!(["addresses", 0, "lines"])),
            path(json!(["addresses", 1, "lines"])),
        ]
    );
    let q = query(json!({"path": ["addresses", null, "lines", 0]}));
    assert_eq!(wallet_answer(&sd, &q), None);
    let all = query(json!({"path": ["addresses", null, "lines", null]}));
    let disclose = wallet_answer(&sd, &all).unwrap();
    assert_eq!(
        verifier_check(&keys, &keys.present(&sd, &disclose), &all),
        Ok(())
    );
}
