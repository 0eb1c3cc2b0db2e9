//! Printable extracts ("waardepapieren"): the municipality signs exactly the content of a
//! document kind as a COSE CWT whose QR text is printed on the PDF. Each document gets its
//! own status list index and a record like a credential copy, so it is listed, revoked by
//! the citizen or the back office, and revoked on a move.
use protocol::credential_types::CredentialType;
use protocol::document::{encode_qr_text, render_qr, sign_document, DocumentContent, DocumentKind};
use protocol::status_list::StatusReference;
use serde_json::{Map, Value};

use crate::credentials::claims_for;
use crate::person::{Bsn, Name, PartialDate, Person, SourceError};
use crate::service::{today, Issuer};
use crate::store::{CredentialRecord, StoreError};

/// How long a printed extract is valid.
pub const DOCUMENT_TTL: u64 = 90 * 86_400;
/// The prefix of a document's `credential_type` in its record.
pub const RECORD_PREFIX: &str = "document:";

#[derive(Debug, thiserror::Error)]
pub enum DocumentIssueError {
    #[error("no person with this BSN")]
    UnknownPerson,
    #[error("the person source is unavailable: {0}")]
    Source(#[from] SourceError),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("the document cannot be signed: {0}")]
    Sign(#[from] protocol::document::DocumentError),
}

/// A signed document, ready to print.
pub struct IssuedDocument {
    pub record: CredentialRecord,
    pub content: DocumentContent,
    pub qr_text: String,
}

const NAME_AND_ADDRESS: [&str; 7] = [
    "given_name",
    "name_prefix",
    "family_name",
    "noble_title",
    "address",
    "address_abroad",
    "location_description",
];

/// What a document of `kind` states about `person`.
pub fn document_attributes(
    kind: DocumentKind,
    person: &Person,
    residents: &[(Name, PartialDate)],
    today: PartialDate,
) -> Map<String, Value> {
    match kind {
        DocumentKind::UittrekselBrp => {
            claims_for(CredentialType::UittrekselBrp, person, residents, today).claims
        }
        DocumentKind::Woonhistorie => {
            claims_for(CredentialType::Woonhistorie, person, residents, today).claims
        }
        DocumentKind::NaamAdres => {
            claims_for(CredentialType::UittrekselBrp, person, residents, today)
                .claims
                .into_iter()
                .filter(|(k, _)| NAME_AND_ADDRESS.contains(&k.as_str()))
                .collect()
        }
    }
}

/// The persons registered at `person`'s current residence (for the address history).
pub async fn residents_of(issuer: &Issuer, person: &Person) -> Vec<(Name, PartialDate)> {
    match &person.residence {
        Some(r) => issuer
            .persons
            .residents_at(&r.residence)
            .await
            .unwrap_or_default(),
        None => Vec::new(),
    }
}

/// Signs a document of `kind` for the person with `bsn` and records it.
pub async fn issue_document(
    issuer: &Issuer,
    bsn: &Bsn,
    kind: DocumentKind,
) -> Result<(IssuedDocument, Person), DocumentIssueError> {
    let person = issuer
        .persons
        .get(bsn)
        .await?
        .ok_or(DocumentIssueError::UnknownPerson)?;
    let residents = residents_of(issuer, &person).await;
    let now = issuer.clock.now();
    let slot = issuer.store.allocate_status_slot().await?;
    let content = DocumentContent {
        issuer: issuer.public_url.clone(),
        iat: now,
        exp: now + DOCUMENT_TTL,
        kind,
        attributes: document_attributes(kind, &person, &residents, today(now)),
        status: Some(StatusReference {
            idx: slot.idx,
            uri: format!("{}/status/{}", issuer.public_url, slot.list),
        }),
    };
    let qr_text = encode_qr_text(&sign_document(&content, &issuer.key)?);
    // Refuse now rather than print a code nobody can scan.
    render_qr(&qr_text)?;
    let record = CredentialRecord {
        id: crate::service::random_token(),
        offer_id: String::new(),
        bsn: bsn.as_str().to_owned(),
        credential_type: format!("{RECORD_PREFIX}{}", kind.id()),
        status_idx: slot.idx,
        status_list: slot.list_id(),
        grant: String::new(),
        issued_at: now,
        expires_at: content.exp,
        revoked: false,
    };
    // Durable before it is printed: a document without its record could not be revoked.
    issuer.store.put_credential(&record).await?;
    Ok((
        IssuedDocument {
            record,
            content,
            qr_text,
        },
        person,
    ))
}
