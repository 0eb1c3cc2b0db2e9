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
    let (code, stdout, _) = verifier(&["serve", "--help"]);
    assert_eq!(code, 0);
    for option in [
        "--listen",
        "REGIE_VERIFIER_LISTEN",
        "--public-url",
        "--relying-parties",
        "--trust-list",
        "--keep-results-hours",
        "REGIE_KEEP_RESULTS_HOURS",
    ] {
        assert!(stdout.contains(option), "{option}: {stdout}");
    }
}
