//! Backup and restore to a new device, through the real `regie-wallet` and the real issuer:
//! the backup holds no key and no copy, a refused code or file changes nothing, and the
//! restored wallet answers a verifier with credentials issued again to its own keys.
mod common;

use common::cli::*;
use common::*;
use data_encoding::BASE32_NOPAD;
use serde_json::Value;
use wallet_core::backup::{file, RecoveryCode};

/// The holder key (`cnf.jwk`) a presentation was made with.
fn holder_key(presentation: &str) -> Value {
    let jws =
        protocol::jose::UnverifiedJws::parse(presentation.split('~').next().unwrap()).unwrap();
    jws.claims_object_unverified().unwrap()["cnf"]["jwk"].clone()
}

fn presented(outcome: &Outcome) -> &str {
    match outcome {
        Outcome::Verified { presentations, .. } => &presentations[0],
        other => panic!("expected a verified answer, got {other:?}"),
    }
}

/// A code with the same backup id as `code` but another secret (and a valid check byte):
/// what a citizen would have with a code that is not this backup's.
fn same_id_other_secret(code: &str) -> String {
    let mut bytes = BASE32_NOPAD
        .decode(code.replace('-', "").as_bytes())
        .unwrap();
    bytes[5] ^= 0x55;
    let n = bytes.len();
    bytes[n - 1] = protocol::jose::sha256(&bytes[..n - 1])[0];
    BASE32_NOPAD.encode(&bytes)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_restores_on_a_new_device_with_its_own_keys() {
    let (issuer, scheme, dir, old) = setup().await;
    let run = |cli: &std::sync::Arc<Cli>, args: Vec<String>, stdin: String| {
        let cli = cli.clone();
        async move {
            blocking(move || {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                cli.run(&args, &stdin)
            })
            .await
        }
    };
    let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();

    // The old device: a credential, shared once with the housing corporation.
    assert_eq!(run(&old, args(&["init"]), pin_line()).await.code, 0);
    let (offer, _, _) = issuer.offer("woonhistorie", false).await;
    let accepted = run(&old, args(&["--json", "accept-offer", &offer]), pin_line()).await;
    assert_eq!(accepted.code, 0, "{}", accepted.stdout);
    let old_id = accepted.json()["credentials"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let verifier = TestVerifier::start(&scheme.anchor, &housing_registration(), &issuer).await;
    let link = verifier.request(Some("aanvraag-medehuur"), housing_query(), &[]);
    let answered = run(&old, args(&["respond", "--approve", &link]), pin_line()).await;
    assert_eq!(answered.code, 0, "{}", answered.stderr);

    // The backup: its code is printed once, the file is owner-only.
    let backup_path = dir.0.join("regie.backup");
    let path = backup_path.to_str().unwrap().to_owned();
    let made = run(
        &old,
        args(&["--json", "backup", "--out", &path]),
        pin_line(),
    )
    .await;
    assert_eq!(made.code, 0, "{}", made.stderr);
    let code = made.json()["recovery_code"].as_str().unwrap().to_owned();
    assert_eq!(made.json()["credentials"], 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup_path)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "backup readable by others: {mode:o}");
    }
    let bytes = std::fs::read(&backup_path).unwrap();
    // What the file holds, opened as the restore opens it: no keys and no copies.
    let (plain, _) = file::open(&RecoveryCode::parse(&code).unwrap(), &bytes).unwrap();
    let plain = String::from_utf8(plain.to_vec()).unwrap();
    let issuer_signed = presented(&verifier.outcomes()[0])
        .split('~')
        .next()
        .unwrap()
        .to_owned();
    for absent in ["holder_key", "sd_jwt", "\"d\"", issuer_signed.as_str()] {
        assert!(!plain.contains(absent), "{absent} in the backup");
    }
    assert!(plain.contains("refresh"), "no refresh token in the backup");
    // A second backup has a code of its own.
    let other = run(
        &old,
        args(&["--json", "backup", "--out", &format!("{path}.2")]),
        pin_line(),
    )
    .await;
    let other_code = other.json()["recovery_code"].as_str().unwrap().to_owned();
    assert_ne!(other_code, code);

    // The new device. Every refusal is clear and leaves no wallet behind.
    let new = std::sync::Arc::new(Cli {
        data_dir: dir.0.join("new-wallet"),
        anchor: old.anchor.clone(),
        trust_list: old.trust_list.clone(),
    });
    let tampered_path = dir.0.join("tampered.backup");
    let mut envelope: Value = serde_json::from_slice(&bytes).unwrap();
    let sealed = envelope["sealed"].as_str().unwrap().to_owned();
    let flipped = if sealed.ends_with('A') { 'B' } else { 'A' };
    envelope["sealed"] = Value::String(format!("{}{flipped}", &sealed[..sealed.len() - 1]));
    std::fs::write(&tampered_path, serde_json::to_vec(&envelope).unwrap()).unwrap();
    let header_path = dir.0.join("header.backup");
    let mut envelope: Value = serde_json::from_slice(&bytes).unwrap();
    envelope["created_at"] = Value::from(envelope["created_at"].as_u64().unwrap() - 3600);
    std::fs::write(&header_path, serde_json::to_vec(&envelope).unwrap()).unwrap();
    let text_path = dir.0.join("notes.txt");
    std::fs::write(&text_path, "boodschappen: melk, brood").unwrap();
    let typo = format!(
        "{}{}",
        if code.starts_with('A') { "C" } else { "A" },
        &code[1..]
    );
    for (file, code, error) in [
        (path.as_str(), typo.as_str(), "backup_code_malformed"),
        (path.as_str(), "", "backup_code_malformed"),
        (
            path.as_str(),
            other_code.as_str(),
            "backup_code_of_another_backup",
        ),
        (
            path.as_str(),
            &same_id_other_secret(&code),
            "backup_wrong_code",
        ),
        (
            tampered_path.to_str().unwrap(),
            code.as_str(),
            "backup_damaged",
        ),
        (
            header_path.to_str().unwrap(),
            code.as_str(),
            "backup_damaged",
        ),
        (
            text_path.to_str().unwrap(),
            code.as_str(),
            "backup_not_a_backup",
        ),
    ] {
        let refused = run(
            &new,
            args(&["--json", "restore", file]),
            format!("{PIN}\n{code}\n"),
        )
        .await;
        assert_eq!(refused.code, 1, "{file} {code}: {}", refused.stdout);
        assert_eq!(refused.json()["error"], error, "{file} {code}");
        let status = run(&new, args(&["--json", "list"]), pin_line()).await;
        assert_eq!(status.json()["error"], "not_initialised", "{file} {code}");
    }

    // The right code, typed in lower case with spaces: restored with a new PIN.
    let typed = code.to_lowercase().replace('-', " ");
    let restored = run(
        &new,
        args(&["--json", "restore", &path]),
        format!("{PIN}\n{typed}\n"),
    )
    .await;
    assert_eq!(restored.code, 0, "{} {}", restored.stdout, restored.stderr);
    let report = restored.json();
    assert_eq!(report["restored"].as_array().unwrap().len(), 1, "{report}");
    assert_eq!(
        report["not_restored"].as_array().unwrap().len(),
        0,
        "{report}"
    );
    let listed = run(&new, args(&["--json", "list"]), pin_line())
        .await
        .json();
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["credentials"][0]["copies_left"], 3, "{listed}");
    let sharing = run(&new, args(&["--json", "sharing"]), pin_line())
        .await
        .json();
    assert!(sharing.to_string().contains("Woonstichting"), "{sharing}");
    let history = run(
        &new,
        args(&["--json", "history", "--limit", "50"]),
        pin_line(),
    )
    .await
    .json()
    .to_string();
    for kind in ["\"issued\"", "\"shared\"", "\"restored\""] {
        assert!(history.contains(kind), "{kind} missing: {history}");
    }
    // Making a backup is in the old device's history (after what the backup holds).
    let old_history = run(&old, args(&["--json", "history"]), pin_line())
        .await
        .json();
    assert_eq!(
        old_history["events"][0]["type"], "backup_made",
        "{old_history}"
    );

    // The restored wallet answers, with a key of its own.
    let link = verifier.request(Some("aanvraag-medehuur"), housing_query(), &[]);
    let answered = run(&new, args(&["respond", "--approve", &link]), pin_line()).await;
    assert_eq!(answered.code, 0, "{}", answered.stderr);
    let outcomes = verifier.outcomes();
    assert_ne!(
        holder_key(presented(&outcomes[0])),
        holder_key(presented(&outcomes[1]))
    );

    // A second restore into the filled wallet is refused; the old device's refresh token is
    // spent (its copies still work until they expire).
    let again = run(
        &new,
        args(&["--json", "restore", &path]),
        format!("{PIN}\n{code}\n"),
    )
    .await;
    assert_eq!(again.json()["error"], "backup_wallet_not_empty");
    let renew_old = run(&old, args(&["--json", "renew", &old_id]), pin_line()).await;
    assert_eq!(renew_old.code, 1, "{}", renew_old.stdout);
}
