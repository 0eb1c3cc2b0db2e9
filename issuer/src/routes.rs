//! The issuer's routes: every endpoint of the service, the citizen portal merged in, and the
//! task that follows the consent cases' verifier sessions.
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use crate::back_office::{create_document, list_credentials, record_move, revoke};
use crate::service::{
    authorization_server_metadata, create_offer, internal, issuer_metadata, jwt_vc_issuer,
    offer_by_reference, offer_state, openapi, status_list, Shared, MAX_BODY_BYTES,
};
use crate::vci_endpoints::{credential, nonce, token};

/// The router with every endpoint: the protocol endpoints, the back-office API and the
/// citizen portal, without consent cases.
pub fn router(issuer: Shared) -> Router {
    router_with_cases(issuer, None)
}

/// The router with consent cases, asked for through the verifier as the party `cases`
/// holds; their open sessions are followed in the background.
pub fn router_with_cases(issuer: Shared, cases: Option<Arc<crate::cases::Cases>>) -> Router {
    router_with(issuer, cases, None)
}

/// The router with consent cases (when `cases`) and the portal's login through an OpenID
/// Connect provider (when `oidc`; otherwise the simulated test login).
pub fn router_with(
    issuer: Shared,
    cases: Option<Arc<crate::cases::Cases>>,
    oidc: Option<Arc<crate::oidc::OidcLogin>>,
) -> Router {
    if let (Some(cases), Ok(runtime)) = (&cases, tokio::runtime::Handle::try_current()) {
        let cases = Arc::downgrade(cases);
        runtime.spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
            loop {
                tick.tick().await;
                // Ends with the service: the task holds the cases only while it works.
                let Some(cases) = cases.upgrade() else { break };
                cases.follow_open_sessions().await;
            }
        });
    }
    // A store that cannot open the portal's trees answers the portal's pages with an error
    // rather than stopping the protocol endpoints.
    let portal = crate::portal::router(issuer.clone(), cases, oidc).unwrap_or_else(|e| {
        let reason = e.to_string();
        Router::new().fallback(move || {
            let reason = reason.clone();
            async move { internal(reason) }
        })
    });
    Router::new()
        .route(
            "/.well-known/openid-credential-issuer",
            get(issuer_metadata),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(authorization_server_metadata),
        )
        .route("/.well-known/jwt-vc-issuer", get(jwt_vc_issuer))
        .route("/token", post(token))
        .route("/nonce", post(nonce))
        .route("/credential", post(credential))
        .route("/status/{list_id}", get(status_list))
        .route("/offers/{id}", get(offer_by_reference))
        .route("/api/openapi.json", get(openapi))
        .route("/health/live", get(crate::health::live))
        .route("/health/ready", get(crate::health::ready))
        .route("/metrics", get(crate::health::metrics))
        .route("/api/offers", post(create_offer))
        .route("/api/offers/{id}", get(offer_state))
        .route("/api/credentials/{id}/revoke", post(revoke))
        .route("/api/persons/{bsn}/credentials", get(list_credentials))
        .route("/api/persons/{bsn}/move", post(record_move))
        .route("/api/documents", post(create_document))
        .with_state(issuer)
        .merge(portal)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(regie_ops::log_requests))
}
