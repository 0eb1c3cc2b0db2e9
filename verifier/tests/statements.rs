//! Signed consent statement files, re-verified by `POST /api/statements/verify`: a genuine
//! file is valid; every statement shown must be signed by a presentation that answers it,
//! and who asked, for which purpose, with which nonce and statements is bound by the
//! relying party's signed request kept in the file.
mod common;

use common::*;
use protocol::credential_types::Lang;
use protocol::jose::b64u_encode;
use serde_json::{json, Value};

const STATEMENT: &str = "/gemeente/verklaring";

/// A genuine statement file, signed by the wallet on the municipality's page.
async fn genuine_file(w: &World, name: &str) -> Value {
    let wallet = w.wallet(&["uittreksel-brp"]).await;
    let started = w
        .start_on_page(
            STATEMENT,
            &[
                ("kind", "inschrijving"),
                ("address", "Boterdiep 31, 3077AW Rotterdam"),
                ("name", name),
                ("date", "2027-01-15"),
            ],
        )
        .await;
    let cookie = Some(started.cookie.as_str());
    let (_, html) = w
        .get_page(&format!("{STATEMENT}/{}", started.id), cookie)
        .await;
    let pending = wallet
        .assess_request(&link_on_page(&html), Lang::Nl)
        .await
        .unwrap();
    wallet.approve(&pending).await.unwrap();
    let (status, file) = w
        .get_page(
            &format!("{STATEMENT}/{}/verklaring.json", started.id),
            cookie,
        )
        .await;
    assert_eq!(status, 200, "{file}");
    serde_json::from_str(&file).unwrap()
}

async fn verify(w: &World, file: &Value) -> (u16, Value) {
    let r = w
        .http
        .post(format!("{}/api/statements/verify", w.verifier_url))
        .json(file)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn refused(w: &World, file: &Value, why: &str) -> String {
    let (status, v) = verify(w, file).await;
    assert_eq!(
        (status, v["valid"].as_bool()),
        (422, Some(false)),
        "{why}: {v}"
    );
    assert!(
        v.get("signer").is_none(),
        "{why}: nothing of the signer is shown"
    );
    v["error"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_genuine_statement_is_valid_and_a_changed_one_is_not() {
    let w = World::start().await;
    let file = genuine_file(&w, "Jan Voorbeeld").await;
    assert_eq!(file["version"], 2);
    assert!(file["request"].as_str().unwrap().split('.').count() == 3);

    let (status, v) = verify(&w, &file).await;
    assert_eq!((status, v["valid"].as_bool()), (200, Some(true)), "{v}");
    assert_eq!(v["relying_party"], "Gemeente Voorbeeldstad (fictief)");
    assert_eq!(v["signer"]["family_name"], "Moulin");
    // Regie's own sentence, from the signed fields.
    assert_eq!(
        v["statements"][0]["text"],
        "Ik woon op Boterdiep 31, 3077AW Rotterdam en geef toestemming dat Jan Voorbeeld zich \
         vanaf 15 januari 2027 op mijn adres inschrijft."
    );
    assert!(v["statements"][0]["text_en"]
        .as_str()
        .unwrap()
        .starts_with("I live at Boterdiep 31"));

    // An extra statement for a query nobody answered.
    let mut extra = file.clone();
    extra["transaction_data"]
        .as_array_mut()
        .unwrap()
        .push(json!({
        "type": "regie_toestemming_inschrijving", "credential_ids": ["extra"],
        "address": "Elders 1", "new_resident": "Iemand Anders", "date": "2027-02-01"}));
    assert!(refused(&w, &extra, "extra entry")
        .await
        .contains("transaction_data"));
    // ...or for the query that was answered, but not signed.
    let mut unsigned = file.clone();
    unsigned["transaction_data"]
        .as_array_mut()
        .unwrap()
        .push(json!({
        "type": "regie_toestemming_inschrijving", "credential_ids": ["brp"],
        "address": "Elders 1", "new_resident": "Iemand Anders", "date": "2027-02-01"}));
    refused(&w, &unsigned, "unsigned entry").await;

    // Another purpose, registered or not.
    for purpose in ["toestemming-reisdocument-minderjarige", "iets-anders"] {
        let mut changed = file.clone();
        changed["purpose"] = json!(purpose);
        assert!(refused(&w, &changed, purpose).await.contains("purpose"));
    }
    // Another party, another nonce, another text, another time of signing.
    let mut changed = file.clone();
    changed["client_id"] = json!("verifier_attestation:notaris-voorbeeld.demo.regie.example");
    refused(&w, &changed, "client_id").await;
    let mut changed = file.clone();
    changed["nonce"] = json!("another-nonce");
    refused(&w, &changed, "nonce").await;
    let mut changed = file.clone();
    changed["transaction_data"][0]["new_resident"] = json!("Piet Voorbeeld");
    refused(&w, &changed, "new_resident").await;
    // A text of the party's own added to a signed entry: not a statement Regie shows.
    let mut changed = file.clone();
    changed["transaction_data"][0]["text"] = json!("Ik geef alles weg.");
    refused(&w, &changed, "text").await;
    let mut changed = file.clone();
    changed["signed_at"] = json!(file["signed_at"].as_u64().unwrap() + 3600);
    refused(&w, &changed, "signed_at").await;

    // The request itself: missing, tampered with, or another session's.
    let mut changed = file.clone();
    changed.as_object_mut().unwrap().remove("request");
    refused(&w, &changed, "no request").await;
    let mut changed = file.clone();
    let jwt = file["request"].as_str().unwrap();
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&protocol::jose::b64u_decode(parts[1], "claims").unwrap()).unwrap();
    claims["purpose"] = json!("toestemming-reisdocument-minderjarige");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        b64u_encode(claims.to_string()),
        parts[2]
    );
    changed["request"] = json!(forged);
    changed["purpose"] = json!("toestemming-reisdocument-minderjarige");
    assert!(refused(&w, &changed, "forged request")
        .await
        .contains("signed request"));
    let other = genuine_file(&w, "Jan Voorbeeld").await;
    let mut changed = file.clone();
    changed["request"] = other["request"].clone();
    refused(&w, &changed, "another session's request").await;

    // A presentation for an unknown query, and an old file without a request.
    let mut changed = file.clone();
    let presentations = changed["vp_token"]["brp"].clone();
    changed["vp_token"]["woon"] = presentations;
    refused(&w, &changed, "unknown query").await;
    let mut old = file.clone();
    old["version"] = json!(1);
    refused(&w, &old, "version 1").await;
}

/// The municipality's page for a child's travel document: the wallet shows Regie's sentence
/// for it, signs it, and the file verifies with that sentence.
#[tokio::test(flavor = "multi_thread")]
async fn a_travel_document_statement_is_signed_on_the_page_and_verifies() {
    let w = World::start().await;
    let wallet = w.wallet(&["uittreksel-brp"]).await;
    let started = w
        .start_on_page(
            STATEMENT,
            &[
                ("kind", "reisdocument"),
                ("name", "Zoey den Braber"),
                ("document", "identiteitskaart"),
            ],
        )
        .await;
    let cookie = Some(started.cookie.as_str());
    let (_, html) = w
        .get_page(&format!("{STATEMENT}/{}", started.id), cookie)
        .await;
    let pending = wallet
        .assess_request(&link_on_page(&html), Lang::Nl)
        .await
        .unwrap();
    assert_eq!(pending.assessment.verdict.code(), "ok");
    let sentence = "Ik heb het gezag over Zoey den Braber en geef toestemming voor een \
                    identiteitskaart voor dit kind.";
    assert_eq!(pending.assessment.statements[0].text, sentence);
    wallet.approve(&pending).await.unwrap();
    let (status, file) = w
        .get_page(
            &format!("{STATEMENT}/{}/verklaring.json", started.id),
            cookie,
        )
        .await;
    assert_eq!(status, 200, "{file}");
    let (status, v) = verify(&w, &serde_json::from_str(&file).unwrap()).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["statements"][0]["text"], sentence);
    // A travel document the type does not know is refused by the page itself.
    let r = reqwest::Client::new()
        .post(format!("{}{STATEMENT}/start", w.verifier_url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("kind=reisdocument&name=Zoey&document=rijbewijs")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}
