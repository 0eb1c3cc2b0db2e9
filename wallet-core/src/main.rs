//! `regie-wallet`: the wallet without a screen, for scripts, tests and the curious. Every
//! command unlocks the wallet with the PIN (from `--pin-stdin` or a prompt), prints plain
//! Dutch or English (or JSON with `--json`), and exits non-zero on any failure.
mod cli_text;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use protocol::credential_types::Lang;
use serde_json::json;
use wallet_core::consent::Verdict;
use wallet_core::pin::Pin;
use wallet_core::trust::TrustConfig;
use wallet_core::{UnlockedWallet, Wallet, WalletConfig, WalletError};
use zeroize::Zeroizing;

#[derive(Parser)]
#[command(
    name = "regie-wallet",
    version,
    about = "Regie wallet without a screen: hold your credentials and answer requests from organisations."
)]
struct Cli {
    /// Where the wallet's encrypted store lives.
    #[arg(
        long,
        env = "REGIE_WALLET_DATA_DIR",
        default_value = "data/wallet",
        global = true
    )]
    data_dir: PathBuf,
    /// Print JSON instead of text (errors too, as {"error", "message"}).
    #[arg(long, global = true)]
    json: bool,
    /// Read the PIN from standard input (one line; change-pin reads the old, then the new;
    /// restore reads the PIN, then the recovery code).
    #[arg(long, global = true)]
    pin_stdin: bool,
    /// Language of the text: nl or en.
    #[arg(long, env = "REGIE_WALLET_LANG", default_value = "nl", global = true)]
    lang: String,
    /// The trust anchor's public JWK (default: the built-in demo anchor).
    #[arg(long, env = "REGIE_WALLET_TRUST_ANCHOR", global = true)]
    trust_anchor: Option<PathBuf>,
    /// The signed trust list of issuers (default: the built-in demo list).
    #[arg(long, env = "REGIE_WALLET_TRUST_LIST", global = true)]
    trust_list: Option<PathBuf>,
    /// Also trust the CA certificates in this PEM file for HTTPS (e.g. an organisation's own
    /// CA); certificates are always checked.
    #[arg(long, value_name = "FILE", env = "REGIE_WALLET_CA_CERT", global = true)]
    ca_cert: Option<PathBuf>,
    /// Refuse plain http even on this machine's loopback (127.0.0.1, localhost).
    #[arg(long, global = true)]
    https_only: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new wallet with a six-digit PIN.
    Init,
    /// Take the credentials of an offer (openid-credential-offer://…).
    AcceptOffer {
        uri: String,
        /// The code the municipality gave you, if the offer asks for one.
        #[arg(long)]
        tx_code: Option<String>,
    },
    /// List your credentials (newest first).
    List {
        /// Show the page after this credential id.
        #[arg(long)]
        after: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Show one credential with all its data.
    Show { id: String },
    /// Fetch fresh copies of a credential (and the issuer's current data, e.g. after a move).
    Renew { id: String },
    /// Show what a request (openid4vp://…) asks, without answering it.
    Assess { uri: String },
    /// Answer a request (openid4vp://…): share with --approve, say no with --deny.
    Respond {
        uri: String,
        #[arg(long, conflicts_with = "deny", required_unless_present = "deny")]
        approve: bool,
        #[arg(long)]
        deny: bool,
    },
    /// Check whether your credentials are still valid (expired, revoked).
    Refresh,
    /// What happened in your wallet (newest first).
    History {
        /// Show the page before this event id.
        #[arg(long)]
        before: Option<u64>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Which organisation has which of your data since when.
    Sharing,
    /// Everything in your wallet as JSON (credentials without keys, sharing, history).
    Export {
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Make an encrypted backup for a new device; its recovery code is shown once.
    Backup {
        /// The backup file to write (replaced if it exists).
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into a new wallet (made here if there is none yet): asks the PIN
    /// (a new one for a new wallet), then the recovery code.
    Restore { file: PathBuf },
    /// Change your PIN.
    ChangePin,
    /// Whether a PIN may be tried now (wrong PINs, waiting time).
    LockStatus,
    /// Delete the wallet and everything in it.
    Reset {
        /// Confirm that everything may be deleted.
        #[arg(long)]
        yes: bool,
    },
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = Lang::from_code(&cli.lang);
    let json = cli.json;
    match run(cli, lang).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if json {
                println!("{}", json!({"error": e.code(), "message": e.to_string()}));
            } else {
                eprintln!("{}: {e}", cli_text::error_word(lang));
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli, lang: Lang) -> Result<(), WalletError> {
    let trust = TrustConfig::from_files(cli.trust_anchor.as_deref(), cli.trust_list.as_deref())?;
    let mut config = WalletConfig::new(cli.data_dir.clone(), trust);
    config.allow_http_loopback = !cli.https_only;
    config.extra_ca_pem = cli
        .ca_cert
        .as_deref()
        .map(wallet_core::read_ca_file)
        .transpose()?;
    let wallet = Wallet::open(config)?;
    for path in wallet.repaired() {
        eprintln!("{}", cli_text::mode_repaired(lang, path));
    }
    let mut pins = PinSource::new(cli.pin_stdin);
    let out = cli_text::Output::new(cli.json, lang);
    match cli.command {
        Command::Init => {
            let pin = pins.new_pin(lang)?;
            wallet.init(&pin)?;
            out.done(cli_text::initialised(lang));
        }
        Command::Reset { yes } => {
            if !yes {
                return Err(WalletError::Request(
                    "reset deletes everything: add --yes to confirm".into(),
                ));
            }
            wallet.reset()?;
            out.done(cli_text::reset_done(lang));
        }
        Command::LockStatus => {
            let state = wallet.lock_state()?;
            out.lock_state(&state);
        }
        Command::Restore { file } => {
            // Read first: a missing file is told before any PIN is asked or wallet made.
            let backup = std::fs::read(&file)
                .map_err(|e| WalletError::Store(wallet_core::store::StoreError::Io(e)))?;
            let initialised = wallet.is_initialised()?;
            let pin = if initialised {
                pins.pin(lang)?
            } else {
                pins.new_pin(lang)?
            };
            let code = pins.recovery_code(lang)?;
            // A refused code or file leaves everything as it was: no wallet is made for it.
            let opened = wallet_core::backup::open(&backup, &code)?;
            let unlocked = if initialised {
                wallet.unlock(&pin)?
            } else {
                wallet.init(&pin)?
            };
            let report = wallet_core::backup::restore(&unlocked, opened).await?;
            out.restored(&report);
        }
        Command::ChangePin => {
            let old = pins.pin(lang)?;
            let mut unlocked = wallet.unlock(&old)?;
            let new = pins.new_pin(lang)?;
            unlocked.change_pin(&old, &new)?;
            out.done(cli_text::pin_changed(lang));
        }
        command => {
            let unlocked = wallet.unlock(&pins.pin(lang)?)?;
            run_unlocked(&unlocked, command, &out, &mut pins, lang).await?;
        }
    }
    Ok(())
}

async fn run_unlocked(
    wallet: &UnlockedWallet,
    command: Command,
    out: &cli_text::Output,
    pins: &mut PinSource,
    lang: Lang,
) -> Result<(), WalletError> {
    match command {
        Command::AcceptOffer { uri, tx_code } => {
            let stored = wallet.accept_offer(&uri, tx_code.as_deref()).await?;
            out.accepted(&stored);
        }
        Command::List { after, limit } => {
            let report = wallet.refresh_status().await.ok();
            let page = wallet.credentials(after.as_deref(), limit.clamp(1, 500))?;
            out.list(&page, wallet.credential_count(), report.as_ref());
        }
        Command::Show { id } => {
            let _ = wallet.refresh_status().await;
            out.show(&wallet.credential(&id)?);
        }
        Command::Renew { id } => {
            let renewed = wallet.renew(&id).await?;
            out.accepted(std::slice::from_ref(&renewed));
        }
        Command::Refresh => {
            let report = wallet.refresh_status().await?;
            out.refreshed(&report);
        }
        Command::Assess { uri } => {
            let _ = wallet.refresh_status().await;
            let pending = wallet.assess_request(&uri, lang).await?;
            out.assessment(&pending.assessment);
        }
        Command::Respond { uri, approve, .. } => {
            let _ = wallet.refresh_status().await;
            let pending = wallet.assess_request(&uri, lang).await?;
            out.assessment(&pending.assessment);
            let blocked = matches!(
                pending.assessment.verdict,
                Verdict::OverAsking { .. }
                    | Verdict::UnknownParty { .. }
                    | Verdict::UnsupportedStatement { .. }
            );
            if approve && !blocked {
                // Sharing needs the PIN again, right before anything leaves the wallet.
                wallet.confirm_pin(&pins.pin_again(lang)?)?;
                let answered = wallet.approve(&pending).await?;
                out.answered(&answered, true);
            } else {
                let answered = wallet.deny(&pending).await?;
                out.answered(&answered, false);
                if approve {
                    // The citizen wanted to share, but the request may not be answered.
                    return Err(wallet_core::presentation::blocked_error(&pending));
                }
            }
        }
        Command::History { before, limit } => {
            out.history(&wallet.history(before, limit.clamp(1, 500))?);
        }
        Command::Sharing => out.sharing(&wallet.sharing_overview()?),
        Command::Export { out: file } => {
            let export = wallet_core::wallet::export_json(&wallet.export()?);
            let text = serde_json::to_string_pretty(&export).unwrap_or_default();
            match file {
                Some(path) => {
                    // A new file replaces any existing one, so the export is owner-only
                    // whatever mode a file of that name had.
                    wallet_core::files::write_private(&path, text.as_bytes())
                        .map_err(|e| WalletError::Store(wallet_core::store::StoreError::Io(e)))?;
                    out.done(cli_text::exported(lang, &path));
                }
                None => println!("{text}"),
            }
        }
        Command::Backup { out: path } => {
            let backup = wallet_core::backup::create(wallet)?;
            // Owner-only, like the export: the file is encrypted, but it is the citizen's.
            wallet_core::files::write_private(&path, &backup.file)
                .map_err(|e| WalletError::Store(wallet_core::store::StoreError::Io(e)))?;
            wallet_core::backup::record_made(wallet, &backup)?;
            out.backup_made(&path, &backup);
        }
        Command::Init
        | Command::Reset { .. }
        | Command::LockStatus
        | Command::ChangePin
        | Command::Restore { .. } => {}
    }
    Ok(())
}

/// Where PINs come from: standard input lines, or a prompt without echo.
struct PinSource {
    stdin: bool,
    last: Option<Zeroizing<String>>,
}

impl PinSource {
    fn new(stdin: bool) -> PinSource {
        PinSource { stdin, last: None }
    }

    /// One secret line (`what`: "PIN", "recovery code"): from standard input with
    /// --pin-stdin, else a prompt without echo at a terminal.
    fn secret_line(&self, prompt: &str, what: &str) -> Result<Zeroizing<String>, WalletError> {
        if self.stdin {
            stdin_line().map_err(|_| {
                WalletError::Request(format!("could not read the {what} from standard input"))
            })
        } else if std::io::stdin().is_terminal() {
            rpassword::prompt_password(prompt)
                .map(Zeroizing::new)
                .map_err(|_| WalletError::Request(format!("could not read the {what}")))
        } else {
            Err(WalletError::Request(format!(
                "no terminal to ask the {what}: use --pin-stdin"
            )))
        }
    }

    fn read(&mut self, prompt: &str) -> Result<Pin, WalletError> {
        let text = self.secret_line(prompt, "PIN")?;
        let pin = Pin::new(&text);
        self.last = Some(Zeroizing::new(text.trim().to_owned()));
        Ok(pin)
    }

    fn pin(&mut self, lang: Lang) -> Result<Pin, WalletError> {
        self.read(cli_text::pin_prompt(lang))
    }

    /// The PIN to confirm an approval: asked again at a terminal; with --pin-stdin the
    /// PIN given for unlocking serves (scripts pass it once).
    fn pin_again(&mut self, lang: Lang) -> Result<Pin, WalletError> {
        if self.stdin {
            if let Some(last) = &self.last {
                return Ok(Pin::new(last));
            }
        }
        self.read(cli_text::confirm_prompt(lang))
    }

    /// The recovery code of a backup: the next line with --pin-stdin, else a prompt.
    fn recovery_code(&self, lang: Lang) -> Result<wallet_core::backup::RecoveryCode, WalletError> {
        let text = self.secret_line(cli_text::recovery_code_prompt(lang), "recovery code")?;
        Ok(wallet_core::backup::RecoveryCode::parse(&text)?)
    }

    fn new_pin(&mut self, lang: Lang) -> Result<Pin, WalletError> {
        let pin = self.read(cli_text::new_pin_prompt(lang))?;
        wallet_core::pin::check_new_pin(&pin)?;
        if !self.stdin {
            let again = self.read(cli_text::repeat_pin_prompt(lang))?;
            if !again.same_as(&pin) {
                return Err(WalletError::Request("the two PINs differ".into()));
            }
        }
        Ok(pin)
    }
}

/// Longest line taken as a PIN from standard input.
const MAX_LINE: usize = 256;

/// One line of standard input (without its newline), read a byte at a time from the
/// descriptor into wiped memory: std's buffered stdin would keep the PIN in its own buffer,
/// never wiped, and reading no further than the newline leaves the next PIN where it is.
#[cfg(unix)]
fn stdin_line() -> std::io::Result<Zeroizing<String>> {
    use std::io::Read;
    use std::os::fd::AsFd;
    let mut input = std::fs::File::from(std::io::stdin().as_fd().try_clone_to_owned()?);
    let mut line = Zeroizing::new(Vec::with_capacity(MAX_LINE));
    let mut byte = Zeroizing::new([0u8; 1]);
    while input.read(byte.as_mut())? == 1 && byte[0] != b'\n' {
        if line.len() == MAX_LINE {
            return Err(std::io::Error::other("line too long"));
        }
        line.push(byte[0]);
    }
    match String::from_utf8(std::mem::take(&mut *line)) {
        Ok(text) => Ok(Zeroizing::new(text)),
        Err(e) => {
            drop(Zeroizing::new(e.into_bytes()));
            Err(std::io::Error::other("not text"))
        }
    }
}

/// Elsewhere std's buffered stdin: its buffer keeps a copy of the line.
#[cfg(not(unix))]
fn stdin_line() -> std::io::Result<Zeroizing<String>> {
    use std::io::BufRead;
    let mut line = Zeroizing::new(String::with_capacity(MAX_LINE));
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line)
}
