//! What the portal keeps: logged-in sessions (by the digest of their cookie, so a copy of the
//! database holds no usable session) and citizens' correction requests.
use protocol::jose::{b64u_encode, sha256};
use serde::{Deserialize, Serialize};

use crate::store::{Store, StoreError};

/// How long a portal login lasts.
pub const LOGIN_TTL: u64 = 30 * 60;
/// Longest explanation in a correction request.
pub const MAX_EXPLANATION: usize = 1000;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Login {
    pub bsn: String,
    pub expires_at: u64,
}

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

pub struct PortalStore {
    store: Store,
    logins: sled::Tree,
    clerk_logins: sled::Tree,
    corrections: sled::Tree,
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|_| StoreError::Corrupt)
}

fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|_| StoreError::Corrupt)
}

fn login_key(cookie: &str) -> String {
    b64u_encode(sha256(cookie.as_bytes()))
}

impl PortalStore {
    pub fn open(store: &Store) -> Result<PortalStore, StoreError> {
        Ok(PortalStore {
            store: store.clone(),
            logins: store.tree("portal_logins")?,
            clerk_logins: store.tree("clerk_logins")?,
            corrections: store.tree("corrections")?,
        })
    }

    pub fn put_login(&self, cookie: &str, login: &Login) -> Result<(), StoreError> {
        self.logins
            .insert(login_key(cookie).as_bytes(), encode(login)?)?;
        self.store.flush()
    }

    /// The login of `cookie` if it has not expired at `now`.
    pub fn login(&self, cookie: &str, now: u64) -> Result<Option<Login>, StoreError> {
        let Some(bytes) = self.logins.get(login_key(cookie).as_bytes())? else {
            return Ok(None);
        };
        let login: Login = decode(&bytes)?;
        Ok((login.expires_at > now).then_some(login))
    }

    pub fn remove_login(&self, cookie: &str) -> Result<(), StoreError> {
        self.logins.remove(login_key(cookie).as_bytes())?;
        self.store.flush()
    }

    /// A clerk logged in at the desk until `expires_at`.
    pub fn put_clerk(&self, cookie: &str, expires_at: u64) -> Result<(), StoreError> {
        self.clerk_logins
            .insert(login_key(cookie).as_bytes(), &expires_at.to_be_bytes())?;
        self.store.flush()
    }

    /// Whether `cookie` is a clerk's login that has not expired at `now`.
    pub fn is_clerk(&self, cookie: &str, now: u64) -> Result<bool, StoreError> {
        let Some(bytes) = self.clerk_logins.get(login_key(cookie).as_bytes())? else {
            return Ok(false);
        };
        let expires = <[u8; 8]>::try_from(bytes.as_ref())
            .map(u64::from_be_bytes)
            .map_err(|_| StoreError::Corrupt)?;
        Ok(expires > now)
    }

    /// Removes the citizens' and clerks' logins that ended by `now`; returns how many. A
    /// browser that never logged out otherwise left its login on disk for good.
    pub fn purge_expired(&self, now: u64) -> Result<u64, StoreError> {
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
            let ended = <[u8; 8]>::try_from(bytes.as_ref())
                .is_ok_and(|expiry| u64::from_be_bytes(expiry) <= now);
            if ended {
                self.clerk_logins.remove(&key)?;
                removed += 1;
            }
        }
        if removed > 0 {
            self.store.flush()?;
        }
        Ok(removed)
    }

    pub fn remove_clerk(&self, cookie: &str) -> Result<(), StoreError> {
        self.clerk_logins.remove(login_key(cookie).as_bytes())?;
        self.store.flush()
    }

    pub fn put_correction(&self, correction: &Correction) -> Result<(), StoreError> {
        self.corrections
            .insert(correction.id.as_bytes(), encode(correction)?)?;
        self.store.flush()
    }

    pub fn correction(&self, id: &str) -> Result<Option<Correction>, StoreError> {
        self.corrections
            .get(id.as_bytes())?
            .map(|b| decode(&b))
            .transpose()
    }

    /// All correction requests, or those of `bsn`, oldest first.
    pub fn corrections(&self, bsn: Option<&str>) -> Result<Vec<Correction>, StoreError> {
        let mut out = Vec::new();
        for item in self.corrections.iter() {
            let (_, v) = item?;
            let c: Correction = decode(&v)?;
            if bsn.is_none_or(|b| b == c.bsn) {
                out.push(c);
            }
        }
        out.sort_by_key(|c| c.created_at);
        Ok(out)
    }
}
