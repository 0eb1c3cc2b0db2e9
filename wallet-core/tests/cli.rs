//! `regie-wallet` as a script uses it: real processes against the real issuer service and
//! a verifier on loopback; and crash safety: the process killed with SIGKILL at random
//! moments of `accept-offer` and `respond` never leaves a half-stored credential or a store
//! that will not open.
mod common;

use std::time::Duration;

use common::cli::*;
use common::*;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread")]
async fn cli_takes_an_offer_and_answers_requests() {
    let (issuer, scheme, _dir, cli) = setup().await;
    let c = cli.clone();
    let init = blocking(move || c.run(&["init"], &pin_line())).await;
    assert_eq!(init.code, 0, "{}", init.stderr);
    assert!(init.stdout.contains("Uw wallet is klaar"));
    let c = cli.clone();
    let again = blocking(move || c.run(&["init"], &pin_line())).await;
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);

    let (offer, _, _) = issuer.offer("woonhistorie", false).await;
    let c = cli.clone();
    let accepted = blocking(move || c.run(&["--json", "accept-offer", &offer], &pin_line())).await;
    assert_eq!(accepted.code, 0, "{}", accepted.stdout);
    let id = accepted.json()["credentials"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let c = cli.clone();
    let listed = blocking(move || c.run(&["--json", "list"], &pin_line())).await;
    assert_eq!(listed.json()["total"], 1);
    let c = cli.clone();
    let shown = blocking(move || c.run(&["--lang", "en", "show", &id], &pin_line())).await;
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert!(shown.stdout.contains("Addresses:"), "{}", shown.stdout);
    assert!(
        shown.stdout.contains("3 of 3 copies unused"),
        "{}",
        shown.stdout
    );

    let verifier = TestVerifier::start(&scheme.anchor, &housing_registration(), &issuer).await;
    let link = verifier.request(Some("aanvraag-medehuur"), housing_query(), &[]);
    let c = cli.clone();
    let l = link.clone();
    let assessed = blocking(move || c.run(&["assess", &l], &pin_line())).await;
    assert_eq!(assessed.code, 0, "{}", assessed.stderr);
    assert!(assessed.stdout.contains("Woonstichting Test (fictief)"));
    assert!(
        assessed.stdout.contains("Oordeel: in orde"),
        "{}",
        assessed.stdout
    );
    assert!(verifier.outcomes().is_empty(), "assess sends nothing");
    let c = cli.clone();
    let approved =
        blocking(move || c.run(&["--json", "respond", &link, "--approve"], &pin_line())).await;
    assert_eq!(approved.code, 0, "{} {}", approved.stdout, approved.stderr);
    assert!(matches!(verifier.outcomes()[0], Outcome::Verified { .. }));

    let denied_link = verifier.request(Some("aanvraag-medehuur"), housing_query(), &[]);
    let c = cli.clone();
    let denied = blocking(move || c.run(&["respond", &denied_link, "--deny"], &pin_line())).await;
    assert_eq!(denied.code, 0, "{}", denied.stderr);
    assert!(denied.stdout.contains("Geweigerd"));
    assert!(matches!(&verifier.outcomes()[1], Outcome::Error(e) if e == "access_denied"));

    let mut over = housing_query();
    over["credentials"][0]["claims"]
        .as_array_mut()
        .unwrap()
        .push(json!({"path": ["residents"]}));
    let over_link = verifier.request(Some("aanvraag-medehuur"), over, &[]);
    let c = cli.clone();
    let blocked = blocking(move || c.run(&["respond", &over_link, "--approve"], &pin_line())).await;
    assert_eq!(blocked.code, 1);
    assert!(blocked.stdout.contains("GEBLOKKEERD"), "{}", blocked.stdout);
    assert!(blocked.stderr.contains("blocked"), "{}", blocked.stderr);
    assert!(matches!(&verifier.outcomes()[2], Outcome::Error(e) if e == "access_denied"));

    let c = cli.clone();
    let history = blocking(move || c.run(&["--json", "history"], &pin_line())).await;
    let types: Vec<String> = history.json()["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(types, ["denied", "denied", "shared", "issued"]);
    let c = cli.clone();
    let sharing = blocking(move || c.run(&["sharing"], &pin_line())).await;
    assert!(
        sharing.stdout.contains("Woonstichting Test (fictief)"),
        "{}",
        sharing.stdout
    );
    let c = cli.clone();
    let out = cli.data_dir.with_file_name("export.json");
    // An existing file that everyone may read: the export must not keep its mode.
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(&out, "old").unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let o = out.clone();
    let exported =
        blocking(move || c.run(&["export", "--out", o.to_str().unwrap()], &pin_line())).await;
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    let export: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "an export is readable by its owner only");
    }
    assert_eq!(export["history"].as_array().unwrap().len(), 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn cli_history_and_sharing_show_the_signed_statement_in_regies_words() {
    let (issuer, scheme, _dir, cli) = setup().await;
    let c = cli.clone();
    assert_eq!(
        blocking(move || c.run(&["init"], &pin_line())).await.code,
        0
    );
    let (offer, _, _) = issuer.offer("uittreksel-brp", false).await;
    let c = cli.clone();
    let accepted = blocking(move || c.run(&["accept-offer", &offer], &pin_line())).await;
    assert_eq!(accepted.code, 0, "{}", accepted.stderr);
    let verifier = TestVerifier::start(&scheme.anchor, &housing_registration(), &issuer).await;
    let query = json!({"credentials": [{"id": "brp", "format": "dc+sd-jwt",
        "meta": {"vct_values": ["urn:regie:uittreksel-brp:1"]},
        "claims": [{"path": ["family_name"]}, {"path": ["address"]}]}]});
    let statement = json!({"type": "regie_toestemming_inschrijving", "credential_ids": ["brp"],
        "address": "Boterdiep 31, 3077AW Rotterdam", "new_resident": "J. Test",
        "date": "2027-01-15", "case_ref": "VH-2026-0042"});
    let link = verifier.request(Some("verklaring-inschrijving"), query, &[statement]);
    let c = cli.clone();
    let approved = blocking(move || c.run(&["respond", &link, "--approve"], &pin_line())).await;
    assert_eq!(approved.code, 0, "{} {}", approved.stdout, approved.stderr);

    let dutch = "U verklaarde: Ik woon op Boterdiep 31, 3077AW Rotterdam en geef toestemming dat \
                 J. Test zich vanaf 15 januari 2027 op mijn adres inschrijft. Zaaknummer: \
                 VH-2026-0042.";
    for command in ["history", "sharing"] {
        let c = cli.clone();
        let out = blocking(move || c.run(&[command], &pin_line())).await;
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stdout.contains(dutch), "{command}: {}", out.stdout);
        assert!(out.stdout.contains("Woonstichting Test (fictief)"));
    }
    let c = cli.clone();
    let english = blocking(move || c.run(&["--lang", "en", "history"], &pin_line())).await;
    assert!(
        english.stdout.contains(
            "You declared: I live at Boterdiep 31, 3077AW Rotterdam and consent to J. Test \
             registering at my address from 15 January 2027. Case number: VH-2026-0042."
        ),
        "{}",
        english.stdout
    );
    let c = cli.clone();
    let history = blocking(move || c.run(&["--json", "history"], &pin_line())).await;
    let signed = &history.json()["events"][0];
    assert_eq!(signed["type"], "statement_signed");
    assert_eq!(signed["statements"][0]["case_ref"], "VH-2026-0042");
    assert!(signed["statements"][0]["text"]
        .as_str()
        .is_some_and(|t| t.starts_with("Ik woon op Boterdiep 31")));
    let c = cli.clone();
    let sharing =
        blocking(move || c.run(&["--json", "--lang", "en", "sharing"], &pin_line())).await;
    let shown = &sharing.json()["sharing"][0]["statements"][0];
    assert_eq!(shown["name"], "Consent to registration at your address");
    assert!(shown["text"]
        .as_str()
        .is_some_and(|t| t.ends_with("Case number: VH-2026-0042.")));
}

#[tokio::test(flavor = "multi_thread")]
async fn cli_errors_are_clear_and_exit_non_zero() {
    let (_issuer, _scheme, _dir, cli) = setup().await;
    let c = cli.clone();
    let none = blocking(move || c.run(&["list"], &pin_line())).await;
    assert_eq!(none.code, 1);
    assert!(
        none.stderr.contains("no wallet here yet"),
        "{}",
        none.stderr
    );
    let c = cli.clone();
    let weak = blocking(move || c.run(&["init"], "123456\n")).await;
    assert_eq!(weak.code, 1);
    assert!(
        weak.stderr.contains("run such as 123456"),
        "{}",
        weak.stderr
    );
    let c = cli.clone();
    assert_eq!(
        blocking(move || c.run(&["init"], &pin_line())).await.code,
        0
    );

    for uri in [
        "not a uri",
        "openid-credential-offer://?credential_offer=%7B",
        "openid4vp://?client_id=x",
    ] {
        let c = cli.clone();
        let u = uri.to_owned();
        let r = blocking(move || c.run(&["--json", "accept-offer", &u], &pin_line())).await;
        assert_eq!(r.code, 1, "{uri}");
        assert_eq!(r.json()["error"], "invalid_offer", "{uri}");
        let c = cli.clone();
        let u = uri.to_owned();
        let r = blocking(move || c.run(&["--json", "respond", &u, "--deny"], &pin_line())).await;
        assert_eq!(r.code, 1, "{uri}");
        assert_eq!(r.json()["error"], "invalid_request", "{uri}");
    }

    // An extra CA that is not there, or not a certificate: named, and nothing opened.
    let not_pem = cli.data_dir.with_file_name("not-a-ca.pem");
    std::fs::write(&not_pem, "-----BEGIN NONSENSE-----\n").unwrap();
    for (file, expected) in [
        ("/nonexistent/ca.pem", "cannot read /nonexistent/ca.pem"),
        (not_pem.to_str().unwrap(), "not a PEM certificate file"),
    ] {
        let c = cli.clone();
        let f = file.to_owned();
        let r = blocking(move || c.run(&["--json", "--ca-cert", &f, "list"], &pin_line())).await;
        assert_eq!(r.code, 1, "{file}");
        assert_eq!(r.json()["error"], "ca_cert", "{file}");
        assert!(
            r.json()["message"].as_str().unwrap().contains(expected),
            "{file}: {}",
            r.stdout
        );
    }

    // Wrong PINs: counted across processes, then a wait that the next process honours.
    for expected in [
        "wrong PIN (1 wrong",
        "wrong PIN (2 wrong",
        "wrong PIN (3 wrong",
        "wait 60 seconds",
    ] {
        let c = cli.clone();
        let r = blocking(move || c.run(&["--lang", "en", "list"], "000001\n")).await;
        assert_eq!(r.code, 1);
        assert!(r.stderr.contains(expected), "{expected}: {}", r.stderr);
    }
    let c = cli.clone();
    let locked = blocking(move || c.run(&["list"], &pin_line())).await;
    assert_eq!(locked.code, 1);
    assert!(locked.stderr.contains("try again in"), "{}", locked.stderr);
    let c = cli.clone();
    let state = blocking(move || c.run(&["--json", "lock-status"], "")).await;
    assert_eq!(state.json()["failures"], 4);
    let c = cli.clone();
    let reset = blocking(move || c.run(&["reset"], "")).await;
    assert_eq!(reset.code, 1, "reset needs --yes");
    let c = cli.clone();
    assert_eq!(
        blocking(move || c.run(&["reset", "--yes"], "")).await.code,
        0
    );
}

fn check_consistent(cli: &Cli) -> (usize, usize, usize) {
    let listed = cli.run(&["--json", "list", "--limit", "500"], &pin_line());
    assert_eq!(
        listed.code, 0,
        "the store must open after a kill: {}",
        listed.stdout
    );
    let credentials = listed.json()["credentials"].as_array().unwrap().clone();
    for c in &credentials {
        assert_eq!(c["copies_total"], 3, "no half-stored credential");
    }
    let used: usize = credentials
        .iter()
        .map(|c| c["presentations"].as_u64().unwrap() as usize)
        .sum();
    let history = cli.run(&["--json", "history", "--limit", "500"], &pin_line());
    let events = history.json()["events"].as_array().unwrap().clone();
    let count = |t: &str| events.iter().filter(|e| e["type"] == t).count();
    assert_eq!(
        count("issued"),
        credentials.len(),
        "one event per stored credential"
    );
    (credentials.len(), used, count("shared"))
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_at_random_moments_the_store_stays_whole() {
    let (issuer, scheme, _dir, cli) = setup().await;
    let c = cli.clone();
    assert_eq!(
        blocking(move || c.run(&["init"], &pin_line())).await.code,
        0
    );
    let seed = env_number("REGIE_CRASH_SEED", now());
    eprintln!("crash test seed {seed} (set REGIE_CRASH_SEED to replay)");
    let mut rng = Lcg(seed);
    let rounds = env_number("REGIE_CRASH_ROUNDS", 12);

    // accept-offer: unlocking takes ~0.4 s, the exchange with the issuer a few ms; the kill
    // moments cover both.
    for _ in 0..rounds {
        let (offer, _, _) = issuer.offer("woonhistorie", false).await;
        let after = Duration::from_millis(250 + rng.next_ms(400));
        let c = cli.clone();
        blocking(move || c.run_killed(&["accept-offer", &offer], &pin_line(), after)).await;
        let c = cli.clone();
        blocking(move || check_consistent(&c)).await;
    }
    // Make sure there is something to present.
    let (offer, _, _) = issuer.offer("woonhistorie", false).await;
    let c = cli.clone();
    assert_eq!(
        blocking(move || c.run(&["accept-offer", &offer], &pin_line()))
            .await
            .code,
        0
    );

    let verifier = TestVerifier::start(&scheme.anchor, &housing_registration(), &issuer).await;
    for _ in 0..rounds {
        let link = verifier.request(Some("aanvraag-medehuur"), housing_query(), &[]);
        // respond unlocks, then confirms the PIN: ~0.8 s before anything is sent.
        let after = Duration::from_millis(600 + rng.next_ms(500));
        let c = cli.clone();
        blocking(move || c.run_killed(&["respond", &link, "--approve"], &pin_line(), after)).await;
        let c = cli.clone();
        let (_, used, shared) = blocking(move || check_consistent(&c)).await;
        let received = verifier
            .outcomes()
            .iter()
            .filter(|o| matches!(o, Outcome::Verified { .. }))
            .count();
        // A copy is marked used before it is sent, and logged after the verifier took it.
        assert_eq!(received, verifier.outcomes().len(), "every answer verified");
        assert!(
            shared <= received && received <= used,
            "shared {shared} received {received} used {used}: {}",
            cli.run(&["--json", "list"], &pin_line()).stdout
        );
    }
    let c = cli.clone();
    let (credentials, _, _) = blocking(move || check_consistent(&c)).await;
    assert!(credentials >= 1);
}
