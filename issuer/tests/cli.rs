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

/// A configuration file fills in what neither a flag nor the environment gave; a typo in it
/// is named and nothing starts.
#[test]
fn a_config_file_sets_options_below_flags_and_environment() {
    let dir = std::env::temp_dir().join(format!("regie-issuer-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let file = dir.join("issuer.toml");
    std::fs::write(
        &file,
        format!(
            "listen = \"127.0.0.1:{port}\"\npublic-url = \"https://uit-bestand.example\"\n\
             data-dir = \"{}\"\nbatch-size = 3\n",
            dir.join("data").display()
        ),
    )
    .unwrap();
    let metadata = |env_url: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_regie-issuer"));
        command
            .args(["serve", "--config"])
            .arg(&file)
            .env_remove("REGIE_ISSUER_PUBLIC_URL")
            .env_remove("REGIE_ISSUER_LISTEN")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        if let Some(url) = env_url {
            command.env("REGIE_ISSUER_PUBLIC_URL", url);
        }
        let mut child = command.spawn().unwrap();
        let url = format!("http://127.0.0.1:{port}/.well-known/openid-credential-issuer");
        let mut body = None;
        for _ in 0..100 {
            if let Ok(text) = plain_http::get(&url) {
                body = Some(text);
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        body.expect("the issuer started on the file's address")
    };
    assert!(metadata(None).contains("\"credential_issuer\":\"https://uit-bestand.example\""));
    // The environment beats the file.
    assert!(metadata(Some("https://uit-omgeving.example"))
        .contains("\"credential_issuer\":\"https://uit-omgeving.example\""));

    std::fs::write(&file, "lissen = \"127.0.0.1:1\"\n").unwrap();
    let (code, _, stderr) = issuer(&["serve", "--config", file.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("unknown setting `lissen`"), "{stderr}");
    std::fs::write(&file, "batch-size = 99\n").unwrap();
    let (code, _, stderr) = issuer(&["serve", "--config", file.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("batch-size"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

mod plain_http {
    /// A GET over a plain socket (this test has no async runtime).
    pub fn get(url: &str) -> std::io::Result<String> {
        use std::io::{Read, Write};
        let rest = url.strip_prefix("http://").unwrap_or(url);
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let mut stream = std::net::TcpStream::connect(host)?;
        write!(stream, "GET /{path} HTTP/1.0\r\nHost: {host}\r\n\r\n")?;
        let mut text = String::new();
        stream.read_to_string(&mut text)?;
        Ok(text)
    }
}

/// The example configuration in deploy/ names only real options: the service reads it and
/// stops only at the first file that is not on this machine; a typo would be named instead.
#[test]
fn the_deploy_example_config_is_read() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/issuer.toml.example");
    let (code, _, stderr) = issuer(&["serve", "--config", example]);
    assert_ne!(code, 0);
    assert!(!stderr.contains("unknown setting"), "{stderr}");
    assert!(stderr.contains("/etc/regie/"), "{stderr}");
}
