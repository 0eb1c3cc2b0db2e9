//! The services as a municipality runs them: Debian's nginx with TLS (a certificate made at
//! start, from a CA of its own) in front of two issuer and two verifier instances on one
//! PostgreSQL database. A wallet trusts that CA only when told; told, it takes a credential
//! and answers a relying party's request through the load balancer, and the verifier checks
//! the credential's status list over the same HTTPS, also after one verifier instance
//! stopped in the middle of the session.
mod common;

use common::*;
use protocol::credential_types::Lang;
use wallet_core::pin::Pin;
use wallet_core::trust::TrustConfig;
use wallet_core::{Wallet, WalletConfig, WalletError};

#[tokio::test(flavor = "multi_thread")]
async fn a_wallet_works_through_nginx_with_tls_over_two_instances_of_each() {
    let mut front = nginx::Behind::start().await;
    let w = &front.world;
    // Not told about the CA, a wallet refuses the connection: certificates are checked.
    let anchor = demo_anchor();
    let trust = TrustConfig::from_texts(
        &anchor.public_jwk().to_json_value().to_string(),
        &w.trust_list_jwt,
    )
    .unwrap();
    let untold = Wallet::open(WalletConfig::new(front.dir.0.join("untold"), trust))
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
    let encoded_front =
        form_urlencoded::byte_serialize(w.verifier_url.as_bytes()).collect::<String>();
    assert!(
        link.contains(&encoded_front),
        "the request is fetched through the front: {link}"
    );
    let pending = wallet.assess_request(link, Lang::Nl).await.unwrap();
    assert_eq!(pending.assessment.verdict.code(), "ok");

    // One verifier instance stops in the middle of the session: nginx sends the answer to
    // the other, which has the session in the shared database.
    front.second_verifier.abort();
    let _ = (&mut front.second_verifier).await;
    wallet.approve(&pending).await.unwrap();
    let (status, s) = w.session(HOUSING_KEY, &id_of(&created)).await;
    assert_eq!(status, 200);
    assert_eq!(s["status"], "done", "{s}");
    assert_eq!(s["claims"]["woon"]["family_name"], "Moulin");
}
