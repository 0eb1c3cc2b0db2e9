//! Whoever holds a session's link can post to the response endpoint with the session's
//! `state`. Bad posts are refused and change nothing the real wallet needs: the session
//! stays open until a bounded number of refusals; the only thing a link holder can decide is
//! a denial, as OpenID4VP's `direct_post` error response allows. A post that names no open
//! session (no form, no `state`, a guessed one) is refused and touches no session at all.
mod common;

use common::*;
use protocol::credential_types::Lang;
use protocol::oid4vp::AuthorizationResponse;
use regie_verifier::wallet_endpoints::MAX_REFUSED_ANSWERS;

const AUD: &str = "verifier_attestation:woonstichting-voorbeeld.demo.regie.example";

#[tokio::test(flavor = "multi_thread")]
async fn garbage_from_a_link_holder_does_not_stop_the_real_wallet() {
    let w = World::start().await;
    let wallet = w.wallet(&["woonhistorie"]).await;
    let (_, created) = w.create_session(HOUSING_KEY, housing_session()).await;
    let link = created["link"].as_str().unwrap();
    let id = id_of(&created);
    let request_ref = ref_of(&created);

    // Someone who saw the QR code: they can fetch the request (state and nonce included)
    // and post anything, but hold no credential of the citizen's.
    let request = fetch_request(&w, link).await;
    let state = request.request.state.clone().unwrap();
    assert_eq!(state, request_ref, "the state is the link's own reference");
    assert_eq!(
        request.request.response_uri,
        format!("{}/response", w.verifier_url),
        "one answer address for every session, which an attestation can bind"
    );
    let strangers = w.raw_credentials_of("999993112", "woonhistorie").await;
    // Posts that name no session: refused, and no session counts them.
    for body in [
        "garbage".to_owned(),
        "vp_token=%7Bnot-json".to_owned(),
        form("woon", "not-a-presentation".into(), "wrong-state"),
        form("woon", "not-a-presentation".into(), ""),
    ] {
        let (status, reply) = w.post_response(body.clone()).await;
        assert!(status == 400 || status == 404, "{body}: {status} {reply}");
        let (_, s) = w.session(HOUSING_KEY, &id).await;
        assert_eq!(
            (s["status"].as_str(), s["refused_answers"].as_u64()),
            (Some("retrieved"), Some(0)),
            "{body}"
        );
    }
    // Posts with the session's state: refused, counted, the session stays open.
    let bad_posts = [
        form("woon", "not-a-presentation".into(), &state),
        form(
            "woon",
            present(&strangers[0], HOUSING_PATHS, AUD, "not-the-nonce", None),
            &state,
        ),
    ];
    for (i, body) in bad_posts.iter().enumerate() {
        let (status, reply) = w.post_response(body.clone()).await;
        assert_eq!(
            (status, reply["error"].as_str()),
            (400, Some("invalid_request")),
            "post {i}: {reply}"
        );
        let (_, s) = w.session(HOUSING_KEY, &id).await;
        assert_eq!(s["status"], "retrieved", "post {i} leaves the session open");
        assert_eq!(s["refused_answers"], i + 1);
    }

    // The citizen's wallet answers afterwards and gets through.
    let pending = wallet.assess_request(link, Lang::Nl).await.unwrap();
    assert_eq!(pending.assessment.verdict.code(), "ok");
    wallet.approve(&pending).await.unwrap();
    let (_, s) = w.session(HOUSING_KEY, &id).await;
    assert_eq!(s["status"], "done", "{s}");
    assert_eq!(s["claims"]["woon"]["family_name"], "Moulin");
    assert!(
        s["reason"].is_null(),
        "a verified answer clears the last refusal"
    );
    // Once done, nothing posted changes it.
    let again = form("woon", "not-a-presentation".into(), &state);
    assert_eq!(w.post_response(again).await.0, 400);
    let denial = AuthorizationResponse::access_denied(Some(&state)).to_form();
    assert_eq!(w.post_response(denial).await.0, 400);
    assert_eq!(w.session(HOUSING_KEY, &id).await.1["status"], "done");
}

#[tokio::test(flavor = "multi_thread")]
async fn too_many_refused_answers_fail_the_session() {
    let w = World::start().await;
    let wallet = w.wallet(&["woonhistorie"]).await;
    let (_, created) = w.create_session(HOUSING_KEY, housing_session()).await;
    let link = created["link"].as_str().unwrap();
    let pending = wallet.assess_request(link, Lang::Nl).await.unwrap();
    let state = fetch_request(&w, link).await.request.state.unwrap();
    for i in 1..=MAX_REFUSED_ANSWERS {
        let bad = form("woon", "not-a-presentation".into(), &state);
        let (status, reply) = w.post_response(bad).await;
        assert_eq!(status, 400);
        let closed = reply["error_description"]
            .as_str()
            .unwrap()
            .contains("now closed");
        assert_eq!(closed, i == MAX_REFUSED_ANSWERS, "post {i}: {reply}");
    }
    let (_, s) = w.session(HOUSING_KEY, &id_of(&created)).await;
    assert_eq!(s["status"], "failed");
    assert!(s["reason"]
        .as_str()
        .unwrap()
        .starts_with("too many refused answers"));
    let err = wallet.approve(&pending).await.unwrap_err();
    assert_eq!(err.code(), "remote_error", "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_link_holder_can_deny_but_learns_and_leaves_nothing() {
    let w = World::start().await;
    let (_, created) = w.create_session(HOUSING_KEY, housing_session()).await;
    let request = fetch_request(&w, created["link"].as_str().unwrap()).await;
    // An error response with a guessed state names no session: nothing is denied.
    let blind = AuthorizationResponse::access_denied(Some("guess")).to_form();
    assert_eq!(w.post_response(blind).await.0, 404);
    let blind = AuthorizationResponse::access_denied(None).to_form();
    assert_eq!(w.post_response(blind).await.0, 400);
    assert_eq!(
        w.session(HOUSING_KEY, &id_of(&created)).await.1["status"],
        "retrieved"
    );
    // With the state from the fetched request, a denial is the wallet's last word.
    let denial = AuthorizationResponse::access_denied(request.request.state.as_deref()).to_form();
    let (status, reply) = w.post_response(denial).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply, serde_json::json!({}), "nothing comes back");
    let (_, s) = w.session(HOUSING_KEY, &id_of(&created)).await;
    assert_eq!(
        (s["status"].as_str(), s["claims"].is_null()),
        (Some("denied"), true)
    );
    // A wallet's other error code ends it as failed, keeping only a short plain code.
    let (_, other) = w.create_session(HOUSING_KEY, housing_session()).await;
    let request = fetch_request(&w, other["link"].as_str().unwrap()).await;
    let odd = AuthorizationResponse::Error {
        error: "<script>".repeat(20),
        description: None,
        state: request.request.state.clone(),
    }
    .to_form();
    assert_eq!(w.post_response(odd).await.0, 200);
    let (_, s) = w.session(HOUSING_KEY, &id_of(&other)).await;
    assert_eq!(
        (s["status"].as_str(), s["reason"].as_str()),
        (Some("failed"), Some("the wallet reported an error"))
    );
}
