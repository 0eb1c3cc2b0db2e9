//! The wallet keeps to the specifications where a review found it did not (issue 17 items 3,
//! 5 and 8; issue 16 item 8): what it refuses from an issuer, which request objects it
//! refuses, and which array positions it does not answer.
mod common;

use common::*;
use protocol::credential_types::WOONHISTORIE_VCT;
use serde_json::json;
use wallet_core::consent::Verdict;
use wallet_core::pin::Pin;
use wallet_core::UnlockedWallet;

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
        dir: TempDir::new("conformance"),
    }
}

impl World {
    fn new_wallet(&self) -> UnlockedWallet {
        open_wallet(&self.dir, &self.scheme)
            .init(&Pin::new(PIN))
            .unwrap()
    }
}

/// RFC 9901 §7.2: an SD-JWT+KB from the issuer is refused at issuance (it could never be
/// presented); so is a credential restricted to an audience (`aud`), which a wallet that
/// presents to any registered party cannot keep to. Nothing is stored.
#[tokio::test(flavor = "multi_thread")]
async fn issuer_key_binding_and_audience_are_refused_at_issuance() {
    let w = world().await;
    let wallet = w.new_wallet();
    for (tamper, reason) in [
        (Tamper::KeyBinding, "key binding"),
        (Tamper::Audience, "audience"),
    ] {
        w.issuer.set_tamper(tamper);
        let (offer, _, _) = w.issuer.offer("uittreksel-brp", false).await;
        let err = wallet.accept_offer(&offer, None).await.unwrap_err();
        assert_eq!(err.code(), "credential_rejected", "{tamper:?}: {err}");
        assert!(err.to_string().contains(reason), "{tamper:?}: {err}");
    }
    assert_eq!(wallet.credential_count(), 0);
    // The same offers untampered are accepted.
    w.issuer.set_tamper(Tamper::None);
    let (offer, _, _) = w.issuer.offer("uittreksel-brp", false).await;
    wallet.accept_offer(&offer, None).await.unwrap();
    assert_eq!(wallet.credential_count(), 1);
}

/// The request of `link` is refused with a reason naming `expected`; approving it is
/// blocked, and denying it notifies nobody. `case` names the request in failures.
async fn assert_blocked(
    wallet: &UnlockedWallet,
    link: &str,
    expected: &str,
    case: &dyn std::fmt::Debug,
) {
    let pending = wallet
        .assess_request(link, protocol::credential_types::Lang::Nl)
        .await
        .unwrap();
    match &pending.assessment.verdict {
        Verdict::UnknownParty { reason } => {
            assert!(reason.contains(expected), "{case:?}: {reason}")
        }
        other => panic!("{case:?}: expected a refusal, got {other:?}"),
    }
    assert_eq!(
        wallet.approve(&pending).await.unwrap_err().code(),
        "request_blocked"
    );
    assert!(!wallet.deny(&pending).await.unwrap().notified);
}

/// OpenID4VP 1.0: with `direct_post` a `redirect_uri` makes the request invalid
/// (`invalid_request`); the audience must be `https://self-issued.me/v2`; a request issued
/// long ago or valid for years is refused. Each is blocked and nothing is sent.
#[tokio::test(flavor = "multi_thread")]
async fn request_objects_breaking_openid4vp_rules_are_refused() {
    let w = world().await;
    let wallet = w.new_wallet();
    let (offer, _, _) = w.issuer.offer("woonhistorie", false).await;
    wallet.accept_offer(&offer, None).await.unwrap();
    let verifier = TestVerifier::start(&w.scheme.anchor, &housing_registration(), &w.issuer).await;
    let day = 86_400;
    let cases = [
        (
            json!({"redirect_uri": format!("{}/done", verifier.url)}),
            "invalid_request",
        ),
        (json!({"aud": "https://wallet.example"}), "aud"),
        (
            json!({"iat": now() - 300 * day, "exp": now() + 3650 * day}),
            "issued more than",
        ),
        (
            json!({"iat": now(), "exp": now() + 3650 * day}),
            "valid for longer",
        ),
    ];
    for (changes, expected) in cases {
        let link = verifier.request_changed(
            Some("aanvraag-medehuur"),
            housing_query(),
            &[],
            changes.clone(),
        );
        assert_blocked(&wallet, &link, expected, &changes).await;
    }
    assert!(verifier.outcomes().is_empty());
    // The same request as the verifier signs it is answered.
    let link = verifier.request(Some("aanvraag-medehuur"), housing_query(), &[]);
    let pending = wallet
        .assess_request(&link, protocol::credential_types::Lang::Nl)
        .await
        .unwrap();
    assert_eq!(pending.assessment.verdict, Verdict::Ok);
}

/// OpenID4VP 1.0 §5.9.3: when the party's attestation names `redirect_uris`, a request
/// signed with the attested key but sending the answer to another address is blocked, and
/// nothing is sent anywhere; the request with the attested address is answered.
#[tokio::test(flavor = "multi_thread")]
async fn an_answer_address_outside_the_attestation_is_blocked() {
    let w = world().await;
    let wallet = w.new_wallet();
    let (offer, _, _) = w.issuer.offer("woonhistorie", false).await;
    wallet.accept_offer(&offer, None).await.unwrap();
    let verifier =
        TestVerifier::start_bound(&w.scheme.anchor, &housing_registration(), &w.issuer).await;
    for elsewhere in [
        // Its own per-request address: not the one attested.
        None,
        Some("https://collector.example/response".to_owned()),
        Some(format!(
            "{}?copy=https://collector.example",
            verifier.bound_address()
        )),
    ] {
        let link = match &elsewhere {
            None => verifier.request(Some("aanvraag-medehuur"), housing_query(), &[]),
            Some(uri) => verifier.request_changed(
                Some("aanvraag-medehuur"),
                housing_query(),
                &[],
                json!({ "response_uri": uri }),
            ),
        };
        assert_blocked(&wallet, &link, "response_uri", &elsewhere).await;
    }
    assert!(verifier.outcomes().is_empty(), "nothing was sent");
    let link = verifier.request_changed(
        Some("aanvraag-medehuur"),
        housing_query(),
        &[],
        json!({ "response_uri": verifier.bound_address() }),
    );
    let pending = wallet
        .assess_request(&link, protocol::credential_types::Lang::Nl)
        .await
        .unwrap();
    assert_eq!(pending.assessment.verdict, Verdict::Ok);
}

/// The address history's elements are selectively disclosable, so an integer index into
/// it names no issued element for the verifier: the wallet does not answer it (the verifier
/// would refuse it), while `null` ("every address") is answered as before.
#[tokio::test(flavor = "multi_thread")]
async fn array_positions_in_disclosable_lists_are_not_answered() {
    let w = world().await;
    let wallet = w.new_wallet();
    let (offer, _, _) = w.issuer.offer("woonhistorie", false).await;
    wallet.accept_offer(&offer, None).await.unwrap();
    let verifier = TestVerifier::start(&w.scheme.anchor, &housing_registration(), &w.issuer).await;
    let by_index = json!({"credentials": [{"id": "woon", "format": "dc+sd-jwt",
        "meta": {"vct_values": [WOONHISTORIE_VCT]},
        "claims": [{"path": ["family_name"]}, {"path": ["addresses", 0]}]}]});
    let link = verifier.request(Some("aanvraag-medehuur"), by_index, &[]);
    let pending = wallet
        .assess_request(&link, protocol::credential_types::Lang::Nl)
        .await
        .unwrap();
    assert!(
        matches!(pending.assessment.verdict, Verdict::Missing { .. }),
        "{:?}",
        pending.assessment.verdict
    );
    assert!(wallet.approve(&pending).await.is_err());
    assert!(verifier.outcomes().is_empty());

    let link = verifier.request(Some("aanvraag-medehuur"), housing_query(), &[]);
    let pending = wallet
        .assess_request(&link, protocol::credential_types::Lang::Nl)
        .await
        .unwrap();
    assert_eq!(pending.assessment.verdict, Verdict::Ok);
    wallet.approve(&pending).await.unwrap();
    assert!(matches!(verifier.outcomes()[0], Outcome::Verified { .. }));
}
