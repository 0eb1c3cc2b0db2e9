//! The wallet as its users drive it: [`Wallet`] before the PIN, [`UnlockedWallet`] after.
use std::path::{Path, PathBuf};
use std::sync::Arc;

use protocol::credential_types::Lang;
use serde::Serialize;
use serde_json::{json, Value};

use crate::clock::{Clock, SystemClock};
use crate::credentials::{self, CredentialSummary};
use crate::crypto::{DataKey, KdfParams, DEFAULT_KDF};
use crate::error::WalletError;
use crate::history::{self, Event, EventKind, SharingRecord};
use crate::http::Http;
use crate::issuance;
use crate::keeper::Keeper;
use crate::pin::Pin;
use crate::presentation::{self, Answered, PendingRequest};
use crate::status::{self, StatusReport};
use crate::store::{Batch, Store, TreeId};
use crate::trust::TrustConfig;
use crate::vault::LockState;
use crate::wipe::wipe_stack;

/// How a wallet is set up.
#[derive(Clone)]
pub struct WalletConfig {
    pub data_dir: PathBuf,
    pub trust: TrustConfig,
    /// Accept `http://` on this machine's loopback (tests and the local demo).
    pub allow_http_loopback: bool,
    pub clock: Arc<dyn Clock>,
    /// Argon2id cost for new PINs.
    pub kdf: KdfParams,
    /// Copies to ask for per credential (capped by the issuer's batch size).
    pub copies: usize,
    /// CA certificates (PEM) trusted besides the system's roots, e.g. an organisation's own
    /// CA in front of its services; only when told (`--ca-cert`, `REGIE_WALLET_CA_CERT`).
    /// Certificates are always checked: there is no way to turn that off.
    pub extra_ca_pem: Option<Vec<u8>>,
}

impl WalletConfig {
    /// Defaults: demo trust, loopback allowed, system clock, production KDF, 5 copies.
    pub fn new(data_dir: PathBuf, trust: TrustConfig) -> WalletConfig {
        WalletConfig {
            data_dir,
            trust,
            allow_http_loopback: true,
            clock: Arc::new(SystemClock),
            kdf: DEFAULT_KDF,
            copies: 5,
            extra_ca_pem: None,
        }
    }
}

struct Inner {
    keeper: Keeper,
    config: WalletConfig,
    http: Http,
    repaired: Vec<PathBuf>,
}

/// A wallet whose data key is not yet available.
#[derive(Clone)]
pub struct Wallet {
    inner: Arc<Inner>,
}

/// A wallet opened with the PIN. Dropping it (locking) forgets the data key: its memory is
/// zeroed.
pub struct UnlockedWallet {
    inner: Arc<Inner>,
    store: Arc<Store>,
    key: DataKey,
}

impl Wallet {
    /// Opens (or creates the directory of) the wallet in `config.data_dir`, holding its
    /// lock until the last handle is dropped. Wider modes than owner-only are repaired
    /// ([`Wallet::repaired`] lists them for a warning).
    pub fn open(config: WalletConfig) -> Result<Wallet, WalletError> {
        let (keeper, repaired) = Keeper::open(&config.data_dir)?;
        let http = Http::new(config.allow_http_loopback, config.extra_ca_pem.as_deref())?;
        Ok(Wallet {
            inner: Arc::new(Inner {
                keeper,
                config,
                http,
                repaired,
            }),
        })
    }

    /// The wallet's files and directories that others could read when it was opened; they
    /// are owner-only now.
    pub fn repaired(&self) -> &[PathBuf] {
        &self.inner.repaired
    }

    /// Whether a wallet was set up here.
    pub fn is_initialised(&self) -> Result<bool, WalletError> {
        Ok(self.inner.keeper.is_initialised())
    }

    /// Sets up a new wallet with `pin`.
    pub fn init(&self, pin: &Pin) -> Result<UnlockedWallet, WalletError> {
        let opened = self.inner.keeper.init(pin, self.inner.config.kdf);
        wipe_stack();
        let (store, key) = opened?;
        Ok(self.unlocked(store, key))
    }

    /// Opens the wallet with `pin`, counting wrong PINs; one unlock at a time.
    pub fn unlock(&self, pin: &Pin) -> Result<UnlockedWallet, WalletError> {
        let opened = self.inner.keeper.unlock(pin, self.inner.config.clock.now());
        wipe_stack();
        let (store, key) = opened?;
        Ok(self.unlocked(store, key))
    }

    fn unlocked(&self, store: Arc<Store>, key: DataKey) -> UnlockedWallet {
        UnlockedWallet {
            inner: self.inner.clone(),
            store,
            key,
        }
    }

    /// Whether a PIN may be tried now.
    pub fn lock_state(&self) -> Result<LockState, WalletError> {
        self.inner.keeper.lock_state(self.inner.config.clock.now())
    }

    /// Deletes the wallet: its vault and every store are removed from the disk. No PIN
    /// needed: it is the way out of a forgotten PIN, and nothing readable is lost to
    /// whoever does it. Refused while the wallet is unlocked ([`WalletError::StillOpen`]).
    pub fn reset(&self) -> Result<(), WalletError> {
        self.inner.keeper.reset()
    }

    /// The wallet's directory.
    pub fn data_dir(&self) -> &Path {
        &self.inner.config.data_dir
    }
}

/// The export of everything in the wallet, for the citizen.
#[derive(Serialize)]
pub struct Export {
    pub exported_at: u64,
    pub credentials: Vec<CredentialSummary>,
    pub sharing: Vec<SharingRecord>,
    pub history: Vec<Event>,
}

impl Drop for UnlockedWallet {
    fn drop(&mut self) {
        // Whatever the calls made while unlocked left on this thread's stack goes too.
        wipe_stack();
    }
}

impl UnlockedWallet {
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    pub(crate) fn key(&self) -> &DataKey {
        &self.key
    }

    pub(crate) fn http(&self) -> &Http {
        &self.inner.http
    }

    pub fn config(&self) -> &WalletConfig {
        &self.inner.config
    }

    pub fn now(&self) -> u64 {
        self.inner.config.clock.now()
    }

    /// Checks the PIN again (approving a request needs it), counting wrong PINs.
    pub fn confirm_pin(&self, pin: &Pin) -> Result<(), WalletError> {
        let confirmed = self.inner.keeper.confirm(&self.store, pin, self.now());
        wipe_stack();
        confirmed
    }

    /// Replaces the PIN. The wallet gets a new data key and everything is moved to a new
    /// store (with the `pin_changed` event) that replaces the old one in one step; the old
    /// store is then removed, so nothing on disk opens with the old PIN. Refused while
    /// another handle of this wallet is unlocked ([`WalletError::StillOpen`]).
    pub fn change_pin(&mut self, old: &Pin, new: &Pin) -> Result<(), WalletError> {
        let now = self.now();
        let changed = self.inner.keeper.change_pin(
            (&self.store, &self.key),
            old,
            new,
            self.inner.config.kdf,
            now,
        );
        wipe_stack();
        let (store, key) = changed?;
        // The old key is zeroed as it is dropped here, the old store closed.
        self.key = key;
        self.store = store;
        self.inner.keeper.remove_unused()
    }

    /// A page of credentials, newest first.
    pub fn credentials(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<CredentialSummary>, WalletError> {
        credentials::page(self.store(), &self.key, after, limit)
    }

    /// Number of credentials held.
    pub fn credential_count(&self) -> usize {
        self.store().count(TreeId::Summaries)
    }

    /// One credential.
    pub fn credential(&self, id: &str) -> Result<CredentialSummary, WalletError> {
        credentials::get_summary(self.store(), &self.key, id)
    }

    /// Takes the credentials an offer link offers.
    pub async fn accept_offer(
        &self,
        uri: &str,
        tx_code: Option<&str>,
    ) -> Result<Vec<CredentialSummary>, WalletError> {
        issuance::accept_offer(self, uri, tx_code).await
    }

    /// Fetches fresh copies (and current data) for a credential.
    pub async fn renew(&self, id: &str) -> Result<CredentialSummary, WalletError> {
        issuance::renew(self, id).await
    }

    /// Checks expiry and revocation of every valid credential.
    pub async fn refresh_status(&self) -> Result<StatusReport, WalletError> {
        status::refresh(self).await
    }

    /// Fetches and assesses a presentation request.
    pub async fn assess_request(
        &self,
        uri: &str,
        lang: Lang,
    ) -> Result<PendingRequest, WalletError> {
        presentation::fetch_request(self, uri, lang).await
    }

    /// Verifies and assesses a request object already fetched for `link` (no network).
    pub fn assess_request_object(
        &self,
        link: &str,
        jwt: &str,
        lang: Lang,
    ) -> Result<PendingRequest, WalletError> {
        let link = protocol::oid4vp::RequestLink::parse(link, self.config().allow_http_loopback)
            .map_err(|e| WalletError::Request(e.to_string()))?;
        presentation::assess_request_object(self, &link, jwt, lang)
    }

    /// Shares what the assessment lists (the caller has confirmed the PIN).
    pub async fn approve(&self, pending: &PendingRequest) -> Result<Answered, WalletError> {
        presentation::approve(self, pending).await
    }

    /// Declines a request.
    pub async fn deny(&self, pending: &PendingRequest) -> Result<Answered, WalletError> {
        presentation::deny(self, pending).await
    }

    /// A page of history, newest first.
    pub fn history(&self, before: Option<u64>, limit: usize) -> Result<Vec<Event>, WalletError> {
        history::page(self.store(), &self.key, before, limit)
    }

    /// Which organisation has which data since when.
    pub fn sharing_overview(&self) -> Result<Vec<SharingRecord>, WalletError> {
        history::sharing_overview(self.store(), &self.key)
    }

    /// Everything, for the citizen to keep: credentials (claims, no keys), the sharing
    /// overview and the whole history.
    pub fn export(&self) -> Result<Export, WalletError> {
        let mut credentials = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = self.credentials(after.as_deref(), 500)?;
            let Some(last) = page.last() else { break };
            after = Some(last.id.clone());
            credentials.extend(page);
        }
        let mut events = Vec::new();
        let mut before = None;
        loop {
            let page = self.history(before, 1000)?;
            let Some(last) = page.last() else { break };
            before = Some(last.id);
            events.extend(page);
        }
        Ok(Export {
            exported_at: self.now(),
            credentials,
            sharing: self.sharing_overview()?,
            history: events,
        })
    }

    /// Fills the wallet for benchmarks: `credentials` copies of credential `template_id`
    /// and `events` history entries, written in large transactions.
    #[doc(hidden)]
    pub fn bulk_fill(
        &self,
        template_id: &str,
        credentials: usize,
        events: usize,
    ) -> Result<(), WalletError> {
        let template = credentials::get_record(self.store(), &self.key, template_id)?;
        let mut batch = Batch::new();
        for i in 0..credentials {
            let mut record = template.clone();
            record.summary.id = credentials::id_of(self.store().next_id()?);
            credentials::put_record(&mut batch, &self.key, &record)?;
            if i % 1000 == 999 {
                self.store().apply(std::mem::take(&mut batch))?;
            }
        }
        for i in 0..events {
            history::record(
                self.store(),
                &self.key,
                &mut batch,
                self.now(),
                EventKind::Denied {
                    party: None,
                    purpose: None,
                    reason: history::DenyReason::UnknownParty,
                },
            )?;
            if i % 5000 == 4999 {
                self.store().apply(std::mem::take(&mut batch))?;
            }
        }
        self.store().apply(batch)?;
        Ok(())
    }
}

/// The export as JSON.
pub fn export_json(export: &Export) -> Value {
    serde_json::to_value(export).unwrap_or_else(|_| json!({}))
}
