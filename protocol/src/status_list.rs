//! Token Status List (temporary: only the reference type until the module lands).
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A credential's pointer into a status list: `{"status_list": {"idx": .., "uri": ..}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusReference {
    pub idx: u64,
    pub uri: String,
}

#[derive(Serialize, Deserialize)]
struct StatusClaim {
    status_list: StatusReference,
}

impl StatusReference {
    /// The `status` claim value.
    pub fn to_claim(&self) -> Value {
        serde_json::to_value(StatusClaim {
            status_list: self.clone(),
        })
        .unwrap_or(Value::Null)
    }

    /// Reads a `status` claim value.
    pub fn from_claim(value: &Value) -> Result<Self, serde_json::Error> {
        StatusClaim::deserialize(value).map(|c| c.status_list)
    }
}
