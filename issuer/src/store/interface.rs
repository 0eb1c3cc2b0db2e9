//! The one storage interface of the issuer, in four parts by what they keep. Both stores
//! implement all four: sled (embedded, the default) and PostgreSQL (several instances on one
//! database). A single-use value (code, token, nonce) is taken atomically, so of two
//! instances taking it at once only one gets it.
use async_trait::async_trait;

use protocol::status_list::StatusList;

use super::records::{
    CaseRow, CaseSessionRow, CorrectionRow, CredentialRecord, Login, LoginAttemptRow, OfferRecord,
    RefreshRecord, TokenRecord,
};
use super::{StatusSlot, StoreError};

/// Offers, codes, tokens, nonces, issued copies and the status lists.
#[async_trait]
pub trait CredentialStore: Send + Sync {
    /// Stores an offer and its pre-authorized code.
    async fn put_offer(&self, offer: &OfferRecord, code: &str) -> Result<(), StoreError>;
    async fn offer(&self, id: &str) -> Result<Option<OfferRecord>, StoreError>;
    /// Takes a pre-authorized code: it works once.
    async fn take_code(&self, code: &str) -> Result<Option<OfferRecord>, StoreError>;
    async fn put_token(&self, token: &str, record: &TokenRecord) -> Result<(), StoreError>;
    /// Takes an access token: one credential request per token.
    async fn take_token(&self, token: &str) -> Result<Option<TokenRecord>, StoreError>;
    async fn put_refresh_token(
        &self,
        token: &str,
        record: &RefreshRecord,
    ) -> Result<(), StoreError>;
    /// Takes a refresh token: each is used once and replaced by a new one (rotation), so a
    /// copied token stops working as soon as either party uses it.
    async fn take_refresh_token(&self, token: &str) -> Result<Option<RefreshRecord>, StoreError>;
    /// Stores a nonce valid until `expires_at`.
    async fn put_nonce(&self, nonce: &str, expires_at: u64) -> Result<(), StoreError>;
    /// Takes a nonce; returns its expiry if it existed.
    async fn take_nonce(&self, nonce: &str) -> Result<Option<u64>, StoreError>;

    /// Hands out `count` fresh status positions, densely, never one twice (not across
    /// instances, restarts or crashes; a crash may leave a few unused). When a list is full
    /// the next one begins. Index 0 of every list stays unused as a canary.
    async fn allocate_status_slots(&self, count: u64) -> Result<Vec<StatusSlot>, StoreError>;
    /// The highest list id in use (at least 1): lists up to it are served.
    async fn current_list(&self) -> Result<u64, StoreError>;
    /// List `list` as stored, or `None` when no bit of it was set yet.
    async fn stored_status_list(&self, list: u64) -> Result<Option<StatusList>, StoreError>;
    /// Entries per status list.
    fn list_size(&self) -> u64;

    /// Records an issued copy (a printed document), durably.
    async fn put_credential(&self, record: &CredentialRecord) -> Result<(), StoreError>;
    /// Records the copies of one credential response and marks their offer collected, all
    /// or nothing, and durably before the wallet gets them: a copy that left without its
    /// record could not be revoked.
    async fn record_issued(
        &self,
        records: &[CredentialRecord],
        offer_id: &str,
    ) -> Result<(), StoreError>;
    /// All credential copies issued to `bsn`.
    async fn credentials_of(&self, bsn: &str) -> Result<Vec<CredentialRecord>, StoreError>;
    /// Marks a copy revoked and sets its status bit, together; never undone.
    async fn write_revocation(&self, id: &str) -> Result<CredentialRecord, StoreError>;
    /// Renewals of `grant` end: its refresh tokens stop working.
    async fn end_grant(&self, grant: &str) -> Result<(), StoreError>;
    async fn grant_ended(&self, grant: &str) -> Result<bool, StoreError>;

    /// Removes offers (an hour after they expired), their codes, and tokens and nonces that
    /// expired by `now`; returns how many records went. Issued copies and lists stay.
    async fn purge_expired(&self, now: u64) -> Result<u64, StoreError>;
    /// Whether the store reads and writes (for `/health/ready`).
    async fn check_ready(&self) -> Result<(), StoreError>;
    /// Makes what was written so far durable. Synchronous, so that a guard can call it when
    /// a request ends however it ends; a store whose writes are durable when they return
    /// has nothing to do.
    fn flush(&self) -> Result<(), StoreError>;

    /// Revokes a credential copy: marks the record and flips its status bit.
    async fn revoke(&self, id: &str) -> Result<CredentialRecord, StoreError> {
        let record = self.write_revocation(id).await?;
        regie_ops::metrics().event(
            "credential_revoked",
            &[("credential_type", &record.credential_type)],
            1,
        );
        Ok(record)
    }

    /// Revokes a copy because the wallet that holds it is lost, stolen or no longer trusted
    /// (the citizen's or the back office's revocation): besides the status bit, the grant
    /// that brought it can no longer be renewed. A revocation because the data changed (a
    /// move) uses [`CredentialStore::revoke`] and keeps renewal.
    async fn revoke_and_end_renewal(&self, id: &str) -> Result<CredentialRecord, StoreError> {
        let record = self.revoke(id).await?;
        let grant = record.grant();
        if !grant.is_empty() {
            self.end_grant(grant).await?;
        }
        Ok(record)
    }

    /// One fresh status position.
    async fn allocate_status_slot(&self) -> Result<StatusSlot, StoreError> {
        self.allocate_status_slots(1)
            .await?
            .pop()
            .ok_or(StoreError::Corrupt)
    }

    /// Status list `list_id`, or `None` when no list of that id has been started.
    async fn status_list(&self, list_id: &str) -> Result<Option<StatusList>, StoreError> {
        // Only canonical ids ("2", not "02" or "+2") name a list, so each has one URI.
        let Ok(list) = list_id.parse::<u64>() else {
            return Ok(None);
        };
        if list == 0 || list.to_string() != list_id || list > self.current_list().await? {
            return Ok(None);
        }
        match self.stored_status_list(list).await? {
            Some(list) => Ok(Some(list)),
            None => StatusList::new(1, self.list_size())
                .map(Some)
                .map_err(|_| StoreError::Corrupt),
        }
    }
}

/// Held while one change of a case is made (read, ask the verifier, write): released when
/// dropped.
pub struct CaseLock {
    _held: Box<dyn Send + Sync>,
}

impl CaseLock {
    pub(super) fn new(held: impl Send + Sync + 'static) -> CaseLock {
        CaseLock {
            _held: Box::new(held),
        }
    }
}

/// Consent cases.
#[async_trait]
pub trait CaseRecords: Send + Sync {
    /// Waits until no other change of case `case_ref` is being made, by this instance or any
    /// other on the same store: a consent arriving by session and by upload at once, through
    /// two instances, must not both be counted.
    async fn lock_case(&self, case_ref: &str) -> Result<CaseLock, StoreError>;
    /// Stores a new case; `false` when its reference is taken (the caller draws another).
    async fn insert_case(&self, case: &CaseRow<'_>) -> Result<bool, StoreError>;
    /// Writes a changed case, and which of its verifier sessions are still followed.
    async fn update_case(
        &self,
        case_ref: &str,
        json: &str,
        sessions: &[CaseSessionRow<'_>],
    ) -> Result<(), StoreError>;
    async fn case(&self, case_ref: &str) -> Result<Option<String>, StoreError>;
    /// The case whose share link's token has digest `token_key`.
    async fn case_by_token(&self, token_key: &str) -> Result<Option<String>, StoreError>;
    /// The cases about `bsn`, in no particular order.
    async fn cases_about(&self, bsn: &str) -> Result<Vec<String>, StoreError>;
    /// Every case, in no particular order.
    async fn all_cases(&self) -> Result<Vec<String>, StoreError>;
    /// The references of cases with a verifier session not yet settled, each once.
    async fn cases_with_open_sessions(&self) -> Result<Vec<String>, StoreError>;
}

/// The portal's logins (by the digest of their cookie) and correction requests.
#[async_trait]
pub trait PortalRecords: Send + Sync {
    async fn put_login(&self, key: &str, login: &Login) -> Result<(), StoreError>;
    async fn login(&self, key: &str) -> Result<Option<Login>, StoreError>;
    async fn remove_login(&self, key: &str) -> Result<(), StoreError>;
    /// A clerk logged in at the desk until `expires_at`.
    async fn put_clerk(&self, key: &str, expires_at: u64) -> Result<(), StoreError>;
    /// Until when the clerk's login of `key` lasts, if there is one.
    async fn clerk_expiry(&self, key: &str) -> Result<Option<u64>, StoreError>;
    async fn remove_clerk(&self, key: &str) -> Result<(), StoreError>;
    /// Keeps a login begun at the OpenID Connect provider.
    async fn put_login_attempt(&self, key: &str, row: &LoginAttemptRow) -> Result<(), StoreError>;
    /// Takes a login attempt: the provider's answer to it is accepted once, by one instance.
    async fn take_login_attempt(&self, key: &str) -> Result<Option<LoginAttemptRow>, StoreError>;
    /// Removes the citizens' and clerks' logins and the login attempts that ended by `now`;
    /// returns how many.
    async fn purge_logins(&self, now: u64) -> Result<u64, StoreError>;
    async fn put_correction(&self, correction: &CorrectionRow<'_>) -> Result<(), StoreError>;
    async fn correction(&self, id: &str) -> Result<Option<String>, StoreError>;
    /// All correction requests, or those of `bsn`, in no particular order.
    async fn corrections(&self, bsn: Option<&str>) -> Result<Vec<String>, StoreError>;
}

/// Life events recorded in the BRP through the issuer, kept to be replayed at start.
#[async_trait]
pub trait LifeEventRecords: Send + Sync {
    async fn append_life_event(&self, json: &str) -> Result<(), StoreError>;
    /// Every recorded event, oldest first.
    async fn life_events(&self) -> Result<Vec<String>, StoreError>;
}

/// All of the issuer's state.
pub trait IssuerStore: CredentialStore + CaseRecords + PortalRecords + LifeEventRecords {}

impl<T: CredentialStore + CaseRecords + PortalRecords + LifeEventRecords> IssuerStore for T {}
