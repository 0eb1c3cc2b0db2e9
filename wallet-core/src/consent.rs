//! The consent engine: before anything leaves the wallet, what a request asks measured
//! against what the relying party's registration allows and against what the wallet holds.
//! Pure: the caller loads the credentials and the sharing record.
use protocol::claim_path::{ClaimPath, PathComponent};
use protocol::credential_types::Lang;
use protocol::dcql::{match_credentials, HeldCredential, FORMAT_SD_JWT_VC};
use protocol::oid4vp::VerifiedRequest;
use protocol::statements::{self, Statement, StatementEntry};
use protocol::trust::{purpose_for, requested_claims, Purpose, VerifiedTrustList};
use serde::Serialize;
use serde_json::Value;

use crate::credentials::CredentialSummary;
use crate::display;
use crate::history::{Party, SharingRecord};

/// The party as the citizen sees it, verified by the trust anchor.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PartyInfo {
    pub client_id: String,
    pub legal_name: String,
    pub registration_number: String,
    pub city: String,
    pub logo: Option<String>,
    pub privacy_policy_url: String,
}

/// The registered purpose, in the chosen language.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PurposeInfo {
    pub id: String,
    pub name: String,
    pub description: String,
    pub retention_days: u32,
    pub retention: String,
    pub shares_with_third_parties: bool,
    pub deletion_possible: bool,
}

/// One attribute that approving would share.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RequestedAttribute {
    pub query_id: String,
    pub credential_id: String,
    pub credential_type: String,
    pub vct: String,
    pub path: ClaimPath,
    pub label: String,
    pub value: String,
}

/// An attribute asked for beyond the registration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NotAllowed {
    pub credential_type: String,
    pub path: Option<ClaimPath>,
    pub label: String,
}

/// A credential type the wallet lacks, with where to get it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MissingType {
    pub vct: String,
    pub name: String,
    /// Issuers on the trust list that issue it: (identifier, name).
    pub where_to_get: Vec<(String, String)>,
}

/// The verdict on a request.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Asks within its registration and the wallet can answer.
    Ok,
    /// Asks for more than its registration allows: blocked.
    OverAsking { not_allowed: Vec<NotAllowed> },
    /// No valid attestation from the trust anchor: blocked.
    UnknownParty { reason: String },
    /// The wallet lacks a credential that answers the query.
    Missing { types: Vec<MissingType> },
    /// A statement to sign that is not of a type Regie knows, or not well formed: the
    /// wallet cannot show what it would sign, so it is blocked (and the party is told
    /// `invalid_transaction_data`).
    UnsupportedStatement { reason: String },
}

impl Verdict {
    pub fn code(&self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::OverAsking { .. } => "over_asking",
            Verdict::UnknownParty { .. } => "unknown_party",
            Verdict::Missing { .. } => "missing",
            Verdict::UnsupportedStatement { .. } => "unsupported_statement",
        }
    }
}

/// A consent statement as the citizen reads it: Regie's own sentence for its type and fields.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatementView {
    #[serde(rename = "type")]
    pub type_id: String,
    /// The kind of statement, e.g. "Toestemming inschrijving op uw adres".
    pub name: String,
    /// What the citizen declares by signing.
    pub text: String,
}

/// Whether and since when this party received data before.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SharedBefore {
    pub first_shared: u64,
    pub last_shared: u64,
    pub times: u32,
}

/// Everything the consent screen shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Assessment {
    #[serde(flatten)]
    pub verdict: Verdict,
    pub party: Option<PartyInfo>,
    pub purpose: Option<PurposeInfo>,
    pub attributes: Vec<RequestedAttribute>,
    /// Consent statements (transaction data) the citizen would sign, in Regie's words.
    pub statements: Vec<StatementView>,
    pub shared_before: Option<SharedBefore>,
    /// No unused copy is left of a credential to present: this verifier could link the
    /// presentation to an earlier one.
    pub linkable: bool,
}

/// What approving would send: per credential query, the credential and claim paths.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub items: Vec<PlanItem>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PlanItem {
    pub query_id: String,
    pub credential_id: String,
    pub disclose: Vec<ClaimPath>,
}

/// An assessment for a request that could not be verified.
pub fn unknown_party(reason: String) -> Assessment {
    Assessment {
        verdict: Verdict::UnknownParty { reason },
        party: None,
        purpose: None,
        attributes: Vec::new(),
        statements: Vec::new(),
        shared_before: None,
        linkable: false,
    }
}

/// The party of a verified request, as the history records it.
pub fn party_of(request: &VerifiedRequest) -> Party {
    let r = request.attestation.registration();
    Party {
        client_id: request.attestation.client_id().to_owned(),
        legal_name: r.legal_name.clone(),
        registration_number: r.registration_number.clone(),
    }
}

/// Assesses a verified request against the party's registration and the wallet's
/// credentials (`held`: usable credentials of the requested types, newest first; `copies_left`
/// per credential id).
pub fn assess(
    request: &VerifiedRequest,
    held: &[CredentialSummary],
    trust: &VerifiedTrustList,
    shared: Option<&SharingRecord>,
    lang: Lang,
) -> (Assessment, Option<Plan>) {
    let registration = request.attestation.registration();
    let query = &request.request.dcql_query;
    let requested = requested_claims(query);
    let purpose = purpose_for(registration, request.request.purpose.as_deref(), &requested);
    let mut assessment = Assessment {
        verdict: Verdict::Ok,
        party: Some(party_info(request)),
        purpose: None,
        attributes: Vec::new(),
        statements: Vec::new(),
        shared_before: shared.map(|s| SharedBefore {
            first_shared: s.first_shared,
            last_shared: s.last_shared,
            times: s.times,
        }),
        linkable: false,
    };
    // Statements first: what cannot be shown can never be signed, whatever else is asked.
    let parsed: Result<Vec<StatementEntry>, _> = request
        .transaction_data
        .iter()
        .map(statements::parse_entry)
        .collect();
    let parsed = match parsed {
        Ok(entries) => entries,
        Err(e) => {
            assessment.verdict = Verdict::UnsupportedStatement {
                reason: e.to_string(),
            };
            return (assessment, None);
        }
    };
    assessment.statements = parsed
        .iter()
        .map(|e| StatementView {
            type_id: e.statement.type_id().to_owned(),
            name: Statement::type_name(e.statement.type_id(), lang)
                .unwrap_or_default()
                .to_owned(),
            text: e.statement.sentence(lang),
        })
        .collect();
    let purpose = match purpose {
        Ok(p) => p,
        Err(not_allowed) => {
            assessment.purpose = request
                .request
                .purpose
                .as_deref()
                .and_then(|id| registration.purpose(id))
                .map(|p| purpose_info(p, lang));
            assessment.verdict = Verdict::OverAsking {
                not_allowed: not_allowed
                    .into_iter()
                    .map(|(vct, path)| NotAllowed {
                        credential_type: display::type_name(&vct, lang),
                        label: path
                            .as_ref()
                            .map(|p| display::label(p, lang))
                            .unwrap_or_else(|| display::type_name(&vct, lang)),
                        path,
                    })
                    .collect(),
            };
            return (assessment, None);
        }
    };
    assessment.purpose = Some(purpose_info(purpose, lang));
    // A statement of a type this purpose is not registered for is asked beyond it.
    let unregistered: Vec<NotAllowed> = parsed
        .iter()
        .filter(|e| {
            !purpose
                .statement_types
                .iter()
                .any(|t| t == e.statement.type_id())
        })
        .map(|e| NotAllowed {
            credential_type: String::new(),
            path: None,
            label: format!(
                "{}: {}",
                match lang {
                    Lang::Nl => "Verklaring",
                    Lang::En => "Statement",
                },
                Statement::type_name(e.statement.type_id(), lang).unwrap_or_default()
            ),
        })
        .collect();
    if !unregistered.is_empty() {
        assessment.verdict = Verdict::OverAsking {
            not_allowed: unregistered,
        };
        return (assessment, None);
    }

    let legacy_arrays: Vec<Vec<ClaimPath>> = held
        .iter()
        .map(|c| match &c.disclosable_arrays {
            Some(_) => Vec::new(),
            None => every_array(&c.claims),
        })
        .collect();
    let views: Vec<HeldCredential<'_>> = held
        .iter()
        .zip(&legacy_arrays)
        .map(|(c, legacy)| HeldCredential {
            id: &c.id,
            format: FORMAT_SD_JWT_VC,
            vct: &c.vct,
            claims: &c.claims,
            holder_binding: true,
            disclosable_arrays: c.disclosable_arrays.as_deref().unwrap_or(legacy),
        })
        .collect();
    let matched = match_credentials(query, &views);
    if !matched.satisfied {
        let mut types: Vec<MissingType> = Vec::new();
        for query_id in &matched.missing {
            let vcts = query
                .credential(query_id)
                .and_then(|q| q.meta().vct_values())
                .unwrap_or_default();
            for vct in vcts {
                if types.iter().any(|t| &t.vct == vct) {
                    continue;
                }
                types.push(MissingType {
                    vct: vct.clone(),
                    name: display::type_name(vct, lang),
                    where_to_get: trust
                        .issuers()
                        .iter()
                        .filter(|i| i.credential_types.contains(vct))
                        .map(|i| (i.id.clone(), i.name.get(lang).to_owned()))
                        .collect(),
                });
            }
        }
        assessment.verdict = Verdict::Missing { types };
        return (assessment, None);
    }

    let mut plan = Plan { items: Vec::new() };
    for query_id in matched.selected_query_ids() {
        // The newest credential with an unused copy; reusing a copy (linkable) only when
        // none is left.
        let candidates: Vec<(&protocol::dcql::Candidate, &CredentialSummary)> = matched
            .query(query_id)
            .map(|q| q.candidates.as_slice())
            .unwrap_or_default()
            .iter()
            .filter_map(|cand| {
                held.iter()
                    .find(|c| c.id == cand.credential_id)
                    .map(|c| (cand, c))
            })
            .collect();
        let Some((candidate, credential)) = candidates
            .iter()
            .find(|(_, c)| c.copies_left > 0)
            .or(candidates.first())
            .copied()
        else {
            continue;
        };
        if credential.copies_left == 0 {
            assessment.linkable = true;
        }
        for path in &candidate.disclose {
            let value = path
                .select(&credential.claims)
                .map(|values| {
                    values
                        .into_iter()
                        .map(|v| display::value_text(v, lang))
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default();
            assessment.attributes.push(RequestedAttribute {
                query_id: query_id.to_owned(),
                credential_id: credential.id.clone(),
                credential_type: display::type_name(&credential.vct, lang),
                vct: credential.vct.clone(),
                path: path.clone(),
                label: display::label(path, lang),
                value,
            });
        }
        plan.items.push(PlanItem {
            query_id: query_id.to_owned(),
            credential_id: credential.id.clone(),
            disclose: candidate.disclose.clone(),
        });
    }
    (assessment, Some(plan))
}

/// Every array in `claims`, by concrete path: for a credential stored without its record of
/// disclosable arrays, so that an index into an array is never answered when it might be
/// one the verifier refuses.
fn every_array(claims: &Value) -> Vec<ClaimPath> {
    fn walk(value: &Value, at: &mut Vec<PathComponent>, out: &mut Vec<ClaimPath>) {
        let children: Vec<(PathComponent, &Value)> = match value {
            Value::Object(map) => map
                .iter()
                .map(|(k, v)| (PathComponent::Key(k.clone()), v))
                .collect(),
            Value::Array(items) => {
                out.extend(ClaimPath::new(at.clone()));
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (PathComponent::Index(i), v))
                    .collect()
            }
            _ => Vec::new(),
        };
        for (component, child) in children {
            at.push(component);
            if at.len() <= protocol::claim_path::MAX_PATH_LEN {
                walk(child, at, out);
            }
            at.pop();
        }
    }
    let mut out = Vec::new();
    walk(claims, &mut Vec::new(), &mut out);
    out
}

fn party_info(request: &VerifiedRequest) -> PartyInfo {
    let r = request.attestation.registration();
    PartyInfo {
        client_id: request.attestation.client_id().to_owned(),
        legal_name: r.legal_name.clone(),
        registration_number: r.registration_number.clone(),
        city: r.city.clone(),
        logo: r.logo.clone(),
        privacy_policy_url: r.privacy_policy_url.clone(),
    }
}

fn purpose_info(p: &Purpose, lang: Lang) -> PurposeInfo {
    PurposeInfo {
        id: p.id.clone(),
        name: p.name.get(lang).to_owned(),
        description: p.description.get(lang).to_owned(),
        retention_days: p.retention_days,
        retention: p.retention.get(lang).to_owned(),
        shares_with_third_parties: p.shares_with_third_parties,
        deletion_possible: p.deletion_possible,
    }
}
