//! Transaction data (consent statements) and the hashes that sign them: each entry names the
//! credential queries whose presentations must carry its hash in their key binding JWT. An
//! entry counts only when a presentation for one of those queries was actually given: the
//! presentations' signatures cover nothing else.
use protocol::oid4vp::{encode_transaction_data, transaction_data_hash, VerifiedRequest};
use serde_json::{Map, Value};

/// The transaction data of one request: each entry with the exact string the wallet hashed.
#[derive(Clone, Debug, Default)]
pub struct TransactionData {
    entries: Vec<(Value, String)>,
}

/// An entry that no presentation signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("transaction_data entry {0} is not signed by a presentation for a query it names")]
pub struct Unanswered(pub usize);

impl TransactionData {
    /// The entries as the verifier put them into its request object (`sign_request`).
    pub fn from_values(values: &[Value]) -> TransactionData {
        TransactionData {
            entries: values
                .iter()
                .map(|v| (v.clone(), encode_transaction_data(v)))
                .collect(),
        }
    }

    /// The entries of a verified request object, with the strings as signed there.
    pub fn from_request(request: &VerifiedRequest) -> TransactionData {
        let encoded = request.request.transaction_data.iter().flatten();
        TransactionData {
            entries: request
                .transaction_data
                .iter()
                .cloned()
                .zip(encoded.cloned())
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The decoded entries, in request order.
    pub fn values(&self) -> Vec<Value> {
        self.entries.iter().map(|(v, _)| v.clone()).collect()
    }

    /// The hashes a presentation for `query_id` must carry: those of the entries naming it,
    /// in request order; `None` when no entry names it.
    pub fn hashes_for(&self, query_id: &str) -> Option<Vec<String>> {
        let hashes: Vec<String> = self
            .entries
            .iter()
            .filter(|(v, _)| names(v, query_id))
            .map(|(_, encoded)| transaction_data_hash(encoded))
            .collect();
        (!hashes.is_empty()).then_some(hashes)
    }

    /// Every entry must name a query that `vp_token` answers with at least one
    /// presentation: otherwise it is shown but signed by nobody.
    pub fn check_answered(&self, vp_token: &Map<String, Value>) -> Result<(), Unanswered> {
        let answered = |id: &str| {
            vp_token
                .get(id)
                .and_then(Value::as_array)
                .is_some_and(|list| !list.is_empty())
        };
        for (i, (entry, _)) in self.entries.iter().enumerate() {
            let ids = entry.get("credential_ids").and_then(Value::as_array);
            let signed = ids
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .any(answered);
            if !signed {
                return Err(Unanswered(i));
            }
        }
        Ok(())
    }
}

fn names(entry: &Value, query_id: &str) -> bool {
    entry
        .get("credential_ids")
        .and_then(Value::as_array)
        .is_some_and(|ids| ids.iter().any(|id| id.as_str() == Some(query_id)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn token(ids: &[&str]) -> Map<String, Value> {
        ids.iter()
            .map(|id| ((*id).to_owned(), json!(["presentation"])))
            .collect()
    }

    #[test]
    fn each_entry_needs_an_answered_query() {
        let td = TransactionData::from_values(&[
            json!({"type": "a", "credential_ids": ["brp"]}),
            json!({"type": "b", "credential_ids": ["extra", "brp"]}),
        ]);
        assert_eq!(td.check_answered(&token(&["brp"])), Ok(()));
        assert_eq!(td.hashes_for("brp").map(|h| h.len()), Some(2));
        assert_eq!(td.hashes_for("extra").map(|h| h.len()), Some(1));
        assert_eq!(td.hashes_for("other"), None);

        let td = TransactionData::from_values(&[
            json!({"type": "a", "credential_ids": ["brp"]}),
            json!({"type": "b", "credential_ids": ["extra"]}),
        ]);
        assert_eq!(td.check_answered(&token(&["brp"])), Err(Unanswered(1)));
        let mut empty = token(&["extra"]);
        empty.insert("brp".into(), json!([]));
        assert_eq!(td.check_answered(&empty), Err(Unanswered(0)));
        let td = TransactionData::from_values(&[json!({"type": "a"})]);
        assert_eq!(td.check_answered(&token(&["brp"])), Err(Unanswered(0)));
    }
}
