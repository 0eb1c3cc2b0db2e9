//! Who can read a session's result. The QR code and the link carry only a wallet-facing
//! reference, unrelated to the result's id: with it neither the pages, nor the statement
//! file, nor the API show anything. The pages show a result only to the browser that
//! started the session (its cookie), the API only to the party's key.
mod common;

use common::*;
use protocol::credential_types::Lang;
use serde_json::Value;

const STATEMENT: &str = "/gemeente/verklaring";

fn statement_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("kind", "inschrijving"),
        ("address", "Boterdiep 31, 3077AW Rotterdam"),
        ("name", "Jan Voorbeeld"),
        ("date", "2027-01-15"),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn the_qr_reference_opens_no_result_and_other_browsers_see_nothing() {
    let w = World::start().await;
    let wallet = w.wallet(&["uittreksel-brp"]).await;
    let started = w.start_on_page(STATEMENT, &statement_form()).await;
    let id = &started.id;
    let cookie = Some(started.cookie.as_str());
    for attribute in [
        "HttpOnly",
        "SameSite=Lax",
        &format!("Path={STATEMENT}/{id}"),
    ] {
        assert!(
            started.set_cookie.contains(attribute),
            "{attribute}: {}",
            started.set_cookie
        );
    }

    // The starting browser sees the QR code and the link; they carry another reference.
    let (status, html) = w.get_page(&format!("{STATEMENT}/{id}"), cookie).await;
    assert_eq!(status, 200);
    let link = link_on_page(&html);
    let request_ref = request_ref_in(&link);
    assert_ne!(&request_ref, id);
    assert!(!link.contains(id.as_str()), "the link does not hold the id");
    assert!(html.contains(&format!("/request/{request_ref}/qr.svg")));

    let pending = wallet.assess_request(&link, Lang::Nl).await.unwrap();
    wallet.approve(&pending).await.unwrap();

    // The starting browser: the result and the file.
    let (status, html) = w.get_page(&format!("{STATEMENT}/{id}"), cookie).await;
    assert_eq!(status, 200);
    assert!(html.contains("Moulin"), "the signer is shown");
    let file = format!("{STATEMENT}/{id}/verklaring.json");
    let (status, json) = w.get_page(&file, cookie).await;
    assert_eq!(status, 200);
    assert!(json.contains("regie-toestemmingsverklaring"));
    let (status, live) = w
        .get_page(&format!("{STATEMENT}/{id}/status"), cookie)
        .await;
    assert_eq!((status, live.contains("\"done\"")), (200, true), "{live}");

    // Another browser: no cookie, or the cookie of a session of its own.
    let other = w.start_on_page(STATEMENT, &statement_form()).await;
    for (who, c) in [
        ("no cookie", None),
        ("another session's", Some(other.cookie.as_str())),
    ] {
        for path in [
            format!("{STATEMENT}/{id}"),
            file.clone(),
            format!("{STATEMENT}/{id}/status"),
        ] {
            let (status, body) = w.get_page(&path, c).await;
            assert_eq!(status, 404, "{who}: {path}");
            assert!(
                !body.contains("Moulin") && !body.contains(BSN),
                "{who}: {path}"
            );
            assert!(!body.contains("done"), "{who}: {path} shows no status");
        }
    }
    // The forged cookie of a different value, or of this name without one.
    let (status, _) = w
        .get_page(
            &format!("{STATEMENT}/{id}"),
            Some("regie_sessie=bm90LXRoZS1jb29raWU; regie_sessie="),
        )
        .await;
    assert_eq!(status, 404);

    // The QR code's reference, even with the right cookie, opens no page, file or API.
    for path in [
        format!("{STATEMENT}/{request_ref}"),
        format!("{STATEMENT}/{request_ref}/verklaring.json"),
        format!("{STATEMENT}/{request_ref}/status"),
    ] {
        let (status, body) = w.get_page(&path, cookie).await;
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("Moulin"), "{path}");
    }
    let (status, body) = w.session(MUNICIPALITY_KEY, &request_ref).await;
    assert_eq!(status, 404, "{body}");
    assert!(!body.to_string().contains("Moulin"));
    // The party's key reads the result by its id.
    let (status, body) = w.session(MUNICIPALITY_KEY, id).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("done")));
    assert_eq!(body["claims"]["brp"]["family_name"], "Moulin");
}

#[tokio::test(flavor = "multi_thread")]
async fn api_sessions_keep_their_id_away_from_the_wallet_and_off_the_pages() {
    let w = World::start().await;
    let wallet = w.wallet(&["uittreksel-brp"]).await;
    let (status, created) = w.create_session(NOTARY_KEY, notary_session()).await;
    assert_eq!(status, 201);
    let id = id_of(&created);
    let request_ref = ref_of(&created);
    assert_ne!(id, request_ref);
    for field in ["link", "request_uri", "qr", "qr_svg"] {
        let value = created[field].as_str().unwrap();
        assert!(!value.contains(&id), "{field} does not hold the session id");
        assert!(value.contains(&request_ref), "{field}");
    }
    // The id is not a wallet-facing reference either.
    let r = w
        .http
        .get(format!("{}/request/{id}", w.verifier_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let denial = protocol::oid4vp::AuthorizationResponse::access_denied(Some(&id)).to_form();
    assert_eq!(w.post_response(denial).await.0, 404);
    // The public QR image draws the link.
    let png = w
        .http
        .get(created["qr"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(png.headers()["content-type"], "image/png");

    let pending = wallet
        .assess_request(created["link"].as_str().unwrap(), Lang::Nl)
        .await
        .unwrap();
    wallet.approve(&pending).await.unwrap();

    // The API: the party's key and the id; the reference gets nothing.
    let (status, s) = w.session(NOTARY_KEY, &id).await;
    assert_eq!((status, s["status"].as_str()), (200, Some("done")));
    assert_eq!(s["session_id"], Value::String(id.clone()));
    assert_eq!(w.session(NOTARY_KEY, &request_ref).await.0, 404);
    // No page shows a session made through the API, by id or by reference.
    for path in [
        format!("/notaris/{id}"),
        format!("/notaris/{request_ref}"),
        format!("/notaris/{id}/status"),
    ] {
        let (status, body) = w.get_page(&path, None).await;
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("Moulin") && !body.contains(BSN), "{path}");
    }
}
