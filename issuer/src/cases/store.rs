//! Where consent cases are kept: in the issuer's store, by case reference, found by the
//! person they are about (the applicant or the child), by the digest of their share link's
//! token (a copy of the database holds no usable link), and by their open verifier sessions.
use protocol::jose::{b64u_encode, sha256};

use super::model::Case;
use crate::store::{Store, StoreError};

pub struct CaseStore {
    store: Store,
    cases: sled::Tree,
    by_subject: sled::Tree,
    by_token: sled::Tree,
    open_sessions: sled::Tree,
}

fn token_key(token: &str) -> String {
    b64u_encode(sha256(token.as_bytes()))
}

fn subject_key(bsn: &str, case_ref: &str) -> Vec<u8> {
    let mut key = bsn.as_bytes().to_vec();
    key.push(0);
    key.extend_from_slice(case_ref.as_bytes());
    key
}

fn decode(bytes: &[u8]) -> Result<Case, StoreError> {
    serde_json::from_slice(bytes).map_err(|_| StoreError::Corrupt)
}

impl CaseStore {
    pub fn open(store: &Store) -> Result<CaseStore, StoreError> {
        Ok(CaseStore {
            store: store.clone(),
            cases: store.tree("cases")?,
            by_subject: store.tree("cases_by_subject")?,
            by_token: store.tree("cases_by_token")?,
            open_sessions: store.tree("cases_open_sessions")?,
        })
    }

    /// Stores a new case; `false` when its reference is taken (the caller draws another).
    pub fn insert(&self, case: &Case) -> Result<bool, StoreError> {
        let bytes = serde_json::to_vec(case).map_err(|_| StoreError::Corrupt)?;
        let fresh = self
            .cases
            .compare_and_swap(case.case_ref.as_bytes(), None::<&[u8]>, Some(bytes))?
            .is_ok();
        if !fresh {
            return Ok(false);
        }
        self.by_subject.insert(
            subject_key(&case.subject().bsn, &case.case_ref),
            case.case_ref.as_bytes(),
        )?;
        self.by_token
            .insert(token_key(&case.share_token), case.case_ref.as_bytes())?;
        self.store.flush()?;
        Ok(true)
    }

    /// Writes a changed case, and which of its sessions are still to be followed.
    pub fn update(&self, case: &Case) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(case).map_err(|_| StoreError::Corrupt)?;
        self.cases.insert(case.case_ref.as_bytes(), bytes)?;
        for session in &case.sessions {
            if session.settled {
                self.open_sessions.remove(session.session_id.as_bytes())?;
            } else {
                self.open_sessions
                    .insert(session.session_id.as_bytes(), case.case_ref.as_bytes())?;
            }
        }
        self.store.flush()
    }

    pub fn get(&self, case_ref: &str) -> Result<Option<Case>, StoreError> {
        self.cases
            .get(case_ref.as_bytes())?
            .map(|b| decode(&b))
            .transpose()
    }

    /// The case whose share link carries `token`.
    pub fn by_token(&self, token: &str) -> Result<Option<Case>, StoreError> {
        let Some(case_ref) = self.by_token.get(token_key(token))? else {
            return Ok(None);
        };
        let case_ref = String::from_utf8(case_ref.to_vec()).map_err(|_| StoreError::Corrupt)?;
        self.get(&case_ref)
    }

    /// The cases about `bsn` (as applicant or child), newest first.
    pub fn about(&self, bsn: &str) -> Result<Vec<Case>, StoreError> {
        let mut prefix = bsn.as_bytes().to_vec();
        prefix.push(0);
        let mut out = Vec::new();
        for item in self.by_subject.scan_prefix(prefix) {
            let (_, case_ref) = item?;
            let case_ref = String::from_utf8(case_ref.to_vec()).map_err(|_| StoreError::Corrupt)?;
            if let Some(case) = self.get(&case_ref)? {
                out.push(case);
            }
        }
        out.sort_by_key(|c| std::cmp::Reverse(c.created_at));
        Ok(out)
    }

    /// Every case, newest first (the clerk's overview).
    pub fn all(&self) -> Result<Vec<Case>, StoreError> {
        let mut out = Vec::new();
        for item in self.cases.iter() {
            let (_, v) = item?;
            out.push(decode(&v)?);
        }
        out.sort_by_key(|c| std::cmp::Reverse(c.created_at));
        Ok(out)
    }

    /// The references of cases with a verifier session not yet settled.
    pub fn with_open_sessions(&self) -> Result<Vec<String>, StoreError> {
        let mut out: Vec<String> = Vec::new();
        for item in self.open_sessions.iter() {
            let (_, case_ref) = item?;
            let case_ref = String::from_utf8(case_ref.to_vec()).map_err(|_| StoreError::Corrupt)?;
            if !out.contains(&case_ref) {
                out.push(case_ref);
            }
        }
        Ok(out)
    }
}
