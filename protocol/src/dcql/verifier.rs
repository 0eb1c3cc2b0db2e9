//! Verifier side: does a response answer the query (§8.6 step 2.2 and step 3)?

use super::selection::{answer_claims, ClaimsShortfall};
use super::{DcqlQuery, FORMAT_SD_JWT_VC};
use crate::claim_path::ClaimPath;
use serde_json::Value;

/// One verified presentation from a `vp_token`, as the check needs it.
#[derive(Clone, Copy, Debug)]
pub struct PresentedCredential<'a> {
    /// The `vp_token` key the presentation was listed under.
    pub query_id: &'a str,
    /// Credential format identifier of the presentation.
    pub format: &'a str,
    /// The credential's `vct`.
    pub vct: &'a str,
    /// The claims the verifier can see: always-visible claims plus the disclosed ones.
    pub claims: &'a Value,
    /// Whether a key binding JWT was verified for this presentation.
    pub holder_binding: bool,
    /// Paths (in `claims`) of the arrays that had selectively disclosable elements, from
    /// [`crate::sd_jwt::VerifiedSdJwt::disclosable_arrays`].
    pub disclosable_arrays: &'a [ClaimPath],
}

/// Why a response does not answer the query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    #[error("presentation for unknown credential query {0:?}")]
    UnknownQueryId(String),
    #[error(
        "more than one presentation for credential query {0:?}, which does not allow multiple"
    )]
    TooManyPresentations(String),
    #[error("credential query {0:?}: presentation has the wrong format")]
    WrongFormat(String),
    #[error("credential query {0:?}: format is not supported by this check")]
    UnsupportedFormat(String),
    #[error("credential query {query:?}: vct {vct:?} is not one of the requested types")]
    WrongVct { query: String, vct: String },
    #[error("credential query {0:?}: holder binding proof required but missing")]
    HolderBindingMissing(String),
    #[error("credential query {query:?}: claim {path} not disclosed")]
    MissingClaim { query: String, path: ClaimPath },
    #[error("credential query {query:?}: claim {path} does not have a requested value")]
    ValueMismatch { query: String, path: ClaimPath },
    #[error("credential query {0:?}: no claim set is fully disclosed")]
    NoClaimSetSatisfied(String),
    #[error("credential query {query:?}: claim {path} names a position in an array whose elements are selectively disclosable")]
    IndexIntoDisclosableArray { query: String, path: ClaimPath },
    #[error("no presentation for required credential query {0:?}")]
    MissingPresentation(String),
    #[error("required credential set {0} is not satisfied by any option")]
    CredentialSetUnsatisfied(usize),
}

/// Checks that `presented` answers `query`. On success returns the ids of the credential
/// queries that were answered, in query order.
///
/// Every presentation must answer its credential query in full: format, `vct`, holder
/// binding when required, and the claims as §6.4.1 selects them (any claim set is
/// accepted, not only the preferred one, since the wallet may deviate). A presentation that
/// falls short rejects the whole response rather than being dropped: stricter than §8.6's
/// "discard", but an honest wallet never sends one, and rejecting gives the relying party
/// a precise reason. Then every required credential set (each credential query, when there
/// are no `credential_sets`) must have an option whose queries were all answered.
/// `values` are checked too, but §6.4.1 says not to rely on them for security.
///
/// Array positions: a claims path with an integer index into an array whose elements are
/// selectively disclosable is refused ([`ResponseError::IndexIntoDisclosableArray`]; within
/// `claim_sets`, a set holding one cannot be satisfied, another set may): the positions the
/// verifier sees are not the issuer's, so such a path cannot be checked, and the wallet
/// applies the same rule. `null`
/// selects the disclosed elements and is checked as usual (with no promise that every issued
/// element was disclosed: that is the holder's choice in SD-JWT).
pub fn check_presented(
    query: &DcqlQuery,
    presented: &[PresentedCredential<'_>],
) -> Result<Vec<String>, ResponseError> {
    for p in presented {
        check_one(query, p)?;
    }
    for cq in query.credentials().iter().filter(|cq| !cq.multiple()) {
        let count = presented.iter().filter(|p| p.query_id == cq.id()).count();
        if count > 1 {
            return Err(ResponseError::TooManyPresentations(cq.id().to_owned()));
        }
    }
    let answered = |id: &str| presented.iter().any(|p| p.query_id == id);
    let explicit_sets = query.credential_sets().is_some();
    for (index, (required, options)) in query.effective_sets().into_iter().enumerate() {
        let satisfied = options
            .iter()
            .any(|option| option.iter().all(|id| answered(id)));
        if required && !satisfied {
            return Err(
                match (explicit_sets, options.first().and_then(|o| o.first())) {
                    (false, Some(id)) => ResponseError::MissingPresentation(id.clone()),
                    _ => ResponseError::CredentialSetUnsatisfied(index),
                },
            );
        }
    }
    Ok(query
        .credentials()
        .iter()
        .map(|cq| cq.id().to_owned())
        .filter(|id| answered(id))
        .collect())
}

fn check_one(query: &DcqlQuery, p: &PresentedCredential<'_>) -> Result<(), ResponseError> {
    let id = || p.query_id.to_owned();
    let cq = query
        .credential(p.query_id)
        .ok_or_else(|| ResponseError::UnknownQueryId(id()))?;
    if p.format != cq.format() {
        return Err(ResponseError::WrongFormat(id()));
    }
    let vct_values = match (cq.format(), cq.meta().vct_values()) {
        (FORMAT_SD_JWT_VC, Some(values)) => values,
        _ => return Err(ResponseError::UnsupportedFormat(id())),
    };
    if !vct_values.iter().any(|v| v == p.vct) {
        return Err(ResponseError::WrongVct {
            query: id(),
            vct: p.vct.to_owned(),
        });
    }
    if cq.require_cryptographic_holder_binding() && !p.holder_binding {
        return Err(ResponseError::HolderBindingMissing(id()));
    }
    answer_claims(cq, p.claims, p.disclosable_arrays)
        .map(|_| ())
        .map_err(|shortfall| match shortfall {
            ClaimsShortfall::Missing(path) => ResponseError::MissingClaim { query: id(), path },
            ClaimsShortfall::ValueMismatch(path) => {
                ResponseError::ValueMismatch { query: id(), path }
            }
            ClaimsShortfall::NoClaimSet => ResponseError::NoClaimSetSatisfied(id()),
            ClaimsShortfall::IndexIntoDisclosableArray(path) => {
                ResponseError::IndexIntoDisclosableArray { query: id(), path }
            }
        })
}
