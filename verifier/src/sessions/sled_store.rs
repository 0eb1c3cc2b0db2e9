//! Sessions in sled, in the data directory: the default store, for one instance. Every
//! change is a compare-and-swap on the stored session.
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::{Session, SessionError, SessionStore};
use crate::not_durable::{Durable, NotDurable};

/// The session store in sled. Cloning shares the same store (the scans run off the request
/// threads on a clone).
#[derive(Clone)]
pub struct SledSessions {
    inner: Arc<Trees>,
}

struct Trees {
    tree: sled::Tree,
    /// `request_ref` → `id`.
    by_ref: sled::Tree,
    db: sled::Db,
    /// Sessions whose last write a failed flush left in memory only: reads return what is
    /// on disk, so an answer refused with 503 is not shown as done and then lost.
    not_durable: NotDurable,
}

impl SledSessions {
    pub fn open(dir: &Path) -> Result<SledSessions, SessionError> {
        // Whatever fails while opening is reported with the directory, so the operator sees
        // which one is full or read-only.
        let open = || -> Result<SledSessions, sled::Error> {
            let db = regie_ops::sled_db::open(dir)?;
            Ok(SledSessions {
                inner: Arc::new(Trees {
                    tree: db.open_tree("sessions")?,
                    by_ref: db.open_tree("request_refs")?,
                    db,
                    not_durable: NotDurable::default(),
                }),
            })
        };
        open().map_err(|source| SessionError::Open {
            dir: dir.to_owned(),
            source,
        })
    }
}

impl Trees {
    fn insert(&self, session: &Session) -> Result<(), SessionError> {
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

    /// Reads every session.
    fn count_by_state(&self, now: u64) -> Result<BTreeMap<&'static str, u64>, SessionError> {
        let mut counts = BTreeMap::new();
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
    fn purge(&self, now: u64, keep: u64) -> Result<u64, SessionError> {
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
    fn flush(&self) -> Result<(), SessionError> {
        self.db.flush()?;
        Ok(())
    }

    fn get(&self, id: &str) -> Result<Session, SessionError> {
        let bytes = match self.not_durable.read("sessions", id.as_bytes()) {
            Durable::Live => self.tree.get(id.as_bytes())?.map(|b| b.to_vec()),
            Durable::Version(v) => v,
        }
        .ok_or(SessionError::Unknown)?;
        serde_json::from_slice(&bytes).map_err(|_| SessionError::Damaged)
    }

    /// The session a wallet-facing reference belongs to.
    fn get_by_ref(&self, request_ref: &str) -> Result<Session, SessionError> {
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
    fn update_open(
        &self,
        id: &str,
        now: u64,
        change: &(dyn for<'s> Fn(&'s mut Session) + Send + Sync),
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

#[async_trait::async_trait]
impl SessionStore for SledSessions {
    async fn insert(&self, session: &Session) -> Result<(), SessionError> {
        self.inner.insert(session)
    }

    async fn get(&self, id: &str) -> Result<Session, SessionError> {
        self.inner.get(id)
    }

    async fn get_by_ref(&self, request_ref: &str) -> Result<Session, SessionError> {
        self.inner.get_by_ref(request_ref)
    }

    async fn update_open(
        &self,
        id: &str,
        now: u64,
        change: &(dyn for<'s> Fn(&'s mut Session) + Send + Sync),
    ) -> Result<Session, SessionError> {
        self.inner.update_open(id, now, change)
    }

    async fn count_by_state(&self, now: u64) -> Result<BTreeMap<&'static str, u64>, SessionError> {
        let inner = self.inner.clone();
        off_request_threads(move || inner.count_by_state(now)).await
    }

    async fn purge(&self, now: u64, keep: u64) -> Result<u64, SessionError> {
        let inner = self.inner.clone();
        off_request_threads(move || inner.purge(now, keep)).await
    }

    /// Writes (after a full disk or a read-only file system sled refuses writes until a
    /// restart) and reads (`health-probe` is an id no session has).
    async fn check_ready(&self) -> Result<(), SessionError> {
        self.inner.flush()?;
        match self.inner.get("health-probe") {
            Ok(_) | Err(SessionError::Unknown) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// Runs a scan of every session on the blocking pool: sled's calls block.
async fn off_request_threads<T: Send + 'static>(
    scan: impl FnOnce() -> Result<T, SessionError> + Send + 'static,
) -> Result<T, SessionError> {
    tokio::task::spawn_blocking(scan)
        .await
        .map_err(|_| SessionError::Damaged)?
}
