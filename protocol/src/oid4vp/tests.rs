//! Request links, request objects and responses.

use super::*;
use crate::claim_path::ClaimPath;
use crate::dcql::DcqlQuery;
use crate::jose::{self, JoseError, SigningKey, UnverifiedJws};
use crate::trust::CLIENT_ID_PREFIX;
use crate::trust::{
    issue_attestation, AllowedCredential, AttestationContent, Localized, Purpose, Registration,
};
use serde_json::json;
use serde_json::{Map, Value};

const NOW: u64 = 1_800_000_000;
const RP: &str = "notaris-voorbeeld.example";

fn query() -> DcqlQuery {
    DcqlQuery::parse(
        json!({"credentials": [{"id": "brp", "format": "dc+sd-jwt",
            "meta": {"vct_values": ["urn:regie:uittreksel-brp:1"]},
            "claims": [{"path": ["family_name"]}]}]})
        .to_string(),
    )
    .unwrap()
}

fn registration() -> Registration {
    let text = |s: &str| Localized {
        nl: s.into(),
        en: s.into(),
    };
    Registration {
        legal_name: "Notariskantoor Voorbeeld (fictief)".into(),
        registration_number: "00000002".into(),
        city: "Utrecht".into(),
        logo: None,
        privacy_policy_url: "https://notaris.example/privacy".into(),
        purposes: vec![Purpose {
            id: "akte".into(),
            name: text("Identificatie bij akte"),
            description: text("x"),
            credentials: vec![AllowedCredential {
                vct: "urn:regie:uittreksel-brp:1".into(),
                claims: vec![ClaimPath::keys(["family_name"]).unwrap()],
            }],
            retention_days: 3650,
            retention: text("10 jaar"),
            shares_with_third_parties: false,
            deletion_possible: false,
            statement_types: Vec::new(),
        }],
    }
}

struct Keys {
    anchor: SigningKey,
    rp: SigningKey,
    attestation: String,
}

fn keys() -> Keys {
    keys_bound_to(None)
}

/// Keys whose attestation binds answers to `redirect_uris`, if given.
fn keys_bound_to(redirect_uris: Option<&[String]>) -> Keys {
    let anchor = SigningKey::generate();
    let rp = SigningKey::generate();
    let attestation = issue_attestation(
        &AttestationContent {
            anchor_id: "demo-trust-anchor",
            client_id: RP,
            request_key: rp.public_jwk(),
            registration: &registration(),
            redirect_uris,
            iat: NOW - 10,
            exp: NOW + 86_400,
        },
        &anchor,
    )
    .unwrap();
    Keys {
        anchor,
        rp,
        attestation,
    }
}

fn request(k: &Keys, transaction_data: &[Value]) -> String {
    request_answered_at(k, "https://verifier.example/response/1", transaction_data)
}

fn request_answered_at(k: &Keys, response_uri: &str, transaction_data: &[Value]) -> String {
    let q = query();
    sign_request(
        &RequestContent {
            client_id: RP,
            response_uri,
            nonce: "nonce-1",
            state: Some("s-1"),
            purpose: Some("identificatie"),
            dcql_query: &q,
            transaction_data,
            iat: NOW,
            exp: NOW + 300,
        },
        &k.attestation,
        &k.rp,
    )
    .unwrap()
}

#[test]
fn request_link_round_trips_and_rejects() {
    let link = RequestLink {
        client_id: format!("{CLIENT_ID_PREFIX}{RP}"),
        request_uri: "https://verifier.example/request/1".into(),
    };
    assert_eq!(RequestLink::parse(&link.to_uri(), false).unwrap(), link);
    assert_eq!(
        RequestLink::parse("openid-credential-offer://?x", false).unwrap_err(),
        Oid4vpError::WrongScheme
    );
    assert_eq!(
        RequestLink::parse("openid4vp://?client_id=x", false).unwrap_err(),
        Oid4vpError::Parameter("request_uri")
    );
    assert_eq!(
        RequestLink::parse(
            "openid4vp://?client_id=x&request_uri=http%3A%2F%2Fevil.example%2Fr",
            true
        )
        .unwrap_err(),
        Oid4vpError::InsecureRequestUri
    );
    assert!(RequestLink::parse(
        "openid4vp://?client_id=x&request_uri=http%3A%2F%2F127.0.0.1%3A8702%2Fr",
        true
    )
    .is_ok());
    let twice = format!("{}&client_id=y", link.to_uri());
    assert_eq!(
        RequestLink::parse(&twice, false).unwrap_err(),
        Oid4vpError::Parameter("client_id")
    );
}

#[test]
fn signed_request_verifies_with_the_attested_key() {
    let k = keys();
    let td = json!({"type": "regie-consent", "credential_ids": ["brp"], "statement": "Ik stem in"});
    let jwt = request(&k, std::slice::from_ref(&td));
    let verified = verify_request(&jwt, k.anchor.public_jwk(), NOW).unwrap();
    assert_eq!(verified.attestation.client_id(), RP);
    assert_eq!(
        verified.request.client_id,
        format!("{CLIENT_ID_PREFIX}{RP}")
    );
    assert_eq!(verified.request.nonce, "nonce-1");
    assert_eq!(verified.transaction_data, vec![td.clone()]);
    let hashes = verified.transaction_data_hashes().unwrap();
    assert_eq!(
        hashes,
        vec![transaction_data_hash(&encode_transaction_data(&td))]
    );
}

#[test]
fn bad_requests_are_rejected() {
    let k = keys();
    let jwt = request(&k, &[]);
    // Another trust anchor.
    let stranger = SigningKey::generate();
    assert!(matches!(
        verify_request(&jwt, stranger.public_jwk(), NOW),
        Err(Oid4vpError::Attestation(_))
    ));
    // Expired.
    assert_eq!(
        verify_request(&jwt, k.anchor.public_jwk(), NOW + 300).unwrap_err(),
        Oid4vpError::Time
    );
    // Signed by a key other than the attested one.
    let q = query();
    let content = RequestContent {
        client_id: RP,
        response_uri: "https://verifier.example/response/1",
        nonce: "n",
        state: None,
        purpose: None,
        dcql_query: &q,
        transaction_data: &[],
        iat: NOW,
        exp: NOW + 300,
    };
    let forged = sign_request(&content, &k.attestation, &stranger).unwrap();
    assert_eq!(
        verify_request(&forged, k.anchor.public_jwk(), NOW).unwrap_err(),
        Oid4vpError::Jose(JoseError::BadSignature)
    );
    // Claiming another client id than attested.
    let other = RequestContent {
        client_id: "other.example",
        ..content.clone()
    };
    let mismatched = sign_request(&other, &k.attestation, &k.rp).unwrap();
    assert!(matches!(
        verify_request(&mismatched, k.anchor.public_jwk(), NOW),
        Err(Oid4vpError::Attestation(_))
    ));
    // No attestation header.
    let bare = jose::sign_json(
        REQUEST_OBJECT_TYP,
        Map::new(),
        &json!({"client_id": "x"}),
        &k.rp,
    )
    .unwrap();
    assert_eq!(
        verify_request(&bare, k.anchor.public_jwk(), NOW).unwrap_err(),
        Oid4vpError::MissingAttestation
    );
    // Wrong response_mode.
    let mut claims: Map<String, Value> = UnverifiedJws::parse(&jwt)
        .unwrap()
        .claims_unverified()
        .unwrap();
    claims.insert("response_mode".into(), "fragment".into());
    let mut header = Map::new();
    header.insert("jwt".into(), k.attestation.clone().into());
    let fragment = jose::sign_json(REQUEST_OBJECT_TYP, header.clone(), &claims, &k.rp).unwrap();
    assert_eq!(
        verify_request(&fragment, k.anchor.public_jwk(), NOW).unwrap_err(),
        Oid4vpError::Claim("response_mode")
    );
    // Client id without the prefix.
    claims.insert("response_mode".into(), "direct_post".into());
    claims.insert("client_id".into(), RP.into());
    let unprefixed = jose::sign_json(REQUEST_OBJECT_TYP, header, &claims, &k.rp).unwrap();
    assert_eq!(
        verify_request(&unprefixed, k.anchor.public_jwk(), NOW).unwrap_err(),
        Oid4vpError::ClientId
    );
    // Transaction data naming an unknown credential query.
    let td = json!({"type": "regie-consent", "credential_ids": ["passport"]});
    let bad_td = request(&k, &[td]);
    assert_eq!(
        verify_request(&bad_td, k.anchor.public_jwk(), NOW).unwrap_err(),
        Oid4vpError::Claim("transaction_data")
    );
}

#[test]
fn direct_post_bodies_round_trip_and_reject() {
    let ok = AuthorizationResponse::presentations(&[("brp".into(), "a~b~c".into())], Some("s-1"));
    assert_eq!(
        AuthorizationResponse::from_form(ok.to_form().as_bytes()).unwrap(),
        ok
    );
    let denied = AuthorizationResponse::access_denied(Some("s-1"));
    assert_eq!(
        AuthorizationResponse::from_form(denied.to_form().as_bytes()).unwrap(),
        denied
    );
    for bad in [
        "state=s".to_owned(),
        "vp_token=%5B%5D".to_owned(),
        "vp_token=%7B%7D".to_owned(),
        "vp_token=%7B%22brp%22%3A%5B1%5D%7D".to_owned(),
        "vp_token=x&error=access_denied".to_owned(),
        format!("vp_token={}", "a".repeat(MAX_MESSAGE_LEN)),
    ] {
        assert!(
            AuthorizationResponse::from_form(bad.as_bytes()).is_err(),
            "{bad}"
        );
    }
}

/// OpenID4VP 1.0 request object rules the wallet enforces (issue 16, item 8): no
/// `redirect_uri` beside `direct_post`, the self-issued audience, and a bounded `iat` and
/// lifetime.
#[test]
fn request_object_rules_of_openid4vp_are_enforced() {
    let k = keys();
    let claims: Map<String, Value> = UnverifiedJws::parse(&request(&k, &[]))
        .unwrap()
        .claims_unverified()
        .unwrap();
    let mut header = Map::new();
    header.insert("jwt".into(), k.attestation.clone().into());
    let signed = |changes: Value| {
        let mut c = claims.clone();
        for (name, value) in changes.as_object().cloned().unwrap() {
            c.insert(name, value);
        }
        jose::sign_json(REQUEST_OBJECT_TYP, header.clone(), &c, &k.rp).unwrap()
    };
    let verify = |changes: Value| verify_request(&signed(changes), k.anchor.public_jwk(), NOW);

    assert_eq!(
        verify(json!({"redirect_uri": "https://verifier.example/done"})).unwrap_err(),
        Oid4vpError::InvalidRequest("redirect_uri is not allowed with response_mode direct_post")
    );
    assert!(verify(json!({})).is_ok());
    assert_eq!(
        verify(json!({"aud": "https://wallet.example"})).unwrap_err(),
        Oid4vpError::Claim("aud")
    );
    assert_eq!(
        verify(json!({"aud": "https://self-issued.me"})).unwrap_err(),
        Oid4vpError::Claim("aud")
    );
    // Issued 300 days ago, valid for ten years.
    let day = 86_400;
    assert_eq!(
        verify(json!({"iat": NOW - 300 * day, "exp": NOW + 3650 * day})).unwrap_err(),
        Oid4vpError::Stale
    );
    // Fresh, but valid for ten years.
    assert_eq!(
        verify(json!({"iat": NOW, "exp": NOW + 3650 * day})).unwrap_err(),
        Oid4vpError::Lifetime
    );
    // The bounds themselves are accepted; a fraction beyond them is not.
    let oldest = NOW - MAX_REQUEST_AGE;
    assert!(verify(json!({"iat": oldest, "exp": NOW + 60})).is_ok());
    assert_eq!(
        verify(json!({"iat": oldest as f64 - 0.5, "exp": NOW + 60})).unwrap_err(),
        Oid4vpError::Stale
    );
    assert!(verify(json!({"iat": NOW, "exp": NOW + MAX_REQUEST_LIFETIME})).is_ok());
    assert_eq!(
        verify(json!({"iat": NOW, "exp": NOW as f64 + MAX_REQUEST_LIFETIME as f64 + 0.5}))
            .unwrap_err(),
        Oid4vpError::Lifetime
    );
    // `exp` before `iat` is nonsense; fractional dates are fine.
    assert_eq!(
        verify(json!({"iat": NOW + 30, "exp": NOW + 10})).unwrap_err(),
        Oid4vpError::Time
    );
    assert!(verify(json!({"iat": NOW as f64 - 0.25, "exp": NOW as f64 + 299.5})).is_ok());
}

/// OpenID4VP 1.0 §5.9.3: an attestation with `redirect_uris` binds where answers go. A
/// request signed with the attested key but sending the answer elsewhere is refused.
#[test]
fn an_answer_address_the_attestation_does_not_name_is_refused() {
    let allowed = vec!["https://verifier.example/response".to_owned()];
    let k = keys_bound_to(Some(&allowed));
    let signed_to = |response_uri: &str| request_answered_at(&k, response_uri, &[]);
    let verified = verify_request(
        &signed_to("https://verifier.example/response"),
        k.anchor.public_jwk(),
        NOW,
    )
    .unwrap();
    assert_eq!(verified.attestation.redirect_uris(), Some(&allowed[..]));
    for elsewhere in [
        "https://collector.example/response",
        "https://verifier.example/response/1",
        "https://verifier.example/response?x=1",
        "https://verifier.example.collector.example/response",
        "HTTPS://verifier.example/response",
    ] {
        assert_eq!(
            verify_request(&signed_to(elsewhere), k.anchor.public_jwk(), NOW).map(|_| ()),
            Err(Oid4vpError::ResponseUriNotAttested),
            "{elsewhere}"
        );
    }
}
