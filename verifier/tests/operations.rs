//! What a municipality's operations team watches: health for the load balancer and
//! Prometheus metrics that count what happened, by route, code, type and party, with no
//! personal data, session id or token in them.
mod common;

use common::*;
use protocol::credential_types::Lang;

async fn text(w: &World, url: &str) -> (u16, String, String) {
    let r = w.http.get(url).send().await.unwrap();
    let status = r.status().as_u16();
    let kind = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, kind, r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn health_and_metrics_count_a_shared_address_history_without_personal_data() {
    let w = World::start().await;
    for base in [&w.issuer_url, &w.verifier_url] {
        for path in ["/health/live", "/health/ready"] {
            let (status, _, body) = text(&w, &format!("{base}{path}")).await;
            assert_eq!(status, 200, "{base}{path}: {body}");
        }
    }
    let wallet = w.wallet(&["woonhistorie"]).await;
    let (_, created) = w.create_session(HOUSING_KEY, housing_session()).await;
    let pending = wallet
        .assess_request(created["link"].as_str().unwrap(), Lang::Nl)
        .await
        .unwrap();
    wallet.approve(&pending).await.unwrap();
    // A refusal with a code: an unknown session.
    assert_eq!(w.session(HOUSING_KEY, "no-such-session").await.0, 404);

    let (status, kind, verifier) = text(&w, &format!("{}/metrics", w.verifier_url)).await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("application/openmetrics-text"), "{kind}");
    // The in-process services share one registry; each line is still the service's own.
    for line in [
        r#"regie_events_total{event="session_created",party="woonstichting"} 1"#,
        r#"regie_events_total{event="session_finished",party="woonstichting",outcome="done"} 1"#,
        r#"regie_stored{kind="session",state="done"} 1"#,
        r#"regie_refusals_total{code="not_found"} 1"#,
        r#"regie_events_total{event="offer_created",credential_type="woonhistorie"} 1"#,
        r#"regie_http_requests_total{method="POST",route="/response",status="200"} 1"#,
        r#"regie_http_request_duration_seconds_count{route="/request/{id}"} 1"#,
    ] {
        assert!(verifier.contains(line), "{line} missing in\n{verifier}");
    }
    assert!(
        verifier.contains(
            r#"regie_events_total{event="credential_issued",credential_type="woonhistorie"}"#
        ),
        "{verifier}"
    );
    let session_id = id_of(&created);
    for secret in [
        session_id.as_str(),
        BSN,
        "Moulin",
        "Suzanne",
        HOUSING_KEY,
        ADMIN,
    ] {
        assert!(!verifier.contains(secret), "the metrics show {secret}");
    }
    let (status, _, issuer) = text(&w, &format!("{}/metrics", w.issuer_url)).await;
    assert_eq!(status, 200);
    assert!(issuer.contains("# EOF"), "{issuer}");
}
