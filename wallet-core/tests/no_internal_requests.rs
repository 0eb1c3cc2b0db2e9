//! A QR code or link cannot make the wallet send requests into the network the device sits
//! in (server-side request forgery from the citizen's device): internal addresses are
//! refused before any connection, redirects are not followed, and with loopback switched off
//! (`--https-only`, the setting a released app uses) not even this machine is reached.
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::*;
use protocol::credential_types::Lang;
use wallet_core::pin::Pin;
use wallet_core::{UnlockedWallet, Wallet};

/// A TCP listener on loopback that counts connections and answers every request with a
/// redirect to `location` (or a 404 when there is none).
async fn counting_server(location: Option<String>) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            let answer = match &location {
                Some(to) => format!(
                    "HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                ),
                None => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_owned(),
            };
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    (format!("http://127.0.0.1:{port}"), hits)
}

/// `scheme://?<param>=<target>`, the target encoded as a query value.
fn link(scheme_and_param: &str, target: &str) -> String {
    let encoded: String = form_urlencoded::byte_serialize(target.as_bytes()).collect();
    format!("{scheme_and_param}={encoded}")
}

const REQUEST: &str = "openid4vp://?client_id=x&request_uri";
const OFFER: &str = "openid-credential-offer://?credential_offer_uri";

fn wallet(dir: &TempDir, scheme: &Scheme, allow_loopback: bool) -> UnlockedWallet {
    let mut config = wallet_config(dir, scheme);
    config.allow_http_loopback = allow_loopback;
    Wallet::open(config).unwrap().init(&Pin::new(PIN)).unwrap()
}

async fn request_error(wallet: &UnlockedWallet, uri: &str) -> wallet_core::WalletError {
    match wallet.assess_request(uri, Lang::Nl).await {
        Err(e) => e,
        Ok(_) => panic!("{uri} was accepted"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn links_into_internal_networks_are_refused_before_any_connection() {
    let issuer = TestIssuer::start().await;
    let scheme = Scheme::new(&issuer);
    let dir = TempDir::new("no-internal");
    let wallet = wallet(&dir, &scheme, true);
    for target in [
        "https://169.254.169.254/latest/meta-data/",
        "https://10.1.2.3/request",
        "https://192.168.1.1/admin",
        "https://[fe80::1]/r",
        "https://[::ffff:172.16.0.1]/r",
        "https://user:secret@verifier.example/r",
    ] {
        let err = request_error(&wallet, &link(REQUEST, target)).await;
        assert_eq!(err.code(), "invalid_request", "{target}: {err}");
        let err = wallet
            .accept_offer(&link(OFFER, target), None)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "invalid_offer", "{target}: {err}");
    }
    assert_eq!(wallet.credential_count(), 0);
    assert!(wallet.history(None, 10).unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_is_not_followed() {
    let issuer = TestIssuer::start().await;
    let scheme = Scheme::new(&issuer);
    let dir = TempDir::new("no-redirect");
    let wallet = wallet(&dir, &scheme, true);
    let (inner, inner_hits) = counting_server(None).await;
    let (outer, outer_hits) = counting_server(Some(format!("{inner}/secret"))).await;
    let err = request_error(&wallet, &link(REQUEST, &format!("{outer}/r"))).await;
    assert!(err.to_string().contains("302"), "{err}");
    assert_eq!(outer_hits.load(Ordering::SeqCst), 1);
    assert_eq!(
        inner_hits.load(Ordering::SeqCst),
        0,
        "the redirect was followed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn with_loopback_off_this_machine_is_not_reached_by_address_or_name() {
    let issuer = TestIssuer::start().await;
    let scheme = Scheme::new(&issuer);
    let dir = TempDir::new("https-only");
    let wallet = wallet(&dir, &scheme, false);
    let (server, hits) = counting_server(None).await;
    let port = server.rsplit(':').next().unwrap();
    for target in [
        format!("https://127.0.0.1:{port}/r"),
        format!("https://localhost:{port}/r"),
        format!("https://2130706433:{port}/r"),
        format!("https://[::1]:{port}/r"),
    ] {
        let err = request_error(&wallet, &link(REQUEST, &target)).await;
        assert_eq!(err.code(), "invalid_request", "{target}: {err}");
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}
