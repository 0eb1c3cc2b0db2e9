//! What the portal keeps: logged-in sessions (by the digest of their cookie, so a copy of the
//! database holds no usable session) and citizens' correction requests.
use protocol::jose::{b64u_encode, sha256};
use serde::{Deserialize, Serialize};

use super::oidc_login::LoginAttempt;
pub use crate::store::Login;
use crate::store::{CorrectionRow, LoginAttemptRow, Store, StoreError};

/// How long a portal login lasts.
pub const LOGIN_TTL: u64 = 30 * 60;
/// Longest explanation in a correction request.
pub const MAX_EXPLANATION: usize = 1000;

/// Where a correction request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectionState {
    Ontvangen,
    InBehandeling,
    Afgehandeld,
}

impl CorrectionState {
    pub fn from_id(id: &str) -> Option<CorrectionState> {
        match id {
            "ontvangen" => Some(CorrectionState::Ontvangen),
            "in_behandeling" => Some(CorrectionState::InBehandeling),
            "afgehandeld" => Some(CorrectionState::Afgehandeld),
            _ => None,
        }
    }

    pub fn text(self, lang: regie_web::Lang) -> &'static str {
        match self {
            CorrectionState::Ontvangen => lang.t("ontvangen", "received"),
            CorrectionState::InBehandeling => lang.t("in behandeling", "being handled"),
            CorrectionState::Afgehandeld => lang.t("afgehandeld", "handled"),
        }
    }
}

/// A citizen's "Klopt er iets niet?".
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Correction {
    pub id: String,
    pub bsn: String,
    /// The attribute's claim name, or `anders`.
    pub attribute: String,
    pub explanation: String,
    pub created_at: u64,
    pub state: CorrectionState,
    /// The municipality's answer, once there is one.
    #[serde(default)]
    pub answer: Option<String>,
}

#[derive(Clone)]
pub struct PortalStore {
    store: Store,
}

fn login_key(cookie: &str) -> String {
    b64u_encode(sha256(cookie.as_bytes()))
}

fn decode(json: &str) -> Result<Correction, StoreError> {
    serde_json::from_str(json).map_err(|_| StoreError::Corrupt)
}

impl PortalStore {
    pub fn open(store: &Store) -> PortalStore {
        PortalStore {
            store: store.clone(),
        }
    }

    pub async fn put_login(&self, cookie: &str, login: &Login) -> Result<(), StoreError> {
        self.store.put_login(&login_key(cookie), login).await
    }

    /// The login of `cookie` if it has not expired at `now`.
    pub async fn login(&self, cookie: &str, now: u64) -> Result<Option<Login>, StoreError> {
        let login = self.store.login(&login_key(cookie)).await?;
        Ok(login.filter(|login| login.expires_at > now))
    }

    pub async fn remove_login(&self, cookie: &str) -> Result<(), StoreError> {
        self.store.remove_login(&login_key(cookie)).await
    }

    /// A clerk logged in at the desk until `expires_at`.
    pub async fn put_clerk(&self, cookie: &str, expires_at: u64) -> Result<(), StoreError> {
        self.store.put_clerk(&login_key(cookie), expires_at).await
    }

    /// Whether `cookie` is a clerk's login that has not expired at `now`.
    pub async fn is_clerk(&self, cookie: &str, now: u64) -> Result<bool, StoreError> {
        let expiry = self.store.clerk_expiry(&login_key(cookie)).await?;
        Ok(expiry.is_some_and(|expires| expires > now))
    }

    /// Keeps a login begun at the OpenID Connect provider under the digest of its `state`.
    pub async fn put_login_attempt(
        &self,
        state: &str,
        attempt: &LoginAttempt,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        let row = LoginAttemptRow {
            expires_at,
            data: serde_json::to_string(attempt).map_err(|_| StoreError::Corrupt)?,
        };
        self.store.put_login_attempt(&login_key(state), &row).await
    }

    /// Takes the login attempt of `state` if it has not expired at `now`: once only.
    pub async fn take_login_attempt(
        &self,
        state: &str,
        now: u64,
    ) -> Result<Option<LoginAttempt>, StoreError> {
        let Some(mut row) = self.store.take_login_attempt(&login_key(state)).await? else {
            return Ok(None);
        };
        let attempt = serde_json::from_str(&row.data).map_err(|_| StoreError::Corrupt);
        zeroize::Zeroize::zeroize(&mut row.data);
        Ok(Some(attempt?).filter(|_| row.expires_at > now))
    }

    /// Removes the citizens' and clerks' logins that ended by `now`; returns how many. A
    /// browser that never logged out otherwise left its login on disk for good.
    pub async fn purge_expired(&self, now: u64) -> Result<u64, StoreError> {
        self.store.purge_logins(now).await
    }

    pub async fn remove_clerk(&self, cookie: &str) -> Result<(), StoreError> {
        self.store.remove_clerk(&login_key(cookie)).await
    }

    pub async fn put_correction(&self, correction: &Correction) -> Result<(), StoreError> {
        let json = serde_json::to_string(correction).map_err(|_| StoreError::Corrupt)?;
        let row = CorrectionRow {
            id: &correction.id,
            bsn: &correction.bsn,
            created_at: correction.created_at,
            json: &json,
        };
        self.store.put_correction(&row).await
    }

    pub async fn correction(&self, id: &str) -> Result<Option<Correction>, StoreError> {
        self.store
            .correction(id)
            .await?
            .map(|json| decode(&json))
            .transpose()
    }

    /// All correction requests, or those of `bsn`, oldest first.
    pub async fn corrections(&self, bsn: Option<&str>) -> Result<Vec<Correction>, StoreError> {
        let mut out = self
            .store
            .corrections(bsn)
            .await?
            .iter()
            .map(|json| decode(json))
            .collect::<Result<Vec<_>, _>>()?;
        out.sort_by_key(|c| c.created_at);
        Ok(out)
    }
}
