//! Sessions in sled: one per request a relying party makes. Every change is a
//! compare-and-swap on the stored session, so two answers racing for one session cannot
//! both win, and a finished session never changes again.
//!
//! A session has two unrelated random identifiers: its `id`, which reads the result (the
//! session API with the party's key, the demo pages with the browser's cookie), and its
//! `request_ref`, which the wallet sees in the QR code and the link. Whoever sees the QR
//! code learns only the second, and it opens nothing but the request and the response
//! endpoint.
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::not_durable::{Durable, NotDurable};

/// Where a session stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// Waiting for the wallet to fetch the request.
    Pending,
    /// The wallet fetched the request; waiting for the answer.
    Retrieved,
    /// Verified claims are available.
    Done,
    /// The citizen declined ("geweigerd").
    Denied,
    /// The answer did not verify; `reason` says why.
    Failed,
    /// No answer in time.
    Expired,
}

impl SessionStatus {
    /// Whether the session can still be answered.
    pub fn open(self) -> bool {
        matches!(self, SessionStatus::Pending | SessionStatus::Retrieved)
    }

    /// The Dutch word the demo pages and the API show.
    pub fn dutch(self) -> &'static str {
        match self {
            SessionStatus::Pending => "wacht op scan",
            SessionStatus::Retrieved => "wacht op toestemming",
            SessionStatus::Done => "ontvangen en gecontroleerd",
            SessionStatus::Denied => "geweigerd",
            SessionStatus::Failed => "mislukt",
            SessionStatus::Expired => "verlopen",
        }
    }

    /// The state as the API writes it (`pending`, `done`, ...).
    pub fn code(self) -> &'static str {
        match self {
            SessionStatus::Pending => "pending",
            SessionStatus::Retrieved => "retrieved",
            SessionStatus::Done => "done",
            SessionStatus::Denied => "denied",
            SessionStatus::Failed => "failed",
            SessionStatus::Expired => "expired",
        }
    }

    pub fn english(self) -> &'static str {
        match self {
            SessionStatus::Pending => "waiting for a scan",
            SessionStatus::Retrieved => "waiting for consent",
            SessionStatus::Done => "received and verified",
            SessionStatus::Denied => "declined",
            SessionStatus::Failed => "failed",
            SessionStatus::Expired => "expired",
        }
    }
}

/// One request of a relying party.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// The result's identifier: never shown to the wallet or in the QR code.
    pub id: String,
    /// The wallet-facing reference: in `request_uri`, and the request's `state`, by which the
    /// one response endpoint finds the session. (Sessions stored with a separate `state`
    /// field keep it on disk unread.)
    #[serde(default)]
    pub request_ref: String,
    pub party_id: String,
    pub purpose: String,
    pub dcql_query: Value,
    pub transaction_data: Vec<Value>,
    pub nonce: String,
    pub created_at: u64,
    pub expires_at: u64,
    pub status: SessionStatus,
    /// Why it failed (no personal data).
    pub reason: Option<String>,
    /// The verified claims per credential query id.
    pub claims: Option<Value>,
    /// The presentations as received, kept only for consent statements (transaction data),
    /// which are signed evidence to be re-verified later.
    #[serde(default)]
    pub presentations: Option<Value>,
    /// When the verified answer arrived.
    #[serde(default)]
    pub answered_at: Option<u64>,
    /// The signed request object last handed to a wallet, kept for consent statements: it
    /// binds the relying party, purpose, nonce and statements by the party's signature.
    #[serde(default)]
    pub request_object: Option<String>,
    /// How many answers were refused while the session stayed open.
    #[serde(default)]
    pub refused_answers: u32,
    /// SHA-256 (base64url) of the cookie of the browser that started the session on a demo
    /// page; `None` for sessions made through the API, which no page shows.
    #[serde(default)]
    pub viewer_digest: Option<String>,
}

impl Session {
    /// The status at `now`: an open session past its time is expired.
    pub fn status_at(&self, now: u64) -> SessionStatus {
        if self.status.open() && now >= self.expires_at {
            SessionStatus::Expired
        } else {
            self.status
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The store could not be opened at start: names the directory and the operating
    /// system's reason (full disk, read-only file system, no permission).
    #[error("cannot open the session store in {}: {source}", dir.display())]
    Open {
        dir: std::path::PathBuf,
        source: sled::Error,
    },
    /// Reading or writing the data directory failed while running (full disk, read-only
    /// file system, I/O error): answered 503; sled refuses further writes until a restart,
    /// reads go on.
    #[error("the data directory cannot be written: {}", io_cause(.0))]
    Unavailable(std::io::Error),
    #[error("session store: {0}")]
    Db(sled::Error),
    #[error("session store holds damaged data")]
    Damaged,
    #[error("no such session")]
    Unknown,
    #[error("the session is finished or expired")]
    Closed,
}

/// The operating system's reason in words. After its first I/O error sled hands out copies
/// that carry the original only as debug text, so those are named by their kind
/// ("no storage space", "read-only filesystem or storage medium").
fn io_cause(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(_) => e.to_string(),
        None => e.kind().to_string(),
    }
}

impl From<sled::Error> for SessionError {
    fn from(e: sled::Error) -> Self {
        match e {
            sled::Error::Io(e) => SessionError::Unavailable(e),
            other => SessionError::Db(other),
        }
    }
}

/// The session store.
pub struct Sessions {
    tree: sled::Tree,
    /// `request_ref` → `id`.
    by_ref: sled::Tree,
    db: sled::Db,
    /// Sessions whose last write a failed flush left in memory only: reads return what is
    /// on disk, so an answer refused with 503 is not shown as done and then lost.
    not_durable: NotDurable,
}

impl Sessions {
    pub fn open(dir: &Path) -> Result<Sessions, SessionError> {
        // Whatever fails while opening is reported with the directory, so the operator sees
        // which one is full or read-only.
        let open = || -> Result<Sessions, sled::Error> {
            let db = regie_ops::sled_db::open(dir)?;
            Ok(Sessions {
                tree: db.open_tree("sessions")?,
                by_ref: db.open_tree("request_refs")?,
                db,
                not_durable: NotDurable::default(),
            })
        };
        open().map_err(|source| SessionError::Open {
            dir: dir.to_owned(),
            source,
        })
    }

    pub fn insert(&self, session: &Session) -> Result<(), SessionError> {
        let bytes = serde_json::to_vec(session).map_err(|_| SessionError::Damaged)?;
        let written = (|| -> Result<(), SessionError> {
            self.tree.insert(session.id.as_bytes(), bytes)?;
            // After the session: a reference never points at nothing that could later appear.
            self.by_ref
                .insert(session.request_ref.as_bytes(), session.id.as_bytes())?;
            self.db.flush()?;
            Ok(())
        })();
        if written.is_err() {
            // Not on disk: unknown until a restart, as it will be after one.
            self.not_durable
                .record("sessions", session.id.as_bytes(), None);
        }
        written
    }

    /// How many sessions are in each state at `now` (for the metrics; reads every session).
    pub fn count_by_state(
        &self,
        now: u64,
    ) -> Result<std::collections::BTreeMap<&'static str, u64>, SessionError> {
        let mut counts = std::collections::BTreeMap::new();
        for entry in self.tree.iter() {
            let (id, bytes) = entry?;
            let bytes = match self.not_durable.read("sessions", &id) {
                Durable::Live => bytes.to_vec(),
                Durable::Version(Some(v)) => v,
                Durable::Version(None) => continue,
            };
            let session: Session =
                serde_json::from_slice(&bytes).map_err(|_| SessionError::Damaged)?;
            *counts.entry(session.status_at(now).code()).or_insert(0) += 1;
        }
        Ok(counts)
    }

    /// Removes every session whose time to answer ended `keep` seconds or more before `now`,
    /// with its wallet-facing reference; returns how many. Such a session can no longer
    /// change ([`Sessions::update_open`] refuses it), so removing it races with nothing.
    pub fn purge(&self, now: u64, keep: u64) -> Result<u64, SessionError> {
        let mut removed = 0;
        for entry in self.tree.iter() {
            let (id, bytes) = entry?;
            let Ok(session) = serde_json::from_slice::<Session>(&bytes) else {
                // Damaged data is left for an operator to see, not silently dropped.
                continue;
            };
            if now < session.expires_at.saturating_add(keep) {
                continue;
            }
            // The reference first: it never points at nothing that could reappear.
            self.by_ref.remove(session.request_ref.as_bytes())?;
            self.tree.remove(&id)?;
            removed += 1;
        }
        if removed > 0 {
            self.db.flush()?;
        }
        Ok(removed)
    }

    /// Makes everything written durable; fails with the store's I/O error once sled has met
    /// one (it then refuses writes until a restart).
    pub fn flush(&self) -> Result<(), SessionError> {
        self.db.flush()?;
        Ok(())
    }

    pub fn get(&self, id: &str) -> Result<Session, SessionError> {
        let bytes = match self.not_durable.read("sessions", id.as_bytes()) {
            Durable::Live => self.tree.get(id.as_bytes())?.map(|b| b.to_vec()),
            Durable::Version(v) => v,
        }
        .ok_or(SessionError::Unknown)?;
        serde_json::from_slice(&bytes).map_err(|_| SessionError::Damaged)
    }

    /// The session a wallet-facing reference belongs to.
    pub fn get_by_ref(&self, request_ref: &str) -> Result<Session, SessionError> {
        if request_ref.is_empty() {
            return Err(SessionError::Unknown);
        }
        let id = self
            .by_ref
            .get(request_ref.as_bytes())?
            .ok_or(SessionError::Unknown)?;
        let id = std::str::from_utf8(&id).map_err(|_| SessionError::Damaged)?;
        self.get(id)
    }

    /// Changes an open session with `change`, atomically: fails with `Closed` if the session
    /// is finished or expired at `now`, or was changed by someone else meanwhile into a
    /// closed state.
    pub fn update_open(
        &self,
        id: &str,
        now: u64,
        change: impl Fn(&mut Session),
    ) -> Result<Session, SessionError> {
        if let Durable::Version(_) = self.not_durable.read("sessions", id.as_bytes()) {
            // An earlier change of this session did not reach the disk, so neither would
            // this one: the store's own error (a flush reports it) rather than a decision
            // taken on a state the disk does not have.
            self.db.flush()?;
        }
        loop {
            let old_bytes = self.tree.get(id.as_bytes())?.ok_or(SessionError::Unknown)?;
            let mut session: Session =
                serde_json::from_slice(&old_bytes).map_err(|_| SessionError::Damaged)?;
            if !session.status_at(now).open() {
                return Err(SessionError::Closed);
            }
            change(&mut session);
            let new_bytes = serde_json::to_vec(&session).map_err(|_| SessionError::Damaged)?;
            match self.tree.compare_and_swap(
                id.as_bytes(),
                Some(old_bytes.clone()),
                Some(new_bytes),
            )? {
                Ok(()) => {
                    if let Err(e) = self.db.flush() {
                        // The change is in memory only: it is not shown until a restart
                        // (which drops it, as the client was told with a 503).
                        self.not_durable
                            .record("sessions", id.as_bytes(), Some(&old_bytes));
                        return Err(e.into());
                    }
                    return Ok(session);
                }
                Err(_) => continue,
            }
        }
    }
}
