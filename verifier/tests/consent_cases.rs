//! The municipality's consent cases over the real services: the issuer's portal and desk,
//! its cases asking through the verifier's session API as the party `gemeente`, and real
//! wallets of the BRP test persons answering. The den Braber household (Gerrit and Wilma,
//! custodians of Zoey, 2018, and Alexander, 2009, at Schakelstraat 14 H, 1014AW Amsterdam)
//! and Peter-Jan van der Meijden (alone at Goudsesingel 72, 3011KD Rotterdam) are the
//! households; Suzanne Moulin and Auke Postma live elsewhere.
mod common;

use common::*;
use protocol::credential_types::Lang;
use serde_json::{json, Value};
use wallet_core::UnlockedWallet;

const GERRIT: &str = "999994542";
const WILMA: &str = "999993112";
const ZOEY: &str = "999995807";
const ALEXANDER: &str = "999995832";
const AUKE: &str = "999996320";
const PETER_JAN: &str = "999993872";
const SUZANNE: &str = BSN;

/// `name=value` of the cookie a login set.
struct Portal<'a> {
    w: &'a World,
    cookie: String,
}

impl World {
    async fn portal_login(&self, bsn: &str) -> Portal<'_> {
        let r = browser()
            .post(format!("{}/inloggen", self.issuer_url))
            .form(&[("bsn", bsn)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        Portal {
            w: self,
            cookie: cookie_of(&r),
        }
    }

    async fn clerk_login(&self) -> Portal<'_> {
        let r = browser()
            .post(format!("{}/balie/inloggen", self.issuer_url))
            .form(&[("token", ADMIN)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "the back-office token logs a clerk in");
        Portal {
            w: self,
            cookie: cookie_of(&r),
        }
    }

    /// The case as the back-office API shows it (its sessions' outcomes taken in).
    async fn case(&self, case_ref: &str) -> Value {
        self.http
            .get(format!("{}/api/cases/{case_ref}", self.issuer_url))
            .bearer_auth(ADMIN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn submit_statement(&self, case_ref: &str, file: &Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!(
                "{}/api/cases/{case_ref}/statements",
                self.issuer_url
            ))
            .bearer_auth(ADMIN)
            .json(file)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    async fn credentials_of(&self, bsn: &str) -> Vec<Value> {
        let v: Value = self
            .http
            .get(format!("{}/api/persons/{bsn}/credentials", self.issuer_url))
            .bearer_auth(ADMIN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["credentials"].as_array().unwrap().clone()
    }
}

impl Portal<'_> {
    async fn get(&self, path: &str) -> (u16, String) {
        let r = browser()
            .get(format!("{}{path}", self.w.issuer_url))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Posts a form; (status, redirect target, body).
    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, String, String) {
        let r = browser()
            .post(format!("{}{path}", self.w.issuer_url))
            .header("cookie", &self.cookie)
            .form(form)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, location, r.text().await.unwrap())
    }
}

fn in_a_week() -> String {
    protocol::dates::iso_date(now() + 7 * 86_400)
}

/// The case reference in a redirect to its page.
fn case_ref_in(location: &str) -> String {
    location
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

/// The `href` of the element with `id` on a page.
fn href_of(html: &str, id: &str) -> String {
    let marker = format!(r#"id="{id}" href=""#);
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("{id} on the page"))
        + marker.len();
    html[at..at + html[at..].find('"').unwrap()].replace("&amp;", "&")
}

/// The share link on the applicant's page.
fn share_link_on(html: &str) -> String {
    href_of(html, "deel-link")
}

/// Suzanne reports a move to the den Braber household's address.
async fn report_move<'a>(w: &'a World) -> (Portal<'a>, String) {
    let suzanne = w.portal_login(SUZANNE).await;
    let date = in_a_week();
    let (status, location, _) = suzanne
        .post(
            "/mijn/verhuizen",
            &[
                ("postcode", "1014 aw"),
                ("huisnummer", "14"),
                ("datum", &date),
            ],
        )
        .await;
    assert_eq!(status, 303, "one dwelling at the number: the case starts");
    let case_ref = case_ref_in(&location);
    assert!(case_ref.starts_with("VH-"), "{case_ref}");
    (suzanne, case_ref)
}

async fn answer(wallet: &UnlockedWallet, link: &str) -> wallet_core::presentation::PendingRequest {
    wallet.assess_request(link, Lang::Nl).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_main_occupant_consents_to_a_move_and_the_move_is_recorded() {
    let w = World::start().await;
    let mover = w.wallet(&["uittreksel-brp"]).await;
    let (suzanne, case_ref) = report_move(&w).await;
    let (status, page) = suzanne.get(&format!("/mijn/verhuizen/{case_ref}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("wacht op toestemming"), "{page}");
    assert!(page.contains("Schakelstraat 14 H, 1014AW Amsterdam"));
    let share = share_link_on(&page);
    assert!(share.starts_with(&format!("{}/toestemming/", w.issuer_url)));
    // Another citizen cannot see Suzanne's case.
    let auke = w.portal_login(AUKE).await;
    let (status, _) = auke.get(&format!("/mijn/verhuizen/{case_ref}")).await;
    assert_eq!(status, 404);

    // Gerrit opens the shared link and answers with his wallet.
    let (status, consent_page) = browser_get(&share).await;
    assert_eq!(status, 200);
    assert!(consent_page.contains("Suzanne Moulin wil zich inschrijven op Schakelstraat 14 H"));
    let gerrit = w.wallet_for(GERRIT, &["uittreksel-brp"]).await;
    let pending = answer(&gerrit, &link_on_page(&consent_page)).await;
    let shown = &pending.assessment.statements[0];
    assert!(
        shown.text.contains("Schakelstraat 14 H, 1014AW Amsterdam")
            && shown.text.contains("Suzanne Moulin"),
        "{}",
        shown.text
    );
    gerrit.approve(&pending).await.unwrap();

    let case = w.case(&case_ref).await;
    assert_eq!(case["state"], "complete", "{case}");
    assert_eq!(case["consents"][0]["by"]["bsn"], GERRIT);
    // The move is processed: the old address-bearing credentials are revoked…
    let credentials = w.credentials_of(SUZANNE).await;
    assert!(!credentials.is_empty() && credentials.iter().all(|c| c["revoked"] == true));
    // … and renewal brings the new address into Suzanne's wallet.
    let old = mover.credentials(None, 10).unwrap()[0].id.clone();
    let renewed = mover.renew(&old).await.unwrap();
    let address = renewed.claims["address"].to_string();
    assert!(address.contains("Schakelstraat"), "{address}");
    let (_, page) = suzanne.get(&format!("/mijn/verhuizen/{case_ref}")).await;
    assert!(page.contains("Uw verhuizing is verwerkt"));

    // The statement is kept with the case and re-verifies later.
    let file = &case["consents"][0]["statement"];
    let r: Value = w
        .http
        .post(format!("{}/api/statements/verify", w.verifier_url))
        .json(file)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["valid"], true, "{r}");
    assert_eq!(r["statements"][0]["entry"]["case_ref"], case_ref.as_str());
}

async fn browser_get(url: &str) -> (u16, String) {
    let r = browser().get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_minor_or_someone_living_elsewhere_cannot_consent_and_a_decline_moves_nothing() {
    let w = World::start().await;
    w.wallet(&["uittreksel-brp"]).await;
    let (suzanne, case_ref) = report_move(&w).await;
    let (_, page) = suzanne.get(&format!("/mijn/verhuizen/{case_ref}")).await;
    let share = share_link_on(&page);
    for (bsn, reason) in [
        (ZOEY, "minor"),
        (AUKE, "not_at_address"),
        (SUZANNE, "not_at_address"),
    ] {
        let (_, consent_page) = browser_get(&share).await;
        let wallet = w.wallet_for(bsn, &["uittreksel-brp"]).await;
        let pending = answer(&wallet, &link_on_page(&consent_page)).await;
        wallet.approve(&pending).await.unwrap();
        let case = w.case(&case_ref).await;
        assert_eq!(case["state"], "waiting", "{bsn}: {case}");
        let refused = case["refused"].as_array().unwrap();
        assert_eq!(refused.last().unwrap()["reason"], reason, "{bsn}");
        assert!(case["consents"].as_array().unwrap().is_empty());
    }
    let (_, page) = suzanne.get(&format!("/mijn/verhuizen/{case_ref}")).await;
    assert!(page.contains("jonger dan 18"), "the applicant sees why");
    assert!(w
        .credentials_of(SUZANNE)
        .await
        .iter()
        .all(|c| c["revoked"] == false));

    // Wilma declines in her wallet: "geweigerd", and nothing moves.
    let (_, consent_page) = browser_get(&share).await;
    let wilma = w.wallet_for(WILMA, &["uittreksel-brp"]).await;
    let pending = answer(&wilma, &link_on_page(&consent_page)).await;
    wilma.deny(&pending).await.unwrap();
    let case = w.case(&case_ref).await;
    assert_eq!(case["state"], "declined", "{case}");
    let (_, page) = suzanne.get(&format!("/mijn/verhuizen/{case_ref}")).await;
    assert!(page.contains("geweigerd"));
    assert!(w
        .credentials_of(SUZANNE)
        .await
        .iter()
        .all(|c| c["revoked"] == false));
    // A late consent on a declined case counts for nothing.
    let (status, _) = browser_get(&share).await;
    assert_eq!(status, 200, "the link still says what happened");
    let file = &w.case(&case_ref).await["refused"];
    assert!(file.is_array());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_move_to_a_one_person_household_and_a_move_to_ones_own_address() {
    let w = World::start().await;
    let auke = w.portal_login(AUKE).await;
    let date = in_a_week();
    let (status, location, _) = auke
        .post(
            "/mijn/verhuizen",
            &[
                ("postcode", "3011KD"),
                ("huisnummer", "72"),
                ("datum", &date),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let case_ref = case_ref_in(&location);
    let (_, page) = auke.get(&format!("/mijn/verhuizen/{case_ref}")).await;
    let peter_jan = w.wallet_for(PETER_JAN, &["uittreksel-brp"]).await;
    let pending = answer(&peter_jan, &link_on_page(&page)).await;
    peter_jan.approve(&pending).await.unwrap();
    assert_eq!(w.case(&case_ref).await["state"], "complete");

    // Reporting a move to where one lives already, a date far off, an unknown address.
    let gerrit = w.portal_login(GERRIT).await;
    let (status, _, page) = gerrit
        .post(
            "/mijn/verhuizen",
            &[
                ("postcode", "1014AW"),
                ("huisnummer", "14"),
                ("datum", &date),
            ],
        )
        .await;
    assert_eq!(status, 409);
    assert!(page.contains("al op dit adres"));
    let far = protocol::dates::iso_date(now() + 90 * 86_400);
    let (status, _, page) = gerrit
        .post(
            "/mijn/verhuizen",
            &[
                ("postcode", "3011KD"),
                ("huisnummer", "72"),
                ("datum", &far),
            ],
        )
        .await;
    assert_eq!(status, 400);
    assert!(page.contains("4 weken"));
    for (pc, nr) in [("9999ZZ", "1"), ("1014AW", "abc"), ("<script>", "1")] {
        let (status, _, page) = gerrit
            .post(
                "/mijn/verhuizen",
                &[("postcode", pc), ("huisnummer", nr), ("datum", &date)],
            )
            .await;
        assert_eq!(status, 400, "{pc} {nr}");
        assert!(!page.contains("<script>"), "typed text is escaped");
    }
}

/// Starts a passport case for Zoey at the desk with Gerrit there; returns the case ref.
async fn zoey_at_the_desk(w: &World, document: &str) -> String {
    let clerk = w.clerk_login().await;
    let (status, location, _) = clerk
        .post(
            "/balie/reisdocument",
            &[("kind", ZOEY), ("document", document)],
        )
        .await;
    assert_eq!(status, 303);
    let case_ref = case_ref_in(&location);
    let (status, _, _) = clerk
        .post(
            &format!("/balie/zaak/{case_ref}/aan-de-balie"),
            &[("bsn", GERRIT)],
        )
        .await;
    assert_eq!(status, 303);
    case_ref
}

#[tokio::test(flavor = "multi_thread")]
async fn both_custodians_consent_to_a_childs_passport_showing_only_that_child() {
    let w = World::start().await;
    let case_ref = zoey_at_the_desk(&w, "paspoort").await;
    let clerk = w.clerk_login().await;
    let (_, page) = clerk.get(&format!("/balie/zaak/{case_ref}")).await;
    assert!(page.contains("Gerrit den Braber") && page.contains("Wilma van Zon"));
    assert!(page.contains("aan de balie") && page.contains("wacht op toestemming"));
    assert!(page.contains("/toestemming/"), "a link to print for Wilma");
    // The clerk finds the case by the child.
    let (_, found) = clerk.get(&format!("/balie?zoek={ZOEY}")).await;
    assert!(found.contains(&case_ref));

    // Wilma consents from the portal, picking Zoey from her own record.
    let wilma = w.portal_login(WILMA).await;
    let (_, form) = wilma.get("/mijn/reisdocument-kind").await;
    assert!(form.contains("Zoey") && form.contains("Alexander"));
    let (status, location, _) = wilma
        .post(
            "/mijn/reisdocument-kind",
            &[("kind", ZOEY), ("document", "paspoort")],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(case_ref_in(&location), case_ref, "the open case is found");
    let (_, page) = wilma
        .get(&format!("/mijn/reisdocument-kind/{case_ref}"))
        .await;
    let wallet = w.wallet_for(WILMA, &["uittreksel-brp"]).await;
    let pending = answer(&wallet, &link_on_page(&page)).await;
    assert!(pending.assessment.statements[0].text.contains("Zoey"));
    wallet.approve(&pending).await.unwrap();

    let case = w.case(&case_ref).await;
    assert_eq!(case["state"], "complete", "{case}");
    // Only Zoey's custody element was shown, not Alexander's.
    let file = &case["consents"][0]["statement"];
    let r: Value = w
        .http
        .post(format!("{}/api/statements/verify", w.verifier_url))
        .json(file)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["valid"], true);
    assert_eq!(r["signer"]["custody"], json!([{"bsn": ZOEY}]), "{r}");
    let (_, page) = clerk.get(&format!("/balie/zaak/{case_ref}")).await;
    assert!(page.contains("Alle toestemming is binnen"));
    let (status, download) = clerk
        .get(&format!("/balie/zaak/{case_ref}/verklaring/0"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Value>(&download).unwrap(), *file);
}

#[tokio::test(flavor = "multi_thread")]
async fn travel_document_refusals_change_nothing() {
    let w = World::start().await;
    let clerk = w.clerk_login().await;
    // Alexander (17) needs no consent for an identity card: the desk says so.
    let (status, _, page) = clerk
        .post(
            "/balie/reisdocument",
            &[("kind", ALEXANDER), ("document", "identiteitskaart")],
        )
        .await;
    assert_eq!(status, 409);
    assert!(page.contains("geen toestemming nodig"), "{page}");
    // An adult is not a child under custody.
    let (status, _, _) = clerk
        .post(
            "/balie/reisdocument",
            &[("kind", GERRIT), ("document", "paspoort")],
        )
        .await;
    assert_eq!(status, 409);
    // Not a custodian: Auke cannot start or answer a case for Zoey.
    let auke = w.portal_login(AUKE).await;
    let (status, _, _) = auke
        .post(
            "/mijn/reisdocument-kind",
            &[("kind", ZOEY), ("document", "paspoort")],
        )
        .await;
    assert_eq!(status, 409);

    let case_ref = zoey_at_the_desk(&w, "paspoort").await;
    let (_, page) = clerk.get(&format!("/balie/zaak/{case_ref}")).await;
    let share = href_of(&page, "toestemming-link");
    // Auke's wallet has no custody of Zoey to show: it cannot answer at all.
    let (_, consent_page) = browser_get(&share).await;
    let auke_wallet = w.wallet_for(AUKE, &["uittreksel-brp"]).await;
    let pending = answer(&auke_wallet, &link_on_page(&consent_page)).await;
    assert!(auke_wallet.approve(&pending).await.is_err());
    // Gerrit was at the desk: his consent is not needed and not counted.
    let gerrit = w.wallet_for(GERRIT, &["uittreksel-brp"]).await;
    let (_, consent_page) = browser_get(&share).await;
    let pending = answer(&gerrit, &link_on_page(&consent_page)).await;
    gerrit.approve(&pending).await.unwrap();
    let case = w.case(&case_ref).await;
    assert_eq!(case["state"], "waiting");
    assert_eq!(
        case["refused"].as_array().unwrap().last().unwrap()["reason"],
        "at_the_desk"
    );

    // A genuine statement of another case (Zoey's identity card) is refused here…
    let other = zoey_at_the_desk(&w, "identiteitskaart").await;
    let wilma = w.wallet_for(WILMA, &["uittreksel-brp"]).await;
    let (_, page) = clerk.get(&format!("/balie/zaak/{other}")).await;
    let other_share = href_of(&page, "toestemming-link");
    let (_, consent_page) = browser_get(&other_share).await;
    let pending = answer(&wilma, &link_on_page(&consent_page)).await;
    wilma.approve(&pending).await.unwrap();
    let other_case = w.case(&other).await;
    assert_eq!(other_case["state"], "complete");
    let file = other_case["consents"][0]["statement"].clone();
    let (status, body) = w.submit_statement(&case_ref, &file).await;
    assert_eq!((status, body["error"].as_str()), (409, Some("other_case")));
    // … a changed one does not verify…
    let mut changed = file.clone();
    changed["transaction_data"][0]["case_ref"] = json!(case_ref);
    let (status, body) = w.submit_statement(&case_ref, &changed).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("not_verified"))
    );
    // … and the same statement twice counts once.
    let (status, body) = w.submit_statement(&other, &file).await;
    assert_eq!((status, body["error"].as_str()), (409, Some("closed")));
    assert_eq!(w.case(&case_ref).await["consents"], json!([]));

    // After 14 days the case has expired: no more requests, no more consents.
    w.clock.advance(15 * 86_400);
    let (status, page) = browser_get(&share).await;
    assert_eq!(status, 200);
    assert!(page.contains("verlopen"));
    assert!(
        !page.contains("openid4vp://"),
        "no request for an expired case"
    );
    let (status, body) = w.submit_statement(&case_ref, &file).await;
    assert_eq!((status, body["error"].as_str()), (409, Some("expired")));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_desk_and_the_case_api_need_the_back_office_token() {
    let w = World::start().await;
    let r = browser()
        .post(format!("{}/balie/inloggen", w.issuer_url))
        .form(&[("token", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = browser()
        .post(format!("{}/balie/reisdocument", w.issuer_url))
        .form(&[("kind", ZOEY), ("document", "paspoort")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "no case without a clerk");
    let r = w
        .http
        .get(format!("{}/api/cases", w.issuer_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // A made-up share link finds nothing.
    let (status, _) =
        browser_get(&format!("{}/toestemming/{}", w.issuer_url, "A".repeat(43))).await;
    assert_eq!(status, 404);
}
