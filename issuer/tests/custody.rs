//! The minors a holder has custody of, in the BRP extract: the den Braber parents carry
//! Zoey and Alexander, each child a disclosure of its own, so a presentation can show one
//! child without the other; people without custody carry no `custody` claim.
use protocol::claim_path::ClaimPath;
use protocol::claim_text::list_item_text;
use protocol::credential_types::{CredentialType, Lang};
use protocol::dcql::{check_presented, match_credentials, DcqlQuery, HeldCredential};
use protocol::dcql::{PresentedCredential, FORMAT_SD_JWT_VC};
use protocol::jose::SigningKey;
use protocol::sd_jwt::{add_key_binding, KbExpectation, RandomSalts, SdJwt};
use protocol::sd_jwt_vc::{self, VcEnvelope};
use regie_issuer::credentials::{claims_for, CredentialClaims, CUSTODY};
use regie_issuer::person::*;
use serde_json::{json, Value};

const NOW: u64 = 1_795_000_000;
const ZOEY: &str = "999995807";
const ALEXANDER: &str = "999995832";
const AUD: &str = "verifier_attestation:gemeente.example";

fn on(iso: &str) -> PartialDate {
    PartialDate::parse_iso(iso).unwrap()
}

async fn extract_from(source: &FixtureSource, bsn: &str, today: PartialDate) -> CredentialClaims {
    let person = source
        .get(&Bsn::parse(bsn).unwrap())
        .await
        .unwrap()
        .unwrap();
    claims_for(CredentialType::UittrekselBrp, &person, &[], today)
}

async fn extract(bsn: &str, today: PartialDate) -> CredentialClaims {
    extract_from(&FixtureSource::embedded().unwrap(), bsn, today).await
}

struct Issued {
    sd: SdJwt,
    issuer: SigningKey,
    holder: SigningKey,
}

fn issue(c: &CredentialClaims) -> Issued {
    let issuer = SigningKey::generate().with_kid("k");
    let holder = SigningKey::generate();
    let envelope = VcEnvelope {
        iss: "https://gemeente.example",
        vct: CredentialType::UittrekselBrp.vct(),
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
    Issued { sd, issuer, holder }
}

/// Presents `shown` with a key binding and verifies it as a verifier would; returns what
/// the verifier sees and the presentation's text.
fn present_and_verify(issued: &Issued, shown: &SdJwt) -> (Value, String) {
    let presentation =
        add_key_binding(&shown.serialize(), &issued.holder, AUD, "n-1", NOW, None).unwrap();
    let expected = KbExpectation {
        aud: AUD,
        nonce: "n-1",
        now: NOW,
        max_age: 300,
        future_skew: 60,
        transaction_data_hashes: None,
    };
    let verified = sd_jwt_vc::verify_presentation(
        &presentation,
        |_, _| Some(issued.issuer.public_jwk().clone()),
        &expected,
        0,
    )
    .unwrap();
    (
        Value::Object(verified.credential.attributes()),
        presentation,
    )
}

fn child(bsn: &str, given: &str, born: &str) -> Value {
    json!({"bsn": bsn, "given_name": given, "name_prefix": "den", "family_name": "Braber",
        "birthdate": born})
}

#[tokio::test]
async fn both_den_braber_custodians_carry_exactly_zoey_and_alexander() {
    for parent in ["999994542", "999993112"] {
        let c = extract(parent, on("2026-11-24")).await;
        // Oldest first.
        assert_eq!(
            c.claims[CUSTODY],
            json!([
                child(ALEXANDER, "Alexander", "2009-05-29"),
                child(ZOEY, "Zoey", "2018-11-14")
            ]),
            "{parent}"
        );
        let issued = issue(&c);
        // Each child is a disclosure of its own (an array element), and each of its
        // attributes too; nothing about the children is readable in the signed payload.
        let elements: Vec<&Value> = issued
            .sd
            .disclosures()
            .iter()
            .filter(|d| d.name().is_none() && d.value().get("_sd").is_some())
            .map(|d| d.value())
            .collect();
        assert_eq!(elements.len(), 2, "{parent}");
        let payload = issued.sd.issuer_jwt().split('.').nth(1).unwrap();
        let payload =
            String::from_utf8(protocol::jose::b64u_decode(payload, "p").unwrap()).unwrap();
        for secret in [ZOEY, ALEXANDER, "Zoey", "Alexander", "2018-11-14"] {
            assert!(!payload.contains(secret), "{secret} in payload");
        }
        let (all, _) = present_and_verify(&issued, &issued.sd);
        assert_eq!(all[CUSTODY], c.claims[CUSTODY]);
    }
}

#[tokio::test]
async fn a_presentation_of_zoeys_element_shows_zoey_only() {
    let c = extract("999994542", on("2026-11-24")).await;
    let issued = issue(&c);
    let zoey_at = ClaimPath::from_json_value(&json!([CUSTODY, 1])).unwrap();
    let shown = issued.sd.present(&[zoey_at]).unwrap();
    let (seen, presentation) = present_and_verify(&issued, &shown);
    assert_eq!(
        seen,
        json!({CUSTODY: [child(ZOEY, "Zoey", "2018-11-14")]}),
        "only Zoey, nothing of the holder"
    );
    assert_eq!(
        list_item_text(seen[CUSTODY][0].as_object().unwrap(), Lang::Nl),
        "Zoey den Braber, geboren 14 november 2018 (BSN 999995807)"
    );
    // Alexander's element is not in the presentation at all.
    for d in shown.disclosures() {
        let text = d.value().to_string();
        assert!(
            !text.contains(ALEXANDER) && !text.contains("Alexander"),
            "{text}"
        );
    }
    assert!(!presentation.contains("Alexander"));
}

#[tokio::test]
async fn a_dcql_query_for_one_childs_bsn_discloses_only_that_bsn() {
    let c = extract("999993112", on("2026-11-24")).await;
    let issued = issue(&c);
    let query = DcqlQuery::from_json_value(&json!({"credentials": [{
        "id": "brp", "format": FORMAT_SD_JWT_VC,
        "meta": {"vct_values": [CredentialType::UittrekselBrp.vct()]},
        "claims": [{"path": ["bsn"]}, {"path": [CUSTODY, null, "bsn"], "values": [ZOEY]}]
    }]}))
    .unwrap();
    let (held_claims, _) = issued.sd.disclosed_claims().unwrap();
    let held_claims = Value::Object(held_claims);
    // The custody list has disclosable elements; a `null` path into it is matched by value.
    let arrays = issued.sd.disclosable_arrays().unwrap();
    let held = [HeldCredential {
        id: "c1",
        format: FORMAT_SD_JWT_VC,
        vct: CredentialType::UittrekselBrp.vct(),
        claims: &held_claims,
        holder_binding: true,
        disclosable_arrays: &arrays,
    }];
    let matched = match_credentials(&query, &held);
    let candidate = &matched.query("brp").unwrap().candidates[0];
    let shown = issued.sd.present(&candidate.disclose).unwrap();
    let (seen, _) = present_and_verify(&issued, &shown);
    assert_eq!(seen, json!({"bsn": "999993112", CUSTODY: [{"bsn": ZOEY}]}));
    let presented = [PresentedCredential {
        query_id: "brp",
        format: FORMAT_SD_JWT_VC,
        vct: CredentialType::UittrekselBrp.vct(),
        claims: &seen,
        holder_binding: true,
        disclosable_arrays: &arrays,
    }];
    assert_eq!(check_presented(&query, &presented).unwrap(), vec!["brp"]);
}

#[tokio::test]
async fn people_without_custody_have_no_custody_claim() {
    // Suzanne Moulin has no children; Zoey is a minor herself (her custodians are not part
    // of her own extract); Erebos's custody could not be determined (GezagNietTeBepalen).
    for bsn in ["999993653", ZOEY, "999990019"] {
        let c = extract(bsn, on("2026-11-24")).await;
        assert!(c.claims.get(CUSTODY).is_none(), "{bsn}");
        assert!(!c.frame.members.contains_key(CUSTODY), "{bsn}");
    }
}

#[tokio::test]
async fn a_child_leaves_the_list_on_turning_18() {
    let before = extract("999994542", on("2027-05-28")).await;
    assert_eq!(before.claims[CUSTODY].as_array().unwrap().len(), 2);
    let after = extract("999994542", on("2027-05-29")).await;
    assert_eq!(
        after.claims[CUSTODY],
        json!([child(ZOEY, "Zoey", "2018-11-14")])
    );
    let both_adult = extract("999994542", on("2036-11-14")).await;
    assert!(both_adult.claims.get(CUSTODY).is_none());
}

#[tokio::test]
async fn a_minor_without_a_record_in_the_source_is_listed_by_bsn() {
    // Custody of a minor registered in another source: the relation names the BSN, the
    // source has no record to take a name or birth date from.
    let personen = json!([{
        "burgerservicenummer": "999994542",
        "naam": {"voornamen": "Gerrit", "voorvoegsel": "den", "geslachtsnaam": "Braber"},
        "geboorte": {"datum": "19750101"},
        "gezag": [
            {"type": "EenhoofdigOuderlijkGezag", "ouder": {"burgerservicenummer": "999994542"},
             "minderjarige": {"burgerservicenummer": "111222333"}},
            {"type": "TijdelijkGeenGezag", "minderjarige": {"burgerservicenummer": ZOEY}}
        ]
    }]);
    let source = FixtureSource::from_json(&personen.to_string(), "{}").unwrap();
    let person = source
        .get(&Bsn::parse("999994542").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(person.custody.len(), 1);
    assert_eq!(person.custody[0].kind, CustodyKind::OneParent);
    assert_eq!(person.custody[0].name, None);
    let c = extract_from(&source, "999994542", on("2026-11-24")).await;
    assert_eq!(c.claims[CUSTODY], json!([{"bsn": "111222333"}]));
    let issued = issue(&c);
    let (seen, _) = present_and_verify(&issued, &issued.sd);
    assert_eq!(seen[CUSTODY], json!([{"bsn": "111222333"}]));
}
