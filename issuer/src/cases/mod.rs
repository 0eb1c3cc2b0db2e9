//! Consent cases at the municipality: a main occupant consents to a move to their address,
//! the custodians to a child's travel document. The municipality looks the facts up in the
//! BRP, asks for the consent through the verifier's session API as the relying party
//! `gemeente` (with typed statements carrying the case reference), accepts it only when the
//! BRP lets that person consent today, keeps every signed statement file with its case, and
//! acts on the outcome (a consented move is recorded as a life event).
mod model;
pub mod rules;
mod store;
mod verifier_client;

use std::sync::Arc;

use protocol::credential_types::UITTREKSEL_BRP_VCT;
use protocol::dcql::FORMAT_SD_JWT_VC;
use protocol::jose::random_bytes;
use protocol::statements::TravelDocument;
use serde_json::{json, Value};

pub use model::{
    Case, CaseKind, CaseSession, CaseState, Consent, NewAddress, PersonRef, RefusedAttempt,
    StartedBy, CASE_TTL, QUERY_ID,
};
pub use rules::Refusal;
pub use store::CaseStore;
pub use verifier_client::{PartyConfig, VerifierClient, VerifierError};

use crate::life_events::MoveError;
use crate::person::{Address, Bsn, PartialDate, Residence, SourceError};
use crate::service::{today, Issuer};
use crate::store::StoreError;
use rules::{BrpFacts, VerifiedConsent};

/// A session is handed out again only while it has this long left; then a fresh one.
const SESSION_MARGIN: u64 = 60;
/// A move may be reported up to this many days ahead, …
pub const MOVE_DAYS_AHEAD: u64 = 28;
/// … and up to this many days after it happened.
pub const MOVE_DAYS_BEHIND: u64 = 5;

/// Why a case action did not happen.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("{0}")]
    Refused(Refusal),
    #[error("no such case")]
    NotFound,
    #[error("{0}")]
    BadInput(&'static str),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Verifier(#[from] VerifierError),
    #[error(transparent)]
    Move(#[from] MoveError),
}

impl From<Refusal> for CaseError {
    fn from(r: Refusal) -> Self {
        tracing::debug!(code = r.code(), "case refused");
        regie_ops::metrics().event("case_refused", &[("code", r.code())], 1);
        CaseError::Refused(r)
    }
}

/// The municipality's consent cases.
pub struct Cases {
    pub store: CaseStore,
    pub verifier: VerifierClient,
    issuer: Arc<Issuer>,
}

fn new_case_ref(prefix: &str) -> String {
    // No 0/O, 1/I: read aloud at the desk and typed over.
    const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let code: String = random_bytes::<6>()
        .iter()
        .map(|b| ALPHABET[usize::from(b % 32)] as char)
        .collect();
    format!("{prefix}-{code}")
}

fn person_ref(bsn: &Bsn, name: &crate::person::Name) -> PersonRef {
    PersonRef {
        bsn: bsn.as_str().to_owned(),
        name: name.full(),
    }
}

impl Cases {
    pub fn new(issuer: Arc<Issuer>, verifier: VerifierClient) -> Result<Cases, StoreError> {
        Ok(Cases {
            store: CaseStore::open(&issuer.store),
            verifier,
            issuer,
        })
    }

    fn now(&self) -> u64 {
        self.issuer.clock.now()
    }

    async fn insert_new(&self, prefix: &str, kind: CaseKind) -> Result<Case, CaseError> {
        let now = self.now();
        loop {
            let case = Case {
                case_ref: new_case_ref(prefix),
                share_token: crate::service::random_token(),
                kind: kind.clone(),
                created_at: now,
                expires_at: now + CASE_TTL,
                consents: Vec::new(),
                refused: Vec::new(),
                declined_at: None,
                completed_at: None,
                sessions: Vec::new(),
            };
            if self.store.insert(&case).await? {
                tracing::debug!(kind = case.kind.code(), "case opened");
                regie_ops::metrics().event("case_opened", &[("kind", case.kind.code())], 1);
                return Ok(case);
            }
        }
    }

    /// The dwellings at a postal code and house number.
    pub async fn find_addresses(
        &self,
        postal_code: &str,
        house_number: u32,
    ) -> Result<Vec<NewAddress>, CaseError> {
        Ok(self
            .issuer
            .persons
            .find_addresses(postal_code, house_number)
            .await?
            .into_iter()
            .map(|(address, municipality)| NewAddress {
                address,
                municipality,
            })
            .collect())
    }

    /// The applicant reports a move to `to` from `date` (`yyyy-mm-dd`). When an adult is
    /// registered there the case waits for one of them; otherwise the move is recorded now.
    pub async fn start_move(
        &self,
        applicant: &Bsn,
        to: NewAddress,
        date: &str,
    ) -> Result<Case, CaseError> {
        let person = self
            .issuer
            .persons
            .get(applicant)
            .await?
            .ok_or(Refusal::UnknownPerson)?;
        let day = PartialDate::parse_iso(date).map_err(|_| CaseError::BadInput("date"))?;
        let now = self.now();
        let earliest = today(now.saturating_sub(MOVE_DAYS_BEHIND * 86_400));
        let latest = today(now + MOVE_DAYS_AHEAD * 86_400);
        if day < earliest || day > latest {
            return Err(CaseError::BadInput("date"));
        }
        let residence = Residence::Address(to.address.clone());
        if let Some(current) = &person.residence {
            if let Residence::Address(a) = &current.residence {
                if a.same_dwelling(&to.address) {
                    return Err(Refusal::AlreadyThere.into());
                }
            }
            if day <= current.from {
                return Err(CaseError::BadInput("date"));
            }
        }
        let kind = CaseKind::Move {
            applicant: person_ref(applicant, &person.name),
            to,
            date: date.to_owned(),
        };
        let mut case = self.insert_new("VH", kind).await?;
        let adults = self.adults_at(&residence).await?;
        if adults.is_empty() {
            let _guard = self.store.lock(&case.case_ref).await?;
            self.complete_if_satisfied(&mut case, true).await?;
            self.store.update(&case).await?;
        }
        Ok(case)
    }

    async fn adults_at(&self, residence: &Residence) -> Result<Vec<Bsn>, CaseError> {
        let day = today(self.now());
        let mut adults = Vec::new();
        for bsn in self.issuer.persons.bsns_at(residence).await? {
            if let Some(p) = self.issuer.persons.get(&bsn).await? {
                if p.birth
                    .date
                    .certain_age(day)
                    .is_some_and(|a| a >= rules::ADULT_AGE)
                {
                    adults.push(bsn);
                }
            }
        }
        Ok(adults)
    }

    /// A travel document case for `child`: the custodians come from the BRP and the age
    /// rules decide whether consent is needed at all.
    pub async fn start_travel_document(
        &self,
        child: &Bsn,
        document: TravelDocument,
        started_by: StartedBy,
        at_desk: Option<&Bsn>,
    ) -> Result<Case, CaseError> {
        let record = self
            .issuer
            .persons
            .get(child)
            .await?
            .ok_or(Refusal::UnknownPerson)?;
        let day = today(self.now());
        let minor = record
            .birth
            .date
            .certain_age(day)
            .is_none_or(|a| a < rules::ADULT_AGE);
        if !minor || record.custodians.is_empty() {
            return Err(Refusal::NoCustodians.into());
        }
        if !rules::needs_consent(record.birth.date, document, day) {
            return Err(Refusal::NoConsentNeeded.into());
        }
        if let StartedBy::Custodian { bsn } = &started_by {
            if !record.custodians.iter().any(|c| c.as_str() == bsn) {
                return Err(Refusal::NotCustodian.into());
            }
        }
        if let Some(desk) = at_desk {
            if !record.custodians.contains(desk) {
                return Err(Refusal::NotCustodian.into());
            }
        }
        let mut custodians = Vec::new();
        for bsn in &record.custodians {
            let name = match self.issuer.persons.get(bsn).await? {
                Some(p) => p.name.full(),
                None => String::new(),
            };
            custodians.push(PersonRef {
                bsn: bsn.as_str().to_owned(),
                name,
            });
        }
        let kind = CaseKind::TravelDocument {
            child: person_ref(child, &record.name),
            child_birthdate: record.birth.date.iso(),
            document: document.id().to_owned(),
            custodians,
            at_desk: at_desk.map(|b| b.as_str().to_owned()),
            started_by,
        };
        self.insert_new("RD", kind).await
    }

    /// The open travel document case for `child` and `document`, if there is one.
    pub async fn open_travel_case(
        &self,
        child: &Bsn,
        document: TravelDocument,
    ) -> Result<Option<Case>, CaseError> {
        let now = self.now();
        Ok(self.store.about(child.as_str()).await?.into_iter().find(|c| {
            c.state(now) == CaseState::Waiting
                && matches!(&c.kind, CaseKind::TravelDocument { document: d, .. } if d == document.id())
        }))
    }

    /// The clerk records which custodian came to the desk with the child.
    pub async fn record_at_desk(&self, case_ref: &str, bsn: &Bsn) -> Result<Case, CaseError> {
        let _guard = self.store.lock(case_ref).await?;
        let mut case = self.store.get(case_ref).await?.ok_or(CaseError::NotFound)?;
        rules::open(&case, self.now())?;
        let CaseKind::TravelDocument {
            custodians,
            at_desk,
            ..
        } = &mut case.kind
        else {
            return Err(CaseError::BadInput("not a travel document case"));
        };
        if !custodians.iter().any(|c| c.bsn == bsn.as_str()) {
            return Err(Refusal::NotCustodian.into());
        }
        if case.consents.iter().any(|c| c.by.bsn == bsn.as_str()) {
            return Err(Refusal::AlreadyConsented.into());
        }
        *at_desk = Some(bsn.as_str().to_owned());
        self.complete_if_satisfied(&mut case, false).await?;
        self.store.update(&case).await?;
        Ok(case)
    }

    fn dcql_query(case: &Case) -> Value {
        let mut claims = vec![json!({"path": ["bsn"]})];
        match &case.kind {
            CaseKind::Move { .. } => claims.push(json!({"path": ["address"]})),
            // Only this child's element, and of it only the BSN: the custodian's other
            // children stay undisclosed (DCQL `values`, OpenID4VP 1.0 §6.4.1).
            CaseKind::TravelDocument { child, .. } => claims.push(json!({
                "path": ["custody", null, "bsn"],
                "values": [child.bsn],
            })),
        }
        json!({"credentials": [{
            "id": QUERY_ID,
            "format": FORMAT_SD_JWT_VC,
            "meta": {"vct_values": [UITTREKSEL_BRP_VCT]},
            "claims": claims,
        }]})
    }

    /// A verifier session that asks for this case's consent: the current one while it has
    /// time left, otherwise a fresh one.
    pub async fn session_for(&self, case_ref: &str) -> Result<CaseSession, CaseError> {
        let _guard = self.store.lock(case_ref).await?;
        let mut case = self.store.get(case_ref).await?.ok_or(CaseError::NotFound)?;
        let now = self.now();
        rules::open(&case, now)?;
        if let Some(current) = case
            .sessions
            .iter()
            .find(|s| !s.settled && s.expires_at > now + SESSION_MARGIN)
        {
            return Ok(current.clone());
        }
        let created = self
            .verifier
            .create_session(
                case.purpose(),
                Self::dcql_query(&case),
                vec![case.statement_entry()],
            )
            .await?;
        let session = CaseSession {
            session_id: created.session_id,
            link: created.link,
            expires_at: created.expires_at,
            settled: false,
        };
        case.sessions.push(session.clone());
        self.store.update(&case).await?;
        Ok(session)
    }

    /// The case with the outcome of its verifier sessions taken in.
    pub async fn refresh(&self, case_ref: &str) -> Result<Case, CaseError> {
        let _guard = self.store.lock(case_ref).await?;
        let mut case = self.store.get(case_ref).await?.ok_or(CaseError::NotFound)?;
        let mut changed = false;
        for i in 0..case.sessions.len() {
            if case.sessions[i].settled {
                continue;
            }
            let id = case.sessions[i].session_id.clone();
            let status = match self.verifier.session(&id).await {
                Ok(s) => s.status,
                // Expired sessions are removed by the verifier in time.
                Err(VerifierError::Refused(_)) => "expired".to_owned(),
                Err(e) => return Err(e.into()),
            };
            match status.as_str() {
                "done" => {
                    let file = self.verifier.statement(&id).await?;
                    if let Err(refusal) = self.consider(&mut case, file).await? {
                        case.refused.push(RefusedAttempt {
                            at: self.now(),
                            reason: refusal.code().to_owned(),
                        });
                    }
                }
                "denied" => {
                    if rules::open(&case, self.now()).is_ok() {
                        case.declined_at = Some(self.now());
                    }
                }
                "failed" => case.refused.push(RefusedAttempt {
                    at: self.now(),
                    reason: Refusal::NotVerified.code().to_owned(),
                }),
                "expired" => {}
                _ => continue,
            }
            case.sessions[i].settled = true;
            changed = true;
        }
        changed |= self.complete_if_satisfied(&mut case, false).await?;
        if changed {
            self.store.update(&case).await?;
        }
        Ok(case)
    }

    /// A statement file handed in at the desk (or by API): accepted on the same terms as a
    /// consent by session.
    pub async fn submit_statement(&self, case_ref: &str, file: Value) -> Result<Case, CaseError> {
        let _guard = self.store.lock(case_ref).await?;
        let mut case = self.store.get(case_ref).await?.ok_or(CaseError::NotFound)?;
        self.consider(&mut case, file).await??;
        self.complete_if_satisfied(&mut case, false).await?;
        self.store.update(&case).await?;
        Ok(case)
    }

    /// Checks a statement file against the case and the BRP; on success the consent is
    /// added to `case`. The outer error is the service's, the inner one the refusal.
    async fn consider(
        &self,
        case: &mut Case,
        file: Value,
    ) -> Result<Result<PersonRef, Refusal>, CaseError> {
        if let Err(r) = rules::open(case, self.now()) {
            return Ok(Err(r));
        }
        let Some(verified) = self.verifier.verify_statement(&file).await? else {
            return Ok(Err(Refusal::NotVerified));
        };
        if let Err(r) = rules::statement_is_the_cases(case, &verified, self.verifier.client_id()) {
            return Ok(Err(r));
        }
        let outcome = self.check_brp(case, &verified).await?;
        if let Ok(by) = &outcome {
            let at = file
                .get("signed_at")
                .and_then(Value::as_u64)
                .unwrap_or_else(|| self.now());
            case.consents.push(Consent {
                by: by.clone(),
                at,
                statement: file,
            });
        }
        Ok(outcome)
    }

    async fn check_brp(
        &self,
        case: &Case,
        verified: &VerifiedConsent,
    ) -> Result<Result<PersonRef, Refusal>, CaseError> {
        let signer = match verified.signer_bsn() {
            Some(bsn) => self.issuer.persons.get(&bsn).await?,
            None => None,
        };
        let mut registered = Vec::new();
        let mut custodians = Vec::new();
        match &case.kind {
            CaseKind::Move { to, .. } => {
                let residence = Residence::Address(to.address.clone());
                registered = self.issuer.persons.bsns_at(&residence).await?;
            }
            CaseKind::TravelDocument { child, .. } => {
                if let Ok(bsn) = Bsn::parse(&child.bsn) {
                    if let Some(record) = self.issuer.persons.get(&bsn).await? {
                        custodians = record.custodians;
                    }
                }
            }
        }
        let facts = BrpFacts {
            signer: signer.as_ref(),
            registered_at_address: &registered,
            custodians_of_child: &custodians,
        };
        Ok(rules::accept(case, verified, &facts, today(self.now())))
    }

    /// Completes a satisfied case; a move is recorded in the BRP then. `no_consent_needed`
    /// completes a move without consents (nobody adult lives at the address).
    async fn complete_if_satisfied(
        &self,
        case: &mut Case,
        no_consent_needed: bool,
    ) -> Result<bool, CaseError> {
        if case.completed_at.is_some() || case.declined_at.is_some() {
            return Ok(false);
        }
        if !(case.is_satisfied() || no_consent_needed) {
            return Ok(false);
        }
        if let CaseKind::Move {
            applicant,
            to,
            date,
            ..
        } = &case.kind
        {
            let bsn = Bsn::parse(&applicant.bsn).map_err(|_| CaseError::BadInput("bsn"))?;
            let day = PartialDate::parse_iso(date).map_err(|_| CaseError::BadInput("date"))?;
            let address: Address = to.address.clone();
            crate::life_events::record_move(&self.issuer, &bsn, address, &to.municipality, day)
                .await?;
        }
        case.completed_at = Some(self.now());
        tracing::debug!(kind = case.kind.code(), "case complete");
        regie_ops::metrics().event("case_completed", &[("kind", case.kind.code())], 1);
        Ok(true)
    }

    /// Takes in every open session's outcome; run in the background so that a consent
    /// counts even when nobody has a case page open.
    pub async fn follow_open_sessions(&self) {
        let Ok(refs) = self.store.with_open_sessions().await else {
            return;
        };
        for case_ref in refs {
            if let Err(e) = self.refresh(&case_ref).await {
                tracing::warn!("following case sessions: {e}");
            }
        }
    }
}
