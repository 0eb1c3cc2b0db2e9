//! The OpenID4VCI endpoints a wallet calls: token (pre-authorized code and refresh), nonce
//! and credential.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use protocol::credential_types::CredentialType;
use protocol::oid4vci::{
    self, CredentialError, CredentialRequest, CredentialResponse, IssuedCredential, NonceResponse,
    ProofExpectation, TokenError, TokenGrant, TokenResponse,
};
use protocol::sd_jwt::RandomSalts;
use protocol::sd_jwt_vc::{self, VcEnvelope};
use protocol::status_list::StatusReference;
use serde_json::Value;

use crate::credentials::claims_for;
use crate::person::Bsn;
use crate::service::{
    bearer, error, internal, no_store, random_token, same_secret, today, Shared, CREDENTIAL_TTL,
    REFRESH_TTL, TOKEN_TTL,
};
use crate::store::{CredentialRecord, RefreshRecord, TokenRecord};
use crate::store_failure::{store_failure, DurableOnDrop};

pub(crate) async fn token(State(issuer): State<Shared>, body: axum::body::Bytes) -> Response {
    let _durable = DurableOnDrop(&issuer.store);
    let token_error =
        |e: TokenError, description: &str| error(StatusCode::BAD_REQUEST, e.code(), description);
    let now = issuer.clock.now();
    let (offer_id, bsn, credential_type, grant) = match TokenGrant::from_form(&body) {
        Err(e) => return token_error(e, "malformed token request"),
        Ok(TokenGrant::PreAuthorized(request)) => {
            let offer = match issuer.store.take_code(&request.pre_authorized_code).await {
                Ok(Some(o)) => o,
                Ok(None) => {
                    return token_error(TokenError::InvalidGrant, "unknown or already used code")
                }
                Err(e) => return store_failure(e),
            };
            if offer.expires_at <= now {
                return token_error(TokenError::InvalidGrant, "the code has expired");
            }
            if let Some(expected) = &offer.tx_code {
                let given = request.tx_code.as_deref().unwrap_or_default();
                if !same_secret(given.as_bytes(), expected.as_bytes()) {
                    // The code is spent: a wrong tx_code cannot be retried by guessing.
                    return token_error(TokenError::InvalidGrant, "wrong transaction code");
                }
            }
            let grant = offer.id.clone();
            (offer.id, offer.bsn, offer.credential_type, grant)
        }
        Ok(TokenGrant::Refresh { refresh_token }) => {
            let taken = match issuer.store.take_refresh_token(&refresh_token).await {
                // A revocation as lost or stolen ended this grant: no fresh copies for it.
                Ok(Some(r)) => match issuer.store.grant_ended(&r.grant).await {
                    Ok(true) => Ok(None),
                    Ok(false) => Ok(Some(r)),
                    Err(e) => Err(e),
                },
                other => other,
            };
            match taken {
                Ok(Some(r)) if r.expires_at > now => (
                    format!("refresh-{}", random_token()),
                    r.bsn,
                    r.credential_type,
                    r.grant,
                ),
                Ok(_) => {
                    return token_error(
                        TokenError::InvalidGrant,
                        "unknown, used or expired refresh token",
                    )
                }
                Err(e) => return store_failure(e),
            }
        }
    };
    let access_token = random_token();
    let refresh_token = random_token();
    let record = TokenRecord {
        offer_id,
        bsn: bsn.clone(),
        credential_type: credential_type.clone(),
        expires_at: now + TOKEN_TTL,
        grant: grant.clone(),
    };
    let refresh = RefreshRecord {
        bsn,
        credential_type,
        expires_at: now + REFRESH_TTL,
        grant,
    };
    let stored = match issuer.store.put_token(&access_token, &record).await {
        Ok(()) => {
            issuer
                .store
                .put_refresh_token(&refresh_token, &refresh)
                .await
        }
        Err(e) => Err(e),
    };
    if let Err(e) = stored {
        return store_failure(e);
    }
    no_store(Json(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: TOKEN_TTL,
        refresh_token: Some(refresh_token),
    }))
}

/// The body is read (and ignored) so that the body limit applies here too.
pub(crate) async fn nonce(State(issuer): State<Shared>, _body: axum::body::Bytes) -> Response {
    let c_nonce = random_token();
    match issuer
        .store
        .put_nonce(&c_nonce, issuer.clock.now() + TOKEN_TTL)
        .await
    {
        Ok(()) => no_store(Json(NonceResponse { c_nonce })),
        Err(e) => store_failure(e),
    }
}

fn credential_error(e: CredentialError, description: &str) -> Response {
    error(StatusCode::BAD_REQUEST, e.code(), description)
}

pub(crate) async fn credential(
    State(issuer): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let Some(access_token) = bearer(&headers) else {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "access token required",
        );
    };
    let request = match CredentialRequest::from_json(&body) {
        Ok(r) => r,
        Err(e) => return credential_error(e, "malformed credential request"),
    };
    let now = issuer.clock.now();
    let _durable = DurableOnDrop(&issuer.store);
    let token = match issuer.store.take_token(access_token).await {
        Ok(Some(t)) if t.expires_at > now => t,
        Ok(_) => {
            return error(
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                "unknown, used or expired access token",
            )
        }
        Err(e) => return store_failure(e),
    };
    if request.credential_configuration_id != token.credential_type {
        return credential_error(
            CredentialError::UnknownCredentialConfiguration,
            "this token is for another credential configuration",
        );
    }
    // Every proof must carry the same fresh nonce; it is spent here.
    let nonce = protocol::jose::UnverifiedJws::parse(&request.proofs.jwt[0])
        .ok()
        .and_then(|j| j.claims_unverified::<Value>().ok())
        .and_then(|c| c.get("nonce").and_then(Value::as_str).map(str::to_owned));
    let Some(nonce) = nonce else {
        return credential_error(CredentialError::InvalidNonce, "proof has no nonce");
    };
    match issuer.store.take_nonce(&nonce).await {
        Ok(Some(expires)) if expires > now => {}
        Ok(_) => {
            return credential_error(
                CredentialError::InvalidNonce,
                "unknown, used or expired nonce",
            )
        }
        Err(e) => return store_failure(e),
    }
    let expectation = ProofExpectation {
        credential_issuer: &issuer.public_url,
        nonce: &nonce,
        now,
        max_age: TOKEN_TTL,
        future_skew: 60,
    };
    let holder_keys =
        match oid4vci::verify_proofs(&request.proofs.jwt, issuer.batch_size, &expectation) {
            Ok(keys) => keys,
            Err(e) => return credential_error(CredentialError::InvalidProof, &e.to_string()),
        };
    let (Ok(bsn), Some(kind)) = (
        Bsn::parse(&token.bsn),
        CredentialType::from_id(&token.credential_type),
    ) else {
        return internal("token record is corrupt");
    };
    let person = match issuer.persons.get(&bsn).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            return credential_error(
                CredentialError::CredentialRequestDenied,
                "person no longer registered",
            )
        }
        Err(e) => {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "source_unavailable",
                &e.to_string(),
            )
        }
    };
    let residents = crate::documents::residents_of(&issuer, &person).await;
    let today = today(now);
    let claims = claims_for(kind, &person, &residents, today);
    let mut issued = Vec::with_capacity(holder_keys.len());
    let mut records = Vec::with_capacity(holder_keys.len());
    let slots = match issuer
        .store
        .allocate_status_slots(holder_keys.len() as u64)
        .await
    {
        Ok(slots) => slots,
        Err(e) => return store_failure(e),
    };
    for (holder_key, slot) in holder_keys.iter().zip(slots) {
        let envelope = VcEnvelope {
            iss: &issuer.public_url,
            vct: kind.vct(),
            iat: now,
            exp: now + CREDENTIAL_TTL,
            nbf: None,
            holder_key,
            status: Some(StatusReference {
                idx: slot.idx,
                uri: format!("{}/status/{}", issuer.public_url, slot.list),
            }),
        };
        let sd = match sd_jwt_vc::issue(
            &envelope,
            claims.claims.clone(),
            &claims.frame,
            &issuer.key,
            &mut RandomSalts,
        ) {
            Ok(sd) => sd,
            Err(e) => return internal(e),
        };
        let record = CredentialRecord {
            id: random_token(),
            offer_id: token.offer_id.clone(),
            bsn: token.bsn.clone(),
            credential_type: kind.id().to_owned(),
            status_idx: slot.idx,
            status_list: slot.list_id(),
            issued_at: now,
            expires_at: now + CREDENTIAL_TTL,
            revoked: false,
            grant: token.grant.clone(),
        };
        records.push(record);
        issued.push(IssuedCredential {
            credential: sd.serialize(),
        });
    }
    // The records must outlive a crash: a copy that left without one could not be revoked.
    // All of them with the offer's "collected", or none.
    if let Err(e) = issuer.store.record_issued(&records, &token.offer_id).await {
        return store_failure(e);
    }
    regie_ops::metrics().event(
        "credential_issued",
        &[("credential_type", kind.id())],
        issued.len() as u64,
    );
    no_store(Json(CredentialResponse {
        credentials: issued,
        notification_id: None,
    }))
}
