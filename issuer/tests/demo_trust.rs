//! The shipped demo trust list works out of the box, and the signing tool makes lists that
//! verify.
use std::path::PathBuf;
use std::process::Command;

use protocol::credential_types::{UITTREKSEL_BRP_VCT, WOONHISTORIE_VCT};
use protocol::jose::PublicJwk;
use protocol::trust::TrustList;
use regie_issuer::keys::read_key;

fn demo(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/demo")
        .join(file)
}

fn anchor_public() -> PublicJwk {
    let text = std::fs::read_to_string(demo("trust-anchor.public.jwk")).unwrap();
    PublicJwk::from_json_value(&serde_json::from_str(&text).unwrap()).unwrap()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn shipped_demo_trust_list_lists_the_demo_issuer() {
    let jwt = std::fs::read_to_string(demo("trust-list.jwt")).unwrap();
    let list = TrustList::verify(jwt.trim(), &anchor_public(), now()).unwrap();
    let issuer = read_key(&demo("issuer.private.jwk")).unwrap();
    let listed = list
        .issuer_key("http://127.0.0.1:8701", issuer.kid())
        .expect("demo issuer key on the list");
    assert!(listed.same_key(issuer.public_jwk()));
    assert!(list.may_issue("http://127.0.0.1:8701", UITTREKSEL_BRP_VCT));
    assert!(list.may_issue("http://127.0.0.1:8701", WOONHISTORIE_VCT));
    // Still valid for years, so the demo does not silently expire.
    assert!(list.expires_at() > now() + 5 * 365 * 86_400);
    // The anchor's private and public files are the same key.
    let anchor = read_key(&demo("trust-anchor.private.jwk")).unwrap();
    assert!(anchor.public_jwk().same_key(&anchor_public()));
}

fn issuer_cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_regie-issuer"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn trust_list_tool_signs_a_verifiable_list() {
    let out = issuer_cli(&[
        "trust-list",
        "--anchor-key",
        demo("trust-anchor.private.jwk").to_str().unwrap(),
        "--issuers",
        demo("trust-list.issuers.json").to_str().unwrap(),
        "--valid-days",
        "2",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let jwt = String::from_utf8(out.stdout).unwrap();
    let list = TrustList::verify(jwt.trim(), &anchor_public(), now()).unwrap();
    assert_eq!(list.issuers().len(), 1);
    assert!(list.expires_at() <= now() + 2 * 86_400);
}

#[test]
fn tool_errors_are_clear_and_fail() {
    let out = issuer_cli(&["trust-list", "--issuers", "x.json"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--anchor-key"));
    let out = issuer_cli(&[
        "trust-list",
        "--anchor-key",
        "/nonexistent.jwk",
        "--issuers",
        "x",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent.jwk"));
    let out = issuer_cli(&["frobnicate"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("frobnicate"));
}

#[test]
fn public_key_is_created_once_per_data_dir() {
    let dir = std::env::temp_dir().join(format!("regie-issuer-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let first = issuer_cli(&["public-key", "--data-dir", dir.to_str().unwrap()]);
    let second = issuer_cli(&["public-key", "--data-dir", dir.to_str().unwrap()]);
    assert!(first.status.success());
    assert_eq!(first.stdout, second.stdout);
    let jwk: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert!(jwk.get("d").is_none(), "private part printed");
    assert!(PublicJwk::from_json_value(&jwk).is_ok());
    std::fs::remove_dir_all(&dir).unwrap();
}
