//! OpenID4VCI over real loopback HTTP: a wallet (played by this test with reqwest and the
//! protocol crate) collects a batch of credentials, the issuer revokes one, and every kind of
//! bad input gets a spec error and issues nothing.
mod common;

use std::sync::atomic::Ordering;

use common::*;
use protocol::jose::{PublicJwk, SigningKey};
use protocol::oid4vci::{create_proof, parse_offer_uri, OfferReference};
use protocol::sd_jwt_vc::{self, Clock as VcClock};
use protocol::status_list::{Status, UnverifiedStatusListToken};
use regie_issuer::service::OFFER_TTL;
use serde_json::{json, Value};

#[tokio::test]
async fn wallet_collects_a_batch_and_the_issuer_revokes_one() {
    let s = start().await;
    let metadata = s.get_json("/.well-known/openid-credential-issuer").await;
    assert_eq!(metadata["credential_issuer"], s.base);
    assert!(metadata["credential_configurations_supported"]["woonhistorie"].is_object());
    let as_metadata = s.get_json("/.well-known/oauth-authorization-server").await;
    assert_eq!(as_metadata["token_endpoint"], format!("{}/token", s.base));
    let jwks = s.get_json("/.well-known/jwt-vc-issuer").await;
    let issuer_key = PublicJwk::from_json_value(&jwks["jwks"]["keys"][0]).unwrap();

    let offer = s.offer("999994542", "uittreksel-brp", false).await;
    let (status, token) = s.token(&code_of(&offer), None).await;
    assert_eq!(status, 200, "{token}");
    let access = token["access_token"].as_str().unwrap();
    let nonce = s.nonce().await;
    let holders: Vec<SigningKey> = (0..3).map(|_| SigningKey::generate()).collect();
    let (status, response) = s
        .credential(
            access,
            json!({"credential_configuration_id": "uittreksel-brp",
                                   "proofs": {"jwt": proofs(&s, &holders, &nonce)}}),
        )
        .await;
    assert_eq!(status, 200, "{response}");
    let credentials: Vec<&str> = response["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["credential"].as_str().unwrap())
        .collect();
    assert_eq!(credentials.len(), 3);
    let mut indices = Vec::new();
    let mut issuer_jwts = Vec::new();
    for (credential, holder) in credentials.iter().zip(&holders) {
        let verified = sd_jwt_vc::verify(
            credential,
            |iss, _| (iss == s.base).then(|| issuer_key.clone()),
            VcClock {
                now: START,
                skew: 60,
            },
        )
        .unwrap();
        assert!(verified.holder_key().same_key(holder.public_jwk()));
        assert_eq!(verified.claims()["family_name"], "Braber");
        indices.push(verified.status().unwrap().idx);
        issuer_jwts.push(credential.split('~').next().unwrap().to_owned());
    }
    // Each copy has its own status index and its own salts (nothing to link them by).
    indices.sort();
    indices.dedup();
    assert_eq!(indices.len(), 3);
    issuer_jwts.dedup();
    assert_eq!(issuer_jwts.len(), 3);

    let state = s
        .get_json(&format!(
            "/api/offers/{}",
            offer["offer_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(state["collected"], true);

    // Revoke one copy (lost phone) through the back-office API.
    let listed = s.get_json("/api/persons/999994542/credentials").await;
    let first = &listed["credentials"][0];
    let r = s
        .http
        .post(format!(
            "{}/api/credentials/{}/revoke",
            s.base,
            first["id"].as_str().unwrap()
        ))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = s
        .http
        .get(format!("{}/status/1", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/statuslist+jwt");
    assert!(r.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age="));
    let list = UnverifiedStatusListToken::parse(&r.text().await.unwrap())
        .unwrap()
        .verify(&issuer_key, &format!("{}/status/1", s.base), START)
        .unwrap();
    assert!(list.ttl().is_some());
    let revoked_idx = first["status_idx"].as_u64().unwrap();
    for idx in &indices {
        let expected = if *idx == revoked_idx {
            Status::Invalid
        } else {
            Status::Valid
        };
        assert_eq!(list.status_at(*idx).unwrap(), expected);
    }
}

#[tokio::test]
async fn codes_tokens_and_nonces_work_once() {
    let s = start().await;
    let offer = s.offer("999993653", "woonhistorie", false).await;
    let code = code_of(&offer);
    let (status, token) = s.token(&code, None).await;
    assert_eq!(status, 200);
    let (status, again) = s.token(&code, None).await;
    assert_eq!(
        (status, again["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    let access = token["access_token"].as_str().unwrap();
    let nonce = s.nonce().await;
    let holder = [SigningKey::generate()];
    let body = json!({"credential_configuration_id": "woonhistorie", "proofs": {"jwt": proofs(&s, &holder, &nonce)}});
    assert_eq!(s.credential(access, body.clone()).await.0, 200);
    // The access token is spent.
    let (status, err) = s.credential(access, body).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (401, Some("invalid_token"))
    );

    // A spent nonce is refused with a fresh token.
    let offer = s.offer("999993653", "woonhistorie", false).await;
    let (_, token) = s.token(&code_of(&offer), None).await;
    let body = json!({"credential_configuration_id": "woonhistorie", "proofs": {"jwt": proofs(&s, &holder, &nonce)}});
    let (status, err) = s
        .credential(token["access_token"].as_str().unwrap(), body)
        .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("invalid_nonce"))
    );
}

#[tokio::test]
async fn expired_code_and_wrong_tx_code_are_refused() {
    let s = start().await;
    let offer = s.offer("999993653", "uittreksel-brp", true).await;
    let tx = offer["tx_code"].as_str().unwrap().to_owned();
    let wrong = if tx == "000000" { "111111" } else { "000000" };
    let (status, err) = s.token(&code_of(&offer), Some(wrong)).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    // The right code after a wrong guess: the pre-authorized code is already spent.
    let (status, _) = s.token(&code_of(&offer), Some(&tx)).await;
    assert_eq!(status, 400);

    let offer = s.offer("999993653", "uittreksel-brp", true).await;
    let (status, _) = s
        .token(&code_of(&offer), Some(offer["tx_code"].as_str().unwrap()))
        .await;
    assert_eq!(status, 200);

    let offer = s.offer("999993653", "uittreksel-brp", false).await;
    s.clock.0.fetch_add(OFFER_TTL + 1, Ordering::SeqCst);
    let (status, err) = s.token(&code_of(&offer), None).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn bad_credential_requests_issue_nothing() {
    let s = start().await;
    let new_token = || async {
        let offer = s.offer("999993653", "uittreksel-brp", false).await;
        let (_, t) = s.token(&code_of(&offer), None).await;
        t["access_token"].as_str().unwrap().to_owned()
    };
    let holder = SigningKey::generate();

    // Proof for another audience.
    let nonce = s.nonce().await;
    let wrong_aud = create_proof(&holder, "https://elders.example", &nonce, START).unwrap();
    let (status, err) = s
        .credential(&new_token().await, json!({"credential_configuration_id": "uittreksel-brp", "proofs": {"jwt": [wrong_aud]}}))
        .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("invalid_proof"))
    );

    // More proofs than the batch size.
    let nonce = s.nonce().await;
    let keys: Vec<SigningKey> = (0..4).map(|_| SigningKey::generate()).collect();
    let (status, err) = s
        .credential(&new_token().await, json!({"credential_configuration_id": "uittreksel-brp", "proofs": {"jwt": proofs(&s, &keys, &nonce)}}))
        .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("invalid_proof"))
    );

    // Another configuration than the offer's.
    let nonce = s.nonce().await;
    let (status, err) = s
        .credential(&new_token().await, json!({"credential_configuration_id": "woonhistorie", "proofs": {"jwt": proofs(&s, std::slice::from_ref(&holder), &nonce)}}))
        .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("unknown_credential_configuration"))
    );

    // Malformed and oversized bodies.
    let r = s
        .http
        .post(format!("{}/credential", s.base))
        .bearer_auth(new_token().await)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let err: Value = r.json().await.unwrap();
    assert_eq!(err["error"], "invalid_credential_request");
    let r = s
        .http
        .post(format!("{}/credential", s.base))
        .bearer_auth(new_token().await)
        .body(vec![b'x'; 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);

    // No token at all.
    let (status, err) = s.credential("", json!({})).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (401, Some("invalid_token"))
    );

    // None of this issued anything.
    let listed = s.get_json("/api/persons/999993653/credentials").await;
    assert_eq!(listed["credentials"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn back_office_needs_its_token_and_a_known_person() {
    let s = start().await;
    let post = |token: &'static str, body: Value| {
        s.http
            .post(format!("{}/api/offers", s.base))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let r = post(
        "wrong",
        json!({"bsn": "999993653", "credential_type": "woonhistorie"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 401);
    // Whether an offer was collected is the back office's to know: not without its token.
    let offer = s.offer("999993653", "woonhistorie", false).await;
    let state_url = format!(
        "{}/api/offers/{}",
        s.base,
        offer["offer_id"].as_str().unwrap()
    );
    let r = s.http.get(&state_url).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = s
        .http
        .get(&state_url)
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        s.get_json(&state_url.replace(&s.base, "")).await["collected"],
        false
    );
    let r = post(
        ADMIN,
        json!({"bsn": "111222333", "credential_type": "woonhistorie"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 404);
    let r = post(
        ADMIN,
        json!({"bsn": "123", "credential_type": "woonhistorie"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 400);
    let r = post(
        ADMIN,
        json!({"bsn": "999993653", "credential_type": "paspoort"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 400);
    let r = s
        .http
        .post(format!("{}/api/credentials/nope/revoke", s.base))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn a_move_revokes_address_credentials_and_new_ones_carry_the_new_address() {
    let s = start().await;
    let old = collect(&s, "999993653", "woonhistorie").await;
    let old_idx = protocol::sd_jwt::SdJwt::parse_held(&old)
        .unwrap()
        .disclosed_claims()
        .unwrap()
        .0["status"]["status_list"]["idx"]
        .as_u64()
        .unwrap();
    let move_body = json!({"street": "Coolsingel", "house_number": 40, "postal_code": "3011AD",
                           "locality": "Rotterdam", "municipality": "Rotterdam", "date": "2026-11-20"});
    let r = s
        .http
        .post(format!("{}/api/persons/999993653/move", s.base))
        .bearer_auth(ADMIN)
        .json(&move_body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["revoked"], 1);

    let jwks = s.get_json("/.well-known/jwt-vc-issuer").await;
    let key = PublicJwk::from_json_value(&jwks["jwks"]["keys"][0]).unwrap();
    let list_jwt = s
        .http
        .get(format!("{}/status/1", s.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let list = UnverifiedStatusListToken::parse(&list_jwt)
        .unwrap()
        .verify(&key, &format!("{}/status/1", s.base), START)
        .unwrap();
    assert_eq!(list.status_at(old_idx).unwrap(), Status::Invalid);

    let new = collect(&s, "999993653", "woonhistorie").await;
    let claims = Value::Object(
        protocol::sd_jwt::SdJwt::parse_held(&new)
            .unwrap()
            .disclosed_claims()
            .unwrap()
            .0,
    );
    let addresses = claims["addresses"].as_array().unwrap();
    assert_eq!(addresses.last().unwrap()["street"], "Coolsingel");
    assert_eq!(addresses[addresses.len() - 2]["date_to"], "2026-11-20");

    // Bad moves change nothing.
    for (bsn, body, status) in [
        ("999993653", json!({"street": "X"}), 400),
        ("111222333", move_body.clone(), 404),
        (
            "999993653",
            json!({"street": "Coolsingel", "house_number": 41, "postal_code": "3011AD",
                             "locality": "Rotterdam", "municipality": "Rotterdam", "date": "1990-01-01"}),
            400,
        ),
    ] {
        let r = s
            .http
            .post(format!("{}/api/persons/{bsn}/move", s.base))
            .bearer_auth(ADMIN)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{body}");
    }
    let r = s
        .http
        .post(format!("{}/api/persons/999993653/move", s.base))
        .json(&move_body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn offers_by_reference_and_the_openapi_document() {
    let s = start().await;
    let offer = s.offer("999993653", "uittreksel-brp", false).await;
    let link = offer["offer_uri_by_reference"].as_str().unwrap();
    let OfferReference::ByReference(url) = parse_offer_uri(link, true).unwrap() else {
        panic!("by reference expected")
    };
    let fetched = s.http.get(&url).send().await.unwrap();
    assert_eq!(fetched.status(), 200);
    let fetched =
        protocol::oid4vci::CredentialOffer::from_json(&fetched.bytes().await.unwrap()).unwrap();
    assert_eq!(
        fetched.pre_authorized().unwrap().pre_authorized_code,
        code_of(&offer)
    );
    let r = s
        .http
        .get(format!("{}/offers/unknown", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // Every path the OpenAPI document lists is served (templated ones with a dummy value).
    let doc = s.get_json("/api/openapi.json").await;
    for (path, methods) in doc["paths"].as_object().unwrap() {
        let concrete = path
            .replace("{list_id}", "1")
            .replace("{id}", "x")
            .replace("{bsn}", "999993653");
        for method in methods.as_object().unwrap().keys() {
            let request = match method.as_str() {
                "get" => s.http.get(format!("{}{concrete}", s.base)),
                _ => s.http.post(format!("{}{concrete}", s.base)),
            };
            let status = request.send().await.unwrap().status();
            assert_ne!(status, 405, "{method} {path}");
            // A documented path never falls through to the router's plain 404 (no JSON).
            if status == 404 {
                let body: Value = s
                    .http
                    .get(format!("{}{concrete}", s.base))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap_or(Value::Null);
                assert!(body.get("error").is_some(), "{method} {path} is not routed");
            }
        }
    }
}

#[tokio::test]
async fn refresh_tokens_rotate_and_cannot_be_replayed() {
    let s = start().await;
    let offer = s.offer("999993653", "woonhistorie", false).await;
    let code = code_of(&offer);
    let (status, body) = s.token(&code, None).await;
    assert_eq!(status, 200);
    let first = body["refresh_token"].as_str().unwrap().to_owned();
    let (status, body) = s.refresh(&first).await;
    assert_eq!(status, 200, "{body}");
    let second = body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    let (status, body) = s.refresh(&first).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, _) = s.refresh("made-up").await;
    assert_eq!(status, 400);
    let (status, _) = s.refresh(&second).await;
    assert_eq!(status, 200);
}
