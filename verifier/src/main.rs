//! `regie-verifier`: the relying parties' service.
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use std::sync::Arc;

use protocol::jose::{PublicJwk, SigningKey};
use protocol::trust::{issue_attestation, AttestationContent, Registration};
use regie_verifier::clock::{Clock, SystemClock};
use regie_verifier::image_pool::ImagePool;
use regie_verifier::registry::Registry;
use regie_verifier::service::{router, Verifier};
use regie_verifier::sessions::{PgSessions, Sessions, SledSessions};
use regie_verifier::status_cache::StatusCache;

/// regie-verifier — the relying parties' service of Regie.
///
/// The demo parties' API keys are in fixtures/relying-parties/*/party.json (demo only).
/// Logs: REGIE_LOG, REGIE_LOG_FILE, REGIE_LOG_FORMAT=json.
#[derive(Parser)]
#[command(name = "regie-verifier", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the session API, the OpenID4VP endpoints, the document validator and the demo
    /// relying-party pages.
    Serve(ServeArgs),
    /// Sign DIR/party.json's registration as a verifier attestation (DIR/attestation.jwt),
    /// creating the party's request key DIR/request-key.jwk if absent.
    Attest {
        /// The trust anchor's private JWK.
        #[arg(long, value_name = "FILE")]
        anchor_key: PathBuf,
        /// The party's directory.
        #[arg(long, value_name = "DIR")]
        party: PathBuf,
        #[arg(
            long,
            value_name = "N",
            env = "REGIE_ATTEST_DAYS",
            default_value_t = 365
        )]
        valid_days: u64,
        /// Bind the party's answers to this address (`redirect_uris`): the serving
        /// verifier's PUBLIC_URL/response. Wallets then block a request of the party that
        /// sends the answer anywhere else.
        #[arg(long, value_name = "URL")]
        response_uri: Option<String>,
    },
}

#[derive(Args)]
struct ServeArgs {
    /// A TOML file with settings, each key a long option's name (e.g. `public-url =
    /// "https://…"`); a flag or environment variable beats the file. Secrets stay in the
    /// environment.
    #[arg(long, value_name = "FILE", env = "REGIE_VERIFIER_CONFIG")]
    config: Option<PathBuf>,
    #[arg(
        long,
        value_name = "ADDR",
        env = "REGIE_VERIFIER_LISTEN",
        default_value = "127.0.0.1:8702"
    )]
    listen: String,
    /// In request URIs, response URIs and QR codes.
    #[arg(
        long,
        value_name = "URL",
        env = "REGIE_VERIFIER_PUBLIC_URL",
        default_value = "http://127.0.0.1:8702"
    )]
    public_url: String,
    /// Sessions (sled), unless --database-url names a database.
    #[arg(
        long,
        value_name = "DIR",
        env = "REGIE_VERIFIER_DATA_DIR",
        default_value = "data/verifier"
    )]
    data_dir: PathBuf,
    /// Keep sessions in PostgreSQL instead (postgres://…): for several instances behind one
    /// public URL. The schema is created or brought up to date at start.
    #[arg(
        long,
        value_name = "URL",
        env = "REGIE_VERIFIER_DATABASE_URL",
        // It may hold a password: --help never prints its value.
        hide_env_values = true,
        value_parser = regie_ops::postgres::parse_database_url
    )]
    database_url: Option<String>,
    /// Also trust the CA certificates in this PEM file for the issuers' HTTPS (their status
    /// lists), e.g. an organisation's own CA; certificates are always checked.
    #[arg(long, value_name = "FILE", env = "REGIE_VERIFIER_CA_CERT")]
    ca_cert: Option<PathBuf>,
    /// One directory per party (party.json with its API key, request-key.jwk,
    /// attestation.jwt).
    #[arg(
        long,
        value_name = "DIR",
        env = "REGIE_VERIFIER_PARTIES",
        default_value = "fixtures/relying-parties"
    )]
    relying_parties: PathBuf,
    #[arg(
        long,
        value_name = "FILE",
        env = "REGIE_TRUST_ANCHOR",
        default_value = "fixtures/demo/trust-anchor.public.jwk"
    )]
    trust_anchor: PathBuf,
    #[arg(
        long,
        value_name = "FILE",
        env = "REGIE_TRUST_LIST",
        default_value = "fixtures/demo/trust-list.jwt"
    )]
    trust_list: PathBuf,
    /// A session and its verified claims are removed N hours after its time to answer
    /// ends. A day by default: long enough for a party's back-end (and the municipality's
    /// case service) to collect a result, short enough that the verifier is no archive of
    /// citizens' data.
    #[arg(
        long,
        value_name = "N",
        env = "REGIE_KEEP_RESULTS_HOURS",
        default_value_t = 24
    )]
    keep_results_hours: u64,
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

#[global_allocator]
static ALLOCATOR: regie_ops::allocator::ServiceAllocator = regie_ops::allocator::ServiceAllocator;

#[tokio::main]
async fn main() -> ExitCode {
    let cli: Cli = regie_ops::config_file::parse();
    let result = match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Attest {
            anchor_key,
            party,
            valid_days,
            response_uri,
        } => attest(&anchor_key, &party, valid_days, response_uri),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("regie-verifier: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The configured session store: PostgreSQL when a URL is given, else sled in `data_dir`.
async fn open_sessions(data_dir: &Path, database_url: Option<&str>) -> Result<Sessions, String> {
    if let Some(url) = database_url {
        let store = PgSessions::connect(url).await.map_err(|e| e.to_string())?;
        return Ok(Box::new(store));
    }
    std::fs::create_dir_all(data_dir).map_err(|e| {
        format!(
            "cannot create the data directory {}: {e}",
            data_dir.display()
        )
    })?;
    let store = SledSessions::open(&data_dir.join("sessions")).map_err(|e| e.to_string())?;
    Ok(Box::new(store))
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    regie_ops::init_from_env().map_err(|e| e.to_string())?;
    if let Some(file) = &args.config {
        tracing::info!("settings from {}", file.display());
    }
    let keep_hours = args.keep_results_hours;
    let listen = args.listen;
    let public_url = args.public_url.trim_end_matches('/').to_owned();
    let data_dir = args.data_dir;
    let parties = args.relying_parties;
    let anchor_text = read(&args.trust_anchor)?;
    let anchor_json: serde_json::Value =
        serde_json::from_str(&anchor_text).map_err(|e| format!("trust anchor: {e}"))?;
    let anchor =
        PublicJwk::from_json_value(&anchor_json).map_err(|e| format!("trust anchor: {e}"))?;
    let trust_list_jwt = read(&args.trust_list)?.trim().to_owned();
    let clock = Arc::new(SystemClock);
    protocol::trust::TrustList::verify(&trust_list_jwt, &anchor, clock.now())
        .map_err(|e| format!("trust list: {e}"))?;
    let registry = Registry::load(&parties, &anchor, clock.now()).map_err(|e| e.to_string())?;
    registry
        .check_answer_address(&regie_verifier::wallet_endpoints::response_uri(&public_url))
        .map_err(|e| e.to_string())?;
    let sessions = open_sessions(&data_dir, args.database_url.as_deref()).await?;
    let extra_roots = match &args.ca_cert {
        Some(path) => regie_ops::tls::ca_certs(path)?,
        None => Vec::new(),
    };
    // A verifier on this machine (the demo, also behind a local TLS proxy) may reach
    // issuers on this machine; a deployed one never reaches loopback.
    let allow_http_loopback = [
        "http://127.0.0.1",
        "http://localhost",
        "https://127.0.0.1",
        "https://localhost",
    ]
    .iter()
    .any(|local| public_url.starts_with(local));
    let verifier = Arc::new(Verifier {
        public_url: public_url.clone(),
        registry,
        sessions,
        trust_anchor: anchor,
        trust_list_jwt,
        status: StatusCache::trusting(allow_http_loopback, &extra_roots),
        clock,
        images: ImagePool::for_cores(
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
        ),
    });
    let weak = Arc::downgrade(&verifier);
    regie_ops::housekeeping::every(std::time::Duration::from_secs(60), "sessions", move || {
        let verifier = weak.upgrade();
        async move {
            let verifier = verifier?;
            let now = verifier.clock.now();
            Some(
                verifier
                    .sessions
                    .purge(now, keep_hours.saturating_mul(3600))
                    .await,
            )
        }
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

fn attest(
    anchor_path: &Path,
    dir: &Path,
    days: u64,
    response_uri: Option<String>,
) -> Result<(), String> {
    let redirect_uris: Option<Vec<String>> = response_uri.map(|uri| vec![uri]);
    let anchor_json: serde_json::Value =
        serde_json::from_str(&read(anchor_path)?).map_err(|e| e.to_string())?;
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
            redirect_uris: redirect_uris.as_deref(),
            iat: now,
            exp: now + days.saturating_mul(86_400),
        },
        &anchor,
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(dir.join("attestation.jwt"), format!("{jwt}\n")).map_err(|e| e.to_string())?;
    println!("{}", dir.join("attestation.jwt").display());
    Ok(())
}
