//! Wallet side: which held credentials answer a DCQL query (§6.4).

use super::selection::answer_claims;
use super::{CredentialQuery, DcqlQuery, FORMAT_SD_JWT_VC};
use crate::claim_path::ClaimPath;
use serde_json::Value;

/// A credential the wallet holds, as matching needs it: a borrowed view, so the wallet
/// builds these from its store without copying claims.
#[derive(Clone, Copy, Debug)]
pub struct HeldCredential<'a> {
    /// The wallet's own identifier for the credential (echoed in [`Candidate`]).
    pub id: &'a str,
    /// Credential format identifier, e.g. [`FORMAT_SD_JWT_VC`].
    pub format: &'a str,
    /// The SD-JWT VC `vct`.
    pub vct: &'a str,
    /// All claims, with every selective disclosure applied.
    pub claims: &'a Value,
    /// Whether the credential is bound to a holder key (`cnf`), so a KB-JWT can prove it.
    pub holder_binding: bool,
    /// Paths (in `claims`) of the arrays whose elements are selectively disclosable, from
    /// [`crate::sd_jwt::VerifiedSdJwt::disclosable_arrays`]: an integer index into one is
    /// not answered (see [`check_presented`](super::check_presented)).
    pub disclosable_arrays: &'a [ClaimPath],
}

/// A held credential that answers a credential query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// [`HeldCredential::id`].
    pub credential_id: String,
    /// The claim set used (index into the query's `claim_sets`), if it has any.
    pub claim_set: Option<usize>,
    /// Claims to disclose. `null` wildcards are kept unless `values` narrowed them to
    /// concrete indices. Empty when the query has no `claims` (only the claims that are
    /// always visible are presented).
    pub disclose: Vec<ClaimPath>,
}

/// The candidates for one credential query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryMatch {
    pub query_id: String,
    /// Whether the response may carry more than one presentation for this query.
    pub multiple: bool,
    /// Matching held credentials, in the order they were given.
    pub candidates: Vec<Candidate>,
}

/// How one credential set (explicit, or the implicit one per query when the query has no
/// `credential_sets`) can be satisfied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialSetMatch {
    pub required: bool,
    /// The set's options (lists of credential query ids), most preferred first.
    pub options: Vec<Vec<String>>,
    /// Indices of the options whose queries all have candidates, in preference order; the
    /// user may be offered the choice (§6.4.3).
    pub satisfiable_options: Vec<usize>,
}

impl CredentialSetMatch {
    /// The verifier's preferred option among the satisfiable ones.
    pub fn chosen_option(&self) -> Option<usize> {
        self.satisfiable_options.first().copied()
    }
}

/// The outcome of matching a query against the wallet's credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DcqlMatch {
    /// Whether every required credential set can be satisfied. When false the wallet must
    /// not return any credential (§6.4.2).
    pub satisfied: bool,
    /// One entry per credential query, in query order.
    pub queries: Vec<QueryMatch>,
    /// One entry per credential set, in query order.
    pub credential_sets: Vec<CredentialSetMatch>,
    /// Credential query ids without candidates that make a required set unsatisfiable: for
    /// each such set, those of its first (preferred) option. In query order, for the
    /// "missing credential" explanation.
    pub missing: Vec<String>,
}

impl DcqlMatch {
    /// The entry for one credential query id.
    pub fn query(&self, query_id: &str) -> Option<&QueryMatch> {
        self.queries.iter().find(|q| q.query_id == query_id)
    }

    /// The credential queries to answer when every set takes its preferred satisfiable
    /// option (optional sets that cannot be satisfied are skipped). Empty when the query is
    /// not satisfied. In query order.
    pub fn selected_query_ids(&self) -> Vec<&str> {
        if !self.satisfied {
            return Vec::new();
        }
        let chosen: Vec<&String> = self
            .credential_sets
            .iter()
            .filter_map(|set| set.chosen_option().and_then(|i| set.options.get(i)))
            .flatten()
            .collect();
        self.queries
            .iter()
            .map(|q| q.query_id.as_str())
            .filter(|id| chosen.iter().any(|c| c.as_str() == *id))
            .collect()
    }
}

/// Matches `query` against `held` (§6.4).
///
/// A held credential answers a credential query when its format is `dc+sd-jwt` and equals
/// the query's, its `vct` is one of `meta.vct_values` (exact string equality: `vct`
/// inheritance, which §B.3.5 permits but does not require, is not followed), it has holder
/// binding when the query requires it, and its claims answer `claims`/`claim_sets`. Queries
/// of other formats never match: their `meta` cannot be evaluated on an SD-JWT VC.
/// `trusted_authorities` is not evaluated (a SHOULD; the verifier checks issuer trust).
/// A claims path with an integer index into an array whose elements are selectively
/// disclosable is not answered, as the verifier would refuse it (see [`check_presented`]).
///
/// [`check_presented`]: super::check_presented
pub fn match_credentials(query: &DcqlQuery, held: &[HeldCredential<'_>]) -> DcqlMatch {
    let queries: Vec<QueryMatch> = query
        .credentials()
        .iter()
        .map(|cq| QueryMatch {
            query_id: cq.id().to_owned(),
            multiple: cq.multiple(),
            candidates: held.iter().filter_map(|h| candidate(cq, h)).collect(),
        })
        .collect();
    let has_candidates = |id: &str| {
        queries
            .iter()
            .any(|q| q.query_id == id && !q.candidates.is_empty())
    };
    let credential_sets: Vec<CredentialSetMatch> = query
        .effective_sets()
        .into_iter()
        .map(|(required, options)| CredentialSetMatch {
            required,
            satisfiable_options: options
                .iter()
                .enumerate()
                .filter(|(_, option)| option.iter().all(|id| has_candidates(id)))
                .map(|(i, _)| i)
                .collect(),
            options,
        })
        .collect();
    let unsatisfied: Vec<&CredentialSetMatch> = credential_sets
        .iter()
        .filter(|s| s.required && s.satisfiable_options.is_empty())
        .collect();
    let missing = queries
        .iter()
        .map(|q| &q.query_id)
        .filter(|id| {
            !has_candidates(id)
                && unsatisfied
                    .iter()
                    .any(|s| s.options.first().is_some_and(|o| o.contains(id)))
        })
        .cloned()
        .collect();
    DcqlMatch {
        satisfied: unsatisfied.is_empty(),
        queries,
        credential_sets,
        missing,
    }
}

fn candidate(query: &CredentialQuery, held: &HeldCredential<'_>) -> Option<Candidate> {
    let type_matches = held.format == FORMAT_SD_JWT_VC
        && query.format() == held.format
        && query
            .meta()
            .vct_values()
            .is_some_and(|vcts| vcts.iter().any(|v| v == held.vct));
    if !type_matches || (query.require_cryptographic_holder_binding() && !held.holder_binding) {
        return None;
    }
    let answer = answer_claims(query, held.claims, held.disclosable_arrays).ok()?;
    Some(Candidate {
        credential_id: held.id.to_owned(),
        claim_set: answer.claim_set,
        disclose: answer.disclose,
    })
}
