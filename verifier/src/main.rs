//! `regie-verifier`: the relying parties' service.
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use protocol::jose::{PublicJwk, SigningKey};
use protocol::trust::{issue_attestation, AttestationContent, Registration};
use regie_verifier::clock::{Clock, SystemClock};
use regie_verifier::image_pool::ImagePool;
use regie_verifier::registry::Registry;
use regie_verifier::service::{router, Verifier};
use regie_verifier::sessions::Sessions;
use regie_verifier::status_cache::StatusCache;

const HELP: &str = "\
regie-verifier — the relying parties' service of Regie

Usage:
  regie-verifier serve [--listen ADDR] [--public-url URL] [--data-dir DIR]
                       [--relying-parties DIR] [--trust-anchor FILE] [--trust-list FILE]
                                    run the session API, the OpenID4VP endpoints, the
                                    document validator and the demo relying-party pages
  regie-verifier attest --anchor-key FILE --party DIR [--valid-days N]
                                    sign DIR/party.json's registration as a verifier
                                    attestation (DIR/attestation.jwt), creating the party's
                                    request key DIR/request-key.jwk if absent
  regie-verifier --help

Options (defaults; environment variables in brackets):
  --listen ADDR            127.0.0.1:8702 [REGIE_VERIFIER_LISTEN]
  --public-url URL         http://127.0.0.1:8702 [REGIE_VERIFIER_PUBLIC_URL]: in request
                           URIs, response URIs and QR codes
  --data-dir DIR           data/verifier [REGIE_VERIFIER_DATA_DIR]: sessions (sled)
  --relying-parties DIR    fixtures/relying-parties [REGIE_VERIFIER_PARTIES]: one
                           directory per party (party.json with its API key,
                           request-key.jwk, attestation.jwt)
  --trust-anchor FILE      fixtures/demo/trust-anchor.public.jwk [REGIE_TRUST_ANCHOR]
  --trust-list FILE        fixtures/demo/trust-list.jwt [REGIE_TRUST_LIST]
  --keep-results-hours N   24 [REGIE_KEEP_RESULTS_HOURS]: a session and its verified
                           claims are removed N hours after its time to answer ends

The demo parties' API keys are in fixtures/relying-parties/*/party.json (demo only).";

struct Options(HashMap<String, String>);

impl Options {
    fn parse(args: &[String], known: &[&str]) -> Result<Options, String> {
        let mut map = HashMap::new();
        let mut it = args.iter();
        while let Some(name) = it.next() {
            if !known.contains(&name.as_str()) {
                return Err(format!("unknown option {name:?}; see --help"));
            }
            let value = it.next().ok_or_else(|| format!("{name} needs a value"))?;
            map.insert(name.clone(), value.clone());
        }
        Ok(Options(map))
    }

    fn get(&self, name: &str, env: &str, default: &str) -> String {
        self.0
            .get(name)
            .cloned()
            .or_else(|| std::env::var(env).ok())
            .unwrap_or_else(|| default.to_owned())
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(&args[1..]).await,
        Some("attest") => attest(&args[1..]),
        Some("--help" | "-h" | "help") | None => {
            println!("{HELP}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command {other:?}; see --help")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("regie-verifier: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: &[String]) -> Result<(), String> {
    regie_ops::init_from_env().map_err(|e| e.to_string())?;
    let o = Options::parse(
        args,
        &[
            "--listen",
            "--public-url",
            "--data-dir",
            "--relying-parties",
            "--trust-anchor",
            "--trust-list",
            "--keep-results-hours",
        ],
    )?;
    // A day by default: long enough for a party's back-end (and the municipality's case
    // service) to collect a result, short enough that the verifier is no archive of
    // citizens' data.
    let keep_hours: u64 = o
        .get("--keep-results-hours", "REGIE_KEEP_RESULTS_HOURS", "24")
        .parse()
        .map_err(|_| "--keep-results-hours must be a whole number of hours")?;
    let listen = o.get("--listen", "REGIE_VERIFIER_LISTEN", "127.0.0.1:8702");
    let public_url = o
        .get(
            "--public-url",
            "REGIE_VERIFIER_PUBLIC_URL",
            "http://127.0.0.1:8702",
        )
        .trim_end_matches('/')
        .to_owned();
    let data_dir = PathBuf::from(o.get("--data-dir", "REGIE_VERIFIER_DATA_DIR", "data/verifier"));
    let parties = PathBuf::from(o.get(
        "--relying-parties",
        "REGIE_VERIFIER_PARTIES",
        "fixtures/relying-parties",
    ));
    let anchor_text = read(Path::new(&o.get(
        "--trust-anchor",
        "REGIE_TRUST_ANCHOR",
        "fixtures/demo/trust-anchor.public.jwk",
    )))?;
    let anchor_json: serde_json::Value =
        serde_json::from_str(&anchor_text).map_err(|e| format!("trust anchor: {e}"))?;
    let anchor =
        PublicJwk::from_json_value(&anchor_json).map_err(|e| format!("trust anchor: {e}"))?;
    let trust_list_jwt = read(Path::new(&o.get(
        "--trust-list",
        "REGIE_TRUST_LIST",
        "fixtures/demo/trust-list.jwt",
    )))?
    .trim()
    .to_owned();
    let clock = Arc::new(SystemClock);
    protocol::trust::TrustList::verify(&trust_list_jwt, &anchor, clock.now())
        .map_err(|e| format!("trust list: {e}"))?;
    let registry = Registry::load(&parties, &anchor, clock.now()).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&data_dir).map_err(|e| {
        format!(
            "cannot create the data directory {}: {e}",
            data_dir.display()
        )
    })?;
    let sessions = Sessions::open(&data_dir.join("sessions")).map_err(|e| e.to_string())?;
    let allow_http_loopback =
        public_url.starts_with("http://127.0.0.1") || public_url.starts_with("http://localhost");
    let verifier = Arc::new(Verifier {
        public_url: public_url.clone(),
        registry,
        sessions,
        trust_anchor: anchor,
        trust_list_jwt,
        status: StatusCache::new(allow_http_loopback),
        clock,
        images: ImagePool::for_cores(
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
        ),
    });
    let weak = Arc::downgrade(&verifier);
    regie_ops::housekeeping::every(std::time::Duration::from_secs(60), "sessions", move || {
        let verifier = weak.upgrade()?;
        let now = verifier.clock.now();
        Some(
            verifier
                .sessions
                .purge(now, keep_hours.saturating_mul(3600)),
        )
    });
    let names: Vec<&str> = verifier
        .registry
        .parties()
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    tracing::info!(
        "listening on {listen}, public URL {public_url}, relying parties: {}",
        names.join(", ")
    );
    axum::serve(listener, router(verifier))
        .with_graceful_shutdown(regie_ops::shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}

fn attest(args: &[String]) -> Result<(), String> {
    let o = Options::parse(args, &["--anchor-key", "--party", "--valid-days"])?;
    let anchor_path = o.0.get("--anchor-key").ok_or("--anchor-key is required")?;
    let dir = PathBuf::from(o.0.get("--party").ok_or("--party is required")?);
    let days: u64 = o
        .get("--valid-days", "REGIE_ATTEST_DAYS", "365")
        .parse()
        .map_err(|_| "--valid-days must be a number")?;
    let anchor_json: serde_json::Value =
        serde_json::from_str(&read(Path::new(anchor_path))?).map_err(|e| e.to_string())?;
    let anchor = SigningKey::from_private_jwk(&anchor_json).map_err(|e| e.to_string())?;
    let party: serde_json::Value =
        serde_json::from_str(&read(&dir.join("party.json"))?).map_err(|e| e.to_string())?;
    let client_id = party["client_id"]
        .as_str()
        .ok_or("party.json needs client_id")?;
    let registration: Registration = serde_json::from_value(party["registration"].clone())
        .map_err(|e| format!("party.json registration: {e}"))?;
    let key_path = dir.join("request-key.jwk");
    let request_key = if key_path.exists() {
        let v: serde_json::Value =
            serde_json::from_str(&read(&key_path)?).map_err(|e| e.to_string())?;
        SigningKey::from_private_jwk(&v).map_err(|e| e.to_string())?
    } else {
        let key = SigningKey::generate();
        std::fs::write(&key_path, key.to_private_jwk().as_bytes()).map_err(|e| e.to_string())?;
        key
    };
    let now = SystemClock.now();
    let jwt = issue_attestation(
        &AttestationContent {
            anchor_id: anchor.kid().unwrap_or("trust-anchor"),
            client_id,
            request_key: request_key.public_jwk(),
            registration: &registration,
            redirect_uris: None,
            iat: now,
            exp: now + days * 86_400,
        },
        &anchor,
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(dir.join("attestation.jwt"), format!("{jwt}\n")).map_err(|e| e.to_string())?;
    println!("{}", dir.join("attestation.jwt").display());
    Ok(())
}
