//! Sessions: one per request a relying party makes, kept in one of two stores behind
//! [`SessionStore`]: sled in the data directory (the default, one instance) or PostgreSQL
//! (`--database-url`, any number of instances on one database). In both every change of an
//! open session is atomic, so two answers racing for one session cannot both win, and a
//! finished session never changes again.
//!
//! A session has two unrelated random identifiers: its `id`, which reads the result (the
//! session API with the party's key, the demo pages with the browser's cookie), and its
//! `request_ref`, which the wallet sees in the QR code and the link. Whoever sees the QR
//! code learns only the second, and it opens nothing but the request and the response
//! endpoint.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

mod pg_store;
mod sled_store;
pub use pg_store::PgSessions;
pub use sled_store::SledSessions;

/// The verifier's one session store: whichever of the two was configured.
pub type Sessions = Box<dyn SessionStore>;

/// What the verifier does with sessions, whichever store holds them.
#[async_trait::async_trait]
pub trait SessionStore: Send + Sync {
    /// Stores a new session.
    async fn insert(&self, session: &Session) -> Result<(), SessionError>;

    /// The session with result identifier `id`.
    async fn get(&self, id: &str) -> Result<Session, SessionError>;

    /// The session a wallet-facing reference belongs to.
    async fn get_by_ref(&self, request_ref: &str) -> Result<Session, SessionError>;

    /// Changes an open session with `change`, atomically: fails with `Closed` if the session
    /// is finished or expired at `now`, or was changed by someone else meanwhile into a
    /// closed state.
    async fn update_open(
        &self,
        id: &str,
        now: u64,
        change: &(dyn for<'s> Fn(&'s mut Session) + Send + Sync),
    ) -> Result<Session, SessionError>;

    /// How many sessions are in each state at `now` (for the metrics).
    async fn count_by_state(&self, now: u64) -> Result<BTreeMap<&'static str, u64>, SessionError>;

    /// Removes every session whose time to answer ended `keep` seconds or more before `now`;
    /// returns how many. Such a session can no longer change ([`SessionStore::update_open`]
    /// refuses it), so removing it races with nothing.
    async fn purge(&self, now: u64, keep: u64) -> Result<u64, SessionError>;

    /// Whether the store can be read and written now (for `/health/ready`).
    async fn check_ready(&self) -> Result<(), SessionError>;
}

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
    /// Every state, in the order a session passes through them.
    pub const ALL: [SessionStatus; 6] = [
        SessionStatus::Pending,
        SessionStatus::Retrieved,
        SessionStatus::Done,
        SessionStatus::Denied,
        SessionStatus::Failed,
        SessionStatus::Expired,
    ];

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
    /// PostgreSQL cannot be reached (down, restarting, no connection free in time): 503.
    #[error("the session database cannot be reached: {0}")]
    DatabaseUnavailable(sqlx::Error),
    #[error("session database: {0}")]
    Database(sqlx::Error),
    /// The database could not be connected to or migrated at start.
    #[error("session database: {0}")]
    Connect(regie_ops::postgres::PgError),
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

impl From<sqlx::Error> for SessionError {
    fn from(e: sqlx::Error) -> Self {
        if regie_ops::postgres::is_unavailable(&e) {
            SessionError::DatabaseUnavailable(e)
        } else {
            SessionError::Database(e)
        }
    }
}
