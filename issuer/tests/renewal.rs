//! Renewal after a revocation: revoked as lost or stolen (the back office here, the citizen
//! on the portal in the browser tests), that wallet's refresh tokens stop working and no
//! fresh copies come; revoked because the data changed (a move), renewal brings the new
//! data. Another wallet of the same person keeps renewing.
mod common;

use common::*;
use protocol::jose::{PublicJwk, SigningKey};
use protocol::sd_jwt_vc::{self, Clock as VcClock};
use serde_json::{json, Value};

const BSN: &str = "999993653";

/// A wallet's grant: its refresh token and the id of the copy it holds.
struct Held {
    refresh_token: String,
    credential_id: String,
}

/// Takes an offer of `kind` to the end and returns what the wallet keeps.
async fn take_offer(s: &Server, kind: &str) -> Held {
    let offer = s.offer(BSN, kind, false).await;
    let (status, token) = s.token(&code_of(&offer), None).await;
    assert_eq!(status, 200, "{token}");
    let held = redeem(s, kind, &token).await;
    assert_eq!(held.0, 200);
    Held {
        refresh_token: token["refresh_token"].as_str().unwrap().to_owned(),
        credential_id: held.1,
    }
}

/// Spends an access token on one copy: (status, id of the record it added).
async fn redeem(s: &Server, kind: &str, token: &Value) -> (u16, String) {
    let before = ids(s).await;
    let nonce = s.nonce().await;
    let (status, body) = s
        .credential(
            token["access_token"].as_str().unwrap(),
            json!({"credential_configuration_id": kind,
                   "proofs": {"jwt": proofs(s, &[SigningKey::generate()], &nonce)}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let added = ids(s).await.into_iter().find(|id| !before.contains(id));
    (status, added.unwrap_or_default())
}

/// Record ids of the person's copies.
async fn ids(s: &Server) -> Vec<String> {
    let list = s.get_json(&format!("/api/persons/{BSN}/credentials")).await;
    list["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn revoke(s: &Server, id: &str) {
    let r = s
        .http
        .post(format!("{}/api/credentials/{id}/revoke", s.base))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn revoked_as_lost_the_wallet_can_no_longer_renew() {
    let s = start().await;
    let lost = take_offer(&s, "woonhistorie").await;
    let other = take_offer(&s, "woonhistorie").await;
    revoke(&s, &lost.credential_id).await;

    let (status, body) = s.refresh(&lost.refresh_token).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "{body}"
    );
    // Nothing was issued to the lost wallet, and its token stays spent.
    assert_eq!(ids(&s).await.len(), 2);
    assert_eq!(s.refresh(&lost.refresh_token).await.0, 400);

    // The person's other wallet is not affected, and keeps renewing through rotation.
    let (status, token) = s.refresh(&other.refresh_token).await;
    assert_eq!(status, 200, "{token}");
    assert_eq!(redeem(&s, "woonhistorie", &token).await.0, 200);
    let (status, _) = s.refresh(token["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_renewed_copy_revoked_as_lost_ends_the_whole_grant() {
    let s = start().await;
    let held = take_offer(&s, "uittreksel-brp").await;
    // Renew once: the fresh copy belongs to the same grant.
    let (status, token) = s.refresh(&held.refresh_token).await;
    assert_eq!(status, 200);
    let (_, renewed_id) = redeem(&s, "uittreksel-brp", &token).await;
    assert_ne!(renewed_id, held.credential_id);
    revoke(&s, &renewed_id).await;
    let (status, _) = s.refresh(token["refresh_token"].as_str().unwrap()).await;
    assert_eq!(
        status, 400,
        "the rotated token of a lost wallet is refused too"
    );
}

#[tokio::test]
async fn revoked_because_of_a_move_renewal_brings_the_new_address() {
    let s = start().await;
    let held = take_offer(&s, "woonhistorie").await;
    let r = s
        .http
        .post(format!("{}/api/persons/{BSN}/move", s.base))
        .bearer_auth(ADMIN)
        .json(
            &json!({"street": "Nieuwe Gracht", "house_number": 7, "postal_code": "3512 LA",
            "locality": "Utrecht", "municipality": "Utrecht", "date": "2026-11-01"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (status, token) = s.refresh(&held.refresh_token).await;
    assert_eq!(status, 200, "{token}");
    let nonce = s.nonce().await;
    let (status, body) = s
        .credential(
            token["access_token"].as_str().unwrap(),
            json!({"credential_configuration_id": "woonhistorie",
                   "proofs": {"jwt": proofs(&s, &[SigningKey::generate()], &nonce)}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let sd_jwt = body["credentials"][0]["credential"].as_str().unwrap();
    let jwks = s.get_json("/.well-known/jwt-vc-issuer").await;
    let key = PublicJwk::from_json_value(&jwks["jwks"]["keys"][0]).unwrap();
    let verified = sd_jwt_vc::verify(
        sd_jwt,
        |iss, _| (iss == s.base).then(|| key.clone()),
        VcClock {
            now: START,
            skew: 60,
        },
    )
    .unwrap();
    assert!(
        Value::Object(verified.claims().clone())
            .to_string()
            .contains("Nieuwe Gracht"),
        "the new address came in"
    );
}
