//! Login through an OpenID Connect provider, as municipalities reach DigiD through a broker:
//! the authorization code flow with PKCE (S256), a `nonce` in the ID token, the provider's
//! keys and endpoints from its discovery document. The citizen's BSN and the clerk's role
//! come from configured claims, in the ID token or else from the userinfo endpoint (whose
//! subject must be the ID token's).
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata,
    CoreResponseType, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthenticationFlow, AuthorizationCode, Client, ClientId, ClientSecret,
    CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields,
    IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    StandardErrorResponse, StandardTokenResponse, UserInfoClaims,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::sync::RwLock;
use zeroize::Zeroizing;

/// How long the provider's discovery document (endpoints, keys) is used before it is read
/// again, so that a provider's new signing key is picked up within the hour.
const METADATA_TTL: Duration = Duration::from_secs(3600);
/// The longest wait for the provider.
const TIMEOUT: Duration = Duration::from_secs(10);

/// What the portal needs to log people in through a provider.
pub struct OidcConfig {
    /// The provider's issuer identifier (its discovery document is under it).
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Zeroizing<String>,
    /// Scopes asked for besides `openid`.
    pub scopes: Vec<String>,
    /// The claim that holds a citizen's BSN.
    pub bsn_claim: String,
    /// The claim that holds a person's roles (a string or a list of strings).
    pub role_claim: String,
    /// The role that lets a person work at the clerk's desk.
    pub clerk_role: String,
    /// Where the provider sends the browser back: `{public_url}/inloggen/terug`.
    pub redirect_url: String,
}

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the login provider's settings are not valid: {0}")]
    Config(String),
    #[error("the login provider cannot be reached: {0}")]
    Unreachable(String),
    #[error("the login provider's answer was refused: {0}")]
    Refused(String),
}

/// Claims besides the standard ones, read by name from configuration.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct ExtraClaims {
    #[serde(flatten)]
    claims: Map<String, Value>,
}

impl AdditionalClaims for ExtraClaims {}

type Fields = IdTokenFields<
    ExtraClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type TokenResponse = StandardTokenResponse<Fields, CoreTokenType>;
type PortalClient = Client<
    ExtraClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// A login sent to the provider: where the browser goes, and what must be kept (never in the
/// browser) to finish it.
pub struct Started {
    pub url: String,
    /// The `state` the provider sends back; it also goes into the browser's cookie.
    pub state: String,
    pub pkce_verifier: Zeroizing<String>,
    pub nonce: String,
}

/// Who the provider says logged in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The provider's subject identifier.
    pub subject: String,
    /// The BSN claim, when present.
    pub bsn: Option<String>,
    pub roles: Vec<String>,
}

pub struct OidcLogin {
    config: OidcConfig,
    issuer: IssuerUrl,
    redirect: RedirectUrl,
    http: reqwest::Client,
    metadata: RwLock<Option<(Instant, CoreProviderMetadata)>>,
}

impl OidcLogin {
    /// A login through the provider of `config`, over HTTPS that also trusts `extra_roots`.
    pub fn new(
        config: OidcConfig,
        extra_roots: &[reqwest::Certificate],
    ) -> Result<Self, OidcError> {
        let issuer =
            IssuerUrl::new(config.issuer.clone()).map_err(|e| OidcError::Config(e.to_string()))?;
        let redirect = RedirectUrl::new(config.redirect_url.clone())
            .map_err(|e| OidcError::Config(e.to_string()))?;
        if config.client_id.is_empty() {
            return Err(OidcError::Config("no client id".into()));
        }
        let http = regie_ops::tls::client_trusting(extra_roots)
            .timeout(TIMEOUT)
            // Following redirects would let the provider's answers point the service at
            // other hosts.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| OidcError::Config(e.to_string()))?;
        Ok(OidcLogin {
            config,
            issuer,
            redirect,
            http,
            metadata: RwLock::new(None),
        })
    }

    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    /// The provider's discovery document, read again when older than [`METADATA_TTL`] or
    /// when `fresh` (its signing key may have changed).
    async fn metadata(&self, fresh: bool) -> Result<CoreProviderMetadata, OidcError> {
        if !fresh {
            if let Some((read_at, metadata)) = self.metadata.read().await.as_ref() {
                if read_at.elapsed() < METADATA_TTL {
                    return Ok(metadata.clone());
                }
            }
        }
        let metadata = CoreProviderMetadata::discover_async(self.issuer.clone(), &self.http)
            .await
            .map_err(|e| OidcError::Unreachable(error_chain(&e)))?;
        *self.metadata.write().await = Some((Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    async fn client(&self, fresh: bool) -> Result<PortalClient, OidcError> {
        let metadata = self.metadata(fresh).await?;
        Ok(PortalClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.to_string())),
        )
        .set_redirect_uri(self.redirect.clone()))
    }

    /// Begins a login: the provider's authorization URL with a fresh state, nonce and PKCE
    /// challenge.
    pub async fn start(&self) -> Result<Started, OidcError> {
        let client = self.client(false).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in &self.config.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        Ok(Started {
            url: url.to_string(),
            state: state.secret().clone(),
            pkce_verifier: Zeroizing::new(verifier.secret().clone()),
            nonce: nonce.secret().clone(),
        })
    }

    /// Finishes a login: exchanges `code` (with the PKCE verifier and the client's secret),
    /// checks the ID token (signature, issuer, audience, expiry, nonce) and reads the claims.
    pub async fn finish(
        &self,
        code: &str,
        pkce_verifier: &str,
        nonce: &str,
    ) -> Result<Identity, OidcError> {
        let client = self.client(false).await?;
        let token: TokenResponse = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| OidcError::Config(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Refused(error_chain(&e)))?;
        let id_token = token
            .extra_fields()
            .id_token()
            .ok_or_else(|| OidcError::Refused("no ID token".into()))?;
        let nonce = Nonce::new(nonce.to_owned());
        let first = id_token
            .claims(&client.id_token_verifier(), &nonce)
            .cloned();
        let claims = match first {
            Ok(claims) => claims,
            // A key the cached document does not have yet: read it again, once.
            Err(_) => {
                let fresh = self.client(true).await?;
                let verified = id_token
                    .claims(&fresh.id_token_verifier(), &nonce)
                    .cloned()
                    .map_err(|e| OidcError::Refused(error_chain(&e)));
                verified?
            }
        };
        let subject = claims.subject().clone();
        let mut extra = claims.additional_claims().claims.clone();
        let wanted = [&self.config.bsn_claim, &self.config.role_claim];
        if wanted.iter().any(|name| !extra.contains_key(name.as_str())) {
            if let Ok(request) =
                client.user_info(token.access_token().clone(), Some(subject.clone()))
            {
                let info: UserInfoClaims<ExtraClaims, CoreGenderClaim> = request
                    .request_async(&self.http)
                    .await
                    .map_err(|e| OidcError::Refused(error_chain(&e)))?;
                for (name, value) in &info.additional_claims().claims {
                    extra.entry(name.clone()).or_insert_with(|| value.clone());
                }
            }
        }
        Ok(Identity {
            subject: subject.as_str().to_owned(),
            bsn: extra.get(&self.config.bsn_claim).and_then(claim_text),
            roles: match extra.get(&self.config.role_claim) {
                Some(Value::Array(items)) => items.iter().filter_map(claim_text).collect(),
                Some(value) => claim_text(value).into_iter().collect(),
                None => Vec::new(),
            },
        })
    }

    /// Whether `identity` may work at the clerk's desk.
    pub fn is_clerk(&self, identity: &Identity) -> bool {
        identity.roles.contains(&self.config.clerk_role)
    }
}

/// A claim's text: a string, or a number written as digits (some brokers send the BSN as one).
fn claim_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_u64() => Some(n.to_string()),
        _ => None,
    }
}

/// An error and its causes on one line (the crate's errors say little at the top).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        text.push_str(": ");
        text.push_str(&e.to_string());
        cause = e.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_are_read_as_text() {
        assert_eq!(
            claim_text(&Value::from("999993653")),
            Some("999993653".into())
        );
        // A BSN sent as a number keeps its digits; a leading zero cannot be sent that way.
        assert_eq!(
            claim_text(&Value::from(999993653u64)),
            Some("999993653".into())
        );
        assert_eq!(claim_text(&Value::from(-1)), None);
        assert_eq!(claim_text(&Value::Bool(true)), None);
    }

    #[test]
    fn a_bad_configuration_is_refused() {
        let config = |issuer: &str, redirect: &str| OidcConfig {
            issuer: issuer.into(),
            client_id: "regie".into(),
            client_secret: Zeroizing::new("s".into()),
            scopes: vec![],
            bsn_claim: "bsn".into(),
            role_claim: "roles".into(),
            clerk_role: "balie".into(),
            redirect_url: redirect.into(),
        };
        assert!(OidcLogin::new(config("not a url", "https://a.example/terug"), &[]).is_err());
        assert!(OidcLogin::new(config("https://idp.example", "no url"), &[]).is_err());
        assert!(OidcLogin::new(config("https://idp.example", "https://a.example/t"), &[]).is_ok());
    }
}
