//! The wallet end to end over loopback HTTP: the real issuer service fills it, a verifier
//! asks, the consent engine judges, and what the verifier receives is checked in full.
mod common;

use common::*;
use protocol::credential_types::{Lang, WOONHISTORIE_VCT};
use protocol::sd_jwt::UnverifiedSdJwt;
use serde_json::{json, Value};
use wallet_core::consent::Verdict;
use wallet_core::credentials::CredentialStatus;
use wallet_core::history::{DenyReason, EventKind};
use wallet_core::pin::Pin;
use wallet_core::{UnlockedWallet, WalletError};

struct World {
    issuer: TestIssuer,
    scheme: Scheme,
    dir: TempDir,
}

async fn world() -> World {
    let issuer = TestIssuer::start().await;
    let scheme = Scheme::new(&issuer);
    World {
        issuer,
        scheme,
        dir: TempDir::new("flows"),
    }
}

impl World {
    fn new_wallet(&self) -> UnlockedWallet {
        open_wallet(&self.dir, &self.scheme)
            .init(&Pin::new(PIN))
            .unwrap()
    }

    async fn filled_wallet(&self, kind: &str) -> UnlockedWallet {
        let wallet = self.new_wallet();
        let (offer, _, _) = self.issuer.offer(kind, false).await;
        wallet.accept_offer(&offer, None).await.unwrap();
        wallet
    }

    async fn housing(&self) -> TestVerifier {
        TestVerifier::start(&self.scheme.anchor, &housing_registration(), &self.issuer).await
    }
}

fn verified_claims(outcome: &Outcome) -> &Value {
    match outcome {
        Outcome::Verified { claims, .. } => claims,
        other => panic!("expected a verified presentation, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn issued_credential_is_shared_with_exactly_what_was_asked() {
    let w = world().await;
    let wallet = w.filled_wallet("woonhistorie").await;
    let list = wallet.credentials(None, 20).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].vct, WOONHISTORIE_VCT);
    assert_eq!((list[0].copies_total, list[0].copies_left), (3, 3));
    assert_eq!(list[0].issuer_name_nl, "Gemeente Test");

    let verifier = w.housing().await;
    let link = verifier.request(Some("aanvraag-medehuur"), housing_query(), &[]);
    let pending = wallet.assess_request(&link, Lang::Nl).await.unwrap();
    let a = &pending.assessment;
    assert_eq!(a.verdict, Verdict::Ok);
    assert_eq!(
        a.party.as_ref().unwrap().legal_name,
        "Woonstichting Test (fictief)"
    );
    assert_eq!(a.purpose.as_ref().unwrap().name, "Aanvraag medehuur");
    let labels: Vec<&str> = a.attributes.iter().map(|x| x.label.as_str()).collect();
    assert_eq!(
        labels,
        ["Voornamen", "Achternaam", "Geboortedatum", "Adressen"]
    );
    assert!(a.attributes.iter().all(|x| !x.value.is_empty()));
    assert!(a.shared_before.is_none());

    let answered = wallet.approve(&pending).await.unwrap();
    assert!(answered.notified);
    let outcomes = verifier.outcomes();
    let claims = &verified_claims(&outcomes[0])["woon"];
    let held = &wallet.credentials(None, 1).unwrap()[0].claims;
    let mut names: Vec<&String> = claims.as_object().unwrap().keys().collect();
    names.sort();
    assert_eq!(
        names,
        ["addresses", "birthdate", "family_name", "given_name"]
    );
    assert_eq!(claims["addresses"], held["addresses"]);
    assert!(held.get("residents").is_some(), "not asked, so not shared");

    let after = wallet.credentials(None, 1).unwrap();
    assert_eq!(after[0].copies_left, 2);
    assert_eq!(after[0].presentations, 1);
    let history = wallet.history(None, 10).unwrap();
    assert!(
        matches!(&history[0].kind, EventKind::Shared { party, .. } if party.legal_name.contains("Woonstichting"))
    );
    assert!(matches!(
        &history[1].kind,
        EventKind::Issued { copies: 3, .. }
    ));
    let overview = wallet.sharing_overview().unwrap();
    assert_eq!(overview.len(), 1);
    assert_eq!(overview[0].attributes.len(), 4);

    // Asked again: the wallet says it shared before.
    let again = verifier.request(Some("aanvraag-medehuur"), housing_query(), &[]);
    let pending = wallet.assess_request(&again, Lang::Nl).await.unwrap();
    assert_eq!(pending.assessment.shared_before.as_ref().unwrap().times, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_verifiers_cannot_link_two_presentations() {
    let w = world().await;
    let wallet = w.filled_wallet("woonhistorie").await;
    let a = w.housing().await;
    let b = w.housing().await;
    for v in [&a, &b] {
        let link = v.request(Some("aanvraag-medehuur"), housing_query(), &[]);
        let pending = wallet.assess_request(&link, Lang::Nl).await.unwrap();
        wallet.approve(&pending).await.unwrap();
    }
    let raw = |o: &Outcome| match o {
        Outcome::Verified { presentations, .. } => presentations[0].clone(),
        other => panic!("{other:?}"),
    };
    let (pa, pb) = (raw(&a.outcomes()[0]), raw(&b.outcomes()[0]));
    let parts = |p: &str| -> (String, Vec<String>, Value) {
        let parsed = UnverifiedSdJwt::parse(p).unwrap();
        let jwt = p.split('~').next().unwrap().to_owned();
        // `<jwt>~<d1>~…~<dn>~<kb-jwt>`: the disclosures sit between the first and the last.
        let sections: Vec<&str> = p.split('~').collect();
        let disclosures: Vec<String> = sections[1..sections.len() - 1]
            .iter()
            .map(|d| (*d).to_owned())
            .collect();
        assert_eq!(disclosures.len(), parsed.disclosure_count());
        let claims: Value = parsed.issuer_jws().claims_unverified().unwrap();
        (jwt, disclosures, claims)
    };
    let (ja, da, ca) = parts(&pa);
    let (jb, db, cb) = parts(&pb);
    let sig = |jwt: &str| jwt.rsplit('.').next().unwrap().to_owned();
    assert_ne!(sig(&ja), sig(&jb), "issuer signatures differ");
    assert_ne!(ca["cnf"], cb["cnf"], "holder keys differ");
    assert_ne!(ca["status"], cb["status"], "status list indices differ");
    let digests = |c: &Value| -> Vec<String> {
        c["_sd"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_owned())
            .collect()
    };
    assert!(
        digests(&ca).iter().all(|d| !digests(&cb).contains(d)),
        "no digest in common"
    );
    assert!(
        da.iter().all(|d| !db.contains(d)),
        "no disclosure (salt) in common"
    );
    // One copy left after two shares: fresh copies were fetched.
    assert_eq!(wallet.credentials(None, 1).unwrap()[0].copies_left, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn deny_tells_the_verifier_and_logs_without_values() {
    let w = world().await;
    let wallet = w.filled_wallet("woonhistorie").await;
    let verifier = w.housing().await;
    let link = verifier.request(Some("aanvraag-medehuur"), housing_query(), &[]);
    let pending = wallet.assess_request(&link, Lang::Nl).await.unwrap();
    let answered = wallet.deny(&pending).await.unwrap();
    assert!(answered.notified);
    assert!(matches!(&verifier.outcomes()[0], Outcome::Error(e) if e == "access_denied"));
    let event = &wallet.history(None, 1).unwrap()[0];
    assert!(matches!(
        &event.kind,
        EventKind::Denied {
            reason: DenyReason::Citizen,
            party: Some(_),
            ..
        }
    ));
    let logged = serde_json::to_string(event).unwrap();
    let family = wallet.credentials(None, 1).unwrap()[0].claims["family_name"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!logged.contains(&family), "a denial holds no values");
    assert_eq!(
        wallet.credentials(None, 1).unwrap()[0].copies_left,
        3,
        "nothing used"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn over_asking_is_blocked_and_nothing_is_sent() {
    let w = world().await;
    let wallet = w.filled_wallet("woonhistorie").await;
    let verifier = w.housing().await;
    let mut query = housing_query();
    query["credentials"][0]["claims"]
        .as_array_mut()
        .unwrap()
        .push(json!({"path": ["residents"]}));
    let link = verifier.request(Some("aanvraag-medehuur"), query, &[]);
    let pending = wallet.assess_request(&link, Lang::Nl).await.unwrap();
    match &pending.assessment.verdict {
        Verdict::OverAsking { not_allowed } => {
            assert_eq!(not_allowed.len(), 1);
            assert_eq!(not_allowed[0].label, "Bewoners op het huidige adres");
        }
        other => panic!("expected over-asking, got {other:?}"),
    }
    let err = wallet.approve(&pending).await.unwrap_err();
    assert_eq!(err.code(), "request_blocked");
    assert!(verifier.outcomes().is_empty(), "nothing sent on approve");
    wallet.deny(&pending).await.unwrap();
    assert!(matches!(&verifier.outcomes()[0], Outcome::Error(e) if e == "access_denied"));
    assert!(matches!(
        &wallet.history(None, 1).unwrap()[0].kind,
        EventKind::Denied {
            reason: DenyReason::OverAsking,
            ..
        }
    ));

    // A purpose the party is not registered for is over-asking too.
    let link = verifier.request(Some("marketing"), housing_query(), &[]);
    let pending = wallet.assess_request(&link, Lang::Nl).await.unwrap();
    assert_eq!(pending.assessment.verdict.code(), "over_asking");
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_party_is_blocked_and_not_contacted() {
    let w = world().await;
    let wallet = w.filled_wallet("woonhistorie").await;
    let rogue_anchor = protocol::jose::SigningKey::generate();
    let rogue = TestVerifier::start(&rogue_anchor, &housing_registration(), &w.issuer).await;
    let link = rogue.request(Some("aanvraag-medehuur"), housing_query(), &[]);
    let pending = wallet.assess_request(&link, Lang::Nl).await.unwrap();
    assert_eq!(pending.assessment.verdict.code(), "unknown_party");
    assert!(pending.assessment.party.is_none());
    assert!(pending.assessment.attributes.is_empty());
    assert_eq!(
        wallet.approve(&pending).await.unwrap_err().code(),
        "request_blocked"
    );
    let answered = wallet.deny(&pending).await.unwrap();
    assert!(!answered.notified);
    assert!(rogue.outcomes().is_empty());
    assert!(matches!(
        &wallet.history(None, 1).unwrap()[0].kind,
        EventKind::Denied {
            reason: DenyReason::UnknownParty,
            party: None,
            ..
        }
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_credential_says_where_to_get_it() {
    let w = world().await;
    let wallet = w.filled_wallet("uittreksel-brp").await;
    let verifier = w.housing().await;
    let link = verifier.request(Some("aanvraag-medehuur"), housing_query(), &[]);
    let pending = wallet.assess_request(&link, Lang::Nl).await.unwrap();
    match &pending.assessment.verdict {
        Verdict::Missing { types } => {
            assert_eq!(types[0].vct, WOONHISTORIE_VCT);
            assert_eq!(
                types[0].where_to_get,
                [(w.issuer.url.clone(), "Gemeente Test".to_owned())]
            );
        }
        other => panic!("expected missing, got {other:?}"),
    }
    assert_eq!(
        wallet.approve(&pending).await.unwrap_err().code(),
        "missing_credential"
    );
    assert!(verifier.outcomes().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn tampered_credentials_from_the_issuer_are_refused() {
    let w = world().await;
    let wallet = w.new_wallet();
    for tamper in [Tamper::Disclosure, Tamper::Signature] {
        w.issuer.set_tamper(tamper);
        let (offer, _, _) = w.issuer.offer("uittreksel-brp", false).await;
        let err = wallet.accept_offer(&offer, None).await.unwrap_err();
        assert_eq!(err.code(), "credential_rejected", "{tamper:?}: {err}");
    }
    assert_eq!(wallet.credential_count(), 0);
    assert!(wallet.history(None, 10).unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn offers_by_reference_and_with_tx_code() {
    let w = world().await;
    let wallet = w.new_wallet();
    let (_, by_reference, _) = w.issuer.offer("woonhistorie", false).await;
    wallet.accept_offer(&by_reference, None).await.unwrap();
    let (offer, _, code) = w.issuer.offer("uittreksel-brp", true).await;
    assert_eq!(
        wallet.accept_offer(&offer, None).await.unwrap_err().code(),
        "tx_code_required"
    );
    let err = wallet
        .accept_offer(&offer, Some("000000"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "remote_error", "{err}");
    // A wrong code spends the offer at this issuer; a new offer with the right code works.
    let (offer, _, code2) = w.issuer.offer("uittreksel-brp", true).await;
    let _ = code;
    wallet.accept_offer(&offer, code2.as_deref()).await.unwrap();
    assert_eq!(wallet.credential_count(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_offers_and_requests_change_nothing() {
    let w = world().await;
    let wallet = w.new_wallet();
    let untrusted = protocol::oid4vci::CredentialOffer {
        credential_issuer: "https://evil.example".into(),
        credential_configuration_ids: vec!["uittreksel-brp".into()],
        grants: Default::default(),
    }
    .to_uri();
    let long = format!(
        "openid-credential-offer://?credential_offer={}",
        "a".repeat(70_000)
    );
    for (uri, code) in [
        ("", "invalid_offer"),
        ("https://example.com", "invalid_offer"),
        (
            "openid-credential-offer://?credential_offer=%7Bnot-json",
            "invalid_offer",
        ),
        (
            "openid-credential-offer://?credential_offer_uri=http://evil.example/o",
            "invalid_offer",
        ),
        (long.as_str(), "invalid_offer"),
        (untrusted.as_str(), "untrusted_issuer"),
    ] {
        let err = wallet.accept_offer(uri, None).await.unwrap_err();
        assert_eq!(err.code(), code, "{uri:.60}: {err}");
    }
    for (uri, code) in [
        ("openid4vp://?client_id=x", "invalid_request"),
        (
            "openid4vp://?client_id=x&request_uri=http://evil.example/r",
            "invalid_request",
        ),
        ("openid-credential-offer://?x=1", "invalid_request"),
        (
            "openid4vp://?client_id=x&request_uri=http://127.0.0.1:1/r",
            "network",
        ),
    ] {
        let err = match wallet.assess_request(uri, Lang::Nl).await {
            Err(e) => e,
            Ok(_) => panic!("{uri} was accepted"),
        };
        assert_eq!(err.code(), code, "{uri}: {err}");
    }
    assert_eq!(wallet.credential_count(), 0);
    assert!(wallet.history(None, 10).unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn revoked_credential_is_outdated_and_never_presented() {
    let w = world().await;
    let wallet = w.filled_wallet("woonhistorie").await;
    let report = wallet.refresh_status().await.unwrap();
    assert_eq!((report.checked, report.revoked.len()), (1, 0));
    w.issuer.record_move().await;
    let report = wallet.refresh_status().await.unwrap();
    assert_eq!(report.revoked.len(), 1);
    let c = &wallet.credentials(None, 1).unwrap()[0];
    assert_eq!(c.status, CredentialStatus::Revoked);
    assert!(matches!(
        &wallet.history(None, 1).unwrap()[0].kind,
        EventKind::Revoked { .. }
    ));
    let verifier = w.housing().await;
    let link = verifier.request(Some("aanvraag-medehuur"), housing_query(), &[]);
    let pending = wallet.assess_request(&link, Lang::Nl).await.unwrap();
    assert_eq!(pending.assessment.verdict.code(), "missing");
    // Renewing fetches the issuer's current data: the new address.
    let renewed = wallet.renew(&c.id).await.unwrap();
    assert_eq!(renewed.id, c.id);
    assert_eq!(renewed.status, CredentialStatus::Valid);
    assert!(renewed.claims["addresses"]
        .to_string()
        .contains("Nieuwe Gracht"));
    assert!(matches!(
        &wallet.history(None, 1).unwrap()[0].kind,
        EventKind::Renewed { copies: 3, .. }
    ));
    let pending = wallet
        .assess_request(
            &verifier.request(Some("aanvraag-medehuur"), housing_query(), &[]),
            Lang::Nl,
        )
        .await
        .unwrap();
    assert_eq!(pending.assessment.verdict, Verdict::Ok);
}

#[tokio::test(flavor = "multi_thread")]
async fn pin_change_reset_and_history_survive_restarts() {
    let w = world().await;
    {
        let mut wallet = w.filled_wallet("woonhistorie").await;
        wallet
            .change_pin(&Pin::new(PIN), &Pin::new("918273"))
            .unwrap();
        assert!(matches!(
            wallet.change_pin(&Pin::new("918273"), &Pin::new("111111")),
            Err(WalletError::PinRule(_))
        ));
    }
    let wallet = open_wallet(&w.dir, &w.scheme);
    assert_eq!(
        wallet.unlock(&Pin::new(PIN)).err().map(|e| e.code()),
        Some("wrong_pin")
    );
    let unlocked = wallet.unlock(&Pin::new("918273")).unwrap();
    assert_eq!(unlocked.credential_count(), 1);
    let events = unlocked.history(None, 10).unwrap();
    assert!(matches!(events[0].kind, EventKind::PinChanged));
    assert!(matches!(events[1].kind, EventKind::Issued { .. }));
    // Paging: the second page starts after the first.
    let page2 = unlocked.history(Some(events[0].id), 10).unwrap();
    assert_eq!(page2[0], events[1]);
    let export = wallet_core::wallet::export_json(&unlocked.export().unwrap());
    assert_eq!(export["credentials"].as_array().unwrap().len(), 1);
    assert_eq!(export["history"].as_array().unwrap().len(), 2);
    assert!(
        !export.to_string().contains("holder_key"),
        "no keys in an export"
    );
    drop(unlocked);
    wallet.reset().unwrap();
    assert!(!wallet.is_initialised().unwrap());
    assert_eq!(
        wallet.unlock(&Pin::new("918273")).err().map(|e| e.code()),
        Some("not_initialised")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn copies_running_low_are_renewed_with_new_keys() {
    let w = world().await;
    let wallet = w.filled_wallet("woonhistorie").await;
    let verifier = w.housing().await;
    let mut holder_keys = Vec::new();
    for _ in 0..4 {
        let link = verifier.request(Some("aanvraag-medehuur"), housing_query(), &[]);
        let pending = wallet.assess_request(&link, Lang::Nl).await.unwrap();
        assert!(!pending.assessment.linkable);
        wallet.approve(&pending).await.unwrap();
    }
    for o in verifier.outcomes() {
        let Outcome::Verified { presentations, .. } = o else {
            panic!("{o:?}")
        };
        let parsed = UnverifiedSdJwt::parse(&presentations[0]).unwrap();
        let claims: Value = parsed.issuer_jws().claims_unverified().unwrap();
        holder_keys.push(claims["cnf"].to_string());
    }
    holder_keys.sort();
    holder_keys.dedup();
    assert_eq!(holder_keys.len(), 4, "four presentations, four keys");
    // 3 copies: after every second share one is left, so 3 fresh ones were fetched.
    let c = &wallet.credentials(None, 1).unwrap()[0];
    assert_eq!((c.copies_total, c.copies_left), (3, 3));
    let renewals = wallet
        .history(None, 50)
        .unwrap()
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Renewed { .. }))
        .count();
    assert_eq!(renewals, 2);
    assert_eq!(
        wallet.credential_count(),
        1,
        "renewal replaces, it does not add"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn expired_credential_is_marked_and_logged() {
    let w = world().await;
    let clock = std::sync::Arc::new(wallet_core::clock::ManualClock::new(now()));
    let mut config = wallet_config(&w.dir, &w.scheme);
    config.clock = clock.clone();
    let wallet = wallet_core::Wallet::open(config)
        .unwrap()
        .init(&Pin::new(PIN))
        .unwrap();
    let (offer, _, _) = w.issuer.offer("uittreksel-brp", false).await;
    wallet.accept_offer(&offer, None).await.unwrap();
    assert!(wallet.refresh_status().await.unwrap().expired.is_empty());
    clock.advance(366 * 86_400);
    let report = wallet.refresh_status().await.unwrap();
    assert_eq!(report.expired.len(), 1);
    let c = &wallet.credentials(None, 1).unwrap()[0];
    assert_eq!(c.status, CredentialStatus::Expired);
    assert!(!c.usable());
    assert!(matches!(
        &wallet.history(None, 1).unwrap()[0].kind,
        EventKind::Expired { .. }
    ));
    // Checked once: a second refresh does not log it again.
    assert_eq!(wallet.refresh_status().await.unwrap().checked, 0);
}
