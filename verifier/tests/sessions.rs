//! The verifier over loopback HTTP: sessions made by a relying party's back-end, answered by
//! a real wallet-core wallet, and every kind of bad answer refused with the session left in a
//! defined state.
mod common;

use common::*;
use protocol::credential_types::Lang;
use protocol::jose::SigningKey;
use protocol::oid4vp::VerifiedRequest;
use protocol::sd_jwt::SdJwt;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread")]
async fn housing_corporation_receives_a_verified_address_history() {
    let w = World::start().await;
    let wallet = w.wallet(&["woonhistorie"]).await;
    let (status, created) = w.create_session(HOUSING_KEY, housing_session()).await;
    assert_eq!(status, 201, "{created}");
    assert!(created["link"]
        .as_str()
        .unwrap()
        .starts_with("openid4vp://?client_id=verifier_attestation%3A"));
    let id = id_of(&created);
    let (_, s) = w.session(HOUSING_KEY, &id).await;
    assert_eq!(
        (s["status"].as_str(), s["claims"].is_null()),
        (Some("pending"), true)
    );

    let png = w
        .http
        .get(created["qr"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(png.headers()["content-type"], "image/png");
    let png = png.bytes().await.unwrap();
    let img = image::load_from_memory(&png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let (_, text) = prepared.detect_grids()[0].decode().unwrap();
    assert_eq!(
        text,
        created["link"].as_str().unwrap(),
        "the QR holds the link"
    );
    let svg = w
        .http
        .get(created["qr_svg"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("<title>"));

    let pending = wallet.assess_request(&text, Lang::Nl).await.unwrap();
    assert_eq!(pending.assessment.verdict.code(), "ok");
    assert_eq!(
        pending.assessment.party.as_ref().unwrap().legal_name,
        "Woonstichting Voorbeeld (fictief)"
    );
    let (_, s) = w.session(HOUSING_KEY, &id).await;
    assert_eq!(s["status"], "retrieved");
    wallet.approve(&pending).await.unwrap();

    let (_, s) = w.session(HOUSING_KEY, &id).await;
    assert_eq!(s["status"], "done", "{s}");
    assert_eq!(s["status_text"], "ontvangen en gecontroleerd");
    let claims = &s["claims"]["woon"];
    assert_eq!(claims["family_name"], "Moulin");
    assert_eq!(claims["addresses"].as_array().unwrap().len(), 2);
    assert!(claims.get("residents").is_none(), "not asked, not received");

    // Another party cannot read it; a missing or wrong key gets nothing.
    assert_eq!(w.session(NOTARY_KEY, &id).await.0, 404);
    assert_eq!(w.session("wrong", &id).await.0, 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn denial_is_recorded_as_geweigerd() {
    let w = World::start().await;
    let wallet = w.wallet(&["uittreksel-brp"]).await;
    let (_, created) = w.create_session(NOTARY_KEY, notary_session()).await;
    let pending = wallet
        .assess_request(created["link"].as_str().unwrap(), Lang::Nl)
        .await
        .unwrap();
    wallet.deny(&pending).await.unwrap();
    let (_, s) = w.session(NOTARY_KEY, &id_of(&created)).await;
    assert_eq!(
        (s["status"].as_str(), s["status_text"].as_str()),
        (Some("denied"), Some("geweigerd"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sessions_that_ask_too_much_or_lack_a_key_are_refused() {
    let w = World::start().await;
    let mut over = housing_session();
    over["dcql_query"]["credentials"][0]["claims"]
        .as_array_mut()
        .unwrap()
        .push(json!({"path": ["residents", null]}));
    let (status, body) = w.create_session(HOUSING_KEY, over).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("over_asking")));
    assert_eq!(body["not_allowed"][0]["path"], json!(["residents", null]));
    let mut wrong_purpose = housing_session();
    wrong_purpose["purpose"] = json!("marketing");
    assert_eq!(
        w.create_session(HOUSING_KEY, wrong_purpose).await.1["error"],
        "over_asking"
    );
    assert_eq!(
        w.create_session(NOTARY_KEY, housing_session()).await.0,
        403,
        "relying_party is not the key's"
    );
    assert_eq!(
        w.create_session("not-a-key", housing_session()).await.0,
        401
    );
    let mut bad_query = housing_session();
    bad_query["dcql_query"] = json!({"credentials": []});
    assert_eq!(w.create_session(HOUSING_KEY, bad_query).await.0, 400);
    let r = w
        .http
        .post(format!("{}/api/sessions", w.verifier_url))
        .bearer_auth(HOUSING_KEY)
        .body(vec![b'x'; 400 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413, "oversized body");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_answers_are_refused_and_the_session_stays_open() {
    let w = World::start().await;
    let creds = w.raw_credentials("woonhistorie").await;
    let aud = "verifier_attestation:woonstichting-voorbeeld.demo.regie.example";

    // Each case: a fresh session, a bad answer, 400, the session still open for the real
    // wallet, with the refusal's reason and count.
    type Case = fn(&VerifiedRequest, &[(String, SigningKey)], &str) -> String;
    let cases: Vec<(&str, &str, Case)> = vec![
        ("wrong nonce", "nonce does not match", |r, c, aud| {
            form(
                "woon",
                present(&c[0], HOUSING_PATHS, aud, "other-nonce", None),
                r.request.state.as_deref().unwrap(),
            )
        }),
        ("wrong audience", "audience does not match", |r, c, _| {
            form(
                "woon",
                present(
                    &c[0],
                    HOUSING_PATHS,
                    "verifier_attestation:evil.example",
                    &r.request.nonce,
                    None,
                ),
                r.request.state.as_deref().unwrap(),
            )
        }),
        ("tampered disclosure", "does not verify", |r, c, aud| {
            let p = present(&c[0], HOUSING_PATHS, aud, &r.request.nonce, None);
            let i = p.find('~').unwrap() + 3;
            let mut b = p.into_bytes();
            b[i] = if b[i] == b'A' { b'B' } else { b'A' };
            form(
                "woon",
                String::from_utf8(b).unwrap(),
                r.request.state.as_deref().unwrap(),
            )
        }),
        ("too few claims", "does not fit the request", |r, c, aud| {
            form(
                "woon",
                present(&c[0], &[&["given_name"]], aud, &r.request.nonce, None),
                r.request.state.as_deref().unwrap(),
            )
        }),
        ("more than registered", "registered for", |r, c, aud| {
            form(
                "woon",
                present(
                    &c[0],
                    &[
                        &["given_name"],
                        &["family_name"],
                        &["birthdate"],
                        &["addresses", "*"],
                        &["residents", "*"],
                    ],
                    aud,
                    &r.request.nonce,
                    None,
                ),
                r.request.state.as_deref().unwrap(),
            )
        }),
        ("no key binding", "key binding JWT missing", |r, c, _| {
            form(
                "woon",
                SdJwt::parse_held(&c[0].0).unwrap().serialize(),
                r.request.state.as_deref().unwrap(),
            )
        }),
        (
            "unknown query id",
            "unknown credential query",
            |r, c, aud| {
                form(
                    "other",
                    present(&c[0], HOUSING_PATHS, aud, &r.request.nonce, None),
                    r.request.state.as_deref().unwrap(),
                )
            },
        ),
    ];
    for (name, expected, make) in cases {
        let (_, created) = w.create_session(HOUSING_KEY, housing_session()).await;
        let id = id_of(&created);
        let request = fetch_request(&w, created["link"].as_str().unwrap()).await;
        let (status, body) = w.post_response(make(&request, &creds, aud)).await;
        assert_eq!(status, 400, "{name}: {body}");
        assert_eq!(body["error"], "invalid_request", "{name}");
        let description = body["error_description"].as_str().unwrap_or_default();
        assert!(description.contains(expected), "{name}: {description}");
        let (_, s) = w.session(HOUSING_KEY, &id).await;
        assert_eq!(s["status"], "retrieved", "{name}");
        assert_eq!(s["refused_answers"], 1, "{name}");
        assert!(!s["reason"].as_str().unwrap().is_empty(), "{name}");
        assert!(
            !s["reason"].as_str().unwrap().contains("Moulin"),
            "{name}: no personal data in reasons"
        );
    }

    // A body that is no response names no session: refused, no session touched.
    let (_, m) = w.create_session(HOUSING_KEY, housing_session()).await;
    fetch_request(&w, m["link"].as_str().unwrap()).await;
    let (status, body) = w.post_response("vp_token=%7Bnot-json".to_owned()).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("malformed"));
    assert_eq!(
        w.session(HOUSING_KEY, &id_of(&m)).await.1["refused_answers"],
        0
    );

    // An answer made for another session (its nonce), sent with this one's state, is
    // refused here.
    let (_, a) = w.create_session(HOUSING_KEY, housing_session()).await;
    let (_, b) = w.create_session(HOUSING_KEY, housing_session()).await;
    let ra = fetch_request(&w, a["link"].as_str().unwrap()).await;
    let rb = fetch_request(&w, b["link"].as_str().unwrap()).await;
    let for_a = present(&creds[1], HOUSING_PATHS, aud, &ra.request.nonce, None);
    let to_b = form("woon", for_a.clone(), rb.request.state.as_deref().unwrap());
    assert_eq!(w.post_response(to_b).await.0, 400);
    assert_eq!(
        w.session(HOUSING_KEY, &id_of(&b)).await.1["refused_answers"],
        1
    );
    let body = form("woon", for_a, ra.request.state.as_deref().unwrap());
    // ...and accepted where it belongs; a replay afterwards is refused, the result unchanged.
    let (status, reply) = w.post_response(body.clone()).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(w.post_response(body).await.0, 400);
    let (_, s) = w.session(HOUSING_KEY, &id_of(&a)).await;
    assert_eq!(s["status"], "done");

    // Oversized body.
    let (status, _) = w
        .post_response(format!("vp_token={}", "a".repeat(300 * 1024)))
        .await;
    assert_eq!(status, 413);
    assert_eq!(
        w.post_response("error=access_denied&state=no-such-session".into())
            .await
            .0,
        404
    );
    assert_eq!(w.post_response("error=access_denied".into()).await.0, 400);
}

#[tokio::test(flavor = "multi_thread")]
async fn revoked_and_untrusted_credentials_are_refused() {
    let w = World::start().await;
    let aud = "verifier_attestation:woonstichting-voorbeeld.demo.regie.example";
    let creds = w.raw_credentials("woonhistorie").await;
    w.record_move().await;
    let (_, created) = w.create_session(HOUSING_KEY, housing_session()).await;
    let r = fetch_request(&w, created["link"].as_str().unwrap()).await;
    let (status, body) = w
        .post_response(form(
            "woon",
            present(&creds[0], HOUSING_PATHS, aud, &r.request.nonce, None),
            r.request.state.as_deref().unwrap(),
        ))
        .await;
    assert_eq!(status, 400);
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("revoked"),
        "{body}"
    );

    // A credential signed by a key that is not on the trust list.
    let mut forged = creds[1].0.clone();
    let other = SigningKey::generate().with_kid("test-issuer");
    let (jwt, rest) = forged.split_once('~').unwrap();
    let signing_input = jwt.rsplit_once('.').unwrap().0;
    let sig = protocol::jose::b64u_encode(other.sign_es256(signing_input.as_bytes()));
    forged = format!("{signing_input}.{sig}~{rest}");
    let (_, created) = w.create_session(HOUSING_KEY, housing_session()).await;
    let r = fetch_request(&w, created["link"].as_str().unwrap()).await;
    let (status, _) = w
        .post_response(form(
            "woon",
            present(
                &(forged, creds[1].1.clone()),
                HOUSING_PATHS,
                aud,
                &r.request.nonce,
                None,
            ),
            r.request.state.as_deref().unwrap(),
        ))
        .await;
    assert_eq!(status, 400);
}

#[tokio::test(flavor = "multi_thread")]
async fn expired_sessions_take_no_answers() {
    let w = World::start().await;
    let wallet = w.wallet(&["woonhistorie"]).await;
    let (_, created) = w.create_session(HOUSING_KEY, housing_session()).await;
    let pending = wallet
        .assess_request(created["link"].as_str().unwrap(), Lang::Nl)
        .await
        .unwrap();
    w.clock.advance(regie_verifier::service::SESSION_TTL + 1);
    let err = wallet.approve(&pending).await.unwrap_err();
    assert_eq!(err.code(), "remote_error", "{err}");
    let (_, s) = w.session(HOUSING_KEY, &id_of(&created)).await;
    assert_eq!(
        (s["status"].as_str(), s["status_text"].as_str()),
        (Some("expired"), Some("verlopen"))
    );
    let r = w
        .http
        .get(format!("{}/request/{}", w.verifier_url, ref_of(&created)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test(flavor = "multi_thread")]
async fn consent_statement_is_signed_with_transaction_data() {
    let w = World::start().await;
    let wallet = w.wallet(&["uittreksel-brp"]).await;
    let statement = json!({"type": "regie_toestemming_inschrijving", "credential_ids": ["brp"],
        "address": "Boterdiep 31, 3077AW Rotterdam", "new_resident": "A. Voorbeeld",
        "date": "2027-01-15"});
    let (status, created) = w
        .create_session(
            MUNICIPALITY_KEY,
            json!({"purpose": "toestemming-inschrijving", "transaction_data": [statement],
                "dcql_query": {"credentials": [{"id": "brp", "format": "dc+sd-jwt",
                    "meta": {"vct_values": ["urn:regie:uittreksel-brp:1"]},
                    "claims": [{"path": ["family_name"]}, {"path": ["address"]}]}]}}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let pending = wallet
        .assess_request(created["link"].as_str().unwrap(), Lang::Nl)
        .await
        .unwrap();
    assert_eq!(pending.assessment.statements.len(), 1);
    assert!(pending.assessment.statements[0].text.starts_with(
        "Ik woon op Boterdiep 31, 3077AW Rotterdam en geef toestemming dat A. Voorbeeld"
    ));
    wallet.approve(&pending).await.unwrap();
    let (_, s) = w.session(MUNICIPALITY_KEY, &id_of(&created)).await;
    assert_eq!(s["status"], "done", "{s}");

    // A statement whose credential_ids name no query is refused at creation.
    let mut unnamed = statement.clone();
    unnamed["credential_ids"] = json!(["nope"]);
    let (status, _) = w
        .create_session(
            MUNICIPALITY_KEY,
            json!({"purpose": "toestemming-inschrijving", "transaction_data": [unnamed],
                "dcql_query": {"credentials": [{"id": "brp", "format": "dc+sd-jwt",
                    "meta": {"vct_values": ["urn:regie:uittreksel-brp:1"]},
                    "claims": [{"path": ["family_name"]}]}]}}),
        )
        .await;
    assert_eq!(status, 400);
}

/// The session API refuses what a citizen could be made to sign or show beyond the
/// registration: unknown statement types, statements of a type the purpose is not registered
/// for, and queries in formats the verifier cannot verify, whatever they ask.
#[tokio::test(flavor = "multi_thread")]
async fn sessions_ask_only_what_the_registration_allows_in_every_format() {
    let w = World::start().await;
    let brp_query = json!({"credentials": [{"id": "q", "format": "dc+sd-jwt",
        "meta": {"vct_values": ["urn:regie:woonhistorie:1"]},
        "claims": [{"path": ["family_name"]}]}]});
    let payment = json!({"type": "payment", "credential_ids": ["q"], "payee": "Evil BV",
        "amount": "5000 EUR", "text": "Ik machtig Evil BV tot een betaling van 5000 euro"});
    let registration = json!({"type": "regie_toestemming_inschrijving", "credential_ids": ["q"],
        "address": "Boterdiep 31", "new_resident": "A. Voorbeeld", "date": "2027-01-15"});
    let mut with_text = registration.clone();
    with_text["text"] = json!("Ik geef alles weg.");
    let cases = [
        // The housing corporation's own purpose, with a payment in it.
        (
            HOUSING_KEY,
            "aanvraag-medehuur",
            brp_query.clone(),
            vec![payment],
            "invalid_transaction_data",
        ),
        // A known statement type the purpose is not registered for.
        (
            HOUSING_KEY,
            "aanvraag-medehuur",
            brp_query.clone(),
            vec![registration],
            "over_asking",
        ),
        (
            MUNICIPALITY_KEY,
            "toestemming-inschrijving",
            json!({"credentials": [{"id": "q",
            "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:regie:uittreksel-brp:1"]},
            "claims": [{"path": ["family_name"]}]}]}),
            vec![with_text],
            "invalid_transaction_data",
        ),
        // Formats the verifier cannot verify, with valid and with invalid meta.
        (
            HOUSING_KEY,
            "aanvraag-medehuur",
            json!({"credentials": [{"id": "m", "format": "mso_mdoc",
            "meta": {"doctype_value": "org.iso.18013.5.1.mDL"},
            "claims": [{"path": ["org.iso.18013.5.1", "portrait"]}]}]}),
            vec![],
            "unsupported_format",
        ),
        (
            HOUSING_KEY,
            "aanvraag-medehuur",
            json!({"credentials": [{"id": "j", "format": "jwt_vc_json",
            "meta": {"type_values": [["IDCredential"]]}}]}),
            vec![],
            "unsupported_format",
        ),
        (
            HOUSING_KEY,
            "aanvraag-medehuur",
            json!({"credentials": [{"id": "j", "format": "jwt_vc_json",
            "meta": {"vct_values": ["x"]}}]}),
            vec![],
            "invalid_request",
        ),
    ];
    for (key, purpose, query, transaction_data, expected) in cases {
        let (status, body) = w
            .create_session(
                key,
                json!({"purpose": purpose, "dcql_query": query, "transaction_data": transaction_data}),
            )
            .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some(expected)),
            "{body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn openapi_documents_every_route() {
    let w = World::start().await;
    let doc: Value = w
        .http
        .get(format!("{}/api/openapi.json", w.verifier_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let url = format!("{}{}", w.verifier_url, path.replace("{id}", "unknown-id"));
            let r = match method.as_str() {
                "get" => w.http.get(&url),
                "post" => w
                    .http
                    .post(&url)
                    .header("content-type", "application/json")
                    .body("{}"),
                m => panic!("unexpected method {m}"),
            }
            .send()
            .await
            .unwrap();
            let status = r.status().as_u16();
            let body = r.text().await.unwrap();
            // A route that does not exist answers 404/405 with an empty body; ours answer
            // with JSON or content.
            assert!(
                !body.is_empty() && status != 405,
                "{method} {path}: {status}"
            );
        }
    }
}
