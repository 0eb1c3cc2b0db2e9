//! One relying-party session from start to finish, as a wallet and the party's back-end do
//! it over HTTP, split into its steps: the loopback load benchmark, the soak and the
//! verifier's kill test all run sessions through these.
#![allow(dead_code)]
use std::time::Duration;

use protocol::claim_path::ClaimPath;
use protocol::jose::SigningKey;
use protocol::oid4vp::{verify_request, AuthorizationResponse, RequestLink};
use protocol::sd_jwt::{add_key_binding, SdJwt};
use serde_json::{json, Value};

use super::{demo_anchor, housing_session, now, HOUSING_KEY};

/// Test persons whose address histories answer the sessions, with their family names.
pub const PERSONS: [(&str, &str); 5] = [
    ("999993653", "Moulin"),
    ("999993112", "Zon"),
    ("999994542", "Braber"),
    ("999996320", "Postma"),
    ("999990019", "Bultenaar"),
];

pub fn housing_paths() -> Vec<ClaimPath> {
    [
        json!(["given_name"]),
        json!(["family_name"]),
        json!(["birthdate"]),
        json!(["addresses", null]),
    ]
    .iter()
    .map(|p| ClaimPath::from_json_value(p).expect("path"))
    .collect()
}

/// What a wallet sends: the credential with the asked claims and a key binding JWT.
pub fn presentation(credential: &(String, SigningKey), aud: &str, nonce: &str) -> String {
    let shown = SdJwt::parse_held(&credential.0)
        .expect("held credential")
        .present(&housing_paths())
        .expect("present")
        .serialize();
    add_key_binding(&shown, &credential.1, aud, nonce, now(), None).expect("key binding")
}

fn e(step: &str, err: impl std::fmt::Display) -> String {
    format!("{step}: {err}")
}

/// A housing-corporation session made through the session API: (session id, link).
pub async fn create_session(
    http: &reqwest::Client,
    verifier: &str,
) -> Result<(String, String), String> {
    let r = http
        .post(format!("{verifier}/api/sessions"))
        .bearer_auth(HOUSING_KEY)
        .json(&housing_session())
        .send()
        .await
        .map_err(|x| e("create", x))?;
    let status = r.status();
    let created: Value = r.json().await.map_err(|x| e("create", x))?;
    if !status.is_success() {
        return Err(e("create", format!("{status} {created}")));
    }
    let link = created["link"].as_str().ok_or("create: no link")?;
    let id = created["session_id"].as_str().ok_or("create: no id")?;
    Ok((id.to_owned(), link.to_owned()))
}

/// The wallet's answer as sent: where to, the form body, and the request's nonce.
#[derive(Clone, Debug)]
pub struct Answer {
    pub response_uri: String,
    pub form: String,
    pub nonce: String,
    pub state: Option<String>,
    pub client_id: String,
}

/// The wallet's side: fetch and verify the signed request, build the answer.
pub async fn prepare_answer(
    http: &reqwest::Client,
    link: &str,
    credential: &(String, SigningKey),
) -> Result<Answer, String> {
    let link = RequestLink::parse(link, true).map_err(|x| e("link", x))?;
    let r = http
        .get(&link.request_uri)
        .send()
        .await
        .map_err(|x| e("request", x))?;
    if !r.status().is_success() {
        return Err(e("request", r.status()));
    }
    let jwt = r.text().await.map_err(|x| e("request", x))?;
    let request = verify_request(&jwt, demo_anchor().public_jwk(), now())
        .map_err(|x| e("request", x))?
        .request;
    let answer = presentation(credential, &request.client_id, &request.nonce);
    let form = AuthorizationResponse::presentations(
        &[("woon".to_owned(), answer)],
        request.state.as_deref(),
    )
    .to_form();
    Ok(Answer {
        response_uri: request.response_uri,
        form,
        nonce: request.nonce,
        state: request.state,
        client_id: request.client_id,
    })
}

/// Posts an answer (`direct_post`): the response's status code.
pub async fn post_answer(http: &reqwest::Client, answer: &Answer) -> Result<u16, String> {
    post_form(http, &answer.response_uri, answer.form.clone()).await
}

pub async fn post_form(http: &reqwest::Client, uri: &str, form: String) -> Result<u16, String> {
    let r = http
        .post(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .map_err(|x| e("answer", x))?;
    Ok(r.status().as_u16())
}

/// The party's back-end reads the session.
pub async fn read_session(
    http: &reqwest::Client,
    verifier: &str,
    id: &str,
) -> Result<Value, String> {
    let r = http
        .get(format!("{verifier}/api/sessions/{id}"))
        .bearer_auth(HOUSING_KEY)
        .send()
        .await
        .map_err(|x| e("read", x))?;
    if !r.status().is_success() {
        return Err(e("read", r.status()));
    }
    r.json().await.map_err(|x| e("read", x))
}

/// One session from start to finish; `Ok(true)` when the verified name is the answerer's.
pub async fn one_session(
    http: &reqwest::Client,
    verifier: &str,
    credential: &(String, SigningKey),
    family_name: &str,
) -> Result<bool, String> {
    let (id, link) = create_session(http, verifier).await?;
    let answer = prepare_answer(http, &link, credential).await?;
    let status = post_answer(http, &answer).await?;
    if status != 200 {
        return Err(format!("response refused: {status}"));
    }
    let result = read_session(http, verifier, &id).await?;
    if result["status"] != "done" {
        return Err(format!("session ended as {}", result["status"]));
    }
    Ok(result["claims"]["woon"]["family_name"] == family_name)
}

/// Latencies of finished sessions, for percentiles.
#[derive(Default)]
pub struct Latencies(Vec<Duration>);

impl Latencies {
    pub fn push(&mut self, d: Duration) {
        self.0.push(d);
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The `p` quantile (0..1) in milliseconds; 0 without samples.
    pub fn percentile_ms(&mut self, p: f64) -> f64 {
        self.0.sort();
        let last = self.0.len().saturating_sub(1);
        self.0
            .get(((self.0.len() as f64 * p) as usize).min(last))
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    }
}
