//! `regie-issuer`: the municipality's issuer service, and the tools around it (the BRP test
//! persons, the issuer's public key, signing a trust list).
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use protocol::oid4vci;
use protocol::trust::{TrustList, TrustedIssuer};
use regie_issuer::person::{FixtureSource, PersonSource};
use regie_issuer::service::Clock;
use regie_issuer::{keys, service};

/// regie-issuer — the municipality's issuer of Regie credentials.
///
/// The back-office API's bearer token is read from REGIE_ISSUER_ADMIN_TOKEN only (not an
/// option, so it never shows in the process list); without it that API refuses every
/// request. Logs: REGIE_LOG, REGIE_LOG_FILE, REGIE_LOG_FORMAT=json.
#[derive(Parser)]
#[command(name = "regie-issuer", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the issuer service: the citizen portal at /, the OpenID4VCI endpoints, the status
    /// list, the back-office API, PDF extracts, consent cases and the clerk's desk at /balie.
    Serve(Box<ServeArgs>),
    /// List the BRP test persons.
    Persons {
        /// Directory with personen.json and verblijfplaatshistorie.json (default: the
        /// official BRP test persons built into the binary).
        #[arg(long, value_name = "DIR")]
        fixtures: Option<PathBuf>,
    },
    /// Print the issuer's public JWK, creating the key in DIR/issuer-key.jwk on first use.
    PublicKey {
        #[arg(
            long,
            value_name = "DIR",
            env = "REGIE_ISSUER_DATA_DIR",
            default_value = "data/issuer"
        )]
        data_dir: PathBuf,
        #[arg(long, default_value = "gemeente-1")]
        kid: String,
    },
    /// Sign a trust list with the trust anchor's private JWK.
    TrustList {
        /// The trust anchor's private JWK.
        #[arg(long, value_name = "FILE")]
        anchor_key: PathBuf,
        /// The issuers as JSON (see fixtures/demo/trust-list.issuers.json).
        #[arg(long, value_name = "FILE")]
        issuers: PathBuf,
        #[arg(long, value_name = "N", default_value_t = 365)]
        valid_days: u64,
    },
}

#[derive(Args)]
struct ServeArgs {
    /// A TOML file with settings, each key a long option's name (e.g. `public-url =
    /// "https://…"`); a flag or environment variable beats the file. Secrets stay in the
    /// environment.
    #[arg(long, value_name = "FILE", env = "REGIE_ISSUER_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on.
    #[arg(
        long,
        value_name = "ADDR",
        env = "REGIE_ISSUER_LISTEN",
        default_value = "127.0.0.1:8701"
    )]
    listen: String,
    /// The issuer identifier in metadata, offers and credentials.
    #[arg(
        long,
        value_name = "URL",
        env = "REGIE_ISSUER_PUBLIC_URL",
        default_value = "http://127.0.0.1:8701"
    )]
    public_url: String,
    /// Data directory (the embedded store unless --database-url is given, and the key when
    /// --key is not given).
    #[arg(
        long,
        value_name = "DIR",
        env = "REGIE_ISSUER_DATA_DIR",
        default_value = "data/issuer"
    )]
    data_dir: PathBuf,
    /// Keep the issuer's state in PostgreSQL (`postgres://…`) instead of the embedded store,
    /// so that several instances serve one public URL.
    #[arg(
        long,
        value_name = "URL",
        env = "REGIE_ISSUER_DATABASE_URL",
        // It may hold a password: --help never prints its value.
        hide_env_values = true,
        value_parser = regie_ops::postgres::parse_database_url
    )]
    database_url: Option<String>,
    /// Also trust the CA certificates in this PEM file for outgoing HTTPS (the verifier of
    /// consent cases, the login provider), e.g. an organisation's own CA; certificates are
    /// always checked.
    #[arg(long, value_name = "FILE", env = "REGIE_ISSUER_CA_CERT")]
    ca_cert: Option<PathBuf>,
    /// The issuer's private JWK (default: DIR/issuer-key.jwk, created if absent).
    #[arg(long, value_name = "FILE")]
    key: Option<PathBuf>,
    /// Directory with personen.json and verblijfplaatshistorie.json (default: the official
    /// BRP test persons built into the binary).
    #[arg(long, value_name = "DIR")]
    fixtures: Option<PathBuf>,
    /// Most credential copies per request.
    #[arg(long, value_name = "N", default_value_t = 5,
          value_parser = clap::value_parser!(u64).range(1..=oid4vci::MAX_PROOFS as u64))]
    batch_size: u64,
    /// The verifier whose session API asks for consents; with --verifier-party, consent
    /// cases (moves, a child's travel document) are on.
    #[arg(
        long,
        value_name = "URL",
        env = "REGIE_ISSUER_VERIFIER_URL",
        requires = "verifier_party"
    )]
    verifier_url: Option<String>,
    /// The municipality's registration at that verifier (party.json with its client_id and
    /// api_key).
    #[arg(
        long,
        value_name = "FILE",
        env = "REGIE_ISSUER_VERIFIER_PARTY",
        requires = "verifier_url"
    )]
    verifier_party: Option<PathBuf>,
    #[command(flatten)]
    oidc: OidcArgs,
}

/// Login through an OpenID Connect provider (DigiD through the municipality's broker; the
/// clerks' accounts). Without --oidc-issuer the portal has a simulated test login. The
/// client secret is read from REGIE_ISSUER_OIDC_CLIENT_SECRET only. The provider sends the
/// browser back to PUBLIC_URL/inloggen/terug: register that redirect URI.
#[derive(Args)]
struct OidcArgs {
    /// The provider's issuer identifier (its discovery document is read from under it).
    #[arg(
        long,
        value_name = "URL",
        env = "REGIE_ISSUER_OIDC_ISSUER",
        requires = "oidc_client_id"
    )]
    oidc_issuer: Option<String>,
    /// The portal's client id at the provider.
    #[arg(long, value_name = "ID", env = "REGIE_ISSUER_OIDC_CLIENT_ID")]
    oidc_client_id: Option<String>,
    /// Scopes asked for besides `openid` (space-separated in the environment variable).
    #[arg(
        long = "oidc-scope",
        value_name = "SCOPE",
        env = "REGIE_ISSUER_OIDC_SCOPES",
        value_delimiter = ' '
    )]
    oidc_scopes: Vec<String>,
    /// The claim holding a citizen's BSN (in the ID token or at the userinfo endpoint).
    #[arg(
        long,
        value_name = "NAME",
        env = "REGIE_ISSUER_OIDC_BSN_CLAIM",
        default_value = "bsn"
    )]
    oidc_bsn_claim: String,
    /// The claim holding a person's roles (a string or a list).
    #[arg(
        long,
        value_name = "NAME",
        env = "REGIE_ISSUER_OIDC_ROLE_CLAIM",
        default_value = "roles"
    )]
    oidc_role_claim: String,
    /// The role that lets a person log in at the clerk's desk.
    #[arg(
        long,
        value_name = "ROLE",
        env = "REGIE_ISSUER_OIDC_CLERK_ROLE",
        default_value = "balie"
    )]
    oidc_clerk_role: String,
}

impl OidcArgs {
    /// The login through the provider, when one is configured.
    fn login(
        self,
        public_url: &str,
        extra_roots: &[reqwest::Certificate],
    ) -> Result<Option<Arc<regie_issuer::oidc::OidcLogin>>, String> {
        use regie_issuer::oidc::{OidcConfig, OidcLogin};
        let (Some(issuer), Some(client_id)) = (self.oidc_issuer, self.oidc_client_id) else {
            tracing::warn!("no --oidc-issuer: the portal has the simulated TEST login");
            return Ok(None);
        };
        let client_secret = zeroize::Zeroizing::new(
            std::env::var("REGIE_ISSUER_OIDC_CLIENT_SECRET").unwrap_or_default(),
        );
        if client_secret.is_empty() {
            return Err("--oidc-issuer needs REGIE_ISSUER_OIDC_CLIENT_SECRET".into());
        }
        let config = OidcConfig {
            issuer,
            client_id,
            client_secret,
            scopes: self
                .oidc_scopes
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect(),
            bsn_claim: self.oidc_bsn_claim,
            role_claim: self.oidc_role_claim,
            clerk_role: self.oidc_clerk_role,
            redirect_url: format!("{public_url}/inloggen/terug"),
        };
        let login = OidcLogin::new(config, extra_roots).map_err(|e| e.to_string())?;
        Ok(Some(Arc::new(login)))
    }
}

#[global_allocator]
static ALLOCATOR: regie_ops::allocator::ServiceAllocator = regie_ops::allocator::ServiceAllocator;

#[tokio::main]
async fn main() -> ExitCode {
    let cli: Cli = regie_ops::config_file::parse();
    match run(cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("regie-issuer: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Serve(args) => serve(*args).await,
        Command::Persons { fixtures } => {
            let source = match fixtures {
                Some(dir) => FixtureSource::from_dir(&dir),
                None => FixtureSource::embedded(),
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
        Command::PublicKey { data_dir, kid } => {
            let key = keys::load_or_create(&data_dir, &kid).map_err(|e| e.to_string())?;
            println!("{}", key.public_jwk().to_json_value());
            Ok(())
        }
        Command::TrustList {
            anchor_key,
            issuers,
            valid_days,
        } => {
            let anchor = keys::read_key(&anchor_key).map_err(|e| e.to_string())?;
            let text = std::fs::read_to_string(&issuers)
                .map_err(|e| format!("{}: {e}", issuers.display()))?;
            let issuers: Vec<TrustedIssuer> = serde_json::from_str(&text)
                .map_err(|e| format!("{}: not a list of issuers: {e}", issuers.display()))?;
            let now = service::SystemClock.now();
            let list = TrustList {
                iss: anchor.kid().unwrap_or("trust-anchor").to_owned(),
                iat: now,
                exp: now + valid_days.saturating_mul(86_400),
                issuers,
            };
            println!("{}", list.sign(&anchor).map_err(|e| e.to_string())?);
            Ok(())
        }
    }
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    regie_ops::init_from_env().map_err(|e| e.to_string())?;
    if let Some(file) = &args.config {
        tracing::info!("settings from {}", file.display());
    }
    let public_url = args.public_url.trim_end_matches('/').to_owned();
    let data_dir = args.data_dir;
    let key = match &args.key {
        Some(file) => keys::read_key(file),
        None => keys::load_or_create(&data_dir, "gemeente-1"),
    }
    .map_err(|e| e.to_string())?;
    let persons = match &args.fixtures {
        Some(dir) => FixtureSource::from_dir(dir),
        None => FixtureSource::embedded(),
    }
    .map_err(|e| e.to_string())?;
    // The range is checked by the parser.
    let batch_size = usize::try_from(args.batch_size).map_err(|e| e.to_string())?;
    let admin_token = std::env::var("REGIE_ISSUER_ADMIN_TOKEN").unwrap_or_default();
    if admin_token.is_empty() {
        tracing::warn!("REGIE_ISSUER_ADMIN_TOKEN is not set; the back-office API is closed");
    }
    let store = match &args.database_url {
        Some(url) => regie_issuer::store::Store::connect(url).await,
        None => regie_issuer::store::Store::open(&data_dir.join("db")),
    }
    .map_err(|e| e.to_string())?;
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
    let portal = regie_issuer::portal::PortalStore::open(&store);
    let clock = issuer.clock.clone();
    regie_ops::housekeeping::every(std::time::Duration::from_secs(60), "issuer", move || {
        let (store, portal, now) = (store.clone(), portal.clone(), clock.now());
        async move {
            let purged = async {
                Ok::<_, regie_issuer::store::StoreError>(
                    store.purge_expired(now).await? + portal.purge_expired(now).await?,
                )
            };
            Some(purged.await.map_err(|e| e.to_string()))
        }
    });
    let roots = match &args.ca_cert {
        Some(path) => regie_ops::tls::ca_certs(path)?,
        None => Vec::new(),
    };
    let oidc = args.oidc.login(&public_url, &roots)?;
    let cases = match (args.verifier_url, args.verifier_party) {
        (Some(url), Some(party)) => {
            use regie_issuer::cases::{Cases, PartyConfig, VerifierClient};
            let party = PartyConfig::from_file(&url, &party).map_err(|e| e.to_string())?;
            let client = VerifierClient::trusting(party, &roots).map_err(|e| e.to_string())?;
            Some(Arc::new(
                Cases::new(issuer.clone(), client).map_err(|e| e.to_string())?,
            ))
        }
        // clap makes the two go together.
        _ => {
            tracing::info!("no --verifier-url and --verifier-party; consent cases are off");
            None
        }
    };
    let listen = args.listen;
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    tracing::info!("listening on {listen}, issuer identifier {public_url}");
    axum::serve(
        listener,
        regie_issuer::routes::router_with(issuer, cases, oidc),
    )
    .with_graceful_shutdown(regie_ops::shutdown_signal())
    .await
    .map_err(|e| e.to_string())
}
