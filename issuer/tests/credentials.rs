//! The credentials the municipality issues: the right claims for each test person, every
//! personal attribute selectively disclosable, and a round trip through SD-JWT VC.
use protocol::claim_path::ClaimPath;
use protocol::credential_types::CredentialType;
use protocol::jose::SigningKey;
use protocol::sd_jwt::RandomSalts;
use protocol::sd_jwt_vc::{self, Clock, VcEnvelope};
use regie_issuer::credentials::{claims_for, CredentialClaims};
use regie_issuer::person::*;
use serde_json::{json, Value};

const NOW: u64 = 1_795_000_000;

fn today() -> PartialDate {
    PartialDate::parse_iso("2026-11-24").unwrap()
}

async fn claims(kind: CredentialType, bsn: &str, on: PartialDate) -> CredentialClaims {
    let source = FixtureSource::embedded().unwrap();
    let person = source
        .get(&Bsn::parse(bsn).unwrap())
        .await
        .unwrap()
        .unwrap();
    let residents = source
        .residents_at(&person.residence.as_ref().unwrap().residence)
        .await
        .unwrap();
    claims_for(kind, &person, &residents, on)
}

/// Issues and verifies, returning the verified attributes and the raw credential.
fn round_trip(c: &CredentialClaims, kind: CredentialType) -> (Value, protocol::sd_jwt::SdJwt) {
    let issuer = SigningKey::generate().with_kid("k");
    let holder = SigningKey::generate();
    let envelope = VcEnvelope {
        iss: "https://gemeente.example",
        vct: kind.vct(),
        iat: NOW,
        exp: NOW + 1000,
        nbf: None,
        holder_key: holder.public_jwk(),
        status: None,
    };
    let sd = sd_jwt_vc::issue(
        &envelope,
        c.claims.clone(),
        &c.frame,
        &issuer,
        &mut RandomSalts,
    )
    .unwrap();
    let verified = sd_jwt_vc::verify(
        &sd.serialize(),
        |_, _| Some(issuer.public_jwk().clone()),
        Clock { now: NOW, skew: 0 },
    )
    .unwrap();
    (Value::Object(verified.attributes()), sd)
}

#[tokio::test]
async fn brp_extract_of_gerrit_den_braber() {
    let c = claims(CredentialType::UittrekselBrp, "999994542", today()).await;
    let v = Value::Object(c.claims.clone());
    assert_eq!(v["bsn"], "999994542");
    assert_eq!(v["given_name"], "Gerrit");
    assert_eq!(v["name_prefix"], "den");
    assert_eq!(v["family_name"], "Braber");
    assert_eq!(v["address"]["house_number_addition"], "H");
    assert_eq!(v["address"]["postal_code"], "1014AW");
    assert_eq!(v["address_since"], "1997-03-02");
    assert_eq!(v["municipality"], "Amsterdam");
    assert_eq!(v["nationalities"], json!(["Nederlandse"]));
    assert_eq!(v["age_over_18"], true);
    let (verified, sd) = round_trip(&c, CredentialType::UittrekselBrp);
    assert_eq!(verified, v);
    // Every attribute is hidden in the signed payload.
    let payload = sd.issuer_jwt().split('.').nth(1).unwrap();
    let payload = String::from_utf8(protocol::jose::b64u_decode(payload, "p").unwrap()).unwrap();
    for secret in [
        "999994542",
        "Braber",
        "Schakelstraat",
        "1014AW",
        "Nederlandse",
        "1997-03-02",
    ] {
        assert!(!payload.contains(secret), "{secret} in payload");
    }
    // The holder can show the postal code alone.
    let shown = sd
        .present(&[ClaimPath::keys(["address", "postal_code"]).unwrap()])
        .unwrap();
    assert_eq!(shown.disclosures().len(), 2);
}

#[tokio::test]
async fn age_over_18_follows_the_birth_date() {
    let zoey = claims(CredentialType::UittrekselBrp, "999995807", today()).await;
    assert_eq!(zoey.claims["age_over_18"], false);
    let alexander_before = claims(
        CredentialType::UittrekselBrp,
        "999995832",
        PartialDate::parse_iso("2027-05-28").unwrap(),
    )
    .await;
    assert_eq!(alexander_before.claims["age_over_18"], false);
    let alexander_on = claims(
        CredentialType::UittrekselBrp,
        "999995832",
        PartialDate::parse_iso("2027-05-29").unwrap(),
    )
    .await;
    assert_eq!(alexander_on.claims["age_over_18"], true);
}

#[tokio::test]
async fn address_history_for_co_tenancy() {
    let c = claims(CredentialType::Woonhistorie, "999993112", today()).await;
    let v = Value::Object(c.claims.clone());
    assert_eq!(v["addresses"].as_array().unwrap().len(), 2);
    assert_eq!(v["addresses"][1]["street"], "Schakelstraat");
    assert_eq!(v["addresses"][1]["date_from"], "1997-05-01");
    assert!(v["addresses"][1].get("date_to").is_none());
    assert_eq!(v["residents"].as_array().unwrap().len(), 4);
    let (verified, sd) = round_trip(&c, CredentialType::Woonhistorie);
    assert_eq!(verified, v);
    // A housing corporation can get the dates of every address without the streets.
    let dates = sd
        .present(&[ClaimPath::from_json_value(&json!(["addresses", null, "date_from"])).unwrap()])
        .unwrap();
    let (shown, _) = dates.disclosed_claims().unwrap();
    let text = Value::Object(shown).to_string();
    assert!(
        text.contains("1997-05-01") && text.contains("1993-12-01"),
        "{text}"
    );
    assert!(!text.contains("Vliegerstraat"), "{text}");
}

#[tokio::test]
async fn foreign_and_houseboat_periods_appear_in_the_history() {
    let postma = claims(CredentialType::Woonhistorie, "999996320", today()).await;
    let addresses = postma.claims["addresses"].as_array().unwrap();
    assert!(addresses
        .iter()
        .any(|a| a["address_abroad"]["country"] == "Thailand"));
    let streeveld = claims(CredentialType::Woonhistorie, "999994669", today()).await;
    let text = Value::Object(streeveld.claims.clone()).to_string();
    assert!(
        text.contains("location_description") && text.contains("Woonboot"),
        "{text}"
    );
    round_trip(&streeveld, CredentialType::Woonhistorie);
}

#[tokio::test]
async fn every_person_yields_both_credentials() {
    let source = FixtureSource::embedded().unwrap();
    for summary in source.list().await.unwrap() {
        for kind in CredentialType::ALL {
            let c = claims(kind, summary.bsn.as_str(), today()).await;
            round_trip(&c, kind);
        }
    }
}
