//! The service's command line (clap): a wrong option is named in a clear error and the
//! service does not start; --help lists every option with its environment variable.
use std::process::Command;

fn issuer(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_regie-issuer"))
        .args(args)
        .env_remove("REGIE_ISSUER_VERIFIER_URL")
        .env_remove("REGIE_ISSUER_VERIFIER_PARTY")
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
        (&["serve", "--batch-size", "99"][..], "--batch-size"),
        (&["serve", "--batch-size", "0"][..], "--batch-size"),
        (
            &["serve", "--verifier-url", "https://v.example"][..],
            "--verifier-party",
        ),
        (&["serve", "--port", "1"][..], "--port"),
        (&["trust-list", "--issuers", "x.json"][..], "--anchor-key"),
        (&["bake"][..], "bake"),
        // Not PostgreSQL: refused, never silently the embedded store instead.
        (
            &["serve", "--database-url", "sled:///var/lib/x"][..],
            "--database-url",
        ),
    ] {
        let (code, _, stderr) = issuer(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(named), "{args:?}: {stderr}");
    }
}

#[test]
fn help_lists_the_options_and_their_environment() {
    let out = Command::new(env!("CARGO_BIN_EXE_regie-issuer"))
        .args(["serve", "--help"])
        .env(
            "REGIE_ISSUER_DATABASE_URL",
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
        "--database-url",
        "REGIE_ISSUER_DATABASE_URL",
        "--listen",
        "REGIE_ISSUER_LISTEN",
        "--public-url",
        "--data-dir",
        "REGIE_ISSUER_DATA_DIR",
        "--batch-size",
        "--verifier-party",
        "REGIE_ISSUER_VERIFIER_PARTY",
    ] {
        assert!(stdout.contains(option), "{option}: {stdout}");
    }
    let (code, stdout, _) = issuer(&["persons"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("999993653"), "the test persons are listed");
}
