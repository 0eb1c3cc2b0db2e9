//! Several verifier instances on one PostgreSQL database serve one public URL: a session
//! made through one is fetched, answered and read through the others, and an instance that
//! starts later (a restart, a scale-out) carries on where the others were.
mod common;

use common::*;
use protocol::credential_types::Lang;

/// The link with its request URI pointed at `instance` instead of the public URL: what a
/// load balancer does when it sends the wallet's fetch to that instance.
fn through(link: &str, public_url: &str, instance: &str) -> String {
    let encoded = |url: &str| form_urlencoded::byte_serialize(url.as_bytes()).collect::<String>();
    let routed = link.replace(&encoded(public_url), &encoded(instance));
    assert_ne!(routed, link, "the link names the public URL");
    routed
}

async fn read_through(w: &World, instance: &str, id: &str) -> serde_json::Value {
    let response = w
        .http
        .get(format!("{instance}/api/sessions/{id}"))
        .bearer_auth(HOUSING_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_made_on_one_instance_is_answered_and_read_through_others() {
    let w = World::start_on_postgres().await;
    let second = w.another_instance().await;
    let wallet = w.wallet(&["woonhistorie"]).await;

    let (status, created) = w.create_session(HOUSING_KEY, housing_session()).await;
    assert_eq!(status, 201, "{created}");
    let id = id_of(&created);
    assert_eq!(read_through(&w, &second, &id).await["status"], "pending");

    // The wallet's fetch of the request reaches the second instance.
    let link = through(created["link"].as_str().unwrap(), &w.verifier_url, &second);
    let pending = wallet.assess_request(&link, Lang::Nl).await.unwrap();
    assert_eq!(pending.assessment.verdict.code(), "ok");
    let (_, s) = w.session(HOUSING_KEY, &id).await;
    assert_eq!(
        s["status"], "retrieved",
        "the first instance sees the fetch"
    );

    wallet.approve(&pending).await.unwrap();
    // An instance started after the answer (a restart, a scale-out) reads the result.
    let third = w.another_instance().await;
    for instance in [&second, &third] {
        let s = read_through(&w, instance, &id).await;
        assert_eq!(s["status"], "done", "{s}");
        assert_eq!(s["claims"]["woon"]["family_name"], "Moulin");
    }

    // Answered once across all: the same answer again is refused by every instance.
    let again = w
        .http
        .get(format!("{third}/request/{}", ref_of(&created)))
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.status(),
        400,
        "a finished session hands out no request"
    );
}
