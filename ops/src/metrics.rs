//! Prometheus metrics of a service, in the text format at `/metrics`: requests and their
//! latency by route, refusals by error code, and what the service did (offers, credentials
//! issued and revoked, sessions by party and outcome). Labels are route templates, codes,
//! credential types and relying-party ids: never personal data, session ids or tokens.
use std::sync::OnceLock;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

type Labels = Vec<(String, String)>;

/// Latency buckets in seconds: from a cached status list to an image being read.
const LATENCY_BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// Everything counted in this process.
pub struct Metrics {
    registry: Registry,
    requests: Family<Labels, Counter>,
    latency: Family<Labels, Histogram>,
    refusals: Family<Labels, Counter>,
    events: Family<Labels, Counter>,
    states: Family<Labels, Gauge>,
}

fn histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

impl Metrics {
    fn new() -> Metrics {
        let mut registry = Registry::with_prefix("regie");
        let requests = Family::<Labels, Counter>::default();
        let latency = Family::<Labels, Histogram>::new_with_constructor(histogram as fn() -> _);
        let refusals = Family::<Labels, Counter>::default();
        let events = Family::<Labels, Counter>::default();
        let states = Family::<Labels, Gauge>::default();
        registry.register(
            "http_requests",
            "Requests by method, route template and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer, by route template",
            latency.clone(),
        );
        registry.register("refusals", "Error answers by error code", refusals.clone());
        registry.register(
            "events",
            "What the service did, by event and kind (offer_created, credential_issued, credential_revoked, session_created, session_finished)",
            events.clone(),
        );
        registry.register(
            "stored",
            "Stored items by kind and state, counted when scraped",
            states.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            refusals,
            events,
            states,
        }
    }

    /// One answered request.
    pub fn request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&vec![
                ("method".into(), method.into()),
                ("route".into(), route.into()),
                ("status".into(), status.to_string()),
            ])
            .inc();
        self.latency
            .get_or_create(&vec![("route".into(), route.into())])
            .observe(seconds);
    }

    /// An error answer with this code (`invalid_request`, `invalid_grant`, …).
    pub fn refusal(&self, code: &str) {
        self.refusals
            .get_or_create(&vec![("code".into(), code.into())])
            .inc();
    }

    /// `count` times `event`, with labels such as the credential type or relying party.
    pub fn event(&self, event: &str, labels: &[(&str, &str)], count: u64) {
        let mut all: Labels = vec![("event".into(), event.into())];
        all.extend(labels.iter().map(|(k, v)| ((*k).into(), (*v).into())));
        self.events.get_or_create(&all).inc_by(count);
    }

    /// Sets a gauge of stored items (`kind` such as `session`, `state` such as `done`).
    pub fn stored(&self, kind: &str, state: &str, count: u64) {
        self.states
            .get_or_create(&vec![
                ("kind".into(), kind.into()),
                ("state".into(), state.into()),
            ])
            .set(i64::try_from(count).unwrap_or(i64::MAX));
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

/// This process's metrics.
pub fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::new)
}

/// The `Content-Type` of [`Metrics::render`].
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// `GET /metrics`: this process's metrics as they stand (a service sets its scrape-time
/// gauges first).
pub fn response() -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(axum::http::header::CONTENT_TYPE, CONTENT_TYPE)],
        metrics().render(),
    )
        .into_response()
}

/// `GET /health/live`: the process answers.
pub async fn live() -> axum::response::Response {
    use axum::response::IntoResponse;
    axum::Json(serde_json::json!({"status": "live"})).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_show_in_the_exposition_with_their_labels() {
        let m = Metrics::new();
        m.request("GET", "/response/{id}", 200, 0.003);
        m.request("GET", "/response/{id}", 200, 0.2);
        m.refusal("invalid_grant");
        m.event(
            "credential_issued",
            &[("credential_type", "woonhistorie")],
            3,
        );
        m.stored("session", "done", 7);
        let text = m.render();
        for line in [
            r#"regie_http_requests_total{method="GET",route="/response/{id}",status="200"} 2"#,
            r#"regie_http_request_duration_seconds_count{route="/response/{id}"} 2"#,
            r#"regie_refusals_total{code="invalid_grant"} 1"#,
            r#"regie_events_total{event="credential_issued",credential_type="woonhistorie"} 3"#,
            r#"regie_stored{kind="session",state="done"} 7"#,
        ] {
            assert!(text.contains(line), "{line} missing in\n{text}");
        }
        assert!(text.ends_with("# EOF\n"));
    }
}
