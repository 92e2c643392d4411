//! Bearer authentication: an HS256 JWT whose `sub` is a staff member's id, with `exp` required and
//! issuer and audience checked. Roles and unit come from the staff record on every request, never
//! from the token, so disabling a member or changing their roles takes effect at once.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
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
        }
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

    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| {
                log::debug!("token refused: {e}");
                ApiError::Unauthorized("the bearer token is invalid or expired")
            })
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
            let claims = state.keys.verify(token)?;
            let store = state.store.clone();
            let caller = crate::blocking(move || store.authenticate(&claims.sub)).await?;
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
        assert_eq!(
            keys.verify(&token).ok().map(|c| c.sub),
            Some("staff-1".to_owned())
        );
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
