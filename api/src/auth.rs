//! Bearer authentication: an HS256 JWT issued by Opora (login, `opora token`), or a token of an
//! external identity provider (e.g. Keycloak) validated by its RS256/ES256 public keys from a PEM
//! or a JWKS file. Algorithms are fixed by configuration: a token with any other `alg` is refused.
//! `exp` is required; `nbf`, issuer and audience are checked. The subject (`sub`, or the configured
//! claim) names a staff member; roles and unit come from the staff record on every request, never
//! from the token, so disabling a member or changing their roles takes effect at once.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use opora_persistence::Caller;
use serde::{Deserialize, Serialize};

use crate::problem::ApiError;
use crate::AppState;

pub const ISSUER: &str = "opora";
pub const AUDIENCE: &str = "opora-api";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

/// Signs and verifies tokens with the configured secret.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Lifetime of the access tokens login and refresh issue.
    pub access_ttl: chrono::Duration,
    /// Tokens of an external identity provider, when configured.
    external: Option<ExternalIdp>,
}

/// An external identity provider's public keys and the checks its tokens must pass.
#[derive(Clone)]
pub struct ExternalIdp {
    algorithm: Algorithm,
    /// Keys by `kid` (a PEM key has none and matches any token).
    keys: Vec<(Option<String>, DecodingKey)>,
    validation: Validation,
    subject_claim: String,
}

impl ExternalIdp {
    fn validation(algorithm: Algorithm, issuer: &str, audience: &str) -> Validation {
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.leeway = 30;
        validation.validate_nbf = true;
        validation
    }

    fn algorithm(name: &str) -> Result<Algorithm, String> {
        match name {
            "RS256" => Ok(Algorithm::RS256),
            "ES256" => Ok(Algorithm::ES256),
            other => Err(format!(
                "unsupported external token algorithm {other:?}: use RS256 or ES256"
            )),
        }
    }

    /// From a PEM public key.
    pub fn from_pem(
        algorithm: &str,
        pem: &[u8],
        issuer: &str,
        audience: &str,
        subject_claim: &str,
    ) -> Result<Self, String> {
        let algorithm = Self::algorithm(algorithm)?;
        let key = match algorithm {
            Algorithm::ES256 => DecodingKey::from_ec_pem(pem),
            _ => DecodingKey::from_rsa_pem(pem),
        }
        .map_err(|e| format!("cannot read the public key: {e}"))?;
        Ok(ExternalIdp {
            algorithm,
            keys: vec![(None, key)],
            validation: Self::validation(algorithm, issuer, audience),
            subject_claim: subject_claim.to_owned(),
        })
    }

    /// From a JWKS document (the provider's `certs` endpoint saved to a file).
    pub fn from_jwks(
        algorithm: &str,
        jwks: &str,
        issuer: &str,
        audience: &str,
        subject_claim: &str,
    ) -> Result<Self, String> {
        let algorithm = Self::algorithm(algorithm)?;
        let set: JwkSet =
            serde_json::from_str(jwks).map_err(|e| format!("cannot read the JWKS: {e}"))?;
        let keys = set
            .keys
            .iter()
            .filter_map(|jwk| {
                DecodingKey::from_jwk(jwk)
                    .ok()
                    .map(|key| (jwk.common.key_id.clone(), key))
            })
            .collect::<Vec<_>>();
        if keys.is_empty() {
            return Err("the JWKS holds no usable key".into());
        }
        Ok(ExternalIdp {
            algorithm,
            keys,
            validation: Self::validation(algorithm, issuer, audience),
            subject_claim: subject_claim.to_owned(),
        })
    }

    fn verify(&self, token: &str, kid: Option<&str>) -> Result<String, ApiError> {
        let refused = ApiError::Unauthorized("the bearer token is invalid or expired");
        let key = self
            .keys
            .iter()
            .find(|(id, _)| id.is_none() || id.as_deref() == kid)
            .map(|(_, key)| key)
            .ok_or(ApiError::Unauthorized("the token's key is unknown"))?;
        let claims =
            decode::<serde_json::Map<String, serde_json::Value>>(token, key, &self.validation)
                .map_err(|e| {
                    log::debug!("external token refused: {e}");
                    refused
                })?
                .claims;
        claims
            .get(&self.subject_claim)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .ok_or(ApiError::Unauthorized("the token names no subject"))
    }
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys(..)")
    }
}

impl TokenKeys {
    pub fn new(secret: &str) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        validation.leeway = 30;
        validation.validate_nbf = true;
        TokenKeys {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
            access_ttl: chrono::Duration::minutes(15),
            external: None,
        }
    }

    /// Also accept tokens of an external identity provider.
    pub fn with_external(mut self, idp: ExternalIdp) -> Self {
        self.external = Some(idp);
        self
    }

    /// The same keys with another access-token lifetime.
    pub fn with_access_ttl(mut self, ttl: chrono::Duration) -> Self {
        self.access_ttl = ttl;
        self
    }

    /// A token for `sub`, valid for `ttl`.
    pub fn issue(&self, sub: &str, ttl: chrono::Duration) -> Result<String, ApiError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: sub.to_owned(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            iat: now,
            nbf: now,
            exp: now + ttl.num_seconds(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::Internal(format!("cannot sign a token: {e}")))
    }

    /// The staff id a token names, if it verifies under one of the configured algorithms.
    pub fn verify(&self, token: &str) -> Result<String, ApiError> {
        let refused = ApiError::Unauthorized("the bearer token is invalid or expired");
        let header = decode_header(token).map_err(|_| refused)?;
        match &self.external {
            Some(idp) if header.alg == idp.algorithm => idp.verify(token, header.kid.as_deref()),
            _ => decode::<Claims>(token, &self.decoding, &self.validation)
                .map(|data| data.claims.sub)
                .map_err(|e| {
                    log::debug!("token refused: {e}");
                    ApiError::Unauthorized("the bearer token is invalid or expired")
                }),
        }
    }
}

/// The authenticated caller of an `/api/v1` endpoint.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Caller);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let header = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .cloned();
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::Internal("application state missing".into()))?;
            let header =
                header.ok_or(ApiError::Unauthorized("send Authorization: Bearer <token>"))?;
            let token = header
                .to_str()
                .ok()
                .and_then(|h| {
                    h.strip_prefix("Bearer ")
                        .or_else(|| h.strip_prefix("bearer "))
                })
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or(ApiError::Unauthorized("send Authorization: Bearer <token>"))?;
            let subject = state.keys.verify(token)?;
            let store = state.store.clone();
            let caller = crate::blocking(move || store.authenticate(&subject)).await?;
            caller.map(Authenticated).ok_or(ApiError::Unauthorized(
                "the token's subject is not an active staff member",
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_with_its_own_secret_only() {
        let keys = TokenKeys::new("one secret");
        let token = keys
            .issue("staff-1", chrono::Duration::minutes(5))
            .unwrap_or_default();
        assert_eq!(keys.verify(&token).ok(), Some("staff-1".to_owned()));
        assert!(TokenKeys::new("another secret").verify(&token).is_err());
    }

    #[test]
    fn an_expired_token_is_refused() {
        let keys = TokenKeys::new("s");
        let token = keys
            .issue("staff-1", chrono::Duration::minutes(-5))
            .unwrap_or_default();
        assert!(keys.verify(&token).is_err());
    }

    #[test]
    fn a_token_for_another_audience_is_refused() {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: "x".into(),
            iss: ISSUER.into(),
            aud: "someone-else".into(),
            iat: now,
            nbf: now,
            exp: now + 60,
        };
        let token = encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(b"s"),
        )
        .unwrap_or_default();
        assert!(TokenKeys::new("s").verify(&token).is_err());
    }
}
