//! Stored credentials. One credential as the citizen sees it ("my BRP extract") is a batch
//! of copies: the same claims, each copy with its own holder key, salts and status index,
//! and each presented once so that two verifiers cannot link what they received.
use protocol::claim_path::ClaimPath;
use protocol::jose::SigningKey;
use protocol::status_list::StatusReference;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::crypto::DataKey;
use crate::error::WalletError;
use crate::store::{Batch, Store, StoreError, TreeId};

/// Where a credential stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialStatus {
    /// Valid when last checked.
    Valid,
    /// Past its expiry date.
    Expired,
    /// Revoked by the issuer (for instance after a move): outdated, never presented.
    Revoked,
}

/// What lists, matching and the consent engine need of a credential.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CredentialSummary {
    pub id: String,
    pub vct: String,
    /// Regie's id of the type (`uittreksel-brp`, `woonhistorie`) when known.
    pub credential_type: Option<String>,
    pub issuer: String,
    /// The issuer's name from the trust list, Dutch and English.
    pub issuer_name_nl: String,
    pub issuer_name_en: String,
    /// Every claim of the credential except the envelope (`iss`, `cnf`, times, status).
    pub claims: Value,
    pub issued_at: Option<u64>,
    pub expires_at: Option<u64>,
    pub stored_at: u64,
    pub status: CredentialStatus,
    pub status_checked_at: Option<u64>,
    pub copies_total: usize,
    pub copies_left: usize,
    /// Presentations made with this credential over its life, renewals included.
    #[serde(default)]
    pub presentations: u32,
    /// The arrays in `claims` whose elements are selectively disclosable: a DCQL claims path
    /// with an integer index into one is not answered, as the verifier would refuse it
    /// (`protocol::dcql`). `None` for credentials stored before this was recorded; those
    /// are matched as if every array were one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclosable_arrays: Option<Vec<ClaimPath>>,
}

impl CredentialSummary {
    /// Whether it may be presented.
    pub fn usable(&self) -> bool {
        self.status == CredentialStatus::Valid
    }
}

/// A private key that is wiped from memory when dropped.
#[derive(Clone)]
pub struct HolderSecret(Zeroizing<[u8; 32]>);

impl HolderSecret {
    pub fn from_key(key: &SigningKey) -> HolderSecret {
        HolderSecret(Zeroizing::new(*key.to_bytes()))
    }

    pub fn signing_key(&self) -> Result<SigningKey, WalletError> {
        SigningKey::from_bytes(&self.0).map_err(|_| WalletError::Store(StoreError::Damaged))
    }
}

impl Serialize for HolderSecret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0.as_ref())
    }
}

impl<'de> Deserialize<'de> for HolderSecret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let bytes: Zeroizing<Vec<u8>> = Zeroizing::new(Vec::<u8>::deserialize(d)?);
        let array: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| serde::de::Error::custom("holder key must be 32 bytes"))?;
        Ok(HolderSecret(Zeroizing::new(array)))
    }
}

/// One copy: the SD-JWT as issued (all disclosures) and its holder key.
#[derive(Clone, Serialize, Deserialize)]
pub struct CredentialCopy {
    pub sd_jwt: String,
    pub holder_key: HolderSecret,
    pub status: Option<StatusReference>,
    /// Presented once already: not used again while unused copies remain.
    pub presented: u32,
}

/// What fetching fresh copies needs: the issuer's refresh token (a secret, wiped on drop)
/// and the credential configuration it was issued for.
#[derive(Clone, Serialize, Deserialize)]
pub struct RefreshGrant {
    pub token: String,
    pub configuration_id: String,
}

impl Drop for RefreshGrant {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.token.zeroize();
    }
}

/// The full stored credential.
#[derive(Clone, Serialize, Deserialize)]
pub struct CredentialRecord {
    pub summary: CredentialSummary,
    pub copies: Vec<CredentialCopy>,
    #[serde(default)]
    pub refresh: Option<RefreshGrant>,
}

/// Fresh copies are fetched when this few unused ones are left.
pub const LOW_COPIES: usize = 1;

impl CredentialRecord {
    /// The copy to present next: an unused one, else the least used (linkable, and the
    /// consent screen says so). `None` only when there are no copies at all.
    pub fn next_copy(&self) -> Option<usize> {
        self.copies
            .iter()
            .enumerate()
            .min_by_key(|(_, c)| c.presented)
            .map(|(i, _)| i)
    }

    /// Recomputes the summary's copy counts.
    pub fn recount(&mut self) {
        self.summary.copies_total = self.copies.len();
        self.summary.copies_left = self.copies.iter().filter(|c| c.presented == 0).count();
    }
}

/// The store key of a credential id (`0000000000000001` → 8 bytes big-endian).
pub fn key_of(id: &str) -> Result<[u8; 8], WalletError> {
    if id.len() != 16 {
        return Err(WalletError::UnknownCredential);
    }
    u64::from_str_radix(id, 16)
        .map(u64::to_be_bytes)
        .map_err(|_| WalletError::UnknownCredential)
}

/// The credential id of a store key.
pub fn id_of(seq: u64) -> String {
    format!("{seq:016x}")
}

/// The index key of a credential under its type.
pub fn type_key(key: &DataKey, vct: &str, id: &[u8]) -> Vec<u8> {
    let mut k = key.tag("vct", vct.as_bytes()).to_vec();
    k.extend_from_slice(id);
    k
}

/// Adds the writes that store `record` (new or updated) to `batch`.
pub fn put_record(
    batch: &mut Batch,
    key: &DataKey,
    record: &CredentialRecord,
) -> Result<(), WalletError> {
    let id = key_of(&record.summary.id)?;
    batch.put_sealed(key, TreeId::Credentials, &id, record)?;
    batch.put_sealed(key, TreeId::Summaries, &id, &record.summary)?;
    batch.put_marker(TreeId::ByType, &type_key(key, &record.summary.vct, &id));
    Ok(())
}

/// Adds the writes that remove `record` to `batch`.
pub fn remove_record(
    batch: &mut Batch,
    key: &DataKey,
    record: &CredentialRecord,
) -> Result<(), WalletError> {
    let id = key_of(&record.summary.id)?;
    batch.remove(TreeId::Credentials, &id);
    batch.remove(TreeId::Summaries, &id);
    batch.remove(TreeId::ByType, &type_key(key, &record.summary.vct, &id));
    Ok(())
}

/// Reads a full record.
pub fn get_record(store: &Store, key: &DataKey, id: &str) -> Result<CredentialRecord, WalletError> {
    store
        .get_sealed(key, TreeId::Credentials, &key_of(id)?)?
        .ok_or(WalletError::UnknownCredential)
}

/// Reads a summary.
pub fn get_summary(
    store: &Store,
    key: &DataKey,
    id: &str,
) -> Result<CredentialSummary, WalletError> {
    store
        .get_sealed(key, TreeId::Summaries, &key_of(id)?)?
        .ok_or(WalletError::UnknownCredential)
}

/// A page of summaries, newest first; `after` is the last id of the previous page.
pub fn page(
    store: &Store,
    key: &DataKey,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<CredentialSummary>, WalletError> {
    let before = after.map(key_of).transpose()?;
    Ok(store
        .page_sealed::<CredentialSummary>(
            key,
            TreeId::Summaries,
            before.as_ref().map(|b| b.as_slice()),
            limit,
        )?
        .into_iter()
        .map(|(_, s)| s)
        .collect())
}

/// The newest `limit` usable credentials of type `vct`.
pub fn usable_of_type(
    store: &Store,
    key: &DataKey,
    vct: &str,
    limit: usize,
) -> Result<Vec<CredentialSummary>, WalletError> {
    let prefix = key.tag("vct", vct.as_bytes());
    let mut found = Vec::new();
    for index_key in store.keys_with_prefix(TreeId::ByType, &prefix) {
        let index_key = index_key?;
        let id = &index_key[prefix.len()..];
        if let Some(summary) = store.get_sealed::<CredentialSummary>(key, TreeId::Summaries, id)? {
            if summary.usable() {
                found.push(summary);
                if found.len() == limit {
                    break;
                }
            }
        }
    }
    Ok(found)
}
