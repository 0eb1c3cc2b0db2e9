//! The services as a municipality runs them: Debian's nginx with TLS (a certificate made at
//! start, from a CA of its own) in front of two issuer and two verifier instances on one
//! PostgreSQL database. A wallet trusts that CA only when told; told, it takes a credential
//! and answers a relying party's request through the load balancer, and the verifier checks
//! the credential's status list over the same HTTPS, also after one verifier instance
//! stopped in the middle of the session.
mod common;

use common::process::free_port;
use common::*;
use protocol::credential_types::Lang;
use wallet_core::pin::Pin;
use wallet_core::trust::TrustConfig;
use wallet_core::{Wallet, WalletConfig, WalletError};

/// `host:port` of an instance's `http://…` address, for an upstream block.
fn host_port(address: &str) -> &str {
    address.trim_start_matches("http://")
}

/// An nginx site: TLS on `port`, requests spread over `instances`.
fn tls_server(name: &str, port: u16, instances: &[&str], cert: &nginx::TestCertificate) -> String {
    let servers: String = instances
        .iter()
        .map(|i| format!("server {};", host_port(i)))
        .collect();
    format!(
        "  upstream {name} {{ {servers} }}\n  server {{\n    listen 127.0.0.1:{port} ssl;\n    \
         ssl_certificate {};\n    ssl_certificate_key {};\n    location / {{\n      \
         proxy_pass http://{name};\n      proxy_set_header Host $host;\n      \
         proxy_set_header X-Forwarded-Proto https;\n    }}\n  }}\n",
        cert.cert.display(),
        cert.key.display()
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wallet_works_through_nginx_with_tls_over_two_instances_of_each() {
    let dir = TempDir::new("tls-front");
    let cert = nginx::make_certificate(&dir.0);
    let (issuer_port, verifier_port) = (free_port(), free_port());
    let w = World::start_behind(Front {
        issuer_url: format!("https://localhost:{issuer_port}"),
        verifier_url: format!("https://localhost:{verifier_port}"),
        ca_pem: std::fs::read(&cert.ca).unwrap(),
    })
    .await;
    let issuer_two = w.another_issuer_instance().await;
    let (verifier_two, verifier_two_task) = w.stoppable_instance().await;
    let site = tls_server(
        "issuers",
        issuer_port,
        &[&w.issuer_listen, &issuer_two],
        &cert,
    ) + &tls_server(
        "verifiers",
        verifier_port,
        &[&w.verifier_listen, &verifier_two],
        &cert,
    );
    let _nginx = nginx::start(&dir.0, &site, &[issuer_port, verifier_port]).await;

    // Not told about the CA, a wallet refuses the connection: certificates are checked.
    let anchor = demo_anchor();
    let trust = TrustConfig::from_texts(
        &anchor.public_jwk().to_json_value().to_string(),
        &w.trust_list_jwt,
    )
    .unwrap();
    let untold = Wallet::open(WalletConfig::new(dir.0.join("untold"), trust))
        .unwrap()
        .init(&Pin::new("482915"))
        .unwrap();
    let offer = w.offer("woonhistorie").await;
    match untold.accept_offer(&offer, None).await {
        Err(WalletError::Network { .. }) => {}
        other => panic!("an unknown CA must be refused, got {:?}", other.map(|_| ())),
    }
    assert!(untold.credential_count() == 0, "nothing stored");

    // Told (as `--ca-cert` does), it takes the credential through the load balancer; its
    // requests are spread over both issuer instances.
    let wallet = w.wallet(&["woonhistorie"]).await;
    assert_eq!(wallet.credential_count(), 1);

    let (status, created) = w.create_session(HOUSING_KEY, housing_session()).await;
    assert_eq!(status, 201, "{created}");
    let link = created["link"].as_str().unwrap();
    assert!(
        link.contains(&format!("localhost%3A{verifier_port}")),
        "{link}"
    );
    let pending = wallet.assess_request(link, Lang::Nl).await.unwrap();
    assert_eq!(pending.assessment.verdict.code(), "ok");

    // One verifier instance stops in the middle of the session: nginx sends the answer to
    // the other, which has the session in the shared database.
    verifier_two_task.abort();
    let _ = verifier_two_task.await;
    wallet.approve(&pending).await.unwrap();
    let (status, s) = w.session(HOUSING_KEY, &id_of(&created)).await;
    assert_eq!(status, 200);
    assert_eq!(s["status"], "done", "{s}");
    assert_eq!(s["claims"]["woon"]["family_name"], "Moulin");
}
