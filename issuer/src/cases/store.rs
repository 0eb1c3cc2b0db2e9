//! Where consent cases are kept: in the issuer's store, by case reference, found by the
//! person they are about (the applicant or the child), by the digest of their share link's
//! token (a copy of the database holds no usable link), and by their open verifier sessions.
use protocol::jose::{b64u_encode, sha256};

use super::model::Case;
use crate::store::{CaseLock, CaseRow, CaseSessionRow, Store, StoreError};

pub struct CaseStore {
    store: Store,
}

fn token_key(token: &str) -> String {
    b64u_encode(sha256(token.as_bytes()))
}

fn decode(json: &str) -> Result<Case, StoreError> {
    serde_json::from_str(json).map_err(|_| StoreError::Corrupt)
}

fn encode(case: &Case) -> Result<String, StoreError> {
    serde_json::to_string(case).map_err(|_| StoreError::Corrupt)
}

/// Newest first.
fn newest_first(cases: Vec<String>) -> Result<Vec<Case>, StoreError> {
    let mut out = cases
        .iter()
        .map(|json| decode(json))
        .collect::<Result<Vec<_>, _>>()?;
    out.sort_by_key(|c| std::cmp::Reverse(c.created_at));
    Ok(out)
}

impl CaseStore {
    pub fn open(store: &Store) -> CaseStore {
        CaseStore {
            store: store.clone(),
        }
    }

    /// Waits until no other change of `case_ref` is being made, by any instance.
    pub async fn lock(&self, case_ref: &str) -> Result<CaseLock, StoreError> {
        self.store.lock_case(case_ref).await
    }

    /// Stores a new case; `false` when its reference is taken (the caller draws another).
    pub async fn insert(&self, case: &Case) -> Result<bool, StoreError> {
        let json = encode(case)?;
        let token_key = token_key(&case.share_token);
        let row = CaseRow {
            case_ref: &case.case_ref,
            subject_bsn: &case.subject().bsn,
            token_key: &token_key,
            created_at: case.created_at,
            json: &json,
        };
        self.store.insert_case(&row).await
    }

    /// Writes a changed case, and which of its sessions are still to be followed.
    pub async fn update(&self, case: &Case) -> Result<(), StoreError> {
        let sessions: Vec<CaseSessionRow> = case
            .sessions
            .iter()
            .map(|s| CaseSessionRow {
                session_id: &s.session_id,
                settled: s.settled,
            })
            .collect();
        self.store
            .update_case(&case.case_ref, &encode(case)?, &sessions)
            .await
    }

    pub async fn get(&self, case_ref: &str) -> Result<Option<Case>, StoreError> {
        self.store
            .case(case_ref)
            .await?
            .map(|json| decode(&json))
            .transpose()
    }

    /// The case whose share link carries `token`.
    pub async fn by_token(&self, token: &str) -> Result<Option<Case>, StoreError> {
        self.store
            .case_by_token(&token_key(token))
            .await?
            .map(|json| decode(&json))
            .transpose()
    }

    /// The cases about `bsn` (as applicant or child), newest first.
    pub async fn about(&self, bsn: &str) -> Result<Vec<Case>, StoreError> {
        newest_first(self.store.cases_about(bsn).await?)
    }

    /// Every case, newest first (the clerk's overview).
    pub async fn all(&self) -> Result<Vec<Case>, StoreError> {
        newest_first(self.store.all_cases().await?)
    }

    /// The references of cases with a verifier session not yet settled.
    pub async fn with_open_sessions(&self) -> Result<Vec<String>, StoreError> {
        self.store.cases_with_open_sessions().await
    }
}
