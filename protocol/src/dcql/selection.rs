//! Applying a credential query's `claims` / `claim_sets` to a credential's claims (§6.4.1),
//! shared by the wallet (what to disclose) and the verifier (was enough disclosed).

use super::{ClaimsQuery, CredentialQuery};
use crate::claim_path::{ClaimPath, PathComponent};
use serde_json::Value;

/// Why a credential's claims do not answer a credential query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ClaimsShortfall {
    /// The path selects nothing (or runs into a value of the wrong type).
    Missing(ClaimPath),
    /// The path selects claims, but none has one of the requested `values`.
    ValueMismatch(ClaimPath),
    /// No claim set can be satisfied in full.
    NoClaimSet,
    /// The path names an array element by position in an array whose elements are
    /// selectively disclosable: see [`index_into_disclosable_array`].
    IndexIntoDisclosableArray(ClaimPath),
}

/// The claims that answer a credential query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ClaimsAnswer {
    /// Index of the chosen claim set, when the query has `claim_sets`.
    pub claim_set: Option<usize>,
    /// Paths to disclose, without duplicates, in query order.
    pub disclose: Vec<ClaimPath>,
}

/// Selects the claims of `query` from `claims` following §6.4.1: without `claims` nothing
/// selectively disclosable is requested; without `claim_sets` every claims query must be
/// answered; otherwise the first claim set (the verifier's preference) that can be answered
/// in full wins.
///
/// `disclosable_arrays` are the arrays of the credential whose elements are selectively
/// disclosable (see [`index_into_disclosable_array`]).
pub(super) fn answer_claims(
    query: &CredentialQuery,
    claims: &Value,
    disclosable_arrays: &[ClaimPath],
) -> Result<ClaimsAnswer, ClaimsShortfall> {
    let Some(claim_queries) = query.claims() else {
        return Ok(ClaimsAnswer {
            claim_set: None,
            disclose: Vec::new(),
        });
    };
    let outcomes: Vec<Result<Vec<ClaimPath>, ClaimsShortfall>> = claim_queries
        .iter()
        .map(|c| answer_claim(c, claims, disclosable_arrays))
        .collect();
    let Some(claim_sets) = query.claim_sets() else {
        let mut disclose = Vec::new();
        for outcome in outcomes {
            extend_unique(&mut disclose, outcome?);
        }
        return Ok(ClaimsAnswer {
            claim_set: None,
            disclose,
        });
    };
    claim_sets
        .iter()
        .enumerate()
        .find_map(|(index, set)| {
            let mut disclose = Vec::new();
            for (claim, outcome) in claim_queries.iter().zip(&outcomes) {
                let in_set = claim.id().is_some_and(|id| set.iter().any(|s| s == id));
                if in_set {
                    extend_unique(&mut disclose, outcome.clone().ok()?);
                }
            }
            Some(ClaimsAnswer {
                claim_set: Some(index),
                disclose,
            })
        })
        .ok_or(ClaimsShortfall::NoClaimSet)
}

/// Paths to disclose for one claims query. Without `values` the path is kept as given
/// (`null` wildcards included; the presentation layer expands them). With `values`, a
/// selected claim that does not match is treated as absent (§6.4.1), so wildcards are
/// expanded to the concrete paths of the matching claims only: disclosing the whole array
/// would reveal the non-matching elements too.
fn answer_claim(
    query: &ClaimsQuery,
    claims: &Value,
    disclosable_arrays: &[ClaimPath],
) -> Result<Vec<ClaimPath>, ClaimsShortfall> {
    let path = query.path();
    if index_into_disclosable_array(path, disclosable_arrays) {
        return Err(ClaimsShortfall::IndexIntoDisclosableArray(path.clone()));
    }
    if path.select(claims).is_err() {
        return Err(ClaimsShortfall::Missing(path.clone()));
    }
    let Some(expected) = query.values() else {
        return Ok(vec![path.clone()]);
    };
    let matching: Vec<ClaimPath> = select_concrete(path, claims)
        .into_iter()
        .filter(|(_, value)| expected.iter().any(|e| e.matches(value)))
        .filter_map(|(components, _)| ClaimPath::new(components).ok())
        .collect();
    if matching.is_empty() {
        return Err(ClaimsShortfall::ValueMismatch(path.clone()));
    }
    Ok(matching)
}

/// Whether `path` selects an element by position (an integer component) in one of
/// `disclosable_arrays`.
///
/// Why such a path is never answered: an array's undisclosed elements (and decoys) are
/// removed before anyone sees the array (RFC 9901 §7.1 step 3.4), so positions in what the
/// verifier receives are not positions in what the issuer signed. `["nationalities", 1]`
/// answered honestly would arrive at index 0 and be refused, and a holder disclosing only
/// element 1 would pass a check of element 0. Keeping positions would need the verifier to
/// count elements it cannot see (decoys look the same). So wallet and verifier both treat an
/// integer index into such an array as unanswerable, with the same rule on the same
/// arrays: the wallet does not offer the credential, the verifier refuses a presentation
/// for it. `null` (any element) is answered as usual: it means "the disclosed elements", so
/// with `values` it asks whether some element has that value, which disclosure keeps true.
/// Indices into arrays without disclosable elements keep their positions and are answered.
pub(super) fn index_into_disclosable_array(
    path: &ClaimPath,
    disclosable_arrays: &[ClaimPath],
) -> bool {
    let components = path.components();
    components.iter().enumerate().any(|(at, component)| {
        if !matches!(component, PathComponent::Index(_)) {
            return false;
        }
        // The array being indexed is the one at the path so far (`null` covering any
        // element above it); an index at the very start indexes no array.
        let Ok(array) = ClaimPath::new(components[..at].to_vec()) else {
            return false;
        };
        disclosable_arrays
            .iter()
            .any(|a| a.components().len() == at && a.is_within(&array))
    })
}

/// Like [`ClaimPath::select`], but returns the concrete path (no `null`) of each selected
/// value. Components that do not fit the structure select nothing; callers run `select`
/// first to get §7.1's error semantics.
fn select_concrete<'a>(path: &ClaimPath, root: &'a Value) -> Vec<(Vec<PathComponent>, &'a Value)> {
    let mut selected = vec![(Vec::new(), root)];
    for component in path.components() {
        let mut next = Vec::new();
        for (prefix, value) in selected {
            let child = |c: PathComponent| {
                let mut p = prefix.clone();
                p.push(c);
                p
            };
            match (component, value) {
                (PathComponent::Key(key), Value::Object(map)) => {
                    if let Some(v) = map.get(key) {
                        next.push((child(component.clone()), v));
                    }
                }
                (PathComponent::Index(i), Value::Array(items)) => {
                    if let Some(v) = items.get(*i) {
                        next.push((child(component.clone()), v));
                    }
                }
                (PathComponent::AllElements, Value::Array(items)) => {
                    for (i, v) in items.iter().enumerate() {
                        next.push((child(PathComponent::Index(i)), v));
                    }
                }
                _ => {}
            }
        }
        selected = next;
    }
    selected
}

/// Verifiers must not ask for the same claim twice and wallets should ignore such
/// duplicates (§6.1), so duplicates collapse instead of failing.
fn extend_unique(into: &mut Vec<ClaimPath>, paths: Vec<ClaimPath>) {
    for path in paths {
        if !into.contains(&path) {
            into.push(path);
        }
    }
}
