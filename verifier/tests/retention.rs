//! The verifier is no archive: a session and the citizen's verified claims are removed a
//! set time after its time to answer ended, and nothing of it can be read afterwards.
mod common;

use common::*;
use protocol::credential_types::Lang;
use regie_verifier::service::SESSION_TTL;

/// The demo default (`--keep-results-hours 24`).
const KEEP: u64 = 24 * 3600;

#[tokio::test(flavor = "multi_thread")]
async fn answered_and_unanswered_sessions_are_removed_a_day_after_they_end() {
    removed_a_day_after_they_end(World::start().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn in_postgresql_sessions_are_removed_a_day_after_they_end() {
    removed_a_day_after_they_end(World::start_on_postgres().await).await;
}

async fn removed_a_day_after_they_end(w: World) {
    let wallet = w.wallet(&["woonhistorie"]).await;
    let (_, answered) = w.create_session(HOUSING_KEY, housing_session()).await;
    let pending = wallet
        .assess_request(answered["link"].as_str().unwrap(), Lang::Nl)
        .await
        .unwrap();
    wallet.approve(&pending).await.unwrap();
    let (_, unanswered) = w.create_session(NOTARY_KEY, notary_session()).await;
    let sessions = &w.verifier.sessions;

    // A day after the time to answer, less a second: the party can still collect.
    w.clock.advance(SESSION_TTL + KEEP - 1);
    assert_eq!(
        sessions.purge(w.verifier.clock.now(), KEEP).await.unwrap(),
        0
    );
    let (_, s) = w.session(HOUSING_KEY, &id_of(&answered)).await;
    assert_eq!(s["claims"]["woon"]["family_name"], "Moulin", "{s}");
    assert_eq!(
        w.session(NOTARY_KEY, &id_of(&unanswered)).await.1["status"],
        "expired"
    );

    // A session made now is not touched by the purge that removes the old ones.
    let (_, fresh) = w.create_session(HOUSING_KEY, housing_session()).await;
    w.clock.advance(1);
    assert_eq!(
        sessions.purge(w.verifier.clock.now(), KEEP).await.unwrap(),
        2
    );
    for (key, created) in [(HOUSING_KEY, &answered), (NOTARY_KEY, &unanswered)] {
        let (status, body) = w.session(key, &id_of(created)).await;
        assert_eq!(status, 404, "{body}");
        let request = w
            .http
            .get(format!("{}/request/{}", w.verifier_url, ref_of(created)))
            .send()
            .await
            .unwrap();
        assert_eq!(
            request.status(),
            404,
            "the QR code's reference leads nowhere"
        );
    }
    // (The wallet keeps real time, a day behind the verifier's clock here: the fresh
    // session is only checked to be still there and open.)
    assert_eq!(
        w.session(HOUSING_KEY, &id_of(&fresh)).await.1["status"],
        "pending"
    );

    // Removed from the files, not only hidden: a second purge finds nothing.
    assert_eq!(
        sessions.purge(w.verifier.clock.now(), KEEP).await.unwrap(),
        0
    );
}
