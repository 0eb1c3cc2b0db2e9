//! Consent cases, the portal's logins and correction requests, and life events on sled, in
//! the trees they had before the store had an interface (so existing data directories read
//! as they are).
use async_trait::async_trait;

use super::interface::{CaseLock, CaseRecords, LifeEventRecords, PortalRecords};
use super::records::{CaseRow, CaseSessionRow, CorrectionRow, Login, LoginAttemptRow};
use super::sled_store::{be_u64, off_request_threads, SledStore};
use super::{decode, encode, StoreError};

/// The key of a case in the subject index: the BSN, a zero byte, the case reference.
fn subject_key(bsn: &str, case_ref: &str) -> Vec<u8> {
    let mut key = bsn.as_bytes().to_vec();
    key.push(0);
    key.extend_from_slice(case_ref.as_bytes());
    key
}

fn text(bytes: &[u8]) -> Result<String, StoreError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| StoreError::Corrupt)
}

fn texts(tree: &sled::Tree) -> Result<Vec<String>, StoreError> {
    tree.iter()
        .map(|item| text(&item?.1))
        .collect::<Result<_, _>>()
}

#[async_trait]
impl CaseRecords for SledStore {
    async fn lock_case(&self, _case_ref: &str) -> Result<CaseLock, StoreError> {
        Ok(CaseLock::new(self.case_changes.clone().lock_owned().await))
    }

    async fn insert_case(&self, case: &CaseRow<'_>) -> Result<bool, StoreError> {
        let fresh = self
            .cases
            .compare_and_swap(case.case_ref, None::<&[u8]>, Some(case.json.as_bytes()))?
            .is_ok();
        if !fresh {
            return Ok(false);
        }
        self.cases_by_subject
            .insert(subject_key(case.subject_bsn, case.case_ref), case.case_ref)?;
        self.cases_by_token.insert(case.token_key, case.case_ref)?;
        self.flush_db()?;
        Ok(true)
    }

    async fn update_case(
        &self,
        case_ref: &str,
        json: &str,
        sessions: &[CaseSessionRow<'_>],
    ) -> Result<(), StoreError> {
        self.cases.insert(case_ref, json.as_bytes())?;
        for session in sessions {
            if session.settled {
                self.cases_open_sessions.remove(session.session_id)?;
            } else {
                self.cases_open_sessions
                    .insert(session.session_id, case_ref)?;
            }
        }
        self.flush_db()
    }

    async fn case(&self, case_ref: &str) -> Result<Option<String>, StoreError> {
        self.cases.get(case_ref)?.map(|b| text(&b)).transpose()
    }

    async fn case_by_token(&self, token_key: &str) -> Result<Option<String>, StoreError> {
        let Some(case_ref) = self.cases_by_token.get(token_key)? else {
            return Ok(None);
        };
        self.case(&text(&case_ref)?).await
    }

    async fn cases_about(&self, bsn: &str) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        for item in self.cases_by_subject.scan_prefix(subject_key(bsn, "")) {
            if let Some(case) = self.case(&text(&item?.1)?).await? {
                out.push(case);
            }
        }
        Ok(out)
    }

    async fn all_cases(&self) -> Result<Vec<String>, StoreError> {
        texts(&self.cases)
    }

    async fn cases_with_open_sessions(&self) -> Result<Vec<String>, StoreError> {
        let mut out = texts(&self.cases_open_sessions)?;
        out.sort();
        out.dedup();
        Ok(out)
    }
}

impl SledStore {
    fn purge_logins_now(&self, now: u64) -> Result<u64, StoreError> {
        let mut removed = 0;
        for entry in self.logins.iter() {
            let (key, bytes) = entry?;
            if decode::<Login>(&bytes).is_ok_and(|login| login.expires_at <= now) {
                self.logins.remove(&key)?;
                removed += 1;
            }
        }
        for entry in self.clerk_logins.iter() {
            let (key, bytes) = entry?;
            if be_u64(&bytes).is_some_and(|expiry| expiry <= now) {
                self.clerk_logins.remove(&key)?;
                removed += 1;
            }
        }
        for entry in self.login_attempts.iter() {
            let (key, bytes) = entry?;
            if decode::<LoginAttemptRow>(&bytes).is_ok_and(|row| row.expires_at <= now) {
                self.login_attempts.remove(&key)?;
                removed += 1;
            }
        }
        if removed > 0 {
            self.flush_db()?;
        }
        Ok(removed)
    }
}

#[async_trait]
impl PortalRecords for SledStore {
    async fn put_login(&self, key: &str, login: &Login) -> Result<(), StoreError> {
        self.logins.insert(key, encode(login)?)?;
        self.flush_db()
    }

    async fn login(&self, key: &str) -> Result<Option<Login>, StoreError> {
        self.logins.get(key)?.map(|b| decode(&b)).transpose()
    }

    async fn remove_login(&self, key: &str) -> Result<(), StoreError> {
        self.logins.remove(key)?;
        self.flush_db()
    }

    async fn put_clerk(&self, key: &str, expires_at: u64) -> Result<(), StoreError> {
        self.clerk_logins.insert(key, &expires_at.to_be_bytes())?;
        self.flush_db()
    }

    async fn clerk_expiry(&self, key: &str) -> Result<Option<u64>, StoreError> {
        self.clerk_logins
            .get(key)?
            .map(|b| be_u64(&b).ok_or(StoreError::Corrupt))
            .transpose()
    }

    async fn remove_clerk(&self, key: &str) -> Result<(), StoreError> {
        self.clerk_logins.remove(key)?;
        self.flush_db()
    }

    async fn put_login_attempt(&self, key: &str, row: &LoginAttemptRow) -> Result<(), StoreError> {
        self.login_attempts.insert(key, encode(row)?)?;
        self.flush_db()
    }

    async fn take_login_attempt(&self, key: &str) -> Result<Option<LoginAttemptRow>, StoreError> {
        // sled's remove returns the value it removed, atomically: one taker gets it.
        let taken = self.login_attempts.remove(key)?;
        self.flush_db()?;
        taken.map(|b| decode(&b)).transpose()
    }

    /// A browser that never logged out otherwise left its login on disk for good.
    async fn purge_logins(&self, now: u64) -> Result<u64, StoreError> {
        let store = self.clone();
        off_request_threads(move || store.purge_logins_now(now)).await
    }

    async fn put_correction(&self, correction: &CorrectionRow<'_>) -> Result<(), StoreError> {
        self.corrections
            .insert(correction.id, correction.json.as_bytes())?;
        self.flush_db()
    }

    async fn correction(&self, id: &str) -> Result<Option<String>, StoreError> {
        self.corrections.get(id)?.map(|b| text(&b)).transpose()
    }

    /// sled keeps no index by BSN: every request is read, and its `bsn` field compared.
    async fn corrections(&self, bsn: Option<&str>) -> Result<Vec<String>, StoreError> {
        #[derive(serde::Deserialize)]
        struct Owner {
            bsn: String,
        }
        let mut out = Vec::new();
        for json in texts(&self.corrections)? {
            let owner: Owner = decode(json.as_bytes())?;
            if bsn.is_none_or(|b| b == owner.bsn) {
                out.push(json);
            }
        }
        Ok(out)
    }
}

#[async_trait]
impl LifeEventRecords for SledStore {
    /// Keyed by sled's id generator: increasing (with gaps) across restarts, so the tree's
    /// order is the order the events happened in.
    async fn append_life_event(&self, json: &str) -> Result<(), StoreError> {
        let id = self.db.generate_id()?;
        self.life_events.insert(id.to_be_bytes(), json.as_bytes())?;
        self.flush_db()
    }

    async fn life_events(&self) -> Result<Vec<String>, StoreError> {
        texts(&self.life_events)
    }
}
