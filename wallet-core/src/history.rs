//! The activity history (what happened, newest first) and the sharing overview: which
//! organisation has which of the citizen's data since when. Both are encrypted and written
//! in the same transaction as the change they describe.
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::crypto::DataKey;
use crate::error::WalletError;
use crate::store::{Batch, Store, TreeId};

/// A relying party as the history names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// Client identifier without prefix.
    pub client_id: String,
    pub legal_name: String,
    pub registration_number: String,
}

/// One attribute that was shared: type, path and its labels (no value).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedAttribute {
    pub vct: String,
    pub path: String,
    pub label_nl: String,
    pub label_en: String,
}

/// Why a request was not answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DenyReason {
    /// The citizen said no.
    Citizen,
    /// The party asked beyond its registration.
    OverAsking,
    /// The party could not be verified.
    UnknownParty,
    /// The party asked to sign a statement the wallet cannot show.
    UnsupportedStatement,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// Credentials received from an issuer.
    Issued {
        credential_id: String,
        vct: String,
        issuer: String,
        issuer_name: String,
        copies: usize,
    },
    /// Fresh copies fetched for a credential (with the issuer's current data).
    Renewed {
        credential_id: String,
        vct: String,
        copies: usize,
    },
    /// Attributes given to a relying party.
    Shared {
        party: Party,
        purpose: String,
        attributes: Vec<SharedAttribute>,
    },
    /// A consent statement signed (transaction data), with what was shared for it.
    StatementSigned {
        party: Party,
        purpose: String,
        statement: Value,
        attributes: Vec<SharedAttribute>,
    },
    /// A request not answered; never lists values.
    Denied {
        /// `None` when the party could not be verified.
        party: Option<Party>,
        purpose: Option<String>,
        reason: DenyReason,
    },
    /// The issuer revoked a credential (for instance after a move).
    Revoked { credential_id: String, vct: String },
    /// A credential passed its expiry date.
    Expired { credential_id: String, vct: String },
    /// The PIN was changed.
    PinChanged,
    /// A backup file was made (its recovery code was shown once).
    BackupMade { credentials: usize },
    /// This wallet was restored from a backup: history and sharing records came along, and
    /// `restored` credentials were issued again to this device's own keys; `not_restored`
    /// could not be (collect those again).
    Restored {
        backup_made_at: u64,
        restored: usize,
        not_restored: usize,
    },
}

/// An event with its time and sequence number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: u64,
    pub at: u64,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What one relying party has received over time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharingRecord {
    pub party: Party,
    pub first_shared: u64,
    pub last_shared: u64,
    pub times: u32,
    pub purposes: Vec<String>,
    pub attributes: Vec<SharedAttribute>,
    /// The consent statements signed for this party (transaction data entries as signed),
    /// newest last; shown in Regie's words. Records of older wallets have none.
    #[serde(default)]
    pub statement_entries: Vec<Value>,
}

/// Adds an event to `batch`.
pub fn record(
    store: &Store,
    key: &DataKey,
    batch: &mut Batch,
    at: u64,
    kind: EventKind,
) -> Result<Event, WalletError> {
    let id = store.next_id()?;
    let event = Event { id, at, kind };
    batch.put_sealed(key, TreeId::History, &id.to_be_bytes(), &event)?;
    Ok(event)
}

/// What was given to a party in one share.
pub struct Share<'a> {
    pub party: &'a Party,
    pub purpose: &'a str,
    pub attributes: &'a [SharedAttribute],
    /// The transaction data entries signed with it; empty for a plain share.
    pub statements: &'a [Value],
}

/// Adds the sharing overview update for a share to `batch`.
pub fn record_sharing(
    store: &Store,
    key: &DataKey,
    batch: &mut Batch,
    at: u64,
    share: &Share<'_>,
) -> Result<(), WalletError> {
    let Share {
        party,
        purpose,
        attributes,
        statements,
    } = *share;
    let tag = sharing_key(key, &party.client_id);
    let mut entry = store
        .get_sealed::<SharingRecord>(key, TreeId::Sharing, &tag)?
        .unwrap_or(SharingRecord {
            party: party.clone(),
            first_shared: at,
            last_shared: at,
            times: 0,
            purposes: Vec::new(),
            attributes: Vec::new(),
            statement_entries: Vec::new(),
        });
    entry.party = party.clone();
    entry.last_shared = at;
    entry.times += 1;
    if !entry.purposes.iter().any(|p| p == purpose) {
        entry.purposes.push(purpose.to_owned());
    }
    for a in attributes {
        if !entry
            .attributes
            .iter()
            .any(|e| e.vct == a.vct && e.path == a.path)
        {
            entry.attributes.push(a.clone());
        }
    }
    crate::signed::keep(&mut entry.statement_entries, statements);
    batch.put_sealed(key, TreeId::Sharing, &tag, &entry)?;
    Ok(())
}

/// What one party has received, if anything.
pub fn sharing_with(
    store: &Store,
    key: &DataKey,
    client_id: &str,
) -> Result<Option<SharingRecord>, WalletError> {
    Ok(store.get_sealed(key, TreeId::Sharing, &sharing_key(key, client_id))?)
}

/// The store key of a party's sharing record: a keyed tag, so the store does not name it.
pub(crate) fn sharing_key(key: &DataKey, client_id: &str) -> [u8; 16] {
    key.tag("party", client_id.as_bytes())
}

/// The whole overview, most recently shared first.
pub fn sharing_overview(store: &Store, key: &DataKey) -> Result<Vec<SharingRecord>, WalletError> {
    let mut all: Vec<SharingRecord> = store
        .page_sealed::<SharingRecord>(key, TreeId::Sharing, None, usize::MAX)?
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    all.sort_by_key(|r| std::cmp::Reverse(r.last_shared));
    Ok(all)
}

/// A page of events, newest first; `before` is the id of the last event of the previous
/// page.
pub fn page(
    store: &Store,
    key: &DataKey,
    before: Option<u64>,
    limit: usize,
) -> Result<Vec<Event>, WalletError> {
    let before = before.map(u64::to_be_bytes);
    Ok(store
        .page_sealed::<Event>(
            key,
            TreeId::History,
            before.as_ref().map(|b| b.as_slice()),
            limit,
        )?
        .into_iter()
        .map(|(_, e)| e)
        .collect())
}
