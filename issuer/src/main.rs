//! `regie-issuer`: the municipality's issuer service. For now: list the BRP test persons.
use std::path::PathBuf;
use std::process::ExitCode;

use std::collections::HashMap;
use std::path::Path;

use protocol::oid4vci;
use protocol::trust::{TrustList, TrustedIssuer};
use regie_issuer::person::{FixtureSource, PersonSource};
use regie_issuer::{keys, service};

fn default_data_dir() -> PathBuf {
    std::env::var_os("REGIE_ISSUER_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("data/issuer"))
}

/// `--name value` options; unknown names and missing values are errors.
struct Options<'a>(HashMap<&'a str, &'a str>);

impl<'a> Options<'a> {
    fn parse(args: &'a [String], known: &[&str]) -> Result<Self, String> {
        let mut map = HashMap::new();
        let mut it = args.iter();
        while let Some(name) = it.next() {
            if !known.contains(&name.as_str()) {
                return Err(format!("unknown option {name:?}; see --help"));
            }
            let value = it.next().ok_or_else(|| format!("{name} needs a value"))?;
            map.insert(name.as_str(), value.as_str());
        }
        Ok(Options(map))
    }

    fn get(&self, name: &str) -> Option<&'a str> {
        self.0.get(name).copied()
    }

    fn require(&self, name: &str) -> Result<&'a str, String> {
        self.get(name)
            .ok_or_else(|| format!("{name} is required; see --help"))
    }
}

const HELP: &str = "\
regie-issuer — the municipality's issuer of Regie credentials

Usage:
  regie-issuer serve [--listen ADDR] [--public-url URL] [--data-dir DIR] [--key FILE]
                     [--fixtures DIR] [--batch-size N]
                     [--verifier-url URL --verifier-party FILE]
                                          run the issuer service (citizen portal at /,
                                          OpenID4VCI endpoints, status list, back-office
                                          API, PDF extracts, consent cases, the clerk's
                                          desk at /balie)
  regie-issuer persons [--fixtures DIR]   list the BRP test persons
  regie-issuer public-key [--data-dir DIR] [--kid KID]
                                          print the issuer's public JWK (creating the key
                                          in DIR/issuer-key.jwk on first use)
  regie-issuer trust-list --anchor-key FILE --issuers FILE [--valid-days N]
                                          sign a trust list with the trust anchor's private
                                          JWK; FILE lists issuers as JSON (see fixtures/demo)
  regie-issuer --help

Options:
  --fixtures DIR   directory with personen.json and verblijfplaatshistorie.json
                   (default: the official BRP test persons built into the binary)
  --data-dir DIR   data directory (default: $REGIE_ISSUER_DATA_DIR or ./data/issuer)
  --listen ADDR    address to listen on (default: $REGIE_ISSUER_LISTEN or 127.0.0.1:8701)
  --public-url URL the issuer identifier in metadata, offers and credentials
                   (default: $REGIE_ISSUER_PUBLIC_URL or http://127.0.0.1:8701)
  --key FILE       the issuer's private JWK (default: DIR/issuer-key.jwk, created if absent)
  --batch-size N   most credential copies per request (default: 5)
  --verifier-url URL
                   the verifier whose session API asks for consents (default:
                   $REGIE_ISSUER_VERIFIER_URL)
  --verifier-party FILE
                   the municipality's registration at that verifier (party.json with its
                   client_id and api_key; default: $REGIE_ISSUER_VERIFIER_PARTY); without
                   both, consent cases (moves, a child's travel document) are off

Environment:
  REGIE_ISSUER_ADMIN_TOKEN   bearer token of the back-office API; without it the
                             back-office API refuses every request";

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("regie-issuer: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        None | Some("--help" | "-h" | "help") => {
            println!("{HELP}");
            Ok(())
        }
        Some("persons") => {
            let source = match args.get(1).map(String::as_str) {
                None => FixtureSource::embedded(),
                Some("--fixtures") => {
                    let dir = args.get(2).ok_or("--fixtures needs a directory")?;
                    FixtureSource::from_dir(&PathBuf::from(dir))
                }
                Some(other) => return Err(format!("unknown option {other:?}; see --help")),
            }
            .map_err(|e| e.to_string())?;
            for p in source.list().await.map_err(|e| e.to_string())? {
                println!(
                    "{}  {:<55}  {}",
                    p.bsn,
                    p.name,
                    p.residence.as_deref().unwrap_or("(geen adres)")
                );
            }
            Ok(())
        }
        Some("serve") => serve(&args[1..]).await,
        Some("public-key") => {
            let options = Options::parse(&args[1..], &["--data-dir", "--kid"])?;
            let dir = options
                .get("--data-dir")
                .map(PathBuf::from)
                .unwrap_or_else(default_data_dir);
            let kid = options.get("--kid").unwrap_or("gemeente-1");
            let key = keys::load_or_create(&dir, kid).map_err(|e| e.to_string())?;
            println!("{}", key.public_jwk().to_json_value());
            Ok(())
        }
        Some("trust-list") => {
            let options =
                Options::parse(&args[1..], &["--anchor-key", "--issuers", "--valid-days"])?;
            let anchor_path = options.require("--anchor-key")?;
            let anchor = keys::read_key(Path::new(anchor_path)).map_err(|e| e.to_string())?;
            let issuers_path = options.require("--issuers")?;
            let issuers_text = std::fs::read_to_string(issuers_path)
                .map_err(|e| format!("{issuers_path}: {e}"))?;
            let issuers: Vec<TrustedIssuer> = serde_json::from_str(&issuers_text)
                .map_err(|e| format!("{issuers_path}: not a list of issuers: {e}"))?;
            let days: u64 = options
                .get("--valid-days")
                .unwrap_or("365")
                .parse()
                .map_err(|_| "--valid-days needs a number of days")?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_err(|e| e.to_string())?
                .as_secs();
            let list = TrustList {
                iss: anchor.kid().unwrap_or("trust-anchor").to_owned(),
                iat: now,
                exp: now + days * 86_400,
                issuers,
            };
            println!("{}", list.sign(&anchor).map_err(|e| e.to_string())?);
            Ok(())
        }
        Some(other) => Err(format!("unknown command {other:?}; see --help")),
    }
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

async fn serve(args: &[String]) -> Result<(), String> {
    regie_ops::init_from_env().map_err(|e| e.to_string())?;
    use std::sync::Arc;

    let options = Options::parse(
        args,
        &[
            "--listen",
            "--public-url",
            "--data-dir",
            "--key",
            "--fixtures",
            "--batch-size",
            "--verifier-url",
            "--verifier-party",
        ],
    )?;
    let listen = options
        .get("--listen")
        .map(str::to_owned)
        .unwrap_or_else(|| env_or("REGIE_ISSUER_LISTEN", "127.0.0.1:8701"));
    let public_url = options
        .get("--public-url")
        .map(str::to_owned)
        .unwrap_or_else(|| env_or("REGIE_ISSUER_PUBLIC_URL", "http://127.0.0.1:8701"))
        .trim_end_matches('/')
        .to_owned();
    let data_dir = options
        .get("--data-dir")
        .map(PathBuf::from)
        .unwrap_or_else(default_data_dir);
    let key = match options.get("--key") {
        Some(file) => keys::read_key(Path::new(file)),
        None => keys::load_or_create(&data_dir, "gemeente-1"),
    }
    .map_err(|e| e.to_string())?;
    let persons = match options.get("--fixtures") {
        Some(dir) => FixtureSource::from_dir(Path::new(dir)),
        None => FixtureSource::embedded(),
    }
    .map_err(|e| e.to_string())?;
    let batch_size: usize = options
        .get("--batch-size")
        .unwrap_or("5")
        .parse()
        .ok()
        .filter(|n| (1..=oid4vci::MAX_PROOFS).contains(n))
        .ok_or("--batch-size must be a number from 1 to 32")?;
    let admin_token = std::env::var("REGIE_ISSUER_ADMIN_TOKEN").unwrap_or_default();
    if admin_token.is_empty() {
        tracing::warn!("REGIE_ISSUER_ADMIN_TOKEN is not set; the back-office API is closed");
    }
    let store =
        regie_issuer::store::Store::open(&data_dir.join("db")).map_err(|e| e.to_string())?;
    let issuer = Arc::new(service::Issuer {
        public_url: public_url.clone(),
        key,
        store,
        persons: Arc::new(persons),
        admin_token,
        batch_size,
        clock: Arc::new(service::SystemClock),
    });
    let replayed = regie_issuer::life_events::replay(&issuer)
        .await
        .map_err(|e| format!("replaying recorded moves: {e}"))?;
    if replayed > 0 {
        tracing::info!("{replayed} recorded move(s) applied to the person source");
    }
    let store = issuer.store.clone();
    let portal = regie_issuer::portal::PortalStore::open(&store).map_err(|e| e.to_string())?;
    let clock = issuer.clock.clone();
    regie_ops::housekeeping::every(std::time::Duration::from_secs(60), "issuer", move || {
        let now = clock.now();
        Some(
            store
                .purge_expired(now)
                .and_then(|n| Ok(n + portal.purge_expired(now)?)),
        )
    });
    let verifier_url = options
        .get("--verifier-url")
        .map(str::to_owned)
        .or_else(|| std::env::var("REGIE_ISSUER_VERIFIER_URL").ok());
    let verifier_party = options
        .get("--verifier-party")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("REGIE_ISSUER_VERIFIER_PARTY").map(PathBuf::from));
    let cases = match (verifier_url, verifier_party) {
        (Some(url), Some(party)) => {
            use regie_issuer::cases::{Cases, PartyConfig, VerifierClient};
            let party = PartyConfig::from_file(&url, &party).map_err(|e| e.to_string())?;
            let client = VerifierClient::new(party).map_err(|e| e.to_string())?;
            Some(Arc::new(
                Cases::new(issuer.clone(), client).map_err(|e| e.to_string())?,
            ))
        }
        (None, None) => {
            tracing::info!("no --verifier-url and --verifier-party; consent cases are off");
            None
        }
        _ => return Err("--verifier-url and --verifier-party go together".into()),
    };
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    tracing::info!("listening on {listen}, issuer identifier {public_url}");
    axum::serve(listener, service::router_with_cases(issuer, cases))
        .with_graceful_shutdown(regie_ops::shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}
