//! The query types, parsed from permissive wire structs into validated ones.

use super::{
    DcqlError, Limit, FORMAT_SD_JWT_VC, MAX_CLAIMS_PER_QUERY, MAX_CLAIM_SETS,
    MAX_CREDENTIAL_QUERIES, MAX_CREDENTIAL_SETS, MAX_ID_LEN, MAX_OPTIONS_PER_SET, MAX_QUERY_BYTES,
    MAX_VALUES,
};
use crate::claim_path::ClaimPath;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};
use std::collections::HashSet;

/// A validated DCQL query (OpenID4VP 1.0 §6).
///
/// Only obtainable through [`DcqlQuery::parse`] or `Deserialize` (which runs the same
/// validation), so holding one means every §6 validity rule holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawQuery")]
pub struct DcqlQuery {
    credentials: Vec<CredentialQuery>,
    #[serde(skip_serializing_if = "Option::is_none")]
    credential_sets: Option<Vec<CredentialSetQuery>>,
}

/// One credential query (§6.1).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CredentialQuery {
    id: String,
    format: String,
    #[serde(skip_serializing_if = "is_false")]
    multiple: bool,
    meta: CredentialMeta,
    #[serde(skip_serializing_if = "Option::is_none")]
    trusted_authorities: Option<Vec<TrustedAuthoritiesQuery>>,
    #[serde(skip_serializing_if = "is_true")]
    require_cryptographic_holder_binding: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    claims: Option<Vec<ClaimsQuery>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    claim_sets: Option<Vec<Vec<String>>>,
}

/// The `meta` object of a credential query. `vct_values` is typed for `dc+sd-jwt`
/// (Appendix B.3.5); every other member is kept as given so that it serializes back.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CredentialMeta {
    #[serde(skip_serializing_if = "Option::is_none")]
    vct_values: Option<Vec<String>>,
    #[serde(flatten)]
    other: Map<String, Value>,
}

/// A trusted authorities query (§6.1.1). Carried for the request object; Regie's wallet
/// does not filter on it (issuer trust is checked by the verifier in any case).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrustedAuthoritiesQuery {
    #[serde(rename = "type")]
    kind: String,
    values: Vec<String>,
}

/// One claims query (§6.3).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClaimsQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    path: ClaimPath,
    #[serde(skip_serializing_if = "Option::is_none")]
    values: Option<Vec<ClaimValue>>,
}

/// An expected claim value: §6.3 allows strings, integers and booleans only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ClaimValue {
    String(String),
    /// Always an integer (never a float), as checked during parsing.
    Integer(Number),
    Bool(bool),
}

/// One credential set query (§6.2).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CredentialSetQuery {
    options: Vec<Vec<String>>,
    #[serde(skip_serializing_if = "is_true")]
    required: bool,
    /// Not part of OpenID4VP 1.0 final (drafts had it); kept when present because some
    /// verifiers still send it and the wallet may show it.
    #[serde(skip_serializing_if = "Option::is_none")]
    purpose: Option<Value>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_true(b: &bool) -> bool {
    *b
}

impl DcqlQuery {
    /// Parses and validates a DCQL query from JSON text (`&str`, `&[u8]`, ...). Never
    /// panics; input over [`MAX_QUERY_BYTES`] is rejected before it is read.
    pub fn parse(input: impl AsRef<[u8]>) -> Result<Self, DcqlError> {
        let bytes = input.as_ref();
        if bytes.len() > MAX_QUERY_BYTES {
            return Err(DcqlError::TooLarge);
        }
        let raw: RawQuery =
            crate::json::from_slice(bytes).map_err(|e| DcqlError::Malformed(e.to_string()))?;
        Self::try_from(raw)
    }

    /// Parses and validates a query already decoded as JSON (e.g. the `dcql_query` member
    /// of a request object). The caller bounded the size of the enclosing document.
    pub fn from_json_value(value: &Value) -> Result<Self, DcqlError> {
        let raw = RawQuery::deserialize(value).map_err(|e| DcqlError::Malformed(e.to_string()))?;
        Self::try_from(raw)
    }

    /// The query as JSON, for the `dcql_query` request parameter.
    pub fn to_json_value(&self) -> Value {
        // Serializing plain strings, maps and integers cannot fail.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The credential queries, in request order.
    pub fn credentials(&self) -> &[CredentialQuery] {
        &self.credentials
    }

    /// The credential set queries, if the verifier gave any.
    pub fn credential_sets(&self) -> Option<&[CredentialSetQuery]> {
        self.credential_sets.as_deref()
    }

    /// The credential query with this id.
    pub fn credential(&self, id: &str) -> Option<&CredentialQuery> {
        self.credentials.iter().find(|c| c.id == id)
    }

    /// The credential sets as §6.4.2 applies them: without `credential_sets` every
    /// credential query is its own required set with a single option.
    pub(super) fn effective_sets(&self) -> Vec<(bool, Vec<Vec<String>>)> {
        match &self.credential_sets {
            Some(sets) => sets
                .iter()
                .map(|s| (s.required, s.options.clone()))
                .collect(),
            None => self
                .credentials
                .iter()
                .map(|c| (true, vec![vec![c.id.clone()]]))
                .collect(),
        }
    }
}

impl CredentialQuery {
    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn format(&self) -> &str {
        &self.format
    }
    /// Whether more than one presentation may answer this query (default `false`).
    pub fn multiple(&self) -> bool {
        self.multiple
    }
    pub fn meta(&self) -> &CredentialMeta {
        &self.meta
    }
    pub fn trusted_authorities(&self) -> Option<&[TrustedAuthoritiesQuery]> {
        self.trusted_authorities.as_deref()
    }
    /// Whether a key binding proof is required (default `true`).
    pub fn require_cryptographic_holder_binding(&self) -> bool {
        self.require_cryptographic_holder_binding
    }
    pub fn claims(&self) -> Option<&[ClaimsQuery]> {
        self.claims.as_deref()
    }
    /// Claim id combinations, most preferred first.
    pub fn claim_sets(&self) -> Option<&[Vec<String>]> {
        self.claim_sets.as_deref()
    }
}

impl CredentialMeta {
    /// Accepted `vct` values; always present for `dc+sd-jwt` queries.
    pub fn vct_values(&self) -> Option<&[String]> {
        self.vct_values.as_deref()
    }
    /// The other members of `meta`, as given.
    pub fn other(&self) -> &Map<String, Value> {
        &self.other
    }
}

impl TrustedAuthoritiesQuery {
    /// The `type` member, e.g. `aki`, `etsi_tl`, `openid_federation`.
    pub fn kind(&self) -> &str {
        &self.kind
    }
    pub fn values(&self) -> &[String] {
        &self.values
    }
}

impl ClaimsQuery {
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    pub fn path(&self) -> &ClaimPath {
        &self.path
    }
    pub fn values(&self) -> Option<&[ClaimValue]> {
        self.values.as_deref()
    }
}

impl ClaimValue {
    /// Whether `claim` has exactly this type and value (§6.3: `31` does not match `"31"`
    /// nor `31.0`).
    pub fn matches(&self, claim: &Value) -> bool {
        match (self, claim) {
            (ClaimValue::String(a), Value::String(b)) => a == b,
            (ClaimValue::Integer(a), Value::Number(b)) => a == b,
            (ClaimValue::Bool(a), Value::Bool(b)) => a == b,
            _ => false,
        }
    }

    fn from_json(value: Value) -> Option<Self> {
        match value {
            Value::String(s) => Some(ClaimValue::String(s)),
            Value::Bool(b) => Some(ClaimValue::Bool(b)),
            Value::Number(n) if n.is_i64() || n.is_u64() => Some(ClaimValue::Integer(n)),
            _ => None,
        }
    }
}

impl CredentialSetQuery {
    /// Alternative lists of credential query ids, most preferred first.
    pub fn options(&self) -> &[Vec<String>] {
        &self.options
    }
    /// Whether the set must be satisfied (default `true`).
    pub fn required(&self) -> bool {
        self.required
    }
    /// The draft-era `purpose`, when the verifier sent one.
    pub fn purpose(&self) -> Option<&Value> {
        self.purpose.as_ref()
    }
}

// Wire structs: everything the spec makes optional is optional here, and values that need
// a rule-specific error (ids, paths, `values`, `meta`) stay loosely typed until validation.
// Unknown members are ignored (§6: "Implementations MUST ignore any unknown properties").

#[derive(Deserialize)]
struct RawQuery {
    credentials: Vec<RawCredentialQuery>,
    credential_sets: Option<Vec<RawCredentialSet>>,
}

#[derive(Deserialize)]
struct RawCredentialQuery {
    id: String,
    format: String,
    multiple: Option<bool>,
    meta: Map<String, Value>,
    trusted_authorities: Option<Vec<RawTrustedAuthority>>,
    require_cryptographic_holder_binding: Option<bool>,
    claims: Option<Vec<RawClaimsQuery>>,
    claim_sets: Option<Vec<Vec<String>>>,
}

#[derive(Deserialize)]
struct RawTrustedAuthority {
    #[serde(rename = "type")]
    kind: String,
    values: Vec<String>,
}

#[derive(Deserialize)]
struct RawClaimsQuery {
    id: Option<String>,
    path: Value,
    values: Option<Vec<Value>>,
}

#[derive(Deserialize)]
struct RawCredentialSet {
    options: Vec<Vec<String>>,
    required: Option<bool>,
    purpose: Option<Value>,
}

impl TryFrom<RawQuery> for DcqlQuery {
    type Error = DcqlError;

    fn try_from(raw: RawQuery) -> Result<Self, DcqlError> {
        if raw.credentials.is_empty() {
            return Err(DcqlError::NoCredentialQueries);
        }
        if raw.credentials.len() > MAX_CREDENTIAL_QUERIES {
            return Err(DcqlError::TooMany(Limit::CredentialQueries));
        }
        let mut ids = HashSet::new();
        let mut credentials = Vec::with_capacity(raw.credentials.len());
        for raw_query in raw.credentials {
            let query = validate_credential_query(raw_query)?;
            if !ids.insert(query.id.clone()) {
                return Err(DcqlError::DuplicateCredentialQueryId(query.id));
            }
            credentials.push(query);
        }
        let credential_sets = raw
            .credential_sets
            .map(|sets| validate_credential_sets(sets, &ids))
            .transpose()?;
        Ok(DcqlQuery {
            credentials,
            credential_sets,
        })
    }
}

/// §6.1 and §6.3: identifiers are non-empty strings of alphanumerics, `_` and `-`.
fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn validate_credential_query(raw: RawCredentialQuery) -> Result<CredentialQuery, DcqlError> {
    if !is_valid_id(&raw.id) {
        return Err(DcqlError::InvalidCredentialQueryId(raw.id));
    }
    let id = raw.id;
    let meta = validate_meta(&id, &raw.format, raw.meta)?;
    let trusted_authorities = raw
        .trusted_authorities
        .map(|list| validate_trusted_authorities(&id, list))
        .transpose()?;
    let claims = raw
        .claims
        .map(|claims| validate_claims(&id, claims))
        .transpose()?;
    let claim_sets = match (raw.claim_sets, &claims) {
        (None, _) => None,
        (Some(_), None) => return Err(DcqlError::ClaimSetsWithoutClaims(id)),
        (Some(sets), Some(claims)) => Some(validate_claim_sets(&id, sets, claims)?),
    };
    Ok(CredentialQuery {
        id,
        format: raw.format,
        multiple: raw.multiple.unwrap_or(false),
        meta,
        trusted_authorities,
        require_cryptographic_holder_binding: raw
            .require_cryptographic_holder_binding
            .unwrap_or(true),
        claims,
        claim_sets,
    })
}

/// Appendix B.3.5: `dc+sd-jwt` queries name the accepted types in `vct_values`. The other
/// formats of Appendix B must have their own required `meta` (a query DCQL itself rejects
/// is not carried on); `meta` of formats it does not define is carried untouched.
fn validate_meta(
    id: &str,
    format: &str,
    mut meta: Map<String, Value>,
) -> Result<CredentialMeta, DcqlError> {
    if format != FORMAT_SD_JWT_VC {
        let valid = match format {
            "mso_mdoc" => meta
                .get("doctype_value")
                .and_then(Value::as_str)
                .is_some_and(|d| !d.is_empty()),
            "jwt_vc_json" | "ldp_vc" => meta
                .get("type_values")
                .and_then(Value::as_array)
                .is_some_and(|sets| {
                    !sets.is_empty()
                        && sets.iter().all(|set| {
                            set.as_array().is_some_and(|types| {
                                !types.is_empty()
                                    && types
                                        .iter()
                                        .all(|t| t.as_str().is_some_and(|t| !t.is_empty()))
                            })
                        })
                }),
            _ => true,
        };
        if !valid {
            return Err(DcqlError::InvalidMeta(id.to_owned()));
        }
        return Ok(CredentialMeta {
            vct_values: None,
            other: meta,
        });
    }
    let raw_values = meta
        .remove("vct_values")
        .ok_or_else(|| DcqlError::MissingVctValues(id.to_owned()))?;
    let invalid = || DcqlError::InvalidVctValues(id.to_owned());
    let items = match raw_values {
        Value::Array(items) if !items.is_empty() => items,
        _ => return Err(invalid()),
    };
    let vct_values = items
        .into_iter()
        .map(|item| match item {
            Value::String(s) if !s.is_empty() => Ok(s),
            _ => Err(invalid()),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CredentialMeta {
        vct_values: Some(vct_values),
        other: meta,
    })
}

fn validate_trusted_authorities(
    id: &str,
    list: Vec<RawTrustedAuthority>,
) -> Result<Vec<TrustedAuthoritiesQuery>, DcqlError> {
    if list.is_empty() || list.iter().any(|ta| ta.values.is_empty()) {
        return Err(DcqlError::InvalidTrustedAuthorities(id.to_owned()));
    }
    Ok(list
        .into_iter()
        .map(|ta| TrustedAuthoritiesQuery {
            kind: ta.kind,
            values: ta.values,
        })
        .collect())
}

fn validate_claims(id: &str, raw: Vec<RawClaimsQuery>) -> Result<Vec<ClaimsQuery>, DcqlError> {
    if raw.is_empty() {
        return Err(DcqlError::EmptyClaims(id.to_owned()));
    }
    if raw.len() > MAX_CLAIMS_PER_QUERY {
        return Err(DcqlError::TooMany(Limit::Claims));
    }
    let mut claim_ids = HashSet::new();
    raw.into_iter()
        .map(|claim| {
            if let Some(claim_id) = &claim.id {
                if !is_valid_id(claim_id) {
                    return Err(DcqlError::InvalidClaimId {
                        query: id.to_owned(),
                        claim: claim_id.clone(),
                    });
                }
                if !claim_ids.insert(claim_id.clone()) {
                    return Err(DcqlError::DuplicateClaimId {
                        query: id.to_owned(),
                        claim: claim_id.clone(),
                    });
                }
            }
            validate_claim(id, claim)
        })
        .collect()
}

fn validate_claim(id: &str, raw: RawClaimsQuery) -> Result<ClaimsQuery, DcqlError> {
    let path =
        ClaimPath::from_json_value(&raw.path).map_err(|source| DcqlError::InvalidClaimPath {
            query: id.to_owned(),
            source,
        })?;
    let values = raw
        .values
        .map(|values| validate_values(id, values))
        .transpose()?;
    Ok(ClaimsQuery {
        id: raw.id,
        path,
        values,
    })
}

fn validate_values(id: &str, values: Vec<Value>) -> Result<Vec<ClaimValue>, DcqlError> {
    if values.is_empty() {
        return Err(DcqlError::EmptyValues(id.to_owned()));
    }
    if values.len() > MAX_VALUES {
        return Err(DcqlError::TooMany(Limit::Values));
    }
    values
        .into_iter()
        .map(|v| ClaimValue::from_json(v).ok_or_else(|| DcqlError::InvalidValue(id.to_owned())))
        .collect()
}

/// §6.4.1: claim sets list ids of `claims`, so every claim needs an id once sets exist.
/// An empty claim set is allowed (§6.1 only requires the outer array to be non-empty): it
/// asks for the credential without selectively disclosable claims.
fn validate_claim_sets(
    id: &str,
    sets: Vec<Vec<String>>,
    claims: &[ClaimsQuery],
) -> Result<Vec<Vec<String>>, DcqlError> {
    if sets.is_empty() {
        return Err(DcqlError::EmptyClaimSets(id.to_owned()));
    }
    if sets.len() > MAX_CLAIM_SETS {
        return Err(DcqlError::TooMany(Limit::ClaimSets));
    }
    if sets.iter().any(|set| set.len() > MAX_CLAIMS_PER_QUERY) {
        return Err(DcqlError::TooMany(Limit::ClaimSetMembers));
    }
    if claims.iter().any(|c| c.id.is_none()) {
        return Err(DcqlError::MissingClaimId(id.to_owned()));
    }
    let known: HashSet<&str> = claims.iter().filter_map(|c| c.id.as_deref()).collect();
    if let Some(unknown) = sets.iter().flatten().find(|c| !known.contains(c.as_str())) {
        return Err(DcqlError::UnknownClaimId {
            query: id.to_owned(),
            claim: unknown.clone(),
        });
    }
    Ok(sets)
}

fn validate_credential_sets(
    sets: Vec<RawCredentialSet>,
    ids: &HashSet<String>,
) -> Result<Vec<CredentialSetQuery>, DcqlError> {
    if sets.is_empty() {
        return Err(DcqlError::EmptyCredentialSets);
    }
    if sets.len() > MAX_CREDENTIAL_SETS {
        return Err(DcqlError::TooMany(Limit::CredentialSets));
    }
    sets.into_iter()
        .enumerate()
        .map(|(index, set)| {
            if set.options.is_empty() {
                return Err(DcqlError::EmptyOptions(index));
            }
            if set.options.len() > MAX_OPTIONS_PER_SET {
                return Err(DcqlError::TooMany(Limit::Options));
            }
            if set.options.iter().any(Vec::is_empty) {
                return Err(DcqlError::EmptyOption(index));
            }
            if set
                .options
                .iter()
                .any(|option| option.len() > MAX_CREDENTIAL_QUERIES)
            {
                return Err(DcqlError::TooMany(Limit::OptionMembers));
            }
            if let Some(unknown) = set.options.iter().flatten().find(|id| !ids.contains(*id)) {
                return Err(DcqlError::UnknownCredentialQueryId(unknown.clone()));
            }
            Ok(CredentialSetQuery {
                options: set.options,
                required: set.required.unwrap_or(true),
                purpose: set.purpose,
            })
        })
        .collect()
}
