//! The `direct_post` response (OpenID4VP 1.0 §8.2): presentations or an error, as a form.

use serde_json::{Map, Value};

use super::{Oid4vpError, MAX_MESSAGE_LEN};

/// What a wallet posts to `response_uri`.
#[derive(Clone, Debug, PartialEq)]
pub enum AuthorizationResponse {
    /// `vp_token`: presentations per credential query id.
    Presentations {
        vp_token: Map<String, Value>,
        state: Option<String>,
    },
    /// `error`, e.g. `access_denied` when the citizen says no.
    Error {
        error: String,
        description: Option<String>,
        state: Option<String>,
    },
}

impl AuthorizationResponse {
    /// A response with one presentation per query id.
    pub fn presentations(by_query: &[(String, String)], state: Option<&str>) -> Self {
        let mut vp_token = Map::new();
        for (query_id, presentation) in by_query {
            let entry = vp_token
                .entry(query_id.clone())
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = entry {
                list.push(Value::String(presentation.clone()));
            }
        }
        AuthorizationResponse::Presentations {
            vp_token,
            state: state.map(str::to_owned),
        }
    }

    /// The citizen declined.
    pub fn access_denied(state: Option<&str>) -> Self {
        AuthorizationResponse::Error {
            error: "access_denied".into(),
            description: None,
            state: state.map(str::to_owned),
        }
    }

    /// The `application/x-www-form-urlencoded` body.
    pub fn to_form(&self) -> String {
        let mut form = form_urlencoded::Serializer::new(String::new());
        let state = match self {
            AuthorizationResponse::Presentations { vp_token, state } => {
                form.append_pair("vp_token", &Value::Object(vp_token.clone()).to_string());
                state
            }
            AuthorizationResponse::Error {
                error,
                description,
                state,
            } => {
                form.append_pair("error", error);
                if let Some(d) = description {
                    form.append_pair("error_description", d);
                }
                state
            }
        };
        if let Some(s) = state {
            form.append_pair("state", s);
        }
        form.finish()
    }

    /// Parses a `direct_post` body.
    pub fn from_form(body: &[u8]) -> Result<Self, Oid4vpError> {
        if body.len() > MAX_MESSAGE_LEN {
            return Err(Oid4vpError::TooLarge(MAX_MESSAGE_LEN));
        }
        let (mut vp_token, mut error, mut description, mut state) = (None, None, None, None);
        for (key, value) in form_urlencoded::parse(body) {
            let (slot, name) = match key.as_ref() {
                "vp_token" => (&mut vp_token, "vp_token"),
                "error" => (&mut error, "error"),
                "error_description" => (&mut description, "error_description"),
                "state" => (&mut state, "state"),
                _ => continue,
            };
            if slot.replace(value.into_owned()).is_some() {
                return Err(Oid4vpError::Parameter(name));
            }
        }
        match (vp_token, error) {
            (Some(token), None) => {
                let Value::Object(map) = crate::json::from_str(&token)
                    .map_err(|_| Oid4vpError::Malformed("vp_token"))?
                else {
                    return Err(Oid4vpError::Malformed("vp_token"));
                };
                let well_formed = !map.is_empty()
                    && map.values().all(|v| {
                        v.as_array().is_some_and(|list| {
                            !list.is_empty() && list.iter().all(Value::is_string)
                        })
                    });
                if !well_formed {
                    return Err(Oid4vpError::Malformed("vp_token"));
                }
                Ok(AuthorizationResponse::Presentations {
                    vp_token: map,
                    state,
                })
            }
            (None, Some(error)) => Ok(AuthorizationResponse::Error {
                error,
                description,
                state,
            }),
            _ => Err(Oid4vpError::Parameter("vp_token or error")),
        }
    }
}
