//! The service's command line (clap): a wrong option is named in a clear error and the
//! service does not start; --help lists every option with its environment variable.
use std::process::Command;

fn verifier(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_regie-verifier"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn wrong_options_are_named_and_nothing_starts() {
    for (args, named) in [
        (
            &["serve", "--keep-results-hours", "many"][..],
            "--keep-results-hours",
        ),
        (&["serve", "--listen"][..], "--listen"),
        (&["attest", "--party", "x"][..], "--anchor-key"),
        (&["serve", "--api-key", "k"][..], "--api-key"),
        // Not PostgreSQL: refused, never silently the embedded store instead.
        (
            &["serve", "--database-url", "sled:///var/lib/x"][..],
            "--database-url",
        ),
    ] {
        let (code, _, stderr) = verifier(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(named), "{args:?}: {stderr}");
    }
    // A file that is not there is named, with a non-zero exit.
    let (code, _, stderr) = verifier(&["serve", "--trust-anchor", "/nonexistent/anchor.jwk"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("/nonexistent/anchor.jwk"), "{stderr}");
}

#[test]
fn help_lists_the_options_and_their_environment() {
    let out = Command::new(env!("CARGO_BIN_EXE_regie-verifier"))
        .args(["serve", "--help"])
        .env(
            "REGIE_VERIFIER_DATABASE_URL",
            "postgres://regie:geheim@db/regie",
        )
        .output()
        .unwrap();
    let (code, stdout) = (out.status.code(), String::from_utf8_lossy(&out.stdout));
    assert_eq!(code, Some(0));
    assert!(
        !stdout.contains("geheim"),
        "the database URL's password is never shown"
    );
    for option in [
        "--listen",
        "REGIE_VERIFIER_LISTEN",
        "--public-url",
        "--relying-parties",
        "--trust-list",
        "--keep-results-hours",
        "REGIE_KEEP_RESULTS_HOURS",
        "--database-url",
        "REGIE_VERIFIER_DATABASE_URL",
    ] {
        assert!(stdout.contains(option), "{option}: {stdout}");
    }
}

/// `attest --response-uri` binds the party's answers to that address in its attestation.
#[test]
fn attest_binds_the_answer_address_when_asked() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = std::env::temp_dir().join(format!("regie-verifier-attest-{}", std::process::id()));
    let party = dir.join("woonstichting");
    std::fs::create_dir_all(&party).unwrap();
    for file in ["party.json", "request-key.jwk"] {
        std::fs::copy(
            root.join("fixtures/relying-parties/woonstichting")
                .join(file),
            party.join(file),
        )
        .unwrap();
    }
    let anchor_key = root.join("fixtures/demo/trust-anchor.private.jwk");
    let (code, _, stderr) = verifier(&[
        "attest",
        "--anchor-key",
        anchor_key.to_str().unwrap(),
        "--party",
        party.to_str().unwrap(),
        "--response-uri",
        "https://verifier.gemeente.example/response",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let anchor = protocol::jose::PublicJwk::from_json_value(
        &serde_json::from_str(
            &std::fs::read_to_string(root.join("fixtures/demo/trust-anchor.public.jwk")).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let registry = regie_verifier::registry::Registry::load(&dir, &anchor, now).unwrap();
    assert_eq!(
        registry.parties()[0].redirect_uris.as_deref(),
        Some(&["https://verifier.gemeente.example/response".to_owned()][..])
    );
    assert!(registry
        .check_answer_address("https://verifier.gemeente.example/response")
        .is_ok());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The example configuration in deploy/ names only real options: the service reads it and
/// stops only at the first file that is not on this machine; a typo would be named instead.
#[test]
fn the_deploy_example_config_is_read() {
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../deploy/verifier.toml.example"
    );
    let (code, _, stderr) = verifier(&["serve", "--config", example]);
    assert_ne!(code, 0);
    assert!(!stderr.contains("unknown setting"), "{stderr}");
    assert!(stderr.contains("/etc/regie/"), "{stderr}");
}
